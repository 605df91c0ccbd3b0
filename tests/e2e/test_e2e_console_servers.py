"""The admin console in Chromium (issue 18): signing in, the list of authorization servers (the seed's search) and
adding one, with the checks every page must pass (no console errors, no CSP violation, axe-core)."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from console_support import admin, browser, console, super_admin  # noqa: F401 - fixtures


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
