"""DPoP proofs built by hand with PyJWT (imported as ``dpop_support`` by the DPoP integration tests)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

BASE = "https://tokenmint.test"
TOKEN_URL = f"{BASE}/oauth2/default/v1/token"
USERINFO_URL = f"{BASE}/oauth2/default/v1/userinfo"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class Holder:
    """A client's DPoP key pair."""

    private: Any
    alg: str = "ES256"

    @classmethod
    def ec(cls) -> "Holder":
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def rsa(cls, alg: str = "RS256") -> "Holder":
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), alg)

    def public_jwk(self) -> dict[str, Any]:
        tool = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        return json.loads(tool.to_jwk(self.private.public_key()))

    def private_jwk(self) -> dict[str, Any]:
        tool = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        return json.loads(tool.to_jwk(self.private))

    def jkt(self) -> str:
        jwk = self.public_jwk()
        members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
        canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
        return b64url(hashlib.sha256(canonical.encode()).digest())

    def proof(self, htm: str, htu: str, iat: int, *, nonce: str | None = None, access_token: str | None = None,
              jti: str | None = None, typ: str = "dpop+jwt", jwk: dict[str, Any] | None = None,
              extra: dict[str, Any] | None = None) -> str:
        claims: dict[str, Any] = {"jti": jti or secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": iat,
                                  **(extra or {})}
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = b64url(hashlib.sha256(access_token.encode()).digest())
        headers = {"typ": typ, "jwk": jwk if jwk is not None else self.public_jwk()}
        return jwt.encode(claims, self.private, algorithm=self.alg, headers=headers)


def hs256_proof(htm: str, htu: str, iat: int) -> str:
    """A proof "signed" with an HMAC key it carries itself (DPOP-03: must be refused)."""
    key = secrets.token_bytes(32)
    return jwt.encode({"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": iat}, key, algorithm="HS256",
                      headers={"typ": "dpop+jwt", "jwk": {"kty": "oct", "k": b64url(key)}})


def none_proof(holder: Holder, htm: str, htu: str, iat: int) -> str:
    """An unsigned proof (``alg: none``)."""
    header = {"typ": "dpop+jwt", "alg": "none", "jwk": holder.public_jwk()}
    claims = {"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": iat}
    return (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode()) + ".")
