"""`make package STAGE=<stage>` works with no AWS account, and what it produces is deployable and lint-clean."""
from __future__ import annotations

import copy
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
