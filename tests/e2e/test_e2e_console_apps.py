"""The admin console's Applications pages in Chromium (issue 18, page 7): an admin lists and searches the OIDC apps,
creates a web app (the API's redirect URI error shows next to its field; the client secret is shown once, and it
works at the token endpoints), edits it, rotates its client secrets, assigns a person and a group, deactivates and
deletes it with a typed confirmation; every result is checked through the API. A read-only admin sees apps and their
System Log but no write control. Every page passes axe-core and has no console error or CSP violation."""
from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures
from console_support import make_person, new_tab, sign_in


def _app(admin: Any, label: str, app_type: str = "web") -> dict[str, Any]:
    oauth: dict[str, Any] = {"application_type": app_type}
    if app_type == "service":
        oauth.update(grant_types=["client_credentials"], response_types=["token"])
    else:
        oauth.update(grant_types=["authorization_code"], redirect_uris=["https://app.example.com/callback"])
    made = admin.call("POST", "/api/v1/apps", 200, {
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": label,
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": oauth}})
    admin._undo.append(("client", made["id"]))
    return made


def _authenticates(http: requests.Session, base_url: str, client_id: str, secret: str) -> int:
    """The status of an introspection request authenticated with this client secret (200 when it is accepted)."""
    response = http.post(f"{base_url}/oauth2/default/v1/introspect", auth=(client_id, secret),
                         data={"token": "not-a-token"}, timeout=30)
    return response.status_code


def test_the_list_shows_apps_and_searches_by_name_and_status(console, admin):
    tag = uuid.uuid4().hex[:8]
    web = _app(admin, f"Storefront {tag}")
    service = _app(admin, f"Stock sync {tag}", "service")
    admin.call("POST", f"/api/v1/apps/{service['id']}/lifecycle/deactivate", 200)
    page = console.page
    console.go("#/apps")
    console.heading("Applications")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=web["label"]))
    expect(row).to_contain_text(web["id"])
    expect(row).to_contain_text("Web")
    expect(row.locator(".badge")).to_have_text("ACTIVE")
    other = page.locator("tbody tr", has=page.get_by_role("link", name=service["label"]))
    expect(other).to_contain_text("Service (machine-to-machine)")
    expect(other.locator(".badge")).to_have_text("INACTIVE")
    console.axe()
    console.shot("apps")

    page.get_by_label("Search by name").fill(f"Stock sync {tag}")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(service["id"])
    assert page.evaluate("location.hash") == f"#/apps?q=Stock+sync+{tag}"
    page.get_by_label("Search by name").fill(f"S")
    page.get_by_label("Status").select_option("INACTIVE")
    expect(page.get_by_role("link", name=service["label"])).to_be_visible()
    expect(page.get_by_role("link", name=web["label"])).to_have_count(0)
    page.get_by_label("Search by name").fill(f"nothing-{tag}")
    expect(page.get_by_text(f'No application matches "nothing-{tag}" with status inactive.')).to_be_visible()
    # The filtered list is a link: opening it again shows the same search.
    console.go(f"#/apps?q=Storefront+{tag}")
    expect(page.get_by_label("Search by name")).to_have_value(f"Storefront {tag}")
    expect(page.locator("tbody tr")).to_have_count(1)
    console.no_console_errors()


