"""The admin console's Token Preview tab in Chromium (issue 18, page 6): an admin picks a client, a grant type, a user
and scopes and sees the would-be tokens decoded, the policy and rule that matched, the evaluation trace (each
policy and rule, matched or skipped, and why) and each claim included or left out, and why; a refused preview shows
the error and the trace; bad input shows next to its field; a read-only admin is told why they cannot preview.
Every page passes axe-core and has no console error or CSP violation."""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from console_support import PASSWORD, admin, browser, console, super_admin  # noqa: F401 - fixtures
from console_support import make_person, new_tab, sign_in


@pytest.fixture(scope="module")
def world(admin: Any) -> dict[str, Any]:
    """A server with two scopes, two custom claims and one policy for all clients whose first rule is for people
    (authorization code, any user assigned the app) and second for services (client credentials, orders:read);
    a service client, a native client (code, refresh token, password) and a user assigned to it."""
    tag = uuid.uuid4().hex[:8]
    server = admin.server(f"preview-{tag}")
    sid = server["id"]
    base = f"/api/v1/authorizationServers/{sid}"
    admin.scope(sid, name="orders:read", description="Read orders")
    admin.scope(sid, name="orders:write", description="Write orders")
    admin.call("POST", f"{base}/claims", 201, {
        "name": "team", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "'platform'",
        "conditions": {"scopes": []}, "alwaysIncludeInToken": True})
    admin.call("POST", f"{base}/claims", 201, {
        "name": "can_write", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "'yes'",
        "conditions": {"scopes": ["orders:write"]}, "alwaysIncludeInToken": True})
    policy = admin.call("POST", f"{base}/policies", 201, {
        "type": "OAUTH_AUTHORIZATION_POLICY", "name": "Orders API", "description": "Every client",
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}})
    rules = f"{base}/policies/{policy['id']}/rules"
    admin.call("POST", rules, 201, {
        "type": "RESOURCE_ACCESS", "name": "People sign in",
        "conditions": {"grantTypes": {"include": ["authorization_code"]},
                       "people": {"groups": {"include": ["EVERYONE"]}}, "scopes": {"include": ["*"]}},
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 1440,
                              "refreshTokenWindowMinutes": 60}}})
    admin.call("POST", rules, 201, {
        "type": "RESOURCE_ACCESS", "name": "Service reads",
        "conditions": {"grantTypes": {"include": ["client_credentials"]}, "scopes": {"include": ["orders:read"]}},
        "actions": {"token": {"accessTokenLifetimeMinutes": 30}}})
    service = admin.client(client_name=f"Orders worker {tag}", application_type="service",
                           token_endpoint_auth_method="client_secret_basic", grant_types=["client_credentials"],
                           response_types=["token"])
    native = admin.client(client_name=f"Orders app {tag}", application_type="native", token_endpoint_auth_method="none",
                          grant_types=["authorization_code", "refresh_token", "password"], response_types=["code"],
                          redirect_uris=["com.example.orders:/callback"])
    user = admin.user(f"preview-{tag}@example.com", PASSWORD)
    admin.assign(native["client_id"], user["id"])
    return {"server": server, "policy": policy, "service": service, "native": native, "user": user, "tag": tag}


def _code_text(locator: Any) -> Any:
    return json.loads(locator.inner_text())


