"""Each registered client JWK gets the Applications API's management members (okta-next.md 1.2, "Client JWK
objects"): an ``id`` (``pks…``), a ``status`` and its dates, kept beside the key in the client's JWK Set. Only ACTIVE
keys verify client assertions (``domain.OAuthClient.verification_jwks``)."""
from __future__ import annotations

from typing import Any, Iterable, cast

from .. import ids
from ..clock import okta_time
from ..domain import ACTIVE, JWK_MANAGEMENT_MEMBERS

JWK_ID_PREFIX = "pks"


def identify_keys(jwks: dict[str, Any] | None, previous: dict[str, object] | None, now: Any
                  ) -> dict[str, Any] | None:
    """``jwks`` (plain keys, as a registration reads them) with management members: a key the client already had
    (same ``kid``, or the same key material) keeps its id, status and creation time; a new key is ACTIVE now."""
    if jwks is None:
        return None
    # A stored JWK Set's "keys" is a list (domain.OAuthClient.jwks is typed only as a dict of objects).
    known = [k for k in cast("Iterable[object]", (previous or {}).get("keys", [])) if isinstance(k, dict)]

    def same(old: dict[str, Any], new: dict[str, Any]) -> bool:
        plain_old = {m: v for m, v in old.items() if m not in JWK_MANAGEMENT_MEMBERS}
        return (new.get("kid") is not None and old.get("kid") == new.get("kid")) or plain_old == new

    stamped = []
    for key in jwks.get("keys", []):
        plain = {m: v for m, v in key.items() if m not in JWK_MANAGEMENT_MEMBERS}
        match = next((old for old in known if same(old, plain)), None)
        if match is not None:
            meta = {m: match[m] for m in ("id", "status", "created") if m in match}
        else:
            meta = {"id": ids.new_id(JWK_ID_PREFIX), "status": ACTIVE, "created": okta_time(now)}
        stamped.append({**plain, **meta, "lastUpdated": match.get("lastUpdated", okta_time(now))
                        if match else okta_time(now)})
    return {"keys": stamped}
