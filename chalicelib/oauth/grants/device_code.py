"""The device code grant at ``/v1/token`` (RFC 8628 3.4, 3.5; okta-next.md 3; docs/security-cases/device.md).

``grant_type=urn:ietf:params:oauth:grant-type:device_code``, ``device_code``, ``client_id`` (public native apps; a
confidential client authenticates as usual). In this order:

1. ``device_code`` missing -> ``invalid_request``; never issued, of another server or another client, or already
   redeemed / burned -> ``invalid_grant`` "The device code is invalid or has expired." (no state changes: the
   wrong client learns nothing and spoils nothing).
2. Expired (600 s) -> ``expired_token`` "The device code has expired."
3. The person denied (or the policy refused on the page) -> ``access_denied`` (or the policy's own error).
4. Still pending: polled less than ``interval`` seconds after the previous poll -> ``slow_down``, and the interval
   grows by 5 s for this and every later poll (RFC 8628 3.5); otherwise ``authorization_pending``. Each poll is
   recorded with a write conditional on the version read; a poll that loses that race was too fast as well.
5. Approved: the user must still be ACTIVE and assigned to the app, and the access policy is evaluated with the user
   and the grant type (a rule must include the device grant's URN in ``conditions.grantTypes.include``), the
   consent given on the page counted as remembered. A refusal burns the authorization. Otherwise the tokens are
   minted (access token; ID token when ``openid`` is granted), then the authorization is redeemed with a write
   conditional on the version read: of two racing polls only one gets tokens (DEV-07); the loser gets
   ``invalid_grant`` and its minted tokens are never sent. The refresh token (``offline_access`` granted and the
   client registered for ``refresh_token``) is issued only after that write.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ...domain import ACTIVE, TRUSTED
from ...policy import AccessRequest, evaluate
from ..consent import Consents
from ..context import OAuthServices
from ..device.authorizations import APPROVED, BURNED, DENIED, DEVICE_GRANT, PENDING, REDEEMED, SLOW_DOWN_STEP, \
    DeviceAuthorization, DeviceAuthorizations
from ..directory import Assignments
from ..errors import AccessDeniedError, AuthorizationPendingError, ExpiredTokenError, InvalidGrantError, \
    InvalidRequestError, SlowDownError, from_decision
from ..minting import subject_of
from ..refresh_tokens import RefreshTokens, refresh_token_due
from . import GrantRequest
from .refresh_token import access_token_of, mint_for_user

log = logging.getLogger("tokenmint.oauth")

INVALID = "The device code is invalid or has expired."
EXPIRED = "The device code has expired."
PENDING_TEXT = "The device authorization is pending. Please try again later."
SLOW_DOWN = "The client is polling too frequently. Wait for the interval before polling again."
DENIED_TEXT = "The resource owner or authorization server denied the request."
USER_GONE = "The user is no longer active or no longer assigned to the client application."


class DeviceCodeGrant:
    grant_type = DEVICE_GRANT
    allows_public_clients = True  # native apps (RFC 8628 5.6: the user code, not the client, is the proof)

    def __init__(self, devices: DeviceAuthorizations, assignments: Assignments, consents: Consents,
                 refresh_tokens: RefreshTokens | None = None) -> None:
        self.devices = devices
        self.assignments = assignments
        self.consents = consents
        self.refresh_tokens = refresh_tokens

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        params = request.params
        if not params.get("device_code"):
            raise InvalidRequestError("The 'device_code' parameter is required.")
        found = self.devices.by_device_code(params.get("device_code"))
        client = request.client
        config = request.config
        if found is None or found.server_id != config.server.id or found.client_id != client.client_id:
            raise InvalidGrantError(INVALID)
        if found.status not in (PENDING, APPROVED, DENIED):
            raise InvalidGrantError(INVALID)  # redeemed or burned: single use
        now = services.now()
        request.trace.extra["deviceId"] = found.device_hash[:16]
        if found.expired(now):
            raise ExpiredTokenError(EXPIRED)
        if found.status == DENIED:
            request.trace.user_id = found.user_id
            if found.error:
                raise from_decision(found.error, found.error_description or DENIED_TEXT, 400)
            raise AccessDeniedError(DENIED_TEXT)
        if found.status == PENDING:
            self._poll(found, int(now.timestamp()))
        return self._redeem(services, request, found)

    def _poll(self, found: DeviceAuthorization, now: int) -> None:
        too_soon = found.last_poll is not None and now - found.last_poll < found.interval
        interval = found.interval + SLOW_DOWN_STEP if too_soon else found.interval
        if self.devices.save(found, replace(found, last_poll=now, interval=interval)) is None or too_soon:
            raise SlowDownError(SLOW_DOWN)
        raise AuthorizationPendingError(PENDING_TEXT)

    def _redeem(self, services: OAuthServices, request: GrantRequest, found: DeviceAuthorization) -> dict[str, Any]:
        client = request.client
        config = request.config
        user_id = found.user_id or ""
        trace = request.trace
        trace.user_id = user_id
        access = self.assignments.access(client.client_id, user_id)
        if access is None or access.user.status != ACTIVE or not access.assigned:
            self.devices.save(found, replace(found, status=BURNED))
            raise InvalidGrantError(USER_GONE)
        consented = self.consents.granted(user_id, config.server.id, client.client_id) | frozenset(found.consented)
        decision = evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=DEVICE_GRANT, requested_scopes=found.scopes, user_id=user_id,
            user_group_ids=frozenset(access.group_ids), consent_granted=consented, user_assigned=access.assigned,
            client_trusted=client.consent_method == TRUSTED))
        trace.decided(decision, user_id)
        if not decision.allowed:
            self.devices.save(found, replace(found, status=BURNED))
            raise from_decision(decision.error or "access_denied", decision.error_description or "",
                                decision.http_status)
        granted = decision.granted_scopes
        actions = decision.granted_actions
        lifetime = timedelta(minutes=actions.access_token_lifetime_minutes)
        subject = subject_of(access, found.auth_time, found.amr or ("pwd",))
        body, claims, id_token = mint_for_user(services, request, subject, granted, lifetime)
        if self.devices.save(found, replace(found, status=REDEEMED)) is None:
            log.warning("device code of client %s redeemed twice at once: the later poll gets nothing",
                        client.client_id)
            raise InvalidGrantError(INVALID)
        if id_token is not None:
            body["id_token"] = id_token
        refresh = self.refresh_tokens
        if refresh is not None and refresh_token_due(client, granted):
            token, _family = refresh.issue(
                server_id=config.server.id, client_id=client.client_id, user_id=user_id, scopes=granted,
                auth_time=found.auth_time, amr=found.amr or ("pwd",),
                lifetime_minutes=actions.refresh_token_lifetime_minutes,
                window_minutes=actions.refresh_token_window_minutes, now=services.now(), grant_type=self.grant_type,
                access_token=access_token_of(claims))
            body["refresh_token"] = token
        services.holders.note(config.server.id, client.client_id)
        return body
