"""DPoP, Demonstrating Proof of Possession (RFC 9449; okta-next.md 3; docs/security-cases/dpop.md DPOP-01..).

A client proves that it holds a private key by signing a short-lived JWT (the *proof*) for each HTTP request and
sending it in the ``DPoP`` header. The token endpoint binds the tokens it issues to the key (``cnf.jkt``, the
RFC 7638 thumbprint of the public key); userinfo then accepts such a token only with a proof by the same key, made
for that very request and that very token (``ath``).

``check_proof`` is pure: it decides whether one request's proof is well formed and fits the request (RFC 9449
4.3, checks 1-11 but replay, which needs storage). ``Dpop`` adds what is not pure: the server nonce and the
single use of each ``jti``.

Server nonces (RFC 9449 8) are stateless, so any container accepts a nonce another one issued: a nonce is the
index of a 24-hour window and an HMAC-SHA256 over (server id, window) with a key derived from the authorization
server's ACTIVE signing key (a secret every container already holds, decrypted in the signer cache: no AWS call,
nothing to provision). The nonce of the current window is handed out; it and those of the three windows before it
are accepted, as Okta rotates its nonce every 24 hours and keeps an old one valid for three days. A key rotation
makes older nonces fail: the client receives ``use_dpop_nonce`` with a fresh nonce and retries, as RFC 9449 8
requires clients to handle at any time.

A proof's ``jti`` is used once: the grants table's single-use store of client assertion ``jti``s
(``AssertionLedger.use_assertion``: one conditional write; of concurrent uses exactly one wins), under the proof
key's thumbprint, kept until the proof could no longer pass the ``iat`` window anyway.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Protocol, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

import jwt
from jwt.exceptions import InvalidKeyError, PyJWTError

from ..keys.errors import KeyStoreError
from ..surrogates import has_lone_surrogate
from .errors import InvalidDpopProofError, TemporarilyUnavailableError, UseDpopNonceError

# Okta's list (okta-next.md 3), plus RSASSA-PSS, which PyJWT verifies with cryptography. Never "none" or HMAC:
# a proof must be checkable with the public key it carries (DPOP-03).
SIGNING_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512")
PROOF_TYPE = "dpop+jwt"
# Okta: a proof "issued more than five minutes in the past" is refused; one from the future beyond a small skew too.
MAX_AGE = timedelta(minutes=5)
FUTURE_SKEW = timedelta(seconds=30)
MAX_PROOF_LENGTH = 8192
# An RFC 7638 thumbprint as RFC 9449 writes it (``cnf.jkt``, ``dpop_jkt``): base64url of a SHA-256 digest.
THUMBPRINT = re.compile(r"[A-Za-z0-9_-]{43}")
NONCE_WINDOW = timedelta(hours=24)
NONCE_WINDOWS_ACCEPTED = 4  # the current one and the three before it

# Okta's texts where known (okta-next.md 3 and observed challenges); the others in Okta's style.
MISSING = "The DPoP proof JWT header is missing."
MULTIPLE = "Multiple DPoP proof JWT headers are present."
MALFORMED = "The DPoP proof JWT is malformed."
BAD_TYPE = "The DPoP proof JWT has an invalid 'typ' header: it must be 'dpop+jwt'."
BAD_ALG = "The DPoP proof JWT is signed with an unsupported algorithm."
BAD_JWK = "The DPoP proof JWT 'jwk' header must be a public key."
BAD_SIGNATURE = "The DPoP proof JWT signature is invalid."
BAD_HTM = "The DPoP proof JWT 'htm' claim does not match the HTTP method of the request."
BAD_HTU = "The DPoP proof JWT 'htu' claim does not match the URI of the request."
MISSING_CLAIM = "The DPoP proof JWT is missing the '{claim}' claim."
TOO_OLD = "The DPoP proof JWT is issued more than five minutes in the past."
IN_FUTURE = "The DPoP proof JWT is issued in the future."
REPLAYED = "The DPoP proof JWT has already been used."
BAD_ATH = "The DPoP proof JWT 'ath' claim does not match the access token."
NEEDS_NONCE = "Authorization server requires nonce in DPoP proof."
KEY_MISMATCH = "The DPoP proof JWT key does not match the key the token is bound to."
BOUND_AS_BEARER = "The access token is DPoP-bound: present it with the DPoP authorization scheme and a DPoP proof."
NOT_BOUND = "The access token is not DPoP-bound: present it with the Bearer authorization scheme."
INVALID_TOKEN = "The access token is invalid"
BEARER, DPOP_SCHEME = "bearer", "dpop"


@dataclass(frozen=True)
class Proof:
    """A proof that passed ``check_proof``: the key's thumbprint and what single use and nonces need."""

    jkt: str
    jti: str
    iat: int
    nonce: str | None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


