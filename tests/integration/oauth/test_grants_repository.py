"""The grants table on moto (chalicelib.storage.grants_repository): revoked access-token ids (REV-02, REV-06) and
used client-assertion ids (CAUTH-09 "reused jti"). DynamoDB deletes expired items days late and moto never does,
so every read must check ``expiresAt`` itself."""
from __future__ import annotations

from datetime import timedelta

import pytest

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

T0_OFFSET = timedelta(minutes=5)


@pytest.fixture
def grants(container):
    """The grants table's revocation and assertion repositories, as one object for these tests."""
    storage = container.storage

    class Grants:
        revoke_access_token = staticmethod(storage.revocations.revoke_access_token)
        is_access_token_revoked = staticmethod(storage.revocations.is_access_token_revoked)
        use_assertion = staticmethod(storage.assertions.use_assertion)

    return Grants()


@pytest.fixture
def now(clock):
    return clock.now()


# -- revoked access tokens ----------------------------------------------------------------------------------------


def test_rev06_revoked_until_the_token_expires(grants, now):
    grants.revoke_access_token("AT.one", "svc", now + T0_OFFSET)
    assert grants.is_access_token_revoked("AT.one", now)
    assert grants.is_access_token_revoked("AT.one", now + T0_OFFSET - timedelta(seconds=1))
    # expiry is checked on read: the item is still in the table, but no longer counts
    assert not grants.is_access_token_revoked("AT.one", now + T0_OFFSET)
    assert not grants.is_access_token_revoked("AT.one", now + timedelta(days=3))


def test_rev02_unknown_jti_is_not_revoked(grants, now):
    assert not grants.is_access_token_revoked("AT.never", now)


def test_revoking_twice_is_harmless_and_ids_are_independent(grants, now):
    grants.revoke_access_token("AT.a", "svc", now + T0_OFFSET)
    grants.revoke_access_token("AT.a", "svc", now + T0_OFFSET)
    assert grants.is_access_token_revoked("AT.a", now)
    assert not grants.is_access_token_revoked("AT.b", now)


def test_revocation_marker_carries_ttl_attribute(container, grants, now):
    grants.revoke_access_token("AT.ttl", "svc", now + T0_OFFSET)
    item = container.grants_model.get("REVOKED#AT.ttl", "AT")
    assert item.expiresAt == int((now + T0_OFFSET).timestamp())
    assert item.doc["clientId"] == "svc"


# -- client assertions --------------------------------------------------------------------------------------------


def test_cauth09_assertion_is_single_use(grants, now):
    expires = now + T0_OFFSET
    assert grants.use_assertion("client1", "jti-1", expires, now) is True
    assert grants.use_assertion("client1", "jti-1", expires, now) is False
    assert grants.use_assertion("client1", "jti-1", expires, now + timedelta(minutes=4)) is False


def test_cauth09_jti_is_scoped_to_the_client(grants, now):
    expires = now + T0_OFFSET
    assert grants.use_assertion("client1", "shared", expires, now) is True
    assert grants.use_assertion("client2", "shared", expires, now) is True
    assert grants.use_assertion("client2", "shared", expires, now) is False


def test_cauth09_jti_may_be_reused_after_the_marker_expired(grants, now):
    first_expiry = now + T0_OFFSET
    assert grants.use_assertion("client1", "jti-2", first_expiry, now) is True
    later = first_expiry + timedelta(seconds=1)
    # moto, like DynamoDB before its sweeper runs, still holds the expired marker
    assert grants.use_assertion("client1", "jti-2", later + T0_OFFSET, later) is True
    # ...and the new marker is live again
    assert grants.use_assertion("client1", "jti-2", later + T0_OFFSET, later) is False
    assert grants.use_assertion("client1", "jti-2", later + T0_OFFSET, later + T0_OFFSET) is True


def test_cauth09_marker_expiring_exactly_now_counts_as_expired(grants, now):
    assert grants.use_assertion("client1", "jti-3", now + T0_OFFSET, now) is True
    assert grants.use_assertion("client1", "jti-3", now + 2 * T0_OFFSET, now + T0_OFFSET) is True


def test_revocations_and_assertions_do_not_collide(grants, now):
    grants.revoke_access_token("x", "client1", now + T0_OFFSET)
    assert grants.use_assertion("client1", "x", now + T0_OFFSET, now) is True
    assert grants.is_access_token_revoked("x", now)


def test_cauth09_concurrent_reuse_of_an_expired_jti_is_accepted_once(container, grants, now):
    """Two requests find the same expired marker; the one that loses the race must not delete the live marker
    the winner just wrote (a replay would then be accepted twice)."""
    from chalicelib.storage.grants_repository import AssertionRepository

    later = now + T0_OFFSET + timedelta(seconds=1)
    assert grants.use_assertion("client1", "race", now + T0_OFFSET, now) is True
    results = []

    class Interleaved(AssertionRepository):
        def _live(self, pk, sk, at):
            live = super()._live(pk, sk, at)
            if not results:  # the other request runs completely between our read and our delete
                results.append(grants.use_assertion("client1", "race", later + T0_OFFSET, later))
            return live

    slow = Interleaved(container.grants_model, container.storage.connection)
    assert slow.use_assertion("client1", "race", later + T0_OFFSET, later) is False
    assert results == [True]
    assert grants.use_assertion("client1", "race", later + T0_OFFSET, later) is False


def test_unavailable_table_is_storage_unavailable(container, grants, now):
    from chalicelib.errors import StorageUnavailableError

    container.grants_model.delete_table()
    with pytest.raises(StorageUnavailableError):
        grants.is_access_token_revoked("AT.x", now)
    with pytest.raises(StorageUnavailableError):
        grants.use_assertion("client1", "jti", now + T0_OFFSET, now)
