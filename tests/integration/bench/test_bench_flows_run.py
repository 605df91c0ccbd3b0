"""``make bench``'s Flows section keeps working: every flow runs through the real handler against moto's server and
answers correctly (each operation checks its response; a wrong answer ends the run with an error). Run as
``python -m bench.flow_report`` in a child process, since the bench sets up its own local AWS and environment.
Nothing here looks at a timing: only that each flow ran and reported its floor."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.flows import FLOW_NAMES

ROOT = Path(__file__).resolve().parents[3]


def test_every_flow_runs_through_the_handler_and_reports_against_its_floor():
    done = subprocess.run([sys.executable, "-m", "bench.flow_report", "--seconds", "0.05"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ") and line.split()
            and line.split()[0] in FLOW_NAMES}
    assert set(rows) == set(FLOW_NAMES), done.stdout[-3000:]
    assert done.stdout.count("      floor: ") == len(FLOW_NAMES)


def test_an_unknown_flow_is_refused_by_name():
    done = subprocess.run([sys.executable, "-m", "bench.flow_report", "--flows", "nope"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "unknown flow(s) ['nope']" in (done.stderr + done.stdout)


def test_the_handler_bound_runs_and_its_stripped_handler_mints_real_tokens():
    # bench/handler_bound.py checks its stripped handler's answer before timing it (a token response, 200).
    done = subprocess.run([sys.executable, "-m", "bench.handler_bound", "--seconds", "0.05", "--rounds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    kinds = [line.split("  ")[1].strip() for line in done.stdout.splitlines() if line.startswith("  ")]
    assert kinds == ["real handler, token events on", "real handler, token events off",
                     "stripped bound, token events on", "stripped bound, token events off", "jwt.encode (the floor)"]
