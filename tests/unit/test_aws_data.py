"""The AWS data a bundle ships for its clients (chalicelib/aws_data.py) and its loading (chalicelib/aws_loader.py):
botocore's own data minus what the clients never read; clients made with it reach the same endpoints, signed for
the same region and service; whatever it lacks, a damaged file, a copy from another botocore, or the setting ``off``
leaves botocore's own data answering."""
from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import botocore
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.loaders import Loader

from chalicelib import aws_loader
from chalicelib.aws_data import SERVICES, ship, without_documentation
from chalicelib.aws_loader import SETTING, ServiceDataLoader, shipped_data_dir

BOTOCORE_DATA = Path(os.path.dirname(botocore.__file__)) / "data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("aws_data")
    ship(BOTOCORE_DATA, out)
    return out


def test_only_documentation_text_is_removed():
    shape = {"type": "structure", "documentation": "<p>text</p>",
             "members": {"documentation": {"shape": "String", "documentation": "a member so named"},
                         "Key": {"shape": "String"}}}
    assert without_documentation(shape) == {"type": "structure", "members": {"documentation": {"shape": "String"},
                                                                             "Key": {"shape": "String"}}}
    assert without_documentation([{"documentation": "x", "a": [1, {"documentation": "y"}]}]) == [{"a": [1, {}]}]


def documented(value) -> bool:
    if isinstance(value, dict):
        return isinstance(value.get("documentation"), str) or any(documented(v) for v in value.values())
    return isinstance(value, list) and any(documented(v) for v in value)


def test_the_copy_holds_the_clients_models_without_their_documentation(shipped):
    files = sorted(p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file())
    theirs = Loader()
    expected = {"botocore-version", "endpoints.json"}
    for service in SERVICES:
        version = max(theirs.list_api_versions(service, "service-2"))
        expected |= {f"{service}/{version}/service-2.json", f"{service}/{version}/endpoint-rule-set-1.json"}
        model = json.loads((shipped / service / version / "service-2.json").read_text())
        original = theirs.load_service_model(service, "service-2")
        assert documented(original) and not documented(model)
        assert model == without_documentation(original)
        assert list(model["operations"]) == list(original["operations"])  # every operation, in order
        assert json.loads((shipped / service / version / "endpoint-rule-set-1.json").read_text()) == \
            theirs.load_service_model(service, "endpoint-rule-set-1")
    assert set(files) == expected
    assert (shipped / "botocore-version").read_text().strip() == botocore.__version__


def test_the_endpoints_file_keeps_every_partition_and_only_the_clients_services(shipped):
    ours, theirs = json.loads((shipped / "endpoints.json").read_text()), Loader().load_data("endpoints")
    assert [p["partition"] for p in ours["partitions"]] == [p["partition"] for p in theirs["partitions"]]
    for mine, original in zip(ours["partitions"], theirs["partitions"]):
        assert {k: v for k, v in mine.items() if k != "services"} == \
            {k: v for k, v in original.items() if k != "services"}
        assert mine["services"] == {name: entry for name, entry in original["services"].items() if name in SERVICES}
    assert (shipped / "endpoints.json").stat().st_size < 100_000  # botocore's is 1.2 MB


def test_the_loader_reads_the_copy_first_and_botocore_for_the_rest(shipped):
    loader = ServiceDataLoader(shipped=str(shipped))
    theirs = Loader()
    for service in SERVICES:
        assert loader.load_service_model(service, "service-2") == without_documentation(
            theirs.load_service_model(service, "service-2"))
        assert loader.load_service_model(service, "paginators-1") == theirs.load_service_model(service, "paginators-1")
    assert loader.load_service_model("sts", "service-2") == theirs.load_service_model("sts", "service-2")
    endpoints, path = loader.load_data_with_path("endpoints")
    assert path == str(shipped / "endpoints") and loader.is_builtin_path(path)
    assert loader.load_data("partitions") == theirs.load_data("partitions")
    assert not loader.is_builtin_path("/elsewhere/endpoints")


def request_seen(session, service: str, region: str, config: Config) -> tuple[str, str]:
    """The URL and the credential scope of one call, answered before it leaves the machine."""
    client = session.create_client(service, region_name=region, aws_access_key_id="AKIDEXAMPLE",
                                   aws_secret_access_key="secret", config=config)
    seen: list[tuple[str, str]] = []

    def answer(request, **_kwargs):
        scope = request.headers["Authorization"].decode().split("Credential=")[1].split(",")[0]
        seen.append((request.url, scope.split("/", 2)[2]))  # region/service/aws4_request, without key and date
        return AWSResponse(request.url, 200, {}, None)

    client.meta.events.register("before-send", answer)
    call = {"dynamodb": "describe_limits", "kms": "list_keys", "secretsmanager": "list_secrets"}[service]
    try:
        getattr(client, call)()
    except Exception:  # noqa: BLE001 # the empty answer need not parse: the request is what is compared
        pass
    return seen[0]


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"])
@pytest.mark.parametrize("variant", [{}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}])
def test_clients_reach_the_same_endpoints_as_with_botocores_data(shipped, region, variant):
    ours, theirs = botocore.session.Session(), botocore.session.Session()
    ours.register_component("data_loader", ServiceDataLoader(shipped=str(shipped)))
    for service in SERVICES:
        mine = request_seen(ours, service, region, Config(**variant))
        assert mine == request_seen(theirs, service, region, Config(**variant)), (service, region, variant)
        assert mine[1].startswith(f"{region}/")


def test_a_damaged_file_of_the_copy_leaves_botocores_answering(shipped, tmp_path):
    damaged = tmp_path / "aws_data"
    shutil.copytree(shipped, damaged)
    version = max(p.name for p in (damaged / "kms").iterdir())
    (damaged / "kms" / version / "service-2.json").write_text('{"version": ')
    (damaged / "endpoints.json").write_bytes(b"\xff\xfe not json")
    loader = ServiceDataLoader(shipped=str(damaged))
    assert loader.load_service_model("kms", "service-2") == Loader().load_service_model("kms", "service-2")
    endpoints, path = loader.load_data_with_path("endpoints")
    assert path == str(BOTOCORE_DATA / "endpoints") and endpoints == Loader().load_data("endpoints")


def test_the_setting_and_the_version_decide_whether_a_copy_is_used(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv(SETTING, str(shipped))
    assert shipped_data_dir() == str(shipped)
    monkeypatch.setenv(SETTING, "off")
    assert shipped_data_dir() is None
    other = tmp_path / "other"
    shutil.copytree(shipped, other)
    (other / "botocore-version").write_text("1.0.0\n")
    monkeypatch.setenv(SETTING, str(other))
    assert shipped_data_dir() is None  # made from another botocore: its models may not be this one's
    monkeypatch.setenv(SETTING, str(tmp_path / "none"))
    assert shipped_data_dir() is None  # none there (a source checkout ships none)
    session = botocore.session.Session()
    monkeypatch.setenv(SETTING, str(shipped))
    aws_loader.use_service_data_loader(session)
    assert session.get_component("data_loader").load_data_with_path("endpoints")[1] == str(shipped / "endpoints")


def test_every_client_the_app_makes_is_of_a_service_the_copy_holds():
    """The copy holds three services; a client of another would still work (botocore's data answers), only
    without the saving. pynamodb makes the DynamoDB client; the rest are made by name."""
    makers = {"LazyClient", "aws_client", "client", "create_client"}
    named = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and (
                    getattr(node.func, "id", None) in makers or getattr(node.func, "attr", None) in makers):
                named.add(node.args[0].value)
    assert named and named <= set(SERVICES), named
