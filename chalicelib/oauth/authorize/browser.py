"""What the browser-facing endpoints (authorize, sign-in, consent, logout) take and give, as plain data: the API
layer (``api/authorize.py``, ``api/pages.py``) turns a ``BrowserResponse`` into HTTP, HTML and cookies."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from ...audit.event import Origin
from ...policy import Decision


@dataclass(frozen=True)
class BrowserRequest:
    server_id: str
    base_url: str
    method: str
    # Every parameter with all its values (query string for GET, form body for POST): repeated parameters must be
    # detected (security-checklist REDIR-11), so nothing is collapsed here.
    params: Mapping[str, tuple[str, ...]]
    cookies: Mapping[str, str] = field(default_factory=dict)
    # Came through the org authorization server's routes (``/oauth2/v1/…``): only those reach its configuration.
    org: bool = False
    # Who sent it (for the System Log's events).
    origin: Origin | None = None

    @property
    def posted(self) -> bool:
        return self.method.upper() == "POST"

    def first(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Cookie:
    """A cookie to set (``max_age`` seconds; 0 deletes it; None: until the browser closes). The API layer adds
    ``Path=/oauth2; HttpOnly; SameSite=Lax`` and ``Secure`` when the base URL is https."""

    name: str
    value: str
    max_age: int | None = None


@dataclass(frozen=True)
class Redirect:
    location: str
    # 302 after a GET, 303 after a POST (never 307 after credentials: security-checklist WEB-02).
    status: int = 302


@dataclass(frozen=True)
class FormPost:
    """``response_mode=form_post``: an HTML form that posts ``fields`` to ``action`` (the client's redirect URI)."""

    action: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Page:
    """A hosted page: ``template`` is ``signin``, ``consent``, ``error``, ``signed_out``, ``logout_confirm`` or
    ``still_signed_in``; ``values`` are rendered HTML-escaped."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


Body = Union[Redirect, FormPost, Page]


@dataclass
class BrowserResponse:
    body: Body
    cookies: list[Cookie] = field(default_factory=list)


class PageError(Exception):
    """An error shown as a page, never redirected (a bad client_id or redirect_uri, an expired or forged sign-in
    form, a bad logout request; security-checklist REDIR-03)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def page(self) -> Page:
        return Page("error", {"error": self.error, "description": self.description}, self.status)


class RedirectError(Exception):
    """An error sent back to the client's (validated) redirect URI with ``error``, ``error_description``,
    ``state`` and ``iss`` (RFC 6749 4.1.2.1, RFC 9207)."""

    def __init__(self, error: str, description: str, decision: Decision | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.decision = decision  # the policy decision that refused, for the System Log's event
