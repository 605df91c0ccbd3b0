"""Key rotations in the System Log (issue 17): an admin's ``keyRotate`` and the scheduled run's rollovers are
``app.oauth2.as.key.rollover`` (the org server's ``app.oauth2.key.rollover``), failures too. In a module of their
own: a rotation destroys key material that the module's world cannot restore, so the failure (which destroys
nothing) runs first."""
from __future__ import annotations

from chalicelib.errors import StorageUnavailableError
from tests.integration.api.apisupport import SERVERS
from tests.integration.logs.test_system_log_api import events, only


def test_a_failed_scheduled_rotation_is_a_failure_event(api, container, clock):
    class BrokenKeys:
        store = container.signing_keys._keys.store  # noqa: SLF001 - the same material store

        def new_key(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            raise StorageUnavailableError("KMS is unavailable")

        def discard(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            return None

    from chalicelib.admin.signing_keys import SigningKeyService

    keys = container.signing_keys
    broken = SigningKeyService(keys._repo, container.servers, BrokenKeys(), container.clock, keys.policy,  # noqa: SLF001
                               container.audit)
    clock.advance(days=91)
    report = broken.run_all()
    assert report.failed
    failed = events(api, filter='eventType eq "app.oauth2.as.key.rollover" and outcome.result eq "FAILURE"')
    assert failed and failed[0]["outcome"]["reason"] == "Key rotation failed: StorageUnavailableError"
    assert failed[0]["severity"] == "WARN"


def test_an_admins_rotation_and_the_scheduled_ones_are_rollover_events(api, container, clock):
    server_id = container.servers.resolve_id("default")
    keys = api.post(f"{SERVERS}/default/credentials/lifecycle/keyRotate", {"use": "sig"}).data
    manual = only(api, "app.oauth2.as.key.rollover")
    active = next(k["kid"] for k in keys if k["status"] == "ACTIVE")
    assert [t["id"] for t in manual["target"]] == [server_id, active]
    assert manual["actor"]["type"] == "Token"
    clock.advance(days=91)  # the AUTO rotation of every server is due
    report = container.signing_keys.run_all()
    assert server_id in report.changed
    scheduled = [e for e in events(api, filter='eventType ew "key.rollover"') if e["actor"]["type"] != "Token"]
    assert {e["target"][0]["id"] for e in scheduled} >= {server_id}
    assert all(e["actor"]["id"] == "tokenmint" and e["transaction"]["type"] == "JOB" for e in scheduled)
    org = [e for e in scheduled if e["eventType"] == "app.oauth2.key.rollover"]
    assert len(org) == 1  # the org authorization server's own event type
