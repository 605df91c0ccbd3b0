"""Abuse limits at the edge (issue 13), read from the packaged template of each stage: a regional WAF web ACL on the
API stage with one per-IP rate-based rule per surface, API Gateway stage throttling as the overall cap, and Okta's 429
(``E0000047`` with ``X-Rate-Limit-*``) wherever either refuses. The limits are stage settings (``.chalice/config.json``,
written into the template by infra/stage_settings.py), each with a parameter to override it at deploy time, and
documented in docs/operations.md."""
from __future__ import annotations

import copy
import json
import posixpath
import re
from typing import Any
from urllib.parse import quote, unquote

import pytest

from infra.stage_settings import apply, stage_settings
from tests.infra.infra_support import REGION, ROOT, STACK

CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
OAUTH_SUMMARY = "You exceeded the maximum number of requests. Try again in a while."  # okta-api.md 7.1
MANAGEMENT_SUMMARY = "API call exceeded rate limit due to too many requests."  # okta-api.md, E0000047
# Rule name -> (its limit, the routes of the API it covers, the summary Okta answers there).
SURFACES = {
    "TokenEndpoint": ("TokenRateLimit", lambda path: path.endswith("/v1/token"), OAUTH_SUMMARY),
    "AuthorizeEndpoint": ("AuthorizeRateLimit", lambda path: path.endswith("/v1/authorize"), OAUTH_SUMMARY),
    "SignInForm": ("SignInRateLimit", lambda path: path.endswith("/signin"), OAUTH_SUMMARY),
    "ManagementApi": ("ManagementApiRateLimit", lambda path: path.startswith("/api/v1/"), MANAGEMENT_SUMMARY),
}
STAGE_THROTTLING = ("StageThrottleRate", "StageThrottleBurst")
LIMITS = [p for p, _, _ in SURFACES.values()] + list(STAGE_THROTTLING)
# An operator's deploy-time overrides, to check that each one reaches the place it limits.
OVERRIDES = {name: str(7000 + i) for i, name in enumerate(LIMITS)}


def configured(stage: str) -> dict[str, int]:
    return stage_settings(CONFIG, stage)["AbuseLimits"]


def web_acl(cfn: dict[str, Any]) -> dict[str, Any]:
    (acl,) = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    return acl["Properties"]


def rules(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["Name"]: rule for rule in web_acl(cfn)["Rules"]}


def holds(cfn: dict[str, Any], condition: Any, parameters: dict[str, str]) -> bool:
    """A template condition, evaluated as CloudFormation does for these parameter values (else their defaults)."""
    if isinstance(condition, str):
        return holds(cfn, cfn["Conditions"][condition], parameters)
    ((function, argument),) = condition.items()
    if function == "Condition":
        return holds(cfn, argument, parameters)
    if function == "Fn::Not":
        return not holds(cfn, argument[0], parameters)
    if function == "Fn::And":
        return all(holds(cfn, a, parameters) for a in argument)
    if function == "Fn::Or":
        return any(holds(cfn, a, parameters) for a in argument)
    if function == "Fn::Equals":
        left, right = (value(cfn, a, parameters) for a in argument)
        return str(left) == str(right)
    raise AssertionError(f"unexpected condition {condition}")


def value(cfn: dict[str, Any], node: Any, parameters: dict[str, str] | None = None,
          names: dict[str, str] | None = None) -> Any:
    """What a template value becomes in a deploy with these parameter overrides (none: every default); ``names``:
    what pseudo parameters and resources resolve to."""
    parameters, names = parameters or {}, names or {}
    if not isinstance(node, dict):
        return node
    if "Ref" in node:
        if node["Ref"] in names:
            return names[node["Ref"]]
        return parameters.get(node["Ref"], cfn["Parameters"][node["Ref"]].get("Default"))
    if "Fn::If" in node:
        condition, yes, no = node["Fn::If"]
        return value(cfn, yes if holds(cfn, condition, parameters) else no, parameters)
    if "Fn::FindInMap" in node:
        mapping, top, second = node["Fn::FindInMap"]
        return cfn["Mappings"][mapping][top][second]
    if "Fn::Sub" in node:
        text, variables = node["Fn::Sub"] if isinstance(node["Fn::Sub"], list) else (node["Fn::Sub"], {})
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(value(
            cfn, variables.get(m.group(1), {"Ref": m.group(1)}), parameters, names)), text)
    raise AssertionError(f"unexpected value {node}")


