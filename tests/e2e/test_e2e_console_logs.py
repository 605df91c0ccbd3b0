"""The admin console's System Log in Chromium (issue 18, page 8): an object page links to its events (a change made
in the console is found there, by the person who made it); a row opens to the full event; the filters (object,
event type, outcome, time range, free text) narrow the list and live in the route; "Load more" follows the API's
next link; an API refusal of a filter shows next to that filter. Every state passes axe-core and has no console
error or CSP violation."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures

SERVERS = "/api/v1/authorizationServers"


def _route(page: Any) -> tuple[str, dict[str, list[str]]]:
    """The console route the tab shows and its query."""
    hash_ = page.evaluate("location.hash")
    parts = urlsplit(hash_[1:])
    return parts.path, parse_qs(parts.query)


def _service_app(admin: Any, label: str) -> dict[str, Any]:
    made = admin.call("POST", "/api/v1/apps", 200, {
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": label,
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"],
                                     "response_types": ["token"]}}})
    admin._undo.append(("client", made["id"]))
    return made


def test_a_change_made_in_the_console_is_one_click_away_in_the_system_log(console, admin, super_admin):
    server = admin.server(f"audited-{uuid.uuid4().hex[:8]}")
    sid = server["id"]
    page = console.page
    console.go(f"#/servers/{sid}/settings")
    console.heading(server["name"])
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Description").fill("Tokens for the audited API")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Tokens for the audited API")).to_be_visible()

    page.get_by_role("link", name="View in System Log").click()
    console.heading("System Log")
    assert _route(page) == ("/logs", {"target": [sid]})
    expect(page.get_by_label("Object ID")).to_have_value(sid)
    rows = page.locator("tr.log-row")
    expect(rows).to_have_count(2)
    # Newest first: the console's edit, by the person signed in; then the creation, by the API token.
    expect(rows.nth(0)).to_contain_text("Update authorization server")
    expect(rows.nth(0)).to_contain_text("oauth2.as.updated")
    expect(rows.nth(0)).to_contain_text("Browser Tester")
    expect(rows.nth(0).locator(".badge")).to_have_text("SUCCESS")
    expect(rows.nth(0)).to_contain_text(server["name"])
    expect(rows.nth(1)).to_contain_text("oauth2.as.created")
    expect(page.get_by_role("status").filter(has_text="events")).to_have_text("2 events, newest first · no more events")
    console.axe()

    # A row opens to the whole event: the change, from and to.
    toggle = rows.nth(0).get_by_role("button", name="Event details: oauth2.as.updated")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    detail = page.locator("tr.log-detail").nth(0)
    expect(detail).to_be_visible()
    expect(detail).to_contain_text('"eventType": "oauth2.as.updated"')
    expect(detail).to_contain_text('"description": "Tokens for the audited API"')
    expect(detail).to_contain_text(super_admin.user_id)
    console.axe()
    console.shot("system-log")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(detail).to_be_hidden()

    # The API holds the same events for the same filter.
    events = admin.call("GET", f"/api/v1/logs?sortOrder=DESCENDING&filter=target.id+eq+%22{sid}%22", 200)
    assert [e["eventType"] for e in events] == ["oauth2.as.updated", "oauth2.as.created"]
    assert events[0]["actor"]["id"] == super_admin.user_id
    console.no_console_errors()


def test_filters_by_outcome_type_and_text_live_in_the_route(console, admin, stack, http):
    app = _service_app(admin, f"Log filters {uuid.uuid4().hex[:8]}")
    app_id = app["id"]
    refused = http.post(f"{stack.base_url}/oauth2/default/v1/token", auth=(app_id, "not-the-secret"),
                        data={"grant_type": "client_credentials"}, timeout=30)
    assert refused.status_code == 401
    page = console.page
    console.go(f"#/logs?target={app_id}")
    console.heading("System Log")
    rows = page.locator("tr.log-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("app.oauth2.as.token.grant")
    expect(rows.nth(1)).to_contain_text("application.lifecycle.create")

    # Outcome: only the refused token request.
    page.get_by_label("Outcome").select_option("FAILURE")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator(".badge")).to_have_text("FAILURE")
    expect(rows.nth(0)).to_contain_text("invalid_client")
    assert _route(page) == ("/logs", {"target": [app_id], "outcome": ["FAILURE"]})
    console.axe()

    # Event type: a family (prefix*) and an exact type.
    page.get_by_label("Outcome").select_option("")
    page.get_by_label("Event type").fill("application.lifecycle.*")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("application.lifecycle.create")
    page.get_by_label("Event type").fill("app.oauth2.as.token.grant")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("app.oauth2.as.token.grant")
    page.get_by_label("Event type").fill("application.lifecycle.delete")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No events match these filters in this time range.")).to_be_visible()
    console.axe()

    # Free text (Okta's q): every word must appear.
    page.get_by_label("Event type").fill("")
    page.get_by_label("Search text").fill("invalid_client client_credentials")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("app.oauth2.as.token.grant")
    filtered = page.evaluate("location.hash")
    assert _route(page) == ("/logs", {"target": [app_id], "q": ["invalid_client client_credentials"]})

    # The filtered view is a link: opened afresh, it shows the same filters and events.
    console.go("#/apps")
    console.heading("Applications")
    console.go(filtered)
    console.heading("System Log")
    expect(page.get_by_label("Search text")).to_have_value("invalid_client client_credentials")
    expect(page.get_by_label("Object ID")).to_have_value(app_id)
    expect(rows).to_have_count(1)

    # The API's refusal of a filter shows next to it.
    page.get_by_label("Search text").fill("x" * 41)
    page.get_by_role("button", name="Apply filters").click()
    search = page.locator(".field", has=page.get_by_label("Search text"))
    expect(search.locator(".field-error")).to_contain_text("cannot contain items longer than 40 characters")
    expect(page.get_by_label("Search text")).to_have_attribute("aria-invalid", "true")
    console.axe()

    # Clear filters: every event again, the route bare.
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_label("Object ID")).to_have_value("")
    assert _route(page) == ("/logs", {})
    expect(rows.first).to_be_visible()
    console.no_console_errors(expected_refusals=(400,))


def test_load_more_follows_the_next_link(console, admin):
    server = admin.server(f"busy-{uuid.uuid4().hex[:8]}")
    sid = server["id"]
    for n in range(24):
        admin.call("PUT", f"{SERVERS}/{sid}", 200, {
            "name": server["name"], "audiences": server["audiences"], "description": f"revision {n}"})
    page = console.page
    console.go(f"#/logs?target={sid}")
    console.heading("System Log")
    page.get_by_label("Events per page").select_option("20")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tr.log-row")
    expect(rows).to_have_count(20)
    assert _route(page) == ("/logs", {"target": [sid], "limit": ["20"]})
    status = page.get_by_role("status").filter(has_text="events")
    expect(status).to_have_text("20 events, newest first")
    rows.nth(0).get_by_role("button").click()
    expect(page.locator("tr.log-detail").nth(0)).to_contain_text('"description": "revision 23"')
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(25)
    expect(status).to_have_text("25 events, newest first · no more events")
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    expect(rows.nth(24)).to_contain_text("oauth2.as.created")
    # Each event once, in the API's order.
    shown = page.locator("tr.log-row").evaluate_all("rows => rows.map(r => r.dataset.uuid)")
    every = admin.call("GET", f"/api/v1/logs?sortOrder=DESCENDING&filter=target.id+eq+%22{sid}%22", 200)
    assert shown == [e["uuid"] for e in every] and len(set(shown)) == 25
    console.axe()
    console.no_console_errors()


def test_a_time_range_bounds_the_events(console, admin):
    server = admin.server(f"timed-{uuid.uuid4().hex[:8]}")
    sid = server["id"]
    page = console.page
    console.go(f"#/logs?target={sid}")
    console.heading("System Log")
    expect(page.get_by_label("From", exact=True)).to_be_hidden()
    page.get_by_label("Time range").select_option("15m")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr.log-row")).to_have_count(1)
    assert _route(page) == ("/logs", {"target": [sid], "range": ["15m"]})

    # A custom range that ended before the server existed: nothing.
    page.get_by_label("Time range").select_option("custom")
    now = datetime.now()
    page.get_by_label("From", exact=True).fill((now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No events match these filters in this time range.")).to_be_visible()
    path, query = _route(page)
    assert path == "/logs" and query["range"] == ["custom"] and set(query) == {"target", "range", "since", "until"}
    since = datetime.fromisoformat(query["since"][0].replace("Z", "+00:00"))
    assert abs((datetime.now().astimezone() - since) - timedelta(hours=3)) < timedelta(minutes=2)
    console.axe()

    # A range that ends before it starts: the API says so next to "From".
    page.get_by_label("From", exact=True).fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Apply filters").click()
    since_field = page.locator(".field", has=page.get_by_label("From", exact=True))
    expect(since_field.locator(".field-error")).to_contain_text("must not be later than 'until'")
    console.axe()

    # Up to now: the server's creation again.
    page.get_by_label("From", exact=True).fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr.log-row")).to_have_count(1)
    expect(page.locator("tr.log-row")).to_contain_text("oauth2.as.created")
    console.no_console_errors(expected_refusals=(400,))
