"""Signing keys: JWK encoding, the ACTIVE/NEXT/EXPIRED lifecycle planner, the KMS key store, the signer cache."""
