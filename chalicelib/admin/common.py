"""Helpers shared by the management use cases: write-conflict translation (the only place admin/ meets
``ports.WriteConflict``), If-Match, paging."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Callable, Sequence, TypeVar

from ..errors import (
    ConcurrentWriteError,
    InvalidPagingError,
    NotFoundError,
    PreconditionFailedError,
    TokenmintError,
    ValidationError,
)
from ..ports import L_NAME, L_POLICY, L_SERVER, WriteConflict

T = TypeVar("T")

SERVER_TYPE = "AuthorizationServer"
SCOPE_TYPE = "OAuth2Scope"
CLAIM_TYPE = "OAuth2Claim"
POLICY_TYPE = "AuthorizationServerPolicy"
RULE_TYPE = "AuthorizationServerPolicyRule"


# What a failed condition means to the caller: the error to raise, or None when the write's goal already holds.
Outcomes = Sequence[tuple[str, "Callable[[], TokenmintError] | None"]]


def guarded(call: Callable[[], T], outcomes: Outcomes, conflict: str) -> T:
    """Run a store write: the one place where ``WriteConflict`` becomes an HTTP-meaningful domain error.

    The first ``(label, outcome)`` of ``outcomes`` whose label the conflict reports decides; an outcome of None
    means nothing is wrong (an idempotent write found its work done) and returns None. Anything else is a lost race
    (a version or order list changed since it was read): ``ConcurrentWriteError`` saying ``conflict``, which the
    management API retries unless the caller sent ``If-Match``.
    """
    try:
        return call()
    except WriteConflict as failed:
        for label, outcome in outcomes:
            if label in failed.labels:
                if outcome is None:
                    return None  # type: ignore[return-value]
                raise outcome() from None
        raise ConcurrentWriteError(conflict) from None


def changed_meanwhile(what: str, object_id: str) -> str:
    return f"{what} {object_id} was changed by another request at the same time; reload it and retry."


def write(call: Callable[[], T], *, what: str, object_id: str, server_id: str, policy_id: str | None = None,
          target: str = "", name_cause: str = "") -> T:
    """A configuration write: parent server gone -> 404, parent policy gone -> 404, name taken -> 400."""
    outcomes: list[tuple[str, Callable[[], TokenmintError] | None]] = [
        (L_SERVER, lambda: NotFoundError(server_id, SERVER_TYPE))]
    if policy_id:
        outcomes.append((L_POLICY, lambda: NotFoundError(policy_id, POLICY_TYPE)))
    if name_cause:
        outcomes.append((L_NAME, lambda: ValidationError(target, [name_cause])))
    return guarded(call, outcomes, changed_meanwhile(what, object_id))


def check_if_match(current: int | None, expected: int | None) -> None:
    """Honour an ``If-Match`` precondition when the caller sent one."""
    if expected is not None and current != expected:
        raise PreconditionFailedError("The object has changed since you read it; reload it and retry.")


MAX_LIMIT = 200


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


_CURSOR = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def decode_cursor(cursor: str) -> str:
    # base64's decoder silently drops characters outside its alphabet, so "!!!!" would decode to "" and restart
    # the listing from the top: only a well-formed, non-empty cursor is accepted.
    if not _CURSOR.fullmatch(cursor):
        raise InvalidPagingError("Invalid paging request.")
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidPagingError("Invalid paging request.") from None
    if not key:
        raise InvalidPagingError("Invalid paging request.")
    return key


def parse_limit(raw: str | None, default: int = MAX_LIMIT) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidPagingError("Invalid paging request.") from None
    if value < 1:
        raise InvalidPagingError("Invalid paging request.")
    return min(value, MAX_LIMIT)


def page(items: Sequence[T], key: Callable[[T], str], limit: int, after: str | None
         ) -> tuple[list[T], str | None]:
    """Cursor paging over items sorted by ``key``; the cursor survives the deletion of the item it names."""
    start = 0
    if after:
        boundary = decode_cursor(after)
        start = next((i for i, item in enumerate(items) if key(item) > boundary), len(items))
    chunk = list(items[start:start + limit])
    more = start + limit < len(items)
    return chunk, (encode_cursor(key(chunk[-1])) if more and chunk else None)
