"""``/api/v1/apps/{appId}/tokens/{tokenId}`` finds a token through its family's pointer: the same DynamoDB calls
whatever the number of authorization servers (it walked every server before). Counted on DynamoDB (moto), as
test_directory_queries.py counts its reads."""
from __future__ import annotations

import pytest

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
