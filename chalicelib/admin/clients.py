"""OAuth clients registered by admins through Okta's client API (RFC 7591 shape; docs/ARCHITECTURE.md "OAuth
clients").

Validation is one pure function, ``read_client``, so the rules are testable without AWS: each bad field gets
exactly one cause (the first problem found), and the cross-field rules (application type vs. authentication
method, grant types vs. response types, redirect URIs) only run on fields that were themselves valid, so one
mistake never cascades into several causes.

Secrets are 256-bit random values generated here and shown once; only their SHA-256 is stored (the same reasoning
as admin API tokens, admin/api_tokens.py: a slow hash buys nothing for a value nobody can guess). Because of that
``client_secret_jwt`` (which needs the secret in clear to check an HMAC) is refused.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import replace
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, OAuthClient
from ..errors import ConflictError, InvalidPagingError, NotFoundError, ValidationError
from ..storage.client_repository import L_NAME, ClientRepository, name_key
from ..storage.transactions import WriteConflict
from .common import check_if_match, decode_cursor, encode_cursor
from .validation import Fields, require_object

T = TypeVar("T")

TARGET = "client"
# Okta's resource type in "Not found: Resource not found: {id} (PublicClientApp)" for this API.
CLIENT_TYPE = "PublicClientApp"
CLIENT_ID_PREFIX = "0oa"
CLIENT_ID = re.compile(r"0oa[A-Za-z0-9]{17}")
NAME_MAX = 100
URI_MAX = 1024
MAX_URIS = 100
MAX_KEYS = 20
DEFAULT_LIMIT = 20  # Okta's default page size for this list

# -- the vocabulary ----------------------------------------------------------------------------------------------

WEB, NATIVE, BROWSER, SERVICE = "web", "native", "browser", "service"
APPLICATION_TYPES = (WEB, NATIVE, BROWSER, SERVICE)

AUTHORIZATION_CODE = "authorization_code"
IMPLICIT = "implicit"
PASSWORD = "password"
REFRESH_TOKEN = "refresh_token"
CLIENT_CREDENTIALS = "client_credentials"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT, PASSWORD, REFRESH_TOKEN, CLIENT_CREDENTIALS, DEVICE_CODE, TOKEN_EXCHANGE)

# Which grant types each application type may hold, and the one it must hold (Okta's table for this API, with
# refresh tokens for browser apps and token exchange as Okta documents them today; nothing Okta-proprietary).
VALID_GRANTS = {
    WEB: (AUTHORIZATION_CODE, IMPLICIT, REFRESH_TOKEN, CLIENT_CREDENTIALS, TOKEN_EXCHANGE),
    NATIVE: (AUTHORIZATION_CODE, IMPLICIT, PASSWORD, REFRESH_TOKEN, DEVICE_CODE, TOKEN_EXCHANGE),
    BROWSER: (AUTHORIZATION_CODE, IMPLICIT, REFRESH_TOKEN),
    SERVICE: (CLIENT_CREDENTIALS, TOKEN_EXCHANGE),
}
REQUIRED_GRANT = {WEB: AUTHORIZATION_CODE, NATIVE: AUTHORIZATION_CODE, SERVICE: CLIENT_CREDENTIALS}
# A refresh token is only ever issued alongside one of these (never for client_credentials or implicit).
REFRESH_ISSUERS = (AUTHORIZATION_CODE, PASSWORD, DEVICE_CODE, TOKEN_EXCHANGE)
# Grants that send the user agent back to the client.
REDIRECT_GRANTS = (AUTHORIZATION_CODE, IMPLICIT)

CODE, TOKEN, ID_TOKEN = "code", "token", "id_token"
RESPONSE_TYPES = (CODE, TOKEN, ID_TOKEN)

CLIENT_SECRET_BASIC = "client_secret_basic"
CLIENT_SECRET_POST = "client_secret_post"
CLIENT_SECRET_JWT = "client_secret_jwt"
PRIVATE_KEY_JWT = "private_key_jwt"
NONE = "none"
AUTH_METHODS = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, PRIVATE_KEY_JWT, NONE)
SECRET_METHODS = (CLIENT_SECRET_BASIC, CLIENT_SECRET_POST)
DEFAULT_AUTH_METHOD = {WEB: CLIENT_SECRET_BASIC, SERVICE: CLIENT_SECRET_BASIC, BROWSER: NONE, NATIVE: NONE}

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
FORBIDDEN_SCHEMES = ("javascript", "data", "vbscript", "file", "about", "blob", "filesystem")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")

# -- secrets -------------------------------------------------------------------------------------------------------


def new_secret() -> str:
    """256 random bits, url-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# Compared against when a client has no secret, so every call does the same work.
