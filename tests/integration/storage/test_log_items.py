"""The System Log's items as DynamoDB holds them (storage/log_repository.py): a batch's events compressed in ``docz``,
items written before compression (``doc``, a JSON string) still read, a damaged item read as no events."""
from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit.log_keys import item, partition

# On DynamoDB (moto): the stored attributes are what these tests look at.
pytestmark = pytest.mark.dynamodb

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def _events(n: int) -> list[dict[str, object]]:
    # Events as alike as a busy client's token events are: the same actor, server and scopes, their own ids.
    return [{"uuid": f"uuid-{i:04d}", "eventType": "app.oauth2.as.token.grant.access_token",
             "actor": {"id": "0oaClient", "type": "PublicClientApp", "displayName": "Reporting service"},
             "debugContext": {"debugData": {"grantType": "client_credentials", "requestedScopes": "a b c",
                                            "jti": f"AT.{i:040d}"}}} for i in range(n)]


def _raw(container, written) -> dict:
    client = container.log_model._get_connection().connection.client
    return client.get_item(TableName=container.log_model.Meta.table_name,
                           Key={"pk": {"S": written.partition}, "sk": {"S": written.sort_key}})["Item"]


def test_a_batch_is_stored_compressed_and_reads_back_whole(container):
    events = _events(100)
    written = item([json.dumps(e) for e in events], NOW, 1, timedelta(days=90))
    container.storage.log_events.append([written])

    raw = _raw(container, written)
    assert "doc" not in raw
    stored = raw["docz"]["B"]
    assert json.loads(zlib.decompress(stored)) == events
    assert len(stored) * 5 < len(written.document)  # what the write units are billed on
    assert container.storage.log_events.read(written.partition, None, None, False, 10, NOW) == \
        [(written.sort_key, events)]


def test_items_written_before_compression_are_still_read(container):
    model = container.log_model
    events = _events(2)
    part = partition(NOW, 0)
    model(part, "20261204T110000000000#000000000001#old", doc=events, expiresAt=int(NOW.timestamp()) + 3600).save()
    assert container.storage.log_events.read(part, None, None, False, 10, NOW) == \
        [("20261204T110000000000#000000000001#old", events)]


def test_a_damaged_item_reads_as_no_events_and_the_others_still_read(container):
    model = container.log_model
    part = partition(NOW, 1)
    expires = int(NOW.timestamp()) + 3600
    model(part, "20261204T110000000000#000000000001#bad", docz=b"not zlib", expiresAt=expires).save()
    good = item([json.dumps(e) for e in _events(1)], NOW, 2, timedelta(days=90))
    container.storage.log_events.append([replace(good, partition=part)])
    assert [len(events) for _sk, events in container.storage.log_events.read(part, None, None, False, 10, NOW)] == \
        [0, 1]
