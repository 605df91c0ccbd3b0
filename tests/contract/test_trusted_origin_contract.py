"""ports.TrustedOriginStore on both backends: unique origins and names (case-insensitively), version-conditional
replace and delete that move their markers, one strongly consistent listing in creation order."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import ACTIVE, CORS, INACTIVE, REDIRECT, TrustedOrigin, TrustedOriginScope
from chalicelib.ports import L_NAME, L_ORIGIN, L_VERSION, WriteConflict

from tests.contract.conftest import T0


def origin(oid: str, name: str, url: str, minutes: int = 0, *types: str) -> TrustedOrigin:
    when = T0 + timedelta(minutes=minutes)
    return TrustedOrigin(id=oid, name=name, origin=url, scopes=tuple(TrustedOriginScope(t) for t in types or (CORS,)),
                         status=ACTIVE, created=when, created_by="00uadmin", last_updated=when,
                         last_updated_by="00uadmin")


def labels_of(call) -> list[str]:
    with pytest.raises(WriteConflict) as raised:
        call()
    return raised.value.labels


def test_create_get_and_list_in_creation_order(storage):
    store = storage.trusted_origins
    b = store.create(origin("tosB", "B", "https://b.example", 1, CORS, REDIRECT))
    a = store.create(origin("tosA", "A", "https://a.example", 0))
    assert b.version == 1
    assert store.get("tosB") == b
    assert store.get("tosNONE") is None
    assert [o.id for o in store.list()] == ["tosA", "tosB"]
    assert store.list()[1].scopes == (TrustedOriginScope(CORS), TrustedOriginScope(REDIRECT))
    assert a.allows_cors and store.get("tosA").allows_cors


def test_origin_and_name_are_unique(storage):
    store = storage.trusted_origins
    store.create(origin("tos1", "Web App", "https://a.example"))
    assert L_ORIGIN in labels_of(lambda: store.create(origin("tos2", "Other", "https://a.example")))
    assert L_NAME in labels_of(lambda: store.create(origin("tos3", "web app", "https://c.example")))
    assert [o.id for o in store.list()] == ["tos1"]


def test_replace_moves_the_markers_and_checks_the_version(storage):
    store = storage.trusted_origins
    first = store.create(origin("tos1", "One", "https://one.example"))
    store.create(origin("tos2", "Two", "https://two.example", 1))
    moved = store.replace(first, replace(first, name="Uno", origin="https://uno.example", status=INACTIVE))
    assert moved.version == 2
    assert store.get("tos1") == moved and not moved.allows_cors
    # the old origin and name are free again; the new ones are taken
    store.create(origin("tos3", "One", "https://one.example", 2))
    assert L_ORIGIN in labels_of(lambda: store.create(origin("tos4", "Four", "https://uno.example", 3)))
    assert L_VERSION in labels_of(lambda: store.replace(first, replace(first, name="Stale")))
    assert L_ORIGIN in labels_of(lambda: store.replace(moved, replace(moved, origin="https://two.example")))
    assert store.get("tos1") == moved


def test_delete_frees_origin_and_name_and_checks_the_version(storage):
    store = storage.trusted_origins
    created = store.create(origin("tos1", "One", "https://one.example"))
    current = store.replace(created, replace(created, status=INACTIVE))
    assert L_VERSION in labels_of(lambda: store.delete(created))
    store.delete(current)
    assert store.get("tos1") is None and store.list() == []
    store.create(origin("tos2", "One", "https://one.example"))
