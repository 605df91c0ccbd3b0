"""KMS + Secrets Manager key-material store (chalicelib.keys.store) against moto."""

from __future__ import annotations

import base64
import logging

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.keys.errors import KeyMaterialError, KeyStoreError
from chalicelib.keys.jwk import private_key_to_der, public_jwk, thumbprint
from chalicelib.keys.store import TAG_KID, TAG_SERVER, KeyMaterialStore

PREFIX = "tokenmint/test/signing-keys"


@pytest.fixture
def store(key_aws) -> KeyMaterialStore:
    return KeyMaterialStore(key_aws.kms, key_aws.secrets, key_aws.key_id, PREFIX, recovery_window_days=7)


def stored_ciphertext(key_aws, server: str, kid: str) -> bytes:
    return key_aws.secrets.get_secret_value(SecretId=f"{PREFIX}/{server}/{kid}")["SecretBinary"]


def test_put_then_load_round_trips_the_private_key(store, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    loaded = store.load("aus1", kid)
    assert loaded.private_numbers() == key.private_numbers()
    assert public_jwk(loaded)["kid"] == kid


def test_secret_holds_kms_ciphertext_not_the_der(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    der = private_key_to_der(key)
    described = key_aws.secrets.describe_secret(SecretId=f"{PREFIX}/aus1/{kid}")
    ciphertext = stored_ciphertext(key_aws, "aus1", kid)
    assert ciphertext != der and der not in ciphertext and der[16:80] not in ciphertext
    assert base64.b64encode(der[16:64]) not in ciphertext
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags == {TAG_SERVER: "aus1", TAG_KID: kid}
    assert "SecretString" not in key_aws.secrets.get_secret_value(SecretId=f"{PREFIX}/aus1/{kid}")


def test_ciphertext_only_decrypts_under_its_own_encryption_context(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    blob = stored_ciphertext(key_aws, "aus1", kid)
    right = key_aws.kms.decrypt(CiphertextBlob=blob, EncryptionContext={"authServerId": "aus1", "kid": kid})
    assert right["Plaintext"] == private_key_to_der(key)
    for wrong in (
        {"authServerId": "aus1", "kid": thumbprint(rsa_keys[1])},
        {"authServerId": "aus2", "kid": kid},
        {},
    ):
        with pytest.raises(ClientError) as caught:
            key_aws.kms.decrypt(CiphertextBlob=blob, EncryptionContext=wrong)
        assert caught.value.response["Error"]["Code"] == "InvalidCiphertextException"


@pytest.mark.parametrize("target", [("aus1", 1), ("aus2", 0)], ids=["other-kid", "other-server"])
def test_ciphertext_copied_under_another_name_fails_to_load(store, key_aws, rsa_keys, target):
    key_a = rsa_keys[0]
    kid_a = thumbprint(key_a)
    store.put("aus1", kid_a, key_a)
    server, index = target
    kid_b = thumbprint(rsa_keys[index])
    copied = stored_ciphertext(key_aws, "aus1", kid_a)
    key_aws.secrets.create_secret(Name=f"{PREFIX}/{server}/{kid_b}", SecretBinary=copied)
    with pytest.raises(KeyMaterialError) as caught:
        store.load(server, kid_b)
    assert "InvalidCiphertextException" in str(caught.value)


def test_put_is_idempotent_and_never_replaces_existing_material(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    before = key_aws.secrets.get_secret_value(SecretId=f"{PREFIX}/aus1/{kid}")
    store.put("aus1", kid, key)  # a retried run
    after = key_aws.secrets.get_secret_value(SecretId=f"{PREFIX}/aus1/{kid}")
    assert after["VersionId"] == before["VersionId"] and after["SecretBinary"] == before["SecretBinary"]
    assert store.load("aus1", kid).private_numbers() == key.private_numbers()


def test_put_refuses_to_overwrite_unreadable_material_under_its_name(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    name = f"{PREFIX}/aus1/{kid}"
    key_aws.secrets.create_secret(Name=name, SecretBinary=b"someone else's bytes")
    with pytest.raises(KeyMaterialError, match="not overwritten"):
        store.put("aus1", kid, key)
    assert key_aws.secrets.get_secret_value(SecretId=name)["SecretBinary"] == b"someone else's bytes"


def test_put_refuses_a_kid_that_is_not_the_key_thumbprint(store, key_aws, rsa_keys):
    with pytest.raises(KeyMaterialError):
        store.put("aus1", thumbprint(rsa_keys[1]), rsa_keys[0])
    assert key_aws.secrets.list_secrets()["SecretList"] == []


def test_load_refuses_material_filed_under_the_wrong_kid(store, key_aws, rsa_keys):
    # Valid ciphertext with the right context but someone else's key: caught by the thumbprint check.
    kid_b = thumbprint(rsa_keys[1])
    blob = key_aws.kms.encrypt(
        KeyId=key_aws.key_id,
        Plaintext=private_key_to_der(rsa_keys[0]),
        EncryptionContext={"authServerId": "aus1", "kid": kid_b},
    )["CiphertextBlob"]
    key_aws.secrets.create_secret(Name=f"{PREFIX}/aus1/{kid_b}", SecretBinary=blob)
    with pytest.raises(KeyMaterialError, match="another kid"):
        store.load("aus1", kid_b)


def test_load_of_a_missing_key_is_a_wrapped_error(store):
    with pytest.raises(KeyStoreError) as caught:
        store.load("aus1", "A" * 43)
    assert isinstance(caught.value, KeyMaterialError)
    assert "GetSecretValue" in str(caught.value) and "ResourceNotFoundException" in str(caught.value)


def test_destroy_schedules_deletion_and_is_idempotent(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    store.destroy("aus1", kid)
    described = key_aws.secrets.describe_secret(SecretId=f"{PREFIX}/aus1/{kid}")
    assert "DeletedDate" in described  # recoverable for the window
    with pytest.raises(KeyMaterialError):
        store.load("aus1", kid)
    store.destroy("aus1", kid)  # a retried retirement
    store.destroy("aus1", "B" * 43)  # never existed


def test_destroy_with_force_removes_the_secret_at_once(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    store.destroy("aus1", kid, force=True)
    with pytest.raises(ClientError) as caught:
        key_aws.secrets.describe_secret(SecretId=f"{PREFIX}/aus1/{kid}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_destroy_all_deletes_only_that_servers_keys(store, key_aws, rsa_keys):
    k0, k1, k2 = rsa_keys
    store.put("aus1", thumbprint(k0), k0)
    store.put("aus1", thumbprint(k1), k1)
    store.put("aus10", thumbprint(k2), k2)
    store.put("AUS1", thumbprint(k2), k2)
    other_prefix = KeyMaterialStore(key_aws.kms, key_aws.secrets, key_aws.key_id, "other/" + PREFIX)
    other_prefix.put("aus1", thumbprint(k2), k2)

    destroyed = store.destroy_all("aus1")

    assert sorted(destroyed) == sorted([thumbprint(k0), thumbprint(k1)])
    for key in (k0, k1):
        with pytest.raises(KeyMaterialError):
            store.load("aus1", thumbprint(key))
    assert store.load("aus10", thumbprint(k2)).private_numbers() == k2.private_numbers()
    assert store.load("AUS1", thumbprint(k2)).private_numbers() == k2.private_numbers()
    assert other_prefix.load("aus1", thumbprint(k2)).private_numbers() == k2.private_numbers()
    assert store.destroy_all("aus1") == []


def test_destroy_all_pages_through_many_secrets(store, key_aws, rsa_keys):
    # Secrets named like keys but not valid material: destroy_all only needs names and tags.
    for i in range(25):
        kid = f"{i:043d}"
        key_aws.secrets.create_secret(
            Name=f"{PREFIX}/aus1/{kid}",
            SecretBinary=b"x",
            Tags=[{"Key": TAG_SERVER, "Value": "aus1"}, {"Key": TAG_KID, "Value": kid}],
        )
    destroying = KeyMaterialStore(key_aws.kms, key_aws.secrets, key_aws.key_id, PREFIX)
    assert len(destroying.destroy_all("aus1", force=True)) == 25


def test_kms_failures_are_wrapped_without_key_bytes(key_aws, rsa_keys):
    key = rsa_keys[0]
    store = KeyMaterialStore(key_aws.kms, key_aws.secrets, "alias/does-not-exist", PREFIX)
    with pytest.raises(KeyMaterialError) as caught:
        store.put("aus1", thumbprint(key), key)
    message = str(caught.value)
    assert message == f"Encrypt failed for key {thumbprint(key)!r} of 'aus1': NotFoundException"
    assert key_aws.secrets.list_secrets()["SecretList"] == []


def test_decrypt_is_pinned_to_the_configured_kms_key(store, key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store.put("aus1", kid, key)
    other_key_id = key_aws.kms.create_key()["KeyMetadata"]["KeyId"]
    misconfigured = KeyMaterialStore(key_aws.kms, key_aws.secrets, other_key_id, PREFIX)
    with pytest.raises(KeyMaterialError, match="^Decrypt failed"):
        misconfigured.load("aus1", kid)


class UnreachableSecrets:
    """A Secrets Manager client whose network is down (an injected client, not a patch)."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise EndpointConnectionError(endpoint_url="https://secretsmanager.us-east-1.amazonaws.com")

        return fail


def test_transport_errors_are_wrapped(key_aws, rsa_keys):
    key = rsa_keys[0]
    kid = thumbprint(key)
    store = KeyMaterialStore(key_aws.kms, UnreachableSecrets(), key_aws.key_id, PREFIX)
    calls = (lambda: store.put("aus1", kid, key), lambda: store.load("aus1", kid), lambda: store.destroy("aus1", kid))
    for call in calls:
        with pytest.raises(KeyMaterialError, match="EndpointConnectionError"):
            call()


def test_invalid_names_are_refused_before_any_call(store):
    for server, kid in (("aus/1", "k"), ("aus1", "a/b"), ("", "k"), ("aus1", "k" * 200)):
        with pytest.raises(KeyMaterialError):
            store.load(server, kid)


def test_recovery_window_is_validated(key_aws):
    with pytest.raises(ValueError):
        KeyMaterialStore(key_aws.kms, key_aws.secrets, key_aws.key_id, PREFIX, recovery_window_days=3)


def test_nothing_secret_reaches_our_logs(store, rsa_keys, caplog):
    key = rsa_keys[0]
    kid = thumbprint(key)
    der = private_key_to_der(key)
    caplog.set_level(logging.DEBUG, logger="chalicelib")
    store.put("aus1", kid, key)
    store.load("aus1", kid)
    store.destroy("aus1", kid)
    text = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert kid in text  # the events are logged...
    for fragment in (der.hex()[100:140], base64.b64encode(der)[100:140].decode(), repr(der[100:120])):
        assert fragment not in text  # ...without key bytes


def test_store_works_with_a_plain_boto3_client_set(aws_credentials, rsa_keys):
    # The composition root builds the clients itself; nothing here depends on fixture internals.
    from moto import mock_aws

    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["Arn"]
        store = KeyMaterialStore(kms, boto3.client("secretsmanager", region_name="us-east-1"), key_id, PREFIX + "/")
        key = rsa_keys[2]
        store.put("default", thumbprint(key), key)
        assert store.secret_name("default", thumbprint(key)) == f"{PREFIX}/default/{thumbprint(key)}"
        assert store.load("default", thumbprint(key)).private_numbers() == key.private_numbers()