def test_a_client_credentials_preview_names_the_rule_and_explains_the_claims(console, admin, world):
    server, service = world["server"], world["service"]
    page = console.page
    console.go(f"#/servers/{server['id']}/preview")
    console.heading(server["name"])
    page.get_by_label("Client").select_option(service["client_id"])
    expect(page.get_by_label("Grant type")).to_have_value("client_credentials")
    expect(page.get_by_label("Grant type").locator("option")).to_have_count(1)  # what the client is registered for
    expect(page.locator('[data-path="userId"]')).to_have_count(1)
    expect(page.locator('[data-path="userId"]')).to_be_hidden()  # client credentials: no user
    page.get_by_label("orders:read").check()
    page.get_by_role("button", name="Preview token").click()

    verdict = page.locator(".pv-verdict")
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Granted")
    expect(verdict).to_contain_text("Matched policy Orders API › rule Service reads")
    expect(verdict.get_by_role("heading", level=2)).to_be_focused()
    # The trace: the people rule skipped for its grant type, then the service rule matched.
    steps = page.locator(".pv-step")
    skipped = steps.filter(has_text="People sign in")
    expect(skipped).to_have_attribute("data-outcome", "grant_type_not_included")
    expect(skipped).to_contain_text("grant type not included")
    matched = page.locator('.pv-step[data-outcome="rule_matched"]')
    expect(matched).to_contain_text("Service reads")
    expect(steps.last).to_have_attribute("data-outcome", "granted")

    # The access token, decoded; no ID token for client credentials.
    access = page.locator(".pv-token").first
    expect(access.get_by_role("heading", level=3)).to_contain_text("Access token")
    expect(access).to_contain_text("30 min")
    payload = _code_text(access.locator("pre").nth(1))
    header = _code_text(access.locator("pre").first)
    assert payload["scp"] == ["orders:read"] and payload["cid"] == service["client_id"]
    assert payload["team"] == "platform" and "can_write" not in payload
    assert header["alg"] == "RS256" and header["kid"]
    expect(page.locator(".pv-token-none")).to_contain_text("ID token")
    expect(page.locator(".pv-token-none")).to_contain_text("Not issued: client credentials have no user")
    expect(page.locator(".pv-claims-none summary")).to_contain_text("ID token claims: the token is not issued")

    # Each claim, included or not, and why.
    team = page.locator('.pv-claims tr[data-claim="team"]').first
    expect(team).to_contain_text("included")
    expect(team).to_contain_text("platform")
    can_write = page.locator('.pv-claims tr[data-claim="can_write"]').first
    expect(can_write).to_contain_text("left out")
    expect(can_write).to_contain_text("scopes_not_granted")

    # What the page shows is what the API answers.
    answer = admin.call("POST", f"/api/v1/authorizationServers/{server['id']}/tokenPreview", 200, {
        "clientId": service["client_id"], "grantType": "client_credentials", "scopes": ["orders:read"]})
    assert answer["rule"]["name"] == "Service reads"
    assert {k: v for k, v in answer["accessToken"]["payload"].items() if k not in ("jti", "iat", "exp")} == {
        k: v for k, v in payload.items() if k not in ("jti", "iat", "exp")}
    console.axe()
    console.shot("token-preview")
    console.no_console_errors()


def test_a_user_preview_shows_the_id_token_and_the_refresh_token(console, world):
    server, native, user = world["server"], world["native"], world["user"]
    page = console.page
    console.go(f"#/servers/{server['id']}/preview")
    console.heading(server["name"])
    page.get_by_label("Client").select_option(native["client_id"])
    page.get_by_label("Grant type").select_option("authorization_code")
    # The user, found by a few letters of the login.
    page.get_by_role("textbox", name="User", exact=True).fill(f"preview-{world['tag']}")
    page.get_by_role("button", name=f"Browser Tester (preview-{world['tag']}@example.com)").click()
    expect(page.get_by_role("textbox", name="User", exact=True)).to_have_value(user["profile"]["login"])
    for scope in ("openid", "email", "offline_access", "orders:read"):
        page.get_by_label(scope, exact=True).check()
    page.get_by_role("button", name="Preview token").click()

    verdict = page.locator(".pv-verdict")
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Granted")
    expect(verdict).to_contain_text("Matched policy Orders API › rule People sign in")
    expect(verdict).to_contain_text(f"as user {user['id']}")
    tokens = page.locator(".pv-token")
    expect(tokens).to_have_count(2)
    id_token = tokens.nth(1)
    expect(id_token.get_by_role("heading", level=3)).to_contain_text("ID token")
    claims = _code_text(id_token.locator("pre").nth(1))
    assert claims["sub"] == user["id"] and claims["aud"] == native["client_id"] and claims["amr"] == ["pwd"]
    access = _code_text(tokens.first.locator("pre").nth(1))
    assert access["uid"] == user["id"] and access["sub"] == user["profile"]["login"]
    assert sorted(access["scp"]) == ["email", "offline_access", "openid", "orders:read"]
    refresh = page.locator(".pv-refresh")
    expect(refresh).to_contain_text("issued")
    expect(refresh).to_contain_text("1440 min")
    # The ID token's profile claims, each with its reason.
    id_claims = page.locator(".pv-claims").nth(1)
    expect(id_claims.get_by_role("heading", level=3)).to_have_text("ID token claims")
    expect(id_claims.locator('tr[data-claim="email"]')).to_contain_text(user["profile"]["login"])
    assert claims["email"] == user["profile"]["login"]
    expect(id_claims.locator('tr[data-claim="email_verified"]')).to_contain_text("not_always_included")
    expect(id_claims.locator('tr[data-claim="name"]')).to_contain_text("released by scope profile, not granted")
    console.axe()
    console.no_console_errors()


