"""The parameters of ``/v1/authorize`` (okta-api.md 7.3; RFC 6749 4.1.1, 4.2.1; OIDC Core 3.1.2.1, 3.2.2.1,
3.3.2.1; OAuth 2.0 Multiple Response Types; RFC 7636 4.3; RFC 9449 10: ``dpop_jkt``), checked in the order of
security-checklist REDIR-03 and REDIR-07: ``client_id`` and ``redirect_uri`` first (errors are a page), then
everything else (errors go back to the redirect URI).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ...domain import OAuthClient
from ..codes import CHALLENGE
from ..dpop import THUMBPRINT
from ..errors import OAuthError
from ..form import parse_scope
from .browser import PageError, RedirectError

CODE, TOKEN, ID_TOKEN = "code", "token", "id_token"
# Okta's response types (okta-api.md 7.10), in its spelling; any order of the words is accepted.
RESPONSE_TYPES = ("code", "token", "id_token", "code id_token", "code token", "id_token token",
                  "code id_token token")
RESPONSE_MODES = ("query", "fragment", "form_post")
PROMPTS = ("none", "login", "consent")
OIDC_IDENTITY_SCOPES = ("profile", "email", "address", "phone")
MAX_STATE = 2048  # longer state/nonce values are refused, never truncated (REDIR-15)
MAX_LOGIN_HINT = 256
MAX_MAX_AGE = 10 * 365 * 24 * 3600  # ten years; beyond that (e.g. MAX_SAFE_INTEGER) is invalid_request (IDT-07)

NONCE_REQUIRED = ("The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' "
                  "response types..")  # (sic: Okta's text, okta-api.md 7.9)
QUERY_WITH_TOKENS = "'query' response mode cannot be used with either the 'id_token' or 'token' response types."
OPENID_REQUIRED = "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope."
DUPLICATE = "The request contained multiple parameters with the same name."
BAD_CLIENT = "Invalid value for 'client_id' parameter."
BAD_REDIRECT = "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."


def single(params: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    """The parameter's value; None when absent or empty (REDIR-12); repeated -> ``invalid_request``."""
    values = params.get(name) or ()
    if len(values) > 1:
        raise RedirectError("invalid_request", DUPLICATE)
    value = values[0] if values else None
    return value if value else None


