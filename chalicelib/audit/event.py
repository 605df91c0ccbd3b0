"""Okta's LogEvent (okta-next.md 2.3; ``LogEvent`` in okta-apps-logs.openapi.yaml), built from plain values.

Members with no value are left out rather than sent as ``null``: Okta's schema types them as plain strings and
objects, and its SDK models read absent members as ``None`` anyway. Nothing here knows where an event goes
(``audit/recorder.py``) or how it is stored.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
ALLOW = "ALLOW"
DENY = "DENY"

WEB = "WEB"
JOB = "JOB"

REASON_MAX = 255  # LogOutcome.reason maxLength

# What Okta's admin console shows for each event type (its catalogue's descriptions, shortened).
DISPLAY_MESSAGES: Mapping[str, str] = {
    "oauth2.as.created": "Create authorization server",
    "oauth2.as.updated": "Update authorization server",
    "oauth2.as.activated": "Activate authorization server",
    "oauth2.as.deactivated": "Deactivate authorization server",
    "oauth2.as.deleted": "Delete authorization server",
    "oauth2.scope.created": "Create OAuth 2.0 scope",
    "oauth2.scope.updated": "Update OAuth 2.0 scope",
    "oauth2.scope.deleted": "Delete OAuth 2.0 scope",
    "oauth2.claim.created": "Create OAuth 2.0 claim",
    "oauth2.claim.updated": "Update OAuth 2.0 claim",
    "oauth2.claim.deleted": "Delete OAuth 2.0 claim",
    "policy.lifecycle.create": "Create policy",
    "policy.lifecycle.update": "Update policy",
    "policy.lifecycle.activate": "Activate policy",
    "policy.lifecycle.deactivate": "Deactivate policy",
    "policy.lifecycle.delete": "Delete policy",
    "policy.rule.add": "Add policy rule",
    "policy.rule.update": "Update policy rule",
    "policy.rule.activate": "Activate policy rule",
    "policy.rule.deactivate": "Deactivate policy rule",
    "policy.rule.delete": "Delete policy rule",
    "app.oauth2.as.key.rollover": "Authorization server signing key rollover",
    "app.oauth2.as.token.grant": "OAuth2 token grant request",
    "app.oauth2.as.token.grant.access_token": "OAuth2 access token is granted",
    "app.oauth2.as.token.grant.id_token": "OAuth2 id token is granted",
    "app.oauth2.as.token.grant.refresh_token": "OAuth2 refresh token is granted",
    "app.oauth2.as.token.revoke": "OAuth2 token revocation request",
    "app.oauth2.as.authorize": "OAuth2 authorization request",
    "app.oauth2.as.authorize.code": "OAuth2 authorization code request",
    "app.oauth2.as.consent.grant": "User granted consent to app",
    "app.oauth2.as.device.authorize": "OAuth2 device authorization request",
    "app.oauth2.as.device.user_code.verify": "Verify device user code",
    "app.oauth2.as.device.activate": "OAuth2 device activation",
    "app.oauth2.as.consent.revoke": "Consent revoked",
    "app.oauth2.token.grant": "OAuth2 token grant request",
    "app.oauth2.token.grant.access_token": "OAuth2 access token is granted",
    "app.oauth2.token.grant.id_token": "OAuth2 id token is granted",
    "app.oauth2.token.grant.refresh_token": "OAuth2 refresh token is granted",
    "app.oauth2.token.revoke": "OAuth2 token revocation request",
    "app.oauth2.key.rollover": "Org authorization server signing key rollover",
    "app.oauth2.admin.consent.grant": "Admin consent granted",
    "app.oauth2.admin.consent.revoke": "Admin consent revoked",
    "app.oauth2.credentials.lifecycle.create": "Create client credentials",
    "app.oauth2.credentials.lifecycle.activate": "Activate client credentials",
    "app.oauth2.credentials.lifecycle.deactivate": "Deactivate client credentials",
    "app.oauth2.credentials.lifecycle.delete": "Delete client credentials",
    "app.oauth2.client.lifecycle.create": "Create OAuth client",
    "app.oauth2.client.lifecycle.update": "Update OAuth client",
    "app.oauth2.client.lifecycle.delete": "Delete OAuth client",
    "application.lifecycle.create": "Create application",
    "application.lifecycle.update": "Update application",
    "application.lifecycle.activate": "Activate application",
    "application.lifecycle.deactivate": "Deactivate application",
    "application.lifecycle.delete": "Delete application",
    "application.user_membership.add": "Add user to application membership",
    "application.user_membership.update": "Update user's application membership",
    "application.user_membership.remove": "Remove user from application membership",
    "group.application_assignment.add": "Add assigned application to group",
    "group.application_assignment.update": "Update assigned application in group",
    "group.application_assignment.remove": "Remove assigned application from group",
    "user.lifecycle.create": "Create okta user",
    "user.account.update_profile": "Update user profile for Okta",
    "user.lifecycle.activate": "Activate Okta user",
    "user.lifecycle.deactivate": "Deactivate Okta user",
    "user.lifecycle.suspend": "Suspend Okta user",
    "user.lifecycle.unsuspend": "Unsuspend Okta user",
    "user.lifecycle.delete.completed": "Delete Okta user completed",
    "user.account.unlock_by_admin": "Unlock user account by admin",
    "user.account.lock": "Max sign in attempts exceeded",
    "user.account.privilege.grant": "Grant user privilege",
    "user.account.privilege.revoke": "Revoke user privilege",
    "user.session.start": "User login to Okta",
    "user.session.end": "User logout from Okta",
    "group.lifecycle.create": "Create Okta group",
    "group.profile.update": "Update Okta group profile",
    "group.lifecycle.delete": "Delete Okta group",
    "group.user_membership.add": "Add user to group membership",
    "group.user_membership.remove": "Remove user from group membership",
    "system.api_token.create": "Create API token",
    "system.api_token.revoke": "Revoke API token",
    "system.api_token.update": "Update API token",
    "app.oauth2.trusted_server.add": "Add trusted server to authorization server",
    "app.oauth2.trusted_server.delete": "Remove trusted server from authorization server",
    "trustedorigin.lifecycle.create": "Create trusted origin",
    "trustedorigin.lifecycle.update": "Update trusted origin",
    "trustedorigin.lifecycle.activate": "Activate trusted origin",
    "trustedorigin.lifecycle.deactivate": "Deactivate trusted origin",
    "trustedorigin.lifecycle.delete": "Delete trusted origin",
}


@dataclass(frozen=True)
class Party:
    """An actor or a target (``LogActor`` / ``LogTarget``)."""

    id: str
    type: str
    alternate_id: str | None = None
    display_name: str | None = None
    detail: Mapping[str, Any] | None = None
    # Targets only: the changed members before and after (audit/change_details.py); never queryable.
    change_details: Mapping[str, Mapping[str, Any]] | None = None

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.alternate_id is not None:
            out["alternateId"] = self.alternate_id
        if self.display_name is not None:
            out["displayName"] = self.display_name
        if self.detail:
            out["detailEntry"] = dict(self.detail)
        if self.change_details is not None:
            out["changeDetails"] = {k: dict(v) for k, v in self.change_details.items()}
        return out


# Who acts when nobody does: the scheduled key rotation.
SYSTEM = Party(id="tokenmint", type="SystemPrincipal", alternate_id="system@tokenmint",
               display_name="tokenmint system")


@dataclass(frozen=True)
class Origin:
    """Where the request behind an event came from (``client``, ``request``, ``transaction``)."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    request_uri: str | None = None
    api_token_id: str | None = None  # Okta's transaction.detail.requestApiTokenId
    transaction_type: str = WEB
    client_id: str | None = None     # the OAuth client making the request (client.id)
    extra: Mapping[str, Any] = field(default_factory=dict)


