"""The admin console in Chromium (issue 18): signing in, the list of authorization servers (the seed's search) and
adding one, with the checks every page must pass (no console errors, no CSP violation, axe-core)."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures
from console_support import make_person, new_tab, sign_in


def test_an_admin_signs_in_and_finds_servers_by_name_or_audience(console, admin):
    tag = uuid.uuid4().hex[:8]
    made = admin.server(f"orders-{tag}")
    page = console.page
    console.go("#/servers")
    console.heading("Authorization Servers")
    expect(page.get_by_role("link", name=made["name"])).to_be_visible()
    console.axe()
    console.shot("servers")
    page.get_by_label("Search by name or audience").fill(f"api://orders-{tag}")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Search by name or audience").fill(f"nothing-{tag}")
    expect(page.get_by_text(f'No authorization server matches "nothing-{tag}".')).to_be_visible()
    console.no_console_errors()


def test_adding_a_server_shows_the_apis_error_next_to_the_field_then_creates_it(console, admin):
    page = console.page
    name = f"billing-{uuid.uuid4().hex[:8]}"
    page.get_by_role("button", name="Add Authorization Server").click()
    dialog = page.get_by_role("dialog", name="Add Authorization Server")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Audience").fill("not a uri")
    dialog.get_by_role("button", name="Save").click()
    audience = dialog.locator(".field", has=page.get_by_label("Audience"))
    expect(audience.locator(".field-error")).to_contain_text("is not a valid audience")
    expect(dialog.get_by_label("Audience")).to_have_attribute("aria-invalid", "true")
    console.axe("document.querySelector('dialog')")
    console.shot("server-add-error")
    dialog.get_by_label("Audience").fill(f"api://{name}")
    dialog.get_by_role("button", name="Save").click()
    console.heading(name)
    made = [s for s in admin.call("GET", "/api/v1/authorizationServers?q=" + name, 200) if s["name"] == name]
    assert len(made) == 1 and made[0]["audiences"] == [f"api://{name}"]
    admin._undo.append(("server", made[0]["id"]))
    console.no_console_errors(expected_refusals=(400,))


def test_settings_edit_rotate_keys_deactivate_activate_and_delete(console, admin):
    server = admin.server(f"settings-{uuid.uuid4().hex[:8]}")
    path = f"/api/v1/authorizationServers/{server['id']}"
    page = console.page
    console.go(f"#/servers/{server['id']}/settings")
    console.heading(server["name"])
    expect(page.get_by_role("textbox", name="Issuer", exact=True)).to_have_value(server["issuer"])
    expect(page.get_by_role("textbox", name="Metadata URI")).to_have_value(f"{server['issuer']}/.well-known/oauth-authorization-server")
    console.axe()
    console.shot("server-settings")

    # Edit: a new description and manual key rotation.
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Description").fill("Orders API tokens")
    page.get_by_label("Manual: keys change only when you rotate them").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Orders API tokens")).to_be_visible()
    saved = admin.call("GET", path, 200)
    assert saved["description"] == "Orders API tokens" and saved["credentials"]["signing"]["rotationMode"] == "MANUAL"

    # Rotate keys, after confirming: the NEXT key becomes the active one.
    before = {k["status"]: k["kid"] for k in admin.call("GET", path + "/credentials/keys", 200)}
    page.get_by_role("button", name="Rotate keys").click()
    confirm = page.get_by_role("dialog", name="Rotate signing keys")
    console.axe("document.querySelector('dialog')")
    confirm.get_by_role("button", name="Rotate keys").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("tbody tr", has_text=before["NEXT"]).locator(".badge")).to_have_text("ACTIVE")
    after = {k["status"]: k["kid"] for k in admin.call("GET", path + "/credentials/keys", 200)}
    assert after["ACTIVE"] == before["NEXT"]

    # Deactivate, then activate again.
    page.get_by_role("button", name="Deactivate", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate", exact=True).click()
    expect(page.get_by_role("button", name="Activate", exact=True)).to_be_visible()
    assert admin.call("GET", path, 200)["status"] == "INACTIVE"
    page.get_by_role("button", name="Activate", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Activate", exact=True).click()
    expect(page.get_by_role("button", name="Deactivate", exact=True)).to_be_visible()
    assert admin.call("GET", path, 200)["status"] == "ACTIVE"

    # Delete needs the name typed first; cancelling changes nothing.
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete authorization server")
    go = dialog.get_by_role("button", name="Delete")
    expect(go).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    assert admin.call("GET", path, 200)["status"] == "ACTIVE"
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete authorization server")
    dialog.get_by_label(f'Type "{server["name"]}" to confirm').fill(server["name"])
    dialog.get_by_role("button", name="Delete").click()
    console.heading("Authorization Servers")
    admin.call("GET", path, 404)
    admin._undo.remove(("server", server["id"]))  # gone already
    console.no_console_errors()


def test_a_read_only_admin_sees_no_write_controls_and_the_api_refuses_their_writes(browser, stack, admin):
    server = admin.server(f"readonly-{uuid.uuid4().hex[:8]}")
    reader = make_person(admin, "READ_ONLY_ADMIN")
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, reader)
        page = tab.page
        tab.heading("Authorization Servers")
        expect(page.locator(".who-role")).to_have_text("Read-only administrator")
        expect(page.get_by_role("link", name=server["name"])).to_be_visible()
        expect(page.get_by_role("button", name="Add Authorization Server")).to_have_count(0)
        tab.go(f"#/servers/{server['id']}/settings")
        tab.heading(server["name"])
        expect(page.get_by_role("heading", name="Signing keys")).to_be_visible()
        for control in ("Edit", "Rotate keys", "Deactivate", "Delete"):
            expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
        tab.axe()
        # The page holds a token that can read but not write: the API itself refuses the write (403 E0000006).
        answer = page.evaluate("""async (path) => {
            const tokens = JSON.parse(sessionStorage.getItem('tokenmint.console.tokens'));
            const r = await fetch(path, {method: 'POST', headers: {Authorization: `Bearer ${tokens.accessToken}`}});
            return {status: r.status, body: await r.json()};
        }""", f"/api/v1/authorizationServers/{server['id']}/lifecycle/deactivate")
        assert answer["status"] == 403 and answer["body"]["errorCode"] == "E0000006", answer
        assert admin.call("GET", f"/api/v1/authorizationServers/{server['id']}", 200)["status"] == "ACTIVE"
        tab.no_console_errors(expected_refusals=(403,))
    finally:
        context.close()


def test_a_person_without_an_admin_role_is_refused_at_sign_in(browser, stack, admin):
    nobody = make_person(admin, None)
    context, tab = new_tab(browser, stack.base_url)
    try:
        tab.open()
        page = tab.page
        page.get_by_label("Username").fill(nobody.login)
        page.get_by_label("Password").fill(nobody.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("not assigned")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert "tokenmint.console.tokens" not in page.evaluate("Object.keys(sessionStorage)")
        tab.axe()
        tab.no_console_errors()
    finally:
        context.close()


def test_signing_out_ends_the_org_session(console):
    page = console.page
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    console.axe()
    console.shot("signed-out")
    page.get_by_role("button", name="Sign in").click()
    # The org session is gone: the sign-in page asks again instead of coming straight back.
    expect(page.get_by_label("Password")).to_be_visible()
    console.no_console_errors()


def test_the_pages_csp_refuses_inline_script_and_the_tests_would_see_it(console):
    # What every console test checks (no CSP violation) can fail: an inline script is refused and reported.
    ran = console.page.evaluate("""() => {
        window.__ran = false;
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.body.append(s);
        return window.__ran;
    }""")
    assert ran is False
    assert any(v.startswith("script-src") for v in console.csp_violations()), console.csp_violations()
    console.errors.clear()  # Chromium also reports the refusal on the console: expected here, and only here
