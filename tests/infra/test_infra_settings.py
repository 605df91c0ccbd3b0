"""The environment the code reads (chalicelib/settings.py) and the one the template gives each function are the same,
and the tables the template creates are the tables the code's models expect: a deploy cannot start with a missing
or misspelt table name, key or prefix."""
from __future__ import annotations

import ast
import re

import pytest

from tests.infra.infra_support import FUNCTIONS, ROOT, TABLES, function_env

SETTINGS = ROOT / "chalicelib" / "settings.py"
# Read by settings but deliberately absent from the template, and why.
NOT_IN_TEMPLATE = {
    "AWS_REGION": "set by the Lambda runtime (a reserved variable: a template may not set it)",
    "AWS_DEFAULT_REGION": "fallback of AWS_REGION; also set by the Lambda runtime (reserved)",
    "AWS_ENDPOINT_URL": "local stack only (moto); unset in AWS so every client reaches the real service",
}
# Read by settings.py but not in its docstring's table (reported to the owners of settings.py).
UNDOCUMENTED = {"AWS_DEFAULT_REGION"}
# Only where a function needs it, and only while a parameter asks for it.
CONDITIONAL = {"TOKENMINT_ADMIN_TOKEN": ("APIHandler", "HasBootstrapAdminToken")}
# Stand-ins for what CloudFormation resolves, to build Settings from the template's environment.
RESOLVED = {
    "ConfigTable": "tokenmint-dev-config", "DirectoryTable": "tokenmint-dev-directory",
    "GrantsTable": "tokenmint-dev-grants", "LogTable": "tokenmint-dev-log", "BaseUrl": "https://login.example.test",
    "EncryptionKey.Arn": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    "AWS::StackName": "tokenmint-dev",
}


def documented_names() -> list[str]:
    """The names in the table of settings.py's docstring."""
    doc = ast.get_docstring(ast.parse(SETTINGS.read_text())) or ""
    return re.findall(r"^``([A-Z][A-Z0-9_]+)``", doc, flags=re.M)


def names_read_by_code() -> set[str]:
    """Every environment variable settings.py reads: env.get("X") and required("X")."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("get", "required") and re.fullmatch(r"[A-Z][A-Z0-9_]+", str(node.args[0].value)):
                names.add(node.args[0].value)
    return names


def resolve(value):
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return RESOLVED[value["Ref"]]
    if "Fn::GetAtt" in value:
        return RESOLVED[".".join(value["Fn::GetAtt"])]
    if "Fn::Sub" in value:
        return re.sub(r"\$\{([^}]+)\}", lambda m: RESOLVED[m.group(1)], value["Fn::Sub"])
    raise AssertionError(f"unexpected environment value {value}")


def unconditional_env(cfn, function):
    return {k: resolve(v) for k, v in function_env(cfn, function).items() if "Fn::If" not in v}


def required_names(env: dict[str, str]) -> set[str]:
    """The names without which Settings refuses to start, found by removing each in turn."""
    from chalicelib.settings import Settings, SettingsError

    needed = set()
    for name in env:
        try:
            Settings.from_env({k: v for k, v in env.items() if k != name})
        except SettingsError as exc:
            assert name in str(exc)
            needed.add(name)
    return needed


def test_the_documented_table_lists_exactly_what_settings_reads():
    assert len(documented_names()) == len(set(documented_names()))
    assert set(documented_names()) | UNDOCUMENTED == names_read_by_code()


def test_each_function_gets_exactly_the_settings_the_code_reads(cfn):
    expected = names_read_by_code() - set(NOT_IN_TEMPLATE)
    for function in FUNCTIONS:
        names = set(function_env(cfn, function))
        wanted = {n for n in expected if n not in CONDITIONAL or CONDITIONAL[n][0] == function}
        assert names == wanted, function


def test_conditional_settings_are_set_only_when_their_parameter_asks(cfn):
    for name, (function, condition) in CONDITIONAL.items():
        value = function_env(cfn, function)[name]
        assert value["Fn::If"][0] == condition and value["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    token = function_env(cfn, "APIHandler")["TOKENMINT_ADMIN_TOKEN"]["Fn::If"][1]
    # The token comes from Secrets Manager at deploy time, never from a template parameter's plain value.
    assert token == {"Fn::Sub": "{{resolve:secretsmanager:${BootstrapAdminTokenSecret}:SecretString}}"}
    assert cfn["Parameters"]["BootstrapAdminTokenSecret"]["Default"] == ""


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_settings_start_from_the_template_environment_alone(cfn, packaged, function):
    from chalicelib.settings import Settings

    env = unconditional_env(cfn, function)
    assert required_names(env) <= set(env)
    settings = Settings.from_env(env)
    assert settings.stage == packaged.stage
    assert (settings.config_table, settings.directory_table, settings.grants_table, settings.log_table) == (
        "tokenmint-dev-config", "tokenmint-dev-directory", "tokenmint-dev-grants", "tokenmint-dev-log")
    assert settings.kms_key_id == RESOLVED["EncryptionKey.Arn"]
    assert settings.base_url == "https://login.example.test"
    assert settings.endpoint_url is None and settings.admin_token_sha256 is None
    # The System Log's lines go to the log group as the events' JSON, not wrapped by the runtime's log format.
    assert settings.system_log_lines == "stdout"


def test_every_required_setting_names_a_resource_or_value_of_the_template(cfn):
    env = function_env(cfn, "APIHandler")
    for logical, name in TABLES.items():
        assert env[name] == {"Ref": logical}
    assert env["TOKENMINT_KMS_KEY_ID"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    assert env["TOKENMINT_BASE_URL"] == {"Ref": "BaseUrl"}
    assert "Default" not in cfn["Parameters"]["BaseUrl"]  # no deploy without an issuer base URL


def test_the_secret_prefix_is_the_one_the_roles_may_use(cfn):
    from tests.infra.test_infra_security import SECRET_ARN

    for function in FUNCTIONS:
        prefix = function_env(cfn, function)["TOKENMINT_SECRET_PREFIX"]["Fn::Sub"]
        assert SECRET_ARN.endswith(f":secret:{prefix}/*")


def test_the_tables_have_the_keys_and_index_the_code_s_models_use(cfn):
    from chalicelib.storage.models import Item, build_model

    for logical in TABLES:
        properties = cfn["Resources"][logical]["Properties"]
        schema = build_model(f"check-{logical}", "us-east-1", None)._get_schema()
        attributes = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        assert {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]} == attributes
        assert [(k["AttributeName"], k["KeyType"]) for k in properties["KeySchema"]] == [
            (k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]]
        indexes = {i["index_name"]: i for i in schema["global_secondary_indexes"]}
        assert {i["IndexName"] for i in properties["GlobalSecondaryIndexes"]} == set(indexes)
        for index in properties["GlobalSecondaryIndexes"]:
            model_index = indexes[index["IndexName"]]
            assert [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]] == [
                (k["AttributeName"], k["KeyType"]) for k in model_index["key_schema"]]
            assert index["Projection"]["ProjectionType"] == model_index["projection"]["ProjectionType"]
    ttl = cfn["Resources"]["GrantsTable"]["Properties"]["TimeToLiveSpecification"]["AttributeName"]
    assert Item.expiresAt.attr_name == ttl
