"""Abuse limits at the edge (issue 13; security-checklist CAUTH-10, INT-05): an AWS WAF web ACL on the API's stage
with one rate-based rule per source IP for the token endpoint, the authorize endpoint, the sign-in page and the
management API, API Gateway stage throttling, and Okta-shaped 429 answers (``E0000047``) from both. The limits are
each stage's (infra/edge_limits.json), written into the packaged template as parameter defaults."""
from __future__ import annotations

import json

import pytest

from app import app
from tests.infra.infra_support import ROOT

LIMITS = json.loads((ROOT / "infra" / "edge_limits.json").read_text())
RULES = {"token-per-ip": "TokenRateLimit", "authorize-per-ip": "AuthorizeRateLimit",
         "signin-per-ip": "SignInRateLimit", "management-per-ip": "ManagementRateLimit"}
OAUTH_SUMMARY = "You exceeded the maximum number of requests. Try again in a while."
MANAGEMENT_SUMMARY = "API call exceeded rate limit due to too many requests."


def web_acl(cfn):
    found = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    assert len(found) == 1
    return found[0]["Properties"]


def rules(cfn):
    return {rule["Name"]: rule for rule in web_acl(cfn)["Rules"]}


def matches(statement, path: str) -> bool:
    """AWS WAF's ByteMatchStatement on the URI path, as the rules use it (no text transformation)."""
    match = statement["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"UriPath": {}}
    assert match["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    text, position = match["SearchString"], match["PositionalConstraint"]
    return {"EXACTLY": path == text, "STARTS_WITH": path.startswith(text), "ENDS_WITH": path.endswith(text),
            "CONTAINS": text in path}[position]


def limited_by(cfn, path: str) -> set[str]:
    return {name for name, rule in rules(cfn).items()
            if matches(rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"], path)}


def concrete(route: str) -> str:
    return route.replace("{authServerId}", "aus1a2b3c4d5e6f7g8h").replace("{proxy+}", "anything").replace(
        "{", "").replace("}", "")


def test_the_stage_limits_are_the_parameter_defaults(packaged, sam):
    for name, value in LIMITS[packaged.stage].items():
        assert sam["Parameters"][name]["Default"] == value
        assert sam["Parameters"][name]["MinValue"] <= value <= sam["Parameters"][name]["MaxValue"]
    assert LIMITS["prod"]["TokenRateLimit"] != LIMITS["dev"]["TokenRateLimit"]  # really per stage


def test_one_rate_based_rule_per_surface_each_per_source_ip_blocking_with_429(cfn):
    acl = web_acl(cfn)
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    assert set(rules(cfn)) == set(RULES)
    assert sorted(rule["Priority"] for rule in acl["Rules"]) == [1, 2, 3, 4]
    for name, parameter in RULES.items():
        rate = rules(cfn)[name]["Statement"]["RateBasedStatement"]
        assert rate["AggregateKeyType"] == "IP" and rate["EvaluationWindowSec"] == 60
        assert rate["Limit"] == {"Ref": parameter}
        response = rules(cfn)[name]["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        headers = {h["Name"]: h["Value"] for h in response["ResponseHeaders"]}
        assert headers == {"X-Rate-Limit-Limit": {"Fn::Sub": "${" + parameter + "}"},
                           "X-Rate-Limit-Remaining": "0", "Retry-After": "60"}
        assert rules(cfn)[name]["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


@pytest.mark.parametrize("name, summary", [("token-per-ip", OAUTH_SUMMARY), ("authorize-per-ip", OAUTH_SUMMARY),
                                           ("signin-per-ip", OAUTH_SUMMARY),
                                           ("management-per-ip", MANAGEMENT_SUMMARY)])
def test_blocked_requests_get_okta_s_e0000047_body(cfn, name, summary):
    key = rules(cfn)[name]["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"]
    body = web_acl(cfn)["CustomResponseBodies"][key]
    assert body["ContentType"] == "APPLICATION_JSON"
    error = json.loads(body["Content"])
    assert error == {"errorCode": "E0000047", "errorSummary": summary, "errorLink": "E0000047",
                     "errorId": error["errorId"], "errorCauses": []}
    assert error["errorId"].startswith("oae") and len(error["errorId"]) == 25


def test_each_rule_covers_the_app_s_routes_of_its_surface_and_nothing_else(cfn):
    """Every route the app serves, as a client calls it through the custom domain (``/…``) and through the
    execute-api URL (``/api/…``, the stage's name), falls under exactly the rule of its surface."""
    expected_by_suffix = {"/v1/token": {"token-per-ip"}, "/v1/authorize": {"authorize-per-ip"},
                          "/signin": {"signin-per-ip"}}
    checked = set()
    for route in app.routes:
        path = concrete(route)
        if path.startswith("/api/v1/"):
            expected = {"management-per-ip"}
        else:
            expected = next((rules_ for suffix, rules_ in expected_by_suffix.items() if path.endswith(suffix)), set())
        for seen in (path, "/api" + path):
            assert limited_by(cfn, seen) == expected, (route, seen)
        checked |= expected
    assert checked == set(RULES)
    assert limited_by(cfn, "/oauth2/aus1/v1/keys") == set()  # keys and discovery are served from caches


def test_the_web_acl_guards_the_api_s_stage(cfn):
    associations = [r["Properties"] for r in cfn["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    assert len(associations) == 1
    acl_id = next(k for k, r in cfn["Resources"].items() if r["Type"] == "AWS::WAFv2::WebACL")
    assert associations[0]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    template, variables = associations[0]["ResourceArn"]["Fn::Sub"]
    assert template == "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${Stage}"
    # After the SAM transform the stage is a resource of its own; the association names it (so it waits for it).
    assert variables == {"Stage": {"Ref": "RestAPIapiStage"}}


def test_the_stage_is_throttled_from_the_stage_s_parameters(cfn):
    stage = next(r for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage")["Properties"]
    assert stage["StageName"] == "api"
    assert stage["MethodSettings"] == [{"ResourcePath": "/*", "HttpMethod": "*",
                                        "ThrottlingRateLimit": {"Ref": "ApiThrottleRate"},
                                        "ThrottlingBurstLimit": {"Ref": "ApiThrottleBurst"}}]


def test_throttled_requests_get_okta_s_e0000047_from_api_gateway(cfn):
    response = cfn["Resources"]["RestAPI"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
    assert response["statusCode"] == 429
    parameters = response["responseParameters"]
    assert parameters["gatewayresponse.header.Content-Type"] == "'application/json'"
    assert parameters["gatewayresponse.header.X-Rate-Limit-Limit"] == {"Fn::Sub": "'${ApiThrottleRate}'"}
    assert parameters["gatewayresponse.header.X-Rate-Limit-Remaining"] == "'0'"
    body = json.loads(response["responseTemplates"]["application/json"].replace("$context.requestId", "x"))
    assert (body["errorCode"], body["errorSummary"]) == ("E0000047", MANAGEMENT_SUMMARY)


def test_stage_limits_are_refused_when_they_are_not_parameters_or_out_of_range(tmp_path):
    import subprocess
    import sys

    from infra.stage_limits import apply

    template = {"Parameters": {name: {"Type": "Number", "MinValue": 10, "MaxValue": 10 ** 9}
                               for name in LIMITS["dev"]}}
    assert apply("dev", template)["Parameters"]["TokenRateLimit"]["Default"] == LIMITS["dev"]["TokenRateLimit"]
    for broken in ({"Parameters": {}}, {"Parameters": {n: {"MinValue": 10 ** 9 + 1} for n in LIMITS["dev"]}}):
        with pytest.raises(SystemExit):
            apply("dev", broken)
    with pytest.raises(SystemExit):
        apply("staging", template)
    done = subprocess.run([sys.executable, str(ROOT / "infra" / "stage_limits.py")], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
