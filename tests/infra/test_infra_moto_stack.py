"""The stack on moto: the part of the transformed template moto's CloudFormation supports is created, its resources
are checked against the declared settings, and the app then runs on that stack with the environment CloudFormation
gave its functions, every AWS call it makes checked against the deployed IAM and key policies.

What moto cannot create (it models neither the OpenAPI body of a RestApi, nor alarms, metric filters, custom
domains, event-invoke configs or WAF web ACLs and their associations, and its DynamoDB ignores TimeToLiveSpecification and
PointInTimeRecoverySpecification from CloudFormation) is checked on the template by test_infra_security.py.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from tests.infra.infra_support import (
    ACCOUNT, ARTIFACT_BUCKET, FUNCTIONS, REGION, ROOT, STACK, TABLES, Call, Request, UnmappedCall, allows, as_list,
    moto_subset, policy_document, recording, repair_moto_key_policies, requests_for,
)

BASE_URL = "https://login.example.test"
BOOTSTRAP_SECRET = "tokenmint-bootstrap/tokenmint-dev"
BOOTSTRAP_TOKEN = "bootstrap-" + "b" * 40
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Stack:
    def __init__(self, left_out: list[str]) -> None:
        import boto3

        self.left_out = left_out
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        described = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
        self.status = described["StackStatus"]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        self.physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId")
                         for r in cloudformation.describe_stack_resources(StackName=STACK)["StackResources"]}
        iam = boto3.client("iam", region_name=REGION)
        self.roles: dict[str, dict[str, Any]] = {}
        for logical in FUNCTIONS.values():
            name = self.physical[logical]
            role = iam.get_role(RoleName=name)["Role"]
            statements = [s for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
                          for s in as_list(policy_document(
                              iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])["Statement"])]
            self.roles[logical] = {"arn": role["Arn"], "name": name, "statements": statements}
        kms = boto3.client("kms", region_name=REGION)
        self.key = kms.describe_key(KeyId=self.physical["EncryptionKey"])["KeyMetadata"]
        self.key_policy = policy_document(kms.get_key_policy(KeyId=self.key["KeyId"], PolicyName="default")["Policy"])
        lam = boto3.client("lambda", region_name=REGION)
        self.functions = {f: lam.get_function_configuration(FunctionName=self.physical[f]) for f in FUNCTIONS}

    def env(self, function: str) -> dict[str, str]:
        """The function's environment as Lambda would run it: CloudFormation's dynamic references resolved (moto
        leaves them as written), and the variables the Lambda runtime sets itself."""
        import boto3

        secrets = boto3.client("secretsmanager", region_name=REGION)

        def resolve(value: str) -> str:
            return re.sub(r"\{\{resolve:secretsmanager:([^:}]+):SecretString\}\}",
                          lambda m: secrets.get_secret_value(SecretId=m.group(1))["SecretString"], value)

        variables = self.functions[function]["Environment"]["Variables"]
        return {**{k: resolve(v) for k, v in variables.items()}, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}


@pytest.fixture(scope="module")
def stack(packaged_stage):
    """The dev stack on moto, created the way an operator's first deploy is (with a bootstrap admin token)."""
    import boto3
    from moto import mock_aws

    packaged = packaged_stage("dev")
    subset, left_out = moto_subset(packaged.cloudformation)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
        s3.upload_file(str(packaged.directory / "deployment.zip"), ARTIFACT_BUCKET, "deployment.zip")
        boto3.client("secretsmanager", region_name=REGION).create_secret(Name=BOOTSTRAP_SECRET,
                                                                         SecretString=BOOTSTRAP_TOKEN)
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=STACK, TemplateBody=json.dumps(subset),
            Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            Parameters=[{"ParameterKey": "BaseUrl", "ParameterValue": BASE_URL},
                        {"ParameterKey": "LogRetentionDays", "ParameterValue": "30"},
                        {"ParameterKey": "BootstrapAdminTokenSecret", "ParameterValue": BOOTSTRAP_SECRET}])
        repair_moto_key_policies()
        yield Stack(left_out)


# -- the resources ---------------------------------------------------------------------------------------------------