_NO_SECRET = hash_secret(secrets.token_urlsafe(32))


def secret_matches(client: OAuthClient, presented: Any) -> bool:
    """Constant-time check of a presented secret against the stored SHA-256."""
    if not isinstance(presented, str):
        return False
    try:
        digest = hash_secret(presented)
    except UnicodeEncodeError:  # a lone surrogate: no secret of ours
        return False
    matched = hmac.compare_digest(digest, client.secret_hash or _NO_SECRET)
    return matched and client.secret_hash is not None


# -- URIs ----------------------------------------------------------------------------------------------------------


def _bad_characters(uri: str) -> bool:
    return any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in uri)


def _http_problem(uri: str) -> str | None:
    """Problems of an http(s) URI's authority, or None."""
    parts = urlsplit(uri)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "must be an absolute URI."
    if not uri.split(":", 1)[1].startswith("//") or not host:
        return "must be an absolute URI."
    if "@" in parts.netloc:
        return "must not contain user information."
    return None


def redirect_uri_problem(uri: str, application_type: str) -> str | None:
    """Why ``uri`` cannot be registered as a (post-logout) redirect URI of such a client, or None.

    Absolute, no fragment; https, except http on the loopback hosts (RFC 8252 7.3, BCP 2.6); custom schemes only
    for native apps and only reverse-domain ones (RFC 8252 7.1: ``com.example.app:/callback``).
    """
    if _bad_characters(uri):
        return "must not contain spaces or control characters."
    scheme, sep, rest = uri.partition(":")
    if not sep or not rest or not _SCHEME.fullmatch(scheme):
        return "must be an absolute URI."
    if "#" in uri:
        return "must not contain a fragment."
    scheme = scheme.lower()
    if scheme in FORBIDDEN_SCHEMES:
        return f"must not use the '{scheme}' scheme."
    if scheme in ("http", "https"):
        if problem := _http_problem(uri):
            return problem
        if scheme == "http" and urlsplit(uri).hostname not in LOOPBACK_HOSTS:
            return "must use https (http is allowed only for the loopback hosts 127.0.0.1, [::1] and localhost)."
        return None
    if application_type != NATIVE:
        return "must use https: custom URI schemes are allowed only for native applications."
    if "." not in scheme:
        return "must use a reverse-domain custom scheme, such as com.example.app:/callback."
    return None


def web_uri_problem(uri: str, *, https_only: bool) -> str | None:
    """Why ``uri`` is not an acceptable web address (client_uri, logo_uri, jwks_uri), or None."""
    if _bad_characters(uri):
        return "must not contain spaces or control characters."
    scheme, sep, rest = uri.partition(":")
    if not sep or not rest or not _SCHEME.fullmatch(scheme):
        return "must be an absolute URI."
    scheme = scheme.lower()
    allowed = ("https",) if https_only else ("http", "https")
    if scheme not in allowed:
        return "must be an https URI." if https_only else "must be an http or https URI."
    if "#" in uri:
        return "must not contain a fragment."
    return _http_problem(uri)


# -- JSON Web Keys -------------------------------------------------------------------------------------------------

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
KEY_MEMBERS = {"RSA": ("kty", "kid", "use", "alg", "e", "n"), "EC": ("kty", "kid", "use", "alg", "crv", "x", "y")}
RSA_ALGS = ("RS256", "RS384", "RS512")
EC_CURVES: dict[str, tuple[ec.EllipticCurve, str]] = {
    "P-256": (ec.SECP256R1(), "ES256"), "P-384": (ec.SECP384R1(), "ES384"), "P-521": (ec.SECP521R1(), "ES512"),
}
RSA_MIN_BITS = 2048
RSA_MAX_BITS = 8192
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64url_int(value: Any) -> int | None:
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        return None
    try:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")
    except (binascii.Error, ValueError):
        return None


