"""settings.py: the environment is validated once and failures name the variable."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.settings import Settings, SettingsError

TABLES = {"TOKENMINT_CONFIG_TABLE": "tm-config", "TOKENMINT_DIRECTORY_TABLE": "tm-directory",
          "TOKENMINT_GRANTS_TABLE": "tm-grants", "TOKENMINT_LOG_TABLE": "tm-logs", "TOKENMINT_KMS_KEY_ID": "alias/tokenmint"}


@pytest.mark.parametrize("missing", ["TOKENMINT_CONFIG_TABLE", "TOKENMINT_DIRECTORY_TABLE", "TOKENMINT_GRANTS_TABLE",
                                     "TOKENMINT_KMS_KEY_ID"])
def test_a_missing_required_variable_is_named(missing):
    env = {k: v for k, v in TABLES.items() if k != missing}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert missing in str(raised.value)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_table_counts_as_missing(blank):
    with pytest.raises(SettingsError, match="TOKENMINT_CONFIG_TABLE"):
        Settings.from_env({**TABLES, "TOKENMINT_CONFIG_TABLE": blank})


def test_settings_error_is_a_value_error():
    assert issubclass(SettingsError, ValueError)


def test_defaults():
    settings = Settings.from_env(dict(TABLES))
    assert settings.stage == "dev"
    assert settings.region == "us-east-1"
    assert settings.config_table == "tm-config"
    assert settings.directory_table == "tm-directory"
    assert settings.endpoint_url is None
    assert settings.base_url is None
    assert settings.admin_token_sha256 is None
    assert settings.kms_key_id == "alias/tokenmint"
    assert settings.secret_prefix == "tokenmint/dev"
    assert settings.rotation_days == 90
    assert settings.cache_seconds == 30
    assert settings.cache_megabytes == 64


def test_secret_prefix_follows_the_stage_unless_set():
    assert Settings.from_env({**TABLES, "TOKENMINT_STAGE": "prod"}).secret_prefix == "tokenmint/prod"
    assert Settings.from_env({**TABLES, "TOKENMINT_SECRET_PREFIX": "/keys/tm/"}).secret_prefix == "keys/tm"


@pytest.mark.parametrize("raw", ["abc", "1", "3651", "-5", "1.5"])
def test_bad_rotation_days_name_the_variable(raw):
    with pytest.raises(SettingsError, match="TOKENMINT_ROTATION_DAYS"):
        Settings.from_env({**TABLES, "TOKENMINT_ROTATION_DAYS": raw})


@pytest.mark.parametrize("raw", ["abc", "0", "4097", "-1", "1.5"])
def test_bad_cache_megabytes_name_the_variable(raw):
    with pytest.raises(SettingsError, match="TOKENMINT_CACHE_MEGABYTES"):
        Settings.from_env({**TABLES, "TOKENMINT_CACHE_MEGABYTES": raw})


def test_cache_megabytes_size_the_token_path_caches():
    from chalicelib.container import Container
    from chalicelib.storage.memory import InMemoryStorage

    settings = Settings.from_env({**TABLES, "TOKENMINT_CACHE_MEGABYTES": "8"})
    caches = Container.build(settings, storage=InMemoryStorage()).caches
    # Configurations 3/4 less the apps' group assignments' 1/32, clients 1/4: the whole is the setting.
    assert caches.configs.stats().budget == 6 * 1024 * 1024 - 256 * 1024
    assert caches.clients.stats().budget == 2 * 1024 * 1024
    assert caches.app_groups is not None and caches.app_groups.stats().budget == 256 * 1024


def test_rotation_days():
    assert Settings.from_env({**TABLES, "TOKENMINT_ROTATION_DAYS": "30"}).rotation_days == 30


def test_table_names_are_stripped():
    settings = Settings.from_env({**TABLES, "TOKENMINT_CONFIG_TABLE": " a ", "TOKENMINT_DIRECTORY_TABLE": "b\n"})
    assert (settings.config_table, settings.directory_table) == ("a", "b")


def test_region_prefers_aws_region_over_the_default_region():
    assert Settings.from_env({**TABLES, "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}).region == \
        "eu-west-1"
    assert Settings.from_env({**TABLES, "AWS_DEFAULT_REGION": "us-west-2"}).region == "us-west-2"


def test_endpoint_and_stage():
    settings = Settings.from_env({**TABLES, "AWS_ENDPOINT_URL": " http://127.0.0.1:5000 ", "TOKENMINT_STAGE": "local"})
    assert settings.endpoint_url == "http://127.0.0.1:5000"
    assert settings.stage == "local"
    assert Settings.from_env({**TABLES, "AWS_ENDPOINT_URL": "  "}).endpoint_url is None


@pytest.mark.parametrize("raw, expected", [
    ("https://id.example.com", "https://id.example.com"),
    ("https://id.example.com/", "https://id.example.com"),
    ("http://127.0.0.1:8000//", "http://127.0.0.1:8000"),
    ("   ", None),
])
def test_base_url_is_normalised(raw, expected):
    assert Settings.from_env({**TABLES, "TOKENMINT_BASE_URL": raw}).base_url == expected


@pytest.mark.parametrize("raw", ["id.example.com", "ftp://id.example.com", "//id.example.com"])
def test_base_url_needs_a_scheme(raw):
    with pytest.raises(SettingsError, match="TOKENMINT_BASE_URL"):
        Settings.from_env({**TABLES, "TOKENMINT_BASE_URL": raw})


def test_admin_token_is_kept_only_as_its_hash():
    token = "00" + "s3cret" * 5
    settings = Settings.from_env({**TABLES, "TOKENMINT_ADMIN_TOKEN": token})
    assert settings.admin_token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(settings)


def test_a_short_admin_token_is_refused():
    with pytest.raises(SettingsError, match="TOKENMINT_ADMIN_TOKEN"):
        Settings.from_env({**TABLES, "TOKENMINT_ADMIN_TOKEN": "short"})


def test_settings_are_frozen():
    settings = Settings.from_env(dict(TABLES))
    with pytest.raises(AttributeError):
        settings.config_table = "other"  # type: ignore[misc]


def test_system_log_lines_go_to_the_logger_unless_stdout_is_named():
    assert Settings.from_env(dict(TABLES)).system_log_lines == "logger"
    assert Settings.from_env({**TABLES, "TOKENMINT_SYSTEM_LOG_LINES": " stdout "}).system_log_lines == "stdout"
    assert Settings.from_env({**TABLES, "TOKENMINT_SYSTEM_LOG_LINES": "logger"}).system_log_lines == "logger"


@pytest.mark.parametrize("raw", ["STDOUT", "stderr", "file:/tmp/x", "none"])
def test_an_unknown_system_log_line_sink_is_named(raw):
    with pytest.raises(SettingsError, match="TOKENMINT_SYSTEM_LOG_LINES must be logger or stdout"):
        Settings.from_env({**TABLES, "TOKENMINT_SYSTEM_LOG_LINES": raw})