def test_the_stack_is_created_and_leaves_out_only_what_moto_cannot_model(stack):
    assert stack.status == "CREATE_COMPLETE"
    assert set(stack.left_out) == {
        "RestAPI", "RestAPIapiStage", "APIHandlerInvokePermission", "CustomDomain", "CustomDomainMapping",
        "CustomDomainRecord", "AlarmEmailSubscription", "SigningKeyMaterialRefusedApiFilter",
        "SigningKeyMaterialRefusedRotationFilter", "RotateSigningKeysEventInvokeConfig", "AbuseLimits",
        "AbuseLimitsAssociation",
        # Conditional, off without a SystemLogDestinationArn (the System Log's SIEM subscriptions).
        "ApiHandlerSystemLogSubscription", "RotateSigningKeysSystemLogSubscription",
        *[r for r in stack.left_out if r.startswith("RestAPIDeployment") or r.endswith("Alarm")]}
    assert {"ConfigTable", "DirectoryTable", "GrantsTable", "LogTable", "EncryptionKey", "EncryptionKeyAlias", "APIHandler",
            "RotateSigningKeys", "ApiHandlerRole", "RotateSigningKeysRole", "ApiHandlerLogGroup",
            "RotateSigningKeysLogGroup", "AlarmTopic"} <= set(stack.physical)


def test_tables_exist_with_their_keys_index_billing_and_encryption(stack):
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for logical in TABLES:
        table = dynamodb.describe_table(TableName=stack.physical[logical])["Table"]
        assert table["TableName"] == f"{STACK}-{logical[:-5].lower()}"
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [("pk", "HASH"), ("sk", "RANGE")]
        (index,) = table["GlobalSecondaryIndexes"]
        assert index["IndexName"] == "gsi1" and index["Projection"]["ProjectionType"] == "ALL"
        # moto 5.2.5 keeps CloudFormation's SSESpecification but describes it only when given in the API's shape
        # ("Enabled"), so read what it stored: the key is the stack's key, resolved.
        from moto.dynamodb.models import dynamodb_backends

        stored = dynamodb_backends[ACCOUNT][REGION].tables[table["TableName"]].sse_specification
        assert stored == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": stack.key["Arn"]}
        assert table["DeletionProtectionEnabled"] is True


