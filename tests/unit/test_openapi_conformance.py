"""The e2e OpenAPI checker (tests/e2e/e2e_openapi.py) over several specs, on tiny specs written here: which spec
an exchange is held to, what loading refuses, and what the summary counts. The real specs and real traffic are
tests/e2e/test_e2e_openapi.py's business; these cases need neither the reference directory nor a running stack."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

# The checker lives beside the e2e conftest, which puts that directory on sys.path only when e2e is collected.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_openapi import (REFERENCE_DIR_SETTING, SPEC_NAMES, Conformance, _templates_overlap,  # noqa: E402
                         spec_paths, summarise)
from e2e_support import Exchange  # noqa: E402

ERROR_SCHEMAS = {
    "Error": {"type": "object", "properties": {
        "errorCauses": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorCause"}},
        "errorCode": {"type": "string"}, "errorId": {"type": "string"}, "errorLink": {"type": "string"},
        "errorSummary": {"type": "string"}}},
    "ErrorCause": {"type": "object", "properties": {"errorSummary": {"type": "string"}}},
}


def write_spec(path: Path, operations: dict[str, tuple[str, str]]) -> Path:
    """A minimal OpenAPI 3.0 file: template -> (operationId of its GET, type of the 200 body's `name`)."""
    paths = {}
    for template, (operation_id, name_type) in operations.items():
        parameters = [{"name": name.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in template.split("/") if name.startswith("{")]
        paths[template] = {"get": {"operationId": operation_id, "parameters": parameters, "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"name": {"type": name_type}}}}}},
            "404": {"$ref": "#/components/responses/NotFound"}}}}
    path.write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": path.stem, "version": "1"}, "servers": [{"url": "/"}], "paths": paths,
        "components": {"schemas": ERROR_SCHEMAS, "responses": {"NotFound": {"description": "missing", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}))
    return path


def exchange(path: str, status: int = 200, body: object = None) -> Exchange:
    return Exchange(source="requests", test="unit", method="GET", url=f"http://127.0.0.1:1{path}",
                    request_headers=(), request_body=None, status=status,
                    response_headers=(("Content-Type", "application/json"),),
                    response_body=json.dumps(body if body is not None else {"name": "x"}).encode())


@pytest.fixture
def two_specs(tmp_path: Path) -> Conformance:
    return Conformance([write_spec(tmp_path / "servers.yaml", {"/servers/{id}": ("getServer", "string")}),
                        write_spec(tmp_path / "apps.yaml", {"/apps/{id}": ("getApp", "integer"),
                                                            "/apps/{id}/users": ("listAppUsers", "string")})])


def test_reference_dir_unset_means_not_run() -> None:
    assert spec_paths({}) is None
    assert spec_paths({REFERENCE_DIR_SETTING: "  "}) is None


def test_reference_dir_must_hold_every_spec(tmp_path: Path) -> None:
    (tmp_path / SPEC_NAMES[0]).write_text("{}")
    with pytest.raises(FileNotFoundError, match=SPEC_NAMES[1]):
        spec_paths({REFERENCE_DIR_SETTING: str(tmp_path)})
    (tmp_path / SPEC_NAMES[1]).write_text("{}")
    assert spec_paths({REFERENCE_DIR_SETTING: str(tmp_path)}) == [tmp_path / name for name in SPEC_NAMES]


def test_each_exchange_is_held_to_the_spec_that_has_its_path(two_specs: Conformance) -> None:
    # `name` is a string in one spec and an integer in the other: the same body passes one and fails the other.
    server = two_specs.check(exchange("/servers/s1"))
    assert (server.kind, server.spec, server.operation_id, server.problems) == (
        "validated", "servers.yaml", "getServer", [])
    app = two_specs.check(exchange("/apps/a1"))
    assert (app.kind, app.spec, app.operation_id) == ("validated", "apps.yaml", "getApp")
    assert any("name:" in problem for problem in app.problems), app.problems
    assert two_specs.check(exchange("/apps/a1", body={"name": 3})).problems == []
    assert two_specs.check(exchange("/apps/a1/users")).operation_id == "listAppUsers"
    assert two_specs.check(exchange("/users/u1")).kind == "not-in-spec"
    # Okta's error rules hold in every spec.
    missing = two_specs.check(exchange("/apps/a1", 404, {"errorSummary": "Not found"}))
    assert any("errorCode must be" in problem for problem in missing.problems), missing.problems


def test_specs_sharing_a_path_are_refused(tmp_path: Path) -> None:
    first = write_spec(tmp_path / "a.yaml", {"/apps/{id}": ("getApp", "string")})
    second = write_spec(tmp_path / "b.yaml", {"/apps/default": ("getDefaultApp", "string")})
    with pytest.raises(ValueError, match="share paths"):
        Conformance([first, second])


def test_specs_sharing_an_operation_id_are_refused(tmp_path: Path) -> None:
    first = write_spec(tmp_path / "a.yaml", {"/apps/{id}": ("getThing", "string")})
    second = write_spec(tmp_path / "b.yaml", {"/servers/{id}": ("getThing", "string")})
    with pytest.raises(ValueError, match="share operation ids"):
        Conformance([first, second])


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("/apps/{appId}", "/apps/{id}", True),
    ("/apps/{appId}", "/apps/default", True),
    ("/apps/{appId}/users", "/apps/{appId}", False),
    ("/apps", "/logs", False),
    ("/apps/{appId}/users", "/apps/{appId}/groups", False),
])
def test_templates_overlap_when_one_path_could_match_both(a: str, b: str, overlap: bool) -> None:
    assert _templates_overlap(a, b) is overlap
    assert _templates_overlap(b, a) is overlap


def test_summary_counts_per_spec_even_an_unexercised_one(two_specs: Conformance) -> None:
    verdicts = [two_specs.check(e) for e in (exchange("/apps/a1"), exchange("/apps/a1", body={"name": 1}),
                                             exchange("/apps/a1/users"), exchange("/users/u1"))]
    summary = summarise(verdicts, two_specs.spec_names)
    assert summary["by_spec"] == {"servers.yaml": {"validated": 0, "failed": 0, "operations": 0},
                                  "apps.yaml": {"validated": 3, "failed": 1, "operations": 2}}
    assert (summary["recorded"], summary["validated"], summary["skipped_not_in_spec"], summary["failed"]) == (
        4, 3, 1, 1)
