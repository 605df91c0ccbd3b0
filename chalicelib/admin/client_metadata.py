"""The vocabulary of OAuth client metadata (RFC 7591 2, with Okta's rules per application type) and the checks of
single values: redirect and web URIs (RFC 8252 7.1 and 7.3), URIs the server fetches (a ``jwks_uri`` only on a
public host: ``oauth/public_address.py``), public JSON Web Keys (RFC 7517). Pure functions, no storage;
``admin/client_fields.py`` combines them into the rules of a whole registration.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..oauth.public_address import host_problem

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


def fetched_uri_problem(uri: str) -> str | None:
    """Why the server must never fetch ``uri`` (a ``jwks_uri``: https, and a host that can be public), or None."""
    if problem := web_uri_problem(uri, https_only=True):
        return problem
    host = urlsplit(uri).hostname
    return host_problem(host) if host else "must be an absolute URI."


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
