"""Where a client's refresh tokens are: the authorization servers at which it has refresh-token families, the
index behind Okta's ``/api/v1/apps/{appId}/tokens`` (admin/app_tokens.py; docs/ARCHITECTURE.md "One client, two
views"), and the one-off run that indexes the families created before the index existed.

Every new family writes its (client, server) item in the transaction that creates it
(storage/refresh_token_repository.py). Families created by an earlier release have none, so the index is trusted
only once a scan of the grants table has indexed those: until then an app's tokens are looked for at every server,
as before. The scan is done by the scheduled job (api/jobs.py), a stretch per run, and its state is one item:

* ``waiting`` (since T), written by the first run. The scan starts at the first run ``settle`` (an hour) or more
  after T: by then no container of the earlier release can still be creating a family the scan would miss (Lambda
  ends a request within the API function's timeout, 15 s);
* ``scanning`` (cursor): each run reads up to ``items_per_run`` items from the cursor and indexes the family
  partitions it sees;
* ``ready``: the scan passed every item. Readers use the index (and remember it: the state never goes back).

``plan`` decides the step from the state and the time (pure, tested without AWS); ``ClientTokenIndex`` runs it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from ..ports import ClientServerIndex

log = logging.getLogger(__name__)

SETTLE = timedelta(hours=1)
ITEMS_PER_RUN = 200_000  # ~25,000 read units of ~1 KB items: a few seconds of the job's 300

WAITING, SCANNING, READY = "waiting", "scanning", "ready"


@dataclass(frozen=True)
class Step:
    """What a run does: write ``state`` (``None``: nothing), after scanning from ``scan_from`` when ``scan``."""

    state: dict[str, Any] | None
    scan: bool = False
    scan_from: dict[str, Any] | None = None


def plan(state: dict[str, Any] | None, now: datetime, settle: timedelta = SETTLE) -> Step:
    """The run's step for the stored ``state`` (None before the first run)."""
    if state is None:
        return Step({"state": WAITING, "since": now.isoformat()})
    kind = state.get("state")
    if kind == READY:
        return Step(None)
    if kind == SCANNING:
        return Step(None, scan=True, scan_from=state.get("cursor"))
    try:
        since = datetime.fromisoformat(str(state.get("since")))
    except ValueError:
        since = None  # unreadable: start the wait again rather than trust it
    if since is None or since.tzinfo is None:
        return Step({"state": WAITING, "since": now.isoformat()})
    if now - since < settle:
        return Step(None)
    return Step(None, scan=True, scan_from=None)


@dataclass(frozen=True)
class IndexReport:
    state: str
    scanned: bool = False
    indexed: int = 0  # (client, server) pairs written by this run


class ClientTokenIndex:
    def __init__(self, store: ClientServerIndex, clock: Clock, *, settle: timedelta = SETTLE,
                 items_per_run: int = ITEMS_PER_RUN) -> None:
        self._store = store
        self._clock = clock
        self._settle = settle
        self._items = items_per_run
        self._ready = False

    def ready(self) -> bool:
        """Whether every family is indexed (one read until it is; remembered afterwards)."""
        if not self._ready:
            found = self._store.index_state()
            self._ready = found is not None and found[0].get("state") == READY
        return self._ready

    def servers(self, client_id: str) -> list[str] | None:
        """The ids of the servers where the client has or had refresh tokens, in id order; None while the index
        is incomplete (the caller then looks everywhere). Some may have been deleted since."""
        return sorted(self._store.client_servers(client_id)) if self.ready() else None

    def run(self) -> IndexReport:
        """One run's step (the scheduled job). A run that finds the state moved by another writes nothing."""
        found = self._store.index_state()
        state, version = (found[0], found[1]) if found is not None else (None, None)
        step = plan(state, self._clock.now(), self._settle)
        if not step.scan:
            if step.state is not None:
                self._store.save_index_state(step.state, version)
            return IndexReport(str((step.state or state or {}).get("state")))
        pairs, cursor = self._store.family_partitions(step.scan_from, self._items)
        self._store.add_client_servers(pairs)
        kind = SCANNING if cursor is not None else READY
        if not self._store.save_index_state({"state": kind, "cursor": cursor} if cursor else {"state": kind},
                                            version):
            log.warning("client token index: another run moved the state; this run's stretch will be read again")
        log.info("client token index: %d (client, server) pairs indexed, %s", len(pairs), kind)
        return IndexReport(kind, scanned=True, indexed=len(pairs))
