"""ClientService and ClientRepository on moto's DynamoDB: item layout, optimistic locking, the token-path read."""
from __future__ import annotations

import json
from dataclasses import replace

import boto3
import pytest

from chalicelib.admin.clients import hash_secret
from chalicelib.errors import ConflictError, NotFoundError, StorageUnavailableError, ValidationError
from chalicelib.storage.client_repository import ClientRepository
from chalicelib.storage.transactions import WriteConflict

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


def service_body(name: str = "M2M", **extra) -> dict:
    return {"client_name": name, "application_type": "service", **extra}


def items() -> dict[tuple[str, str], dict]:
    raw = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="tm-directory")["Items"]
    return {(i["pk"]["S"], i["sk"]["S"]): i for i in raw if i["pk"]["S"].startswith("CLIENT")}


def test_item_layout_in_the_directory_table(container):
    client, secret = container.clients.create(service_body("Billing Sync"))
    stored = items()
    assert set(stored) == {(f"CLIENT#{client.client_id}", "CLIENT"), ("CLIENTNAME#billing sync", "CLIENTNAME")}
    item = stored[(f"CLIENT#{client.client_id}", "CLIENT")]
    assert item["gsi1pk"]["S"] == "CLIENT"
    assert item["gsi1sk"]["S"] == f"billing sync#{client.client_id}"
    assert item["version"]["N"] == "1"
    doc = json.loads(item["doc"]["S"])
    assert [s["hash"] for s in doc["secrets"]] == [hash_secret(secret)]
    assert doc["status"] == "ACTIVE"
    assert secret not in json.dumps(list(stored.values()))
    marker = stored[("CLIENTNAME#billing sync", "CLIENTNAME")]
    assert json.loads(marker["doc"]["S"]) == {"clientId": client.client_id}


def test_round_trip_of_every_field(container):
    body = {"client_name": "Native", "application_type": "native", "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "redirect_uris": ["com.example.app:/cb", "http://127.0.0.1/cb"],
            "post_logout_redirect_uris": ["com.example.app:/bye"], "client_uri": "https://app.example",
            "logo_uri": "https://app.example/logo.png"}
    created, secret = container.clients.create(body)
    assert secret is None and created.secrets == ()
    assert container.clients.get(created.client_id) == created


def test_get_for_token_is_one_eventually_consistent_get_item(container, monkeypatch):
    created, secret = container.clients.create(service_body())
    calls = []
    model = container.directory_model
    real_get = model.get.__func__

    def spy(cls, *args, **kwargs):
        calls.append((args, kwargs))
        return real_get(cls, *args, **kwargs)

    monkeypatch.setattr(model, "get", classmethod(spy))
    found = container.clients.get_for_token(created.client_id)
    assert found == created
    assert calls == [((f"CLIENT#{created.client_id}", "CLIENT"), {"consistent_read": False})]
    assert container.clients.verify_secret(found, secret)
    assert container.clients.get_for_token("0oa" + "Z" * 17) is None
    assert len(calls) == 2


def test_a_deactivated_client_is_returned_but_fails_verification(container):
    created, secret = container.clients.create(service_body())
    inactive = container.clients.set_status(created.client_id, "INACTIVE")
    assert inactive.status == "INACTIVE" and inactive.version == 2
    found = container.clients.get_for_token(created.client_id)
    assert found.active is False
    assert not container.clients.verify_secret(found, secret)
    active = container.clients.set_status(created.client_id, "ACTIVE")
    assert container.clients.verify_secret(active, secret)
    with pytest.raises(ValidationError):
        container.clients.set_status(created.client_id, "DELETED")


def test_a_stale_version_loses_with_a_conflict_and_changes_nothing(container):
    created, _ = container.clients.create(service_body())
    container.clients.replace(created.client_id, service_body("first"))
    repo = ClientRepository(container.directory_model, container.directory_model._get_connection().connection)
    stale = replace(created, client_name="second")
    with pytest.raises(WriteConflict):
        repo.replace(created, stale)
    assert container.clients.get(created.client_id).client_name == "first"
    assert set(items()) == {(f"CLIENT#{created.client_id}", "CLIENT"), ("CLIENTNAME#first", "CLIENTNAME")}


def test_the_service_turns_a_lost_race_into_409(container, monkeypatch):
    created, _ = container.clients.create(service_body())
    real_get = container.clients._repo.get

    def racing_get(client_id, consistent=True):
        client = real_get(client_id, consistent)
        # Another request saves between our read and our write.
        real_replace(client, replace(client, client_name="winner"))
        return client

    real_replace = container.clients._repo.replace
    monkeypatch.setattr(container.clients._repo, "get", racing_get)
    with pytest.raises(ConflictError):
        container.clients.new_secret(created.client_id)
    monkeypatch.undo()
    assert container.clients.get(created.client_id).client_name == "winner"


def test_concurrent_creation_of_one_name_leaves_exactly_one(container):
    container.clients.create(service_body("Same"))
    with pytest.raises(ValidationError) as err:
        container.clients.create(service_body("same"))
    assert err.value.causes == ["client_name: An object with this field already exists in the current organization"]
    assert len([k for k in items() if k[1] == "CLIENT"]) == 1


def test_delete_then_get_is_404(container):
    created, _ = container.clients.create(service_body())
    container.clients.delete(created.client_id)
    with pytest.raises(NotFoundError) as err:
        container.clients.get(created.client_id)
    assert str(err.value) == f"Resource not found: {created.client_id} (PublicClientApp)"
    assert items() == {}


def test_storage_failures_become_storage_unavailable(container, monkeypatch):
    from pynamodb.exceptions import GetError, QueryError

    created, _ = container.clients.create(service_body())
    model = container.directory_model

    def broken(*_a, **_k):
        raise GetError("boom")

    monkeypatch.setattr(model, "get", broken)
    with pytest.raises(StorageUnavailableError):
        container.clients.get_for_token(created.client_id)

    def broken_query(*_a, **_k):
        raise QueryError("boom")

    monkeypatch.setattr(model.gsi1, "query", broken_query)
    with pytest.raises(StorageUnavailableError):
        container.clients.list(None, 20, None)
