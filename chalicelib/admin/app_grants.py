"""Okta's app grants (``/api/v1/apps/{appId}/grants[/{grantId}]``; okta-next.md 1.1): an admin grants an app one
Okta scope (``okta.*``, ``okta_scopes.OKTA_SCOPES``) for the org authorization server, whose issuer is the
deployment's base URL. The grants live on the client record; revoking one deletes it. A scope is granted at most
once per app (400 on a second grant)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..clock import Clock
from ..domain import ScopeGrant
from ..errors import NotFoundError, ValidationError
from ..okta_scopes import OKTA_SCOPES
from .applications import ApplicationService
from .clients import ClientService
from .validation import Fields, require_object

GRANT_TYPE = "OAuth2ScopeConsentGrant"
TARGET = "oAuth2ScopeConsentGrant"
GRANT_ID_PREFIX = "oag"


class AppGrantService:
    def __init__(self, apps: ApplicationService, clients: ClientService, clock: Clock) -> None:
        self._apps = apps
        self._clients = clients
        self._clock = clock

    def list(self, app_id: str) -> list[ScopeGrant]:
        return list(self._apps.get(app_id).scope_grants)

    def get(self, app_id: str, grant_id: str) -> ScopeGrant:
        found = next((g for g in self._apps.get(app_id).scope_grants if g.id == grant_id), None)
        if found is None:
            raise NotFoundError(grant_id, GRANT_TYPE)
        return found

    def grant(self, app_id: str, body: Any, org_issuer: str, actor: tuple[str | None, str]) -> ScopeGrant:
        """``actor``: who grants (an id and its type, Okta's OAuth2Actor)."""
        f = Fields(require_object(body), TARGET)
        issuer = f.string("issuer", required=True, max_len=1024)
        scope_id = f.string("scopeId", required=True, max_len=100)
        if issuer and issuer.rstrip("/") != org_issuer:
            f.error("issuer", f"Must be the issuer of the org authorization server: {org_issuer}.")
        if scope_id and scope_id not in OKTA_SCOPES:
            f.error("scopeId", f"Must be an Okta scope tokenmint serves: {', '.join(OKTA_SCOPES)}.")
        f.check()
        current = self._apps.get(app_id)
        if any(g.scope_id == scope_id for g in current.scope_grants):
            raise ValidationError(TARGET, [f"scopeId: The scope {scope_id} is already granted to this app."])
        now = self._clock.now()
        made = ScopeGrant(ids.new_id(GRANT_ID_PREFIX), org_issuer, scope_id or "", now, actor[0], actor[1])
        self._clients.save(current, replace(current, scope_grants=current.scope_grants + (made,), last_updated=now))
        return made

    def revoke(self, app_id: str, grant_id: str) -> None:
        current = self._apps.get(app_id)
        if not any(g.id == grant_id for g in current.scope_grants):
            raise NotFoundError(grant_id, GRANT_TYPE)
        self._clients.save(current, replace(current, scope_grants=tuple(g for g in current.scope_grants
                                                                        if g.id != grant_id),
                                            last_updated=self._clock.now()))
