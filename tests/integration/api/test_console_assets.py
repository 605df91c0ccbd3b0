"""The admin console's page and files (issue 18; api/console.py, api/console_assets.py): served by the app itself,
without authentication; the page never cached and under a strict CSP, each file under its build's hash and cached
for a year; anything else a 404 page."""
from __future__ import annotations

import re
from pathlib import Path

from chalicelib.api.console import CSP
from chalicelib.api.console_assets import ROOT, load


def _get(api, path: str):
    return api._client.http.get(path)


def test_the_page_names_the_current_build_and_is_locked_down(api):
    page = _get(api, "/admin")
    assert page.status_code == 200
    headers = page.headers
    assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["Cache-Control"] == "no-cache"
    assert headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    html = page.body.decode()
    builds = set(re.findall(r'admin/assets/([0-9a-f]{16})/', html))
    assert builds == {load().build}
    assert "<script>" not in html and "style=" not in html  # nothing inline for the CSP to allow


def test_every_file_is_served_under_its_build_and_cached_for_good(api):
    bundle = load()
    assert {"app.js", "auth.js", "api.js", "ui.js", "style.css", "page-servers.js"} <= set(bundle.assets)
    for name, (body, content_type) in bundle.assets.items():
        answer = _get(api, f"/admin/assets/{bundle.build}/{name}")
        assert answer.status_code == 200, name
        assert answer.body == body and answer.headers["Content-Type"] == content_type
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_another_builds_file_or_no_file_is_a_404_page(api):
    build = load().build
    for path in (f"/admin/assets/{'0' * 16}/app.js", f"/admin/assets/{build}/nope.js",
                 f"/admin/assets/{build}/index.html", f"/admin/assets/{build}/..%2Fapp.py"):
        answer = _get(api, path)
        assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html"), path
        assert b"no such file" in answer.body


def test_the_build_hash_changes_with_any_file(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<script src="admin/assets/{{build}}/app.js"></script>')
    (tmp_path / "assets" / "app.js").write_text("export const a = 1;")
    (tmp_path / "assets" / "notes.txt").write_text("not served")
    first = load(tmp_path)
    assert set(first.assets) == {"app.js"} and first.build in first.index
    (tmp_path / "assets" / "app.js").write_text("export const a = 2;")
    second = load(tmp_path)
    assert second.build != first.build and second.asset(first.build, "app.js") is None
    assert second.asset(second.build, "app.js") == (b"export const a = 2;", "text/javascript; charset=utf-8")


def test_the_packaged_bundle_carries_the_console():
    # chalice package ships chalicelib/ whole: the console's files must live there, not beside it.
    assert ROOT.parent.name == "chalicelib" and (ROOT / "index.html").exists()