def test_the_key_is_symmetric_rotating_and_its_policy_names_the_deployed_roles(stack):
    import boto3

    kms = boto3.client("kms", region_name=REGION)
    assert stack.key["Enabled"] and stack.key["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert stack.key["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert kms.get_key_rotation_status(KeyId=stack.key["KeyId"])["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases[f"alias/{STACK}"] == stack.key["KeyId"]
    (envelopes,) = [s for s in stack.key_policy["Statement"] if s["Sid"].startswith("OnlyTheAppRoles")]
    assert sorted(envelopes["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == sorted(
        r["arn"] for r in stack.roles.values())
    assert {s["Principal"]["AWS"] for s in stack.key_policy["Statement"]} == {f"arn:aws:iam::{ACCOUNT}:root"}


def test_functions_run_as_their_roles_with_the_stack_s_resources_in_their_environment(stack):
    for function, role in FUNCTIONS.items():
        config = stack.functions[function]
        assert config["Role"] == stack.roles[role]["arn"]
        env = config["Environment"]["Variables"]
        assert env["TOKENMINT_STAGE"] == "dev"
        assert env["TOKENMINT_CONFIG_TABLE"] == stack.outputs["ConfigTableName"] == f"{STACK}-config"
        assert env["TOKENMINT_DIRECTORY_TABLE"] == stack.outputs["DirectoryTableName"]
        assert env["TOKENMINT_GRANTS_TABLE"] == stack.outputs["GrantsTableName"]
        assert env["TOKENMINT_KMS_KEY_ID"] == stack.key["Arn"] == stack.outputs["EncryptionKeyArn"]
        assert env["TOKENMINT_SECRET_PREFIX"] == stack.outputs["SecretPrefix"] == f"tokenmint/{STACK}"
        assert env["TOKENMINT_BASE_URL"] == BASE_URL
    assert stack.functions["APIHandler"]["Timeout"] == 15 and stack.functions["RotateSigningKeys"]["Timeout"] == 300
    assert "TOKENMINT_ADMIN_TOKEN" not in stack.functions["RotateSigningKeys"]["Environment"]["Variables"]
    assert stack.env("APIHandler")["TOKENMINT_ADMIN_TOKEN"] == BOOTSTRAP_TOKEN


def test_rotation_is_scheduled_hourly_on_the_rotation_function(stack):
    import boto3

    events = boto3.client("events", region_name=REGION)
    (rule,) = events.list_rules()["Rules"]
    assert rule["ScheduleExpression"] == "rate(1 hour)" and rule["State"] == "ENABLED"
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == stack.functions["RotateSigningKeys"]["FunctionArn"]


def test_log_groups_keep_logs_for_the_retention_asked(stack):
    import boto3

    groups = {g["logGroupName"]: g for g in boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]}
    for logical, kind in (("ApiHandlerLogGroup", "api-handler"), ("RotateSigningKeysLogGroup", "rotate-signing-keys")):
        assert stack.physical[logical] == f"/tokenmint/{STACK}/{kind}"
        assert groups[stack.physical[logical]]["retentionInDays"] == 30


# -- the app on the stack ----------------------------------------------------------------------------------------------

def check(stack: Stack, role: str, calls: list[Call]) -> list[str]:
    """The calls the deployed IAM policy (and, for KMS, the key policy) of ``role`` would refuse."""
    principal = stack.roles[role]["arn"]
    refused = []
    for call in calls:
        for request in requests_for(call, lambda key_id: stack.key["Arn"]):
            request = Request(request.action, request.resource, {**request.context, "aws:PrincipalArn": principal})
            if not allows(stack.roles[role]["statements"], request):
                refused.append(f"IAM: {request}")
            if request.action.startswith("kms:") and not allows(stack.key_policy["Statement"], request, principal):
                refused.append(f"key policy: {request}")
    return refused


class Http:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = BOOTSTRAP_TOKEN

    def __call__(self, method: str, path: str, body: Any = None, *, form: str | None = None,
                 basic: tuple[str, str] | None = None, expect: int = 200) -> Any:
        headers = {"Authorization": f"SSWS {self.token}"}
        payload: Any = b""
        if body is not None:
            headers["Content-Type"], payload = "application/json", json.dumps(body)
        if form is not None:
            headers.update(FORM)
            payload = form
        if basic is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
        response = getattr(self.client.http, method.lower())(path, headers=headers, body=payload)
        assert response.status_code == expect, (method, path, response.status_code, response.body)
        return json.loads(response.body) if response.body else None


@pytest.fixture(scope="module")
def app_on_stack(stack):
    """Run the app on the stack: bootstrap, a tour of the management API and token endpoints, then a scheduled
    rotation run 91 days later. Returns the calls each phase made."""
    from chalice.test import Client

    from app import app
    from chalicelib.clock import FixedClock
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    clock = FixedClock(datetime.now(timezone.utc).replace(microsecond=0))
    phases: dict[str, list[Call]] = {}
    container = Container.build(Settings.from_env(stack.env("APIHandler")), clock)
    set_container(container)
    try:
        with recording() as phases["default server"]:
            container.servers.ensure_default()
        with Client(app) as client, recording() as phases["api"]:
            http = Http(client)
            # The bootstrap token (TOKENMINT_ADMIN_TOKEN from Secrets Manager) creates a stored admin token.
            created = http("POST", "/api/v1/api-tokens", {"name": "operations"}, expect=201)
            http.token = created["token"]
            assert any(t["id"] == created["id"] for t in http("GET", "/api/v1/api-tokens"))
            server = http("POST", "/api/v1/authorizationServers",
                          {"name": "infra", "audiences": ["api://infra"]}, expect=201)["id"]
            http("GET", "/api/v1/authorizationServers")
            http("GET", f"/api/v1/authorizationServers/{server}/credentials/keys")
            http("POST", f"/api/v1/authorizationServers/{server}/credentials/lifecycle/keyRotate", {"use": "sig"})
            http("POST", "/api/v1/authorizationServers/default/scopes", {"name": "infra:read"}, expect=201)
            registered = http("POST", "/oauth2/v1/clients", {"client_name": "infra", "application_type": "service",
                                                               "grant_types": ["client_credentials"]}, expect=201)
            credentials = (registered["client_id"], registered["client_secret"])
            token = http("POST", "/oauth2/default/v1/token", form="grant_type=client_credentials&scope=infra:read",
                         basic=credentials)["access_token"]
            assert http("POST", "/oauth2/default/v1/introspect", form=f"token={token}", basic=credentials)["active"]
            http("POST", "/oauth2/default/v1/revoke", form=f"token={token}", basic=credentials)
            http("GET", "/oauth2/default/v1/keys")
            http("GET", "/oauth2/default/.well-known/openid-configuration")
            http("GET", "/api/v1/authorizationServers/default/clients")
            http("DELETE", f"/api/v1/authorizationServers/{server}", expect=204)
            http("DELETE", f"/oauth2/v1/clients/{credentials[0]}", expect=204)
        clock.advance(days=91)
        with Client(app) as client, recording() as phases["rotation"]:
            event = client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={},
                resources=[f"arn:aws:events:{REGION}:{ACCOUNT}:rule/rotate"], region=REGION)
            summary = client.lambda_.invoke("rotate_signing_keys", event).payload
            # The run really rotated (default's keys were 91 days old) and nothing failed.
            assert summary["failed"] == [] and container.servers.resolve_id("default") in summary["changed"]
            # The stack's grants table came from the template, not from this release: the client token index is
            # built by the job, its scan an hour after the first run (admin/client_token_index.py).
            assert summary["clientTokenIndex"] == "waiting"
            clock.advance(hours=1)
            assert client.lambda_.invoke("rotate_signing_keys", event).payload["clientTokenIndex"] == "ready"
    finally:
        set_container(None)
    return phases


def test_the_api_handler_s_calls_are_all_allowed_by_its_role_and_the_key_policy(stack, app_on_stack):
    calls = app_on_stack["api"]
    services = {(c.service, c.operation) for c in calls}
    # The tour really used each service the role is for (a vacuous tour would prove nothing).
    assert {("kms", "Encrypt"), ("kms", "Decrypt"), ("secretsmanager", "CreateSecret"),
            ("secretsmanager", "GetSecretValue"), ("secretsmanager", "DeleteSecret"),
            ("secretsmanager", "ListSecrets"), ("dynamodb", "TransactWriteItems"), ("dynamodb", "Query"),
            ("dynamodb", "GetItem"), ("dynamodb", "BatchWriteItem")} <= services
    assert check(stack, "ApiHandlerRole", calls) == []


def test_the_scheduled_rotation_s_calls_are_all_allowed_by_its_role_and_the_key_policy(stack, app_on_stack):
    calls = app_on_stack["rotation"]
    assert {("kms", "Encrypt"), ("secretsmanager", "CreateSecret"), ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "Scan")} <= {(c.service, c.operation) for c in calls}  # Scan: the client token index
    assert check(stack, "RotateSigningKeysRole", calls) == []