def resolve(cfn: dict[str, Any], node: Any, parameters: dict[str, str] | None = None,
            names: dict[str, str] | None = None) -> Any:
    """A template fragment with every intrinsic function in it resolved by ``value``."""
    if isinstance(node, list):
        return [resolve(cfn, item, parameters, names) for item in node]
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in ("Ref", "Fn::If", "Fn::FindInMap", "Fn::Sub"):
            return value(cfn, node, parameters, names)
        return {k: resolve(cfn, v, parameters, names) for k, v in node.items()}
    return node


def limit_of(cfn: dict[str, Any], node: Any, name: str) -> int:
    """The limit a template value sets with no override, after checking it is exactly the override of ``name``."""
    assert str(value(cfn, node, {name: OVERRIDES[name]})) == OVERRIDES[name]
    assert all(str(value(cfn, node, {other: v})) != v for other, v in OVERRIDES.items() if other != name)
    return int(value(cfn, node))


def api_stage(cfn: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (stage,) = [(k, r) for k, r in cfn["Resources"].items() if r["Type"] == "AWS::ApiGateway::Stage"]
    return stage


def waf_view(path: str) -> str:
    """What a rule's regex is matched against: the URI path after the rule's text transformations (URL_DECODE,
    NORMALIZE_PATH, LOWERCASE), which the next test pins."""
    decoded = unquote(path)
    normalized = posixpath.normpath(decoded) + ("/" if decoded.endswith("/") and decoded != "/" else "")
    return re.sub("/+", "/", normalized).lower()


def api_paths(cfn: dict[str, Any]) -> list[str]:
    """Every route of the deployed API (its OpenAPI body), path parameters filled in with a plausible value."""
    paths = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["paths"]
    return [re.sub(r"\{[^}]+\}", "aus1x2y3z4AbCdEf5d7", p) for p in paths]


# -- the limits are stage settings -------------------------------------------------------------------------------------

def test_the_stage_s_limits_are_written_into_its_template(packaged, sam, cfn):
    assert set(configured(packaged.stage)) == set(LIMITS)
    for template in (sam, cfn):
        assert template["Mappings"]["StageSettings"] == {"AbuseLimits": configured(packaged.stage)}


def test_each_limit_has_an_override_parameter_left_empty_by_default(sam, cfn):
    merged = json.loads((ROOT / "infra" / "resources.json").read_text())
    for name in LIMITS:
        parameter = cfn["Parameters"][name]
        assert parameter == sam["Parameters"][name] == merged["Parameters"][name]
        assert (parameter["Type"], parameter["Default"]) == ("String", "")
        pattern = re.compile(parameter["AllowedPattern"])
        assert pattern.fullmatch("") and pattern.fullmatch("1200")
        assert not any(pattern.fullmatch(v) for v in ("0", "-5", "1e3", "12.5", "012", " 10"))
        assert cfn["Conditions"][f"Override{name}"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]}
    # Packaging writes no parameter: what an existing stack keeps with UsePreviousValue stays "use the stage's".
    assert {n: p.get("Default") for n, p in sam["Parameters"].items()} == {
        n: p.get("Default") for n, p in merged["Parameters"].items()}


def test_prod_allows_more_than_dev():
    dev, prod = configured("dev"), configured("prod")
    assert all(prod[name] > dev[name] for name in LIMITS)
    for values in (dev, prod):
        assert values["StageThrottleBurst"] >= values["StageThrottleRate"]
        assert all(values[p] >= 10 for p, _, _ in SURFACES.values())  # WAF's smallest rate-based limit


