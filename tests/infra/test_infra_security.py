"""Security properties read from the packaged template of each stage (after the SAM transform, i.e. what
CloudFormation creates): least-privilege roles, encrypted and recoverable tables, the KMS key and its policy, the
rotation schedule, log retention and alarms."""
from __future__ import annotations

import json
import re

from tests.infra.infra_support import FUNCTIONS, ROOT, TABLES, as_list, refs, role_statements

# Actions that support no resource-level permission: AWS requires "Resource": "*" for them.
RESOURCE_STAR_REQUIRED = {"secretsmanager:ListSecrets"}
SECRET_ARN = ("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
              "tokenmint/${AWS::StackName}/*")
PSEUDO = {"AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::StackName"}
KMS_USE = {"kms:encrypt", "kms:decrypt", "kms:reencryptfrom", "kms:reencryptto", "kms:generatedatakey",
           "kms:generatedatakeywithoutplaintext", "kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
           "kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac", "kms:creategrant", "kms:derivesharedsecret"}
ENVELOPE_CONTEXT = {
    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["authServerId", "kid"]},
    "Null": {"kms:EncryptionContext:authServerId": "false", "kms:EncryptionContext:kid": "false"},
}
VIA_DYNAMODB = {"StringEquals": {"kms:ViaService": {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}}}


def resources_of(template, kind):
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def sub_text(value):
    return value["Fn::Sub"] if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str) else None


def grants(template, role):
    """{action: [resource, ...]} of a role, resources as written in the template."""
    out: dict[str, list] = {}
    for statement in role_statements(template, role):
        for action in as_list(statement["Action"]):
            out.setdefault(action, []).extend(as_list(statement["Resource"]))
    return out


# -- IAM -------------------------------------------------------------------------------------------------------------

