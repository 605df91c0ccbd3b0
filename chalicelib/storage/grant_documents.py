"""The protocol core's objects <-> the JSON documents of the grants table (authorization codes, refresh-token
families). The only place that knows their stored shape; both backends use it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..oauth.codes import CodeGrant, StoredCode
from ..oauth.refresh_tokens import Family, IssuedToken


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), timezone.utc)


# -- authorization codes (oauth/codes.py) -----------------------------------------------------------------------------

def revocation_key(jti: str) -> tuple[str, str]:
    """An access token revoked before it expired (RFC 7009), by its ``jti``."""
    return f"REVOKED#{jti}", "AT"


def revocation_doc(client_id: str, expires_at: int) -> dict[str, Any]:
    return {"clientId": client_id, "expiresAt": int(expires_at)}


def code_doc(code: StoredCode) -> dict[str, Any]:
    g = code.grant
    return {"serverId": g.server_id, "clientId": g.client_id, "redirectUri": g.redirect_uri, "userId": g.user_id,
            "scopes": list(g.scopes), "authTime": g.auth_time, "amr": list(g.amr), "nonce": g.nonce,
            "codeChallenge": g.code_challenge, "codeChallengeMethod": g.code_challenge_method,
            "policyId": g.policy_id, "ruleId": g.rule_id,
            "accessTokenLifetimeMinutes": g.access_token_lifetime_minutes,
            "refreshTokenLifetimeMinutes": g.refresh_token_lifetime_minutes,
            "refreshTokenWindowMinutes": g.refresh_token_window_minutes, "dpopJkt": g.dpop_jkt,
            "state": code.state, "issuedAt": _ts(code.issued_at), "codeExpiresAt": _ts(code.expires_at),
            "accessJti": code.access_jti, "accessExpires": code.access_expires, "refreshFamily": code.refresh_family,
            "replayed": code.replayed}


def code_from(code_hash: str, doc: dict[str, Any], version: int) -> StoredCode | None:
    """The stored code, or None when its document cannot be read (never issued by this code)."""
    try:
        grant = CodeGrant(server_id=doc["serverId"], client_id=doc["clientId"], redirect_uri=doc["redirectUri"],
                          user_id=doc["userId"], scopes=tuple(doc.get("scopes") or ()),
                          auth_time=int(doc["authTime"]), amr=tuple(doc.get("amr") or ("pwd",)),
                          nonce=doc.get("nonce"), code_challenge=doc.get("codeChallenge"),
                          code_challenge_method=doc.get("codeChallengeMethod"), policy_id=doc.get("policyId"),
                          rule_id=doc.get("ruleId"),
                          access_token_lifetime_minutes=int(doc.get("accessTokenLifetimeMinutes", 60)),
                          refresh_token_lifetime_minutes=int(doc.get("refreshTokenLifetimeMinutes", 0)),
                          refresh_token_window_minutes=int(doc.get("refreshTokenWindowMinutes", 10080)),
                          dpop_jkt=doc.get("dpopJkt"))
        return StoredCode(code_hash=code_hash, grant=grant, state=doc["state"], issued_at=_time(doc["issuedAt"]),
                          expires_at=_time(doc["codeExpiresAt"]), version=version, access_jti=doc.get("accessJti"),
                          access_expires=doc.get("accessExpires"), refresh_family=doc.get("refreshFamily"),
                          replayed=bool(doc.get("replayed")))
    except (KeyError, TypeError, ValueError):
        return None


# -- refresh-token families (oauth/refresh_tokens.py) -----------------------------------------------------------------

def family_doc(f: Family) -> dict[str, Any]:
    return {
        "id": f.id, "serverId": f.server_id, "clientId": f.client_id, "userId": f.user_id,
        "scopes": list(f.scopes), "authTime": f.auth_time, "amr": list(f.amr), "grantType": f.grant_type,
        "lifetimeMinutes": f.lifetime_minutes, "windowMinutes": f.window_minutes, "created": _ts(f.created),
        "lastUpdated": _ts(f.last_updated), "endsAt": _ts(f.ends_at) if f.ends_at else None,
        "expiresAt": _ts(f.expires_at), "currentHash": f.current_hash,
        "accessTokens": [list(a) for a in f.access_tokens],
        **({"rotated": [list(r) for r in f.rotated]} if f.rotated else {}),
        **({"jkt": f.jkt} if f.jkt else {}),
        **({"pointersUntil": _ts(f.pointers_until)} if f.pointers_until else {}),
    }


def family_from(doc: dict[str, Any], version: int) -> Family:
    return Family(
        id=doc["id"], server_id=doc["serverId"], client_id=doc["clientId"], user_id=doc["userId"],
        scopes=tuple(doc.get("scopes", ())), auth_time=int(doc["authTime"]), amr=tuple(doc.get("amr", ())),
        grant_type=doc["grantType"], lifetime_minutes=int(doc["lifetimeMinutes"]),
        window_minutes=int(doc["windowMinutes"]), created=_time(doc["created"]),
        last_updated=_time(doc["lastUpdated"]), ends_at=_time(doc["endsAt"]) if doc.get("endsAt") is not None else None,
        expires_at=_time(doc["expiresAt"]), current_hash=doc["currentHash"],
        access_tokens=tuple((str(j), int(e)) for j, e in doc.get("accessTokens", ())), version=version,
        rotated=tuple((str(h), int(e)) for h, e in doc.get("rotated", ())),
        jkt=doc.get("jkt"),
        pointers_until=_time(doc["pointersUntil"]) if doc.get("pointersUntil") is not None else None)


def pointer_doc(f: Family) -> dict[str, Any]:
    """Where a family lives, for revoking it by id; it expires with ``pointers_until`` (at or after the family)."""
    return {"serverId": f.server_id, "clientId": f.client_id, "expiresAt": _ts(f.pointers_until or f.expires_at)}


def family_partition(pk: str) -> tuple[str, str] | None:
    """(server id, client id) of a family partition's key ``RTC#{serverId}#{clientId}``; None for any other key."""
    parts = pk.split("#")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "RTC" and parts[1] and parts[2] else None


def client_server_doc(server_id: str, client_id: str) -> dict[str, Any]:
    """That a client has (or had) refresh-token families at a server: storage/refresh_token_repository.py."""
    return {"serverId": server_id, "clientId": client_id}


def token_doc(t: IssuedToken) -> dict[str, Any]:
    """A token's own record as releases before 2026-12-05 wrote it (``RT#{hash}``; no longer written: tests write
    such records to prove they are still read, ``token_from``)."""
    return {"serverId": t.server_id, "clientId": t.client_id, "familyId": t.family_id, "issued": t.issued,
            "expiresAt": t.expires_at}


def token_from(doc: dict[str, Any]) -> IssuedToken:
    return IssuedToken(server_id=str(doc.get("serverId")), client_id=str(doc.get("clientId")),
                       family_id=str(doc.get("familyId")), issued=int(doc.get("issued", 0)),
                       expires_at=int(doc.get("expiresAt", 0)))
