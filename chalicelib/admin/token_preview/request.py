"""Reading a token preview request: ``clientId``, ``grantType``, ``userId`` (an id or a login), ``scopes`` and,
for the implicit grant, ``responseType``, each checked against the server, the client's registration and the
user's assignment; one cause per bad field (admin/validation.py), as Okta's management API reports them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...domain import OAuthClient, ServerConfig, UserAccess
from ..clients import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, IMPLICIT, PASSWORD, REFRESH_TOKEN
from ..validation import Fields
from .ports import AccessSource, ClientSource, UserSource
from .results import PreviewRequest

# The grant types a preview can run: the rule grant types tokenmint implements a flow for.
GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT, PASSWORD, CLIENT_CREDENTIALS)
USER_GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT, PASSWORD)
RESPONSE_TYPES = ("token", "id_token", "id_token token")
OPENID = "openid"
MAX_SCOPES = 100
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 3.3 scope-token


@dataclass(frozen=True)
class ResolvedRequest:
    request: PreviewRequest
    client: OAuthClient
    access: UserAccess | None


def read_request(f: Fields, config: ServerConfig, clients: ClientSource, users: UserSource,
                 assignments: AccessSource) -> ResolvedRequest:
    """The request in ``f``, its client and the user's access; raises ``ValidationError`` with one cause per bad
    field."""
    client_id = f.string("clientId", required=True, max_len=100)
    grant_type = f.string("grantType", required=True, max_len=100)
    user_ref = f.string("userId", max_len=100)
    response_type = f.string("responseType", max_len=100)

    client: OAuthClient | None = None
    if client_id is not None:
        client = clients.get_for_token(client_id)
        if client is None:
            f.error("clientId", f"'{client_id}' is not an OAuth client.")
    if grant_type == REFRESH_TOKEN:
        f.error("grantType", "refresh_token cannot be previewed: a refresh is decided by the rule of the original "
                             "grant. Preview authorization_code or password: the response says whether a refresh "
                             "token is issued.")
        grant_type = None
    elif grant_type is not None and grant_type not in GRANT_TYPES:
        f.error("grantType", f"Must be one of: {', '.join(GRANT_TYPES)}.")
        grant_type = None
    elif grant_type is not None and client is not None and grant_type not in client.grant_types:
        f.error("grantType", f"The client is not registered for {grant_type} (its grant types: "
                             f"{', '.join(client.grant_types)}).")

    access: UserAccess | None = None
    user_field_bad = any(c.startswith("userId:") for c in f.causes)
    if grant_type == CLIENT_CREDENTIALS and f.given("userId"):
        f.error("userId", "Must not be given for client_credentials: the client acts on its own behalf.")
    elif grant_type in USER_GRANT_TYPES and user_ref is None and not user_field_bad:
        f.error("userId", f"Required for the {grant_type} grant type: the token is issued for a user.")
    elif grant_type in USER_GRANT_TYPES and user_ref is not None:
        user = users.find(user_ref)  # an id or a login
        if user is not None and client is not None:
            access = assignments.access(client.client_id, user.id)
        if user is None or (client is not None and access is None):
            f.error("userId", f"'{user_ref}' is not a user.")

    scopes = _scopes(f, config)
    response_types = _response_types(f, grant_type, response_type, scopes, client)
    f.check()
    assert grant_type is not None and client is not None
    request = PreviewRequest(client_id=client.client_id, grant_type=grant_type,
                             user_id=access.user.id if access else None, scopes=scopes,
                             response_types=response_types)
    return ResolvedRequest(request, client, access)


def _scopes(f: Fields, config: ServerConfig) -> tuple[str, ...] | None:
    raw = f.body.get("scopes")
    if raw is None or raw == []:
        return None  # absent, null or []: the server's default scopes (as an absent or empty scope parameter)
    scopes = f.string_list("scopes", max_items=MAX_SCOPES)
    if not scopes:
        return None  # not a list of strings: a cause was added
    malformed = [s for s in scopes if not _SCOPE_TOKEN.fullmatch(s)]
    known = {s.name for s in config.scopes}
    unknown = [s for s in scopes if s not in known]
    if malformed:
        f.error("scopes", f"'{malformed[0]}' is not a valid scope name.")
    elif unknown:
        f.error("scopes", f"'{unknown[0]}' is not a scope of this authorization server.")
    return tuple(scopes)


def _response_types(f: Fields, grant_type: str | None, raw: str | None, scopes: tuple[str, ...] | None,
                    client: OAuthClient | None) -> tuple[str, ...]:
    """What the flow returns: ``token`` (an access token) and/or ``id_token``."""
    if grant_type != IMPLICIT:
        if raw is not None:
            f.error("responseType", "Only for the implicit grant type.")
        return ("token",) if grant_type == CLIENT_CREDENTIALS else ("token", "id_token")
    registered = set(client.response_types) if client is not None else {"token", "id_token"}
    if raw is None:
        # As an SPA asks: an access token, and an ID token when openid is requested; what the client may get.
        wanted = {"token"} | ({"id_token"} if scopes and OPENID in scopes else set())
        kinds = (wanted & registered) or ({"token", "id_token"} & registered) or wanted
        return tuple(k for k in ("token", "id_token") if k in kinds)
    parts = raw.split(" ")
    if len(parts) != len(set(parts)) or set(parts) not in ({"token"}, {"id_token"}, {"id_token", "token"}):
        f.error("responseType", f"Must be one of: {', '.join(RESPONSE_TYPES)}.")
        return ("token",)
    missing = [p for p in ("id_token", "token") if p in parts and p not in registered]
    if missing and client is not None:
        f.error("responseType", f"The client is not registered for the response type {missing[0]} (its "
                                f"response types: {', '.join(client.response_types) or 'none'}).")
    return tuple(p for p in ("token", "id_token") if p in parts)
