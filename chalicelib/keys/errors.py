"""Errors raised by the signing-key packages.

Messages name the authorization server, the kid and the AWS error code only: never key bytes,
plaintext or ciphertext, so they are safe to log and to chain.
"""

from __future__ import annotations


class KeyStoreError(Exception):
    """Base class for every failure of the signing-key store."""


class KeyMaterialError(KeyStoreError):
    """Private key material could not be stored, read, decrypted, parsed or destroyed."""
