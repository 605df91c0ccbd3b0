"""Helpers of the infrastructure tests: packaging, the SAM transform, moto's CloudFormation subset, a small IAM
policy evaluator and a recorder of the AWS calls the app makes.

Nothing here needs an AWS account: `make package` runs with every AWS credential removed from its environment, the
SAM transform is AWS's own translator run locally, and stacks are created on moto.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
STACK = "tokenmint-dev"
ARTIFACT_BUCKET = "tokenmint-artifacts"
FUNCTIONS = {"APIHandler": "ApiHandlerRole", "RotateSigningKeys": "RotateSigningKeysRole"}
TABLES = {"ConfigTable": "TOKENMINT_CONFIG_TABLE", "DirectoryTable": "TOKENMINT_DIRECTORY_TABLE",
          "GrantsTable": "TOKENMINT_GRANTS_TABLE", "LogTable": "TOKENMINT_LOG_TABLE"}


# -- packaging ---------------------------------------------------------------------------------------------------

def package(stage: str, build_dir: Path) -> Path:
    """`make package STAGE=<stage>` into ``build_dir``, with no AWS credentials or configuration in reach."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run(["make", "--no-print-directory", "package", f"STAGE={stage}", f"BUILD_DIR={build_dir}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"make package STAGE={stage} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return build_dir


def to_cloudformation(sam: Mapping[str, Any], code_uri: str = f"s3://{ARTIFACT_BUCKET}/deployment.zip") -> dict:
    """What CloudFormation makes of the packaged SAM template: AWS's translator (aws-sam-translator), run locally.

    ``CodeUri`` is first set to an S3 URI, as `aws cloudformation package` / `sam deploy` do after uploading the zip.
    """
    from samtranslator.translator.transform import transform

    template = copy.deepcopy(dict(sam))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri

    class NoManagedPolicies:  # our roles name no AWS managed policy; nothing to look up in IAM
        def load(self) -> dict[str, str]:
            return {}

    return transform(template, {}, NoManagedPolicies())


def lint(template: Mapping[str, Any]) -> list[str]:
    """cfn-lint's findings (errors, warnings and informational) as readable lines."""
    from cfnlint.api import ManualArgs, lint as cfn_lint

    matches = cfn_lint(json.dumps(template), config=ManualArgs(regions=[REGION, "eu-west-1"], include_checks=["I"]))
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches]


# -- template reading --------------------------------------------------------------------------------------------

def refs(node: Any) -> set[str]:
    """Logical ids and parameters a template fragment refers to (Ref, Fn::GetAtt, Fn::Sub variables)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text)} - set(variables)
                found |= refs(variables)
            elif key == "Condition" and isinstance(value, str):
                continue
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= refs(item)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(template: Mapping[str, Any], role: str) -> list[dict[str, Any]]:
    properties = template["Resources"][role]["Properties"]
    return [s for p in properties.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def function_env(template: Mapping[str, Any], function: str) -> dict[str, Any]:
    return template["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})


# -- moto ----------------------------------------------------------------------------------------------------------

# Resource types moto's CloudFormation creates but that the subset leaves out, and why.
MOTO_LEFT_OUT = {
    # moto creates a RestApi from CloudFormation without importing its OpenAPI Body, so the Deployment fails
    # ("The REST API doesn't contain any methods"); API Gateway is checked on the template instead.
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
}


def moto_subset(template: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The part of a (transformed) template that moto 5's CloudFormation can create, and what was left out.

    Kept: every resource whose type moto models, minus MOTO_LEFT_OUT and anything that refers to a resource left out.
    moto 5.2.5 reads KMS::Key ``Tags`` with the KMS API's TagKey/TagValue names, so they are dropped (the template's
    tags are checked on the template).
    """
    import moto.cloudformation.parsing as parsing

    modelled = set(parsing.get_model_map())
    resources = template["Resources"]
    keep = {k for k, r in resources.items() if r["Type"] in modelled and r["Type"] not in MOTO_LEFT_OUT}
    changed = True
    while changed:
        changed = False
        for name in sorted(keep):
            depends = set(as_list(resources[name].get("DependsOn", [])))
            if (refs(resources[name]) | depends) & (set(resources) - keep):
                keep.discard(name)
                changed = True
    subset = {k: v for k, v in template.items() if k not in ("Resources", "Outputs", "Transform")}
    subset["Resources"] = copy.deepcopy({k: resources[k] for k in resources if k in keep})
    for resource in subset["Resources"].values():
        if resource["Type"] == "AWS::KMS::Key":
            resource["Properties"].pop("Tags", None)
    known = keep | set(template.get("Parameters", {})) | {"AWS::StackName", "AWS::Region", "AWS::AccountId",
                                                          "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"}
    subset["Outputs"] = {k: v for k, v in template.get("Outputs", {}).items()
                         if refs(v) <= known and v.get("Condition") is None}
    return subset, sorted(set(resources) - keep)


