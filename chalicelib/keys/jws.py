"""The minimal signing path: compact JWS with RS256 (RFC 7515 §7.1, RFC 7518 §3.3) over JWT claims (RFC 7519).

``sign`` takes the ``LoadedKey`` that ``signer.SigningKeyCache`` hands out and signs with its already parsed
``RSAPrivateKey`` object: no PEM or DER is parsed per token (DESIGN.md warm-path budget). The protected header is
Okta's, ``{"kid": <kid>, "alg": "RS256"}``, with no ``typ``.

The compact serialization is written here rather than by PyJWT's ``jwt.encode``: the header segment is the key's,
encoded once when the key is loaded, and the payload is encoded by orjson (``_payload_json``), where ``jwt.encode``
validates its arguments, copies the claims, builds an encoder for each of the two JSON documents and looks the
algorithm up, per token (~15 µs of a ~300 µs token, docs/performance.md). The bytes are ``jwt.encode``'s exactly but
for the spelling of floats in exponent notation (RSASSA-PKCS1-v1_5 is deterministic: ``tests/unit/keys/test_jws.py``
compares whole tokens); the RSA signature is still the ``cryptography`` library's.

``verify`` is the verifier side, for tests and for the endpoints that will validate our own tokens. It trusts
nothing in the token before the signature is checked:

* the algorithm is fixed to RS256; any other ``alg`` in the header (``none``, ``HS256`` with the public key as a
  secret, ...) is refused before a key is even looked up (RFC 8725 §2.1, §3.1);
* the key is chosen by ``kid`` alone, among the JWKS's keys; a token without a ``kid``, or whose ``kid`` is not in
  the set exactly once, is refused. There is no fallback to "try every key" (OIDC Core §10.1, KEY-06); a caller
  that gets ``UnknownKidError`` may refetch the JWKS once and retry;
* the JWK must be an RSA public key whose ``kid`` is its RFC 7638 thumbprint, with no private member, and, when
  it says so, ``use: sig`` and ``alg: RS256`` (RFC 7517 §4.2, §4.4);
* ``exp`` is required; ``exp``, ``nbf`` and ``iat`` are checked against ``now`` (the caller's clock, so tests with
  an injected clock and production agree), with an optional ``leeway``;
* ``aud`` and ``iss`` are checked when ``audience`` / ``issuer`` are given (and only then).

Every refusal is a ``jwt.InvalidTokenError`` (PyJWT's own subclasses for signature and time failures, the ones
below for key selection), so a caller maps a single exception type to ``invalid_token``.
"""

from __future__ import annotations

import base64
import json
from calendar import timegm
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from chalicelib.keys.jwk import ALG, USE, public_key_from_jwk
from chalicelib.keys.signer import LoadedKey


class KeySelectionError(jwt.InvalidTokenError):
    """The token's ``kid`` does not select exactly one usable key of the JWKS."""


class MissingKidError(KeySelectionError):
    """The token header carries no ``kid`` (every token we mint has one)."""


class UnknownKidError(KeySelectionError):
    """No key of the JWKS has the token's ``kid``: signed by a retired key, another issuer, or a stale JWKS."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"no key with kid {kid!r} in the JWKS")
        self.kid = kid


class AmbiguousKidError(KeySelectionError):
    """Several keys of the JWKS share the token's ``kid``: a broken key set, refused rather than guessed."""


class UnusableKeyError(KeySelectionError):
    """The JWK named by the ``kid`` cannot verify an RS256 signature (wrong type, use, alg or members)."""


def sign(claims: Mapping[str, Any], key: LoadedKey) -> str:
    """A compact RS256 JWS of ``claims`` signed by ``key`` (header ``{"kid": key.kid, "alg": "RS256"}``)."""
    if not isinstance(key, LoadedKey):
        raise TypeError("sign needs the LoadedKey handed out by the signing-key cache")
    if not isinstance(key.private_key, RSAPrivateKey):
        # Serialized key material would have to be parsed on every token (and has no sign method).
        raise TypeError("the signing key must be a loaded RSAPrivateKey, not serialized key material")
    if not isinstance(claims, Mapping):
        raise TypeError("claims must be a mapping")
    if "iss" in claims and not isinstance(claims["iss"], str):
        raise TypeError("the iss claim must be a string")  # as jwt.encode refuses it
    payload = claims if isinstance(claims, dict) else dict(claims)  # the C encoder takes dicts
    get = payload.get
    if isinstance(get("exp"), datetime) or isinstance(get("iat"), datetime) or isinstance(get("nbf"), datetime):
        payload = _numeric_times(payload)
    signing_input = key.header + b"." + _b64(_payload_json(payload))
    signature = key.private_key.sign(signing_input, _PKCS1_V15, _SHA256)  # RFC 7518 3.3: RS256
    return (signing_input + b"." + _b64(signature)).decode("ascii")


