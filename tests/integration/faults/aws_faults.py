"""AWS failures injected at the botocore boundary (issue 14), on the clients the container builds (pynamodb's shared
DynamoDB client, KMS, Secrets Manager); no code of ours is patched.

Two kinds, both before any request reaches moto (moto serves requests from a ``before-send`` handler of its own,
and botocore runs every ``before-send`` handler, so an answer there would come after moto had already applied the
write):

* ``fail(n, attempts=1)``: the n-th logical call's first attempt loses its connection (``before-send`` raises
  botocore's ``ConnectTimeoutError``); botocore's standard retry mode retries it, the retry gets through.
* ``fail(n)``: the n-th logical call is throttled until botocore gives up: it answers what botocore raises then, a
  ``ThrottlingException`` with ``MaxAttemptsReached`` (a ``before-call`` answer, as botocore's own ``Stubber`` gives
  one: nothing is sent).

``calls`` logs every logical call (``service.Operation``) counted from the last ``fail``; ``failed`` the calls that
failed.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError

UNIQUE = "tokenmint-faults"


@dataclass
class Faults:
    calls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _target: int | None = None
    _exhaust: bool = True

    def fail(self, index: int, attempts: int | None = None) -> None:
        """Fail the ``index``-th logical call (0-based) from now: once (``attempts=1``) or until retries run out."""
        self.calls.clear()
        self.failed.clear()
        self._target, self._exhaust = index, attempts is None

    def _current_is_target(self) -> bool:
        return self._target is not None and len(self.calls) - 1 == self._target

    def before_call(self, event_name: str, **_kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        _, service, operation = event_name.split(".")[:3]
        self.calls.append(f"{service}.{operation}")
        if not (self._current_is_target() and self._exhaust):
            return None
        self.failed.append(self.calls[-1])
        parsed = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                  "ResponseMetadata": {"HTTPStatusCode": 400, "MaxAttemptsReached": True, "RetryAttempts": 2,
                                       "HTTPHeaders": {"x-amzn-requestid": "fault-injected"}}}
        return AWSResponse("https://fault.invalid", 400, {}, None), parsed

    def before_send(self, event_name: str, request: Any, **_kwargs: Any) -> None:
        attempt = (request.context.get("retries") or {}).get("attempt", 1)
        if self._current_is_target() and not self._exhaust and attempt == 1:
            self.failed.append(self.calls[-1])
            raise ConnectTimeoutError(endpoint_url=request.url)


def _emitters(container: Any) -> list[Any]:
    """The event emitters of every AWS client the container has or will build: boto3's default session (clients
    created from now on), the shared DynamoDB client and the KMS and Secrets Manager clients already created (each
    client holds its own copy of the session's emitter)."""
    from chalicelib.container import botocore_session

    found = [botocore_session().get_component("event_emitter"),
             container.storage.config_model._get_connection().connection.client.meta.events]
    store = container.signing_keys._store
    for lazy in (store._kms, store._secrets):
        if getattr(lazy, "_client", None) is not None:
            found.append(lazy._client.meta.events)
    return found


@contextmanager
def injected(container: Any) -> Iterator[Faults]:
    faults = Faults()
    emitters = _emitters(container)
    for emitter in emitters:
        emitter.register_first("before-call", faults.before_call, unique_id=UNIQUE + "-call")
        emitter.register_first("before-send", faults.before_send, unique_id=UNIQUE + "-send")
    try:
        yield faults
    finally:
        for emitter in emitters:
            emitter.unregister("before-call", faults.before_call, unique_id=UNIQUE + "-call")
            emitter.unregister("before-send", faults.before_send, unique_id=UNIQUE + "-send")