@pytest.mark.parametrize("role", sorted(FUNCTIONS.values()))
def test_creating_the_default_server_is_allowed_to_either_function(stack, app_on_stack, role):
    """`Container.bootstrap()` (local only) is what creates ``default`` today; in AWS either function's role may run
    ``servers.ensure_default()`` once something calls it (docs/operations.md, first deploy)."""
    assert app_on_stack["default server"]
    assert check(stack, role, app_on_stack["default server"]) == []


def test_the_deployed_policies_refuse_what_the_app_must_not_do(stack):
    """The evaluator is not vacuous: these must be refused."""
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{STACK}"
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret"
    rotation = stack.roles["RotateSigningKeysRole"]
    api = stack.roles["ApiHandlerRole"]
    envelope = {"kms:EncryptionContextKeys": ["authServerId", "kid"], "kms:EncryptionContext:authServerId": "aus1",
                "kms:EncryptionContext:kid": "k1"}
    refused = [
        (rotation, Request("dynamodb:GetItem", f"{table}-directory")),
        (rotation, Request("dynamodb:DeleteItem", f"{table}-grants")),
        (rotation, Request("dynamodb:UpdateItem", f"{table}-grants")),
        (rotation, Request("dynamodb:Scan", f"{table}-directory")),
        (api, Request("dynamodb:Scan", f"{table}-grants")),
        (api, Request("dynamodb:Scan", f"{table}-config")),
        (api, Request("dynamodb:DeleteTable", f"{table}-config")),
        (api, Request("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/another-stack-config")),
        (api, Request("kms:Decrypt", stack.key["Arn"], {"kms:EncryptionContextKeys": ["authServerId"],
                                                        "kms:EncryptionContext:authServerId": "aus1"})),
        (api, Request("kms:Decrypt", stack.key["Arn"], {})),
        (api, Request("kms:GenerateDataKey", stack.key["Arn"], envelope)),
        (api, Request("secretsmanager:GetSecretValue", f"{secret}:{BOOTSTRAP_SECRET}-AbCdEf")),
        (api, Request("secretsmanager:GetSecretValue", f"{secret}:tokenmint/other-stack/aus1/k1-AbCdEf")),
        (api, Request("secretsmanager:PutSecretValue", f"{secret}:tokenmint/{STACK}/aus1/k1-AbCdEf")),
        (api, Request("secretsmanager:CreateSecret", f"{secret}:tokenmint/{STACK}/aus1/k1-AbCdEf",
                      {"aws:TagKeys": ["owner"]})),
    ]
    for role, request in refused:
        assert not allows(role["statements"], request), request
    # The key itself refuses envelope use to anyone but the two roles, even an account administrator.
    admin = f"arn:aws:iam::{ACCOUNT}:role/administrator"
    assert not allows(stack.key_policy["Statement"],
                      Request("kms:Decrypt", stack.key["Arn"], {**envelope, "aws:PrincipalArn": admin}), admin)
    assert allows(stack.key_policy["Statement"],
                  Request("kms:Decrypt", stack.key["Arn"], {**envelope, "aws:PrincipalArn": api["arn"]}), api["arn"])
    assert allows(stack.key_policy["Statement"],
                  Request("kms:PutKeyPolicy", stack.key["Arn"], {"aws:PrincipalArn": admin}), admin)


