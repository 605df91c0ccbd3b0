"""moto-backed KMS and Secrets Manager for the key-store tests (moto 5: ``mock_aws``)."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from chalicelib.keys.jwk import generate_private_key

REGION = "us-east-1"


def _no_real_aws(mp: pytest.MonkeyPatch) -> None:
    """Fake credentials, and no endpoint override that would send boto3 past moto to a real server."""
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_SESSION_TOKEN", "testing")
    mp.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_SECRETS_MANAGER"):
        mp.delenv(name, raising=False)


@pytest.fixture
def aws_credentials(monkeypatch):
    _no_real_aws(monkeypatch)


@pytest.fixture(scope="module")
def _module_aws():
    """moto, its clients and one KMS key, once per module: moto makes real key material for every KMS key."""
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        _no_real_aws(mp)
        kms = boto3.client("kms", region_name=REGION)
        secrets = boto3.client("secretsmanager", region_name=REGION)
        key_id = kms.create_key(Description="tokenmint signing-key material (test)")["KeyMetadata"]["KeyId"]
        yield SimpleNamespace(kms=kms, secrets=secrets, key_id=key_id)


@pytest.fixture
def key_aws(aws_credentials, _module_aws):
    """The module's KMS key, with no secret stored: Secrets Manager is emptied before every test."""
    from moto.secretsmanager.models import SecretsStore

    from tests.moto_world import secrets_backend

    secrets_backend().secrets = SecretsStore()
    return _module_aws


@pytest.fixture(scope="session")
def rsa_keys():
    """Three RSA-2048 keys, generated once: generation is the slow part of these tests."""
    return [generate_private_key() for _ in range(3)]
