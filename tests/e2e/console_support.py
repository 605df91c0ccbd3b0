"""Helpers for the admin console's browser tests (issue 18; ``test_e2e_console_*.py``): Debian's Chromium driven by
Playwright against the local stack, an admin person signed in through the real sign-in page, and the checks every
page must pass: no console errors (a CSP violation is one), no serious accessibility violations (axe-core from npm,
``make test`` installs it with ``npm ci``), and a screenshot.

Screenshots go to ``$TOKENMINT_CONSOLE_SCREENSHOTS`` (``docs/console/`` when refreshing the docs) or a temporary
folder. If Chromium or axe-core is missing the tests fail with what to do; they are never skipped.
"""
from __future__ import annotations

import os
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from browser_support import Admin, launch_chromium

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 20_000
PASSWORD = "Quiet-Harb0ur-42x"
VIEWPORT = {"width": 1366, "height": 860}
SERIOUS = ("serious", "critical")
expect.set_options(timeout=TIMEOUT_MS)
SHOTS = Path(os.environ.get("TOKENMINT_CONSOLE_SCREENSHOTS") or tempfile.mkdtemp(prefix="console-shots-"))
# Chromium reports every HTTP error answer of a fetch as a console error; a test that makes the API refuse something
# on purpose (a validation error shown next to its field) says which statuses it expects.
_RESOURCE = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})")


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make test` (it runs `npm ci`), or `npm ci` in {REPO_ROOT}.")
    return AXE.read_text(encoding="utf-8")


@dataclass
class ConsoleTab:
    """One browser context and page, with what the page said on its console."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)
    refusals: list[int] = field(default_factory=list)  # HTTP statuses of API answers the browser reported

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base_url}/admin{route}")

    def go(self, route: str) -> None:
        """A console route (``#/servers``) in the already signed-in tab."""
        self.page.evaluate("""route => {
            if (location.hash === route) window.dispatchEvent(new HashChangeEvent('hashchange'));
            else location.hash = route;
        }""", route)

    def heading(self, text: str) -> None:
        expect(self.page.locator("h1#page-title")).to_have_text(text, timeout=TIMEOUT_MS)

    def csp_violations(self) -> list[str]:
        """What the page's Content-Security-Policy refused since the page loaded (``securitypolicyviolation``)."""
        return list(self.page.evaluate("() => window.__cspViolations || []"))

    def no_console_errors(self, expected_refusals: tuple[int, ...] = ()) -> None:
        unexpected = [s for s in self.refusals if s not in expected_refusals]
        assert not self.errors and not unexpected, (self.errors, self.refusals)
        assert not self.csp_violations()

    def axe(self, context: str = "document") -> None:
        """No serious or critical accessibility violation on the page as it is now."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())  # evaluated by the DevTools protocol: the page's CSP is not involved
        result = self.page.evaluate(f"() => axe.run({context}, {{resultTypes: ['violations']}})")
        serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
                   for v in result["violations"] if v["impact"] in SERIOUS]
        assert not serious, serious

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@dataclass
class Person:
    login: str
    password: str
    user_id: str


def make_person(admin: Admin, role: str | None, tag: str | None = None) -> Person:
    tag = tag or uuid.uuid4().hex[:8]
    login = f"console-{tag}@example.com"
    user = admin.user(login, PASSWORD)
    if role:
        admin.call("POST", f"/api/v1/users/{user['id']}/roles", 201, {"type": role})
    return Person(login=login, password=PASSWORD, user_id=user["id"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def admin(stack: Any, http: requests.Session) -> Iterator[Admin]:
    made = Admin(http, stack.base_url, stack.token)
    try:
        yield made
    finally:
        made.cleanup()


@pytest.fixture(scope="module")
def super_admin(admin: Admin) -> Person:
    return make_person(admin, "SUPER_ADMIN")


def new_tab(browser: Browser, base_url: str) -> tuple[Any, ConsoleTab]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    # Runs before the page's own scripts in every document (injected by the DevTools protocol, outside the CSP).
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    tab = ConsoleTab(page=page, base_url=base_url)

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        refused = _RESOURCE.match(message.text)
        if refused and "/api/v1/" in (message.location or {}).get("url", ""):
            tab.refusals.append(int(refused.group(1)))
        else:
            tab.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: tab.errors.append(f"uncaught: {exc}"))
    return context, tab


def sign_in(tab: ConsoleTab, person: Person, route: str = "") -> None:
    """Open the console, sign in on the org sign-in page, and land on the console signed in."""
    tab.open(route)
    page = tab.page
    page.wait_for_url(re.compile(r".*/oauth2/v1/org/signin.*|.*/oauth2/v1/authorize.*"), timeout=TIMEOUT_MS)
    page.get_by_label("Username").fill(person.login)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who-name")).to_be_visible(timeout=TIMEOUT_MS)


@pytest.fixture
def console(browser: Browser, stack: Any, super_admin: Person) -> Iterator[ConsoleTab]:
    """A tab signed in as a super administrator, on the list of authorization servers."""
    context, tab = new_tab(browser, stack.base_url)
    try:
        sign_in(tab, super_admin)
        tab.heading("Authorization Servers")
        yield tab
    finally:
        context.close()