def test_every_recorded_call_maps_to_known_iam_actions(app_on_stack):
    for phase, calls in app_on_stack.items():
        for call in calls:
            try:
                requests_for(call, lambda key_id: "arn:aws:kms:key")
            except UnmappedCall as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{phase}: {exc}: add it to tests/infra/infra_support.requests_for and to the IAM policy")


# -- storage code the tour does not reach ----------------------------------------------------------------------------

# pynamodb/storage operations in chalicelib/storage -> the DynamoDB actions they need.
STORAGE_OPERATIONS = {
    r"\.get\(": {"dynamodb:GetItem"},
    r"\bquery\(": {"dynamodb:Query"},
    r"\.batch_get\(": {"dynamodb:BatchGetItem"},
    r"\.batch_write\(": {"dynamodb:BatchWriteItem"},
    r"(?<!batch)\.save\(": {"dynamodb:PutItem"},  # batch.save is part of batch_write
    r"\.update\(\s*actions": {"dynamodb:UpdateItem"},
    r"\btx\.update\(": {"dynamodb:UpdateItem"},  # Transaction.update: a transaction needs each item's own action
    r"\.delete\(": {"dynamodb:DeleteItem"},
    r"\.put\(": {"dynamodb:PutItem"},  # Transaction.put (storage/transactions.py)
    r"\.require\(|condition_check\(": {"dynamodb:ConditionCheckItem"},  # Transaction.require
    r"_model\.scan\(|\bmodel\.scan\(": {"dynamodb:Scan"},
    r"TransactGet": {"dynamodb:GetItem"},
    r"_model\.count\(": {"dynamodb:Query"},
}


def test_the_api_role_allows_every_dynamodb_operation_the_storage_code_contains():
    """A tripwire for code paths the tour above does not reach (users, groups, ...): each repository's pynamodb
    operations, found in its source, must be allowed by the API handler's policy on the table it is bound to."""
    # storage/dynamodb.py binds every repository to its table's model.
    wiring = (ROOT / "chalicelib" / "storage" / "dynamodb.py").read_text()
    bound = dict(re.findall(r"(\w+Repository)\(self\.(\w+)_model\b", wiring))
    policy = json.loads((ROOT / ".chalice" / "policy-api-handler.json").read_text())
    allowed: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        for resource in as_list(statement["Resource"]):
            if isinstance(resource, dict) and "Fn::GetAtt" in resource:
                allowed.setdefault(resource["Fn::GetAtt"][0], set()).update(as_list(statement["Action"]))
    missing = []
    for module in sorted((ROOT / "chalicelib" / "storage").glob("*_repository.py")):
        source = module.read_text()
        for repository in re.findall(r"^class (\w+Repository)\b", source, flags=re.M):
            if repository not in bound:
                continue  # not wired into the container (yet)
            table = {"config": "ConfigTable", "directory": "DirectoryTable", "grants": "GrantsTable",
                     "log": "LogTable"}[bound[repository]]
            needed = set().union(*(actions for pattern, actions in STORAGE_OPERATIONS.items()
                                   if re.search(pattern, source)))
            missing += [f"{repository} ({module.name}) needs {a} on {table}" for a in sorted(needed - allowed[table])]
    assert missing == []
    assert set(bound.values()) == {"config", "directory", "grants", "log"}


def test_only_the_scheduled_role_may_do_what_the_client_index_build_contains():
    """storage/client_index_scan.py (Scan, BatchWriteItem on the grants table) is called by the scheduled job
    alone: its role allows each of its operations, the API handler's none of them."""
    source = (ROOT / "chalicelib" / "storage" / "client_index_scan.py").read_text()
    needed = set().union(*(actions for pattern, actions in STORAGE_OPERATIONS.items() if re.search(pattern, source)))
    assert needed == {"dynamodb:Scan", "dynamodb:BatchWriteItem"}

    def allowed_on_grants(policy_file: str) -> set[str]:
        policy = json.loads((ROOT / ".chalice" / policy_file).read_text())
        return {a for s in policy["Statement"] for r in as_list(s["Resource"]) for a in as_list(s["Action"])
                if isinstance(r, dict) and r.get("Fn::GetAtt", [None])[0] == "GrantsTable"}

    assert needed <= allowed_on_grants("policy-rotate-signing-keys.json")
    assert not needed & allowed_on_grants("policy-api-handler.json")