def test_stage_settings_refuses_a_stage_that_does_not_match_the_template():
    template = {"Resources": {"R": {"Properties": {"A": {"Fn::FindInMap": ["StageSettings", "AbuseLimits", "X"]},
                                                   "B": {"Fn::FindInMap": ["Other", "AbuseLimits", "Y"]}}}}}
    written = apply(copy.deepcopy(template), {"AbuseLimits": {"X": 50}})
    assert written["Mappings"] == {"StageSettings": {"AbuseLimits": {"X": 50}}}
    for settings, reason in (({"AbuseLimits": {}}, "does not set: AbuseLimits.X"),
                             ({"AbuseLimits": {"X": 50, "Z": 1}}, "never reads: AbuseLimits.Z")):
        with pytest.raises(ValueError, match=reason):
            apply(copy.deepcopy(template), settings)
    for bad in (0, -1, "50", True, 1.5):
        with pytest.raises(ValueError, match="positive whole number"):
            stage_settings({"stages": {"dev": {"tokenmint_abuse_limits": {"X": bad}}}}, "dev")
    with pytest.raises(ValueError, match="not in .chalice/config.json"):
        stage_settings(CONFIG, "staging")
    assert stage_settings({"stages": {"dev": {}}}, "dev") == {"AbuseLimits": {}}


def test_every_limit_its_stage_values_and_the_429s_are_documented(packaged, cfn):
    section = OPERATIONS.split("\n## Abuse limits\n", 1)[1].split("\n## ", 1)[0]
    values = configured(packaged.stage)
    for name in LIMITS:
        (row,) = [line for line in section.splitlines() if line.startswith(f"| `{name}` |")]
        assert f"{packaged.stage} {values[name]}" in row, row
    for text in ("tokenmint_abuse_limits", "--parameter-overrides", "edge-rate-limited"):
        assert text in section, text
    # What a refused caller sees, exactly as the template answers it.
    bodies = [b["Content"] for b in web_acl(cfn)["CustomResponseBodies"].values()]
    throttled = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
    assert len(bodies) == 2
    for body in [*bodies, throttled["responseTemplates"]["application/json"]]:
        assert f"\n  {body}\n" in section, body
    for rule in web_acl(cfn)["Rules"]:
        for header in rule["Action"]["Block"]["CustomResponse"]["ResponseHeaders"]:
            if isinstance(header["Value"], str):
                assert f"{header['Name']}: {header['Value']}" in section, header
    for name, header in throttled["responseParameters"].items():
        if isinstance(header, str) and ("X-Rate" in name or "Retry" in name):
            assert f"{name.removeprefix('gatewayresponse.header.')}: {header.strip(chr(39))}" in section, name
    (row,) = [line for line in OPERATIONS.splitlines() if line.startswith("| WAF web ACL")]
    assert "<stack>-abuse-limits" in row


# -- the web ACL ---------------------------------------------------------------------------------------------------

def test_the_web_acl_is_regional_allows_by_default_and_has_one_ip_rate_rule_per_surface(packaged, cfn):
    acl = web_acl(cfn)
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    assert set(rules(cfn)) == set(SURFACES)
    assert sorted(r["Priority"] for r in acl["Rules"]) == list(range(len(SURFACES)))
    values = configured(packaged.stage)
    for name, (parameter, _, _) in SURFACES.items():
        statement = rules(cfn)[name]["Statement"]
        assert set(statement) == {"RateBasedStatement"}, name
        rate = statement["RateBasedStatement"]
        assert rate["AggregateKeyType"] == "IP" and "ForwardedIPConfig" not in rate, name
        assert rate["EvaluationWindowSec"] == 60, name  # per minute, as Okta counts
        assert limit_of(cfn, rate["Limit"], parameter) == values[parameter]
        assert set(rules(cfn)[name]["Action"]) == {"Block"}, name