def repair_moto_key_policies() -> None:
    """moto 5.2.5 keeps a CloudFormation-made key policy as a dict where its KMS API expects JSON text (its
    DescribeKey then fails): store it as text, as AWS does."""
    from moto.kms.models import kms_backends

    for key in kms_backends[ACCOUNT][REGION].keys.values():
        if isinstance(key.policy, dict):
            key.policy = json.dumps(key.policy)


def policy_document(document: Any) -> dict[str, Any]:
    """moto 5.2.5 hands back CloudFormation-made policies as a dict, or as the str() of one."""
    if isinstance(document, dict):
        return document
    try:
        return json.loads(document)
    except ValueError:
        import ast

        return ast.literal_eval(document)


# -- IAM evaluation ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    """One authorization IAM makes: an action on a resource with the request's condition keys."""

    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.action} on {self.resource} {dict(self.context) or ''}".strip()


_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool"}


def _match_value(operator: str, actual: str, expected: str) -> bool:
    if operator in ("StringEquals", "ArnEquals", "Bool"):
        return str(actual).lower() == str(expected).lower() if operator == "Bool" else actual == expected
    return fnmatch.fnmatchcase(actual, expected)  # StringLike, ArnLike


def condition_holds(block: Mapping[str, Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    """IAM condition semantics for the operators this project's policies use; anything else is refused loudly."""
    lowered = {k.lower(): v for k, v in context.items()}
    for raw_operator, tests in block.items():
        qualifier, _, operator = raw_operator.rpartition(":")
        for key, expected in tests.items():
            actual = lowered.get(key.lower())
            expected_values = [str(e) for e in as_list(expected)]
            if operator == "Null":
                if (actual is None) != (expected_values[0].lower() == "true"):
                    return False
                continue
            if operator not in _OPERATORS or qualifier not in ("", "ForAllValues", "ForAnyValue"):
                raise ValueError(f"the test's IAM evaluator does not know the condition operator {raw_operator}")
            if qualifier == "ForAllValues":
                if not all(any(_match_value(operator, a, e) for e in expected_values) for a in as_list(actual or [])):
                    return False
            elif qualifier == "ForAnyValue":
                if not any(_match_value(operator, a, e) for a in as_list(actual or []) for e in expected_values):
                    return False
            else:
                if actual is None or isinstance(actual, list):
                    return False
                if not any(_match_value(operator, actual, e) for e in expected_values):
                    return False
    return True


def _statement_applies(statement: Mapping[str, Any], request: Request, principal: str | None) -> bool:
    if "NotAction" in statement or "NotResource" in statement or "NotPrincipal" in statement:
        raise ValueError("the test's IAM evaluator does not handle NotAction / NotResource / NotPrincipal")
    if principal is not None:  # a resource (key) policy
        principals = statement.get("Principal", {})
        names = as_list(principals.get("AWS", [])) if isinstance(principals, dict) else as_list(principals)
        account_root = f"arn:aws:iam::{principal.split(':')[4]}:root"
        if not any(n in ("*", principal, account_root) for n in names):
            return False
    actions = [a.lower() for a in as_list(statement.get("Action", []))]
    if not any(fnmatch.fnmatchcase(request.action.lower(), a) for a in actions):
        return False
    if not any(fnmatch.fnmatchcase(request.resource, r) for r in as_list(statement.get("Resource", []))):
        return False
    return condition_holds(statement.get("Condition", {}), request.context)


def allows(statements: list[Mapping[str, Any]], request: Request, principal: str | None = None) -> bool:
    """Explicit deny wins, then any allow (identity policies with ``principal=None``, key policies with it)."""
    applicable = [s for s in statements if _statement_applies(s, request, principal)]
    if any(s.get("Effect") == "Deny" for s in applicable):
        return False
    return any(s.get("Effect") == "Allow" for s in applicable)


# -- recording the app's AWS calls ---------------------------------------------------------------------------------

@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]


@contextmanager
def recording() -> Iterator[list[Call]]:
    """Every AWS API call made through botocore (boto3 and pynamodb both end in ``_make_api_call``)."""
    from botocore.client import BaseClient

    calls: list[Call] = []
    original = BaseClient._make_api_call

    def record(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append(Call(client.meta.service_model.service_name, operation_name, copy.deepcopy(api_params)))
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = record  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


class UnmappedCall(Exception):
    """A recorded call the test does not know how to authorize: extend ``requests_for`` and the IAM policies."""


def _table(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _secret(secret_id: str) -> str:
    # Secrets Manager appends "-" and 6 random characters to the name in a secret's ARN.
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret_id}-AbCdEf"


def requests_for(call: Call, key_arn: Any) -> list[Request]:
    """The IAM authorizations one AWS API call needs (https://docs.aws.amazon.com/service-authorization/)."""
    p, op = call.params, call.operation
    if call.service == "dynamodb":
        if op in ("GetItem", "PutItem", "DeleteItem", "UpdateItem", "Query", "Scan", "DescribeTable"):
            resource = _table(p["TableName"]) + (f"/index/{p['IndexName']}" if p.get("IndexName") else "")
            return [Request(f"dynamodb:{op}", resource)]
        if op in ("BatchWriteItem", "BatchGetItem"):
            return [Request(f"dynamodb:{op}", _table(t)) for t in p["RequestItems"]]
        if op == "TransactWriteItems":
            kinds = {"Put": "PutItem", "Delete": "DeleteItem", "Update": "UpdateItem",
                     "ConditionCheck": "ConditionCheckItem"}
            return [Request(f"dynamodb:{kinds[kind]}", _table(body["TableName"]))
                    for item in p["TransactItems"] for kind, body in item.items()]
        if op == "TransactGetItems":
            return [Request("dynamodb:GetItem", _table(i["Get"]["TableName"])) for i in p["TransactItems"]]
    if call.service == "kms" and op in ("Encrypt", "Decrypt"):
        context = p.get("EncryptionContext", {})
        keys = {"kms:EncryptionContextKeys": sorted(context), "kms:CallerAccount": ACCOUNT}
        keys.update({f"kms:EncryptionContext:{k}": v for k, v in context.items()})
        return [Request(f"kms:{op}", key_arn(p.get("KeyId")), keys)]
    if call.service == "secretsmanager":
        if op == "ListSecrets":
            return [Request("secretsmanager:ListSecrets", "*")]
        if op == "CreateSecret":
            tags = {"aws:TagKeys": [t["Key"] for t in p.get("Tags", [])]}
            tags.update({f"aws:RequestTag/{t['Key']}": t["Value"] for t in p.get("Tags", [])})
            needed = [Request("secretsmanager:CreateSecret", _secret(p["Name"]), tags)]
            if p.get("Tags"):
                needed.append(Request("secretsmanager:TagResource", _secret(p["Name"]), tags))
            return needed
        if op in ("GetSecretValue", "DeleteSecret", "DescribeSecret"):
            return [Request(f"secretsmanager:{op}", _secret(p["SecretId"]))]
    raise UnmappedCall(f"{call.service}:{op}")