def key_problem(key: Any) -> str | None:
    """Why ``key`` is not an acceptable public signing JWK (RSA >= 2048 bits, or EC on P-256/384/521), or None."""
    if not isinstance(key, dict):
        return "Must be an object."
    private = [m for m in PRIVATE_MEMBERS if m in key]
    if private:
        return f"Must be a public key: private key members are not accepted ({', '.join(private)})."
    kty = key.get("kty")
    if not isinstance(kty, str) or kty not in KEY_MEMBERS:
        return "'kty' must be RSA or EC."
    kid = key.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > 255):
        return "'kid' must be a non-empty string of at most 255 characters."
    if key.get("use") not in (None, "sig"):
        return "'use' must be sig."
    alg = key.get("alg")
    if kty == "RSA":
        if alg is not None and alg not in RSA_ALGS:
            return f"'alg' of an RSA key must be one of: {', '.join(RSA_ALGS)}."
        n, e = _b64url_int(key.get("n")), _b64url_int(key.get("e"))
        if n is None or e is None:
            return "'n' and 'e' must be base64url-encoded integers."
        if not RSA_MIN_BITS <= n.bit_length() <= RSA_MAX_BITS:
            return f"RSA keys must be between {RSA_MIN_BITS} and {RSA_MAX_BITS} bits long."
        try:
            rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            return "Is not a valid RSA public key."
        return None
    crv = key.get("crv")
    curve = EC_CURVES.get(crv) if isinstance(crv, str) else None
    if curve is None:
        return f"'crv' must be one of: {', '.join(EC_CURVES)}."
    if alg is not None and alg != curve[1]:
        return f"'alg' of a {crv} key must be {curve[1]}."
    x, y = _b64url_int(key.get("x")), _b64url_int(key.get("y"))
    if x is None or y is None:
        return "'x' and 'y' must be base64url-encoded coordinates."
    try:
        ec.EllipticCurvePublicNumbers(x, y, curve[0]).public_key()
    except ValueError:
        return "Is not a point on the curve."
    return None


def public_key(key: dict[str, Any]) -> dict[str, Any]:
    """The key with only its public members (anything else it carried is dropped, never stored)."""
    return {m: key[m] for m in KEY_MEMBERS[key["kty"]] if key.get(m) is not None}


# -- reading a request body ----------------------------------------------------------------------------------------


