"""Parsing of ``application/x-www-form-urlencoded`` request bodies (RFC 6749 3.2, Appendix B)."""
from __future__ import annotations

import re
from urllib.parse import unquote

from .errors import InvalidRequestError, InvalidScopeError

MAX_BODY = 64 * 1024
# RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by spaces.
_SCOPE_LIST = re.compile(r"[\x21\x23-\x5b\x5d-\x7e ]*")


def parse_form(body: bytes, content_type: str | None) -> dict[str, str]:
    """The form's parameters; a repeated parameter, a non-form body or an oversized one is ``invalid_request``."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise InvalidRequestError("The request must be sent as application/x-www-form-urlencoded.")
    if len(body) > MAX_BODY:
        raise InvalidRequestError("The request body is too large.")
    try:
        text = body.decode("utf-8")
        params: dict[str, str] = {}
        for name, value in _pairs(text):
            if name in params:
                raise InvalidRequestError("The request contained multiple parameters with the same name.")
            params[name] = value
    except UnicodeDecodeError:
        raise InvalidRequestError("The request body is not valid UTF-8.") from None
    return params


def _pairs(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True, errors="strict")``: the ``&``-separated pairs, ``+`` as a space,
    percent-decoded as UTF-8 (an invalid sequence raises ``UnicodeDecodeError``). Only the pairs that need it are
    decoded: most token requests' names and values have nothing to decode (issue 20: ~2 µs of every token)."""
    pairs = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "+" in piece:
            name, value = name.replace("+", " "), value.replace("+", " ")
        if "%" in piece:
            name, value = unquote(name, errors="strict"), unquote(value, errors="strict")
        pairs.append((name, value))
    return pairs


def parse_scope(raw: str | None) -> tuple[str, ...] | None:
    """RFC 6749 3.3: space-delimited, case-sensitive; None when the parameter is absent or empty (an empty
    ``scope=`` means "the default scopes", security-checklist REDIR-12)."""
    if raw is None or not raw.strip(" "):
        return None
    if len(raw) > 1024:
        raise InvalidRequestError("The 'scope' parameter must be at most 1024 characters long.")
    if not _SCOPE_LIST.fullmatch(raw):
        raise InvalidScopeError("The requested scope is invalid, unknown, or malformed.")
    return tuple(dict.fromkeys(s for s in raw.split(" ") if s))
