"""Signed request objects: the ``request`` parameter (RFC 9101 JWT-Secured Authorization Request; OIDC Core 6.1;
okta-next.md 3 "JWT-secured authorization request"), at ``/v1/authorize`` and inside a pushed authorization request
(RFC 9126 3). Security cases: docs/security-cases/par.md, JAR-01..JAR-10.

A request object is a JWT signed by the client:

* ``RS256``/``RS384``/``RS512``/``ES256``/``ES384``/``ES512`` with a key of the client's JWKS (its registered
  ``jwks``, ACTIVE keys only, or its ``jwks_uri``: the very key handling of ``private_key_jwt``, client_auth.py);
* ``HS256``/``HS384``/``HS512`` keyed by the client secret. tokenmint keeps secrets only as SHA-256 hashes (why
  ``client_secret_jwt`` is refused), so an HMAC can be checked only where the secret itself is presented: a pushed
  authorization request authenticated with ``client_secret_basic``/``_post``. Anywhere else an HMAC-signed request
  object is refused, saying why;
* never ``none`` (unsigned), never encrypted.

Its claims: ``iss`` = the client_id, ``aud`` = the server's issuer, ``exp`` (required, at most one hour ahead),
``iat`` (required, not in the future), ``nbf`` when present, ``jti`` (required, single use: recorded in the
used-assertion ledger that client assertions use, until ``exp``), ``client_id`` when present = the client_id
parameter. Every other claim is an authorization parameter; the request object's value wins over the same parameter
sent outside it (Okta's and OIDC Core 6.1's merge). ``request`` and ``request_uri`` together are refused.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Protocol

import jwt

from ..domain import OAuthClient
from ..surrogates import has_lone_surrogate
from .client_auth import client_key
from .errors import InvalidRequestError, InvalidRequestObjectError

ASYMMETRIC_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
HMAC_ALGS = ("HS256", "HS384", "HS512")
SIGNING_ALGS = ASYMMETRIC_ALGS + HMAC_ALGS
MAX_LIFETIME = timedelta(hours=1)
CLOCK_SKEW = timedelta(seconds=30)
# RFC 9101 4 recommends this media type; a plain JWT (or none) is accepted, any other ``typ`` is a JWT made for
# something else (an access token, a DPoP proof...) and refused (RFC 9101 10.8, cross-JWT confusion).
TYPES = (None, "JWT", "jwt", "oauth-authz-req+jwt", "application/oauth-authz-req+jwt")
# Claims that describe the JWT itself, not the authorization request.
JWT_CLAIMS = ("iss", "aud", "exp", "iat", "nbf", "jti", "sub")

BOTH = "The request must not contain both a request object and a request uri."
UNSIGNED = "The request object must be signed: 'alg' none is not accepted."
HMAC_NEEDS_SECRET = ("An HMAC-signed request object is accepted only in a pushed authorization request "
                     "authenticated with the client secret (client secrets are stored only as hashes). Sign it with "
                     "a key of the client's JWKS instead.")
NO_JWKS = "The client has no JWKS configured to verify the request object."
BAD_SIGNATURE = "The request object signature is invalid."
BAD_ISSUER = "The request object 'iss' claim must be the client_id."
BAD_JTI = "The request object 'jti' claim must be a non-empty string."
BAD_AUDIENCE = "The request object 'aud' claim must be the issuer of the authorization server."


class ClientKeys(Protocol):
    """What verifying a client's JWT needs (client_auth.ClientAuthenticator provides it)."""

    def client_jwks(self, client: OAuthClient, kid: str | None) -> Mapping[str, Any]: ...

    def use_jti(self, client_id: str, jti: str, expires_at: datetime) -> bool: ...


def _fail(description: str) -> InvalidRequestObjectError:
    return InvalidRequestObjectError(description)


