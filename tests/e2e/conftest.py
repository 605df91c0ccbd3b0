"""End-to-end fixtures: the whole local stack as a subprocess, the official Okta SDK pointed at it, plain HTTP,
and a recorder of every exchange (validated against Okta's OpenAPI spec by ``test_e2e_openapi.py``, which runs
last).

The stack is ``python -m devstack.run`` (moto's server, the app over real HTTP, the ``default`` server), started once
per session on a free port with a known admin token, and stopped with SIGTERM (then SIGKILL) at the end.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from e2e_support import NOT_RUN_KEY, RECORDER_KEY, SUMMARY_KEY, Recorder

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = float(os.environ.get("TOKENMINT_E2E_STARTUP_TIMEOUT", "90"))
STOP_TIMEOUT_S = 15.0
READY = re.compile(r"^READY (http://\S+)\s*$")

STACK_KEY = pytest.StashKey["StackProcess"]()


# --------------------------------------------------------------------------------------------------------------
# Ordering: the OpenAPI conformance check must see the traffic of every other test
# --------------------------------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e_final: runs after every other test (checks what the suite recorded)")
    config.stash[RECORDER_KEY] = Recorder()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Under pytest-xdist (`make test`) every e2e test runs on one worker, in this order (tests/conftest.py).
    final = [item for item in items if item.get_closest_marker("e2e_final")]
    if final:
        items[:] = [item for item in items if item not in final] + final


# --------------------------------------------------------------------------------------------------------------
# The local stack as a subprocess
# --------------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class StackProcess:
    """``python -m devstack.run`` with its output drained by a thread (the app logs a line per request, so an
    undrained pipe would eventually block the server)."""

    port: int
    token: str
    lines: list[str] = field(default_factory=list)
    base_url: str | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _proc: subprocess.Popen | None = None

    def start(self) -> None:
        # Nothing from the developer's or CI's environment may steer the stack: its own settings, no proxy.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OKTA_", "TOKENMINT_")) and k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")
               and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        # The token path's cache period stays the default (30 s), as in `make run`: changes must count at once.
        # The System Log's polls read 1 s behind now (not 15 s): the polling test need not wait long.
        env.update({"TOKENMINT_PORT": str(self.port), "TOKENMINT_ADMIN_TOKEN": self.token, "PYTHONUNBUFFERED": "1",
                    "TOKENMINT_LOG_POLL_LAG_SECONDS": "1"})
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"], cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._drain, name="tokenmint-e2e-stack-output", daemon=True).start()

    def _drain(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self.lines.append(line.rstrip("\n"))
            match = READY.match(line.strip())
            if match and not self._ready.is_set():
                self.base_url = match.group(1)
                self._ready.set()
        self._ready.set()  # EOF: the process is gone; wait_ready() sees base_url is None

    def wait_ready(self, timeout: float) -> bool:
        self._ready.wait(timeout)
        return self.base_url is not None

    @property
    def exit_code(self) -> int | None:
        return self._proc.poll() if self._proc else None

    def output(self, last: int | None = None) -> str:
        lines = self.lines[-last:] if last else self.lines
        return "\n".join(lines)

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(STOP_TIMEOUT_S)


@dataclass(frozen=True)
class Stack:
    base_url: str
    token: str
    process: StackProcess


@pytest.fixture(scope="session")
def stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    token = "e2e-" + secrets.token_urlsafe(24)  # TOKENMINT_ADMIN_TOKEN must be >= 20 characters
    process: StackProcess | None = None
    failures = []
    for _attempt in range(3):  # a free port can be taken between probing it and the stack binding it
        candidate = StackProcess(port=_free_port(), token=token)
        pytestconfig.stash[STACK_KEY] = candidate
        candidate.start()
        started = time.monotonic()
        if candidate.wait_ready(STARTUP_TIMEOUT_S):
            process = candidate
            break
        candidate.stop()
        failures.append(
            f"--- attempt on port {candidate.port}: no READY line after {time.monotonic() - started:.0f}s "
            f"(exit code {candidate.exit_code}); output:\n{candidate.output() or '<no output>'}")
        if "Address already in use" not in candidate.output():
            break
    if process is None:
        pytest.fail("The local stack (python -m devstack.run) did not start.\n" + "\n".join(failures), pytrace=False)
    assert process.base_url == f"http://127.0.0.1:{process.port}", process.output()
    try:
        yield Stack(base_url=process.base_url, token=token, process=process)
    finally:
        process.stop()


# --------------------------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> Recorder:
    return pytestconfig.stash[RECORDER_KEY]


@pytest.fixture(autouse=True)
def _name_the_test_in_recordings(request: pytest.FixtureRequest) -> Iterator[None]:
    recorder = request.config.stash[RECORDER_KEY]
    recorder.current_test = request.node.nodeid
    yield
    recorder.current_test = "<outside a test>"


# --------------------------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def okta_env() -> Iterator[None]:
    """Only this suite's settings reach the SDK (clients.md 2.1): no OKTA_* variables from the machine, no
    ~/.okta/okta.yaml or ./okta.yaml, no proxy (okta 3.4.6 reads HTTP_PROXY/HTTPS_PROXY itself and ignores
    NO_PROXY), and the switch that lets it talk to http://."""
    import okta.config.config_setter as config_setter

    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ
                     if n.startswith("OKTA_") or n.lower() in ("http_proxy", "https_proxy", "all_proxy")]:
            mp.delenv(name)
        mp.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
        nowhere = str(REPO_ROOT / ".no-okta-yaml-for-e2e" / "okta.yaml")
        mp.setattr(config_setter, "_GLOBAL_YAML_PATH", nowhere)
        mp.setattr(config_setter, "_LOCAL_YAML_PATH", nowhere)
        yield


