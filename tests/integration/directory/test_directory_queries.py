"""What the authorize and token flows will call: ``is_assigned``, ``access``, ``groups_of``, ``sign_in`` and
``verify_password``, with the lockout they drive. Read counts are checked by counting DynamoDB calls."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace

import pytest

from directory_support import APPS, GROUPS, PASSWORD, USERS, raw_items

from chalicelib.admin import passwords
from chalicelib.admin.sign_in import MAX_FAILED_SIGN_INS
from tests.dynamodb_calls import dynamodb_calls

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

EVERYONE = "00gEveryoneBuiltIn00"


@pytest.fixture
def world(api, container, make_user, make_group, make_client):
    """Two clients, three users, two groups: direct, group and Everyone assignments."""
    direct, via_group, nobody = make_user("direct"), make_user("viagroup"), make_user("nobody")
    pilots, cooks = make_group("Pilots"), make_group("Cooks")
    app, everyone_app = make_client("app"), make_client("everyone-app")
    api.put(f"{GROUPS}/{pilots['id']}/users/{via_group['id']}")
    api.put(f"{GROUPS}/{cooks['id']}/users/{via_group['id']}")
    api.put(f"{GROUPS}/{cooks['id']}/users/{nobody['id']}")
    api.post(f"{APPS}/{app}/users", {"id": direct["id"]})
    api.put(f"{APPS}/{app}/groups/{pilots['id']}")
    api.put(f"{APPS}/{everyone_app}/groups/{EVERYONE}")
    return {"direct": direct["id"], "via_group": via_group["id"], "nobody": nobody["id"], "pilots": pilots["id"],
            "cooks": cooks["id"], "app": app, "everyone_app": everyone_app}


def test_is_assigned(container, world):
    assigned = container.app_assignments.is_assigned
    assert assigned(world["app"], world["direct"]) is True
    assert assigned(world["app"], world["via_group"]) is True
    assert assigned(world["app"], world["nobody"]) is False
    for user in ("direct", "via_group", "nobody"):
        assert assigned(world["everyone_app"], world[user]) is True
    assert assigned(world["app"], "00u0000000000000000x") is False
    assert assigned(world["app"], "not-an-id") is False
    assert assigned("0oa00000000000000000", world["direct"]) is False


def test_is_assigned_costs_at_most_two_reads(container, world):
    with dynamodb_calls(container) as calls:
        container.app_assignments.is_assigned(world["app"], world["direct"])
    assert calls == ["Query"]
    with dynamodb_calls(container) as calls:
        container.app_assignments.is_assigned(world["app"], world["via_group"])
    assert calls == ["Query", "Query"]
    with dynamodb_calls(container) as calls:
        container.app_assignments.is_assigned(world["app"], "not-an-id")
    assert calls == []


def test_access(container, world):
    with dynamodb_calls(container) as calls:
        access = container.app_assignments.access(world["app"], world["via_group"])
    assert len(calls) <= 4  # the person's partition and its groups, the app's group assignments, the change log
    with dynamodb_calls(container) as calls:
        access = container.app_assignments.access(world["app"], world["via_group"])
    assert calls == ["Query", "BatchGetItem"]  # the app's group assignments are cached (oauth/app_groups.py)
    assert access.user.id == world["via_group"] and access.assigned is True
    assert [g.name for g in access.groups] == ["Everyone", "Cooks", "Pilots"]
    assert access.group_ids == (EVERYONE, world["cooks"], world["pilots"])
    nobody = container.app_assignments.access(world["app"], world["nobody"])
    assert nobody.assigned is False and [g.name for g in nobody.groups] == ["Everyone", "Cooks"]
    assert container.app_assignments.access(world["app"], "00u0000000000000000x") is None


def test_member_is_access_without_the_assignment_read(container, world):
    with dynamodb_calls(container) as calls:
        member = container.app_assignments.member(world["via_group"])
    assert calls == ["Query", "BatchGetItem"]  # the user's partition and its groups; no app assignment read
    assert member.user.id == world["via_group"] and member.assigned is False
    assert [g.name for g in member.groups] == ["Everyone", "Cooks", "Pilots"]
    assert container.app_assignments.member("00u0000000000000000x") is None
    assert container.app_assignments.member("not an id") is None


def test_groups_of(container, world):
    with dynamodb_calls(container) as calls:
        groups = container.groups.groups_of(world["via_group"])
    assert [g.name for g in groups] == ["Everyone", "Cooks", "Pilots"]
    assert calls == ["Query", "BatchGetItem"]
    assert [g.name for g in container.groups.groups_of(world["direct"])] == ["Everyone"]
    assert container.groups.groups_of("bogus") == []


def test_unassigning_and_deleting_a_group_take_effect_at_once(api, container, world):
    assigned = container.app_assignments.is_assigned
    api.delete(f"{APPS}/{world['app']}/users/{world['direct']}")
    assert assigned(world["app"], world["direct"]) is False
    api.delete(f"{GROUPS}/{world['pilots']}")
    assert assigned(world["app"], world["via_group"]) is False
    assert [g.name for g in container.groups.groups_of(world["via_group"])] == ["Everyone", "Cooks"]


def test_a_membership_left_behind_by_a_crashed_sweep_is_ignored(api, container, world):
    """Simulate a group deletion that died after removing the group: its memberships still name it."""
    group = container.groups.get(world["pilots"])
    for client_id in [world["app"]]:
        container.app_assignments.remove_group(client_id, group.id)
    container.directory_model(f"GROUP#{group.id}", "GROUP").delete(add_version_condition=False)
    access = container.app_assignments.access(world["app"], world["via_group"])
    assert world["pilots"] not in access.group_ids and access.assigned is False
    assert [g.name for g in container.groups.groups_of(world["via_group"])] == ["Everyone", "Cooks"]


# -- signing in ----------------------------------------------------------------------------------------------------


def test_sign_in_succeeds_with_the_right_password_only(container, make_user, clock):
    user = make_user("sam")
    clock.advance(minutes=3)
    result = container.users.sign_in("SAM@example.com", PASSWORD)
    assert result.ok and result.reason == "ok" and result.user.id == user["id"]
    assert result.user.last_login == clock.now()
    for login, password in (("sam@example.com", "wrong-Passw0rd"), ("nobody@example.com", PASSWORD),
                            (user["id"], PASSWORD), ("sam@example.com", None), ("", PASSWORD)):
        failed = container.users.sign_in(login, password)
        assert not failed.ok and failed.user is None and failed.reason == "invalid"


def test_sign_in_of_users_that_are_not_active(api, container, make_user):
    for action, expected in (("suspend", "inactive"), ("deactivate", "inactive")):
        user = make_user()
        api.post(f"{USERS}/{user['id']}/lifecycle/{action}")
        assert container.users.sign_in(user["profile"]["login"], PASSWORD).reason == expected
    staged = make_user(activate=False)
    assert container.users.sign_in(staged["profile"]["login"], PASSWORD).reason == "inactive"
    provisioned = make_user(password=None)
    assert container.users.sign_in(provisioned["profile"]["login"], "Anything-1x").reason == "invalid"


def test_lockout_after_ten_failures_and_unlock(api, container, make_user):
    user = make_user("tom")
    login = user["profile"]["login"]
    for attempt in range(1, MAX_FAILED_SIGN_INS):
        assert container.users.sign_in(login, f"Wrong-{attempt}x").reason == "invalid"
    assert container.users.failed_sign_ins(user["id"]) == MAX_FAILED_SIGN_INS - 1
    assert container.users.sign_in(login, "Wrong-last-1").reason == "locked"
    assert api.get(f"{USERS}/{user['id']}").data["status"] == "LOCKED_OUT"
    assert container.users.sign_in(login, PASSWORD).reason == "locked"  # even the right password
    assert set(api.get(f"{USERS}/{user['id']}").data["_links"]) >= {"unlock", "deactivate"}
    assert api.post(f"{USERS}/{user['id']}/lifecycle/unlock").status_code == 200
    assert container.users.failed_sign_ins(user["id"]) == 0
    assert container.users.sign_in(login, PASSWORD).ok


def test_a_success_resets_the_failure_count(container, make_user):
    user = make_user()
    login = user["profile"]["login"]
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        container.users.sign_in(login, "Wrong-Passw0rd")
    assert container.users.sign_in(login, PASSWORD).ok
    assert container.users.failed_sign_ins(user["id"]) == 0
    assert container.users.sign_in(login, "Wrong-Passw0rd").reason == "invalid"


def test_a_successful_sign_in_is_one_reservation_and_one_write(container, make_user):
    """Issue 20: lastLogin and forgetting the failed sign-ins are one transaction."""
    user = make_user()
    container.users.sign_in(user["profile"]["login"], "Wrong-Passw0rd")
    with dynamodb_calls(container) as calls:
        assert container.users.sign_in(user["profile"]["login"], PASSWORD).ok
    assert calls == ["GetItem", "GetItem", "UpdateItem", "TransactWriteItems"]
    assert container.users.failed_sign_ins(user["id"]) == 0


def test_attempts_are_reserved_up_to_the_limit(container, make_user):
    """The counter is a conditional ADD: writers never read-modify-write, so none can lose an increment, and none
    can count past the limit."""
    user_id = make_user()["id"]
    repo = container.users._repo
    counts = [repo.reserve_sign_in(user_id, "t", 3) for _ in range(4)]
    assert counts == [1, 2, 3, None]


def test_unknown_and_known_logins_do_the_same_storage_work(container, make_user):
    """Issue 13, item 3 (security checklist AUTH, account enumeration by timing): an unknown login and a known login
    with a wrong password make the same DynamoDB calls (login marker, user, one conditional counter update) and one
    password computation; only the known one's counter moves."""
    user = make_user()
    with dynamodb_calls(container) as unknown:
        assert container.users.sign_in("nobody.here@example.com", "Wrong-Passw0rd").reason == "invalid"
    with dynamodb_calls(container) as known:
        assert container.users.sign_in(user["profile"]["login"], "Wrong-Passw0rd").reason == "invalid"
    assert unknown == known == ["GetItem", "GetItem", "UpdateItem"]
    assert container.users.failed_sign_ins(user["id"]) == 1