def test_each_rule_counts_exactly_its_surface_s_routes_however_the_path_is_spelt(cfn):
    paths = api_paths(cfn)
    for name, (_, covers, _) in SURFACES.items():
        scope = rules(cfn)[name]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["RegexMatchStatement"]
        assert scope["FieldToMatch"] == {"UriPath": {}}
        assert [(t["Priority"], t["Type"]) for t in scope["TextTransformations"]] == [
            (0, "URL_DECODE"), (1, "NORMALIZE_PATH"), (2, "LOWERCASE")]
        regex = re.compile(scope["RegexString"])
        covered = [p for p in paths if covers(p)]
        assert covered, name
        assert [p for p in paths if regex.search(waf_view(p))] == covered, name
        for path in covered:
            # The API's own endpoint carries the stage (/api) in the path; the custom domain does not.
            variants = [path, "/api" + path, path + "/", path.replace("/", "//", 1),
                        "/api" + quote(path, safe="").replace("%2F", "/").replace("v1", "v%31"),
                        path.upper(), path.replace("/v1/", "/x/../v1/")]
            for variant in variants:
                assert regex.search(waf_view(variant)), (name, variant)
    # Keys and discovery stay outside every per-IP rule (Okta does not limit them either).
    everything = [re.compile(r["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["RegexMatchStatement"][
        "RegexString"]) for r in rules(cfn).values()]
    for free in ("/oauth2/default/v1/keys", "/oauth2/default/.well-known/openid-configuration",
                 "/api/oauth2/default/v1/keys", "/oauth2/default/v1/introspect"):
        assert not any(r.search(waf_view(free)) for r in everything), free


