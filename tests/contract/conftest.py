"""The storage contract: every case runs against both backends (as Hydra runs its persister tests), the in-memory
one (chalicelib/storage/memory) and DynamoDB on moto (chalicelib/storage/dynamodb), so moto stays the proof of the
DynamoDB semantics the in-memory backend claims to have."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def storage(request) -> Iterator[object]:
    if request.param == "memory":
        from chalicelib.storage.memory import InMemoryStorage

        yield InMemoryStorage()
        return
    from moto import mock_aws

    from chalicelib.settings import Settings
    from chalicelib.storage.dynamodb import DynamoStorage

    with mock_aws():
        settings = Settings.from_env({"TOKENMINT_CONFIG_TABLE": "tm-config", "TOKENMINT_DIRECTORY_TABLE": "tm-directory",
                                      "TOKENMINT_GRANTS_TABLE": "tm-grants", "TOKENMINT_LOG_TABLE": "tm-logs", "TOKENMINT_BASE_URL": "https://t.test",
                                      "TOKENMINT_KMS_KEY_ID": "alias/unused"})
        backend = DynamoStorage(settings)
        backend.bootstrap()
        yield backend
