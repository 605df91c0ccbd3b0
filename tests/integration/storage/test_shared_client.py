"""The container builds one DynamoDB client for all tables (a cold-start cost, see storage/models.share_client)."""
from __future__ import annotations
import pytest

# On DynamoDB (moto): pynamodb's shared client is what these tests prove.
pytestmark = pytest.mark.dynamodb


def test_every_table_uses_the_same_dynamodb_client(container):
    clients = {id(model._get_connection().connection.client)
               for model in (container.config_model, container.directory_model, container.grants_model)}
    assert len(clients) == 1


def test_the_shared_client_reaches_every_table(container):
    # One real call per table through the shared client: the tables exist and answer.
    for model in (container.config_model, container.directory_model, container.grants_model):
        assert model.exists()
