"""The hourly scheduled rotation Lambda, invoked through chalice's test client with a generated Scheduled Event."""
from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib.admin.signing_keys import ORPHAN_GRACE
from chalicelib.api.jobs import RotationRunFailed
from chalicelib.clock import okta_time
from chalicelib.oauth.issuer import ORG_SERVER_ID
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT

from tests.integration.rotation.rotation_support import (
    REGION, SERVERS, StoreWrapper, assert_usable, by_status, create_server, fail_with, install, invoke_schedule,
    key_state, keys, real_repo, real_store, service, set_rotation_mode,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

INTERVAL = timedelta(days=90)


@pytest.fixture
def servers(api, container):
    """The default server, one AUTO server and one switched to MANUAL."""
    default_id = container.servers.default_id()
    auto = create_server(api, "auto")
    manual = create_server(api, "manual")
    before = key_state(container, manual["id"])
    manual = set_rotation_mode(api, manual, "MANUAL")
    after = key_state(container, manual["id"])
    # Switching the mode by PUT changes no key and neither the signing kid nor lastRotated (only the version).
    assert after[:2] == before[:2] and after[3] == before[3]
    assert "nextRotation" not in manual["credentials"]["signing"]
    return {"default": default_id, "auto": auto["id"], "manual": manual["id"]}


def signing_of(api, server_id):
    response = api.get(f"{SERVERS}/{server_id}")
    assert response.status_code == 200
    return response.data["credentials"]["signing"]


def keys_via_api(api, server_id):
    response = api.get(f"{SERVERS}/{server_id}/credentials/keys")
    assert response.status_code == 200
    return {k["kid"]: k["status"] for k in response.data}


def test_not_due_changes_nothing(chalice_client, container, servers):
    before = {name: key_state(container, sid) for name, sid in servers.items()}
    payload = invoke_schedule(chalice_client)
    # the three and the org server; the grants table was created by this release: its client token index is complete
    assert payload == {"checked": 4, "changed": [], "failed": [], "clientTokenIndex": "ready"}
    container.clock.advance(days=89, hours=23, minutes=59, seconds=59)
    payload = invoke_schedule(chalice_client)
    assert payload["changed"] == [] and payload["failed"] == []
    assert {name: key_state(container, sid) for name, sid in servers.items()} == before


def test_due_auto_servers_rotate_manual_never(api, chalice_client, container, servers):
    old = {name: by_status(keys(container, sid)) for name, sid in servers.items()}
    manual_before = key_state(container, servers["manual"])
    container.clock.advance(days=90)
    now = container.clock.now()

    payload = invoke_schedule(chalice_client)
    # The org authorization server (AUTO, hidden from the management API) rotates with the same job (issue 16).
    assert sorted(payload["changed"]) == sorted([servers["default"], servers["auto"], ORG_SERVER_ID])
    assert payload["failed"] == [] and payload["checked"] == 4

    for name in ("default", "auto"):
        sid = servers[name]
        listed = keys_via_api(api, sid)
        previous = old[name]
        assert listed[previous[ACTIVE][0]] == EXPIRED
        assert listed[previous[NEXT][0]] == ACTIVE
        new_next = [kid for kid, status in listed.items() if status == NEXT]
        assert len(new_next) == 1 and new_next[0] not in previous[ACTIVE] + previous[NEXT]
        assert sorted(listed.values()) == [ACTIVE, EXPIRED, NEXT]
        assert signing_of(api, sid) == {"kid": previous[NEXT][0], "rotationMode": "AUTO",
                                        "lastRotated": okta_time(now), "nextRotation": okta_time(now + INTERVAL)}
        assert_usable(container, sid)
    assert key_state(container, servers["manual"]) == manual_before

    # Idempotent: the same hour delivered twice (EventBridge is at-least-once) changes nothing more.
    after_first = {name: key_state(container, sid) for name, sid in servers.items()}
    assert invoke_schedule(chalice_client)["changed"] == []
    assert {name: key_state(container, sid) for name, sid in servers.items()} == after_first

    # A year later (a run every 90 days), MANUAL still never rotated; AUTO rotated at each run.
    for _ in range(4):
        container.clock.advance(days=90)
        invoke_schedule(chalice_client)
    assert key_state(container, servers["manual"]) == manual_before
    assert signing_of(api, servers["manual"])["kid"] == old["manual"][ACTIVE][0]
    auto_signing = signing_of(api, servers["auto"])
    assert auto_signing["lastRotated"] == okta_time(container.clock.now())
    assert_usable(container, servers["auto"])


def test_expired_keys_retired_after_retention_and_not_before(api, chalice_client, container, servers):
    sid = servers["auto"]
    secrets = boto3.client("secretsmanager", region_name=REGION)
    store = real_store(container)
    container.clock.advance(days=90)
    invoke_schedule(chalice_client)
    expired = by_status(keys(container, sid))[EXPIRED]
    assert len(expired) == 1
    retired = expired[0]
    retention = container.signing_keys.policy.retention

    container.clock.advance(seconds=retention.total_seconds() - 1)
    invoke_schedule(chalice_client)
    assert keys_via_api(api, sid)[retired] == EXPIRED
    assert retired in {k["kid"] for k in api.get(f"/oauth2/{sid}/v1/keys").data["keys"]}
    assert retired in store.stored(sid)

    container.clock.advance(seconds=1)
    payload = invoke_schedule(chalice_client)
    assert sid in payload["changed"]
    assert retired not in keys_via_api(api, sid)
    assert retired not in {k["kid"] for k in api.get(f"/oauth2/{sid}/v1/keys").data["keys"]}
    assert api.get(f"{SERVERS}/{sid}/credentials/keys/{retired}").status_code == 404
    assert retired not in store.stored(sid)
    # Scheduled for deletion (recoverable for the recovery window), not destroyed at once.
    described = secrets.describe_secret(SecretId=store.secret_name(sid, retired))
    assert described.get("DeletedDate") is not None
    assert_usable(container, sid)


def test_missing_next_is_created_ahead_and_postpones_rotation(api, chalice_client, container, servers):
    sid = servers["auto"]
    repo = real_repo(container)
    config = repo.load(sid)
    next_kid = by_status(config.keys)[NEXT][0]
    # A NEXT key lost (e.g. removed by hand): the partition has only the ACTIVE key.
    repo.save_keys(config.server, [], [], [next_kid], config.key_versions)
    container.clock.advance(days=89)

    assert servers["auto"] in invoke_schedule(chalice_client)["changed"]
    created = by_status(keys(container, sid))[NEXT]
    assert len(created) == 1 and created[0] != next_kid
    assert_usable(container, sid)

    # Due at day 90, but the new NEXT is published for only a day: the rotation waits until it is next_lead old.
    lead = container.signing_keys.policy.next_lead
    container.clock.advance(days=1)
    assert sid not in invoke_schedule(chalice_client)["changed"]
    container.clock.advance(seconds=lead.total_seconds() - timedelta(days=1).total_seconds() - 1)
    assert sid not in invoke_schedule(chalice_client)["changed"]
    container.clock.advance(seconds=1)
    assert sid in invoke_schedule(chalice_client)["changed"]
    assert by_status(keys(container, sid))[ACTIVE] == created
    assert_usable(container, sid)


def test_a_failing_server_fails_the_invocation_but_others_rotate(chalice_client, container, servers, caplog):
    store = StoreWrapper(real_store(container))
    broken = servers["auto"]
    store.before["put"] = lambda server_id, kid: fail_with()(server_id, kid) if server_id == broken else None
    install(container, signing_keys=service(container, store=store))
    before = key_state(container, broken)
    container.clock.advance(days=90)

    with pytest.raises(RotationRunFailed, match=broken):
        invoke_schedule(chalice_client)
    assert any(r.levelname == "ERROR" and broken in r.getMessage() for r in caplog.records)
    # The healthy AUTO server rotated in the same invocation; the broken one is exactly as before and usable.
    assert by_status(keys(container, servers["default"]))[EXPIRED]
    assert key_state(container, broken) == before
    assert_usable(container, broken)

    install(container)  # the key store recovers: the next hourly run completes the rotation
    payload = invoke_schedule(chalice_client)
    assert payload["changed"] == [broken] and payload["failed"] == []
    assert len(by_status(keys(container, broken))[EXPIRED]) == 1
    assert_usable(container, broken)


def test_schedule_sweeps_orphans_only_after_the_grace(chalice_client, container, servers):
    """Material stored by a run that died before publishing is destroyed by a later run, after ORPHAN_GRACE."""
    from chalicelib.keys.jwk import generate_private_key, thumbprint

    sid = servers["manual"]
    store = real_store(container)
    orphan = generate_private_key()
    store.put(sid, thumbprint(orphan), orphan)
    created = store.stored(sid)[thumbprint(orphan)]
    container.clock.advance(seconds=(created + ORPHAN_GRACE - container.clock.now()).total_seconds() - 1)
    invoke_schedule(chalice_client)
    assert thumbprint(orphan) in store.stored(sid)
    container.clock.advance(seconds=1)
    invoke_schedule(chalice_client)
    assert thumbprint(orphan) not in store.stored(sid)
    assert_usable(container, sid)


def test_the_scheduled_run_creates_the_default_server_when_it_is_missing(aws, clock):
    """In AWS nothing but the scheduled run creates `default` (docs/operations.md): its first run does, and a second
    run changes nothing."""
    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings
    from chalicelib.storage.tables import ensure_table

    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    built = Container.build(Settings.from_env({
        "TOKENMINT_CONFIG_TABLE": "fresh-config", "TOKENMINT_DIRECTORY_TABLE": "fresh-directory",
        "TOKENMINT_GRANTS_TABLE": "fresh-grants", "TOKENMINT_LOG_TABLE": "fresh-logs", "TOKENMINT_KMS_KEY_ID": key}), clock)
    for model in (built.config_model, built.directory_model, built.grants_model):
        ensure_table(model)
    set_container(built)
    try:
        assert built.servers.default_id() is None
        with Client(app) as client:
            client.lambda_.invoke("rotate_signing_keys", client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
            first = built.servers.get("default")
            client.lambda_.invoke("rotate_signing_keys", client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
        assert built.servers.get("default").id == first.id
        assert [s.name for s in built.servers.search(None)] == ["default"]
    finally:
        set_container(None)
