"""The protocol core's stores on both backends: expiry checked on read (nothing relies on a TTL sweep), markers
used once, single-use transitions conditional on the version read, refresh-token families."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.oauth.codes import CodeGrant, StoredCode
from chalicelib.oauth.refresh_tokens import CodeWrite, Family, IssuedToken

from tests.contract.conftest import T0

LATER = T0 + timedelta(minutes=5)


def test_revocations_count_until_the_token_expires(storage):
    revocations = storage.revocations
    revocations.revoke_access_token("jti1", "svc", LATER)
    revocations.revoke_access_token("jti1", "svc", LATER)  # twice is harmless
    assert revocations.is_access_token_revoked("jti1", T0)
    assert not revocations.is_access_token_revoked("jti1", LATER)
    assert not revocations.is_access_token_revoked("jti2", T0)


def test_an_assertion_is_used_once_per_client_until_it_expires(storage):
    assertions = storage.assertions
    assert assertions.use_assertion("c1", "j", LATER, T0) is True
    assert assertions.use_assertion("c1", "j", LATER, T0) is False
    assert assertions.use_assertion("c2", "j", LATER, T0) is True
    # Expired (exactly at its expiry too): the jti may be used again, once.
    assert assertions.use_assertion("c1", "j", LATER + timedelta(minutes=5), LATER) is True
    assert assertions.use_assertion("c1", "j", LATER + timedelta(minutes=5), LATER) is False


def test_holders_expire_on_read_and_list_in_id_order(storage):
    holders = storage.holders
    holders.record_holder("aus1", "0oaB", LATER)
    holders.record_holder("aus1", "0oaA", T0 + timedelta(minutes=1))
    holders.record_holder("aus2", "0oaC", LATER)
    assert holders.holders("aus1", T0) == ["0oaA", "0oaB"]
    assert holders.holders("aus1", T0 + timedelta(minutes=1)) == ["0oaB"]
    holders.record_holder("aus1", "0oaA", LATER)  # overwrites
    assert holders.holders("aus1", T0 + timedelta(minutes=1)) == ["0oaA", "0oaB"]


def test_sessions_overwrite_expire_and_delete(storage):
    sessions = storage.sessions
    sessions.save_session("h1", {"userId": "00u1"}, LATER)
    sessions.save_session("h1", {"userId": "00u2"}, LATER)
    assert sessions.get_session("h1", T0)["userId"] == "00u2"
    assert sessions.get_session("h1", LATER) is None
    sessions.delete_session("h1")
    assert sessions.get_session("h1", T0) is None


def test_pending_requests_are_created_once_and_updated_by_version(storage):
    pending = storage.pending
    assert pending.create_authorize_request("r1", {"step": 1}, LATER) is True
    assert pending.create_authorize_request("r1", {"step": 9}, LATER) is False
    record, version = pending.get_authorize_request("r1", T0)
    assert record["step"] == 1
    assert pending.update_authorize_request("r1", {"step": 2}, LATER, version) is True
    assert pending.update_authorize_request("r1", {"step": 3}, LATER, version) is False
    assert pending.get_authorize_request("r1", T0)[0]["step"] == 2
    assert pending.get_authorize_request("r1", LATER) is None
    pending.delete_authorize_request("r1")
    assert pending.get_authorize_request("r1", T0) is None


def code(code_hash: str = "c1", **changes) -> StoredCode:
    grant = CodeGrant(server_id="aus1", client_id="0oa1", redirect_uri="https://app.example/cb", user_id="00u1",
                      scopes=("openid",), auth_time=int(T0.timestamp()), nonce="n", code_challenge="x" * 43,
                      code_challenge_method="S256", dpop_jkt="k" * 43)
    return replace(StoredCode(code_hash=code_hash, grant=grant, state="ISSUED", issued_at=T0, expires_at=LATER,
                              version=0), **changes)


def test_codes_are_single_use_and_readable_after_expiry(storage):
    codes = storage.codes
    assert codes.create_code(code()) is True
    assert codes.create_code(code()) is False
    stored = codes.get_code("c1")
    assert stored == code(version=1)  # every field survives the store
    assert codes.update_code(replace(stored, state="REDEEMED", access_jti="j1"), LATER) is True
    assert codes.update_code(replace(stored, state="BURNED"), LATER) is False  # the other redemption lost
    assert codes.get_code("c1") == code(state="REDEEMED", access_jti="j1", version=2)
    assert codes.get_code("nope") is None


def test_consents_are_kept_per_user_by_key(storage):
    consents = storage.consents
    consents.save_consent_grants("00u1", [("aus1#0oa1#email", {"scope": "email"}),
                                          ("aus1#0oa1#address", {"scope": "address"})])
    consents.save_consent_grants("00u1", [("aus1#0oa1#email", {"scope": "email", "again": True})])
    found = consents.consent_grants("00u1")
    assert [(c["_key"], c["scope"]) for c in found] == [("aus1#0oa1#address", "address"),
                                                        ("aus1#0oa1#email", "email")]
    assert found[1]["again"] is True and consents.consent_grants("00u2") == []
    consents.delete_consent_grant("00u1", "aus1#0oa1#email")
    assert [c["_key"] for c in consents.consent_grants("00u1")] == ["aus1#0oa1#address"]


def family(fid: str, **changes) -> Family:
    return replace(Family(id=fid, server_id="aus1", client_id="0oa1", user_id="00u1", scopes=("openid",),
                          auth_time=1, amr=("pwd",), grant_type="password", lifetime_minutes=600,
                          window_minutes=60, created=T0, last_updated=T0, ends_at=T0 + timedelta(hours=10),
                          expires_at=LATER, current_hash="h1", access_tokens=(("jti1", 123),)), **changes)


def issued(fid: str) -> IssuedToken:
    return IssuedToken(server_id="aus1", client_id="0oa1", family_id=fid, issued=1, expires_at=int(LATER.timestamp()))


def legacy_record(storage, token_hash: str, token: IssuedToken) -> None:
    """A token's own record as releases before 2026-12-05 wrote it beside each token (``RT#{hash}``)."""
    from chalicelib.storage.grant_documents import token_doc

    if hasattr(storage, "grants_model"):
        storage.grants_model(f"RT#{token_hash}", "RT", doc=token_doc(token)).save()
    else:
        from chalicelib.storage.memory.table import Put

        storage._tables[2].write([Put(f"RT#{token_hash}", "RT", token_doc(token), "token")])


