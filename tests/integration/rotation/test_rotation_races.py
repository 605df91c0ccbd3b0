"""Overlapping rotation runs (KEY-08). moto applies conditional writes one at a time and never interleaves two
requests by itself, so each interleaving is forced: a repository wrapper hands run A a configuration read before
run B ran, or a store hook runs B to completion in the middle of A."""
from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.errors import ConflictError
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT

from tests.integration.rotation.rotation_support import (
    REGION, SERVERS, RepoWrapper, StoreWrapper, assert_usable, by_status, create_server, install, invoke_schedule,
    keys, real_repo, real_store, service,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


@pytest.fixture
def sid(api):
    return create_server(api, "racy")["id"]


def assert_discarded(container, server_id, kid):
    """Material that was never published is gone at once (force delete), not merely scheduled."""
    assert kid not in real_store(container).stored(server_id)
    secrets = boto3.client("secretsmanager", region_name=REGION)
    with pytest.raises(ClientError) as caught:
        secrets.describe_secret(SecretId=real_store(container).secret_name(server_id, kid))
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def assert_rotated_once(container, server_id, original):
    statuses = by_status(keys(container, server_id))
    assert statuses[EXPIRED] == original[ACTIVE]
    assert statuses[ACTIVE] == original[NEXT]
    assert len(statuses[NEXT]) == 1
    assert_usable(container, server_id)


@pytest.mark.parametrize("b_forced,a_forced", [(False, False), (True, False), (False, True), (True, True)])
def test_run_a_reads_then_b_completes_then_a_commits_nothing(container, sid, b_forced, a_forced):
    """Scheduled vs scheduled (EventBridge redelivery), manual vs scheduled, scheduled vs manual, manual vs manual."""
    container.clock.advance(days=90)
    original = by_status(keys(container, sid))
    stale = real_repo(container).load(sid)  # run A has read the configuration...

    b = service(container)
    assert b.run(sid, force=b_forced).rotate  # ...run B runs completely...
    after_b = by_status(keys(container, sid))

    a_store = StoreWrapper(real_store(container))
    a_repo = RepoWrapper(real_repo(container))
    a_repo.snapshots.append(stale)
    a = service(container, store=a_store, repo=a_repo)
    plan = a.run(sid, force=a_forced)  # ...then A plans from what it read and tries to commit

    assert plan.is_noop  # A applied nothing
    assert a_repo.saves == 1
    created_by_a = [kid for _sid, kid in a_store.ops("put")]
    assert len(created_by_a) == 1
    assert_discarded(container, sid, created_by_a[0])
    assert by_status(keys(container, sid)) == after_b
    assert_rotated_once(container, sid, original)


def test_b_completes_while_a_is_between_storing_and_publishing(container, sid):
    """B runs in the gap of A's step 1 and 2. B's orphan sweep must leave A's fresh material alone (it is younger
    than ORPHAN_GRACE); A then loses the conditional write and discards it itself."""
    original = by_status(keys(container, sid))
    b = service(container)
    seen_by_b: dict[str, set[str]] = {}

    def run_b(server_id, kid):
        assert b.run(sid, force=True).rotate
        seen_by_b["stored"] = set(real_store(container).stored(sid))

    a_store = StoreWrapper(real_store(container))
    a_store.after["put"] = run_b
    a = service(container, store=a_store)
    assert a.run(sid, force=True).is_noop

    a_kid = a_store.ops("put")[0][1]
    assert a_kid in seen_by_b["stored"], "B's sweep destroyed material of a run still in flight"
    assert_discarded(container, sid, a_kid)
    assert_rotated_once(container, sid, original)


def test_manual_rotation_losing_the_race_answers_409_and_changes_nothing_more(api, container, sid):
    original = by_status(keys(container, sid))
    stale = real_repo(container).load(sid)
    assert service(container).run(sid, force=True).rotate  # the scheduled run (or another admin) wins
    after = by_status(keys(container, sid))

    a_store = StoreWrapper(real_store(container))
    a_repo = RepoWrapper(real_repo(container))
    a_repo.snapshots.append(stale)
    install(container, signing_keys=service(container, store=a_store, repo=a_repo))
    response = api.post(f"{SERVERS}/{sid}/credentials/lifecycle/keyRotate", {"use": "sig"})

    assert response.status_code == 409 and response.data["errorCode"] == "E0000195"
    assert by_status(keys(container, sid)) == after
    assert_discarded(container, sid, a_store.ops("put")[0][1])
    assert_rotated_once(container, sid, original)


def test_rotate_now_raises_conflict_when_it_loses(container, sid):
    stale = real_repo(container).load(sid)
    service(container).run(sid, force=True)
    repo = RepoWrapper(real_repo(container))
    repo.snapshots.append(stale)
    with pytest.raises(ConflictError):
        service(container, repo=repo).rotate_now(sid, {"use": "sig"})


def test_many_stale_runs_still_rotate_exactly_once(container, sid):
    container.clock.advance(days=90)
    original = by_status(keys(container, sid))
    stale = real_repo(container).load(sid)
    assert service(container).run(sid).rotate
    for _ in range(3):
        repo = RepoWrapper(real_repo(container))
        repo.snapshots.append(stale)
        assert service(container, repo=repo).run(sid).is_noop
    assert_rotated_once(container, sid, original)
    stored = real_store(container).stored(sid)
    assert set(stored) == {k.kid for k in keys(container, sid)}  # every loser's material is gone


def test_two_scheduled_invocations_at_once(chalice_client, container, sid):
    """At-least-once delivery: invocation A has read every server when invocation B runs; both report success."""
    container.clock.advance(days=90)
    original = by_status(keys(container, sid))
    repo = RepoWrapper(real_repo(container))
    repo.snapshots.append(real_repo(container).load(sid))

    def b_runs_now():
        repo.before_save = None
        invoke_schedule(chalice_client)  # B: the container's own service, end to end

    repo.before_save = b_runs_now
    # A runs only the racy server here (run_all would meet the default server first and run B there).
    a = service(container, repo=repo)
    assert a.run(sid).is_noop
    assert_rotated_once(container, sid, original)
    assert invoke_schedule(chalice_client)["changed"] == []


def test_a_stale_run_never_retires_twice_or_resurrects(container, sid):
    """Retirement under a race: A read the key set before B retired the EXPIRED key; A's delete is conditional on
    the version it read and fails as a whole, so the key is neither published again nor its material reused."""
    b = service(container)
    assert b.run(sid, force=True).rotate
    expired = by_status(keys(container, sid))[EXPIRED][0]
    container.clock.advance(seconds=b.policy.retention.total_seconds() + timedelta(hours=2).total_seconds())
    stale = real_repo(container).load(sid)
    assert b.run(sid).retire == (expired,)
    after = by_status(keys(container, sid))

    repo = RepoWrapper(real_repo(container))
    repo.snapshots.append(stale)
    assert service(container, repo=repo).run(sid).is_noop
    assert by_status(keys(container, sid)) == after
    assert expired not in {k.kid for k in keys(container, sid)}
    assert_usable(container, sid)
