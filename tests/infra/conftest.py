"""Infrastructure fixtures: each stage is packaged once per test session (`make package`, no AWS credentials), then
read as SAM (what `make package` produces) and as CloudFormation (what the SAM transform makes of it)."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.infra.infra_support import STAGES, package, to_cloudformation


@dataclass
class Packaged:
    stage: str
    directory: Path
    sam: dict[str, Any]
    cloudformation: dict[str, Any]


@pytest.fixture(scope="session")
def packaged_stage(tmp_path_factory) -> Callable[[str], Packaged]:
    cache: dict[str, Packaged] = {}

    def get(stage: str) -> Packaged:
        if stage not in cache:
            directory = package(stage, tmp_path_factory.mktemp("build") / stage)
            sam = json.loads((directory / "sam.json").read_text())
            cache[stage] = Packaged(stage, directory, sam, to_cloudformation(sam))
        return cache[stage]

    return get


@pytest.fixture(params=STAGES)
def packaged(request, packaged_stage) -> Packaged:
    return packaged_stage(request.param)


@pytest.fixture
def sam(packaged) -> dict[str, Any]:
    return packaged.sam


@pytest.fixture
def cfn(packaged) -> dict[str, Any]:
    return packaged.cloudformation
