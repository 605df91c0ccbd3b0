"""Which System Log event a management write is: the route's path template and method name the event type, the
target's type and where its id comes from (okta-next.md 2.4; event types from Okta's catalogue).

Where Okta's catalogue has no type of its own (authorization-server policies and rules, trusted origins), the
choice is written down here and in docs/ARCHITECTURE.md "System Log": AS policies and rules log as Okta's generic
``policy.lifecycle.*`` / ``policy.rule.*`` (what Okta most likely emits; unverified against a real org), trusted
origins as ``trustedorigin.lifecycle.*`` (ours). Apps written through ``/api/v1/apps`` log ``application.*``, the
same clients written through dynamic client registration ``app.oauth2.client.lifecycle.*``.

Routes that write nothing an admin would audit (token preview) have no entry. An admin's key rotation is logged
here; the scheduled run's rotations and failures by the executor (``admin/signing_keys.py``), whose actor is the
system.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

AS = "/api/v1/authorizationServers/{authServerId}"
APP = "/api/v1/apps/{appId}"
USER = "/api/v1/users/{userId}"


@dataclass(frozen=True)
class ManagementEvent:
    event_type: str
    target_type: str
    # The path parameter naming the target; None: the target is the created object, named by the response.
    id_param: str | None
    # The path of the target object to read before the write (its state for ``changeDetails`` and its name);
    # None: nothing to read (a creation).
    before_path: str | None = None
    # The parent named as a second target: (path parameter, target type).
    parent: tuple[str, str] | None = None


def _e(event_type: str, target_type: str, id_param: str | None, before_path: str | None = None,
       parent: tuple[str, str] | None = None) -> ManagementEvent:
    return ManagementEvent(event_type, target_type, id_param, before_path, parent)


_SERVER = ("authServerId", "AuthorizationServer")
_APP = ("appId", "AppInstance")

EVENTS: Mapping[tuple[str, str], ManagementEvent] = {
    # Authorization servers and their configuration.
    ("/api/v1/authorizationServers", "POST"): _e("oauth2.as.created", "AuthorizationServer", None),
    (AS, "PUT"): _e("oauth2.as.updated", "AuthorizationServer", "authServerId", AS),
    (AS, "DELETE"): _e("oauth2.as.deleted", "AuthorizationServer", "authServerId", AS),
    (AS + "/lifecycle/activate", "POST"): _e("oauth2.as.activated", "AuthorizationServer", "authServerId", AS),
    (AS + "/lifecycle/deactivate", "POST"): _e("oauth2.as.deactivated", "AuthorizationServer", "authServerId", AS),
    (AS + "/scopes", "POST"): _e("oauth2.scope.created", "OAuth2Scope", None, parent=_SERVER),
    (AS + "/scopes/{scopeId}", "PUT"): _e("oauth2.scope.updated", "OAuth2Scope", "scopeId",
                                          AS + "/scopes/{scopeId}", _SERVER),
    (AS + "/scopes/{scopeId}", "DELETE"): _e("oauth2.scope.deleted", "OAuth2Scope", "scopeId",
                                             AS + "/scopes/{scopeId}", _SERVER),
    (AS + "/claims", "POST"): _e("oauth2.claim.created", "OAuth2Claim", None, parent=_SERVER),
    (AS + "/claims/{claimId}", "PUT"): _e("oauth2.claim.updated", "OAuth2Claim", "claimId",
                                          AS + "/claims/{claimId}", _SERVER),
    (AS + "/claims/{claimId}", "DELETE"): _e("oauth2.claim.deleted", "OAuth2Claim", "claimId",
                                             AS + "/claims/{claimId}", _SERVER),
    (AS + "/policies", "POST"): _e("policy.lifecycle.create", "PolicyEntity", None, parent=_SERVER),
    (AS + "/policies/{policyId}", "PUT"): _e("policy.lifecycle.update", "PolicyEntity", "policyId",
                                             AS + "/policies/{policyId}", _SERVER),
    (AS + "/policies/{policyId}", "DELETE"): _e("policy.lifecycle.delete", "PolicyEntity", "policyId",
                                                AS + "/policies/{policyId}", _SERVER),
    (AS + "/policies/{policyId}/lifecycle/activate", "POST"): _e(
        "policy.lifecycle.activate", "PolicyEntity", "policyId", AS + "/policies/{policyId}", _SERVER),
    (AS + "/policies/{policyId}/lifecycle/deactivate", "POST"): _e(
        "policy.lifecycle.deactivate", "PolicyEntity", "policyId", AS + "/policies/{policyId}", _SERVER),
    (AS + "/policies/{policyId}/rules", "POST"): _e("policy.rule.add", "PolicyRule", None,
                                                    parent=("policyId", "PolicyEntity")),
    (AS + "/policies/{policyId}/rules/{ruleId}", "PUT"): _e(
        "policy.rule.update", "PolicyRule", "ruleId", AS + "/policies/{policyId}/rules/{ruleId}",
        ("policyId", "PolicyEntity")),
    (AS + "/policies/{policyId}/rules/{ruleId}", "DELETE"): _e(
        "policy.rule.delete", "PolicyRule", "ruleId", AS + "/policies/{policyId}/rules/{ruleId}",
        ("policyId", "PolicyEntity")),
    (AS + "/policies/{policyId}/rules/{ruleId}/lifecycle/activate", "POST"): _e(
        "policy.rule.activate", "PolicyRule", "ruleId", AS + "/policies/{policyId}/rules/{ruleId}",
        ("policyId", "PolicyEntity")),
    (AS + "/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate", "POST"): _e(
        "policy.rule.deactivate", "PolicyRule", "ruleId", AS + "/policies/{policyId}/rules/{ruleId}",
        ("policyId", "PolicyEntity")),
    # An admin's rotation (the scheduled ones are logged by admin/signing_keys.py, the executor).
    (AS + "/credentials/lifecycle/keyRotate", "POST"): _e("app.oauth2.as.key.rollover", "AuthorizationServer",
                                                         "authServerId", AS),
    # Trusted servers of token exchange (Okta's associatedServers): the trusting server is the target, the servers
    # added (from the answer) or the one removed are named beside it.
    (AS + "/associatedServers", "POST"): _e("app.oauth2.trusted_server.add", "AuthorizationServer", "authServerId"),
    (AS + "/associatedServers/{associatedServerId}", "DELETE"): _e(
        "app.oauth2.trusted_server.delete", "AuthorizationServer", "authServerId",
        parent=("associatedServerId", "AuthorizationServer")),
    # An admin revoking refresh tokens.
    (AS + "/clients/{clientId}/tokens", "DELETE"): _e("app.oauth2.as.token.revoke", "AppInstance", "clientId",
                                                     parent=_SERVER),
    (AS + "/clients/{clientId}/tokens/{tokenId}", "DELETE"): _e(
        "app.oauth2.as.token.revoke", "RefreshToken", "tokenId", parent=_SERVER),
    # Applications (Okta's Apps API) and dynamic client registration, over the same client records.
    ("/api/v1/apps", "POST"): _e("application.lifecycle.create", "AppInstance", None),
    (APP, "PUT"): _e("application.lifecycle.update", "AppInstance", "appId", APP),
    (APP, "DELETE"): _e("application.lifecycle.delete", "AppInstance", "appId", APP),
    (APP + "/lifecycle/activate", "POST"): _e("application.lifecycle.activate", "AppInstance", "appId", APP),
    (APP + "/lifecycle/deactivate", "POST"): _e("application.lifecycle.deactivate", "AppInstance", "appId", APP),
    ("/api/v1/internal/apps/{appId}/settings/oauth/idToken", "POST"): _e(
        "application.lifecycle.update", "AppInstance", "appId", "/api/v1/internal/apps/{appId}/settings/oauth/idToken"),
    (APP + "/credentials/secrets", "POST"): _e("app.oauth2.credentials.lifecycle.create", "ClientSecret", None,
                                               parent=_APP),
    (APP + "/credentials/secrets/{secretId}", "DELETE"): _e(
        "app.oauth2.credentials.lifecycle.delete", "ClientSecret", "secretId",
        APP + "/credentials/secrets/{secretId}", _APP),
    (APP + "/credentials/secrets/{secretId}/lifecycle/activate", "POST"): _e(
        "app.oauth2.credentials.lifecycle.activate", "ClientSecret", "secretId",
        APP + "/credentials/secrets/{secretId}", _APP),
    (APP + "/credentials/secrets/{secretId}/lifecycle/deactivate", "POST"): _e(
        "app.oauth2.credentials.lifecycle.deactivate", "ClientSecret", "secretId",
        APP + "/credentials/secrets/{secretId}", _APP),
    (APP + "/credentials/jwks", "POST"): _e("app.oauth2.credentials.lifecycle.create", "JsonWebKey", None,
                                            parent=_APP),
    (APP + "/credentials/jwks/{keyId}", "DELETE"): _e(
        "app.oauth2.credentials.lifecycle.delete", "JsonWebKey", "keyId", APP + "/credentials/jwks/{keyId}", _APP),
    (APP + "/credentials/jwks/{keyId}/lifecycle/activate", "POST"): _e(
        "app.oauth2.credentials.lifecycle.activate", "JsonWebKey", "keyId", APP + "/credentials/jwks/{keyId}", _APP),
    (APP + "/credentials/jwks/{keyId}/lifecycle/deactivate", "POST"): _e(
        "app.oauth2.credentials.lifecycle.deactivate", "JsonWebKey", "keyId", APP + "/credentials/jwks/{keyId}",
        _APP),
    (APP + "/grants", "POST"): _e("app.oauth2.admin.consent.grant", "OAuth2ScopeConsentGrant", None, parent=_APP),
    (APP + "/grants/{grantId}", "DELETE"): _e("app.oauth2.admin.consent.revoke", "OAuth2ScopeConsentGrant",
                                              "grantId", APP + "/grants/{grantId}", _APP),
    (APP + "/users", "POST"): _e("application.user_membership.add", "User", None, parent=_APP),
    (APP + "/users/{userId}", "POST"): _e("application.user_membership.update", "User", "userId",
                                          APP + "/users/{userId}", _APP),
    (APP + "/users/{userId}", "DELETE"): _e("application.user_membership.remove", "User", "userId",
                                            APP + "/users/{userId}", _APP),
    (APP + "/groups/{groupId}", "PUT"): _e("group.application_assignment.add", "UserGroup", "groupId", parent=_APP),
    (APP + "/groups/{groupId}", "DELETE"): _e("group.application_assignment.remove", "UserGroup", "groupId",
                                              APP + "/groups/{groupId}", _APP),
    (APP + "/tokens", "DELETE"): _e("app.oauth2.as.token.revoke", "AppInstance", "appId"),
    (APP + "/tokens/{tokenId}", "DELETE"): _e("app.oauth2.as.token.revoke", "RefreshToken", "tokenId", parent=_APP),
    ("/oauth2/v1/clients", "POST"): _e("app.oauth2.client.lifecycle.create", "AppInstance", None),
    ("/oauth2/v1/clients/{clientId}", "PUT"): _e("app.oauth2.client.lifecycle.update", "AppInstance", "clientId",
                                                 "/oauth2/v1/clients/{clientId}"),
    ("/oauth2/v1/clients/{clientId}", "DELETE"): _e("app.oauth2.client.lifecycle.delete", "AppInstance",
                                                    "clientId", "/oauth2/v1/clients/{clientId}"),
    ("/oauth2/v1/clients/{clientId}/lifecycle/newSecret", "POST"): _e(
        "app.oauth2.credentials.lifecycle.create", "ClientSecret", "clientId"),
    # The directory.
    ("/api/v1/users", "POST"): _e("user.lifecycle.create", "User", None),
    (USER, "PUT"): _e("user.account.update_profile", "User", "userId", USER),
    (USER, "POST"): _e("user.account.update_profile", "User", "userId", USER),
    (USER, "DELETE"): _e("user.lifecycle.delete.completed", "User", "userId", USER),
    (USER + "/lifecycle/activate", "POST"): _e("user.lifecycle.activate", "User", "userId", USER),
    (USER + "/lifecycle/deactivate", "POST"): _e("user.lifecycle.deactivate", "User", "userId", USER),
    (USER + "/lifecycle/suspend", "POST"): _e("user.lifecycle.suspend", "User", "userId", USER),
    (USER + "/lifecycle/unsuspend", "POST"): _e("user.lifecycle.unsuspend", "User", "userId", USER),
    (USER + "/lifecycle/unlock", "POST"): _e("user.account.unlock_by_admin", "User", "userId", USER),
    (USER + "/roles", "POST"): _e("user.account.privilege.grant", "User", "userId"),
    (USER + "/roles/{roleId}", "DELETE"): _e("user.account.privilege.revoke", "User", "userId"),
    (USER + "/grants", "DELETE"): _e("app.oauth2.as.consent.revoke", "User", "userId"),
    (USER + "/grants/{grantId}", "DELETE"): _e("app.oauth2.as.consent.revoke", "User", "userId"),
    (USER + "/clients/{clientId}/grants", "DELETE"): _e("app.oauth2.as.consent.revoke", "User", "userId",
                                                        parent=("clientId", "AppInstance")),
    ("/api/v1/groups", "POST"): _e("group.lifecycle.create", "UserGroup", None),
    ("/api/v1/groups/{groupId}", "PUT"): _e("group.profile.update", "UserGroup", "groupId", "/api/v1/groups/{groupId}"),
    ("/api/v1/groups/{groupId}", "DELETE"): _e("group.lifecycle.delete", "UserGroup", "groupId",
                                               "/api/v1/groups/{groupId}"),
    ("/api/v1/groups/{groupId}/users/{userId}", "PUT"): _e("group.user_membership.add", "User", "userId",
                                                           parent=("groupId", "UserGroup")),
    ("/api/v1/groups/{groupId}/users/{userId}", "DELETE"): _e("group.user_membership.remove", "User", "userId",
                                                              parent=("groupId", "UserGroup")),
    # Trusted origins and API tokens.
    ("/api/v1/trustedOrigins", "POST"): _e("trustedorigin.lifecycle.create", "TrustedOrigin", None),
    ("/api/v1/trustedOrigins/{trustedOriginId}", "PUT"): _e(
        "trustedorigin.lifecycle.update", "TrustedOrigin", "trustedOriginId", "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("/api/v1/trustedOrigins/{trustedOriginId}", "DELETE"): _e(
        "trustedorigin.lifecycle.delete", "TrustedOrigin", "trustedOriginId", "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("/api/v1/trustedOrigins/{trustedOriginId}/lifecycle/activate", "POST"): _e(
        "trustedorigin.lifecycle.activate", "TrustedOrigin", "trustedOriginId",
        "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("/api/v1/trustedOrigins/{trustedOriginId}/lifecycle/deactivate", "POST"): _e(
        "trustedorigin.lifecycle.deactivate", "TrustedOrigin", "trustedOriginId",
        "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("/api/v1/api-tokens", "POST"): _e("system.api_token.create", "Token", None),
    ("/api/v1/api-tokens/{apiTokenId}", "DELETE"): _e("system.api_token.revoke", "Token", "apiTokenId",
                                                      "/api/v1/api-tokens/{apiTokenId}"),
}


def event_for(path_template: str, method: str) -> ManagementEvent | None:
    """The event a successful ``method`` on the route ``path_template`` records; None: the route records none."""
    return EVENTS.get((path_template, method.upper()))


# Where a target named by id alone (a parent, an assignment's group or user) is read for its display name: the GET
# path of its type and the path parameter its id goes in (the request's other parameters fill the rest).
NAME_PATHS: Mapping[str, tuple[str, str]] = {
    "AuthorizationServer": (AS, "authServerId"),
    "AppInstance": (APP, "appId"),
    "PolicyEntity": (AS + "/policies/{policyId}", "policyId"),
    "UserGroup": ("/api/v1/groups/{groupId}", "groupId"),
    "User": (USER, "userId"),
}


def display_name(document: object) -> str | None:
    """The name an admin knows an object by, from its JSON (server, scope, app, user, group, origin, token...)."""
    if not isinstance(document, dict):
        return None
    profile = document.get("profile")
    if isinstance(profile, dict):
        for key in ("login", "name"):
            if isinstance(profile.get(key), str):
                return str(profile[key])
    # An app's ``label`` before its ``name``: the name is the app's kind (``oidc_client`` for every OIDC app).
    for key in ("label", "name", "client_name", "origin", "displayName", "scopeId", "type"):
        value = document.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def object_id(document: object) -> str | None:
    """The id of an object created by a write, from the response's JSON."""
    if not isinstance(document, dict):
        return None
    for key in ("id", "client_id", "kid"):
        value = document.get(key)
        if isinstance(value, str) and value:
            return value
    return None