def test_creating_a_web_app_shows_the_redirect_error_then_the_secret_once(console, admin, stack, http):
    label = f"Orders portal {uuid.uuid4().hex[:8]}"
    page = console.page
    console.go("#/apps")
    console.heading("Applications")
    page.get_by_role("button", name="Create App Integration").click()
    dialog = page.get_by_role("dialog", name="Create App Integration")
    dialog.get_by_label("App integration name").fill(label)
    expect(dialog.get_by_label("Web application")).to_be_checked()
    # A web app must have the authorization code grant; refresh tokens are a choice.
    expect(dialog.get_by_label("Authorization Code")).to_be_checked()
    expect(dialog.get_by_label("Authorization Code")).to_be_disabled()
    dialog.get_by_label("Refresh Token").check()
    dialog.get_by_label("Sign-in redirect URIs").fill("http://orders.example.com/callback")
    dialog.get_by_label("Sign-out redirect URIs").fill("https://orders.example.com/signed-out")
    expect(dialog.get_by_label("Client secret, sent with HTTP Basic authentication")).to_be_checked()
    console.axe("document.querySelector('dialog')")
    dialog.get_by_role("button", name="Create app").click()

    # The API refuses plain http off loopback: the cause shows under the redirect URIs.
    redirects = dialog.locator(".field", has=page.get_by_label("Sign-in redirect URIs"))
    expect(redirects.locator(".field-error")).to_contain_text("must use https")
    expect(dialog.get_by_label("Sign-in redirect URIs")).to_have_attribute("aria-invalid", "true")
    console.axe("document.querySelector('dialog')")
    console.shot("app-create-error")
    assert not [a for a in admin.call("GET", "/api/v1/apps?q=" + requests.utils.quote(label), 200)
                if a["label"] == label]
    dialog.get_by_label("Sign-in redirect URIs").fill("https://orders.example.com/callback")
    dialog.get_by_role("button", name="Create app").click()

    # The secret, once, with the client id and a clear warning.
    shown = page.get_by_role("dialog", name=f'"{label}" created')
    expect(shown.get_by_text("Copy the client secret now: you will not see it again.")).to_be_visible()
    client_id = shown.get_by_role("textbox", name="Client ID").input_value()
    secret = shown.get_by_role("textbox", name="Client secret").input_value()
    assert re.fullmatch(r"0oa\w{17}", client_id) and len(secret) >= 40
    expect(shown.get_by_role("button", name="Copy Client secret")).to_be_visible()
    admin._undo.append(("client", client_id))
    console.axe("document.querySelector('dialog')")
    console.shot("app-secret")
    shown.get_by_role("button", name="I have copied it").click()
    console.heading(label)

    # It is the app's secret: the token endpoints accept it, and nothing else.
    assert _authenticates(http, stack.base_url, client_id, secret) == 200
    assert _authenticates(http, stack.base_url, client_id, secret + "x") == 401
    app = admin.call("GET", f"/api/v1/apps/{client_id}", 200)
    oauth = app["settings"]["oauthClient"]
    assert app["label"] == label and app["status"] == "ACTIVE" and oauth["application_type"] == "web"
    assert oauth["grant_types"] == ["authorization_code", "refresh_token"] and oauth["response_types"] == ["code"]
    assert oauth["redirect_uris"] == ["https://orders.example.com/callback"]
    assert oauth["post_logout_redirect_uris"] == ["https://orders.example.com/signed-out"]
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "client_secret_basic"
    # Never shown again: not on the app's page, not by the API.
    expect(page.get_by_role("heading", name="Client secrets")).to_be_visible()
    assert secret not in page.content()
    assert "client_secret" not in app["credentials"]["oauthClient"]
    console.no_console_errors(expected_refusals=(400,))


def test_creating_a_single_page_app_makes_a_public_client_without_a_secret(console, admin):
    label = f"Dashboard {uuid.uuid4().hex[:8]}"
    page = console.page
    console.go("#/apps")
    console.heading("Applications")
    page.get_by_role("button", name="Create App Integration").click()
    dialog = page.get_by_role("dialog", name="Create App Integration")
    dialog.get_by_label("App integration name").fill(label)
    dialog.get_by_label("Single-page application").check()
    # A browser app is a public client: no secret, PKCE required.
    expect(dialog.get_by_label("None: a public client (PKCE only)")).to_be_checked()
    expect(dialog.get_by_label("Client secret, sent with HTTP Basic authentication")).to_have_count(0)
    expect(dialog.get_by_label("Require PKCE (Proof Key for Code Exchange)")).to_be_checked()
    dialog.get_by_label("Sign-in redirect URIs").fill("http://localhost:5173/callback")
    dialog.get_by_role("button", name="Create app").click()
    console.heading(label)
    app_id = page.evaluate("location.hash").split("/")[-1]
    admin._undo.append(("client", app_id))
    expect(page.get_by_role("heading", name="Client secrets")).to_have_count(0)
    app = admin.call("GET", f"/api/v1/apps/{app_id}", 200)
    assert app["settings"]["oauthClient"]["application_type"] == "browser"
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "none"
    assert app["credentials"]["oauthClient"]["pkce_required"] is True
    assert admin.call("GET", f"/api/v1/apps/{app_id}/credentials/secrets", 200) == []
    console.no_console_errors()