def test_each_function_has_its_own_role_and_nothing_else_gets_one(cfn):
    roles = resources_of(cfn, "AWS::IAM::Role")
    assert set(roles) == set(FUNCTIONS.values())
    for function, role in FUNCTIONS.items():
        assert cfn["Resources"][function]["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        properties = roles[role]["Properties"]
        assert properties["AssumeRolePolicyDocument"]["Statement"] == [{
            "Sid": "", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        assert "ManagedPolicyArns" not in properties
    assert not resources_of(cfn, "AWS::IAM::Policy") and not resources_of(cfn, "AWS::IAM::ManagedPolicy")


def test_no_wildcard_actions_and_no_wildcard_resources_except_where_aws_requires_them(cfn):
    for role in FUNCTIONS.values():
        for statement in role_statements(cfn, role):
            assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
            actions = as_list(statement["Action"])
            assert not [a for a in actions if "*" in a or "?" in a], statement["Sid"]
            for resource in as_list(statement["Resource"]):
                if resource == "*":
                    assert set(actions) <= RESOURCE_STAR_REQUIRED, statement["Sid"]
                    continue
                # Every other resource belongs to this stack: one of its resources, or a name scoped by the stack's
                # name in this account and region (no account, region or name typed in).
                assert isinstance(resource, dict), resource
                text = sub_text(resource)
                assert refs(resource) - PSEUDO or (
                    text and {"${AWS::AccountId}", "${AWS::Region}", "${AWS::StackName}"} <= set(
                        re.findall(r"\$\{[^}]+\}", text))), resource
                if text and "*" in text:
                    # Secret names carry the server id and kid, and AWS appends a random suffix to their ARNs.
                    assert text == SECRET_ARN, resource


def test_api_handler_may_do_exactly_what_the_management_api_and_token_endpoint_need(cfn):
    actions = grants(cfn, "ApiHandlerRole")
    table = lambda name: {"Fn::GetAtt": [name, "Arn"]}  # noqa: E731
    assert {a for a, r in actions.items() if table("ConfigTable") in r} == {
        "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
        "dynamodb:BatchWriteItem"}
    assert {a for a, r in actions.items() if table("DirectoryTable") in r} == {
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"}
    # UpdateItem: the device flow's atomic entry counters (storage/device_repository.py).
    assert {a for a, r in actions.items() if table("GrantsTable") in r} == {
        "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert sorted(r["Fn::Sub"] for r in actions["dynamodb:Query"] if sub_text(r)) == [
        "${ConfigTable.Arn}/index/gsi1", "${DirectoryTable.Arn}/index/gsi1"]
    # The admin path creates a server's key material and deletes it with the server.
    assert {a for a in actions if a.startswith("secretsmanager:")} == {
        "secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:GetSecretValue",
        "secretsmanager:DeleteSecret", "secretsmanager:ListSecrets"}


def test_rotation_function_touches_the_configuration_table_appends_to_the_system_log_and_indexes_grants(cfn):
    actions = grants(cfn, "RotateSigningKeysRole")
    dynamodb = {a: {t for r in rs for t in refs(r)} for a, rs in actions.items() if a.startswith("dynamodb:")}
    # The grants table: the one-off build of the client token index (admin/client_token_index.py): its state item
    # read and written, the table's keys scanned, index items batch-written. Nothing deleted or updated there.
    assert dynamodb == {"dynamodb:GetItem": {"ConfigTable", "GrantsTable"}, "dynamodb:Query": {"ConfigTable"},
                        "dynamodb:PutItem": {"ConfigTable", "GrantsTable"}, "dynamodb:DeleteItem": {"ConfigTable"},
                        "dynamodb:ConditionCheckItem": {"ConfigTable"},
                        "dynamodb:BatchWriteItem": {"LogTable", "GrantsTable"}, "dynamodb:Scan": {"GrantsTable"}}
    assert {a for a in actions if a.startswith("secretsmanager:")} == {
        "secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:GetSecretValue",
        "secretsmanager:DeleteSecret", "secretsmanager:ListSecrets"}


def test_kms_use_is_bound_to_signing_key_envelopes_or_to_dynamodb(cfn):
    for role in FUNCTIONS.values():
        kms = [s for s in role_statements(cfn, role) if any(a.startswith("kms:") for a in as_list(s["Action"]))]
        assert len(kms) == 2
        for statement in kms:
            assert statement["Resource"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
            if statement["Condition"] == ENVELOPE_CONTEXT:
                assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:Encrypt"]
            else:
                assert statement["Condition"] == VIA_DYNAMODB
                assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                                       "kms:GenerateDataKey"]


def test_secret_permissions_name_only_this_stack_s_prefix(cfn):
    for role in FUNCTIONS.values():
        for statement in role_statements(cfn, role):
            if any(a.startswith("secretsmanager:") for a in as_list(statement["Action"])) and \
                    statement["Resource"] != "*":
                assert statement["Resource"] == {"Fn::Sub": SECRET_ARN}
                if "secretsmanager:CreateSecret" in statement["Action"]:
                    assert statement["Condition"] == {"ForAllValues:StringEquals": {
                        "aws:TagKeys": ["tokenmint:authServerId", "tokenmint:kid"]}}


def test_logs_go_only_to_the_function_s_own_log_group(cfn):
    for function, role in FUNCTIONS.items():
        group = cfn["Resources"][function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        logs = [s for s in role_statements(cfn, role) if any(a.startswith("logs:") for a in as_list(s["Action"]))]
        assert logs == [{"Sid": "WriteOwnLogGroup", "Effect": "Allow",
                         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                         "Resource": {"Fn::GetAtt": [group, "Arn"]}}]


def test_the_policy_files_are_the_roles_policies(cfn):
    """What reviewers read in .chalice/ is what is deployed (chalice copies the files into the roles)."""
    import json

    for role, name in (("ApiHandlerRole", "policy-api-handler.json"),
                       ("RotateSigningKeysRole", "policy-rotate-signing-keys.json")):
        document = json.loads((ROOT / ".chalice" / name).read_text())
        assert [p["PolicyDocument"] for p in cfn["Resources"][role]["Properties"]["Policies"]] == [document]


# -- data ------------------------------------------------------------------------------------------------------------

def test_every_table_is_on_demand_encrypted_with_the_key_recoverable_and_retained(cfn):
    tables = resources_of(cfn, "AWS::DynamoDB::Table")
    assert set(tables) == set(TABLES)
    for name, table in tables.items():
        properties = table["Properties"]
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", name
        assert properties["BillingMode"] == "PAY_PER_REQUEST", name
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["SSESpecification"] == {
            "SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": ["EncryptionKey", "Arn"]}}, name
        assert properties["DeletionProtectionEnabled"] is True, name


def test_only_the_grants_and_log_tables_expire_items_by_expires_at(cfn):
    tables = resources_of(cfn, "AWS::DynamoDB::Table")
    for expiring in ("GrantsTable", "LogTable"):  # short-lived grant state; System Log retention
        assert tables[expiring]["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt",
                                                                             "Enabled": True}
    assert "TimeToLiveSpecification" not in tables["ConfigTable"]["Properties"]
    assert "TimeToLiveSpecification" not in tables["DirectoryTable"]["Properties"]


def test_the_key_rotates_is_retained_and_only_the_app_roles_use_it_for_envelopes(cfn):
    key = cfn["Resources"]["EncryptionKey"]
    properties = key["Properties"]
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert properties["EnableKeyRotation"] is True and properties["PendingWindowInDays"] == 30
    assert properties["KeySpec"] == "SYMMETRIC_DEFAULT" and properties["KeyUsage"] == "ENCRYPT_DECRYPT"
    statements = properties["KeyPolicy"]["Statement"]
    root = {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert all(s["Effect"] == "Allow" and s["Principal"] == root and s["Resource"] == "*" for s in statements)
    role_arns = sorted("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
                       + cfn["Resources"][r]["Properties"]["RoleName"]["Fn::Sub"] for r in FUNCTIONS.values())
    by_sid = {s["Sid"]: s for s in statements}
    admin = by_sid["AccountAdministersButDoesNotUseTheKey"]
    assert "kms:PutKeyPolicy" in admin["Action"] and "Condition" not in admin  # the account can always manage it
    assert not {a.lower() for a in admin["Action"]} & KMS_USE and not any("*" in a for a in admin["Action"])
    envelopes = by_sid["OnlyTheAppRolesUseTheKeyForSigningKeyEnvelopes"]
    assert sorted(envelopes["Action"]) == ["kms:Decrypt", "kms:Encrypt"]
    assert sorted(a["Fn::Sub"] for a in envelopes["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == role_arns
    assert {k: v for k, v in envelopes["Condition"].items() if k != "ArnEquals"} == ENVELOPE_CONTEXT
    tables = by_sid["DynamoDBUsesTheKeyForTheTablesOnBehalfOfAccountPrincipals"]
    assert tables["Condition"] == VIA_DYNAMODB
    assert len(statements) == 3  # no other use of the key


def test_role_names_are_fixed_so_the_key_policy_can_name_them(cfn):
    names = {r: cfn["Resources"][r]["Properties"]["RoleName"]["Fn::Sub"] for r in FUNCTIONS.values()}
    assert names == {"ApiHandlerRole": "${AWS::StackName}-api-handler-${AWS::Region}",
                     "RotateSigningKeysRole": "${AWS::StackName}-rotate-keys-${AWS::Region}"}


# -- rotation schedule, logs, alarms ---------------------------------------------------------------------------------

def test_rotation_runs_hourly_once_per_event_within_its_timeout(cfn):
    rules = resources_of(cfn, "AWS::Events::Rule")
    assert len(rules) == 1
    (rule,) = rules.values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Properties"].get("State", "ENABLED") == "ENABLED"
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [{"Fn::GetAtt": ["RotateSigningKeys", "Arn"]}]
    function = cfn["Resources"]["RotateSigningKeys"]["Properties"]
    assert function["Handler"] == "chalicelib.api.jobs.rotate_signing_keys"
    assert function["Timeout"] == 300  # well inside the hour: two runs overlap only if one hangs
    (invoke,) = resources_of(cfn, "AWS::Lambda::EventInvokeConfig").values()
    assert invoke["Properties"]["FunctionName"] == {"Ref": "RotateSigningKeys"}
    assert invoke["Properties"]["MaximumRetryAttempts"] == 0  # one failed run = one Errors datapoint


def test_both_functions_log_to_retained_groups_with_a_retention(cfn):
    for function in FUNCTIONS:
        config = cfn["Resources"][function]["Properties"]["LoggingConfig"]
        assert config["LogFormat"] == "JSON" and config["ApplicationLogLevel"] == "INFO"
        group = cfn["Resources"][config["LogGroup"]["Ref"]]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert cfn["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_no_function_is_pointed_at_a_local_endpoint(cfn):
    for function in FUNCTIONS:
        assert "AWS_ENDPOINT_URL" not in cfn["Resources"][function]["Properties"]["Environment"]["Variables"]


def alarms(cfn):
    found = {}
    for name, alarm in resources_of(cfn, "AWS::CloudWatch::Alarm").items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        metrics = [m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m]
        if "MetricName" in properties:
            metrics.append({k: properties.get(k) for k in ("Namespace", "MetricName", "Dimensions")})
        found[name] = (properties, metrics)
    return found


def test_alarms_cover_5xx_throttles_errors_and_failed_or_missing_rotation_runs(cfn):
    found = alarms(cfn)

    def watches(namespace, metric, dimension):
        return [n for n, (_, ms) in found.items()
                if any(m["Namespace"] == namespace and m["MetricName"] == metric
                       and dimension in (m.get("Dimensions") or []) for m in ms)]

    api = {"Name": "ApiName", "Value": {"Ref": "AWS::StackName"}}
    assert cfn["Resources"]["RestAPI"]["Properties"]["Name"] == {"Ref": "AWS::StackName"}  # the ApiName dimension
    assert watches("AWS/ApiGateway", "5XXError", api) == ["ApiServerErrorRateAlarm"]
    handler = {"Name": "FunctionName", "Value": {"Ref": "APIHandler"}}
    rotation = {"Name": "FunctionName", "Value": {"Ref": "RotateSigningKeys"}}
    assert watches("AWS/Lambda", "Errors", handler) == ["ApiHandlerErrorsAlarm"]
    assert watches("AWS/Lambda", "Throttles", handler) == ["ApiHandlerThrottlesAlarm"]
    assert watches("AWS/Lambda", "Throttles", rotation) == ["RotationThrottledAlarm"]
    failed, _ = found["RotationRunFailedAlarm"]
    assert watches("AWS/Lambda", "Errors", rotation) == ["RotationRunFailedAlarm"]
    # One hourly run per period, so one failed run alarms.
    assert (failed["Period"], failed["Threshold"], failed["ComparisonOperator"], failed["Statistic"]) == (
        3600, 1, "GreaterThanOrEqualToThreshold", "Sum")
    missing, _ = found["RotationNotRunningAlarm"]
    assert watches("AWS/Lambda", "Invocations", rotation) == ["RotationNotRunningAlarm"]
    assert missing["TreatMissingData"] == "breaching" and missing["ComparisonOperator"] == "LessThanThreshold"
    for table in TABLES:
        assert watches("AWS/DynamoDB", "WriteThrottleEvents", {"Name": "TableName", "Value": {"Ref": table}}) == [
            "DynamoDBThrottlesAlarm"]


def test_refused_key_material_is_counted_from_both_log_groups_and_alarms(cfn):
    filters = resources_of(cfn, "AWS::Logs::MetricFilter")
    assert sorted(f["Properties"]["LogGroupName"]["Ref"] for f in filters.values()) == [
        "ApiHandlerLogGroup", "RotateSigningKeysLogGroup"]
    (alarm, _metrics), = [v for k, v in alarms(cfn).items() if k == "SigningKeyMaterialRefusedAlarm"]
    for log_filter in filters.values():
        (transform,) = log_filter["Properties"]["MetricTransformations"]
        assert (transform["MetricNamespace"], transform["MetricName"]) == (alarm["Namespace"], alarm["MetricName"])
        # The pattern is a phrase the code logs; if the message changes, this fails instead of the alarm going quiet.
        phrase = re.fullmatch(r'"([^"]+)"', log_filter["Properties"]["FilterPattern"]).group(1)
        sources = "".join(p.read_text() for p in (ROOT / "chalicelib").rglob("*.py"))
        assert f'"{phrase}' in sources


def test_unknown_paths_are_okta_404s_defined_inside_the_api_body(cfn):
    """Gateway responses beside a Body-defined API are deleted by the next Body update (cfn-lint W3660)."""
    assert not resources_of(cfn, "AWS::ApiGateway::GatewayResponse")
    responses = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    for kind in ("MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE"):
        assert responses[kind]["statusCode"] == 404
        assert '"errorCode":"E0000008"' in responses[kind]["responseTemplates"]["application/json"]


def test_prod_caps_only_the_api_handler_s_concurrency(packaged, cfn):
    handler = cfn["Resources"]["APIHandler"]["Properties"]
    assert handler.get("ReservedConcurrentExecutions") == (100 if packaged.stage == "prod" else None)
    assert "ReservedConcurrentExecutions" not in cfn["Resources"]["RotateSigningKeys"]["Properties"]



def test_disc05_cors_preflights_reach_the_app_and_only_on_the_browser_endpoints(cfn):
    """API Gateway answers no preflight itself (a MOCK integration would say ``*`` to every origin): each ``OPTIONS``
    goes to the Lambda, which allows only trusted origins, and only on the endpoints browser apps call."""
    paths = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["paths"]
    with_options = sorted(p for p, methods in paths.items() if "options" in methods)
    assert with_options == sorted(["/oauth2/{authServerId}" + p for p in (
        "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/v1/introspect",
        "/v1/keys", "/v1/par", "/v1/revoke", "/v1/token", "/v1/userinfo")] + ["/oauth2/v1/userinfo"])
    for path in with_options:
        integration = paths[path]["options"]["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy", path
    body = json.dumps(cfn["Resources"]["RestAPI"]["Properties"]["Body"])
    assert "Access-Control-Allow-Origin" not in body and "'*'" not in body


def test_the_system_log_ships_to_a_siem_only_when_a_destination_is_given(cfn):
    """Issue 17: every System Log event is one JSON line ``{"logEvent": …}`` in the functions' logs; the optional
    SystemLogDestinationArn subscribes both log groups to it, and nothing is shipped anywhere by default."""
    assert cfn["Parameters"]["SystemLogDestinationArn"]["Default"] == ""
    subscriptions = resources_of(cfn, "AWS::Logs::SubscriptionFilter")
    assert {s["Properties"]["LogGroupName"]["Ref"] for s in subscriptions.values()} == {
        "ApiHandlerLogGroup", "RotateSigningKeysLogGroup"}
    for subscription in subscriptions.values():
        assert subscription["Condition"] == "ShipSystemLog"
        assert subscription["Properties"]["FilterPattern"] == '"logEvent"'
        assert subscription["Properties"]["DestinationArn"] == {"Ref": "SystemLogDestinationArn"}