class _Reader:
    """``Fields`` plus "one cause per field": once a field has a cause, later checks of it are skipped."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.f = Fields(body, TARGET)

    def bad(self, path: str) -> bool:
        return any(c.startswith(f"{path}: ") or c.startswith(f"{path}.") for c in self.f.causes)

    def error(self, path: str, message: str) -> None:
        if not self.bad(path):
            self.f.error(path, message)

    def values(self, path: str, allowed: tuple[str, ...], noun: str, default: list[str]) -> list[str]:
        given = self.f.given(path)
        values = self.f.string_list(path, max_items=len(allowed) * 2, max_len=255)
        if self.bad(path):
            return default
        if not given:
            return default
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.error(path, f"'{unknown[0]}' is not a supported {noun}. Must be one of: {', '.join(allowed)}.")
            return default
        return values

    def uris(self, path: str, application_type: str) -> list[str]:
        uris = self.f.string_list(path, max_items=MAX_URIS, max_len=URI_MAX)
        for uri in uris:
            if problem := redirect_uri_problem(uri, application_type):
                self.error(path, f"'{uri}' {problem}")
                break
        return uris

    def web_uri(self, path: str, *, https_only: bool) -> str | None:
        uri = self.f.string(path, max_len=URI_MAX)
        if uri and not self.bad(path) and (problem := web_uri_problem(uri, https_only=https_only)):
            self.error(path, f"'{uri}' {problem}")
        return uri

    def jwks(self) -> dict[str, Any] | None:
        if not self.f.given("jwks"):
            return None
        value = self.f.raw("jwks")
        keys = value.get("keys") if isinstance(value, dict) else None
        if not isinstance(keys, list):
            self.error("jwks", "Must be a JSON Web Key Set: an object with a 'keys' array.")
            return None
        if not 1 <= len(keys) <= MAX_KEYS:
            self.error("jwks", f"Must hold between 1 and {MAX_KEYS} keys.")
            return None
        for i, key in enumerate(keys):
            if problem := key_problem(key):
                self.error(f"jwks.keys[{i}]", problem)
        if self.bad("jwks"):
            return None
        kids = [k.get("kid") for k in keys]
        if len(keys) > 1 and None in kids:
            self.error("jwks", "Every key needs a 'kid' when the set holds more than one key.")
        elif len(set(kids)) != len(kids):
            self.error("jwks", "Key ids ('kid') must be unique.")
        return None if self.bad("jwks") else {"keys": [public_key(k) for k in keys]}


def read_client(body: Any, current: OAuthClient | None = None) -> dict[str, Any]:
    """The client settings of a POST (``current`` None) or PUT body, as ``OAuthClient`` field values.

    A PUT replaces every setting (absent = default), as Okta's PUT does; ``application_type`` cannot change.
    Read-only members that a GET-modify-PUT sends back (``client_id_issued_at``, ``client_secret_expires_at``,
    ``_links``) are ignored; unknown members are ignored (RFC 7591 2).
    """
    r = _Reader(require_object(body))
    f = r.f
    if f.given("client_id"):
        if current is None:
            r.error("client_id", "The client_id is assigned by the server.")
        elif f.raw("client_id") != current.client_id:
            r.error("client_id", "The client_id cannot be changed.")
    if f.given("client_secret"):
        r.error("client_secret", "The client secret is generated by the server; use lifecycle/newSecret to "
                                 "replace it.")

    client_name = f.string("client_name", required=True, max_len=NAME_MAX)

    default_type = current.application_type if current else WEB
    application_type = f.enum("application_type", APPLICATION_TYPES, default=default_type) or default_type
    type_ok = not r.bad("application_type")
    if current is not None and type_ok and application_type != current.application_type:
        r.error("application_type", "The application type of a client cannot be changed.")
        type_ok = False

    method = DEFAULT_AUTH_METHOD[application_type]
    if f.raw("token_endpoint_auth_method") == CLIENT_SECRET_JWT:
        r.error("token_endpoint_auth_method", "client_secret_jwt is not supported: client secrets are stored "
                                              "only as hashes. Use client_secret_basic, client_secret_post or "
                                              "private_key_jwt.")
    else:
        method = f.enum("token_endpoint_auth_method", AUTH_METHODS, default=method) or method
    method_ok = not r.bad("token_endpoint_auth_method")

    default_grants = [CLIENT_CREDENTIALS] if application_type == SERVICE else [AUTHORIZATION_CODE]
    grants = r.values("grant_types", GRANT_TYPES, "grant type", default_grants)
    grants_ok = not r.bad("grant_types")
    default_responses = [CODE] if AUTHORIZATION_CODE in grants else []
    responses = r.values("response_types", RESPONSE_TYPES, "response type", default_responses)
    responses_ok = not r.bad("response_types")

    # With an unusable application type, judge URIs by the most lenient type rather than report a second cause.
    uri_type = application_type if type_ok else NATIVE
    redirect_uris = r.uris("redirect_uris", uri_type)
    post_logout_redirect_uris = r.uris("post_logout_redirect_uris", uri_type)
    client_uri = r.web_uri("client_uri", https_only=False)
    logo_uri = r.web_uri("logo_uri", https_only=False)
    jwks = r.jwks()
    jwks_uri = r.web_uri("jwks_uri", https_only=True)

    # Application type vs. authentication method: web and service apps are confidential, browser apps public.
    if type_ok and method_ok:
        if application_type in (WEB, SERVICE) and method == NONE:
            r.error("token_endpoint_auth_method", f"A {application_type} application is a confidential client: "
                                                  "it cannot use 'none'.")
        elif application_type == BROWSER and method != NONE:
            r.error("token_endpoint_auth_method", "A browser application is a public client: it must use 'none'.")
        method_ok = not r.bad("token_endpoint_auth_method")

    # Grant types vs. application type and authentication method.
    if type_ok and grants_ok:
        invalid = [g for g in grants if g not in VALID_GRANTS[application_type]]
        required = REQUIRED_GRANT.get(application_type)
        if invalid:
            r.error("grant_types", f"'{invalid[0]}' is not allowed for a {application_type} application.")
        elif required and required not in grants:
            r.error("grant_types", f"A {application_type} application must include '{required}'.")
        elif REFRESH_TOKEN in grants and not any(g in grants for g in REFRESH_ISSUERS):
            r.error("grant_types", "'refresh_token' needs a grant type that issues refresh tokens: "
                                   f"{', '.join(REFRESH_ISSUERS)}.")
        elif CLIENT_CREDENTIALS in grants and method_ok and method == NONE:
            r.error("grant_types", "'client_credentials' needs a confidential client (a "
                                   "token_endpoint_auth_method other than 'none').")

    # Response types vs. grant types: code <-> authorization_code, token / id_token <-> implicit. A service app
    # may carry 'token' without implicit: Okta registers service apps that way and they never use /authorize.
    if grants_ok and responses_ok and type_ok:
        if CODE in responses and AUTHORIZATION_CODE not in grants:
            r.error("response_types", "'code' needs the 'authorization_code' grant type.")
        elif ID_TOKEN in responses and IMPLICIT not in grants:
            r.error("response_types", "'id_token' needs the 'implicit' grant type.")
        elif TOKEN in responses and IMPLICIT not in grants and application_type != SERVICE:
            r.error("response_types", "'token' needs the 'implicit' grant type.")
        elif AUTHORIZATION_CODE in grants and CODE not in responses:
            r.error("response_types", "The 'authorization_code' grant type needs 'code'.")
        elif IMPLICIT in grants and TOKEN not in responses and ID_TOKEN not in responses:
            r.error("response_types", "The 'implicit' grant type needs 'token' or 'id_token'.")

    if grants_ok and any(g in grants for g in REDIRECT_GRANTS) and not redirect_uris and \
            not r.bad("redirect_uris"):
        r.error("redirect_uris", "At least one redirect URI is needed for the authorization_code and implicit "
                                 "grant types.")

    # Keys: private_key_jwt needs exactly one of jwks / jwks_uri; no client may give both.
    if f.given("jwks") and f.given("jwks_uri"):
        r.error("jwks", "Give either jwks or jwks_uri, not both.")
    elif method_ok and method == PRIVATE_KEY_JWT and not f.given("jwks") and not f.given("jwks_uri"):
        r.error("jwks", "A client that authenticates with private_key_jwt needs jwks or jwks_uri.")

    f.check()
    return {
        "client_name": client_name or "",
        "application_type": application_type,
        "token_endpoint_auth_method": method,
        "grant_types": tuple(grants),
        "response_types": tuple(responses),
        "redirect_uris": tuple(redirect_uris),
        "post_logout_redirect_uris": tuple(post_logout_redirect_uris),
        "client_uri": client_uri,
        "logo_uri": logo_uri,
        "jwks": jwks,
        "jwks_uri": jwks_uri,
    }


def duplicate_cause() -> str:
    return "client_name: An object with this field already exists in the current organization"


# -- the service ---------------------------------------------------------------------------------------------------


class ClientService:
    def __init__(self, repo: ClientRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    # -- the token path ----------------------------------------------------------------------------------------

    def get_for_token(self, client_id: str) -> OAuthClient | None:
        """The client for client authentication: one eventually consistent GetItem (the caller caches it), or
        None; an id that cannot be ours costs no read. Inactive clients are returned: check ``client.active``."""
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            return None
        return self._repo.get(client_id, consistent=False)

    def verify_secret(self, client: OAuthClient, presented: str) -> bool:
        """True only for an ACTIVE client with a secret-based method whose secret this is (constant time)."""
        matched = secret_matches(client, presented)
        return matched and client.active and client.token_endpoint_auth_method in SECRET_METHODS

    # -- management --------------------------------------------------------------------------------------------

    def _write(self, call: Callable[[], T], client_id: str) -> T:
        try:
            return call()
        except WriteConflict as conflict:
            if L_NAME in conflict.labels:
                raise ValidationError(TARGET, [duplicate_cause()]) from None
            raise ConflictError(
                f"{CLIENT_TYPE} {client_id} was changed by another request at the same time; reload it and retry."
            ) from None

    def create(self, body: Any) -> tuple[OAuthClient, str | None]:
        """The new client and its secret (None for clients without one); the secret is never retrievable again."""
        fields = read_client(body)
        secret = new_secret() if fields["token_endpoint_auth_method"] in SECRET_METHODS else None
        now = self._clock.now()
        client = OAuthClient(client_id=ids.new_id(CLIENT_ID_PREFIX), status=ACTIVE, created=now, last_updated=now,
                             secret_hash=hash_secret(secret) if secret else None, **fields)
        return self._write(lambda: self._repo.create(client), client.client_id), secret

    def list(self, q: str | None, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        """Clients in case-insensitive name order; ``q`` is a case-insensitive ``client_name`` prefix."""
        prefix = name_key(q) if q else ""
        boundary = None
        if after:
            boundary = decode_cursor(after)
            _, sep, last_id = boundary.rpartition("#")
            if not sep or not CLIENT_ID.fullmatch(last_id) or not boundary.startswith(prefix):
                raise InvalidPagingError("Invalid paging request.")
        clients, next_key = self._repo.page(prefix, limit, boundary)
        return clients, (encode_cursor(next_key) if next_key else None)

    def get(self, client_id: str) -> OAuthClient:
        client = self._repo.get(client_id) if CLIENT_ID.fullmatch(client_id) else None
        if client is None:
            raise NotFoundError(client_id, CLIENT_TYPE)
        return client

    def replace(self, client_id: str, body: Any, expected_version: int | None = None
                ) -> tuple[OAuthClient, str | None]:
        """Replace every setting. Returns a secret only when one was generated: the client moved from a method
        without a secret to ``client_secret_basic``/``client_secret_post``. Moving away from those drops it."""
        current = self.get(client_id)
        check_if_match(current.version, expected_version)
        fields = read_client(body, current)
        secret = None
        secret_hash = current.secret_hash
        if fields["token_endpoint_auth_method"] not in SECRET_METHODS:
            secret_hash = None
        elif secret_hash is None:
            secret = new_secret()
            secret_hash = hash_secret(secret)
        updated = replace(current, **fields, secret_hash=secret_hash, last_updated=self._clock.now())
        saved = self._write(lambda: self._repo.replace(current, updated), client_id)
        return saved, secret

    def delete(self, client_id: str, expected_version: int | None = None) -> None:
        current = self.get(client_id)
        check_if_match(current.version, expected_version)
        self._write(lambda: self._repo.delete(current), client_id)

    def new_secret(self, client_id: str) -> tuple[OAuthClient, str]:
        """A fresh secret; the previous one stops working at once (no overlap)."""
        current = self.get(client_id)
        if current.token_endpoint_auth_method not in SECRET_METHODS:
            raise ValidationError(TARGET, [
                "token_endpoint_auth_method: Only clients that authenticate with client_secret_basic or "
                "client_secret_post have a client secret."])
        secret = new_secret()
        updated = replace(current, secret_hash=hash_secret(secret), last_updated=self._clock.now())
        return self._write(lambda: self._repo.replace(current, updated), client_id), secret

    def set_status(self, client_id: str, status: str) -> OAuthClient:
        """ACTIVE or INACTIVE (no route yet: Okta manages that through its Apps API). An INACTIVE client fails
        client authentication (``verify_secret``) once the token path's cache has expired."""
        if status not in (ACTIVE, INACTIVE):
            raise ValidationError(TARGET, [f"status: Must be one of: {ACTIVE}, {INACTIVE}."])
        current = self.get(client_id)
        if current.status == status:
            return current
        updated = replace(current, status=status, last_updated=self._clock.now())
        return self._write(lambda: self._repo.replace(current, updated), client_id)
