"""ports.ApiTokenStore, ClientStore, UserStore and DirectoryGroups on both backends: uniqueness of names and
logins, conditional writes, mirrored links, listing order and cursors."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import ApiToken, AppGroupAssignment, AppUserAssignment, ClientSecret, Group, OAuthClient, User
from chalicelib.ports import (
    L_APP,
    L_CLIENT,
    L_GROUP,
    L_LOGIN,
    L_MEMBER,
    L_NAME,
    L_USER,
    WriteConflict,
    client_list_key,
    name_key,
)

from tests.contract.conftest import T0


def labels_of(call) -> list[str]:
    with pytest.raises(WriteConflict) as raised:
        call()
    return raised.value.labels


def client(cid: str, name: str) -> OAuthClient:
    return OAuthClient(client_id=cid, client_name=name, application_type="service",
                       token_endpoint_auth_method="client_secret_basic", grant_types=("client_credentials",),
                       response_types=(), redirect_uris=(), post_logout_redirect_uris=(), client_uri=None,
                       logo_uri=None, jwks=None, jwks_uri=None, secrets=(ClientSecret("ocs1", "ab" * 32, "ACTIVE", T0, T0),), status="ACTIVE", created=T0,
                       last_updated=T0)


def user(uid: str, login: str, minutes: int = 0) -> User:
    at = T0 + timedelta(minutes=minutes)
    return User(id=uid, status="ACTIVE", profile={"login": login, "email": login, "firstName": "A", "lastName": "B"},
                created=at, last_updated=at)


def group(gid: str, name: str) -> Group:
    return Group(id=gid, name=name, description=None, group_type="OKTA_GROUP", created=T0, last_updated=T0)


# -- admin API tokens -------------------------------------------------------------------------------------------------

def test_api_tokens(storage):
    tokens = storage.api_tokens
    token = ApiToken(id="00T1", name="ci", token_hash="f" * 64, created=T0, last_updated=T0)
    tokens.add(token)
    assert tokens.find_by_hash("f" * 64) == token and tokens.get("00T1") == token
    assert [t.id for t in tokens.list()] == ["00T1"]
    tokens.remove(token)
    assert tokens.find_by_hash("f" * 64) is None and tokens.get("00T1") is None and tokens.list() == []


# -- OAuth clients ----------------------------------------------------------------------------------------------------

def test_client_names_are_unique_case_insensitively(storage):
    clients = storage.clients
    created = clients.create(client("0oa1", "Billing"))
    assert created.version == 1 and clients.get("0oa1") == created
    assert clients.get("0oa1", consistent=False).client_name == "Billing"
    assert labels_of(lambda: clients.create(client("0oa2", "BILLING"))) == [L_NAME]
    assert clients.get("0oa2") is None


def test_client_replace_is_conditional_and_moves_the_name(storage):
    clients = storage.clients
    created = clients.create(client("0oa1", "Billing"))
    renamed = clients.replace(created, replace(created, client_name="Invoices"))
    assert renamed.version == 2 and clients.get("0oa1").client_name == "Invoices"
    assert labels_of(lambda: clients.replace(created, replace(created, client_name="Other"))) == [L_CLIENT]
    clients.create(client("0oa2", "billing"))  # the old name is free
    assert L_NAME in labels_of(lambda: clients.create(client("0oa3", "invoices")))
    assert labels_of(lambda: clients.delete(created)) == [L_CLIENT]  # stale version
    clients.delete(renamed)
    assert clients.get("0oa1") is None
    clients.create(client("0oa4", "Invoices"))


def test_clients_page_in_name_order_with_a_prefix_and_a_cursor_that_survives_deletion(storage):
    clients = storage.clients
    made = {n: clients.create(client(f"0oa{i}", n)) for i, n in enumerate(["b2", "A1", "b1", "c1", "B3"])}
    first, cursor = clients.page("", 2, None)
    assert [c.client_name for c in first] == ["A1", "b1"] and cursor == client_list_key(made["b1"])
    clients.delete(made["b1"])
    rest, cursor = clients.page("", 10, cursor)
    assert [c.client_name for c in rest] == ["b2", "B3", "c1"] and cursor is None
    prefixed, cursor = clients.page(name_key("B"), 1, None)
    assert [c.client_name for c in prefixed] == ["b2"] and cursor is not None
    prefixed, cursor = clients.page(name_key("B"), 5, cursor)
    assert [c.client_name for c in prefixed] == ["B3"] and cursor is None


# -- users --------------------------------------------------------------------------------------------------------------

def test_logins_are_unique_regardless_of_case_and_diacritics(storage):
    users = storage.users
    users.create(user("00u1", "Isaac.Brock@example.com"))
    assert L_LOGIN in labels_of(lambda: users.create(user("00u2", "isáàc.bröck@example.com")))
    assert users.get("00u2") is None
    assert users.get_by_login("ISAAC.brock@example.com").id == "00u1"
    assert users.get_by_login("nobody@example.com") is None


def test_a_user_created_into_a_missing_group_is_not_created(storage):
    assert L_GROUP in labels_of(lambda: storage.users.create(user("00u1", "a@example.com"), ["00gmissing"]))
    assert storage.users.get("00u1") is None and storage.users.get_by_login("a@example.com") is None


def test_user_replace_is_conditional_and_moves_the_login(storage):
    users = storage.users
    created = users.create(user("00u1", "a@example.com"))
    moved = users.replace(created, replace(created, profile={**created.profile, "login": "b@example.com"}))
    assert moved.version == 2 and users.get_by_login("b@example.com").id == "00u1"
    assert users.get_by_login("a@example.com") is None
    assert labels_of(lambda: users.replace(created, created)) == [L_USER]
    users.create(user("00u2", "a@example.com"))


def test_users_scan_in_creation_order_after_a_key(storage):
    users = storage.users
    for i, minutes in enumerate([3, 1, 2]):
        users.create(user(f"00u{i}", f"u{i}@example.com", minutes))
    scanned = list(users.scan(None))
    assert [u.id for _, u in scanned] == ["00u1", "00u2", "00u0"]
    assert [u.id for _, u in users.scan(scanned[0][0])] == ["00u2", "00u0"]
    assert users.batch_get(["00u0", "00u9", "00u1"]).keys() == {"00u0", "00u1"}


def test_sign_in_reservations_count_up_to_the_limit_and_reset(storage):
    users = storage.users
    users.create(user("00u1", "a@example.com"))
    assert users.failed_sign_ins("00u1") == 0
    assert [users.reserve_sign_in("00u1", "t", 3) for _ in range(4)] == [1, 2, 3, None]
    assert users.failed_sign_ins("00u1") == 3
    users.clear_failed_sign_ins("00u1")
    assert users.failed_sign_ins("00u1") == 0 and users.get("00u1").version == 1
    assert users.reserve_sign_in("00u1", "t", 3) == 1


def test_a_replace_may_forget_the_failed_sign_ins_in_the_same_write(storage):
    users = storage.users
    users.create(user("00u1", "a@example.com"))
    users.reserve_sign_in("00u1", "t", 3)
    stored = users.get("00u1")
    saved = users.replace(stored, replace(stored, status="ACTIVE"), clear_sign_ins=True)
    assert users.failed_sign_ins("00u1") == 0 and users.get("00u1").version == saved.version == 2
    users.reserve_sign_in("00u1", "t", 3)
    with pytest.raises(WriteConflict):  # a stale version: nothing of the write happens, the count stays
        users.replace(stored, replace(stored, status="ACTIVE"), clear_sign_ins=True)
    assert users.failed_sign_ins("00u1") == 1
    users.replace(saved, saved, clear_sign_ins=True)  # with no counter stored it is a plain replace
    assert users.failed_sign_ins("00u1") == 0 and users.get("00u1").version == 3


def test_a_zero_limit_reserves_nothing_and_writes_nothing(storage):
    assert storage.users.reserve_sign_in("~nobody", "t", 0) is None
    assert storage.users.failed_sign_ins("~nobody") == 0


@pytest.fixture(params=["memory", "dynamodb"])
def served_storage(request) -> Iterator[object]:
    """Both backends for concurrent callers: DynamoDB through moto's server with requests serialized as DynamoDB
    serializes writes to an item (in-process moto is not atomic: devstack/moto_server.py)."""
    if request.param == "memory":
        from chalicelib.storage.memory import InMemoryStorage

        yield InMemoryStorage()
        return
    from chalicelib.settings import Settings
    from chalicelib.storage.dynamodb import DynamoStorage
    from devstack.moto_server import LocalMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LocalMotoServer("127.0.0.1", port)
    server.start()
    try:
        settings = Settings.from_env({"TOKENMINT_CONFIG_TABLE": "tm-config", "TOKENMINT_DIRECTORY_TABLE": "tm-directory",
                                      "TOKENMINT_GRANTS_TABLE": "tm-grants", "TOKENMINT_LOG_TABLE": "tm-logs", "TOKENMINT_BASE_URL": "https://t.test",
                                      "TOKENMINT_KMS_KEY_ID": "alias/unused",
                                      "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
        backend = DynamoStorage(settings)
        backend.bootstrap()
        yield backend
    finally:
        server.stop()


def test_parallel_reservations_never_pass_the_limit(served_storage):
    """Security checklist AUTH (issue 13, item 2): 16 threads released at once by a barrier, a limit of 10: exactly
    10 reservations, numbered 1..10, the rest refused."""
    storage = served_storage
    storage.users.create(user("00u1", "a@example.com"))
    barrier = threading.Barrier(16)

    def reserve(_: int) -> int | None:
        barrier.wait()
        return storage.users.reserve_sign_in("00u1", "t", 10)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(reserve, range(16)))
    assert sorted(r for r in results if r is not None) == list(range(1, 11))
    assert results.count(None) == 6
    assert storage.users.failed_sign_ins("00u1") == 10


# -- groups, memberships, assignments ---------------------------------------------------------------------------------

def test_group_names_are_unique_and_groups_scan_by_name(storage):
    groups = storage.groups
    for gid, name in [("00g1", "Beta"), ("00g2", "alpha"), ("00g3", "Bravo")]:
        groups.create(group(gid, name))
    assert labels_of(lambda: groups.create(group("00g4", "ALPHA"))) == [L_NAME]
    assert groups.get("00g4") is None
    scanned = list(groups.scan("", None))
    assert [g.name for _, g in scanned] == ["alpha", "Beta", "Bravo"]
    assert [g.name for _, g in groups.scan("b", None)] == ["Beta", "Bravo"]
    assert [g.name for _, g in groups.scan("b", scanned[1][0])] == ["Bravo"]
    assert groups.batch_get(["00g1", "00g9"]).keys() == {"00g1"}


def test_memberships_are_mirrored_and_idempotent_conflicts_are_labelled(storage):
    users, groups = storage.users, storage.groups
    users.create(user("00u1", "a@example.com"))
    users.create(user("00u2", "b@example.com"))
    groups.create(group("00g1", "Team"))
    groups.add_member("00g1", "00u2")
    groups.add_member("00g1", "00u1")
    assert labels_of(lambda: groups.add_member("00g1", "00u1")) == [L_MEMBER, L_MEMBER]
    assert L_USER in labels_of(lambda: groups.add_member("00g1", "00u9"))
    assert L_GROUP in labels_of(lambda: groups.add_member("00g9", "00u1"))
    assert groups.member_ids("00g1", None, 10) == ["00u1", "00u2"]
    assert groups.member_ids("00g1", "00u1", 10) == ["00u2"] and groups.member_ids("00g1", None, 1) == ["00u1"]
    assert users.group_ids("00u1") == ["00g1"]
    assert users.partition("00u1").group_ids == ("00g1",) and users.partition("00u9") is None
    groups.remove_member("00g1", "00u1")
    assert users.group_ids("00u1") == [] and groups.member_ids("00g1", None, 10) == ["00u2"]


def test_app_assignments(storage):
    users, groups, clients = storage.users, storage.groups, storage.clients
    clients.create(client("0oa1", "App"))
    users.create(user("00u1", "a@example.com"))
    team = groups.create(group("00g1", "Team"))
    direct = AppUserAssignment(client_id="0oa1", user_id="00u1", user_name="a", profile={}, created=T0,
                               last_updated=T0)
    assert L_APP in labels_of(lambda: groups.save_app_user(replace(direct, client_id="0oa9"), None))
    saved = groups.save_app_user(direct, None)
    assert saved.version == 1 and groups.get_app_user("0oa1", "00u1") == saved
    assert users.partition("00u1").client_ids == ("0oa1",)
    assert [a.user_id for a in groups.app_users("0oa1", None, 10)] == ["00u1"]
    by_group = AppGroupAssignment(client_id="0oa1", group_id="00g1", priority=0, profile={}, last_updated=T0)
    groups.save_app_group(by_group, None, team)
    assert groups.assigned_group_ids("0oa1") == {"00g1"}
    # The group was re-saved: a writer holding the group as read before loses.
    assert labels_of(lambda: groups.replace(team, replace(team, description="x"))) == [L_GROUP]
    assert L_GROUP in labels_of(lambda: groups.save_app_group(by_group, None, team))
    groups.remove_app_user("0oa1", "00u1")
    assert groups.get_app_user("0oa1", "00u1") is None and users.partition("00u1").client_ids == ()


def test_deleting_a_group_removes_its_assignments_name_and_memberships(storage):
    users, groups, clients = storage.users, storage.groups, storage.clients
    clients.create(client("0oa1", "App"))
    users.create(user("00u1", "a@example.com"))
    groups.create(group("00g1", "Team"))
    groups.add_member("00g1", "00u1")
    groups.save_app_group(AppGroupAssignment(client_id="0oa1", group_id="00g1", priority=0, profile={},
                                             last_updated=T0), None, groups.get("00g1"))
    groups.delete(groups.get("00g1"))
    assert groups.get("00g1") is None and groups.app_groups("0oa1") == [] and users.group_ids("00u1") == []
    groups.create(group("00g2", "team"))


def test_deleting_a_user_removes_its_login_and_links(storage):
    users, groups = storage.users, storage.groups
    created = users.create(user("00u1", "a@example.com"))
    groups.create(group("00g1", "Team"))
    groups.add_member("00g1", "00u1")
    assert labels_of(lambda: users.delete(replace(created, version=5))) == [L_USER]
    users.delete(created)
    assert users.get("00u1") is None and groups.member_ids("00g1", None, 10) == []
    users.create(user("00u2", "a@example.com"))
