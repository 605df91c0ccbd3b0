"""Request parsing and response building shared by the management blueprints."""
from __future__ import annotations

import json
import re
from typing import Any, Mapping
from urllib.parse import urlencode

import orjson
from chalice import Response
from chalice.app import Request

from ..errors import MalformedBodyError, PreconditionFailedError
from ..oauth.dpop import header_values
from ..surrogates import has_lone_surrogate, replace_lone_surrogates

JSON = "application/json"
# Routes accept these so that Okta's SDK can POST without a body (application/octet-stream, clients.md row 4);
# anything else with a body is refused by read_json in Okta's format rather than by Chalice's 415.
CONTENT_TYPES = ["application/json", "application/octet-stream", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data", "application/xml", "text/xml"]


# No Okta request body nests deeper than a handful of levels (a rule's conditions: 4). Deeper is refused before any
# code walks it: json.loads itself raises RecursionError near a thousand levels, and every reader recurses too.
MAX_DEPTH = 32


def read_json(request: Request) -> Any:
    """The JSON body, or None for an empty body; a body that is not JSON, is nested deeper than ``MAX_DEPTH`` or
    holds a string with a lone surrogate (chalicelib/surrogates.py: no UTF-8 can carry it) is Okta's E0000003."""
    raw = request.raw_body or b""
    if not raw.strip():
        return None
    content_type = (request.headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json") and content_type != "application/octet-stream":
        raise MalformedBodyError("The request body was not well-formed.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedBodyError("The request body was not well-formed.") from None
    if body is None or _unreadable(body, MAX_DEPTH):  # a literal JSON null is not "no body"
        raise MalformedBodyError("The request body was not well-formed.")
    return body


def _unreadable(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels, or a string (a member name or a value) holds a
    lone surrogate (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, str):
            if has_lone_surrogate(node):
                return True
        elif isinstance(node, (dict, list)):
            if depth > limit:
                return True
            if isinstance(node, dict):
                if any(has_lone_surrogate(name) for name in node):
                    return True
                pending.extend((child, depth + 1) for child in node.values())
            else:
                pending.extend((child, depth + 1) for child in node)
    return False


def json_text(document: Any) -> str:
    """A response's JSON, compact and in UTF-8 as Okta writes it, on every surface (the OAuth endpoints, their
    errors, the management API): orjson (every token response, issue 20; a page of 200 servers: ~0.4 ms against the
    standard library's ~2.1), or the standard library, the same way, for what orjson refuses (an integer beyond 64
    bits, a non-string key)."""
    try:
        return orjson.dumps(document).decode()
    except TypeError:  # orjson.JSONEncodeError
        # Text UTF-8 cannot carry (a lone surrogate, only in what was stored before read_json refused it) as U+FFFD.
        return json.dumps(replace_lone_surrogates(document), separators=(",", ":"), ensure_ascii=False)


def json_response(body: Any, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    return Response(body=json_text(body), status_code=status, headers={"Content-Type": JSON, **(headers or {})})


def no_content() -> Response:
    # An empty body must not claim to be JSON: Okta's SDK would json.loads("") and fail (clients.md row 3).
    return Response(body="", status_code=204, headers={"Content-Type": "text/plain"})


def base_url(headers: Mapping[str, str], configured: str | None) -> str:
    """The public base URL: configured per stage, else taken from the request's (lower-cased) headers (local
    stack)."""
    if configured:
        return configured
    host = headers.get("x-forwarded-host") or headers.get("host") or "localhost"
    scheme = (headers.get("x-forwarded-proto") or "http").split(",")[0].strip()
    return f"{scheme}://{host}"


# Versions are small counters: 18 digits bound int() far below Python's digit limit (a 60,000-digit header was a 500).
_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def if_match(request: Request) -> int | None:
    """The version named by ``If-Match`` (we issue ``ETag: W/"<version>"``), or None when absent."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value)
    if not match:
        raise PreconditionFailedError("If-Match must be an ETag this server issued, such as W/\"3\".")
    return int(match.group(1))


def etag(version: int | None) -> dict[str, str]:
    return {"ETag": f'W/"{version}"'} if version is not None else {}


def link_header(base: str, path: str, params: dict[str, Any], next_cursor: str | None) -> dict[str, str]:
    """One ``Link`` header holding self and next: Okta's SDK reads only the first Link header it gets."""
    current = {k: v for k, v in params.items() if v not in (None, "")}
    links = [f'<{base}{path}{"?" + urlencode(current) if current else ""}>; rel="self"']
    if next_cursor:
        following = {k: v for k, v in current.items() if k != "after"}
        links.append(f'<{base}{path}?{urlencode({**following, "after": next_cursor})}>; rel="next"')
    return {"Link": ", ".join(links)}


def dpop_proofs(event: Any) -> tuple[str, ...]:
    """The ``DPoP`` header values of a Lambda proxy event: every field of that name (``multiValueHeaders``, so that
    two headers are seen as two: DPOP-02), else the one in ``headers``; each split at commas (oauth/dpop.py)."""
    if not isinstance(event, dict):
        return ()
    for member in ("multiValueHeaders", "headers"):
        fields = event.get(member)
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            if isinstance(name, str) and name.lower() == "dpop":
                values = value if isinstance(value, list) else [value]
                return header_values([v for v in values if isinstance(v, str)])
    return ()