def test_a_right_password_is_refused_once_the_attempts_are_used_up(container, make_user):
    """Issue 13, item 2: the limit's worth of guesses are still being checked (reserved, the account not locked
    yet): the right password is refused without being looked at, and the account ends up LOCKED_OUT."""
    user = make_user()
    for _ in range(MAX_FAILED_SIGN_INS):
        assert container.users._repo.reserve_sign_in(user["id"], "t", MAX_FAILED_SIGN_INS) is not None
    assert container.users.sign_in(user["profile"]["login"], PASSWORD).reason == "locked"
    assert container.users.failed_sign_ins(user["id"]) == MAX_FAILED_SIGN_INS
    # Had the tenth attempt's request died before locking, an admin's unlock (allowed on ACTIVE) lets the user in.
    assert container.users.get(user["id"]).status == "ACTIVE"
    container.users.unlock(user["id"])
    assert container.users.sign_in(user["profile"]["login"], PASSWORD).ok


def test_verify_password_is_pure(container, make_user):
    user = container.users.get(make_user()["id"])
    assert container.users.verify_password(user, PASSWORD) is True
    assert container.users.verify_password(user, "Wrong-Passw0rd") is False
    assert container.users.verify_password(None, PASSWORD) is False
    assert container.users.failed_sign_ins(user.id) == 0


