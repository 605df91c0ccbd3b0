"""The client credentials grant (RFC 6749 4.4): a confidential client acting on its own behalf, shaped by the
server's access policies (okta-api.md 6.4) and claims (5); security-checklist TOK-06.

With no user in the request, the policy decision and the custom claims depend only on the configuration, the client
and the requested scopes, so they are memoised per container (``oauth/plans.py``); a warm token costs its ``jti``,
its times and its signature. The note that the client holds tokens of the server (``oauth/holders.py``) is taken
when a plan is built.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Mapping

from ...policy import AccessRequest, Decision, evaluate
from .. import minting
from ..access_token import access_token_claims
from ..context import OAuthServices
from ..errors import UnauthorizedClientError, from_decision
from ..form import parse_scope
from ..issuer import access_token_audience
from ..plans import PlanMemo
from . import GrantRequest


@dataclass(frozen=True, slots=True)
class _Plan:
    decision: Decision
    lifetime: timedelta = timedelta(0)
    custom: Mapping[str, Any] | None = None
    subject: str = ""
    scope: str = ""

    @property
    def expires_in(self) -> int:
        return int(self.lifetime.total_seconds())


class ClientCredentialsGrant:
    grant_type = "client_credentials"
    allows_public_clients = False

    def __init__(self, plans: PlanMemo[Any] | None = None) -> None:
        # The container passes the memo its token-path caches own (oauth/token_path_caches.py).
        self._plans: PlanMemo[_Plan] = plans if plans is not None else PlanMemo()

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        client = request.client
        if client.token_endpoint_auth_method == "none":
            raise UnauthorizedClientError("The client_credentials grant is only for confidential clients.")
        scopes = parse_scope(request.params.get("scope"))
        config = request.config
        plan = self._plans.get((config.server.id, client.client_id, scopes), config, client,
                               lambda: self._plan(services, request, scopes))
        decision = plan.decision
        request.trace.decided(decision)
        if not decision.allowed:
            raise from_decision(decision.error or "access_denied", decision.error_description or "",
                                decision.http_status)
        server = config.server
        audience = access_token_audience(server, request.issuer)
        claims = access_token_claims(issuer=request.issuer, audience=audience, client_id=client.client_id,
                                     scopes=decision.granted_scopes, now=services.now(),
                                     lifetime=plan.lifetime, subject=plan.subject,
                                     custom=plan.custom or {}, jkt=request.dpop_jkt)
        token = minting.sign(services, config, request.config_read_at, claims)
        request.trace.access_token = (claims["jti"], claims["exp"])
        return {
            "token_type": "Bearer",
            "expires_in": plan.expires_in,
            "access_token": token,
            "scope": plan.scope,
        }

    def _plan(self, services: OAuthServices, request: GrantRequest, scopes: tuple[str, ...] | None) -> _Plan:
        client = request.client
        decision = evaluate(request.config, AccessRequest(client_id=client.client_id, grant_type=self.grant_type,
                                                          requested_scopes=scopes, user_id=None))
        # A plan lives as long as its records (thousands at scale): it keeps what a token needs, not the
        # human-readable trace (token preview shows that, evaluating afresh).
        decision = replace(decision, trace=(), steps=())
        if not decision.allowed:
            return _Plan(decision)
        granted = decision.granted_scopes
        custom, subject = minting.resource_claims(services, request.config, client, granted, subject=None)
        # Noted when a plan is built, i.e. at least once per cache period while the client gets tokens: far more
        # often than the hourly refresh the note needs, and never on the per-token path.
        services.holders.note(request.config.server.id, client.client_id)
        lifetime = timedelta(minutes=decision.granted_actions.access_token_lifetime_minutes)
        return _Plan(decision, lifetime=lifetime, custom=custom, subject=subject, scope=" ".join(granted))
