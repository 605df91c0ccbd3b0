"""The token path's caches at scale (issue 12, "Caches at scale"): 1,000 authorization servers and 10,000 clients
under uniform traffic, one container at 100 tokens/s.

What runs is the real ``TokenPathCaches`` (configuration and client caches, the change log's watch), built as the
container builds it, over sources that answer from memory and count what they are asked: so the figures are reads
per token as DynamoDB would see them, whatever this machine's speed. Each simulated token asks for the
configuration of a random server and the record of a random client (seeded), as the token endpoint does, and the
injected clock advances 10 ms. The objects are real: 1,000 copies of the stack's ``default`` configuration (its 7
scopes, 19 claims, policy, rule and keys; each copy a distinct object, so its memory counts) and 10,000 copies of a
real client record.

While the change log can be read, an entry lives until the log names it or for ``changes.LOG_TRUST`` (one hour), so
a steady state includes the hourly re-reads: each scenario runs ``WARM_UP`` simulated minutes, then counts an hour
(``MEASURED``), which holds one re-read of every entry. Printed: hit rate of each cache, DynamoDB reads per token
(configuration Query, client GetItem, change-log GetItem), evictions and the memory the caches hold, for the
defaults, a budget too small for the working set (to show the least-recently-used policy degrading gradually rather
than thrashing), and a change log that cannot be read, where ``TOKENMINT_CACHE_SECONDS`` alone bounds each entry (at
the default and at the maximum TTL).
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

SERVERS = 1_000
CLIENTS = 10_000
TOKENS_PER_SECOND = 100
WARM_UP = 10 * 60 * TOKENS_PER_SECOND  # 10 simulated minutes
MEASURED = 60 * 60 * TOKENS_PER_SECOND  # then one simulated hour: the one-hour bound re-reads every entry once
SEED = 12


@dataclass
class Counted:
    """A source answering from a dict and counting the reads a miss would make."""

    items: dict[str, Any]
    reads: int = 0

    def load(self, key: str) -> Any:
        self.reads += 1
        return self.items.get(key)

    def get_for_token(self, client_id: str, consistent: bool = False) -> Any:
        return self.load(client_id)

    def verify_secret(self, client: Any, presented: str) -> bool:
        return False


@dataclass
class Figures:
    label: str
    config_hit_rate: float
    client_hit_rate: float
    reads_per_token: float
    change_log_reads_per_token: float
    evictions: int
    megabytes: float


def simulate(template_config: Any, template_client: Any, *, ttl_seconds: int, megabytes: int,
             log_readable: bool = True, warm_up: int = WARM_UP, tokens: int = MEASURED, label: str = "",
             keep: dict[str, Any] | None = None, distinct: bool = False) -> Figures:
    """``warm_up`` tokens, then ``tokens`` measured ones. ``keep``: receives the caches and their sources, so that
    the caller can hold them (bench/container_memory.py measures them held). ``distinct``: each configuration a deep
    copy (``dataclasses.replace`` shares the scopes, claims, policies and rules of the template among the copies,
    which is right for counting reads and wrong for measuring memory)."""
    import copy

    from chalicelib.clock import FixedClock
    from chalicelib.errors import StorageUnavailableError
    from chalicelib.oauth.token_path_caches import CacheSources, TokenPathCaches

    def config_copy(i: int) -> Any:
        base = copy.deepcopy(template_config) if distinct else template_config
        return replace(base, server=replace(base.server, id=f"aus{i:017d}"))

    configs = Counted({f"aus{i:017d}": config_copy(i) for i in range(SERVERS)})
    clients = Counted({f"0oa{i:017d}": replace(template_client, client_id=f"0oa{i:017d}") for i in range(CLIENTS)})
    log_reads = [0]

    def change_log() -> dict[str, str]:
        log_reads[0] += 1
        if not log_readable:
            raise StorageUnavailableError("the change log cannot be read")
        return {}

    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    caches = TokenPathCaches(
        CacheSources(configs=configs, default_server_id=lambda: None, clients=clients,
                     signing_keys=_no_keys, holders=_NoHolders(), changes=change_log),
        timedelta(seconds=ttl_seconds), clock.now, budget=megabytes * 1024 * 1024)
    server_ids, client_ids = list(configs.items), list(clients.items)
    pick = random.Random(SEED)
    step = timedelta(seconds=1 / TOKENS_PER_SECOND)
    logging.getLogger("chalicelib.oauth.change_watch").setLevel(logging.ERROR)  # one warning per second otherwise
    for n in range(warm_up + tokens):
        if n == warm_up:
            before = (configs.reads, clients.reads, log_reads[0], caches.configs.stats(), caches.clients.stats())
        caches.configs.active(pick.choice(server_ids))
        caches.clients.find(pick.choice(client_ids))
        clock.set(clock.now() + step)
    if keep is not None:
        keep.update(caches=caches, configs=configs, clients=clients, server_ids=server_ids, client_ids=client_ids)
    config_stats, client_stats = caches.configs.stats(), caches.clients.stats()
    config_reads, client_reads, logged, config_before, client_before = before

    def hit_rate(after: Any, start: Any) -> float:
        hits, misses = after.hits - start.hits, after.misses - start.misses
        return hits / (hits + misses) if hits + misses else 0.0

    reads = configs.reads - config_reads + clients.reads - client_reads + log_reads[0] - logged
    return Figures(label or f"TTL {ttl_seconds} s, {megabytes} MB", hit_rate(config_stats, config_before),
                   hit_rate(client_stats, client_before), reads / tokens, (log_reads[0] - logged) / tokens,
                   config_stats.evictions + client_stats.evictions,
                   (config_stats.bytes + client_stats.bytes) / 1024 / 1024)


def _no_keys(_server: str, _kid: str) -> Any:
    raise AssertionError("the cache simulation signs nothing")


class _NoHolders:
    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None:
        return None


def run(template_config: Any, template_client: Any, default_ttl: int, default_megabytes: int,
        line: Callable[[str, str], None]) -> Figures:
    """Print the scenarios; return the one at the defaults (for the summary)."""
    unreadable = 10 * 60 * TOKENS_PER_SECOND  # no hourly cycle there: 10 minutes show the steady state
    scenarios = [
        simulate(template_config, template_client, ttl_seconds=default_ttl, megabytes=default_megabytes,
                 label=f"defaults (TTL {default_ttl} s, {default_megabytes} MB), log read every second"),
        simulate(template_config, template_client, ttl_seconds=default_ttl, megabytes=16,
                 label=f"TTL {default_ttl} s, 16 MB, log read every second"),
        simulate(template_config, template_client, ttl_seconds=default_ttl, megabytes=default_megabytes,
                 log_readable=False, tokens=unreadable,
                 label=f"log unreadable: TTL {default_ttl} s alone, {default_megabytes} MB"),
        simulate(template_config, template_client, ttl_seconds=300, megabytes=default_megabytes,
                 log_readable=False, tokens=unreadable,
                 label=f"log unreadable: TTL 300 s alone, {default_megabytes} MB"),
    ]
    line("measured", f"{MEASURED // TOKENS_PER_SECOND // 60} simulated minutes (log unreadable: "
                     f"{unreadable // TOKENS_PER_SECOND // 60}) after {WARM_UP // TOKENS_PER_SECOND // 60} of warm-up")
    for f in scenarios:
        line(f.label, f"configs {f.config_hit_rate:.1%} hits, clients {f.client_hit_rate:.1%} hits, "
                      f"{f.reads_per_token:.3f} DynamoDB reads per token (change log {f.change_log_reads_per_token:.3f}), "
                      f"{f.evictions} evictions, {f.megabytes:.1f} MB held")
    return scenarios[0]