def test_the_app_page_edits_rotates_secrets_deactivates_and_deletes(console, admin, stack, http):
    made = _app(admin, f"Billing {uuid.uuid4().hex[:8]}")
    first = made["credentials"]["oauthClient"]["client_secret"]
    app_id = made["id"]
    path = f"/api/v1/apps/{app_id}"
    page = console.page
    console.go(f"#/apps/{app_id}")
    console.heading(made["label"])
    expect(page.get_by_role("textbox", name="Client ID")).to_have_value(app_id)
    expect(page.get_by_role("link", name="View in System Log")).to_have_attribute("href", f"#/logs?target={app_id}")
    console.axe()
    console.shot("app")

    # Edit: a new name, a sign-out redirect URI and the refresh token grant.
    renamed = made["label"] + " (EU)"
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("App integration name").fill(renamed)
    page.get_by_label("Sign-out redirect URIs").fill("https://app.example.com/bye")
    page.get_by_label("Refresh Token").check()
    page.get_by_label("Ask people for consent").check()
    console.axe()
    page.evaluate("window.scrollTo(0, 0)")
    console.shot("app-edit")
    page.get_by_role("button", name="Save").click()
    console.heading(renamed)
    expect(page.get_by_text("https://app.example.com/bye")).to_be_visible()
    saved = admin.call("GET", path, 200)
    oauth = saved["settings"]["oauthClient"]
    assert saved["label"] == renamed and oauth["post_logout_redirect_uris"] == ["https://app.example.com/bye"]
    assert oauth["grant_types"] == ["authorization_code", "refresh_token"] and oauth["consent_method"] == "REQUIRED"
    assert oauth["redirect_uris"] == ["https://app.example.com/callback"]  # what the form did not touch stays
    assert _authenticates(http, stack.base_url, app_id, first) == 200  # an edit keeps the secret

    # Rotate: a second secret, shown once; both work until the first is deactivated, then deleted.
    [old] = admin.call("GET", f"{path}/credentials/secrets", 200)
    page.get_by_role("button", name="Generate new secret").click()
    shown = page.get_by_role("dialog", name="New client secret")
    expect(shown.get_by_text("you will not see it again")).to_be_visible()
    second = shown.get_by_role("textbox", name="Client secret").input_value()
    shown.get_by_role("button", name="I have copied it").click()
    secrets = page.get_by_role("table", name="Client secrets")
    expect(secrets.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Generate new secret")).to_be_disabled()
    assert _authenticates(http, stack.base_url, app_id, first) == 200
    assert _authenticates(http, stack.base_url, app_id, second) == 200
    old_row = secrets.locator("tbody tr", has_text=old["secret_hash"])
    old_row.get_by_role("button", name=re.compile("^Deactivate")).click()
    page.get_by_role("dialog", name="Deactivate client secret").get_by_role("button", name="Deactivate").click()
    expect(old_row.locator(".badge")).to_have_text("INACTIVE")
    assert _authenticates(http, stack.base_url, app_id, first) == 401
    assert _authenticates(http, stack.base_url, app_id, second) == 200
    # The only active secret cannot be deactivated, so the page offers no button for it.
    new_row = secrets.locator("tbody tr").filter(has_not_text=old["secret_hash"])
    expect(new_row.locator(".badge")).to_have_text("ACTIVE")
    expect(new_row.get_by_role("button")).to_have_count(0)
    old_row.get_by_role("button", name=re.compile("^Delete")).click()
    page.get_by_role("dialog", name="Delete client secret").get_by_role("button", name="Delete").click()
    expect(secrets.locator("tbody tr")).to_have_count(1)
    [left] = admin.call("GET", f"{path}/credentials/secrets", 200)
    assert left["id"] != old["id"] and left["status"] == "ACTIVE"
    console.axe()

    # Deactivate (the API then refuses the app's secret), activate again.
    page.get_by_role("button", name="Deactivate", exact=True).click()
    page.get_by_role("dialog", name="Deactivate application").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("button", name="Activate", exact=True)).to_be_visible()
    assert admin.call("GET", path, 200)["status"] == "INACTIVE"
    assert _authenticates(http, stack.base_url, app_id, second) == 401
    page.get_by_role("button", name="Activate", exact=True).click()
    page.get_by_role("dialog", name="Activate application").get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Deactivate", exact=True)).to_be_visible()
    assert admin.call("GET", path, 200)["status"] == "ACTIVE"

    # Delete needs the name typed first; cancelling changes nothing.
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete application")
    expect(dialog.get_by_role("button", name="Delete")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    assert admin.call("GET", path, 200)["status"] == "ACTIVE"
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete application")
    dialog.get_by_label(f'Type "{renamed}" to confirm').fill(renamed)
    dialog.get_by_role("button", name="Delete").click()
    console.heading("Applications")
    admin.call("GET", path, 404)
    admin._undo.remove(("client", app_id))  # gone already
    console.no_console_errors()


def test_assigning_and_unassigning_a_person_and_a_group(console, admin):
    tag = uuid.uuid4().hex[:8]
    made = _app(admin, f"Payroll {tag}")
    path = f"/api/v1/apps/{made['id']}"
    person = make_person(admin, None, tag=f"payroll-{tag}")
    group = admin.call("POST", "/api/v1/groups", 200, {"profile": {"name": f"Payroll team {tag}"}})
    page = console.page
    try:
        console.go(f"#/apps/{made['id']}")
        console.heading(made["label"])
        page.get_by_role("link", name="Assignments").click()
        expect(page.get_by_text("No one is assigned to this app directly.")).to_be_visible()
        expect(page.get_by_text("No group is assigned to this app.")).to_be_visible()
        console.axe()

        page.get_by_role("button", name="Assign people").click()
        dialog = page.get_by_role("dialog", name="Assign people")
        dialog.get_by_label("Find a person").fill(person.login)
        expect(dialog.get_by_role("listitem")).to_have_count(1)  # the search narrowed the directory to them
        dialog.get_by_role("button", name=f"Assign Browser Tester ({person.login})").click()
        expect(dialog.get_by_text("Assigned", exact=True)).to_be_visible()
        console.axe("document.querySelector('dialog')")
        console.shot("app-assign")
        dialog.get_by_role("button", name="Done").click()
        people = page.get_by_role("table", name="People assigned to the app")
        expect(people.locator("tbody tr")).to_have_count(1)
        expect(people).to_contain_text(f"Browser Tester ({person.login})")
        assert [u["id"] for u in admin.call("GET", f"{path}/users", 200)] == [person.user_id]

        page.get_by_role("button", name="Assign groups").click()
        dialog = page.get_by_role("dialog", name="Assign groups")
        dialog.get_by_label("Find a group").fill(f"Payroll team {tag}")
        expect(dialog.get_by_role("listitem")).to_have_count(1)
        dialog.get_by_role("button", name=f"Assign Payroll team {tag}").click()
        expect(dialog.get_by_text("Assigned", exact=True)).to_be_visible()
        dialog.get_by_role("button", name="Done").click()
        groups = page.get_by_role("table", name="Groups assigned to the app")
        expect(groups).to_contain_text(f"Payroll team {tag}")
        assert [g["id"] for g in admin.call("GET", f"{path}/groups", 200)] == [group["id"]]
        console.axe()
        console.shot("app-assignments")

        people.get_by_role("button", name=f"Unassign Browser Tester ({person.login})").click()
        page.get_by_role("dialog", name="Unassign person").get_by_role("button", name="Unassign").click()
        expect(page.get_by_text("No one is assigned to this app directly.")).to_be_visible()
        assert admin.call("GET", f"{path}/users", 200) == []
        groups.get_by_role("button", name=f"Unassign Payroll team {tag}").click()
        page.get_by_role("dialog", name="Unassign group").get_by_role("button", name="Unassign").click()
        expect(page.get_by_text("No group is assigned to this app.")).to_be_visible()
        assert admin.call("GET", f"{path}/groups", 200) == []
        console.no_console_errors()
    finally:
        admin.call("DELETE", f"/api/v1/groups/{group['id']}", 204)


def test_a_read_only_admin_sees_apps_and_logs_but_no_write_controls(browser, stack, admin):
    tag = uuid.uuid4().hex[:8]
    made = _app(admin, f"Read only {tag}")
    admin.call("PUT", f"/api/v1/apps/{made['id']}/groups/00gEveryoneBuiltIn00", 200, {})
    reader = make_person(admin, "READ_ONLY_ADMIN")
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, reader)
        page = tab.page
        tab.go("#/apps")
        tab.heading("Applications")
        expect(page.get_by_role("link", name=made["label"])).to_be_visible()
        expect(page.get_by_role("button", name="Create App Integration")).to_have_count(0)
        tab.axe()

        page.get_by_role("link", name=made["label"]).click()
        tab.heading(made["label"])
        expect(page.get_by_role("heading", name="Client secrets")).to_be_visible()
        expect(page.get_by_role("table", name="Client secrets").locator("tbody tr")).to_have_count(1)
        for control in ("Edit", "Generate new secret", "Deactivate", "Activate", "Delete"):
            expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
        expect(page.get_by_role("heading", name="Lifecycle")).to_have_count(0)
        tab.axe()

        page.get_by_role("link", name="Assignments").click()
        groups = page.get_by_role("table", name="Groups assigned to the app")
        expect(groups).to_contain_text("Everyone")
        expect(page.get_by_role("button", name=re.compile("^(Assign|Unassign)"))).to_have_count(0)
        tab.axe()

        page.get_by_role("link", name="View in System Log").click()
        tab.heading("System Log")
        expect(page.get_by_label("Object ID")).to_have_value(made["id"])
        expect(page.locator("tr.log-row", has_text="application.lifecycle.create")).to_have_count(1)
        tab.axe()
        tab.no_console_errors()
    finally:
        context.close()