def _sdk_client(stack: Stack, recorder: Recorder, token: str):
    from okta.client import Client

    client = Client({"orgUrl": stack.base_url, "token": token, "httpClient": recorder.http_client_class()})
    config = client.get_config()["client"]
    assert config["orgUrl"] == stack.base_url and config["authorizationMode"] == "SSWS"
    assert "proxy" not in config and config["cache"]["enabled"] is False, config
    assert client._request_executor._http_client._proxy is None  # what aiohttp will actually be given
    return client


@pytest.fixture(scope="session")
def okta_client(stack: Stack, recorder: Recorder, okta_env: None):
    """The official Okta SDK (okta 3.4.6), pointed at the stack. Its calls are coroutines: run them with
    ``e2e_support.call``/``expect``/``expect_error``."""
    return _sdk_client(stack, recorder, stack.token)


@pytest.fixture(scope="session")
def okta_client_with_bad_token(stack: Stack, recorder: Recorder, okta_env: None):
    return _sdk_client(stack, recorder, "00-not-a-token-this-server-issued-0000")


@pytest.fixture(scope="session")
def http(stack: Stack, recorder: Recorder) -> Iterator[requests.Session]:
    """Plain ``requests`` (no auth by default); every exchange is recorded too."""
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc from the machine
    session.hooks["response"].append(recorder.requests_hook)
    yield session
    session.close()


@pytest.fixture(scope="session")
def admin_headers(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"SSWS {stack.token}", "Accept": "application/json"}


@pytest.fixture
def okta_verifier_over_http() -> Iterator[None]:
    """okta-jwt-verifier 0.5.0 has no http switch: the documented test-only patch (clients.md 3), undone after."""
    from okta_jwt_verifier import config_validator

    original = config_validator.ConfigValidator.validate_issuer

    def validate_issuer(self, issuer=None, https_check=True):  # noqa: ANN001 - the library's signature
        return original(self, issuer, https_check=False)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config_validator.ConfigValidator, "validate_issuer", validate_issuer)
        yield


# --------------------------------------------------------------------------------------------------------------
# Objects under test
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def new_server(okta_client):
    """Factory: a fresh authorization server per call, deactivated and deleted after the test."""
    from e2e_support import call, expect, server_body

    created = []

    def make(**kwargs):
        server = expect(201, okta_client.create_authorization_server(server_body(**kwargs)))
        created.append(server.id)
        return server

    yield make
    for server_id in created:
        call(okta_client.deactivate_authorization_server(server_id))
        call(okta_client.delete_authorization_server(server_id))


@pytest.fixture
def server(new_server):
    return new_server()


# --------------------------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------------------------


_e2e_failures: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and "e2e" in Path(report.nodeid.split("::")[0]).parts:
        _e2e_failures.append(report.nodeid)


def _summary_sections(config: pytest.Config) -> list[tuple[str, str]]:
    sections = []
    not_run = config.stash.get(NOT_RUN_KEY, None)
    if not_run:
        sections.append(("Okta OpenAPI conformance check NOT RUN", not_run))
    summary = config.stash.get(SUMMARY_KEY, None)
    if summary:
        lines = [f"recorded {summary['recorded']}, validated {summary['validated']} "
                 f"({len(summary['by_operation'])} operations), skipped (path not in spec) "
                 f"{summary['skipped_not_in_spec']}, failed {summary['failed']}"]
        for name, counts in summary["by_spec"].items():
            lines.append(f"  {name}: validated {counts['validated']} ({counts['operations']} operations), "
                         f"failed {counts['failed']}")
        for entry, count in sorted(summary["undocumented_statuses_used"].items()):
            lines.append(f"  allow-listed undocumented status: {entry} x{count}")
        sections.append(("Okta OpenAPI conformance of recorded exchanges", "\n".join(lines)))
    process = config.stash.get(STACK_KEY, None)
    if process is not None and _e2e_failures:
        sections.append(("local stack output (last 40 lines)", process.output(last=40) or "<no output>"))
    return sections


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker the controller prints the terminal summary: hand it these sections
    (tests/conftest.py prints them)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["terminal_sections"] = _summary_sections(session.config)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    for title, text in _summary_sections(config):
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)
