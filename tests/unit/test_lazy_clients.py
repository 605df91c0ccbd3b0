"""The key store's AWS clients, built on first use or ahead of it on another thread (chalicelib.container:
``LazyClient``, ``build_ahead``, ``aws_client``; docs/ARCHITECTURE.md "The key store's clients built while the first
token reads")."""
from __future__ import annotations

import logging
import threading
import time

import pytest
from botocore.session import Session

from chalicelib.container import LazyClient, aws_client, build_ahead
from chalicelib.settings import Settings

SETTINGS = Settings(stage="test", region="us-east-1", config_table="c", directory_table="d", grants_table="g",
                    log_table="l", endpoint_url="http://127.0.0.1:9", base_url=None, kms_key_id="k",
                    secret_prefix="tokenmint/test", rotation_days=90, cache_seconds=30, cache_megabytes=16,
                    admin_token_sha256=None)


class Builds:
    """Stands in for botocore's ``Session.create_client`` (a library, not our code): records each build, its thread
    and how many builds ran at once, and takes ``seconds`` per build so that overlaps would show."""

    def __init__(self, real, seconds: float = 0.05, fail: set[str] | None = None) -> None:
        self.real, self.seconds, self.fail = real, seconds, fail or set()
        self.made: list[tuple[str, str]] = []
        self.active = self.most = 0
        self._lock = threading.Lock()

    def install(self, monkeypatch) -> "Builds":
        def create_client(session, service, **options):
            return self(session, service, **options)

        monkeypatch.setattr(Session, "create_client", create_client)
        return self

    def __call__(self, session, service: str, **options):
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(self.seconds)
            if service in self.fail:
                raise ValueError(f"no {service} client here")
            client = self.real(session, service, **options)
            self.made.append((service, threading.current_thread().name))
            return client
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture
def builds(monkeypatch) -> Builds:
    return Builds(Session.create_client).install(monkeypatch)


def test_a_lazy_client_is_built_once_on_first_use(builds):
    kms = LazyClient("kms", SETTINGS)
    assert not kms.built and builds.made == []
    assert kms.meta.service_model.service_name == "kms"  # any attribute builds it
    assert kms.built and kms.build() is kms.build()
    assert [service for service, _thread in builds.made] == ["kms"]


def test_build_ahead_builds_in_order_on_another_thread_and_a_user_gets_that_client(builds):
    secrets, kms = LazyClient("secretsmanager", SETTINGS), LazyClient("kms", SETTINGS)
    thread = build_ahead(secrets, kms)
    assert thread is not None
    client = secrets.build()  # waits for the build in progress rather than making a second client
    thread.join(5)
    assert client is secrets.build() and kms.built
    assert builds.made == [("secretsmanager", thread.name), ("kms", thread.name)]
    assert build_ahead(secrets, kms) is None  # all built: no thread
    assert len(builds.made) == 2


def test_clients_are_never_built_at_the_same_time(builds):
    """botocore's sessions are not thread-safe: a build ahead and a build on the request's thread take turns."""
    secrets, kms, dynamodb = (LazyClient(s, SETTINGS) for s in ("secretsmanager", "kms", "dynamodb"))
    thread = build_ahead(secrets, kms)
    aws_client("dynamodb", SETTINGS)
    dynamodb.build()
    thread.join(5)
    assert len(builds.made) == 4 and builds.most == 1


def test_a_failed_build_ahead_is_logged_and_the_user_builds_it_again(monkeypatch, caplog):
    failing = Builds(Session.create_client, seconds=0, fail={"secretsmanager"}).install(monkeypatch)
    secrets, kms = LazyClient("secretsmanager", SETTINGS), LazyClient("kms", SETTINGS)
    with caplog.at_level(logging.WARNING, logger="chalicelib.container"):
        build_ahead(secrets, kms).join(5)
    assert kms.built and not secrets.built  # one failure does not stop the next build
    [record] = [r for r in caplog.records if r.name == "chalicelib.container"]
    assert record.getMessage() == "could not build the secretsmanager client ahead of use: ValueError"
    assert record.exc_info is None  # a line, not a stack trace
    with pytest.raises(ValueError, match="no secretsmanager client here"):
        secrets.get_secret_value  # the request that needs it meets the failure itself
    failing.fail.clear()
    assert secrets.build().meta.service_model.service_name == "secretsmanager"
