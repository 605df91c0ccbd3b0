"""openid-client (node, v6; pinned in package.json, installed by ``make test``'s ``npm ci``) driven from the e2e
tests: ``run_openid_client(flow, **args)`` runs ``tests/e2e/node/openid_client.mjs`` with one JSON argument and
returns its JSON answer: ``{"result": ..., "exchanges": [...]}`` or ``{"error": {...}, "exchanges": [...]}``
(``exchanges``: every HTTP exchange openid-client made: method, path, status, whether a DPoP proof was sent).

Adding a scenario (device flow, PAR, ...): add a function to ``FLOWS`` in the .mjs file taking the parsed argument
(``issuer``, ``clientId``, ``clientSecret`` and the scenario's own members; ``configure(args)`` gives the
openid-client ``Configuration`` with the exchange recorder and, for the stack's http://127.0.0.1, the
``allowInsecureRequests`` switch) and returning a JSON-able result; then call ``run_openid_client("<name>", ...)``
here. A scenario that needs another script may use ``run_node_script(path, args)`` directly. Node must reach the
stack on 127.0.0.1; the environment keeps no proxy settings (as the stack's own).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
TIMEOUT_S = 60.0


def node_modules_ready() -> bool:
    return (REPO_ROOT / "node_modules" / "openid-client" / "package.json").is_file()


def run_node_script(script: Path, args: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed by the compatibility tests (make test installs npm, which brings it)"
    assert node_modules_ready(), "node_modules is missing: run `npm ci` (make test does)"
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NODE_NO_WARNINGS"] = "1"
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
