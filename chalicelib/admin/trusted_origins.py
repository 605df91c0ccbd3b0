"""Trusted origins (Okta's Trusted Origins API, ``/api/v1/trustedOrigins``): CRUD, list and search, lifecycle.

An origin is what a browser sends in its ``Origin`` header: ``scheme://host[:port]`` and nothing else (no path, no
query, fragment, user info or wildcard; a lone trailing ``/``, as a URL bar shows it, is dropped). It is stored
normalised: scheme and host in lower case, the scheme's default port left out (a browser never sends ``:443`` for
https), so that comparing a request's ``Origin`` with it is an exact string comparison (oauth/cors.py). Origins and
names are unique (names case-insensitively).

tokenmint acts on the ``CORS`` scope of ACTIVE trusted origins (browser apps may call the OAuth endpoints); ``REDIRECT``
and ``IFRAME_EMBED`` are stored and rendered as Okta does, for compatibility, and change nothing else.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from typing import Any, Callable, TypeVar, cast

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, CORS, IFRAME_EMBED, INACTIVE, REDIRECT, TrustedOrigin, TrustedOriginScope
from ..errors import NotFoundError, ValidationError
from ..ports import L_NAME, L_ORIGIN, TrustedOriginStore, origin_name_key
from . import directory_search as search
from .common import changed_meanwhile, check_if_match, guarded, page
from .validation import Fields, require_object

T = TypeVar("T")

TARGET = "trustedOrigin"
ORIGIN_TYPE = "TrustedOrigin"  # "Not found: Resource not found: {id} (TrustedOrigin)"
SCOPE_TYPES = (CORS, REDIRECT, IFRAME_EMBED)
ALLOWED_OKTA_APPS = ("OKTA_ENDUSER",)
NAME_MAX = ORIGIN_MAX = 255  # Okta's TrustedOriginName, TrustedOriginOrigin
MAX_SCOPES = 3
# Okta: "The supported schemes for this attribute are HTTP, HTTPS, FTP, Ionic 2, and Capacitor."
SCHEMES = {"http": 80, "https": 443, "ftp": 21, "ionic": None, "capacitor": None}

FILTER_ATTRIBUTES: dict[str, str] = {"name": search.TEXT, "origin": search.TEXT, "status": search.ENUM,
                                     "type": search.ENUM}

_ORIGIN = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^/?#:\[\]@]+)"
                     r"(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

ORIGIN_FORM = "Must be an origin: scheme://host[:port], without a path, query, fragment, user info or wildcard."


def duplicate_cause(field: str) -> str:
    return f"{field}: An object with this field already exists in the current organization"


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "The host is not a valid IPv6 address."
        return None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return "The host must be a DNS name (ASCII letters, digits and hyphens; punycode for others) or an IP address."
    return None


def normalise_origin(raw: str) -> tuple[str | None, str | None]:
    """(the normalised origin, None) or (None, what is wrong with it)."""
    candidate = raw.strip()
    if candidate.endswith("/") and candidate.count("/") == 3:  # "https://app.example.com/" as pasted from a URL bar
        candidate = candidate[:-1]
    match = _ORIGIN.fullmatch(candidate)
    if not match or "*" in raw:
        return None, ORIGIN_FORM
    scheme = match.group("scheme").lower()
    if scheme not in SCHEMES:
        return None, f"The scheme must be one of: {', '.join(SCHEMES)}."
    host = match.group("host").lower()
    if problem := _host_problem(host):
        return None, problem
    port = match.group("port")
    if port is not None:
        number = int(port)
        if not 1 <= number <= 65535:
            return None, "The port must be between 1 and 65535."
        port = None if number == SCHEMES[scheme] else str(number)
    return f"{scheme}://{host}{':' + port if port else ''}", None


def read_scopes(f: Fields) -> tuple[TrustedOriginScope, ...]:
    if not f.given("scopes"):
        f.error("scopes", "The field cannot be left blank.")
        return ()
    raw = f.raw("scopes")
    if not isinstance(raw, list):
        f.error("scopes", "Must be a list of scope objects.")
        return ()
    if len(raw) > MAX_SCOPES:
        f.error("scopes", f"Must hold at most {MAX_SCOPES} scopes.")
        return ()
    scopes: list[TrustedOriginScope] = []
    for i, entry in enumerate(raw):
        where = f"scopes[{i}]"
        if not isinstance(entry, dict):
            f.error(where, "Must be an object with a type.")
            continue
        kind = entry.get("type")
        if kind not in SCOPE_TYPES:
            f.error(f"{where}.type", f"Must be one of: {', '.join(SCOPE_TYPES)}.")
            continue
        apps = entry.get("allowedOktaApps")
        if apps in (None, []):
            apps = []
        elif kind != IFRAME_EMBED:
            f.error(f"{where}.allowedOktaApps", f"Only a scope of type {IFRAME_EMBED} takes allowedOktaApps.")
            continue
        elif not isinstance(apps, list) or any(app not in ALLOWED_OKTA_APPS for app in apps):
            f.error(f"{where}.allowedOktaApps", f"Must be a list of: {', '.join(ALLOWED_OKTA_APPS)}.")
            continue
        if any(s.type == kind for s in scopes):
            f.error(where, f"The scope type {kind} is given twice.")
            continue
        scopes.append(TrustedOriginScope(kind, tuple(dict.fromkeys(apps))))
    return tuple(scopes)


def read_origin(body: Any) -> tuple[str, str, tuple[TrustedOriginScope, ...]]:
    """The name, normalised origin and scopes of a POST or PUT body. Read-only members a GET-modify-PUT sends back
    (``id``, ``status``, ``created``, ``_links``…) are ignored; status changes only through the lifecycle."""
    f = Fields(require_object(body), TARGET)
    name = f.string("name", required=True, max_len=NAME_MAX)
    if name and any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        f.error("name", "Must not contain control characters.")
    raw_origin = f.string("origin", required=True, max_len=ORIGIN_MAX)
    origin = None
    if raw_origin and len(raw_origin) <= ORIGIN_MAX:
        origin, problem = normalise_origin(raw_origin)
        if problem:
            f.error("origin", problem)
    scopes = read_scopes(f)
    f.check()
    return name or "", origin or "", scopes


def attribute_of(origin: TrustedOrigin, name: str) -> Any:
    if name == "type":
        return tuple(s.type for s in origin.scopes)
    return {"name": origin.name, "origin": origin.origin, "status": origin.status}.get(name)


def list_key(origin: TrustedOrigin) -> str:
    return f"{origin.created.isoformat()}#{origin.id}"


class TrustedOriginService:
    def __init__(self, repo: TrustedOriginStore, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    # -- reads -----------------------------------------------------------------------------------------------------

    def get(self, origin_id: str) -> TrustedOrigin:
        found = self._repo.get(origin_id) if re.fullmatch(r"[A-Za-z0-9]{1,64}", origin_id or "") else None
        if found is None:
            raise NotFoundError(origin_id, ORIGIN_TYPE)
        return found

    def list(self, *, q: str | None = None, filter_expr: str | None = None, limit: int = 200,
             after: str | None = None) -> tuple[list[TrustedOrigin], str | None]:
        """In creation order. ``q``: a case-insensitive prefix of the name or the origin; ``filter``: Okta's
        expression over ``name``, ``origin``, ``status`` and ``type`` (a scope type the origin has)."""
        tree = search.parse(filter_expr, search.FILTER, FILTER_ATTRIBUTES) if filter_expr else None
        found = self._repo.list()
        if q:
            needle = q.casefold()
            found = [o for o in found if o.name.casefold().startswith(needle) or o.origin.startswith(needle)]
        if tree is not None:
            # mypy cannot infer a lambda with a default argument (o=o) from its context: the cast states its type.
            found = [o for o in found
                     if search.matches(tree, cast("Callable[[str], Any]", lambda name, o=o: attribute_of(o, name)))]
        return page(found, list_key, limit, after)

    # -- writes ----------------------------------------------------------------------------------------------------

    def _write(self, call: Callable[[], T], origin_id: str) -> T:
        return guarded(call, [(L_ORIGIN, lambda: ValidationError(TARGET, [duplicate_cause("origin")])),
                              (L_NAME, lambda: ValidationError(TARGET, [duplicate_cause("name")]))],
                       changed_meanwhile(ORIGIN_TYPE, origin_id))

    def _check_unique(self, name: str, origin: str, except_id: str | None) -> None:
        """Both duplicates at once, in the error (the markers would report them too, but a transaction reports
        only the failed conditions it evaluated)."""
        causes = []
        others = [o for o in self._repo.list() if o.id != except_id]
        if any(o.origin == origin for o in others):
            causes.append(duplicate_cause("origin"))
        if any(origin_name_key(o.name) == origin_name_key(name) for o in others):
            causes.append(duplicate_cause("name"))
        if causes:
            raise ValidationError(TARGET, causes)

    def create(self, body: Any, actor: str | None) -> TrustedOrigin:
        name, origin, scopes = read_origin(body)
        self._check_unique(name, origin, None)
        now = self._clock.now()
        created = TrustedOrigin(id=ids.new_id(ids.TRUSTED_ORIGIN), name=name, origin=origin, scopes=scopes,
                                status=ACTIVE, created=now, created_by=actor, last_updated=now, last_updated_by=actor)
        return self._write(lambda: self._repo.create(created), created.id)

    def replace(self, origin_id: str, body: Any, actor: str | None, expected_version: int | None = None
                ) -> TrustedOrigin:
        current = self.get(origin_id)
        check_if_match(current.version, expected_version)
        name, origin, scopes = read_origin(body)
        self._check_unique(name, origin, current.id)
        updated = replace(current, name=name, origin=origin, scopes=scopes, last_updated=self._clock.now(),
                          last_updated_by=actor)
        return self._write(lambda: self._repo.replace(current, updated), origin_id)

    def set_status(self, origin_id: str, status: str, actor: str | None) -> TrustedOrigin:
        """Activate or deactivate; doing it again changes nothing (and writes nothing)."""
        current = self.get(origin_id)
        if current.status == status:
            return current
        updated = replace(current, status=status, last_updated=self._clock.now(), last_updated_by=actor)
        return self._write(lambda: self._repo.replace(current, updated), origin_id)

    def activate(self, origin_id: str, actor: str | None) -> TrustedOrigin:
        return self.set_status(origin_id, ACTIVE, actor)

    def deactivate(self, origin_id: str, actor: str | None) -> TrustedOrigin:
        return self.set_status(origin_id, INACTIVE, actor)

    def delete(self, origin_id: str, expected_version: int | None = None) -> None:
        current = self.get(origin_id)
        check_if_match(current.version, expected_version)
        self._write(lambda: self._repo.delete(current), origin_id)

    # -- the token path ----------------------------------------------------------------------------------------------

    def cors_origins(self) -> frozenset[str]:
        """The origins browser apps may call the OAuth endpoints from: ACTIVE ones with the CORS scope."""
        return frozenset(o.origin for o in self._repo.list() if o.allows_cors)
