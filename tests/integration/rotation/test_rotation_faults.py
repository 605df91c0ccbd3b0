"""KMS and Secrets Manager failing, and tampered or misfiled key material."""
from __future__ import annotations

import logging

import boto3
import pytest

from chalicelib.admin.servers import ServerService
from chalicelib.admin.signing_keys import KeyMaterialUnavailableError, KeyProvisioner
from chalicelib.api.jobs import RotationRunFailed
from chalicelib.keys.errors import KeyMaterialError
from chalicelib.keys.jwk import generate_private_key, private_key_to_der
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT
from chalicelib.keys.signer import SigningKeyCache

from tests.integration.rotation.rotation_support import (
    REGION, SERVERS, ClientWrapper, StoreWrapper, assert_usable, by_status, create_server, fail_with, install,
    invoke_schedule, key_state, keys, mint, real_repo, real_store, service,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


@pytest.fixture
def sid(api):
    return create_server(api, "faulty")["id"]


def secrets_client():
    return boto3.client("secretsmanager", region_name=REGION)


def kms_client():
    return boto3.client("kms", region_name=REGION)


def all_secret_names():
    names = []
    for page in secrets_client().get_paginator("list_secrets").paginate(IncludePlannedDeletion=True):
        names.extend(s["Name"] for s in page["SecretList"])
    return sorted(names)


FAULTS = {
    # where the failure happens -> builds a store that fails there
    "store.put": lambda c: _store_with(c, put=True),
    "kms.Encrypt": lambda c: _store_with_clients(c, kms_fail={"encrypt": "KMSInternalException"}),
    "kms.Encrypt throttled": lambda c: _store_with_clients(c, kms_fail={"encrypt": "ThrottlingException"}),
    "secretsmanager.CreateSecret": lambda c: _store_with_clients(
        c, sm_fail={"create_secret": "InternalServiceError"}),
}


def _store_with(container, put=False):
    store = StoreWrapper(real_store(container))
    if put:
        store.before["put"] = fail_with()
    return store


def _store_with_clients(container, kms_fail=None, sm_fail=None):
    kms, sm = ClientWrapper(kms_client()), ClientWrapper(secrets_client())
    kms.failing.update(kms_fail or {})
    sm.failing.update(sm_fail or {})
    return real_store(container, kms=kms, secrets=sm)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_key_store_failing_during_rotation_leaves_the_previous_state(chalice_client, container, sid, fault, caplog):
    container.clock.advance(days=90)
    before = key_state(container, sid)
    stored_before = set(real_store(container).stored(sid))
    svc = service(container, store=FAULTS[fault](container))

    with pytest.raises(KeyMaterialUnavailableError):
        svc.run(sid)
    assert key_state(container, sid) == before
    assert set(real_store(container).stored(sid)) == stored_before
    assert_usable(container, sid)
    assert any(r.levelname == "ERROR" for r in caplog.records)

    report = svc.run_all()
    assert sid in report.failed and sid not in report.changed
    assert key_state(container, sid) == before

    install(container, signing_keys=svc)
    with pytest.raises(RotationRunFailed):
        invoke_schedule(chalice_client)
    assert key_state(container, sid) == before
    assert_usable(container, sid)


def test_secrets_manager_failing_to_destroy_retired_material_is_reported_and_swept_later(container, sid):
    assert service(container).run(sid, force=True).rotate
    retired = by_status(keys(container, sid))[EXPIRED][0]
    container.clock.advance(seconds=container.signing_keys.policy.retention.total_seconds())
    store = StoreWrapper(real_store(container))
    store.before["destroy"] = fail_with()
    svc = service(container, store=store)

    report = svc.run_all()
    assert sid in report.failed
    # The key set is consistent (retired key unpublished atomically); only the destruction is pending.
    assert retired not in {k.kid for k in keys(container, sid)}
    assert retired in real_store(container).stored(sid)
    assert_usable(container, sid)

    service(container).run(sid)
    assert retired not in real_store(container).stored(sid)
    assert_usable(container, sid)


def test_listing_material_failing_fails_the_run_without_touching_keys(container, sid):
    before = key_state(container, sid)
    store = StoreWrapper(real_store(container))
    store.before["stored"] = fail_with()
    svc = service(container, store=store)
    with pytest.raises(KeyMaterialUnavailableError):
        svc.run(sid)
    assert key_state(container, sid) == before
    assert_usable(container, sid)


@pytest.mark.parametrize("failing_put", [1, 2])
def test_server_creation_with_a_failing_key_store_is_503_and_creates_nothing(api, container, failing_put):
    store = StoreWrapper(real_store(container))
    count = {"n": 0}

    def nth_put_fails(server_id, kid):
        count["n"] += 1
        if count["n"] == failing_put:
            fail_with()(server_id, kid)

    store.before["put"] = nth_put_fails
    repo = real_repo(container)
    install(container, servers=ServerService(repo, container.clock, KeyProvisioner(store, container.clock)))
    servers_before = [s.id for s in repo.list_servers()]
    secrets_before = all_secret_names()

    response = api.post(SERVERS, {"name": "never", "audiences": ["api://never"]})

    assert response.status_code == 503
    assert response.data["errorCode"] == "E0000009"
    assert set(response.data) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert response.headers.get("Retry-After")
    assert [s.id for s in repo.list_servers()] == servers_before
    # The first key's material (stored before the second failed) is destroyed at once, not left behind.
    assert all_secret_names() == secrets_before


# -- tampered or misfiled material ---------------------------------------------------------------------------------


def tamper_flip_byte(container, server_id, kid):
    name = real_store(container).secret_name(server_id, kid)
    blob = bytearray(secrets_client().get_secret_value(SecretId=name)["SecretBinary"])
    blob[len(blob) // 2] ^= 0x01
    secrets_client().put_secret_value(SecretId=name, SecretBinary=bytes(blob))


def tamper_wrong_context(container, server_id, kid):
    """The right key bytes, encrypted under another server's context, filed under this kid."""
    der = private_key_to_der(real_store(container).load(server_id, kid))
    blob = kms_client().encrypt(KeyId=container.settings.kms_key_id, Plaintext=der,
                                EncryptionContext={"authServerId": "ausSomeoneElse", "kid": kid})["CiphertextBlob"]
    secrets_client().put_secret_value(SecretId=real_store(container).secret_name(server_id, kid), SecretBinary=blob)


def tamper_other_key_of_same_server(container, server_id, kid):
    """The ciphertext of this server's other key copied under this kid's name (context names the other kid)."""
    other = next(k.kid for k in keys(container, server_id) if k.kid != kid)
    store = real_store(container)
    blob = secrets_client().get_secret_value(SecretId=store.secret_name(server_id, other))["SecretBinary"]
    secrets_client().put_secret_value(SecretId=store.secret_name(server_id, kid), SecretBinary=blob)


def tamper_foreign_key_right_context(container, server_id, kid):
    """Another RSA key encrypted under this very context: decrypts fine, but is not the key of this kid."""
    der = private_key_to_der(generate_private_key())
    blob = kms_client().encrypt(KeyId=container.settings.kms_key_id, Plaintext=der,
                                EncryptionContext={"authServerId": server_id, "kid": kid})["CiphertextBlob"]
    secrets_client().put_secret_value(SecretId=real_store(container).secret_name(server_id, kid), SecretBinary=blob)


TAMPERING = {
    "flipped ciphertext byte": tamper_flip_byte,
    "wrong encryption context": tamper_wrong_context,
    "other kid's ciphertext": tamper_other_key_of_same_server,
    "foreign key under the right context": tamper_foreign_key_right_context,
}


def test_tampered_active_material_is_refused_with_a_logged_error(api, container, caplog):
    for how, tamper in sorted(TAMPERING.items()):
        sid = create_server(api, how.replace(" ", "-").replace("'", ""))["id"]
        active = by_status(keys(container, sid))[ACTIVE][0]
        tamper(container, sid, active)
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            with pytest.raises(KeyMaterialError):
                container.signer.get(sid, active)
            with pytest.raises(KeyMaterialError):
                mint(container, sid)  # no token is signed; a retry does not hit a cached half-loaded key either
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors, how
        assert all(active in r.getMessage() and sid in r.getMessage() for r in errors), how


def test_tampered_next_key_is_never_promoted(container, sid, caplog):
    """KEY-11: rotation checks that the NEXT key's material loads and matches its published JWK before
    promoting it; otherwise the run fails, is reported, and the old ACTIVE key keeps signing."""
    original = by_status(keys(container, sid))
    tamper_flip_byte(container, sid, original[NEXT][0])
    container.clock.advance(days=90)
    before = key_state(container, sid)
    svc = service(container)
    with caplog.at_level(logging.ERROR):
        report = svc.run_all()
    assert sid in report.failed
    assert key_state(container, sid) == before
    assert any(original[NEXT][0] in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    token = mint(container, sid, signer=SigningKeyCache(real_store(container).load, container.clock.now))
    assert token
    with pytest.raises(KeyMaterialUnavailableError):
        svc.rotate_now(sid, {"use": "sig"})
    assert key_state(container, sid) == before


def test_no_log_line_carries_key_bytes(container, sid, caplog):
    active = by_status(keys(container, sid))[ACTIVE][0]
    der = private_key_to_der(real_store(container).load(sid, active))
    tamper_wrong_context(container, sid, active)
    name = real_store(container).secret_name(sid, active)
    blob = secrets_client().get_secret_value(SecretId=name)["SecretBinary"]
    with caplog.at_level(logging.DEBUG, logger="chalicelib"):
        with pytest.raises(KeyMaterialError):
            container.signer.get(sid, active)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert der.hex()[:64] not in text and blob.hex()[:64] not in text and repr(blob[:32]) not in text