def single_for_page(params: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    """``single`` for ``client_id`` and ``redirect_uri``, whose errors must be a page."""
    try:
        return single(params, name)
    except RedirectError as exc:
        raise PageError("invalid_request", exc.description) from None


def parse_response_type(raw: str | None) -> frozenset[str] | None:
    """The set of response types named, or None when the value is not one Okta supports."""
    if raw is None:
        return None
    words = raw.split(" ")
    kinds = frozenset(words)
    if len(kinds) != len(words) or not kinds or not kinds <= {CODE, TOKEN, ID_TOKEN}:
        return None
    return kinds


def canonical(kinds: frozenset[str]) -> str:
    return " ".join(k for k in (CODE, ID_TOKEN, TOKEN) if k in kinds)


def default_mode(kinds: frozenset[str] | None) -> str:
    """RFC 6749 / OAuth 2.0 Multiple Response Types: ``query`` for ``code``, ``fragment`` when tokens are
    returned in the front channel."""
    return "query" if not kinds or kinds == {CODE} else "fragment"


@dataclass(frozen=True)
class AuthorizeParams:
    client_id: str
    redirect_uri: str
    response_types: frozenset[str]
    response_mode: str
    scopes: tuple[str, ...] | None
    state: str | None
    nonce: str | None
    prompt: frozenset[str]
    max_age: int | None
    login_hint: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    dpop_jkt: str | None = None  # the DPoP key the code is bound to (RFC 9449 10)

    @property
    def grant_type(self) -> str:
        """The grant the access policy judges: ``authorization_code`` whenever a code is issued, ``implicit``
        when tokens come only from the front channel."""
        return "authorization_code" if CODE in self.response_types else "implicit"

    def record(self) -> dict[str, Any]:
        return {"clientId": self.client_id, "redirectUri": self.redirect_uri,
                "responseType": canonical(self.response_types), "responseMode": self.response_mode,
                "scopes": list(self.scopes) if self.scopes is not None else None, "state": self.state,
                "nonce": self.nonce, "prompt": sorted(self.prompt), "maxAge": self.max_age,
                "loginHint": self.login_hint, "codeChallenge": self.code_challenge,
                "codeChallengeMethod": self.code_challenge_method, "dpopJkt": self.dpop_jkt}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "AuthorizeParams":
        scopes = record.get("scopes")
        return cls(client_id=record["clientId"], redirect_uri=record["redirectUri"],
                   response_types=frozenset(record["responseType"].split(" ")),
                   response_mode=record["responseMode"], scopes=tuple(scopes) if scopes is not None else None,
                   state=record.get("state"), nonce=record.get("nonce"), prompt=frozenset(record.get("prompt") or ()),
                   max_age=record.get("maxAge"), login_hint=record.get("loginHint"),
                   code_challenge=record.get("codeChallenge"),
                   code_challenge_method=record.get("codeChallengeMethod"), dpop_jkt=record.get("dpopJkt"))


@dataclass(frozen=True)
class Delivery:
    """Where and how errors (and the response) go once ``redirect_uri`` is known to be good."""

    redirect_uri: str
    response_mode: str
    state: str | None


def delivery(params: Mapping[str, tuple[str, ...]], redirect_uri: str) -> Delivery:
    """The response mode and state to answer errors with, read leniently (they may be the very thing that is
    wrong): a bad or repeated ``response_mode`` falls back to the response type's default; ``query`` is never used
    for a response type that returns tokens."""
    kinds = parse_response_type((params.get("response_type") or (None,))[0])
    mode_values = params.get("response_mode") or ()
    mode = mode_values[0] if len(mode_values) == 1 else None
    if mode not in RESPONSE_MODES or (mode == "query" and kinds and kinds & {TOKEN, ID_TOKEN}):
        mode = default_mode(kinds)
    states = params.get("state") or ()
    state = states[0] if len(states) == 1 and states[0] and len(states[0]) <= MAX_STATE else None
    return Delivery(redirect_uri=redirect_uri, response_mode=mode, state=state)


def read(params: Mapping[str, tuple[str, ...]], client: OAuthClient, redirect_uri: str) -> AuthorizeParams:
    """Everything after ``client_id`` and ``redirect_uri``; the first problem raises ``RedirectError``."""
    for values in params.values():
        if len(values) > 1:
            raise RedirectError("invalid_request", DUPLICATE)
    if single(params, "request"):
        raise RedirectError("request_not_supported", "The 'request' parameter is not supported.")
    if single(params, "request_uri"):
        raise RedirectError("request_uri_not_supported", "The 'request_uri' parameter is not supported.")

    raw_type = single(params, "response_type")
    if raw_type is None:
        raise RedirectError("invalid_request", "The 'response_type' parameter is required.")
    kinds = parse_response_type(raw_type)
    registered = client.response_types
    if kinds is None:
        raise RedirectError("unsupported_response_type", "The response type is not supported by the authorization "
                            f"server. Configured response types: [{', '.join(registered)}].")
    grants = client.grant_types
    needed_grants = ({"authorization_code"} if CODE in kinds else set()) | \
        ({"implicit"} if kinds & {TOKEN, ID_TOKEN} else set())
    if not kinds <= set(registered) or not needed_grants <= set(grants):
        raise RedirectError("unauthorized_client", "The client is not authorized to use the provided response "
                            f"type. Configured response types: [{', '.join(registered)}].")

    mode = single(params, "response_mode") or default_mode(kinds)
    if mode not in RESPONSE_MODES:
        raise RedirectError("unsupported_response_mode", "The response mode is not supported by the authorization "
                            f"server. Supported response modes: [{', '.join(RESPONSE_MODES)}].")
    if mode == "query" and kinds & {TOKEN, ID_TOKEN}:
        raise RedirectError("unsupported_response_mode", QUERY_WITH_TOKENS)

    try:
        scopes = parse_scope(single(params, "scope"))
    except OAuthError as exc:
        raise RedirectError(exc.error, exc.description) from None
    if ID_TOKEN in kinds and (scopes is None or "openid" not in scopes):
        raise RedirectError("invalid_scope", OPENID_REQUIRED)
    if scopes is not None and "openid" not in scopes and any(s in OIDC_IDENTITY_SCOPES for s in scopes):
        raise RedirectError("invalid_scope", OPENID_REQUIRED)

    state = single(params, "state")
    if state is not None and len(state) > MAX_STATE:
        raise RedirectError("invalid_request", f"The 'state' parameter must be at most {MAX_STATE} characters.")
    nonce = single(params, "nonce")
    if nonce is not None and len(nonce) > MAX_STATE:
        raise RedirectError("invalid_request", f"The 'nonce' parameter must be at most {MAX_STATE} characters.")
    if nonce is None and kinds & {TOKEN, ID_TOKEN}:
        raise RedirectError("invalid_request", NONCE_REQUIRED)

    prompt = _prompt(single(params, "prompt"))
    max_age = _max_age(single(params, "max_age"))
    login_hint = single(params, "login_hint")
    if login_hint is not None:
        login_hint = login_hint[:MAX_LOGIN_HINT]

    challenge = single(params, "code_challenge")
    method = single(params, "code_challenge_method")
    if method is not None and challenge is None:
        raise RedirectError("invalid_request", "The 'code_challenge_method' parameter requires a 'code_challenge'.")
    if challenge is not None:
        if method != "S256":  # absent means plain (RFC 7636 4.3): refused too (PKCE-07)
            raise RedirectError("invalid_request",
                                "PKCE code challenge method is not supported. Valid values: [S256]")
        if not CHALLENGE.fullmatch(challenge):  # PKCE-06
            raise RedirectError("invalid_request", "The 'code_challenge' parameter is malformed: an S256 challenge "
                                "is 43 base64url characters.")
    # PKCE-08 for public clients; any app whose settings require PKCE (Okta's pkce_required) likewise.
    if CODE in kinds and challenge is None and (client.token_endpoint_auth_method == "none" or client.pkce_required):
        raise RedirectError("invalid_request", "PKCE code challenge is required by the application.")
    dpop_jkt = single(params, "dpop_jkt")
    if dpop_jkt is not None and not THUMBPRINT.fullmatch(dpop_jkt):
        raise RedirectError("invalid_request", "The 'dpop_jkt' parameter is malformed: a JWK SHA-256 thumbprint is "
                            "43 base64url characters.")
    if CODE not in kinds:
        challenge = method = dpop_jkt = None  # no code, nothing to bind the challenge or the key to

    return AuthorizeParams(client_id=client.client_id, redirect_uri=redirect_uri, response_types=kinds,
                           response_mode=mode, scopes=scopes, state=state, nonce=nonce, prompt=prompt,
                           max_age=max_age, login_hint=login_hint, code_challenge=challenge,
                           code_challenge_method=method, dpop_jkt=dpop_jkt)


def _prompt(raw: str | None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    words = [w for w in raw.split(" ") if w]
    values = frozenset(words)
    unknown = sorted(values - set(PROMPTS))
    if unknown:
        raise RedirectError("invalid_request", f"The 'prompt' value is not supported: {unknown[0][:40]}. Valid "
                            f"values: [{', '.join(PROMPTS)}].")
    if "none" in values and len(values) > 1:  # OIDC Core 3.1.2.1 (IDT-08)
        raise RedirectError("invalid_request", "The 'prompt' value 'none' cannot be combined with other values.")
    return values


def _max_age(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_MAX_AGE:
        raise RedirectError("invalid_request", "The 'max_age' parameter must be a non-negative number of seconds.")
    return int(raw)