JOB_ORIGIN = Origin(transaction_type=JOB)


_V4 = 0x4000 << 64   # RFC 9562 4.2: version 4 in bits 48-51
_VARIANT = 0x8000 << 48  # and the variant bits 10 in bits 64-65
_CLEARED = ~((0xF000 << 64) | (0xC000 << 48))


def new_uuid() -> str:
    """A random (version 4) UUID, as ``str(uuid.uuid4())`` writes it, from the same 16 bytes of ``os.urandom``:
    one per System Log event, and ``uuid.UUID``'s checks cost a token event a quarter of its CPU."""
    return uuid_text(os.urandom(16))


def uuid_text(random: bytes) -> str:
    """The version 4 UUID of 16 random bytes, as ``str(uuid.UUID(bytes=random, version=4))``."""
    value = int.from_bytes(random, "big") & _CLEARED | _V4 | _VARIANT
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_last_timestamp: tuple[datetime, str] = (datetime.fromtimestamp(0, timezone.utc), "")


def timestamp(at: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as Okta publishes. The clock moves in whole seconds (clock.py), so the last
    one formatted is kept: a busy container formats each second once, not each event."""
    global _last_timestamp
    last = _last_timestamp
    if last[0] == at and last[1]:
        return last[1]
    utc = at.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    _last_timestamp = (at, text)
    return text


def log_event(event_type: str, *, published: datetime | str, actor: Party, targets: Sequence[Party] = (),
              result: str = SUCCESS, reason: str | None = None, origin: Origin | None = None,
              debug: Mapping[str, Any] | None = None, severity: str | None = None,
              authentication: Mapping[str, Any] | None = None, uuid: str | None = None) -> dict[str, Any]:
    """One LogEvent. ``severity`` defaults to INFO, or WARN for an outcome other than SUCCESS/ALLOW; ``published``
    is a datetime or its text (a template's placeholder, audit/template.py)."""
    origin = origin or Origin()
    client: dict[str, Any] = {}
    if origin.user_agent:
        client["userAgent"] = {"rawUserAgent": origin.user_agent}
    if origin.ip:
        client["ipAddress"] = origin.ip
    if origin.client_id:
        client["id"] = origin.client_id
    outcome: dict[str, Any] = {"result": result}
    if reason:
        outcome["reason"] = reason[:REASON_MAX]
    debug_data: dict[str, Any] = {}
    if origin.request_id:
        debug_data["requestId"] = origin.request_id
    if origin.request_uri:
        debug_data["requestUri"] = origin.request_uri
    debug_data.update(origin.extra)
    if debug:
        debug_data.update({k: v for k, v in debug.items() if v is not None})
    transaction: dict[str, Any] = {"type": origin.transaction_type}
    if origin.request_id:
        transaction["id"] = origin.request_id
    if origin.api_token_id:
        transaction["detail"] = {"requestApiTokenId": origin.api_token_id}
    event: dict[str, Any] = {
        "uuid": uuid or new_uuid(),
        "published": published if isinstance(published, str) else timestamp(published),
        "eventType": event_type,
        "version": "0",
        "severity": severity or ("INFO" if result in (SUCCESS, ALLOW) else "WARN"),
        "displayMessage": DISPLAY_MESSAGES.get(event_type, event_type),
        "actor": actor.render(),
        "client": client,
        "outcome": outcome,
        "target": [t.render() for t in targets],
        "transaction": transaction,
        "debugContext": {"debugData": debug_data},
        "request": {"ipChain": [{"ip": origin.ip, "version": "V6" if ":" in origin.ip else "V4"}]
                    if origin.ip else []},
        "authenticationContext": dict(authentication or {}),
        "securityContext": {},
    }
    return event