def test_a_refused_preview_shows_the_error_and_the_trace_and_bad_input_shows_next_to_its_field(console, world):
    server, native, user = world["server"], world["native"], world["user"]
    page = console.page
    console.go(f"#/servers/{server['id']}/preview")
    console.heading(server["name"])

    # No client chosen: the API's cause shows next to the Client field.
    page.get_by_role("button", name="Preview token").click()
    client = page.locator('[data-path="clientId"]')
    expect(client.locator(".field-error")).to_contain_text("cannot be left blank")
    expect(page.get_by_label("Client")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".pv-verdict")).to_have_count(0)

    # The password grant: the client may use it, but no rule allows it (401 access_denied, as /v1/token answers).
    page.get_by_label("Client").select_option(native["client_id"])
    page.get_by_label("Grant type").select_option("password")
    page.get_by_role("textbox", name="User", exact=True).fill(user["profile"]["login"])
    page.get_by_label("openid", exact=True).check()
    page.get_by_role("button", name="Preview token").click()
    verdict = page.locator(".pv-verdict")
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Refused: access_denied")
    expect(verdict).to_contain_text("Policy evaluation failed")
    expect(verdict).to_contain_text("HTTP 401")
    expect(page.locator(".pv-token")).to_have_count(0)
    for name in ("People sign in", "Service reads"):
        step = page.locator(".pv-step", has_text=f"rule '{name}'")
        expect(step).to_have_attribute("data-outcome", "grant_type_not_included")
    expect(page.locator(".pv-step").last).to_have_attribute("data-outcome", "no_matching_rule")
    expect(page.locator(".pv-denied-claims")).to_contain_text("no token is issued")
    expect(page.locator(".who-name")).to_be_visible()  # a refusal is the configuration's answer: still signed in
    expect(client.locator(".field-error")).to_be_hidden()
    console.axe()
    console.shot("token-preview-refused")
    console.no_console_errors(expected_refusals=(400, 401))


def test_a_read_only_admin_is_told_why_there_is_no_preview(browser, stack, admin, world):
    reader = make_person(admin, "READ_ONLY_ADMIN")
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, reader)
        page = tab.page
        tab.go(f"#/servers/{world['server']['id']}/preview")
        tab.heading(world["server"]["name"])
        expect(page.get_by_text("Token Preview needs a role that may manage authorization servers")).to_be_visible()
        expect(page.get_by_role("button", name="Preview token")).to_have_count(0)
        expect(page.get_by_label("Client")).to_have_count(0)
        expect(page.get_by_role("link", name="Access Policies").last).to_have_attribute(
            "href", f"#/servers/{world['server']['id']}/policies")
        tab.axe()
        tab.no_console_errors()
    finally:
        context.close()