_TIME_CLAIMS = ("exp", "iat", "nbf")
# jwt.encode's payload JSON: compact separators, ASCII escapes, no sorting.
_PAYLOAD_JSON = json.JSONEncoder(separators=(",", ":"))
# orjson refuses (rather than converts) what the standard encoder would refuse or write its own way.
_ORJSON_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
_PKCS1_V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def _payload_json(payload: dict[str, Any]) -> bytes:
    """The payload's JSON as ``jwt.encode`` writes it. orjson writes the same bytes for claims in ASCII without
    floats in exponent notation (a fifth of the standard encoder's time, on every token, issue 20); what it writes
    otherwise (UTF-8 rather than ``\\u`` escapes) or refuses (integers beyond 64 bits, subclasses) is left to the
    standard encoder. A float in exponent notation is written without the ``+`` and leading zeros of Python's
    ``repr`` (``1e16``, not ``1e+16``): the same number; NaN and the infinities, which are not JSON, as ``null``
    (the standard encoder writes ``NaN``)."""
    try:
        data = orjson.dumps(payload, option=_ORJSON_STRICT)
    except TypeError:  # orjson.JSONEncodeError
        data = b""
    return data if data and data.isascii() else _PAYLOAD_JSON.encode(payload).encode("utf-8")


def _numeric_times(payload: dict[str, Any]) -> dict[str, Any]:
    """As ``jwt.encode`` does: a datetime in a time claim becomes its NumericDate (RFC 7519 2); a copy."""
    return {**payload, **{name: timegm(payload[name].utctimetuple()) for name in _TIME_CLAIMS
                          if isinstance(payload.get(name), datetime)}}


def _b64(data: bytes) -> bytes:
    """base64url without padding (RFC 7515 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def verify(
    token: str,
    jwks: Mapping[str, Any],
    audience: str | None = None,
    issuer: str | None = None,
    *,
    now: datetime | None = None,
    leeway: timedelta = timedelta(0),
) -> dict[str, Any]:
    """The claims of ``token`` once its RS256 signature verifies with the JWKS key named by its ``kid``.

    ``now`` defaults to the system clock (timezone-aware); ``audience``/``issuer`` are checked only when given.
    Raises a ``jwt.InvalidTokenError`` subclass on any failure (``UnknownKidError`` for an unknown ``kid``).
    """
    if now is not None and now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if leeway < timedelta(0):
        raise ValueError("leeway must not be negative")
    header = jwt.get_unverified_header(token)
    if header.get("alg") != ALG:
        raise jwt.InvalidAlgorithmError(f"only {ALG} is accepted, not {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise MissingKidError("the token header has no kid")
    public_key = _key_for(kid, jwks)
    claims: dict[str, Any] = jwt.decode(
        token,
        public_key,
        algorithms=[ALG],
        audience=audience,
        issuer=issuer,
        options={
            "require": ["exp"],
            # Times are checked below against the caller's clock; PyJWT only knows the system clock.
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            # PyJWT refuses a token with an aud when no audience is given; None means "not checked" here.
            "verify_aud": audience is not None,
        },
    )
    _check_times(claims, now or datetime.now(timezone.utc), leeway)
    return claims


def _key_for(kid: str, jwks: Mapping[str, Any]) -> RSAPublicKey:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise UnusableKeyError("the JWKS has no keys array")
    matches = [k for k in keys if isinstance(k, Mapping) and k.get("kid") == kid]
    if not matches:
        raise UnknownKidError(kid)
    if len(matches) > 1:
        raise AmbiguousKidError(f"kid {kid!r} appears {len(matches)} times in the JWKS")
    jwk = matches[0]
    if jwk.get("use", USE) != USE:
        raise UnusableKeyError(f"key {kid!r} is not a signature key")
    if jwk.get("alg", ALG) != ALG:
        raise UnusableKeyError(f"key {kid!r} is not an {ALG} key")
    try:
        return public_key_from_jwk(jwk)
    except ValueError as exc:
        raise UnusableKeyError(f"key {kid!r} is not a usable RSA public key: {exc}") from None


def _check_times(claims: Mapping[str, Any], now: datetime, leeway: timedelta) -> None:
    at = now.timestamp()
    slack = leeway.total_seconds()
    exp = _numeric_date(claims, "exp")
    if exp is not None and exp <= at - slack:
        raise jwt.ExpiredSignatureError("Signature has expired")
    nbf = _numeric_date(claims, "nbf")
    if nbf is not None and nbf > at + slack:
        raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
    iat = _numeric_date(claims, "iat")
    if iat is not None and iat > at + slack:
        raise jwt.ImmatureSignatureError("The token is not yet valid (iat)")


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    # RFC 7519 §2 NumericDate: a JSON number of seconds; booleans are numbers to Python, not to JSON.
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise jwt.InvalidTokenError(f"the {name} claim is not a NumericDate")
    return float(value)
