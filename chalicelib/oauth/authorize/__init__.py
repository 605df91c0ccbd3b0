"""The front channel: ``/v1/authorize``, the hosted sign-in and consent pages, ``/v1/logout`` (``flow.py``), their
parameters (``params.py``), redirect URI matching (``redirect_uris.py``), requests waiting for a page and the CSRF
protection of the forms (``pending.py``), and the plain-data request/response types (``browser.py``)."""
from __future__ import annotations

from .browser import BrowserRequest, BrowserResponse, Cookie, FormPost, Page, PageError, Redirect, RedirectError
from .flow import FrontChannel

__all__ = ["BrowserRequest", "BrowserResponse", "Cookie", "FormPost", "FrontChannel", "Page", "PageError",
           "Redirect", "RedirectError"]
