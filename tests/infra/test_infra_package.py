"""`make package STAGE=<stage>` works with no AWS account, and what it produces is deployable and lint-clean."""
from __future__ import annotations

import copy
import importlib.util
import json
import sys
import zipfile

from tests.infra.infra_support import lint, to_cloudformation

LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024  # direct upload limit of a zipped deployment package
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def test_package_holds_the_template_and_the_lambda_bundle(packaged):
    assert sorted(p.name for p in packaged.directory.iterdir()) == ["deployment.zip", "sam.json"]
    bundle = packaged.directory / "deployment.zip"
    assert bundle.stat().st_size < LAMBDA_ZIP_LIMIT
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert sum(i.file_size for i in archive.infolist()) < LAMBDA_UNZIPPED_LIMIT
    top = {n.split("/")[0] for n in names}
    assert {"app.py", "chalicelib", "chalice", "pynamodb", "jwt", "cryptography"} <= top
    # Only runtime code: no tests, local stack, benchmarks, infrastructure or dev tools in the Lambda.
    assert not top & {"tests", "devstack", "bench", "infra", "moto", "pytest", "cfnlint", "samtranslator"}
    # cryptography is a compiled wheel: it must be the Linux build Lambda runs.
    assert any(n.startswith("cryptography/hazmat/bindings/_rust") and n.endswith(".abi3.so") for n in names)


def test_template_is_sam_with_the_stage_of_the_package(packaged, sam):
    assert sam["Transform"] == "AWS::Serverless-2016-10-31"
    for function in ("APIHandler", "RotateSigningKeys"):
        properties = sam["Resources"][function]["Properties"]
        assert properties["Environment"]["Variables"]["TOKENMINT_STAGE"] == packaged.stage
        assert properties["Tags"]["tokenmint:stage"] == packaged.stage
        assert properties["Runtime"] == "python3.11"


def test_packaged_sam_template_is_lint_clean(sam):
    assert lint(sam) == []


def test_transformed_cloudformation_is_lint_clean(cfn):
    """The SAM transform's output is what CloudFormation deploys; linting it also checks every IAM action name and
    the Lambda properties SAM passes through unchecked."""
    assert lint(cfn) == []


def test_lint_would_catch_a_broken_template(packaged_stage):
    broken = copy.deepcopy(packaged_stage("dev").sam)
    broken["Resources"]["ApiHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][1][
        "Action"].append("dynamodb:GetItems")
    broken["Resources"]["APIHandler"]["Properties"]["LoggingConfig"]["LogFormat"] = "XML"
    broken["Resources"]["ConfigTable"]["Properties"]["BillingMode"] = "ON_DEMAND"
    findings = " ".join(lint(to_cloudformation(broken)))
    assert "getitems" in findings and "'XML'" in findings and "ON_DEMAND" in findings


def test_bundle_ships_unchecked_hash_bytecode_for_every_module(packaged):
    """Lambda cannot write __pycache__ (read-only code directory): without shipped bytecode every cold start compiles
    everything (docs/performance.md). Hash-based, unchecked: zip timestamps cannot invalidate it."""
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert len(sources) > 500
        for source in sources:
            folder, _, file = source.rpartition("/")
            cached = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
            assert cached in names, source
        for source in ("app.py", "chalicelib/container.py", "chalicelib/oauth/grants/client_credentials.py"):
            folder, _, file = source.rpartition("/")
            header = archive.read(f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc")[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, source not checked
            assert header[8:16] == importlib.util.source_hash(archive.read(source))


def test_bundle_ships_the_apps_dataclass_methods_compiled(packaged, tmp_path):
    """infra/precompile.py adds the app's dataclass methods compiled once (chalicelib/dataclass_code.py): a cold
    `import app` with them compiles none."""
    import os
    import subprocess
    from pathlib import Path

    from chalicelib.dataclass_code import SETTING, load

    shipped = tmp_path / "dataclass_code.bin"
    with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
        shipped.write_bytes(archive.read("chalicelib/dataclass_code.bin"))
    assert len(load(shipped)) > 300
    root = Path(__file__).resolve().parents[2]
    child = "import json, app; from chalicelib import dataclass_code; print(json.dumps(dataclass_code.last_stats))"
    done = subprocess.run([sys.executable, "-c", child], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, SETTING: str(shipped), "PYTHONPATH": str(root)}, check=True)
    shipped_count, compiled = json.loads(done.stdout.strip().splitlines()[-1])
    assert shipped_count == len(load(shipped)) and compiled == 0


