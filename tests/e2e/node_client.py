"""openid-client (node, v6; pinned in package.json, installed by ``make test``'s ``npm ci``) driven from the e2e
tests: ``run_openid_client(flow, **args)`` runs ``tests/e2e/node/openid_client.mjs`` with one JSON argument and
returns its JSON answer: ``{"result": ..., "exchanges": [...]}`` or ``{"error": {...}, "exchanges": [...]}``
(``exchanges``: every HTTP exchange openid-client made: method, path, status, whether a DPoP proof was sent).

Adding a scenario (device flow, PAR, ...): add a function to ``FLOWS`` in the .mjs file taking the parsed argument
(``issuer``, ``clientId``, ``clientSecret`` and the scenario's own members; ``configure(args)`` gives the
openid-client ``Configuration`` with the exchange recorder and, for the stack's http://127.0.0.1, the
``allowInsecureRequests`` switch) and returning a JSON-able result; then call ``run_openid_client("<name>", ...)``
here. An interactive scenario (the test acts while node runs: approving a device, signing in at an authorization
URL) is started with ``start_openid_client(flow, **args)``: its ``events()`` are node's JSON lines as they come
(``{"event": "exchange", ...}`` per HTTP exchange, and what the flow emits), ``send(obj)`` writes a JSON line to
node's stdin, ``finish()`` returns the final answer. A scenario that needs another script may use
``run_node_script(path, args)`` directly. Node must reach the stack on 127.0.0.1; the environment keeps no proxy
settings (as the stack's own).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
TIMEOUT_S = 60.0


def node_modules_ready() -> bool:
    return (REPO_ROOT / "node_modules" / "openid-client" / "package.json").is_file()


def _node_and_env() -> tuple[str, dict[str, str]]:
    node = shutil.which("node")
    assert node, "node is needed by the compatibility tests (make test installs npm, which brings it)"
    assert node_modules_ready(), "node_modules is missing: run `npm ci` (make test does)"
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NODE_NO_WARNINGS"] = "1"
    return node, env


def run_node_script(script: Path, args: dict[str, Any]) -> dict[str, Any]:
    node, env = _node_and_env()
    done = subprocess.run([node, str(script), json.dumps(args)], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, f"node exited {done.returncode}: {done.stderr[-2000:]}"
    try:
        answer: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"node printed no JSON: {done.stdout[-2000:]!r} {done.stderr[-2000:]!r}") from None
    return answer


def run_openid_client(flow: str, **args: Any) -> dict[str, Any]:
    return run_node_script(NODE_DIR / "openid_client.mjs", {"flow": flow, **args})


class NodeSession:
    """A running interactive scenario: node's stdout lines arrive through a reader thread (so a wait has a
    timeout), stderr is kept for the failure message."""

    def __init__(self, script: Path, args: dict[str, Any]) -> None:
        node, env = _node_and_env()
        self.process = subprocess.Popen([node, str(script), json.dumps(args)], cwd=REPO_ROOT, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._threads = [threading.Thread(target=self._pump, daemon=True),
                         threading.Thread(target=self._keep_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()
        self.answer: dict[str, Any] | None = None

    def _keep_stderr(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self._stderr.append(line)

    def _pump(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self._lines.put(line)
        self._lines.put(None)

    def _next(self) -> dict[str, Any] | None:
        try:
            line = self._lines.get(timeout=TIMEOUT_S)
        except queue.Empty:
            raise AssertionError(f"node printed nothing for {TIMEOUT_S} s") from None
        if line is None:
            return None
        try:
            parsed: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"node printed a line that is not JSON: {line!r}") from None
        return parsed

    def events(self) -> Iterator[dict[str, Any]]:
        """Node's events in order; ends at the final answer (kept for ``finish``)."""
        while self.answer is None:
            item = self._next()
            if item is None:
                self.process.wait(timeout=TIMEOUT_S)
                raise AssertionError(f"node exited {self.process.returncode} without an answer: "
                                     f"{''.join(self._stderr)[-2000:]}")
            if "event" not in item:
                self.answer = item
                return
            yield item

    def next_event(self, name: str) -> dict[str, Any]:
        """The next event called ``name`` (the events before it are skipped)."""
        for event in self.events():
            if event["event"] == name:
                return event
        raise AssertionError(f"node answered before the {name!r} event: {self.answer}")

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def finish(self) -> dict[str, Any]:
        for _ in self.events():
            pass
        assert self.answer is not None
        self.process.wait(timeout=TIMEOUT_S)
        assert self.process.returncode == 0, f"node exited {self.process.returncode}: {''.join(self._stderr)[-2000:]}"
        return self.answer

    def close(self) -> None:
        """Ends node if it still runs (a failed test)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT_S)
        for thread in self._threads:  # both end at node's end of output
            thread.join(timeout=TIMEOUT_S)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> "NodeSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_openid_client(flow: str, **args: Any) -> NodeSession:
    """An interactive scenario of openid_client.mjs (use as a context manager: node is ended on a failure)."""
    return NodeSession(NODE_DIR / "openid_client.mjs", {"flow": flow, "interactive": True, **args})
