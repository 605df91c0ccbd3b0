"""Which okta.* scope a management route needs, and what each admin role of a person allows
(chalicelib/api/management_scopes.py)."""
from __future__ import annotations

import pytest

from chalicelib.api.management_scopes import accepted_scopes, family_of, role_allows


@pytest.mark.parametrize("path, family", [
    ("/api/v1/authorizationServers", "okta.authorizationServers"),
    ("/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules", "okta.authorizationServers"),
    ("/api/v1/apps/{appId}/credentials/secrets", "okta.apps"),
    ("/api/v1/internal/apps/{appId}/settings/oauth/idToken", "okta.apps"),
    ("/oauth2/v1/clients/{clientId}", "okta.clients"),
    ("/api/v1/users/{userId}/roles", "okta.users"),
    ("/api/v1/groups", "okta.groups"),
    ("/api/v1/api-tokens/{apiTokenId}", "okta.apiTokens"),
    ("/api/v1/trustedOrigins", "okta.trustedOrigins"),
    ("/api/v1/logs", "okta.logs"),
    ("/api/v1/usersX", None),
    ("/api/v1/{proxy+}", None),
])
def test_each_path_belongs_to_its_family(path, family):
    assert family_of(path) == family


def test_read_takes_read_or_manage_and_writes_take_manage():
    assert accepted_scopes("okta.users", "GET") == ("okta.users.read", "okta.users.manage")
    assert accepted_scopes("okta.users", "DELETE") == ("okta.users.manage",)
    assert accepted_scopes("okta.clients", "POST") == ("okta.clients.manage", "okta.clients.register")


@pytest.mark.parametrize("roles, family, method, allowed", [
    ({"SUPER_ADMIN"}, "okta.users", "DELETE", True),
    ({"READ_ONLY_ADMIN"}, "okta.users", "GET", True),
    ({"READ_ONLY_ADMIN"}, "okta.authorizationServers", "POST", False),
    ({"API_ACCESS_MANAGEMENT_ADMIN"}, "okta.authorizationServers", "POST", True),
    ({"API_ACCESS_MANAGEMENT_ADMIN"}, "okta.apps", "PUT", True),
    ({"API_ACCESS_MANAGEMENT_ADMIN"}, "okta.users", "GET", False),
    ({"API_ACCESS_MANAGEMENT_ADMIN", "READ_ONLY_ADMIN"}, "okta.users", "GET", True),
    (set(), "okta.authorizationServers", "GET", False),
])
def test_roles(roles, family, method, allowed):
    assert role_allows(frozenset(roles), family, method) is allowed