def test_bundle_ships_its_modules_code_in_one_file(packaged, tmp_path):
    """infra/precompile.py adds the code of the bundle's modules that `import app` loads, from the bundle's own
    sources (chalicelib/module_code.py): a cold `import app` of the unpacked bundle, as Lambda runs it (no
    virtualenv; the standard library only besides the bundle), takes them from the file, each with its file in the
    bundle, and the finder is gone once INIT is over."""
    import os
    import subprocess

    from chalicelib.module_code import load

    task = tmp_path / "task"
    with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
        archive.extractall(task)
    index, _ = load(task / "chalicelib" / "module_code.bin")  # type: ignore[misc]
    assert len(index) > 400 and {"app", "chalicelib.container", "botocore.client", "jwt.api_jwt"} <= set(index)
    assert all(not os.path.isabs(origin) and (task / origin).is_file() for origin, _, _, _ in index.values())
    child = ("import json, sys, app\n"
             "from chalicelib import module_code\n"
             "index, _ = module_code.load(module_code.DEFAULT_PATH)\n"
             "deferred = sorted(n for n, m in sys.modules.items() if type(m).__name__ == '_LazyModule')\n"
             "unloaded = sorted(n for n in index if n not in sys.modules)\n"
             "# Reading __loader__ runs a deferred module (it imports more: hence the copy of the items).\n"
             "served = [n for n, m in list(sys.modules.items()) if type(getattr(m, '__loader__', None)).__name__ == 'ShippedLoader']\n"
             "print(json.dumps({'stats': module_code.last_stats, 'served': len(served),"
             " 'unloaded': unloaded, 'deferred': deferred,"
             " 'file': sys.modules['botocore.client'].__file__,"
             " 'finders': [type(f).__name__ for f in sys.meta_path]}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TOKENMINT_"))}
    done = subprocess.run([sys.executable, "-S", "-c", child], cwd=task, capture_output=True, text=True,
                          timeout=120, env={**env, "PYTHONPATH": str(task), "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["stats"] == [result["served"], len(index)]
    # All but the few modules app.py imports before INIT, and what the deferred modules would import (not yet).
    assert result["deferred"] == ["cryptography.x509"]
    assert "cryptography.x509.name" in result["unloaded"]
    # (_distutils_hack: setuptools' site hook, recorded with the bundle; this child runs without site, as Lambda.)
    assert {n for n in result["unloaded"] if not n.startswith("cryptography.")} <= {"_distutils_hack"}
    assert result["served"] >= len(index) - 5 - len(result["unloaded"])
    assert result["file"] == str(task / "botocore" / "client.py")
    assert "ShippedModules" not in result["finders"]


def test_bundle_ships_its_aws_clients_data(packaged, tmp_path):
    """infra/precompile.py adds the bundle's own copy of its AWS clients' data (chalicelib/aws_data.py), made from the
    bundle's botocore: in the unpacked bundle, run as Lambda runs it, the container's clients read it."""
    import os
    import re
    import subprocess

    task = tmp_path / "task"
    with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
        names = [n for n in archive.namelist() if n.startswith("chalicelib/aws_data/")]
        bundled_boto3 = [n for n in archive.namelist() if n.startswith(("boto3/", "s3transfer/"))]
        archive.extractall(task)
    assert bundled_boto3 == []  # a development dependency only (requirements-dev.txt)
    assert {"chalicelib/aws_data/endpoints.json", "chalicelib/aws_data/botocore-version"} <= set(names)
    assert sum(n.endswith("/service-2.json") for n in names) == 3
    version = re.search(r"__version__ = '([^']+)'", (task / "botocore" / "__init__.py").read_text()).group(1)
    assert (task / "chalicelib" / "aws_data" / "botocore-version").read_text().strip() == version
    child = ("import json, sys\n"
             "from chalicelib.container import botocore_session\n"
             "loader = botocore_session().get_component('data_loader')\n"
             "kms = botocore_session().create_client('kms', region_name='eu-west-1', aws_access_key_id='x',"
             " aws_secret_access_key='y')\n"
             "print(json.dumps({'endpoints': loader.load_data_with_path('endpoints')[1],"
             " 'url': kms.meta.endpoint_url, 'operations': len(kms.meta.service_model.operation_names),"
             " 'documented': bool(kms.meta.service_model.operation_model('Decrypt').documentation),"
             " 'boto3': 'boto3' in sys.modules}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TOKENMINT_", "AWS_"))}
    done = subprocess.run([sys.executable, "-S", "-c", child], cwd=task, capture_output=True, text=True,
                          timeout=120, env={**env, "PYTHONPATH": str(task), "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["endpoints"] == str(task / "chalicelib" / "aws_data" / "endpoints")
    assert result["url"] == "https://kms.eu-west-1.amazonaws.com" and result["operations"] > 40
    assert result["documented"] is False
    assert result["boto3"] is False  # the container's clients are botocore's: boto3 is not even in the bundle


def test_bundle_serves_the_admin_console(packaged):
    """The console is served by the Lambda (api/console.py): its page and every file ship in the bundle, and API
    Gateway routes its page and its files."""
    from chalicelib.api.console_assets import ROOT

    with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
        names = set(archive.namelist())
    expected = {"chalicelib/console/index.html"} | {
        f"chalicelib/console/assets/{p.name}" for p in (ROOT / "assets").iterdir()}
    assert expected <= names
    template = json.loads((packaged.directory / "sam.json").read_text())
    paths = json.dumps(template)
    assert '"/admin"' in paths and '"/admin/assets/{build}/{name}"' in paths