class RequestObjects:
    def __init__(self, keys: ClientKeys, now: Callable[[], datetime]) -> None:
        self._keys = keys
        self._now = now

    def resolve(self, params: Mapping[str, tuple[str, ...]], client: OAuthClient, issuer: str,
                secret: str | None = None) -> dict[str, tuple[str, ...]]:
        """``params`` with the request object's parameters merged in (its values win) and ``request`` removed;
        ``params`` unchanged without a request object. ``secret``: the client secret the same request was
        authenticated with, if any (for HS*). Raises ``InvalidRequestObjectError`` / ``InvalidRequestError``."""
        values = params.get("request") or ()
        if not values or not values[0]:
            return dict(params)
        if len(values) > 1:
            raise InvalidRequestError("The request contained multiple parameters with the same name.")
        if params.get("request_uri"):
            raise InvalidRequestError(BOTH)
        claims = self.verify(values[0], client, issuer, secret)
        merged = {name: vals for name, vals in params.items() if name != "request"}
        for name, value in claims.items():
            if name in JWT_CLAIMS:
                continue
            if name in ("request", "request_uri"):
                raise _fail("The request object must not contain 'request' or 'request_uri'.")
            if has_lone_surrogate(name):
                raise _fail("The request object claims are malformed.")
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise _fail(f"The request object claim '{name[:40]}' must be a string or a number.")
            if isinstance(value, str) and has_lone_surrogate(value):  # no text UTF-8 can carry (surrogates.py)
                raise _fail(f"The request object claim '{name[:40]}' is not valid text.")
            merged[name] = (str(value),)
        if merged.get("client_id", (client.client_id,)) != (client.client_id,):
            raise _fail("The client_id in the request object does not match the client_id parameter.")
        return merged

    def verify(self, token: str, client: OAuthClient, issuer: str, secret: str | None) -> dict[str, Any]:
        """The request object's claims, once its signature, issuer, audience, times and ``jti`` are good."""
        if not token.isascii():  # a compact JWS is ASCII (PyJWT raises on what UTF-8 cannot carry)
            raise _fail("The request object is not a valid JWT.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _fail("The request object is not a valid JWT.") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise _fail(UNSIGNED)
        if alg not in SIGNING_ALGS:
            raise _fail(f"The request object signing algorithm is not supported. Supported: [{', '.join(SIGNING_ALGS)}].")
        if header.get("typ") not in TYPES:
            raise _fail("The request object 'typ' header must be oauth-authz-req+jwt.")
        key: Any
        if alg in HMAC_ALGS:
            if not secret:
                raise _fail(HMAC_NEEDS_SECRET)
            key = secret.encode("utf-8")
        else:
            kid = header.get("kid") if isinstance(header.get("kid"), str) else None
            jwks = self._keys.client_jwks(client, kid)
            if not (isinstance(jwks.get("keys"), list) and jwks.get("keys")):
                raise _fail(NO_JWKS)
            key = client_key(jwks, kid, alg)
            if key is None:
                raise _fail(BAD_SIGNATURE)
        try:
            claims: dict[str, Any] = jwt.decode(token, key=key, algorithms=[alg], options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                "verify_iss": False, "require": ["iss", "aud", "exp", "iat", "jti"]})
        except jwt.MissingRequiredClaimError as exc:
            raise _fail(f"The request object must contain the '{exc.claim}' claim.") from None
        except jwt.exceptions.InvalidJTIError:
            raise _fail(BAD_JTI) from None
        except jwt.DecodeError:  # InvalidSignatureError included
            raise _fail(BAD_SIGNATURE) from None
        except jwt.PyJWTError:
            raise _fail("The request object claims are malformed.") from None
        if claims["iss"] != client.client_id:
            raise _fail(BAD_ISSUER)
        aud = claims["aud"]
        if issuer not in (aud if isinstance(aud, list) else [aud]):
            raise _fail(BAD_AUDIENCE)
        expires = self._check_times(claims)
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti or len(jti) > 256 or has_lone_surrogate(jti):
            raise _fail(BAD_JTI)
        if not self._keys.use_jti(client.client_id, jti, expires):
            raise _fail("The request object has already been used ('jti' replayed).")
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> datetime:
        now = self._now()
        try:
            exp = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
            iat = datetime.fromtimestamp(int(claims["iat"]), timezone.utc)
            nbf = datetime.fromtimestamp(int(claims["nbf"]), timezone.utc) if "nbf" in claims else None
        except (TypeError, ValueError, OverflowError, OSError):
            raise _fail("The request object 'exp', 'iat' and 'nbf' claims must be numbers.") from None
        if exp + CLOCK_SKEW <= now:
            raise _fail("The request object is expired.")
        if exp - now > MAX_LIFETIME:
            raise _fail("The request object 'exp' claim must be at most one hour in the future.")
        if iat - CLOCK_SKEW > now or (nbf is not None and nbf - CLOCK_SKEW > now):
            raise _fail("The request object is not yet valid.")
        return exp