def test_a_legacy_scrypt_hash_is_upgraded_to_argon2id_on_sign_in(container, make_user):
    """Issue 13 (password storage at OWASP parameters): a hash from before Argon2id still signs in, and that sign-in
    replaces it; a wrong password changes nothing."""
    user = container.users.get(make_user("uma")["id"])
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2 ** 15, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    old_hash = f"scrypt$ln=15,r=8,p=1${b64(salt)}${b64(key)}"
    container.users._repo.replace(user, replace(user, password_hash=old_hash))
    assert container.users.sign_in("uma@example.com", "Wrong-Passw0rd").reason == "invalid"
    assert container.users.get(user.id).password_hash == old_hash
    assert container.users.sign_in("uma@example.com", PASSWORD).ok
    stored = container.users.get(user.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and not passwords.needs_rehash(stored)
    assert container.users.get(user.id).password_changed == user.password_changed  # not a password change
    assert container.users.sign_in("uma@example.com", PASSWORD).ok


def test_nothing_about_a_password_is_logged(container, make_user, caplog):
    """tokenmint's own loggers at DEBUG, everything else at INFO (libraries log request bodies at DEBUG)."""
    caplog.set_level("INFO")
    caplog.set_level("DEBUG", logger="chalicelib")
    user = make_user("vic")
    for _ in range(MAX_FAILED_SIGN_INS):
        container.users.sign_in("vic@example.com", "Wrong-Passw0rd")
    container.users.sign_in("vic@example.com", PASSWORD)
    assert any("locked out" in r.getMessage() for r in caplog.records)
    text = caplog.text + repr(container.users.get(user["id"]))
    assert PASSWORD not in text and "Wrong-Passw0rd" not in text and "$argon2id$" not in text
    assert "$argon2id$" in json.dumps(raw_items())  # the hash is there, in storage only


def test_a_group_unassigned_from_the_app_counts_here_at_once_and_in_another_container_within_a_second(
        api, container, world, moto_world, clock):
    other = moto_world.container(clock)  # another warm container of the deployment: its own caches
    for each in (container, other):
        assert each.app_assignments.access(world["app"], world["via_group"]).assigned is True  # cached on both
    api.delete(f"{APPS}/{world['app']}/groups/{world['pilots']}")
    assert container.app_assignments.access(world["app"], world["via_group"]).assigned is False
    clock.advance(seconds=0.999)
    assert other.app_assignments.access(world["app"], world["via_group"]).assigned is True  # log not read yet
    clock.advance(seconds=0.001)
    assert other.app_assignments.access(world["app"], world["via_group"]).assigned is False

    api.put(f"{APPS}/{world['app']}/groups/{world['cooks']}")  # and an assignment, the same way
    assert container.app_assignments.access(world["app"], world["nobody"]).assigned is True
    clock.advance(seconds=1)
    assert other.app_assignments.access(world["app"], world["nobody"]).assigned is True


def test_a_deleted_group_grants_nothing_even_while_a_cached_assignment_names_it(api, container, world, moto_world,
                                                                               clock):
    other = moto_world.container(clock)
    assert other.app_assignments.access(world["app"], world["via_group"]).assigned is True
    # The group goes without an announcement to the app's key: its assignment is removed by the group's deletion.
    container.groups.delete(world["pilots"])
    cached = other.caches.app_groups.assigned_group_ids(world["app"])
    assert world["pilots"] in cached  # still named by the other container's cache
    assert other.app_assignments.access(world["app"], world["via_group"]).assigned is False