def test_an_api_service_with_public_keys_instead_of_a_secret(console, admin):
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()

    def b64(value: int) -> str:
        return base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode().rstrip("=")

    kid = f"key-{uuid.uuid4().hex[:8]}"
    jwks = {"keys": [{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "e": b64(numbers.e), "n": b64(numbers.n)}]}
    label = f"Ledger sync {uuid.uuid4().hex[:8]}"
    page = console.page
    console.go("#/apps")
    console.heading("Applications")
    page.get_by_role("button", name="Create App Integration").click()
    dialog = page.get_by_role("dialog", name="Create App Integration")
    dialog.get_by_label("App integration name").fill(label)
    dialog.get_by_label("API service").check()
    # A service has no redirect URIs and signs no one in.
    expect(dialog.get_by_label("Client Credentials (required)")).to_be_checked()
    expect(dialog.get_by_label("Sign-in redirect URIs")).to_be_hidden()
    expect(dialog.get_by_label("Require PKCE (Proof Key for Code Exchange)")).to_be_hidden()
    expect(dialog.get_by_label("Public keys (JWK Set)")).to_be_hidden()
    dialog.get_by_label("Public key / private key (private_key_jwt)").check()
    dialog.get_by_label("Public keys (JWK Set)").fill("{not json")
    dialog.get_by_role("button", name="Create app").click()
    keys = dialog.locator(".field", has=page.get_by_label("Public keys (JWK Set)"))
    expect(keys.locator(".field-error")).to_contain_text("not valid JSON")
    dialog.get_by_label("Public keys (JWK Set)").fill(json.dumps(jwks))
    expect(keys.locator(".field-error")).to_be_hidden()  # about the value sent, not the one typed since
    expect(dialog.get_by_label("Public keys (JWK Set)")).not_to_have_attribute("aria-invalid", "true")
    # Its tokens bound to a key it holds (RFC 9449): what Okta's SDK sends with dpopEnabled.
    dpop = dialog.get_by_label("Require DPoP (Demonstrating Proof of Possession) in token requests")
    expect(dpop).not_to_be_checked()
    dpop.check()
    console.axe("document.querySelector('dialog')")
    console.shot("app-create-service-dpop")
    dialog.get_by_role("button", name="Create app").click()
    console.heading(label)  # no secret to show
    app_id = page.evaluate("location.hash").split("/")[-1]
    admin._undo.append(("client", app_id))
    expect(page.get_by_role("table", name="Public keys")).to_contain_text(kid)
    expect(page.get_by_role("heading", name="Client secrets")).to_have_count(0)
    app = admin.call("GET", f"/api/v1/apps/{app_id}", 200)
    oauth = app["settings"]["oauthClient"]
    assert oauth["application_type"] == "service" and oauth["grant_types"] == ["client_credentials"]
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == "private_key_jwt"
    assert [k["kid"] for k in oauth["jwks"]["keys"]] == [kid] and oauth["jwks"]["keys"][0]["n"] == jwks["keys"][0]["n"]
    assert oauth["dpop_bound_access_tokens"] is True
    expect(page.locator(".app-creds")).to_contain_text("Required in token requests")
    console.shot("app-service-dpop")
    # Editing the app sends its keys back unchanged: the key keeps its id.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Public keys (JWK Set)")).to_have_value(re.compile(kid))
    page.get_by_label("App integration name").fill(label + " v2")
    expect(page.get_by_label("Require DPoP (Demonstrating Proof of Possession) in token requests")).to_be_checked()
    page.get_by_label("Require DPoP (Demonstrating Proof of Possession) in token requests").uncheck()
    page.get_by_role("button", name="Save").click()
    console.heading(label + " v2")
    edited = admin.call("GET", f"/api/v1/apps/{app_id}", 200)["settings"]["oauthClient"]
    assert edited["dpop_bound_access_tokens"] is False
    again = admin.call("GET", f"/api/v1/apps/{app_id}", 200)["settings"]["oauthClient"]["jwks"]["keys"]
    assert [(k["id"], k["kid"], k["status"]) for k in again] == [(k["id"], k["kid"], k["status"]) for k in oauth["jwks"]["keys"]]
    console.no_console_errors()
