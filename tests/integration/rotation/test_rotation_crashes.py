"""A rotation run dying after each of its steps (KEY-09): 1. new material stored, 2. the DynamoDB transaction that
publishes, 3. retired material destroyed, 4. the orphan sweep. After every crash the state is usable (one ACTIVE,
one NEXT, every published key has its private half, a token signs and verifies), the next normal run completes,
and material left behind is swept only once it is older than ORPHAN_GRACE."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.admin.signing_keys import ORPHAN_GRACE
from chalicelib.errors import StorageUnavailableError
from chalicelib.keys.lifecycle import ACTIVE, EXPIRED, NEXT

from tests.integration.rotation.rotation_support import (
    Crash, RepoWrapper, StoreWrapper, assert_usable, by_status, crash, create_server, key_state, keys, real_repo,
    real_store, service,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


@pytest.fixture
def sid(api):
    return create_server(api, "crashy")["id"]


def advance_to(container, moment):
    container.clock.advance(seconds=(moment - container.clock.now()).total_seconds())


def orphan_created(container, server_id, kid):
    return real_store(container).stored(server_id)[kid]


def test_a_refused_publishing_write_discards_the_new_material_at_once(container, sid):
    """DynamoDB refused the transaction (a real error, not a crash): the keys are read back, the new material is
    not published, so it is destroyed before the error is answered (issue 14: no secret without its record)."""
    before = key_state(container, sid)
    store = StoreWrapper(real_store(container))
    repo = RepoWrapper(real_repo(container))

    def unavailable():
        raise StorageUnavailableError("the configuration store is unavailable")

    repo.before_save = unavailable
    with pytest.raises(StorageUnavailableError):
        service(container, store=store, repo=repo).run(sid, force=True)
    assert key_state(container, sid) == before
    assert set(real_store(container).stored(sid)) == {k[0] for k in before[3]}
    assert_usable(container, sid)
    assert service(container).run(sid, force=True).rotate  # the administrator's retry completes


@pytest.mark.parametrize("where", ["after put", "before save_keys"])
def test_crash_before_publishing_leaves_the_old_state_and_an_orphan_swept_after_grace(container, sid, where):
    """Step 1 done, step 2 not: a forced (manual) rotation at the current time."""
    before = key_state(container, sid)
    store = StoreWrapper(real_store(container))
    repo = RepoWrapper(real_repo(container))
    if where == "after put":
        store.after["put"] = crash
    else:
        repo.before_save = lambda: crash(sid, None)
    dying = service(container, store=store, repo=repo)
    with pytest.raises(Crash):
        dying.run(sid, force=True)

    orphan = store.ops("put")[0][1]
    assert key_state(container, sid) == before  # nothing published, nothing promoted
    assert orphan in real_store(container).stored(sid)
    assert_usable(container, sid)

    healthy = service(container)
    assert healthy.run(sid).is_noop  # the next scheduled run: nothing due...
    assert orphan in real_store(container).stored(sid)  # ...and the orphan is too young to be swept
    advance_to(container, orphan_created(container, sid, orphan) + ORPHAN_GRACE - timedelta(seconds=1))
    healthy.run(sid)
    assert orphan in real_store(container).stored(sid)
    container.clock.advance(seconds=1)
    healthy.run(sid)
    assert orphan not in real_store(container).stored(sid)
    assert key_state(container, sid) == before
    assert_usable(container, sid)

    # The administrator retries the rotation: it completes.
    assert healthy.run(sid, force=True).rotate
    assert_usable(container, sid)


@pytest.mark.parametrize("where", ["after put", "before save_keys"])
def test_crash_in_a_due_auto_rotation_is_completed_by_the_next_run(container, sid, where):
    container.clock.advance(days=90)
    original = by_status(keys(container, sid))
    store = StoreWrapper(real_store(container))
    repo = RepoWrapper(real_repo(container))
    if where == "after put":
        store.after["put"] = crash
    else:
        repo.before_save = lambda: crash(sid, None)
    with pytest.raises(Crash):
        service(container, store=store, repo=repo).run(sid)
    orphan = store.ops("put")[0][1]
    assert by_status(keys(container, sid)) == original
    assert_usable(container, sid)

    plan = service(container).run(sid)
    assert plan.rotate
    statuses = by_status(keys(container, sid))
    assert statuses[ACTIVE] == original[NEXT] and statuses[EXPIRED] == original[ACTIVE]
    assert orphan not in statuses[NEXT]  # the retry made its own key; the dead run's key never got published
    assert_usable(container, sid)
    # By the service clock the orphan is 90 days old (Secrets Manager dated it at the wall-clock start): swept.
    assert orphan not in real_store(container).stored(sid)


def test_transaction_committed_but_reply_lost_keeps_the_new_material(container, sid):
    """DynamoDB committed but the caller saw an error (timeout on the reply): the run must not discard what it
    stored, because that material may now be published. Here it is: the state is the rotated one, fully usable."""
    original = by_status(keys(container, sid))
    repo = RepoWrapper(real_repo(container))

    def reply_lost():
        raise StorageUnavailableError("the configuration store is unavailable")

    repo.after_save = reply_lost
    with pytest.raises(StorageUnavailableError):
        service(container, repo=repo).run(sid, force=True)
    statuses = by_status(keys(container, sid))
    assert statuses[ACTIVE] == original[NEXT] and statuses[EXPIRED] == original[ACTIVE]
    assert_usable(container, sid)


@pytest.fixture
def due_for_retirement(container, sid):
    """A server with an EXPIRED key past retention, whose next run rotates (AUTO due) and retires at once."""
    svc = service(container)
    assert svc.run(sid, force=True).rotate
    retired = by_status(keys(container, sid))[EXPIRED][0]
    container.clock.advance(days=90)
    return retired


def test_crash_after_publishing_before_destroying_retired_material(container, sid, due_for_retirement):
    retired = due_for_retirement
    original = by_status(keys(container, sid))
    repo = RepoWrapper(real_repo(container))
    repo.after_save = lambda: crash(sid, None)
    store = StoreWrapper(real_store(container))
    with pytest.raises(Crash):
        service(container, store=store, repo=repo).run(sid)

    statuses = by_status(keys(container, sid))
    assert retired not in statuses[EXPIRED]  # unpublished by the transaction...
    assert statuses[ACTIVE] == original[NEXT]  # ...which also rotated
    assert store.ops("destroy") == []
    assert retired in real_store(container).stored(sid)  # ...but its material is still there
    assert_usable(container, sid)

    assert service(container).run(sid).is_noop  # nothing left to plan; the sweep finishes the job
    assert retired not in real_store(container).stored(sid)
    assert_usable(container, sid)


def test_crash_after_publishing_a_plain_rotation(container, sid):
    original = by_status(keys(container, sid))
    container.clock.advance(days=90)
    repo = RepoWrapper(real_repo(container))
    repo.after_save = lambda: crash(sid, None)
    with pytest.raises(Crash):
        service(container, repo=repo).run(sid)
    statuses = by_status(keys(container, sid))
    assert statuses[ACTIVE] == original[NEXT] and statuses[EXPIRED] == original[ACTIVE]
    assert_usable(container, sid)
    assert service(container).run(sid).is_noop
    assert set(real_store(container).stored(sid)) == {k.kid for k in keys(container, sid)}


@pytest.mark.parametrize("step", ["stored", "destroy"])
def test_crash_during_the_orphan_sweep(container, sid, step):
    orphan_store = StoreWrapper(real_store(container))
    orphan_store.after["put"] = crash
    with pytest.raises(Crash):
        service(container, store=orphan_store).run(sid, force=True)
    orphan = orphan_store.ops("put")[0][1]
    advance_to(container, orphan_created(container, sid, orphan) + ORPHAN_GRACE)
    before = key_state(container, sid)

    store = StoreWrapper(real_store(container))
    store.before[step] = crash
    with pytest.raises(Crash):
        service(container, store=store).run(sid)
    assert key_state(container, sid) == before
    assert orphan in real_store(container).stored(sid)
    assert_usable(container, sid)

    assert service(container).run(sid).is_noop
    assert orphan not in real_store(container).stored(sid)
    assert_usable(container, sid)


def test_crash_between_two_new_keys_of_one_run(container, sid):
    """A run that creates two keys (repair with no ACTIVE and no NEXT -> bootstrap a pair) dies after the first."""
    repo = real_repo(container)
    config = repo.load(sid)
    # Both keys lost (e.g. a botched restore): only an EXPIRED key would remain; here nothing at all.
    repo.save_keys(config.server, [], [], [k.kid for k in config.keys], config.key_versions)
    store = StoreWrapper(real_store(container))
    calls = {"n": 0}

    def second_put_dies(server_id, kid):
        calls["n"] += 1
        if calls["n"] == 2:
            crash(server_id, kid)

    store.after["put"] = second_put_dies
    with pytest.raises(Crash):
        service(container, store=store).run(sid)
    assert keys(container, sid) == []
    plan = service(container).run(sid)
    assert plan.bootstrap
    assert_usable(container, sid)


def test_material_of_a_server_whose_deletion_did_not_clean_up_is_swept_after_grace(container, api, sid):
    """Deleting a server schedules its material's deletion; when that fails (Secrets Manager down), the scheduled
    run finds material naming a server that no longer exists and removes it once older than the grace. Younger
    material of an unknown server is left alone: a server being created stores its keys before its record."""
    from chalicelib.keys.jwk import generate_private_key, thumbprint

    store = real_store(container)
    in_flight = generate_private_key()
    store.put("ausBeingCreated00001", thumbprint(in_flight), in_flight)  # a creation under way: no record yet
    assert api.post(f"/api/v1/authorizationServers/{sid}/lifecycle/deactivate").status_code == 204
    # The server's record goes, its material's clean-up does not happen (as when Secrets Manager fails then).
    real_repo(container).delete_server(real_repo(container).load(sid).server)
    left = set(store.stored(sid))
    assert len(left) == 2

    assert service(container).run_all().failed == []
    assert set(store.stored(sid)) == left  # young: could be a creation in flight
    assert set(store.stored("ausBeingCreated00001")) == {thumbprint(in_flight)}

    newest = max([*store.stored(sid).values(), *store.stored("ausBeingCreated00001").values()])
    advance_to(container, newest + ORPHAN_GRACE)
    assert service(container).run_all().failed == []
    assert store.stored(sid) == {}
    assert store.stored("ausBeingCreated00001") == {}  # an hour on, no creation is still under way
    assert_usable(container, real_repo(container).list_servers()[0].id)
