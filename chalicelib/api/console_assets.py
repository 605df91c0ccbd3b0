"""The admin console's files (issue 18; docs/console.md): ``chalicelib/console/index.html`` and the flat
``chalicelib/console/assets/`` folder of ES modules and CSS, loaded once per container on the first console request.

Every asset is served under ``/admin/assets/{build}/{name}``, where ``build`` is a hash of all of them: an asset URL
names one content forever, so browsers may cache it for a year (``immutable``); the page itself is never cached and
names the current build. The modules import each other by relative URL, so one build is always loaded whole.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "console"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml; charset=utf-8"}


@dataclass(frozen=True)
class Bundle:
    build: str
    index: str  # the page, with the build's asset URLs
    assets: dict[str, tuple[bytes, str]]  # name -> (body, content type)

    def asset(self, build: str, name: str) -> tuple[bytes, str] | None:
        return self.assets.get(name) if build == self.build else None


def load(root: Path = ROOT) -> Bundle:
    assets: dict[str, tuple[bytes, str]] = {}
    digest = hashlib.sha256()
    for path in sorted((root / "assets").iterdir()):
        kind = TYPES.get(path.suffix)
        if kind is None or not path.is_file():
            continue
        body = path.read_bytes()
        assets[path.name] = (body, kind)
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(body).digest())
    build = digest.hexdigest()[:16]
    index = (root / "index.html").read_text(encoding="utf-8").replace("{{build}}", build)
    return Bundle(build=build, index=index, assets=assets)


_lock = threading.Lock()
_bundle: Bundle | None = None


def bundle() -> Bundle:
    """The console's files, read from disk once per container (never on a token request)."""
    global _bundle
    with _lock:
        if _bundle is None:
            _bundle = load()
        return _bundle