def test_refresh_token_families(storage):
    store = storage.refresh_tokens
    assert store.create(family("f2")) is True
    assert store.create(family("f2")) is False  # a family is created once
    assert store.create(family("f1", current_hash="h2")) is True
    stored = store.family("aus1", "0oa1", "f2")
    assert stored == family("f2", version=1)  # every field survives
    assert store.token("h1") is None  # no record of its own: the family knows its tokens
    assert store.locate("f2") == ("aus1", "0oa1") and store.locate("nope") is None
    rotated = replace(stored, current_hash="h3", rotated=(("h1", 123),))
    assert store.rotate(rotated, pointers=False) is True
    assert store.rotate(replace(stored, current_hash="h4"), pointers=False) is False  # one rotation wins
    assert store.family("aus1", "0oa1", "f2") == replace(rotated, version=2)
    assert [f.id for f in store.families("aus1", "0oa1")] == ["f1", "f2"]
    assert [f.id for f in store.families("aus1", "0oa1", "f1")] == ["f2"]
    store.delete("aus1", "0oa1", "f2")
    assert store.family("aus1", "0oa1", "f2") is None and store.locate("f2") is None
    assert [f.id for f in store.families("aus1", "0oa1")] == ["f1"]


def test_records_of_tokens_issued_before_are_still_read(storage):
    legacy_record(storage, "h0", issued("f0"))
    assert storage.refresh_tokens.token("h0") == issued("f0") and storage.refresh_tokens.token("h9") is None


def test_a_code_redeemed_with_its_family_in_one_write_or_not_at_all(storage):
    """CODE-03 as one transaction: the code's conditional replace and the family's creation both happen, or (the
    code moved since it was read) neither does."""
    storage.codes.create_code(code())
    read = storage.codes.get_code("c1")
    won = CodeWrite(replace(read, state="REDEEMED", access_jti="j1", refresh_family="f1"), LATER)
    lost = CodeWrite(replace(read, state="REDEEMED", access_jti="j2", refresh_family="f2"), LATER)
    assert storage.refresh_tokens.create(family("f1"), won) is True
    assert storage.codes.get_code("c1") == code(state="REDEEMED", access_jti="j1", refresh_family="f1", version=2)
    assert storage.refresh_tokens.family("aus1", "0oa1", "f1") == family("f1", version=1)
    # The same read again (a concurrent redemption): nothing of it is written.
    assert storage.refresh_tokens.create(family("f2", current_hash="h2"), lost) is False
    assert storage.refresh_tokens.family("aus1", "0oa1", "f2") is None
    assert storage.refresh_tokens.locate("f2") is None
    assert storage.codes.get_code("c1").access_jti == "j1"


def test_deleting_a_family_revokes_its_access_tokens_in_the_same_write(storage):
    store = storage.refresh_tokens
    store.create(family("f1"))
    storage.revocations.revoke_access_token("jti0", "0oa1", LATER)  # revoked before: stays revoked, no conflict
    store.delete("aus1", "0oa1", "f1", "00u1", revoke=(("jti0", int(LATER.timestamp())),
                                                       ("jti1", int(LATER.timestamp()))))
    assert store.family("aus1", "0oa1", "f1") is None
    assert storage.revocations.is_access_token_revoked("jti1", T0)
    assert storage.revocations.is_access_token_revoked("jti0", T0)
    assert not storage.revocations.is_access_token_revoked("jti1", LATER + timedelta(seconds=1))  # until expiry
    assert not storage.revocations.is_access_token_revoked("jti2", T0)


def test_a_family_deleted_without_its_pointers_leaves_them_to_expire(storage):
    """How a revocation deletes a family (oauth/refresh_tokens.py ``_kill``): the family and its access tokens in one
    write; the pointers stay until their TTL, and lead to no family."""
    store = storage.refresh_tokens
    store.create(family("f1"))
    store.delete("aus1", "0oa1", "f1", revoke=(("jti1", int(LATER.timestamp())),), pointer=False)
    assert store.family("aus1", "0oa1", "f1") is None and storage.revocations.is_access_token_revoked("jti1", T0)
    assert store.locate("f1") == ("aus1", "0oa1")
    assert ("aus1", "0oa1", "f1") in list(store.user_families("00u1"))
    assert [f.id for f in store.families("aus1", "0oa1")] == []


def test_a_family_with_as_many_access_tokens_as_it_can_name_is_revoked_whole(storage):
    """A family names up to 100 access tokens; with its own items that is more than one transaction holds."""
    store = storage.refresh_tokens
    store.create(family("f1"))
    expires = int(LATER.timestamp())
    store.delete("aus1", "0oa1", "f1", "00u1", revoke=tuple((f"jti{i}", expires) for i in range(100)))
    assert store.family("aus1", "0oa1", "f1") is None and store.locate("f1") is None
    assert all(storage.revocations.is_access_token_revoked(f"jti{i}", T0) for i in range(100))


def test_a_users_families_are_found_until_deleted_with_the_user(storage):
    store = storage.refresh_tokens
    store.create(family("f1"))
    store.create(family("f2", current_hash="h2", client_id="0oa2"))
    store.create(family("f3", current_hash="h3", user_id="00u2"))
    assert sorted(store.user_families("00u1")) == [("aus1", "0oa1", "f1"), ("aus1", "0oa2", "f2")]
    stored = store.family("aus1", "0oa1", "f1")
    assert store.rotate(replace(stored, current_hash="h4")) is True  # the index follows
    assert list(store.user_families("00u2")) == [("aus1", "0oa1", "f3")]
    store.delete("aus1", "0oa1", "f1", "00u1")
    assert list(store.user_families("00u1")) == [("aus1", "0oa2", "f2")]
    assert store.rotate(replace(store.family("aus1", "0oa2", "f2"), current_hash="h5")) is True