# RFC 7638 3.2: the required members of each key type, in lexicographic order.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of a public JWK (base64url, 43 characters): the JSON object of the key type's
    required members, sorted, without whitespace. ``ValueError`` for a key type without one."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None or not all(isinstance(jwk.get(m), str) for m in members):
        raise ValueError("not a public RSA or EC JWK")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def access_token_hash(access_token: str) -> str:
    """``ath`` (RFC 9449 4.2): base64url of the SHA-256 of the access token's ASCII bytes."""
    return _b64url(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalize_escapes(part: str) -> str:
    """RFC 3986 6.2.2.1-2: upper-case percent escapes, and decode those of unreserved characters."""
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if (char.isascii() and (char.isalnum() or char in "-._~")) else "%" + match.group(1).upper()
    return _UNRESERVED.sub(fix, part)


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    joined = "/".join(out)
    if path.endswith(("/.", "/..")):
        joined += "/"
    return joined


def normalize_uri(uri: str) -> str | None:
    """The URI without query and fragment, normalized as RFC 9449 4.3 check 9 asks (RFC 3986 6.2.2 syntax-based
    and 6.2.3 scheme-based normalization): lower-case scheme and host, default port dropped, an empty path is "/",
    percent escapes normalized, dot segments removed. None when it is not an absolute http(s) URI."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.username is not None or parts.password is not None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path or "/")) or "/"
    return urlunsplit((scheme, netloc, path, "", ""))


def _claim_error(claim: str) -> InvalidDpopProofError:
    return InvalidDpopProofError(MISSING_CLAIM.format(claim=claim))


def check_proof(values: Sequence[str], *, method: str, uri: str, now: datetime, access_token: str | None = None,
                algorithms: Sequence[str] = SIGNING_ALGS) -> Proof:
    """RFC 9449 4.3 for one request, but for ``jti`` single use and the nonce (``Dpop``): ``values`` are the
    request's ``DPoP`` header values (each header, split at commas); ``method`` and ``uri`` the request's (the
    server's public URL of the endpoint); ``access_token`` the token presented with it at a resource (``ath``).
    Raises ``InvalidDpopProofError`` naming the first check that failed."""
    if not values:
        raise InvalidDpopProofError(MISSING)
    if len(values) != 1:  # DPOP-02
        raise InvalidDpopProofError(MULTIPLE)
    proof = values[0].strip()
    # A compact JWS is ASCII; PyJWT would raise on text UTF-8 cannot carry, not with its own error.
    if not proof or len(proof) > MAX_PROOF_LENGTH or proof.count(".") != 2 or not proof.isascii():
        raise InvalidDpopProofError(MALFORMED)
    try:
        header = jwt.get_unverified_header(proof)
    except PyJWTError:
        raise InvalidDpopProofError(MALFORMED) from None
    if header.get("typ") != PROOF_TYPE:  # DPOP-04
        raise InvalidDpopProofError(BAD_TYPE)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:  # DPOP-03
        raise InvalidDpopProofError(BAD_ALG)
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or any(m in jwk for m in _PRIVATE_MEMBERS):  # DPOP-05
        raise InvalidDpopProofError(BAD_JWK)
    if alg.startswith("ES") and jwk.get("crv") != _CURVES[alg]:
        raise InvalidDpopProofError(BAD_JWK)
    try:
        jkt = jwk_thumbprint(jwk)
        key = jwt.PyJWK.from_dict(jwk, algorithm=alg).key
    except (ValueError, PyJWTError, InvalidKeyError, TypeError):
        raise InvalidDpopProofError(BAD_JWK) from None
    try:
        claims = jwt.decode(proof, key=key, algorithms=[alg], options={
            "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
            "verify_iss": False, "require": ["jti", "htm", "htu", "iat"]})
    except jwt.MissingRequiredClaimError as exc:
        raise _claim_error(exc.claim) from None
    except PyJWTError:  # DPOP-06
        raise InvalidDpopProofError(BAD_SIGNATURE) from None
    jti, htm, htu, iat = claims["jti"], claims["htm"], claims["htu"], claims["iat"]
    # A lone surrogate is no text UTF-8 can carry: the ledger could not key it (chalicelib/surrogates.py).
    if not isinstance(jti, str) or not jti or len(jti) > 256 or has_lone_surrogate(jti):
        raise _claim_error("jti")
    if htm != method:  # DPOP-07
        raise InvalidDpopProofError(BAD_HTM)
    expected = normalize_uri(uri)
    if not isinstance(htu, str) or expected is None or normalize_uri(htu) != expected:  # DPOP-08
        raise InvalidDpopProofError(BAD_HTU)
    if isinstance(iat, bool) or not isinstance(iat, (int, float)):
        raise _claim_error("iat")
    stamp = now.timestamp()
    if iat > stamp + FUTURE_SKEW.total_seconds():  # DPOP-09
        raise InvalidDpopProofError(IN_FUTURE)
    if iat < stamp - MAX_AGE.total_seconds():
        raise InvalidDpopProofError(TOO_OLD)
    if access_token is not None:  # DPOP-11
        ath = claims.get("ath")
        if not isinstance(ath, str) or has_lone_surrogate(ath) or \
                not hmac.compare_digest(ath.encode(), access_token_hash(access_token).encode()):
            raise InvalidDpopProofError(BAD_ATH)
    nonce = claims.get("nonce")
    return Proof(jkt=jkt, jti=jti, iat=int(iat), nonce=nonce if isinstance(nonce, str) else None)


def header_values(raw: Sequence[str]) -> tuple[str, ...]:
    """The proofs of a request from its ``DPoP`` header fields: several fields, or several values folded into one
    field with commas (RFC 9110 5.3; a compact JWT holds no comma), count as several proofs."""
    return tuple(v.strip() for field in raw for v in field.split(",") if v.strip())


class JtiLedger(Protocol):
    """``client_auth.AssertionLedger``: the grants table's single-use ``jti`` markers."""

    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool: ...


NonceSecret = Callable[[str], bytes]


class Nonces:
    """Stateless server nonces (module docstring): ``secret(server_id)`` gives the server's nonce key."""

    def __init__(self, secret: NonceSecret, window: timedelta = NONCE_WINDOW,
                 accepted: int = NONCE_WINDOWS_ACCEPTED) -> None:
        self._secret = secret
        self._window = int(window.total_seconds())
        self._accepted = accepted

    def _mac(self, server_id: str, index: int) -> str:
        mac = hmac.new(self._secret(server_id), f"dpop-nonce:{server_id}:{index}".encode(), hashlib.sha256)
        return _b64url(mac.digest()[:18])

    def current(self, server_id: str, now: datetime) -> str:
        index = int(now.timestamp()) // self._window
        return f"{index:x}.{self._mac(server_id, index)}"

    def valid(self, server_id: str, nonce: str | None, now: datetime) -> bool:
        if not isinstance(nonce, str) or len(nonce) > 64:
            return False
        index_text, _, mac = nonce.partition(".")
        try:
            index = int(index_text, 16)
        except ValueError:
            return False
        current = int(now.timestamp()) // self._window
        if not current - self._accepted < index <= current:
            return False
        return hmac.compare_digest(mac.encode(), self._mac(server_id, index).encode())


def derive_nonce_key(label: str, private_value: int) -> bytes:
    """A nonce key from a secret number (the signing key's private exponent), separated from any other use."""
    raw = private_value.to_bytes((private_value.bit_length() + 7) // 8 or 1, "big")
    return hmac.new(raw, f"tokenmint dpop nonce v1:{label}".encode(), hashlib.sha256).digest()


class _Configs(Protocol):
    def active(self, server_id: str, org_route: bool = False) -> tuple[Any, datetime]: ...


class _Signer(Protocol):
    def get(self, auth_server_id: str, active_kid: str, *, kid_read_at: datetime | None = None) -> Any: ...


class SigningKeySecret:
    """The nonce key of a server, derived from its ACTIVE signing key (the signer cache's decrypted key: no AWS
    call when warm), once per kid per container. A key store failure is the token path's 503, as for signing."""

    def __init__(self, configs: _Configs, signer: _Signer, org_server_id: str) -> None:
        self._configs = configs
        self._signer = signer
        self._org = org_server_id
        self._keys: dict[str, bytes] = {}

    def __call__(self, server_id: str) -> bytes:
        config, read_at = self._configs.active(server_id, org_route=server_id == self._org)
        kid = config.server.signing_kid or ""
        derived = self._keys.get(kid)
        if derived is None:
            try:
                loaded = self._signer.get(server_id, kid, kid_read_at=read_at)
            except KeyStoreError:
                raise TemporarilyUnavailableError("The authorization server is temporarily unavailable.") from None
            derived = derive_nonce_key(kid, loaded.private_key.private_numbers().d)
            self._keys[kid] = derived
        return derived


class Dpop:
    """What the token endpoint and userinfo check beyond ``check_proof``: the nonce and ``jti`` single use."""

    def __init__(self, ledger: JtiLedger, nonces: Nonces, now: Callable[[], datetime],
                 algorithms: Sequence[str] = SIGNING_ALGS) -> None:
        self._ledger = ledger
        self.nonces = nonces
        self._now = now
        self.algorithms = tuple(algorithms)

    def verify(self, values: Sequence[str], *, method: str, uri: str, server_id: str, require_nonce: bool,
               access_token: str | None = None) -> Proof:
        """The checked proof of a request; ``InvalidDpopProofError`` or ``UseDpopNonceError`` otherwise. The
        ``jti`` is spent last, so a proof refused for another reason can be corrected without a new ``jti``."""
        now = self._now()
        proof = check_proof(values, method=method, uri=uri, now=now, access_token=access_token,
                            algorithms=self.algorithms)
        if require_nonce and not self.nonces.valid(server_id, proof.nonce, now):  # DPOP-10
            raise UseDpopNonceError(self.nonces.current(server_id, now))
        # Kept as long as the proof could pass the iat window: then it is refused as too old anyway (DPOP-12).
        until = datetime.fromtimestamp(proof.iat, now.tzinfo) + MAX_AGE + FUTURE_SKEW
        if not self._ledger.use_assertion(f"DPOP#{proof.jkt}", proof.jti, max(until, now + FUTURE_SKEW), now):
            raise InvalidDpopProofError(REPLAYED)
        return proof

    def challenge(self, error: str, description: str) -> str:
        """``WWW-Authenticate`` of a resource's DPoP refusal (RFC 9449 7.1)."""
        return f'DPoP algs="{" ".join(self.algorithms)}", error="{error}", error_description="{description}"'


def authorization_token(authorization: str | None) -> tuple[str, str] | None:
    """(token, scheme) of an ``Authorization: Bearer <token>`` or ``Authorization: DPoP <token>`` header (RFC 6750
    2.1, RFC 9449 7.1; the scheme case-insensitive, returned lower-cased), else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value, scheme = value.strip(), scheme.lower()
    return (value, scheme) if scheme in (BEARER, DPOP_SCHEME) and value and " " not in value else None


@dataclass(frozen=True)
class BindingRefusal:
    """Why a resource refuses an access token as presented (RFC 9449 7.1): its DPoP challenge's error and
    description."""

    error: str
    description: str


def binding_refusal(dpop: Dpop | None, *, claims: Mapping[str, Any], token: str, scheme: str,
                    proofs: Sequence[str], method: str, uri: str, server_id: str) -> BindingRefusal | None:
    """RFC 9449 7 at a resource (userinfo, the management API): a DPoP-bound token (``cnf.jkt``) only with the DPoP
    scheme and a proof by its key for this request (``htm``, ``htu`` = ``uri``) and this token (``ath``), ``jti``
    used once, no server nonce demanded; the DPoP scheme only with a bound token. None when the request may go on
    (``scheme`` is ``bearer`` or ``dpop``, lower-cased)."""
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
    if jkt is None and scheme != DPOP_SCHEME:
        return None
    if dpop is None:
        return BindingRefusal("invalid_token", INVALID_TOKEN)
    if jkt is None:
        return BindingRefusal("invalid_token", NOT_BOUND)
    if scheme != DPOP_SCHEME:  # DPOP-14: a bound token presented as a bearer token
        return BindingRefusal("invalid_token", BOUND_AS_BEARER)
    try:
        proof = dpop.verify(proofs, method=method, uri=uri, server_id=server_id, require_nonce=False,
                            access_token=token)
    except InvalidDpopProofError as error:
        return BindingRefusal(error.error, error.description)
    if proof.jkt != jkt:  # DPOP-15
        return BindingRefusal("invalid_dpop_proof", KEY_MISMATCH)
    return None
