"""Helpers shared by the management use cases: write-conflict translation, If-Match, paging."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Callable, Sequence, TypeVar

from ..errors import (
    ConflictError,
    InvalidPagingError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from ..storage.config_repository import L_NAME, L_POLICY, L_SERVER
from ..storage.transactions import WriteConflict

T = TypeVar("T")

SERVER_TYPE = "AuthorizationServer"
SCOPE_TYPE = "OAuth2Scope"
CLAIM_TYPE = "OAuth2Claim"
POLICY_TYPE = "AuthorizationServerPolicy"
RULE_TYPE = "AuthorizationServerPolicyRule"


def write(call: Callable[[], T], *, what: str, object_id: str, server_id: str, policy_id: str | None = None,
          target: str = "", name_cause: str = "") -> T:
    """Run a repository write and turn failed conditions into the error the caller should see."""
    try:
        return call()
    except WriteConflict as conflict:
        if L_SERVER in conflict.labels:
            raise NotFoundError(server_id, SERVER_TYPE) from None
        if L_POLICY in conflict.labels and policy_id:
            raise NotFoundError(policy_id, POLICY_TYPE) from None
        if L_NAME in conflict.labels and name_cause:
            raise ValidationError(target, [name_cause]) from None
        raise ConflictError(
            f"{what} {object_id} was changed by another request at the same time; reload it and retry."
        ) from None


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
