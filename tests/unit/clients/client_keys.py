"""Test JWKs for client registration tests (an importable helper, not a test module)."""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64(value: int) -> str:
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@lru_cache(maxsize=None)
def _rsa(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def rsa_jwk(kid: str | None, bits: int = 2048, private: bool = False) -> dict:
    key = _rsa(bits)
    pub = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "e": b64(pub.e), "n": b64(pub.n)}
    if kid is not None:
        jwk["kid"] = kid
    if private:
        p = key.private_numbers()
        jwk.update(d=b64(p.d), p=b64(p.p), q=b64(p.q), dp=b64(p.dmp1), dq=b64(p.dmq1), qi=b64(p.iqmp))
    return jwk


@lru_cache(maxsize=None)
def _ec(curve_name: str) -> ec.EllipticCurvePrivateKey:
    curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}[curve_name]
    return ec.generate_private_key(curve)


def ec_jwk(kid: str | None, crv: str = "P-256") -> dict:
    pub = _ec(crv).public_key().public_numbers()
    jwk = {"kty": "EC", "crv": crv, "x": b64(pub.x), "y": b64(pub.y)}
    if kid is not None:
        jwk["kid"] = kid
    return jwk