def test_a_blocked_caller_gets_okta_s_429_with_the_rate_limit_headers(packaged, cfn):
    acl = web_acl(cfn)
    values = configured(packaged.stage)
    for name, (parameter, _, summary) in SURFACES.items():
        response = rules(cfn)[name]["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert body["ContentType"] == "APPLICATION_JSON"
        error = json.loads(body["Content"])
        assert error == {"errorCode": "E0000047", "errorSummary": summary, "errorLink": "E0000047",
                         "errorId": error["errorId"], "errorCauses": []}
        assert re.fullmatch(r"oae\w+", error["errorId"])
        headers = {h["Name"]: h["Value"] for h in response["ResponseHeaders"]}
        assert set(headers) == {"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "Retry-After"}
        assert value(cfn, headers["X-Rate-Limit-Limit"]) == str(values[parameter])  # text, as headers are
        assert limit_of(cfn, headers["X-Rate-Limit-Limit"], parameter) == values[parameter]
        assert headers["X-Rate-Limit-Remaining"] == "0"
        # Okta's SDKs need a non-zero epoch to schedule a retry (reference/clients.md 2.6); a WAF answer is static,
        # so it names an instant already past and Retry-After says how long to wait: one evaluation window.
        assert int(headers["X-Rate-Limit-Reset"]) > 0 and headers["Retry-After"] == "60"


def test_the_web_acl_is_attached_to_the_api_stage(cfn):
    association = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    (association,) = association
    (acl_name,) = [k for k, r in cfn["Resources"].items() if r["Type"] == "AWS::WAFv2::WebACL"]
    stage_name, stage = api_stage(cfn)
    assert stage["Properties"]["RestApiId"] == {"Ref": "RestAPI"}
    assert stage["Properties"]["StageName"] == CONFIG["api_gateway_stage"] == "api"
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_name, "Arn"]}
    # The stage's Ref (its name) in the ARN also orders the association after the stage.
    assert association["Properties"]["ResourceArn"] == {"Fn::Sub": (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${" + stage_name + "}")}


def test_the_waf_api_accepts_the_web_acl_and_its_association(packaged, cfn):
    """Created with the WAFv2 API on moto (moto's CloudFormation does not model WAF): botocore checks every field
    against the service model (names, types, enums), and the ARN the template builds names a stage."""
    import boto3
    from moto import mock_aws

    names = {"AWS::StackName": STACK, "AWS::Region": REGION, "AWS::Partition": "aws", "RestAPI": "a1b2c3d4e5",
             api_stage(cfn)[0]: "api"}
    (association,) = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    stage_arn = resolve(cfn, association["Properties"]["ResourceArn"], names=names)
    assert stage_arn == f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/api"
    limits = {}
    for overrides in ({}, OVERRIDES):
        properties = resolve(cfn, web_acl(cfn), overrides, names)
        for rule in properties["Rules"]:  # an Integer property: CloudFormation converts a parameter's text
            rate = rule["Statement"]["RateBasedStatement"]
            rate["Limit"] = int(rate["Limit"])
        with mock_aws():
            waf = boto3.client("wafv2", region_name=REGION)
            created = waf.create_web_acl(**properties)["Summary"]
            waf.associate_web_acl(WebACLArn=created["ARN"], ResourceArn=stage_arn)
            attached = waf.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]
        assert attached["Name"] == f"{STACK}-abuse-limits"
        limits[bool(overrides)] = {r["Name"]: r["Statement"]["RateBasedStatement"]["Limit"] for r in attached["Rules"]}
    assert limits[False] == {name: configured(packaged.stage)[p] for name, (p, _, _) in SURFACES.items()}
    assert limits[True] == {name: int(OVERRIDES[p]) for name, (p, _, _) in SURFACES.items()}


# -- stage throttling ------------------------------------------------------------------------------------------------

def test_the_stage_throttles_every_method_at_the_stage_s_rate_and_burst(packaged, cfn):
    _, stage = api_stage(cfn)
    (settings,) = stage["Properties"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    values = configured(packaged.stage)
    assert limit_of(cfn, settings["ThrottlingRateLimit"], "StageThrottleRate") == values["StageThrottleRate"]
    assert limit_of(cfn, settings["ThrottlingBurstLimit"], "StageThrottleBurst") == values["StageThrottleBurst"]


def test_a_throttled_caller_gets_okta_s_429_with_the_rate_limit_headers(packaged, cfn):
    responses = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    throttled = responses["THROTTLED"]
    assert throttled["statusCode"] == 429
    template = throttled["responseTemplates"]["application/json"]
    assert "$context.requestId" in template
    error = json.loads(template.replace("$context.requestId", "abc-123"))
    assert error == {"errorCode": "E0000047", "errorSummary": MANAGEMENT_SUMMARY, "errorLink": "E0000047",
                     "errorId": "oaeabc-123", "errorCauses": []}
    headers = {k.removeprefix("gatewayresponse.header."): v for k, v in throttled["responseParameters"].items()}
    assert headers["Content-Type"] == "'application/json'"
    assert value(cfn, headers["X-Rate-Limit-Limit"]) == f"'{configured(packaged.stage)['StageThrottleRate']}'"
    assert value(cfn, headers["X-Rate-Limit-Limit"], {"StageThrottleRate": "42"}) == "'42'"
    assert headers["X-Rate-Limit-Remaining"] == "'0'"
    assert int(headers["X-Rate-Limit-Reset"].strip("'")) > 0 and headers["Retry-After"] == "'1'"


# -- metrics and alarm -----------------------------------------------------------------------------------------------

def test_every_rule_publishes_its_own_metric_and_blocked_requests_alarm(cfn):
    acl = web_acl(cfn)
    names = [acl["VisibilityConfig"]["MetricName"]["Fn::Sub"]]
    for rule in acl["Rules"]:
        visibility = rule["VisibilityConfig"]
        assert visibility["CloudWatchMetricsEnabled"] is True and visibility["SampledRequestsEnabled"] is True
        names.append(visibility["MetricName"]["Fn::Sub"])
    assert len(set(names)) == len(names) and all(n.startswith("${AWS::StackName}-") for n in names)
    (alarm,) = [r["Properties"] for r in cfn["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
                and r["Properties"].get("Namespace") == "AWS/WAFV2"]
    assert alarm["MetricName"] == "BlockedRequests" and alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "WebACL": acl["Name"], "Region": {"Ref": "AWS::Region"}, "Rule": "ALL"}
    assert alarm["AlarmName"] == {"Fn::Sub": "${AWS::StackName}-edge-rate-limited"}
