"""What a management write changed, for a target's ``changeDetails`` (okta-next.md 2.3): the members whose values
differ between the object before and after, by dotted path, each side holding only those members.

Never a secret: a member that carries one (a client secret or its hash, a password, an API token's value, a
private key's parts) is reported as changed with the value replaced by ``REDACTED``; members that are bookkeeping
(``_links``, ``_embedded``, timestamps) are not reported at all.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

REDACTED = "[redacted]"
MAX_MEMBERS = 50  # a replaced document can change everything; the event stays small

_SECRET = re.compile(r"(secret|password|passwd|token_?value|private)", re.IGNORECASE)
# RSA/EC private-key members of a JWK, and an API token's value (named ``token`` in its creation response).
_SECRET_LEAVES = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "token", "hash"})
_IGNORED = frozenset({"_links", "_embedded", "lastUpdated", "created", "lastUpdatedBy", "createdBy",
                      "client_id_issued_at", "client_secret_expires_at", "statusChanged", "lastLogin",
                      "passwordChanged", "activated", "lastMembershipUpdated", "version"})


def is_secret(path: str) -> bool:
    """Whether the member at ``path`` (dotted) may hold a secret."""
    leaf = path.rsplit(".", 1)[-1]
    return leaf in _SECRET_LEAVES or bool(_SECRET.search(path))


def flatten(document: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by dotted path; lists are leaves (compared whole)."""
    if not isinstance(document, Mapping):
        return {prefix: document} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in _IGNORED:
            continue
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def _shown(path: str, value: Any) -> Any:
    if value is None:
        return None
    return REDACTED if is_secret(path) else value


def change_details(before: Any, after: Any) -> dict[str, dict[str, Any]] | None:
    """``{"from": …, "to": …}`` of the members that differ; None when nothing visible changed. A member that did
    not exist on one side (created, removed) is absent from that side."""
    old, new = flatten(before) if before is not None else {}, flatten(after) if after is not None else {}
    changed = sorted(path for path in set(old) | set(new) if old.get(path) != new.get(path))[:MAX_MEMBERS]
    if not changed:
        return None
    return {"from": {p: _shown(p, old[p]) for p in changed if p in old},
            "to": {p: _shown(p, new[p]) for p in changed if p in new}}

