"""The admin console's Access Policies tab in Chromium (issue 18, page 5): an admin creates a policy for a listed
client, adds rules, reorders rules and policies (the API holds the new priorities), edits a rule's user conditions,
activates, deactivates and deletes with confirmation; the API's validation errors show next to their fields; the
default rule of the default policy cannot move; a read-only admin sees policies and rules but no write control.
Every page passes axe-core and has no console error or CSP violation."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures
from console_support import VIEWPORT, make_person, new_tab, sign_in


def _policies(admin: Any, server_id: str) -> list[dict[str, Any]]:
    return sorted(admin.call("GET", f"/api/v1/authorizationServers/{server_id}/policies", 200),
                  key=lambda p: p["priority"])


def _rules(admin: Any, server_id: str, policy_id: str) -> list[dict[str, Any]]:
    return sorted(admin.call("GET", f"/api/v1/authorizationServers/{server_id}/policies/{policy_id}/rules", 200),
                  key=lambda r: r["priority"])


def _service_client(admin: Any, name: str) -> dict[str, Any]:
    return admin.client(client_name=name, application_type="service", token_endpoint_auth_method="client_secret_basic",
                        grant_types=["client_credentials"], response_types=["token"])


def test_a_policy_for_a_listed_client_with_two_rules_reordered(console, admin):
    tag = uuid.uuid4().hex[:8]
    server = admin.server(f"policies-{tag}")
    sid = server["id"]
    admin.scope(sid, name=f"orders:read:{tag}", description="Read orders")
    service = _service_client(admin, f"Orders service {tag}")
    _service_client(admin, f"Billing service {tag}")
    page = console.page
    console.go(f"#/servers/{sid}/policies")
    console.heading(server["name"])
    expect(page.get_by_text("This authorization server has no access policy")).to_be_visible()
    console.axe()

    # A policy for one listed client.
    page.get_by_role("button", name="Add Policy").first.click()
    dialog = page.get_by_role("dialog", name="Add Policy")
    dialog.get_by_label("Name").fill("Services")
    dialog.get_by_label("Description").fill("Machine-to-machine clients")
    dialog.get_by_label("The following clients:").check()
    dialog.get_by_label(f"Orders service {tag}").check()
    console.axe("document.querySelector('dialog')")
    dialog.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Rules of Services")).to_be_visible()
    [policy] = _policies(admin, sid)
    assert policy["name"] == "Services" and policy["description"] == "Machine-to-machine clients"
    assert policy["conditions"]["clients"]["include"] == [service["client_id"]] and policy["status"] == "ACTIVE"
    expect(page.locator(".pol-detail").get_by_text(f"Orders service {tag}")).to_be_visible()

    # First rule: client credentials only (no user), one scope, a 30-minute access token.
    page.get_by_role("button", name="Add Rule").click()
    dialog = page.get_by_role("dialog", name="Add Rule to Services")
    dialog.get_by_label("Rule name").fill("Service reads")
    dialog.get_by_label("Authorization Code").uncheck()
    expect(dialog.get_by_text("AND User is: No user.")).to_be_visible()
    expect(dialog.get_by_label("Any user assigned the app")).to_be_hidden()
    dialog.get_by_label("The following scopes:").check()
    dialog.get_by_label(f"orders:read:{tag}").check()
    dialog.get_by_label("Access token lifetime (minutes)").fill("30")
    expect(dialog.get_by_text("30 minutes · 5 minutes to 1 day")).to_be_visible()
    console.axe("document.querySelector('dialog')")
    dialog.get_by_role("button", name="Create rule").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("tr", has_text="Service reads")).to_contain_text("No user (client credentials)")

    # Second rule: the defaults (client credentials and authorization code, any user assigned the app, any scope).
    page.get_by_role("button", name="Add Rule").click()
    dialog = page.get_by_role("dialog", name="Add Rule to Services")
    dialog.get_by_label("Rule name").fill("Everyone else")
    expect(dialog.get_by_label("Any user assigned the app")).to_be_checked()
    dialog.get_by_role("button", name="Create rule").click()
    expect(page.locator("tr", has_text="Everyone else")).to_contain_text("Any user assigned the app")

    first, second = _rules(admin, sid, policy["id"])
    assert (first["name"], first["priority"], second["name"], second["priority"]) == (
        "Service reads", 1, "Everyone else", 2)
    assert first["conditions"]["grantTypes"]["include"] == ["client_credentials"]
    assert first["conditions"]["scopes"]["include"] == [f"orders:read:{tag}"]
    assert first["conditions"]["people"]["groups"]["include"] == []
    assert first["actions"]["token"]["accessTokenLifetimeMinutes"] == 30
    assert sorted(second["conditions"]["grantTypes"]["include"]) == ["authorization_code", "client_credentials"]
    assert second["conditions"]["people"]["groups"]["include"] == ["EVERYONE"]
    assert second["conditions"]["scopes"]["include"] == ["*"]

    # Reorder with the keyboard: the second rule moves up; focus stays on its controls.
    expect(page.get_by_role("button", name="Move Service reads up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move Everyone else down")).to_be_disabled()
    page.get_by_role("button", name="Move Everyone else up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Move Everyone else down")).to_be_focused()
    expect(page.locator("tbody tr").first).to_contain_text("Everyone else")
    assert [(r["name"], r["priority"]) for r in _rules(admin, sid, policy["id"])] == [
        ("Everyone else", 1), ("Service reads", 2)]

    # A second policy for all clients, then moved above the first one.
    page.get_by_role("button", name="Add Policy").click()
    dialog = page.get_by_role("dialog", name="Add Policy")
    dialog.get_by_label("Name").fill("Everyone")
    dialog.get_by_label("Description").fill("Any client")
    expect(dialog.get_by_label("All clients")).to_be_checked()
    dialog.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("heading", name="Rules of Everyone")).to_be_visible()
    expect(page.get_by_text("This policy has no rules yet")).to_be_visible()
    assert [(p["name"], p["priority"]) for p in _policies(admin, sid)] == [("Services", 1), ("Everyone", 2)]
    page.get_by_role("button", name="Move Everyone up").click()
    expect(page.locator(".pol-item").first).to_contain_text("Everyone")
    moved = _policies(admin, sid)
    assert [(p["name"], p["priority"]) for p in moved] == [("Everyone", 1), ("Services", 2)]
    assert moved[1]["conditions"]["clients"]["include"] == [service["client_id"]]  # the rest is unchanged
    assert moved[1]["status"] == "ACTIVE"

    # Back to the first policy: its two rules, for the screenshot.
    page.get_by_role("link", name="Services", exact=True).click()
    expect(page.get_by_role("heading", name="Rules of Services")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("location.hash").endswith(f"?policy={policy['id']}")
    console.axe()
    expect(page.locator(".toast")).to_have_count(0)  # the confirmations fade after 5 s: a clean screenshot
    console.shot("policies")
    console.no_console_errors()


def test_the_apis_rule_errors_show_next_to_their_fields(console, admin):
    server = admin.server(f"rule-errors-{uuid.uuid4().hex[:8]}")
    sid = server["id"]
    policy = admin.policy(sid, ["ALL_CLIENTS"])
    page = console.page
    console.go(f"#/servers/{sid}/policies")
    expect(page.get_by_role("heading", name=f"Rules of {policy['name']}")).to_be_visible()
    page.get_by_role("button", name="Add Rule").click()
    dialog = page.get_by_role("dialog", name=f"Add Rule to {policy['name']}")
    dialog.get_by_label("Rule name").fill("Too short")
    dialog.get_by_label("Client Credentials").uncheck()
    dialog.get_by_label("Authorization Code").uncheck()
    dialog.get_by_label("Expires after a fixed time").check()
    dialog.get_by_label("Refresh token lifetime (minutes)").fill("30")
    dialog.get_by_role("button", name="Create rule").click()
    grants = dialog.locator('[data-path="conditions.grantTypes.include"]')
    expect(grants.locator(".field-error").first).to_have_text("The field cannot be left blank.")
    refresh = dialog.locator('[data-path="actions.token.refreshTokenLifetimeMinutes"]')
    expect(refresh.locator(".field-error").first).to_contain_text("at least the access token lifetime")
    expect(dialog.get_by_label("Client Credentials")).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("alert")).to_contain_text("Api validation failed: rule")
    console.axe("document.querySelector('dialog')")
    console.shot("rule-error")
    assert _rules(admin, sid, policy["id"]) == []

    # A user grant with "the following" people but nobody chosen: the people condition is blamed.
    dialog.get_by_label("Authorization Code").check()
    dialog.get_by_label("Assigned the app and a member of one of the following:").check()
    dialog.get_by_label("Refresh token lifetime (minutes)").fill("20160")
    dialog.get_by_role("button", name="Create rule").click()
    people = dialog.locator('[data-path="conditions.people"]')
    expect(people.locator(".field-error").first).to_contain_text("must include users or groups")
    expect(grants.locator(".field-error").first).to_be_hidden()
    expect(refresh.locator(".field-error").first).to_be_hidden()

    dialog.get_by_label("Any user assigned the app").check()
    dialog.get_by_role("button", name="Create rule").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    [rule] = _rules(admin, sid, policy["id"])
    assert rule["name"] == "Too short" and rule["actions"]["token"]["refreshTokenLifetimeMinutes"] == 20160
    assert rule["conditions"]["grantTypes"]["include"] == ["authorization_code"]
    console.no_console_errors(expected_refusals=(400,))


def test_a_rule_for_groups_and_users_then_lifecycle_and_deletion(console, admin):
    tag = uuid.uuid4().hex[:8]
    server = admin.server(f"rule-people-{tag}")
    sid = server["id"]
    policy = admin.policy(sid, ["ALL_CLIENTS"])
    rule = admin.rule(sid, policy["id"], ["authorization_code"], ["EVERYONE"])
    person = admin.user(f"rule-person-{tag}@example.com", "Quiet-Harb0ur-42x")
    group = admin.call("POST", "/api/v1/groups", 200, {"profile": {"name": f"Sales {tag}", "description": "e2e"}})
    policy_path = f"/api/v1/authorizationServers/{sid}/policies/{policy['id']}"
    rule_path = f"{policy_path}/rules/{rule['id']}"
    try:
        page = console.page
        console.go(f"#/servers/{sid}/policies?policy={policy['id']}")
        expect(page.locator("tr", has_text=rule["name"])).to_contain_text("Any user assigned the app")

        # Edit: a group and a user found by searching the directory.
        page.get_by_role("button", name=f"Edit {rule['name']}").click()
        dialog = page.get_by_role("dialog", name=f"Edit rule: {rule['name']}")
        dialog.get_by_label("Assigned the app and a member of one of the following:").check()
        dialog.get_by_label(f"Sales {tag}").check()
        dialog.get_by_label("Users: find a user").fill(f"rule-person-{tag}")
        dialog.get_by_role("button", name=f"Add Browser Tester (rule-person-{tag}@example.com)").click()
        chosen = f"Browser Tester (rule-person-{tag}@example.com)"
        expect(dialog.get_by_role("button", name=f"Remove {chosen}")).to_be_visible()
        dialog.get_by_label("Resource Owner Password").check()
        dialog.get_by_label("Expires after a fixed time").check()
        dialog.get_by_label("Refresh token lifetime (minutes)").fill("43200")
        dialog.get_by_label("Refresh token expires if not used every (minutes)").fill("1440")
        expect(dialog.get_by_text("30 days · at least the access token lifetime")).to_be_visible()
        console.axe("document.querySelector('dialog')")
        page.set_viewport_size({"width": 1366, "height": 1500})  # the whole dialog in the screenshot
        dialog.locator(".modal-body").evaluate("el => { el.scrollTop = 0; }")
        console.shot("rule-edit")
        page.set_viewport_size(VIEWPORT)
        dialog.get_by_role("button", name="Save rule").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        row = page.locator("tr", has_text=rule["name"])
        expect(row).to_contain_text(f"Groups: Sales {tag}")
        expect(row).to_contain_text(f"Users: rule-person-{tag}@example.com")
        expect(row).to_contain_text("30 days")
        saved = admin.call("GET", rule_path, 200)
        people = saved["conditions"]["people"]
        assert people["groups"]["include"] == [group["id"]] and people["users"]["include"] == [person["id"]]
        assert sorted(saved["conditions"]["grantTypes"]["include"]) == ["authorization_code", "password"]
        assert saved["actions"]["token"] == {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 43200,
                                             "refreshTokenWindowMinutes": 1440}
        assert saved["status"] == "ACTIVE" and saved["name"] == rule["name"]

        # Rule: deactivate, activate.
        page.get_by_role("button", name=f"Deactivate {rule['name']}").click()
        expect(page.get_by_role("button", name=f"Activate {rule['name']}")).to_be_focused()
        expect(row.locator(".badge", has_text="INACTIVE")).to_be_visible()
        assert admin.call("GET", rule_path, 200)["status"] == "INACTIVE"
        page.get_by_role("button", name=f"Activate {rule['name']}").click()
        expect(page.get_by_role("button", name=f"Deactivate {rule['name']}")).to_be_visible()
        assert admin.call("GET", rule_path, 200)["status"] == "ACTIVE"

        # Policy: deactivate, activate.
        page.get_by_role("button", name=f"Deactivate {policy['name']}").click()
        expect(page.locator(".pol-item.current .badge")).to_have_text("INACTIVE")
        assert admin.call("GET", policy_path, 200)["status"] == "INACTIVE"
        page.get_by_role("button", name=f"Activate {policy['name']}").click()
        expect(page.locator(".pol-item.current .badge")).to_have_text("ACTIVE")
        assert admin.call("GET", policy_path, 200)["status"] == "ACTIVE"

        # Delete the rule: cancelling keeps it; confirming deletes it.
        page.get_by_role("button", name=f"Delete {rule['name']}").click()
        confirm = page.get_by_role("dialog", name="Delete rule")
        console.axe("document.querySelector('dialog')")
        confirm.get_by_role("button", name="Cancel").click()
        admin.call("GET", rule_path, 200)
        page.get_by_role("button", name=f"Delete {rule['name']}").click()
        page.get_by_role("dialog", name="Delete rule").get_by_role("button", name="Delete rule").click()
        expect(page.get_by_text("This policy has no rules yet")).to_be_visible()
        admin.call("GET", rule_path, 404)

        # Delete the policy.
        page.get_by_role("button", name=f"Delete {policy['name']}").click()
        page.get_by_role("dialog", name="Delete access policy").get_by_role("button", name="Delete policy").click()
        expect(page.get_by_text("This authorization server has no access policy")).to_be_visible()
        admin.call("GET", policy_path, 404)
        console.axe()
        console.no_console_errors()
    finally:
        admin.call("DELETE", f"/api/v1/groups/{group['id']}", 204)


def test_the_default_rule_of_the_default_policy_cannot_move(console, admin):
    default = next(s for s in admin.call("GET", "/api/v1/authorizationServers", 200) if s["default"])
    sid = default["id"]
    [policy] = [p for p in _policies(admin, sid) if p["name"] == "Default Policy"]
    default_rule = _rules(admin, sid, policy["id"])[-1]  # the default rule: always last
    assert default_rule["name"] == "Default Policy Rule"
    added = admin.rule(sid, policy["id"], ["client_credentials"], [])
    try:
        page = console.page
        console.go(f"#/servers/{sid}/policies?policy={policy['id']}")
        rows = page.locator("tbody tr")
        expect(rows.last).to_contain_text(default_rule["name"])
        expect(rows.last).to_contain_text("Default rule · always last")
        expect(rows.filter(has_text="Default rule · always last")).to_have_count(1)
        expect(page.get_by_role("button", name=f"Move {default_rule['name']} up")).to_have_count(0)
        expect(page.get_by_role("button", name=f"Move {default_rule['name']} down")).to_have_count(0)
        # The rule added last goes just before it and cannot go below it.
        expect(rows.nth(rows.count() - 2)).to_contain_text(added["name"])
        expect(page.get_by_role("button", name=f"Move {added['name']} down")).to_be_disabled()
        assert [r["id"] for r in _rules(admin, sid, policy["id"])][-2:] == [added["id"], default_rule["id"]]
        # What the console does not offer, the API refuses.
        moved = {**default_rule, "priority": 1}
        for key in ("id", "created", "lastUpdated", "_links", "system"):
            moved.pop(key, None)
        admin.call("PUT", f"/api/v1/authorizationServers/{sid}/policies/{policy['id']}/rules/{default_rule['id']}",
                   400, moved)
        console.axe()
        console.no_console_errors()
    finally:
        admin.call("DELETE", f"/api/v1/authorizationServers/{sid}/policies/{policy['id']}/rules/{added['id']}", 204)


def test_a_read_only_admin_sees_policies_and_rules_but_no_write_control(browser, stack, admin):
    server = admin.server(f"policies-ro-{uuid.uuid4().hex[:8]}")
    sid = server["id"]
    first = admin.policy(sid, ["ALL_CLIENTS"])
    admin.policy(sid, ["ALL_CLIENTS"])
    rule = admin.rule(sid, first["id"], ["authorization_code"], ["EVERYONE"])
    reader = make_person(admin, "READ_ONLY_ADMIN")
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, reader)
        page = tab.page
        tab.go(f"#/servers/{sid}/policies")
        tab.heading(server["name"])
        expect(page.get_by_role("link", name=first["name"], exact=True)).to_be_visible()
        expect(page.locator("tr", has_text=rule["name"])).to_contain_text("Any user assigned the app")
        expect(page.locator(".pol-item")).to_have_count(2)
        expect(page.locator("main button")).to_have_count(0)  # no Add, Edit, Move, Activate, Deactivate or Delete
        for name in ("Add Policy", "Add Rule", f"Edit {rule['name']}", f"Move {rule['name']} up",
                     f"Delete {first['name']}"):
            expect(page.get_by_role("button", name=name)).to_have_count(0)
        tab.axe()
        tab.no_console_errors()
    finally:
        context.close()