def test_rotation_without_pointers_keeps_them_and_moving_them_later_still_works(storage):
    """Pointers are rewritten only some rotations (oauth/refresh_tokens.py ``moves_pointers``), so their writes
    cannot be conditional on the family's version: moving them after rotations without them must succeed."""
    store = storage.refresh_tokens
    assert store.create(family("f5", pointers_until=LATER)) is True
    stored = store.family("aus1", "0oa1", "f5")
    assert stored.pointers_until == LATER
    assert store.rotate(replace(stored, current_hash="h2"), pointers=False) is True
    stored = store.family("aus1", "0oa1", "f5")
    assert store.rotate(replace(stored, current_hash="h3"), pointers=False) is True
    stored = store.family("aus1", "0oa1", "f5")
    later = LATER + timedelta(hours=1)
    assert store.rotate(replace(stored, current_hash="h4", pointers_until=later)) is True
    assert store.rotate(replace(stored, current_hash="h5")) is False  # still one winner
    assert store.family("aus1", "0oa1", "f5") == family("f5", current_hash="h4", pointers_until=later, version=4)
    assert store.locate("f5") == ("aus1", "0oa1") and ("aus1", "0oa1", "f5") in list(store.user_families("00u1"))
    store.delete("aus1", "0oa1", "f5", "00u1")
    assert store.locate("f5") is None and ("aus1", "0oa1", "f5") not in list(store.user_families("00u1"))


def test_the_in_memory_backend_restores_a_snapshot():
    from chalicelib.storage.memory import InMemoryStorage

    storage = InMemoryStorage()
    storage.sessions.save_session("h1", {"userId": "00u1"}, LATER)
    saved = storage.snapshot()
    storage.sessions.delete_session("h1")
    storage.sessions.save_session("h2", {"userId": "00u2"}, LATER)
    storage.restore(saved)
    assert storage.sessions.get_session("h1", T0) == {"userId": "00u1", "expiresAt": int(LATER.timestamp())}
    assert storage.sessions.get_session("h2", T0) is None


def test_a_dpop_bound_family_keeps_its_key_through_rotation(storage):
    """DPOP-13: a public client's family remembers the DPoP key it is bound to (docs/ARCHITECTURE.md "DPoP")."""
    store = storage.refresh_tokens
    assert store.create(family("f3", jkt="thumb")) is True
    stored = store.family("aus1", "0oa1", "f3")
    assert stored == family("f3", jkt="thumb", version=1)
    assert store.rotate(replace(stored, current_hash="h2")) is True
    assert store.family("aus1", "0oa1", "f3").jkt == "thumb"


def test_each_family_indexes_its_client_at_its_server_and_the_index_outlives_it(storage):
    store, index = storage.refresh_tokens, storage.client_servers
    assert index.client_servers("0oa1") == []
    store.create(family("f1"))
    store.create(family("f2", server_id="aus2"))
    store.create(family("f3"))  # a second family at aus1: the same item, rewritten
    store.create(family("f4", client_id="0oa2"))
    assert sorted(index.client_servers("0oa1")) == ["aus1", "aus2"] and index.client_servers("0oa2") == ["aus1"]
    store.delete("aus2", "0oa1", "f2")
    assert sorted(index.client_servers("0oa1")) == ["aus1", "aus2"]  # a stale entry costs a reader one empty Query


def test_a_new_table_s_index_is_complete_and_its_state_is_written_by_version(storage):
    index = storage.client_servers
    state, version = index.index_state()
    assert state == {"state": "ready"}
    assert index.save_index_state({"state": "waiting"}, None) is False  # only one first state
    assert index.save_index_state({"state": "waiting", "since": "x"}, version) is True
    assert index.save_index_state({"state": "ready"}, version) is False  # another run moved it
    assert index.index_state()[0] == {"state": "waiting", "since": "x"}


def test_a_scan_in_stretches_finds_every_family_partition_once_and_indexing_them_is_idempotent(storage):
    store, index = storage.refresh_tokens, storage.client_servers
    for n in range(7):
        store.create(family(f"f{n}", server_id=f"aus{n % 3}", client_id=f"0oa{n % 2}", user_id=f"00u{n}"))
    storage.revocations.revoke_access_token("jti9", "0oa1", LATER)  # other items of the table are passed over
    found, start, stretches = set(), None, 0
    while True:
        pairs, start = index.family_partitions(start, 4)
        found |= pairs
        stretches += 1
        if start is None:
            break
    assert found == {(f"aus{n % 3}", f"0oa{n % 2}") for n in range(7)} and stretches > 3
    index.add_client_servers(found)
    index.add_client_servers(found)
    assert sorted(index.client_servers("0oa0")) == ["aus0", "aus1", "aus2"]
