"""The admin console's Scopes and Claims tabs in Chromium (issue 18, pages 3 and 4; the seed's "Create Scopes" and
"Create Claims"): an admin adds, edits and deletes scopes and claims by clicking and typing, sees the API's errors
next to the field they concern, watches the API check a claim's expression while typing; system scopes and claims
stay read-only (but for the mapping of ``sub``); a read-only admin sees the lists and no write control. Every result
is read back through the API, and every page passes axe-core with no console error and no CSP violation."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures
from console_support import make_person, new_tab, sign_in

SYSTEM_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")
VALIDATE = re.compile(r"/api/v1/internal/authorizationServers/[^/]+/claims/validate$")


def scopes_of(admin, server_id: str) -> dict[str, dict]:
    return {s["name"]: s for s in admin.call("GET", f"/api/v1/authorizationServers/{server_id}/scopes", 200)}


def claims_of(admin, server_id: str) -> dict[tuple[str, str], dict]:
    return {(c["claimType"], c["name"]): c
            for c in admin.call("GET", f"/api/v1/authorizationServers/{server_id}/claims", 200)}


def field_of(dialog, name: str):
    """The wrapper of a labelled text field in a dialog (where its error and notes appear)."""
    return dialog.locator(".field", has=dialog.page.get_by_role("textbox", name=name, exact=True))


# -- scopes ----------------------------------------------------------------------------------------------------------


def test_an_admin_adds_edits_and_deletes_a_scope_and_sees_a_duplicate_name_refused(console, admin):
    server = admin.server(f"scopes-{uuid.uuid4().hex[:8]}")
    page = console.page
    console.go(f"#/servers/{server['id']}/scopes")
    console.heading(server["name"])
    expect(page.get_by_role("link", name="Scopes", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.locator("tbody tr")).to_have_count(len(SYSTEM_SCOPES))

    # Add: every setting of the seed's dialog.
    page.get_by_role("button", name="Add Scope").click()
    dialog = page.get_by_role("dialog", name="Add Scope")
    console.axe("document.querySelector('dialog')")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("orders:read")
    dialog.get_by_label("Display phrase").fill("Read your orders")
    dialog.get_by_label("Description").fill("Lets the app read the orders you placed.")
    dialog.get_by_label(re.compile("^Required:")).check()
    dialog.get_by_label("Set as a default scope").check()
    dialog.get_by_label(re.compile("^All clients:")).check()
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator("tbody tr[data-scope='orders:read']")
    expect(row).to_contain_text("Read your orders")
    expect(row).to_contain_text("Required")
    made = scopes_of(admin, server["id"])["orders:read"]
    assert (made["displayName"], made["description"], made["consent"], made["default"], made["metadataPublish"],
            made["system"]) == ("Read your orders", "Lets the app read the orders you placed.", "REQUIRED", True,
                                "ALL_CLIENTS", False)
    console.axe()

    # Edit: the dialog starts from the saved values.
    page.get_by_role("button", name="Edit orders:read").click()
    dialog = page.get_by_role("dialog", name="Edit scope orders:read")
    expect(dialog.get_by_label("Display phrase")).to_have_value("Read your orders")
    expect(dialog.get_by_label(re.compile("^Required:"))).to_be_checked()
    expect(dialog.get_by_label("Set as a default scope")).to_be_checked()
    dialog.get_by_label("Description").fill("Read orders, not payments.")
    dialog.get_by_label(re.compile("^Flexible:")).check()
    dialog.get_by_label("Set as a default scope").uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row).to_contain_text("Read orders, not payments.")
    expect(row).to_contain_text("Flexible")
    saved = scopes_of(admin, server["id"])["orders:read"]
    assert (saved["id"], saved["description"], saved["consent"], saved["default"], saved["metadataPublish"]) == (
        made["id"], "Read orders, not payments.", "FLEXIBLE", False, "ALL_CLIENTS")

    # A second scope of the same name: the API's cause appears under Name, and nothing is created.
    page.get_by_role("button", name="Add Scope").click()
    dialog = page.get_by_role("dialog", name="Add Scope")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("orders:read")
    dialog.get_by_role("button", name="Create").click()
    expect(field_of(dialog, "Name").locator(".field-error")).to_have_text(
        "A scope named 'orders:read' already exists on this authorization server.")
    expect(dialog.get_by_role("textbox", name="Name", exact=True)).to_have_attribute("aria-invalid", "true")
    console.axe("document.querySelector('dialog')")
    console.shot("scope-duplicate")
    dialog.get_by_role("button", name="Cancel").click()
    assert len([s for s in scopes_of(admin, server["id"]).values() if s["name"] == "orders:read"]) == 1

    # Delete asks first; cancelling keeps the scope.
    page.get_by_role("button", name="Delete orders:read").click()
    confirm = page.get_by_role("dialog", name="Delete scope")
    expect(confirm).to_contain_text('Delete the scope "orders:read"?')
    confirm.get_by_role("button", name="Cancel").click()
    assert "orders:read" in scopes_of(admin, server["id"])
    page.get_by_role("button", name="Delete orders:read").click()
    page.get_by_role("dialog", name="Delete scope").get_by_role("button", name="Delete scope").click()
    expect(row).to_have_count(0)
    expect(page.get_by_role("button", name="Add Scope")).to_be_focused()
    assert "orders:read" not in scopes_of(admin, server["id"])
    admin.call("GET", f"/api/v1/authorizationServers/{server['id']}/scopes/{made['id']}", 404)
    console.no_console_errors(expected_refusals=(400,))


def test_system_scopes_show_no_edit_or_delete_control(console, admin):
    server = admin.server(f"sysscopes-{uuid.uuid4().hex[:8]}")
    admin.scope(server["id"], name="orders:write", displayName="Place orders for you",
                description="Lets the app place orders in your name.", consent="REQUIRED", metadataPublish="ALL_CLIENTS")
    page = console.page
    console.go(f"#/servers/{server['id']}/scopes")
    console.heading(server["name"])
    expect(page.locator("thead th")).to_have_count(7)  # with the actions column
    for name in SYSTEM_SCOPES:
        row = page.locator(f"tbody tr[data-scope='{name}']")
        expect(row.locator(".badge")).to_have_text("System")
        expect(row.get_by_role("button")).to_have_count(0)
    custom = page.locator("tbody tr[data-scope='orders:write']")
    expect(custom.get_by_role("button")).to_have_text(["Edit", "Delete"])
    expect(page.get_by_role("button", name=re.compile("^(Edit|Delete) "))).to_have_count(2)
    console.axe()
    console.shot("scopes")
    console.no_console_errors()


# -- claims ----------------------------------------------------------------------------------------------------------


def test_an_admin_adds_a_claim_whose_expression_the_api_checks_while_typing_then_edits_disables_and_deletes_it(
        console, admin):
    server = admin.server(f"claims-{uuid.uuid4().hex[:8]}")
    admin.scope(server["id"], name="orders:read", consent="IMPLICIT")
    page = console.page
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.post_data or "") if VALIDATE.search(r.url) else None)
    console.go(f"#/servers/{server['id']}/claims")
    console.heading(server["name"])
    expect(page.locator("tbody tr")).to_have_count(19)  # the system claims of a new server
    console.axe()

    page.get_by_role("button", name="Add Claim").click()
    dialog = page.get_by_role("dialog", name="Add Claim")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("department")
    expect(dialog.get_by_label("Include", exact=True)).to_be_hidden()  # access-token claims are always included
    value = dialog.get_by_role("textbox", name="Value", exact=True)
    value_field = field_of(dialog, "Value")

    # A bad expression, typed key by key: one check once typing pauses, and the API's message under Value.
    value.press_sequentially("user.department +", delay=30)
    expect(value_field.locator(".field-error")).to_contain_text("Invalid Okta Expression Language expression")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value_field.get_by_text("Valid expression")).to_be_hidden()
    assert 1 <= len(checks) <= 2, checks  # debounced: not one request per key
    console.axe("document.querySelector('dialog')")
    console.shot("claim-invalid-expression")

    # Fixed: the error goes, a quiet note says so.
    value.fill("user.department")
    expect(value_field.get_by_text("Valid expression")).to_be_visible()
    expect(value_field.locator(".field-error")).to_be_hidden()
    expect(value).not_to_have_attribute("aria-invalid", "true")

    dialog.get_by_label("The following scopes:").check()
    dialog.get_by_label("orders:read").check()
    console.shot("claim-add")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator("tbody tr[data-claim='RESOURCE:department']")
    expect(row).to_contain_text("user.department")
    expect(row).to_contain_text("orders:read")
    made = claims_of(admin, server["id"])[("RESOURCE", "department")]
    assert (made["valueType"], made["value"], made["conditions"], made["status"], made["alwaysIncludeInToken"]) == (
        "EXPRESSION", "user.department", {"scopes": ["orders:read"]}, "ACTIVE", True)
    console.axe()

    # Edit: into the ID token, only when requested, in any scope, with another expression.
    page.get_by_role("button", name="Edit department (Access token)").click()
    dialog = page.get_by_role("dialog", name="Edit claim department")
    expect(dialog.get_by_label("orders:read")).to_be_checked()
    expect(field_of(dialog, "Value").get_by_text("Valid expression")).to_be_visible()  # checked on opening
    dialog.get_by_label("Include in token type").select_option("IDENTITY")
    dialog.get_by_label("Include", exact=True).select_option(label="Userinfo / ID token request")
    dialog.get_by_label("Any scope").check()
    expect(dialog.get_by_label("orders:read")).to_be_hidden()
    dialog.get_by_role("textbox", name="Value", exact=True).fill('user.department + "/" + user.email')
    expect(field_of(dialog, "Value").get_by_text("Valid expression")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator("tbody tr[data-claim='IDENTITY:department']")
    expect(row).to_contain_text("When requested")
    expect(row).to_contain_text("Any scope")
    saved = claims_of(admin, server["id"])
    assert ("RESOURCE", "department") not in saved
    edited = saved[("IDENTITY", "department")]
    assert (edited["id"], edited["value"], edited["conditions"], edited["alwaysIncludeInToken"]) == (
        made["id"], 'user.department + "/" + user.email', {"scopes": []}, False)

    # Disable: kept, but INACTIVE.
    page.get_by_role("button", name="Edit department (ID token)").click()
    dialog = page.get_by_role("dialog", name="Edit claim department")
    dialog.get_by_label("Disable claim").check()
    dialog.get_by_role("button", name="Save").click()
    expect(row.locator(".badge")).to_have_text("INACTIVE")
    assert claims_of(admin, server["id"])[("IDENTITY", "department")]["status"] == "INACTIVE"

    # Filter by token type.
    page.get_by_label("Token type", exact=True).select_option(label="Access token")
    expect(page.locator("tbody tr")).to_have_count(1)  # sub
    expect(row).to_have_count(0)
    page.get_by_label("Token type", exact=True).select_option(label="ID token")
    expect(row).to_be_visible()

    # Delete, after confirming.
    page.get_by_role("button", name="Delete department (ID token)").click()
    confirm = page.get_by_role("dialog", name="Delete claim")
    expect(confirm).to_contain_text('"department"')
    confirm.get_by_role("button", name="Delete claim").click()
    expect(row).to_have_count(0)
    assert ("IDENTITY", "department") not in claims_of(admin, server["id"])
    admin.call("GET", f"/api/v1/authorizationServers/{server['id']}/claims/{made['id']}", 404)
    console.no_console_errors(expected_refusals=(400,))


def test_a_groups_claim_and_the_apis_errors_on_save_next_to_their_fields(console, admin):
    server = admin.server(f"groups-{uuid.uuid4().hex[:8]}")
    page = console.page
    console.go(f"#/servers/{server['id']}/claims")
    console.heading(server["name"])
    page.get_by_role("button", name="Add Claim").click()
    dialog = page.get_by_role("dialog", name="Add Claim")
    expect(dialog.get_by_label("Group filter")).to_be_hidden()
    dialog.get_by_role("textbox", name="Name", exact=True).fill("groups")  # reserved in access tokens
    dialog.get_by_label("Value type").select_option("GROUPS")
    dialog.get_by_label("Group filter").select_option(label="Equals")
    dialog.get_by_role("textbox", name="Value", exact=True).fill("admins")
    expect(field_of(dialog, "Value").get_by_text("Valid expression")).to_be_hidden()  # a filter is no expression
    dialog.get_by_label("The following scopes:").check()
    dialog.get_by_role("button", name="Create").click()
    # Listed scopes with none chosen is refused before the API is asked (it would mean "any scope").
    expect(dialog.locator(".field[data-path='conditions.scopes'] .field-error")).to_contain_text("Choose at least one scope")
    dialog.get_by_label("Any scope").check()
    dialog.get_by_role("button", name="Create").click()
    expect(field_of(dialog, "Name").locator(".field-error")).to_have_text(
        "'groups' is a reserved claim name for RESOURCE claims.")
    console.axe("document.querySelector('dialog')")
    dialog.get_by_label("Include in token type").select_option("IDENTITY")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator("tbody tr[data-claim='IDENTITY:groups']")
    expect(row).to_contain_text("Equals admins")
    made = claims_of(admin, server["id"])[("IDENTITY", "groups")]
    assert (made["valueType"], made["group_filter_type"], made["value"], made["alwaysIncludeInToken"]) == (
        "GROUPS", "EQUALS", "admins", True)
    console.no_console_errors(expected_refusals=(400,))


def test_system_claims_are_read_only_but_the_mapping_of_sub(console, admin):
    server = admin.server(f"sysclaims-{uuid.uuid4().hex[:8]}")
    admin.scope(server["id"], name="orders:read", consent="IMPLICIT")
    admin.call("POST", f"/api/v1/authorizationServers/{server['id']}/claims", 201, {
        "name": "department", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "user.department",
        "conditions": {"scopes": ["orders:read"]}})
    page = console.page
    console.go(f"#/servers/{server['id']}/claims")
    console.heading(server["name"])
    expect(page.locator("tbody tr[data-claim='RESOURCE:department']").get_by_role("button")).to_have_text(
        ["Edit", "Delete"])
    console.shot("claims")
    for name in ("email", "name", "preferred_username"):
        row = page.locator(f"tbody tr[data-claim='IDENTITY:{name}']")
        expect(row.locator(".badge", has_text="System")).to_be_visible()
        expect(row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Delete "))).to_have_text(["Delete"])  # department's only
    sub = page.locator("tbody tr[data-claim='RESOURCE:sub']")
    expect(sub.get_by_role("button")).to_have_text(["Edit value"])

    # The seed: "Okta provides a default subject claim. You can edit the mapping."
    sub.get_by_role("button", name="Edit value").click()
    dialog = page.get_by_role("dialog", name="Edit claim sub")
    expect(dialog.get_by_role("textbox", name="Name", exact=True)).to_be_disabled()
    expect(dialog.get_by_label("Value type")).to_be_disabled()
    value = dialog.get_by_role("textbox", name="Value", exact=True)
    value.fill("app.clientId +")
    expect(field_of(dialog, "Value").locator(".field-error")).to_contain_text("Invalid Okta Expression Language")
    value.fill("(appuser != null) ? appuser.email : app.clientId")
    expect(field_of(dialog, "Value").get_by_text("Valid expression")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(sub).to_contain_text("appuser.email")
    saved = claims_of(admin, server["id"])[("RESOURCE", "sub")]
    assert (saved["value"], saved["system"], saved["conditions"]) == (
        "(appuser != null) ? appuser.email : app.clientId", True, {"scopes": []})
    console.axe()
    console.no_console_errors(expected_refusals=(400,))


# -- a read-only admin -------------------------------------------------------------------------------------------------


def test_a_read_only_admin_sees_scopes_and_claims_but_no_write_control(browser, stack, admin):
    server = admin.server(f"ro-sc-{uuid.uuid4().hex[:8]}")
    admin.scope(server["id"], name="orders:read", consent="IMPLICIT")
    admin.call("POST", f"/api/v1/authorizationServers/{server['id']}/claims", 201, {
        "name": "department", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "user.department",
        "conditions": {"scopes": []}})
    reader = make_person(admin, "READ_ONLY_ADMIN")
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, reader)
        page = tab.page
        tab.heading("Authorization Servers")
        tab.go(f"#/servers/{server['id']}/scopes")
        tab.heading(server["name"])
        expect(page.locator("tbody tr[data-scope='orders:read']")).to_be_visible()
        expect(page.locator("tbody tr")).to_have_count(len(SYSTEM_SCOPES) + 1)
        expect(page.get_by_role("button", name="Add Scope")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^(Edit|Delete)"))).to_have_count(0)
        expect(page.locator("thead th")).to_have_count(6)  # no actions column at all
        tab.axe()

        tab.go(f"#/servers/{server['id']}/claims")
        expect(page.locator("tbody tr[data-claim='RESOURCE:department']")).to_contain_text("user.department")
        expect(page.locator("tbody tr")).to_have_count(20)
        expect(page.locator("thead th")).to_have_count(7)
        expect(page.get_by_role("button", name="Add Claim")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^(Edit|Delete)"))).to_have_count(0)
        tab.axe()
        # The API itself refuses the live check to this person (a write's check: 403 E0000006).
        answer = page.evaluate("""async (path) => {
            const tokens = JSON.parse(sessionStorage.getItem('tokenmint.console.tokens'));
            const r = await fetch(path, {method: 'POST', headers: {Authorization: `Bearer ${tokens.accessToken}`,
                'Content-Type': 'application/json'}, body: JSON.stringify({claimType: 'RESOURCE', value: 'user.x'})});
            return {status: r.status, body: await r.json()};
        }""", f"/api/v1/internal/authorizationServers/{server['id']}/claims/validate")
        assert answer["status"] == 403 and answer["body"]["errorCode"] == "E0000006", answer
        tab.no_console_errors(expected_refusals=(403,))
    finally:
        context.close()
