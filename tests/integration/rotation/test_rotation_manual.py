"""Manual ``keyRotate`` through the management API in both modes, bad input, isolation, and server deletion."""
from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib.clock import okta_time
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT

from tests.integration.rotation.rotation_support import (
    REGION, SERVERS, assert_usable, by_status, create_server, jwks_of, key_state, keys, real_store,
    set_rotation_mode,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


def rotate(api, server_id, body=None):
    return api.post(f"{SERVERS}/{server_id}/credentials/lifecycle/keyRotate", {"use": "sig"} if body is None else body)


@pytest.mark.parametrize("mode", ["AUTO", "MANUAL"])
def test_key_rotate_runs_the_same_state_machine_in_both_modes(api, container, mode):
    server = create_server(api, f"rot-{mode.lower()}")
    sid = server["id"]
    if mode == "MANUAL":
        server = set_rotation_mode(api, server, "MANUAL")
    before = by_status(keys(container, sid))
    container.clock.advance(days=3)
    now = container.clock.now()

    response = rotate(api, sid)
    assert response.status_code == 200, response.data
    listed = {k["kid"]: k["status"] for k in response.data}
    assert listed[before[ACTIVE][0]] == EXPIRED
    assert listed[before[NEXT][0]] == ACTIVE
    assert sorted(listed.values()) == [ACTIVE, EXPIRED, NEXT]
    # Okta's order: ACTIVE, NEXT, EXPIRED; public members plus status and a self link only.
    assert [k["status"] for k in response.data] == [ACTIVE, NEXT, EXPIRED]
    for key in response.data:
        assert set(key) == {"kty", "status", "alg", "kid", "use", "_links", "e", "n"}
        assert key["_links"]["self"]["href"].endswith(f"/credentials/keys/{key['kid']}")

    signing = api.get(f"{SERVERS}/{sid}").data["credentials"]["signing"]
    expected = {"kid": before[NEXT][0], "rotationMode": mode, "lastRotated": okta_time(now)}
    if mode == "AUTO":
        expected["nextRotation"] = okta_time(now + timedelta(days=90))
    assert signing == expected
    for kid, status in listed.items():
        single = api.get(f"{SERVERS}/{sid}/credentials/keys/{kid}")
        assert single.status_code == 200 and single.data["status"] == status
    assert_usable(container, sid)

    # A second rotation right away rotates again; the first EXPIRED key stays published.
    again = rotate(api, sid)
    assert again.status_code == 200
    statuses = by_status(keys(container, sid))
    assert statuses[ACTIVE] == [k for k, s in listed.items() if s == NEXT]
    assert set(statuses[EXPIRED]) == {before[ACTIVE][0], before[NEXT][0]}
    assert_usable(container, sid)


def test_key_rotate_on_the_default_alias(api, container):
    sid = container.servers.default_id()
    old_next = by_status(keys(container, sid))[NEXT][0]
    response = rotate(api, "default")
    assert response.status_code == 200
    assert by_status(keys(container, sid))[ACTIVE] == [old_next]
    assert response.data[0]["_links"]["self"]["href"].startswith(
        "https://tokenmint.test/api/v1/authorizationServers/default/credentials/keys/")


BAD_BODIES = [{"use": "enc"}, {"use": "SIG"}, {}, {"use": None}, {"use": ["sig"]}, {"use": 1}]


def test_bad_use_is_e0000001_and_changes_no_key(api, container):
    sid = create_server(api, "bad-use")["id"]
    before = key_state(container, sid)
    stored = set(real_store(container).stored(sid))
    for body in BAD_BODIES:
        response = rotate(api, sid, body)
        assert response.status_code == 400, body
        assert response.data["errorCode"] == "E0000001"
        assert response.data["errorSummary"] == "Api validation failed: rotateKeys"
        assert response.data["errorCauses"]
    assert key_state(container, sid) == before
    assert set(real_store(container).stored(sid)) == stored  # no material generated either


def test_key_rotate_of_an_unknown_server_is_404(api):
    response = rotate(api, "ausNoSuchServer0000")
    assert response.status_code == 404 and response.data["errorCode"] == "E0000007"


def test_unknown_kid_is_404(api, container):
    sid = create_server(api, "kid404")["id"]
    response = api.get(f"{SERVERS}/{sid}/credentials/keys/NoSuchKid")
    assert response.status_code == 404 and response.data["errorCode"] == "E0000007"


def test_switching_rotation_mode_changes_no_key(api, container):
    server = create_server(api, "modes")
    sid = server["id"]
    container.clock.advance(days=100)  # even when an AUTO rotation is overdue
    before = key_state(container, sid)
    manual = set_rotation_mode(api, server, "MANUAL")
    assert "nextRotation" not in manual["credentials"]["signing"]
    auto = set_rotation_mode(api, manual, "AUTO")
    assert auto["credentials"]["signing"]["kid"] == before[0]
    after = key_state(container, sid)
    assert (after[0], after[1], after[3]) == (before[0], before[1], before[3])


def test_rotating_one_server_changes_nothing_of_another(api, container):
    """KEY-13: per-server isolation of keys, JWKS and material."""
    first = create_server(api, "first")["id"]
    second = create_server(api, "second")["id"]
    before = key_state(container, second)
    jwks_before = api.get(f"/oauth2/{second}/v1/keys").data
    stored_before = set(real_store(container).stored(second))
    assert rotate(api, first).status_code == 200
    assert key_state(container, second) == before
    assert api.get(f"/oauth2/{second}/v1/keys").data == jwks_before
    assert set(real_store(container).stored(second)) == stored_before
    assert not {k["kid"] for k in jwks_before["keys"]} & {k["kid"] for k in jwks_of(container, first)["keys"]}


def test_deleting_a_server_schedules_deletion_of_all_its_secrets_and_removes_its_keys(api, container):
    server = create_server(api, "doomed")
    sid = server["id"]
    assert rotate(api, sid).status_code == 200  # three keys: ACTIVE, NEXT, EXPIRED
    store = real_store(container)
    kids = set(store.stored(sid))
    assert len(kids) == 3
    keep = create_server(api, "survivor")["id"]
    survivor_stored = set(store.stored(keep))

    assert api.delete(f"{SERVERS}/{sid}").status_code == 204

    assert store.stored(sid) == {}
    secrets = boto3.client("secretsmanager", region_name=REGION)
    for kid in kids:
        assert secrets.describe_secret(SecretId=store.secret_name(sid, kid)).get("DeletedDate") is not None
    table = boto3.client("dynamodb", region_name=REGION)
    items = table.query(TableName=container.settings.config_table, KeyConditionExpression="pk = :pk",
                        ExpressionAttributeValues={":pk": {"S": f"AS#{sid}"}})["Items"]
    assert items == []
    assert api.get(f"{SERVERS}/{sid}/credentials/keys").status_code == 404
    assert api.get(f"/oauth2/{sid}/v1/keys").status_code == 404
    assert set(store.stored(keep)) == survivor_stored
