"""Client authentication at the token, introspection and revocation endpoints (RFC 6749 2.3, RFC 7523 2.2 and 3,
OIDC Core 9; security-checklist CAUTH-01..09).

Methods: ``client_secret_basic`` (id and secret accepted raw or form-urlencoded before base64, because clients
differ: clients.md row 14), ``client_secret_post``, ``private_key_jwt`` and ``none``. A client registered for a
secret may present it either way (basic or post): libraries disagree on the default and both carry the same
secret. Exactly one method per request.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence
from urllib.parse import unquote_plus

import jwt

from ..domain import OAuthClient
from ..surrogates import has_lone_surrogate
from .errors import InvalidClientError, InvalidRequestError
from .remote_jwks import RemoteJwks

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
CLOCK_SKEW = timedelta(seconds=30)
MAX_ASSERTION_LIFETIME = timedelta(hours=1)
SECRET_METHODS = ("client_secret_basic", "client_secret_post")
BASIC_CHALLENGE = 'Basic realm="tokenmint"'

FAILED = "Client authentication failed. Either the client or the client credentials are invalid."


class ClientDirectory(Protocol):
    def find(self, client_id: str) -> OAuthClient | None: ...

    def verify_secret(self, client: OAuthClient, presented: str) -> bool: ...


class AssertionLedger(Protocol):
    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool: ...


@dataclass(frozen=True)
class Authenticated:
    client: OAuthClient
    method: str
    # The client secret the request authenticated with (client_secret_basic / _post), for verifying an HMAC-signed
    # request object of the same request (oauth/request_object.py); never stored.
    secret: str | None = field(default=None, repr=False)


def _fail(description: str = FAILED, basic: bool = False) -> InvalidClientError:
    return InvalidClientError(description, www_authenticate=BASIC_CHALLENGE if basic else None)


def _basic(header: str) -> tuple[str, str]:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise _fail(basic=True)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _fail(basic=True) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise _fail(basic=True)
    return client_id, secret


def _basic_candidates(raw_id: str, raw_secret: str) -> Iterator[tuple[str, str]]:
    yield raw_id, raw_secret
    # Decoded only when the raw pair failed: most clients send it raw, and this runs on every token.
    decoded = unquote_plus(raw_id), unquote_plus(raw_secret)
    if decoded != (raw_id, raw_secret):
        yield decoded


class ClientAuthenticator:
    def __init__(self, directory: ClientDirectory, ledger: AssertionLedger, now: Callable[[], datetime],
                 remote_jwks: RemoteJwks | None = None) -> None:
        self._directory = directory
        self._ledger = ledger
        self._now = now
        self._remote = remote_jwks or RemoteJwks(now)

    def authenticate(self, params: Mapping[str, str], authorization: str | None, audiences: Sequence[str],
                     allow_public: bool) -> Authenticated:
        """The client a request authenticates as; ``audiences`` are the values a client assertion's ``aud``
        may take (the endpoint invoked, and the issuer)."""
        basic = bool(authorization)
        post = "client_secret" in params
        assertion = "client_assertion" in params or "client_assertion_type" in params
        if basic + post + assertion > 1:
            raise InvalidRequestError("The request used more than one client authentication method.")
        if basic:
            return self._secret_basic(params, authorization or "")
        if post:
            return self._secret(params.get("client_id", ""), params["client_secret"], "client_secret_post",
                                basic=False)
        if assertion:
            return self._assertion(params, audiences)
        client_id = params.get("client_id")
        if not client_id:
            raise _fail("No client credentials found.")
        client = self._active(client_id, basic=False)
        if client.token_endpoint_auth_method != "none":
            raise _fail("No client credentials found.")
        if not allow_public:
            raise _fail(FAILED)
        return Authenticated(client, "none")

    def _active(self, client_id: str, basic: bool) -> OAuthClient:
        client = self._directory.find(client_id)
        if client is None or client.status != "ACTIVE":
            raise _fail(FAILED, basic)
        return client

    def _secret_basic(self, params: Mapping[str, str], header: str) -> Authenticated:
        raw_id, raw_secret = _basic(header)
        # Try the bytes as sent, then RFC 6749 Appendix B form-decoding (openid-client encodes, others do not).
        for client_id, secret in _basic_candidates(raw_id, raw_secret):
            if params.get("client_id") not in (None, "", client_id):
                continue
            client = self._directory.find(client_id)
            if client is not None and client.status == "ACTIVE" and \
                    client.token_endpoint_auth_method in SECRET_METHODS and \
                    self._directory.verify_secret(client, secret):
                return Authenticated(client, "client_secret_basic", secret)
        if params.get("client_id") not in (None, "", raw_id, unquote_plus(raw_id)):
            raise _fail("The client_id in the request body does not match the authenticated client.", basic=True)
        raise _fail(FAILED, basic=True)

    def _secret(self, client_id: str, secret: str, method: str, basic: bool) -> Authenticated:
        if not client_id:
            raise _fail("No client credentials found.", basic)
        client = self._active(client_id, basic)
        if client.token_endpoint_auth_method not in SECRET_METHODS or not self._directory.verify_secret(client,
                                                                                                        secret):
            raise _fail("The client secret supplied for a confidential client is invalid.", basic)
        return Authenticated(client, method, secret)

    def _assertion(self, params: Mapping[str, str], audiences: Sequence[str]) -> Authenticated:
        if params.get("client_assertion_type") != ASSERTION_TYPE or not params.get("client_assertion"):
            raise InvalidRequestError(f"client_assertion_type must be {ASSERTION_TYPE} with a client_assertion.")
        assertion = params["client_assertion"]
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise _fail("The client_assertion token is invalid.") from None
        client_id = unverified.get("sub")
        if not isinstance(client_id, str) or unverified.get("iss") != client_id or \
                params.get("client_id") not in (None, "", client_id):
            raise _fail("The client_assertion 'iss' and 'sub' must both be the client_id.")
        client = self._active(client_id, basic=False)
        if client.token_endpoint_auth_method != "private_key_jwt":
            raise _fail(FAILED)
        alg = header.get("alg")
        if alg not in ASSERTION_ALGORITHMS:
            raise _fail("The client_assertion signature algorithm is not allowed.")
        key = _client_key(self.client_jwks(client, header.get("kid")), header.get("kid"), alg)
        try:
            claims = jwt.decode(assertion, key=key, algorithms=[alg], options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                "require": ["iss", "sub", "aud", "exp", "jti"]})
        except jwt.MissingRequiredClaimError as exc:
            raise _fail(f"The client_assertion is missing the '{exc.claim}' claim.") from None
        except jwt.PyJWTError:
            raise _fail("The client_assertion signature is invalid.") from None
        now = self._now()
        self._check_times(claims, now)
        aud = claims["aud"]
        if not any(a in audiences for a in (aud if isinstance(aud, list) else [aud])):
            raise _fail("The audience claim for client_assertion must be the endpoint invoked for the request.")
        expires = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
        jti = str(claims["jti"])
        if has_lone_surrogate(jti):  # no text UTF-8 can carry: the ledger could not key it (chalicelib/surrogates.py)
            raise _fail("The client_assertion 'jti' claim is invalid.")
        if not self._ledger.use_assertion(client_id, jti, expires, now):
            raise _fail("The client_assertion token has already been used.")
        return Authenticated(client, "private_key_jwt")

    def client_jwks(self, client: OAuthClient, kid: str | None) -> Mapping[str, Any]:
        """The keys that verify the client's JWTs (client assertions, request objects): its registered ``jwks``
        (only ACTIVE keys: one deactivated through the Applications API does not verify), else its ``jwks_uri``'s
        set (empty when it cannot be fetched)."""
        if client.jwks:
            return client.verification_jwks or {}
        return self._remote.keys(client.jwks_uri, kid) if client.jwks_uri else {}

    def use_jti(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Record a JWT's ``jti`` of the client in the used-assertion ledger; False when it was used before."""
        return self._ledger.use_assertion(client_id, jti, expires_at, self._now())

    @staticmethod
    def _check_times(claims: Mapping[str, Any], now: datetime) -> None:
        try:
            exp = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
            nbf = datetime.fromtimestamp(int(claims.get("nbf", 0)), timezone.utc)
            iat = datetime.fromtimestamp(int(claims["iat"]), timezone.utc) if "iat" in claims else None
        except (TypeError, ValueError, OverflowError):
            raise _fail("The client_assertion token is invalid.") from None
        if exp + CLOCK_SKEW <= now:
            raise _fail("The client_assertion token is expired.")
        if exp - now > MAX_ASSERTION_LIFETIME:
            raise _fail("The client_assertion token lives too long.")
        if nbf - CLOCK_SKEW > now or (iat is not None and iat - CLOCK_SKEW > now):
            raise _fail("The client_assertion token is not yet valid.")


def _client_key(jwks: Mapping[str, Any], kid: str | None, alg: str) -> Any:
    key = client_key(jwks, kid, alg)
    if key is None:
        raise _fail("The client_assertion signature is invalid.")
    return key


def client_key(jwks: Mapping[str, Any], kid: str | None, alg: str) -> Any | None:
    """The one key of ``jwks`` that verifies ``alg`` (RS*/ES*) with ``kid``; None when there is none, or more
    than one."""
    # A jwks_uri serves whatever it likes: anything but a list of JSON objects holds no usable key (never a 500).
    listed = jwks.get("keys") if isinstance(jwks, Mapping) else None
    keys = [k for k in listed if isinstance(k, Mapping)] if isinstance(listed, list) else []
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
    family = "RSA" if alg.startswith("RS") else "EC"
    # A key registered with an ``alg`` signs only with that algorithm (CAUTH-09: alg not registered -> reject).
    keys = [k for k in keys if k.get("kty") == family and k.get("alg") in (None, alg)]
    if len(keys) != 1:
        return None
    try:
        return jwt.PyJWK.from_json(json.dumps(keys[0]), algorithm=alg).key
    except jwt.PyJWTError:
        return None
