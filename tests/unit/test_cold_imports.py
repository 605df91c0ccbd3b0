"""What Lambda INIT imports: modules that no token needs stay out of ``import app`` (docs/performance.md "Cold
start"), so a later top-level import does not silently put them back on every cold start."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use: the password hasher (a C extension) and the admin-only token preview. Never loaded: boto3
# (the container makes botocore clients; boto3 would bring s3transfer and multiprocessing, ~14 ms of CPU).
NOT_AT_INIT = ("argon2", "_argon2_cffi_bindings", "chalicelib.admin.token_preview", "boto3", "s3transfer",
               "multiprocessing")


def test_import_app_leaves_first_use_modules_unloaded():
    code = f"import json, sys; import app; print(json.dumps([m for m in {NOT_AT_INIT!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []

