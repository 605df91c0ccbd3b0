"""Keys for the client API tests."""
from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode().rstrip("=")


@pytest.fixture(scope="session")
def rsa_jwk() -> dict:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()
    return {"kty": "RSA", "kid": "k1", "e": _b64(numbers.e), "n": _b64(numbers.n)}
