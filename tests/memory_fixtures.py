"""``memory_container``: the app's container on the in-memory storage backend (chalicelib/storage/memory), for
tests that use storage only as a stand-in. KMS and Secrets Manager (the signing-key store) stay on moto, as in the
``container`` fixture; only DynamoDB is replaced. The contract suite (tests/contract) is what makes the two
backends interchangeable here.

Wire it with ``from tests.memory_fixtures import memory_container  # noqa: F401`` in a conftest, or use it as a
module's ``container``: ``from tests.memory_fixtures import memory_container as container``.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

SETTINGS = {"TOKENMINT_CONFIG_TABLE": "tm-config", "TOKENMINT_DIRECTORY_TABLE": "tm-directory",
            "TOKENMINT_GRANTS_TABLE": "tm-grants", "TOKENMINT_BASE_URL": "https://tokenmint.test"}


@pytest.fixture
def memory_container(aws, clock) -> Iterator[object]:
    import boto3

    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings
    from chalicelib.storage.memory import InMemoryStorage

    kms_key = boto3.client("kms", region_name="us-east-1").create_key(Description="tokenmint tests")["KeyMetadata"]
    settings = Settings.from_env({**SETTINGS, "TOKENMINT_KMS_KEY_ID": kms_key["KeyId"]})
    built = Container.build(settings, clock, storage=InMemoryStorage())
    built.bootstrap()
    set_container(built)
    yield built
    set_container(None)
