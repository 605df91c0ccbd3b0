"""RSA signing keys as JSON Web Keys.

Implements RFC 7517 (JWK) and RFC 7518 §6.3.1 (RSA public members ``n``/``e``, base64url without
padding, big-endian, no leading zero octets) for the public view, and RFC 7638 (JWK thumbprint,
SHA-256) for the ``kid``. The public shape is the one Okta publishes for a custom authorization
server (okta-api.md §3.2 and §3.4): ``kty, alg, kid, use, e, n``, RS256 over RSA-2048.

Why the thumbprint as ``kid``: Okta kids are 43-character base64url strings, exactly the length of
an unpadded SHA-256 digest; a thumbprint is also deterministic, so a retried rotation step that
re-derives the kid of the same key gets the same name everywhere (key record, secret name, KMS
encryption context) instead of minting a second identity for one key pair.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

RSA_KEY_SIZE = 2048
RSA_PUBLIC_EXPONENT = 65537
ALG = "RS256"
USE = "sig"

# The only members a published key may carry. Anything else (d, p, q, dp, dq, qi, oth, or Okta's
# management-only status/_links) is added by the caller that needs it, never by this module.
PUBLIC_MEMBERS = ("kty", "alg", "kid", "use", "e", "n")
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def generate_private_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key with public exponent 65537 (what Okta and its verifiers expect)."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_SIZE)


def b64url_uint(value: int) -> str:
    """Base64url (no padding) of the minimal big-endian octets of a non-negative integer (RFC 7518 §2)."""
    if value < 0:
        raise ValueError("JWK integers are non-negative")
    length = max(1, (value.bit_length() + 7) // 8)
    return _b64url(value.to_bytes(length, "big"))


def thumbprint(public_key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> str:
    """RFC 7638 SHA-256 thumbprint: 43 base64url characters.

    The hash input is the required RSA members in lexicographic order, no whitespace (RFC 7638 §3.2).
    """
    numbers = _public_key(public_key).public_numbers()
    canonical = json.dumps(
        {"e": b64url_uint(numbers.e), "kty": "RSA", "n": b64url_uint(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> dict[str, str]:
    """The published JWK of ``key``: exactly ``kty, alg, kid, use, e, n`` (Okta's member order)."""
    numbers = _public_key(key).public_numbers()
    return {
        "kty": "RSA",
        "alg": ALG,
        "kid": thumbprint(key),
        "use": USE,
        "e": b64url_uint(numbers.e),
        "n": b64url_uint(numbers.n),
    }


def public_key_from_jwk(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey:
    """Parse a published RSA JWK into a key usable for verification.

    Refuses a JWK that carries private members (it should never have been published) and one whose
    ``kid`` is not the thumbprint of its ``n``/``e`` (a mismatched record would make verifiers pick
    the wrong key).
    """
    if jwk.get("kty") != "RSA":
        raise ValueError("not an RSA JWK")
    leaked = PRIVATE_MEMBERS.intersection(jwk)
    if leaked:
        raise ValueError(f"JWK carries private members: {sorted(leaked)}")
    try:
        n = _b64url_uint_decode(jwk["n"])
        e = _b64url_uint_decode(jwk["e"])
    except (KeyError, TypeError) as exc:
        raise ValueError("JWK lacks a valid n or e") from exc
    key = rsa.RSAPublicNumbers(e=e, n=n).public_key()
    if "kid" in jwk and jwk["kid"] != thumbprint(key):
        raise ValueError("JWK kid is not the RFC 7638 thumbprint of its key")
    return key


def private_key_to_der(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 DER, unencrypted: the plaintext handed to KMS (about 1.2 KB for RSA-2048)."""
    der: bytes = key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return der


def private_key_from_der(data: bytes, *, trusted: bool = False) -> rsa.RSAPrivateKey:
    """Parse PKCS#8 DER back into an RSA private key.

    Full validation of the RSA parameters costs ~27 ms, a tenth of a cold start. ``trusted=True`` skips it for
    material that comes out of an authenticated KMS Decrypt under its own encryption context (it can only be a key
    this code generated and stored) and whose thumbprint the caller checks against the kid. The error message
    never echoes the input bytes.
    """
    try:
        key = serialization.load_der_private_key(data, password=None, unsafe_skip_rsa_key_validation=trusted)
    except (ValueError, TypeError):
        raise ValueError("not a PKCS#8 DER private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def _public_key(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> rsa.RSAPublicKey:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key
    raise TypeError("expected an RSA key")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint_decode(text: str) -> int:
    if not isinstance(text, str) or not text or "=" in text:
        raise ValueError("JWK integers are unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("JWK integer is not base64url") from None
    return int.from_bytes(raw, "big")
