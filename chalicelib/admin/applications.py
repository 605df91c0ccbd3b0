"""Okta's Applications API for OIDC apps (``/api/v1/apps``; okta-next.md 1.1): the use cases over the client records
that ``/oauth2/v1/clients`` also manages (one client, two views; docs/ARCHITECTURE.md "OAuth clients").

The app id is the client id. Create answers ACTIVE unless ``activate=false``; delete needs an INACTIVE app (Okta's
E0000056); deactivating one ends every token issued to it (``oauth/vouching.py``). Client secrets (at most two,
for rotation without downtime) and client JWKs (each with an id and a status) are ``admin/app_credentials.py``.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, cast

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, ClientSecret, OAuthClient
from ..errors import DeleteActiveAppError, NotFoundError
from ..ports import ClientStore, client_list_key, name_key
from . import directory_search as search
from .app_fields import APP_NAME, AppFields, read_app
from .client_metadata import SECRET_METHODS
from .clients import (
    CLIENT_ID,
    CLIENT_ID_PREFIX,
    SECRET_ID_PREFIX,
    ClientService,
    fresh_secret,
    hash_secret,
    list_boundary,
    secrets_for,
)
from .common import check_if_match, encode_cursor
from .jwk_ids import identify_keys
from .validation import Fields, require_object

APP_TYPE = "AppInstance"  # "Not found: Resource not found: {id} (AppInstance)"
MAX_LIMIT = 200
SCAN_PAGE = 200
FILTER_ATTRIBUTES = {"id": search.TEXT, "status": search.ENUM, "name": search.TEXT}


def _attribute(client: OAuthClient, name: str) -> Any:
    return {"id": client.client_id, "status": client.status, "name": APP_NAME}.get(name)


class ApplicationService:
    def __init__(self, clients: ClientService, repo: ClientStore, clock: Clock) -> None:
        self._clients = clients
        self._repo = repo
        self._clock = clock

    def get(self, app_id: str) -> OAuthClient:
        found = self._repo.get(app_id) if CLIENT_ID.fullmatch(app_id or "") else None
        if found is None:
            raise NotFoundError(app_id, APP_TYPE)
        return found

    def list(self, *, q: str | None, filter_expr: str | None, limit: int, after: str | None
             ) -> tuple[list[OAuthClient], str | None]:
        """Apps in case-insensitive label order. ``q``: a prefix of the label or of the app name (``oidc_client``:
        every app); ``filter``: ``id``, ``status`` and ``name`` (Okta's subset)."""
        tree = search.parse(filter_expr, search.FILTER, FILTER_ATTRIBUTES) if filter_expr else None
        prefix = "" if not q or APP_NAME.startswith(q.casefold()) else name_key(q)
        boundary = list_boundary(after, prefix)
        found: list[OAuthClient] = []
        while len(found) <= limit:
            chunk, next_key = self._repo.page(prefix, SCAN_PAGE, boundary)
            # mypy cannot infer a lambda with a default argument (c=c) from its context: the cast states its type.
            found += [c for c in chunk if tree is None
                      or search.matches(tree, cast("Callable[[str], Any]", lambda n, c=c: _attribute(c, n)))]
            if next_key is None:
                break
            boundary = next_key
        shown = found[:limit]
        more = len(found) > limit
        return shown, (encode_cursor(client_list_key(shown[-1])) if more and shown else None)

    # -- writes ---------------------------------------------------------------------------------------------------

    def _first_secret(self, fields: AppFields, now: datetime) -> tuple[tuple[ClientSecret, ...], str | None]:
        if fields.client["token_endpoint_auth_method"] not in SECRET_METHODS:
            return (), None
        if fields.custom_secret:
            secret = fields.custom_secret
            return (ClientSecret(ids.new_id(SECRET_ID_PREFIX), hash_secret(secret), ACTIVE, now, now),), secret
        stored, secret = fresh_secret(now)
        return (stored,), secret

    def create(self, body: Any, activate: bool = True) -> tuple[OAuthClient, str | None]:
        fields = read_app(body)
        now = self._clock.now()
        secrets, secret = self._first_secret(fields, now)
        client_fields = {**fields.client, "jwks": identify_keys(fields.client["jwks"], None, now)}
        client = OAuthClient(client_id=ids.new_id(CLIENT_ID_PREFIX), status=ACTIVE if activate else INACTIVE,
                             created=now, last_updated=now, secrets=secrets, deactivated=None if activate else now,
                             consent_method=fields.consent_method, pkce_required=fields.pkce_required,
                             initiate_login_uri=fields.initiate_login_uri,
                             app={**fields.app, "autoKeyRotation": fields.auto_key_rotation}, **client_fields)
        return self._clients.save_new(client), secret

    def replace(self, app_id: str, body: Any, expected_version: int | None = None
                ) -> tuple[OAuthClient, str | None]:
        """Replace every setting (Okta's PUT). A secret is returned only when one had to be made (the app moved to
        a secret-based method): the others are kept only as hashes."""
        current = self.get(app_id)
        check_if_match(current.version, expected_version)
        fields = read_app(body, current)
        now = self._clock.now()
        secrets, secret = secrets_for(current, fields.client["token_endpoint_auth_method"], now)
        updated = replace(current, **{**fields.client, "jwks": identify_keys(fields.client["jwks"], current.jwks,
                                                                            now)},
                          secrets=secrets, consent_method=fields.consent_method, pkce_required=fields.pkce_required,
                          initiate_login_uri=fields.initiate_login_uri,
                          app={**fields.app, "autoKeyRotation": fields.auto_key_rotation}, last_updated=now)
        return self._clients.save(current, updated), secret

    def activate(self, app_id: str) -> OAuthClient:
        self.get(app_id)
        return self._clients.set_status(app_id, ACTIVE)

    def deactivate(self, app_id: str) -> OAuthClient:
        self.get(app_id)
        return self._clients.set_status(app_id, INACTIVE)

    def delete(self, app_id: str) -> None:
        current = self.get(app_id)
        if current.status == ACTIVE:
            raise DeleteActiveAppError("Delete application forbidden.")
        self._clients.delete(app_id)

    # -- Terraform's groups claim settings (okta-next.md 1.3, step 2) ------------------------------------------------

    def id_token_settings(self, app_id: str) -> dict[str, Any]:
        settings = (self.get(app_id).app or {}).get("idToken")
        if settings is None:
            raise NotFoundError(app_id, "AppInstanceIdTokenSettings")
        return dict(settings)

    def save_id_token_settings(self, app_id: str, body: Any) -> dict[str, Any]:
        """Stored and echoed (tokenmint's groups claims are claims of the authorization servers)."""
        f = Fields(require_object(body), "idToken")
        settings = {m: f.string(m, max_len=1024) for m in ("valueType", "issuerMode", "name", "value")}
        f.check()
        current = self.get(app_id)
        updated = replace(current, app={**(current.app or {}), "idToken": settings},
                          last_updated=self._clock.now())
        self._clients.save(current, updated)
        return settings
