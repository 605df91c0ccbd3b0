"""Every management route, for every method it registers, demands a valid ``SSWS`` token (Okta's 401 E0000011);
methods a path does not support answer Okta's 405 E0000022 (once authenticated)."""
from __future__ import annotations

import re

import pytest

from tests.integration.api.apisupport import assert_error, nothing_changes

PROTECTED_PREFIXES = ("/api/v1/", "/oauth2/v1/clients")


def protected_routes() -> list[tuple[str, str, str]]:
    """(path, method, view name) of every route the app registers under the management prefixes. The greedy
    ``/api/v1/{proxy+}`` route is left out: Chalice's test gateway cannot route to it, so test_unknown_paths.py
    drives it with API Gateway's own event."""
    from app import app

    return sorted((path, method, entry.view_name)
                  for path, methods in app.routes.items() if path.startswith(PROTECTED_PREFIXES) and "+}" not in path
                  for method, entry in methods.items())


@pytest.fixture
def real_ids(container, default_ids, admin_token) -> dict[str, str]:
    """Ids that exist, so that a route that forgot to authenticate would answer 2xx, not 404."""
    config = container.servers.load("default")
    token = container.api_tokens.authenticate(admin_token)
    return {
        "authServerId": "default", "policyId": default_ids["policy"], "ruleId": default_ids["rule"],
        "scopeId": config.scopes[0].id, "claimId": config.claims[0].id, "apiTokenId": token.id,
        "keyId": config.keys[0].kid,
    }


# Placeholders real_ids fills with ids that exist.
EXISTING = {"authServerId", "policyId", "ruleId", "scopeId", "claimId", "apiTokenId", "keyId"}


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "unknown"), path)


def test_the_app_registers_management_routes():
    routes = protected_routes()
    paths = {path for path, _method, _view in routes}
    assert "/api/v1/authorizationServers" in paths
    assert "/api/v1/authorizationServers/{authServerId}/policies/{policyId}/rules/{ruleId}" in paths
    assert "/api/v1/api-tokens/{apiTokenId}" in paths
    assert len(routes) >= 5 * len(paths)  # every method is registered, supported or not (405)


def test_every_protected_route_is_registered_through_admin_routes():
    """``AdminRoutes`` is the only registration that authenticates; nothing may bypass it."""
    from chalicelib.api.routing import AdminRoutes

    for path, method, _view in protected_routes():
        assert method in AdminRoutes.registry.get(path, set()), f"{method} {path} bypasses authentication"


BAD_HEADERS = {
    "missing": None,
    "wrong token": "SSWS 00wrongwrongwrongwrongwrongwrongwrongwrong",
    "wrong token, no space": "SSWS00wrongwrongwrongwrongwrongwrongwrongwrong",
    "scheme only": "SSWS ",
    "bearer scheme": "Bearer {token}",
    "no scheme": "{token}",
    "two tokens": "SSWS {token} {token}",
    "token prefix": "SSWS {prefix}",
}
MORE_BAD_HEADERS = ["", "SSWS", "Basic {token}", "SSWS {token}x", "SSWS: {token}", "SSWS {token};"]


def test_every_route_and_method_refuses_missing_wrong_and_malformed_tokens(client, real_ids, admin_token,
                                                                            subtests):
    routes = protected_routes()
    with nothing_changes():
        for path, method, _view in routes:
            url = fill(path, real_ids)
            with subtests.test(route=f"{method} {path}"):
                for label, template in BAD_HEADERS.items():
                    headers = {"Content-Type": "application/json"}
                    if template is not None:
                        headers["Authorization"] = template.format(token=admin_token, prefix=admin_token[:-1])
                    # A malformed body too: authentication must come before parsing.
                    body = b"{" if method in ("POST", "PUT", "PATCH") else b""
                    response = getattr(client.http, method.lower())(url, headers=headers, body=body)
                    assert response.status_code == 401, (label, response.status_code, response.body)
                    assert_error(response, 401, "E0000011", "Invalid token provided", [])


@pytest.mark.parametrize("template", MORE_BAD_HEADERS)
def test_more_malformed_headers_are_refused(client, admin_token, template):
    headers = {"Authorization": template.format(token=admin_token)}
    assert_error(client.http.get("/api/v1/authorizationServers", headers=headers), 401, "E0000011")


@pytest.mark.parametrize("template", ["SSWS {token}", "SSWS{token}"])
def test_both_spellings_of_the_scheme_are_accepted(client, admin_token, template, real_ids, subtests):
    headers = {"Authorization": template.format(token=admin_token)}
    for path, method, view in protected_routes():
        if method != "GET" or view.startswith("not_allowed"):
            continue
        with subtests.test(route=path):
            response = client.http.get(fill(path, real_ids), headers=headers)
            if set(re.findall(r"\{(\w+)\}", path)) <= EXISTING:
                assert response.status_code == 200, (path, response.status_code, response.body)
            else:  # an id we had no real value for (OAuth clients, users, ...): authenticated, then not found
                assert_error(response, 404, "E0000007")


@pytest.mark.parametrize("template", ["ssws {token}", "  SSWS   {token}  ", "SSWS\t{token}"])
def test_the_scheme_is_case_insensitive_and_blanks_are_tolerated(client, admin_token, template):
    headers = {"Authorization": template.format(token=admin_token)}
    assert client.http.get("/api/v1/authorizationServers", headers=headers).status_code == 200


def test_unsupported_methods_answer_405_with_the_allowed_ones(client, admin_token, real_ids, subtests):
    from app import app

    headers = {"Authorization": f"SSWS {admin_token}", "Content-Type": "application/json"}
    checked = 0
    with nothing_changes():
        for path, method, view in protected_routes():
            if not view.startswith("not_allowed"):
                continue
            allowed = {m for m, e in app.routes[path].items() if not e.view_name.startswith("not_allowed")}
            with subtests.test(route=f"{method} {path}"):
                response = getattr(client.http, method.lower())(fill(path, real_ids), headers=headers, body=b"")
                assert_error(response, 405, "E0000022", "The endpoint does not support the provided HTTP method", [])
                assert set(response.headers["Allow"].split(", ")) == allowed
                checked += 1
    assert checked >= 20


def test_errors_chalice_raises_itself_are_okta_errors_too(client, admin_token):
    headers = {"Authorization": f"SSWS {admin_token}", "Content-Type": "application/pdf"}
    response = client.http.post("/api/v1/authorizationServers", headers=headers, body=b"%PDF")
    assert_error(response, 415, "E0000021")
    assert "X-Okta-Request-Id" in response.headers
