"""The resource owner password credentials grant (RFC 6749 4.3; okta-api.md 7.4; security-checklist TOK-07).

Only for clients registered with the ``password`` grant (the token endpoint refuses the others with
``unauthorized_client``; the client registration API allows it to native apps only), so it is off by default.

1. ``username`` and ``password`` are required (``invalid_request``).
2. ``UserService.sign_in`` checks them: constant work whether or not the login exists, failures counted per user,
   LOCKED_OUT after too many. Every failure - unknown login, wrong password, locked out, not ACTIVE - is the same
   ``invalid_grant`` "The credentials provided were invalid." (okta-api.md 7.9), so the answer tells nothing about
   the account.
3. The access policy decides with the user's groups and app assignment (``user_not_assigned`` when the user is not
   assigned to the client); no ``scope`` means the server's default scopes, as for the other grants.
4. Access token; ID token when ``openid`` is granted (``amr: ["pwd"]``, ``auth_time`` now; only the
   ``alwaysIncludeInToken`` profile claims, since an access token comes with it: okta-api.md 8.3); a refresh token
   when ``offline_access`` is granted and the client is registered for ``refresh_token``, with the rule's
   lifetimes.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...domain import TRUSTED
from ...policy import AccessRequest, evaluate
from ..context import OAuthServices
from ..directory import Directory
from ..authorize.events import account_locked
from ..errors import InvalidGrantError, InvalidRequestError, from_decision
from ..form import parse_scope
from ..minting import subject_of
from ..refresh_tokens import RefreshTokens, dpop_binding, refresh_token_due
from . import GrantRequest
from .refresh_token import access_token_of, mint_for_user

INVALID_CREDENTIALS = "The credentials provided were invalid."
MAX_PARAMETER = 1024


class PasswordGrant:
    grant_type = "password"
    allows_public_clients = True  # native apps registered for it (Okta allows them without a secret)

    def __init__(self, directory: Directory, tokens: RefreshTokens) -> None:
        self.directory = directory
        self.tokens = tokens

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        params = request.params
        username, password = params.get("username"), params.get("password")
        if not username:
            raise InvalidRequestError("The 'username' parameter is required.")
        if not password:
            raise InvalidRequestError("The 'password' parameter is required.")
        if len(username) > MAX_PARAMETER or len(password) > MAX_PARAMETER:
            raise InvalidGrantError(INVALID_CREDENTIALS)
        scopes = parse_scope(params.get("scope"))
        client = request.client
        config = request.config

        signed = self.directory.users.sign_in(username, password)
        user = signed.user
        if signed.locked_user is not None:
            services.audit.record(account_locked(user=signed.locked_user, origin=None, now=services.now()))
        if not signed.ok or user is None:
            request.trace.extra["signIn"] = signed.reason  # the refusal's event says why; the response never does
            raise InvalidGrantError(INVALID_CREDENTIALS)
        access = self.directory.assignments.access(client.client_id, user.id)
        if access is None:  # deleted between the sign-in and now
            raise InvalidGrantError(INVALID_CREDENTIALS)
        decision = evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=self.grant_type, requested_scopes=scopes, user_id=user.id,
            user_group_ids=frozenset(access.group_ids), user_assigned=access.assigned,
            client_trusted=client.consent_method == TRUSTED))
        request.trace.decided(decision, user.id)
        if not decision.allowed:
            raise from_decision(decision.error or "access_denied", decision.error_description or "",
                                decision.http_status)
        granted = decision.granted_scopes
        actions = decision.granted_actions
        lifetime = timedelta(minutes=actions.access_token_lifetime_minutes)
        now = services.now()
        auth_time = int(now.timestamp())
        subject = subject_of(access, auth_time, ("pwd",))
        body, claims, id_token = mint_for_user(services, request, subject, granted, lifetime)
        if refresh_token_due(client, granted):
            refresh_token, _family = self.tokens.issue(
                server_id=config.server.id, client_id=client.client_id, user_id=user.id, scopes=granted,
                auth_time=auth_time, amr=("pwd",), lifetime_minutes=actions.refresh_token_lifetime_minutes,
                window_minutes=actions.refresh_token_window_minutes, now=now, grant_type=self.grant_type,
                access_token=access_token_of(claims), jkt=dpop_binding(client, request.dpop_jkt))
            body["refresh_token"] = refresh_token
        if id_token is not None:
            body["id_token"] = id_token
        services.holders.note(config.server.id, client.client_id)
        return body
