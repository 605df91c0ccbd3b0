"""``/api/v1/apps/{appId}/tokens/{tokenId}`` finds a token through its family's pointer, and the list and "revoke
all" go only where the app has refresh tokens (the client token index): the same DynamoDB calls whatever the number
of authorization servers (each walked every server before). Counted on DynamoDB (moto), as
test_directory_queries.py counts its reads. Families from before the index (none of its items) are still found
while the scheduled job indexes them, and through the index afterwards."""
from __future__ import annotations

import pytest

from chalicelib.storage.grant_documents import family_partition
from tests.integration.rotation.rotation_support import invoke_schedule
from tests.dynamodb_calls import dynamodb_calls
from tests.integration.refresh.test_app_tokens_api import other_server, tokens

pytestmark = pytest.mark.dynamodb


def test_reading_one_token_costs_the_same_at_any_number_of_servers(world, app, alice, api, container):
    servers = sorted(other_server(api) for _ in range(5))
    last = servers.pop()  # the old walk went through the servers in id order: the token at the last one
    issued = world.password(app, alice, server=last)
    assert issued.status_code == 200, issued.data
    token_id = api.get(tokens(app.client_id)).data[0]["id"]

    def read() -> list[str]:
        api.get(tokens(app.client_id, token_id))  # caches warm, as the second read of an admin's page
        with dynamodb_calls(container) as calls:
            answer = api.get(tokens(app.client_id, token_id))
        assert answer.status_code == 200 and answer.data["id"] == token_id
        return calls

    many = read()
    for server_id in servers:
        assert api.post(f"/api/v1/authorizationServers/{server_id}/lifecycle/deactivate").status_code == 204
        assert api.delete(f"/api/v1/authorizationServers/{server_id}").status_code == 204
    assert read() == many
    assert "GetItem" in many  # the pointer


def deactivate_and_delete(api, server_id: str) -> None:
    assert api.post(f"/api/v1/authorizationServers/{server_id}/lifecycle/deactivate").status_code == 204
    assert api.delete(f"/api/v1/authorizationServers/{server_id}").status_code == 204


def test_listing_and_revoking_an_app_s_tokens_cost_the_same_at_any_number_of_servers(world, app, alice, api,
                                                                                      container):
    holder = other_server(api)
    assert world.password(app, alice, server=holder).status_code == 200

    def listed() -> tuple[list[str], list[str]]:
        api.get(tokens(app.client_id))  # caches warm
        with dynamodb_calls(container) as calls:
            answer = api.get(tokens(app.client_id))
        assert answer.status_code == 200
        return calls, [t["issuer"].rsplit("/", 1)[1] for t in answer.data]

    few, found = listed()
    assert found == [holder]
    idle = [other_server(api) for _ in range(6)]  # servers where the app holds nothing
    assert listed() == (few, found)
    assert few.count("Query") <= 3, few  # the index, the holder's family partition, its configuration

    with dynamodb_calls(container) as calls:
        assert api.delete(tokens(app.client_id)).status_code == 204
    assert api.get(tokens(app.client_id)).data == []
    assert calls.count("Query") <= 3, calls
    for server_id in idle:
        deactivate_and_delete(api, server_id)


@pytest.fixture
def chalice_job(container):
    """Runs the scheduled function as EventBridge does; returns its summary."""
    from chalice.test import Client

    from app import app as chalice_app

    with Client(chalice_app) as client:
        yield lambda: invoke_schedule(client)


def forget_the_index(container) -> None:
    """Make the grants table look as an earlier release left it: families, but no index items and no state."""
    model = container.grants_model
    for item in list(model.scan()):
        if item.pk.startswith("RTA#"):
            item.delete()


def test_families_from_before_the_index_are_found_by_walking_then_indexed_by_the_job(world, app, alice, api,
                                                                                    container, chalice_job):
    first, second = other_server(api), other_server(api)
    for server_id in (first, second, second):
        assert world.password(app, alice, server=server_id).status_code == 200
    forget_the_index(container)

    def listed() -> list[str]:
        answer = api.get(tokens(app.client_id))
        assert answer.status_code == 200, answer.data
        return sorted(t["id"] for t in answer.data)

    before = listed()  # the walk, while the index is incomplete
    assert len(before) == 3 and container.storage.client_servers.client_servers(app.client_id) == []
    assert chalice_job()["clientTokenIndex"] == "waiting"
    container.clock.advance(minutes=59)
    assert chalice_job()["clientTokenIndex"] == "waiting"  # the earlier release may still be writing
    assert listed() == before
    container.clock.advance(minutes=1)
    assert chalice_job()["clientTokenIndex"] == "ready"
    assert sorted(container.storage.client_servers.client_servers(app.client_id)) == sorted([first, second])
    assert listed() == before  # through the index now
    deactivate_and_delete(api, first)  # a server in the index that no longer exists is passed over
    with dynamodb_calls(container) as calls:
        assert len(listed()) == 2
    assert "Scan" not in calls
    assert api.delete(tokens(app.client_id)).status_code == 204
    assert listed() == []
    # Revoked at the server that exists; the deleted server's family is left to its expiry, as before the index.
    left = {family_partition(i.pk) for i in container.grants_model.scan()} - {None}
    assert left == {(first, app.client_id)}
