"""One moto world per test module, put back before every test: what the root ``container`` fixture stands on.
Its storage is the in-memory backend, or DynamoDB on moto for modules marked ``dynamodb`` (tests/conftest.py).

Why: a container on moto needs a KMS key (moto makes real key material for each), three tables and the ``default``
server with its two RSA keys, about a second of work, and when every test paid it that was most of the suite's time.
A ``MotoWorld`` pays it once per module. Before each test ``restore`` puts DynamoDB's tables and Secrets Manager's
secrets back to what bootstrap left, and the test gets a new ``Container`` over them (so no cache of another test's
container can answer), with a clock at the world's start: exactly what building a container for the test gave.

The KMS key is kept: nothing the app does changes it, and keys a test creates are new ones with ids of their own.
Snapshots read and write moto's in-memory backends directly (moto is pinned in requirements-dev.txt): going through
boto3 costs an order of magnitude more, and this runs around every test.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import boto3

from chalicelib.clock import Clock, FixedClock
from chalicelib.container import Container
from chalicelib.settings import Settings, SettingsError
from chalicelib.storage.memory import InMemoryStorage

START = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
REGION = "us-east-1"
CONFIG_TABLE = "tm-config"
DIRECTORY_TABLE = "tm-directory"
BASE = "https://tokenmint.test"


def test_settings(**extra: str) -> Settings:
    """The test stack's settings. Tables added to settings later are named ``tm-<name>`` without edits here."""
    env = {"TOKENMINT_CONFIG_TABLE": CONFIG_TABLE, "TOKENMINT_DIRECTORY_TABLE": DIRECTORY_TABLE,
           "TOKENMINT_BASE_URL": BASE, "TOKENMINT_KMS_KEY_ID": "alias/tokenmint-tests", **extra}
    while True:
        try:
            return Settings.from_env(env)
        except SettingsError as exc:
            name = str(exc).split()[0]
            if not name.endswith("_TABLE") or name in env:
                raise
            env[name] = "tm-" + name.removeprefix("TOKENMINT_").removesuffix("_TABLE").lower()


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


def dynamodb_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def secrets_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION]


@dataclass
class MotoWorld:
    settings: Settings
    start: datetime
    _tables: dict[str, Any]
    _secrets: Any

    # The in-memory storage backend when the world stands on it (None: DynamoDB on moto).
    memory: InMemoryStorage | None = None

    @classmethod
    def build(cls, start: datetime, *, memory: bool = False) -> "MotoWorld":
        """Call inside an active ``mock_aws``: a KMS key, the tables and ``default``, bootstrapped at ``start``.
        ``memory``: the configuration, directory and grants live in ``storage.memory.InMemoryStorage`` instead of
        DynamoDB (tests/contract holds the two backends to the same behaviour); keys stay in moto's KMS and
        Secrets Manager either way."""
        kms_key = boto3.client("kms", region_name=REGION).create_key(Description="tokenmint tests")["KeyMetadata"]
        settings = test_settings(TOKENMINT_KMS_KEY_ID=kms_key["KeyId"])
        storage = InMemoryStorage() if memory else None
        Container.build(settings, FixedClock(start), storage=storage).bootstrap()
        tables = storage.snapshot() if storage is not None else copy.deepcopy(dynamodb_backend().tables)
        return cls(settings, start, tables, copy.deepcopy(secrets_backend().secrets), storage)

    def restore(self) -> None:
        """Every table (a dropped one too; one a test created is dropped) and every secret as bootstrap left them."""
        if self.memory is not None:
            self.memory.restore(self._tables)
        else:
            dynamodb_backend().tables = copy.deepcopy(self._tables)
        secrets_backend().secrets = copy.deepcopy(self._secrets)

    def container(self, clock: Clock) -> Container:
        """A new container over the restored world: empty caches, the test's clock."""
        return Container.build(self.settings, clock, storage=self.memory)
