"""Settings: the environment, read and validated once per container (fail fast with the variable's name).

=============================  ====================================================================
``TOKENMINT_STAGE``            stage name (``dev``, ``prod``, ``local``); default ``dev``
``AWS_REGION``                 region of every AWS client; default ``us-east-1``
``TOKENMINT_CONFIG_TABLE``     DynamoDB table of authorization-server configuration (required)
``TOKENMINT_DIRECTORY_TABLE``  DynamoDB table of admin API tokens and OAuth clients (required)
``TOKENMINT_GRANTS_TABLE``     DynamoDB table of short-lived grant state, with TTL (required)
``TOKENMINT_LOG_TABLE``        DynamoDB table of the System Log's events, with TTL (required)
``TOKENMINT_LOG_RETENTION_DAYS``  how long System Log events are kept (the table's TTL); default 90 (Okta's)
``TOKENMINT_LOG_TOKEN_SAMPLE``  the share of successful token events kept in the System Log, 0 to 1 (0: none;
                              failures and admin events are always kept); default 1
``TOKENMINT_LOG_POLL_LAG_SECONDS``  how far behind now a System Log poll reads: longer than a batch write of events
                              can take; default 15 (below that, a poller may miss an event whose write was slow)
``TOKENMINT_SYSTEM_LOG_LINES``  where each System Log event's JSON line goes: ``stdout`` (written straight to standard
                              output: the packaged stack) or ``logger`` (logged at INFO by ``tokenmint.audit.events``);
                              default ``logger`` (audit/log_lines.py)
``TOKENMINT_CACHE_SECONDS``    how stale a warm container's server configuration and clients may be when the change
                              log cannot be read (normally changes count within 1 s and an entry lives until the log
                              names it, an hour at most); 0 turns those caches off; default 30
``TOKENMINT_CACHE_MEGABYTES``  memory for those caches (configurations 3/4 - 1/32, clients 1/4, the apps' group
                              assignments 1/32; LRU); default 64
``TOKENMINT_KMS_KEY_ID``       KMS key (id, ARN or alias) that encrypts private signing keys (required)
``TOKENMINT_SECRET_PREFIX``    Secrets Manager name prefix of signing-key secrets; default ``tokenmint/<stage>``
``TOKENMINT_ROTATION_DAYS``    AUTO rotation interval in days; default 90 (Okta's)
``AWS_ENDPOINT_URL``           endpoint of every AWS client (moto's server locally); unset in AWS
``TOKENMINT_BASE_URL``         public base URL used in issuers and links; default: from the request
``TOKENMINT_ADMIN_TOKEN``      an operator's admin API token, accepted besides stored tokens
=============================  ====================================================================
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Mapping

from .audit.log_lines import LINE_SINKS


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    config_table: str
    directory_table: str
    grants_table: str
    log_table: str
    endpoint_url: str | None
    base_url: str | None
    kms_key_id: str
    secret_prefix: str
    rotation_days: int
    cache_seconds: int
    cache_megabytes: int
    # Only the hash of TOKENMINT_ADMIN_TOKEN is kept in memory after start-up.
    admin_token_sha256: str | None
    log_retention_days: int = 90
    log_token_sample: float = 1.0
    log_poll_lag_seconds: int = 15
    system_log_lines: str = "logger"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise SettingsError(f"{name} must be set")
            return value

        base_url = env.get("TOKENMINT_BASE_URL", "").strip().rstrip("/") or None
        if base_url and not base_url.startswith(("https://", "http://")):
            raise SettingsError("TOKENMINT_BASE_URL must start with https:// or http://")
        admin_token = env.get("TOKENMINT_ADMIN_TOKEN", "").strip()
        if admin_token and len(admin_token) < 20:
            raise SettingsError("TOKENMINT_ADMIN_TOKEN must be at least 20 characters long")
        stage = env.get("TOKENMINT_STAGE", "dev")
        try:
            rotation_days = int(env.get("TOKENMINT_ROTATION_DAYS") or 90)
        except ValueError:
            raise SettingsError("TOKENMINT_ROTATION_DAYS must be a whole number of days") from None
        if not 2 <= rotation_days <= 3650:
            raise SettingsError("TOKENMINT_ROTATION_DAYS must be between 2 and 3650")
        try:
            cache_seconds = int(env.get("TOKENMINT_CACHE_SECONDS") or 30)
        except ValueError:
            raise SettingsError("TOKENMINT_CACHE_SECONDS must be a whole number of seconds") from None
        if not 0 <= cache_seconds <= 300:
            # The signer trusts a cached ACTIVE kid for at most 5 minutes (keys/signer.py).
            raise SettingsError("TOKENMINT_CACHE_SECONDS must be between 0 and 300")
        try:
            cache_megabytes = int(env.get("TOKENMINT_CACHE_MEGABYTES") or 64)
        except ValueError:
            raise SettingsError("TOKENMINT_CACHE_MEGABYTES must be a whole number of megabytes") from None
        if not 1 <= cache_megabytes <= 4096:
            raise SettingsError("TOKENMINT_CACHE_MEGABYTES must be between 1 and 4096")
        try:
            log_retention_days = int(env.get("TOKENMINT_LOG_RETENTION_DAYS") or 90)
        except ValueError:
            raise SettingsError("TOKENMINT_LOG_RETENTION_DAYS must be a whole number of days") from None
        if not 1 <= log_retention_days <= 3650:
            raise SettingsError("TOKENMINT_LOG_RETENTION_DAYS must be between 1 and 3650")
        try:
            log_token_sample = float(env.get("TOKENMINT_LOG_TOKEN_SAMPLE") or 1)
        except ValueError:
            raise SettingsError("TOKENMINT_LOG_TOKEN_SAMPLE must be a number from 0 to 1") from None
        if not 0 <= log_token_sample <= 1:
            raise SettingsError("TOKENMINT_LOG_TOKEN_SAMPLE must be a number from 0 to 1")
        try:
            log_poll_lag_seconds = int(env.get("TOKENMINT_LOG_POLL_LAG_SECONDS") or 15)
        except ValueError:
            raise SettingsError("TOKENMINT_LOG_POLL_LAG_SECONDS must be a whole number of seconds") from None
        if not 0 <= log_poll_lag_seconds <= 300:
            raise SettingsError("TOKENMINT_LOG_POLL_LAG_SECONDS must be between 0 and 300")
        system_log_lines = env.get("TOKENMINT_SYSTEM_LOG_LINES", "").strip() or "logger"
        if system_log_lines not in LINE_SINKS:
            raise SettingsError("TOKENMINT_SYSTEM_LOG_LINES must be " + " or ".join(LINE_SINKS))
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            config_table=required("TOKENMINT_CONFIG_TABLE"),
            directory_table=required("TOKENMINT_DIRECTORY_TABLE"),
            grants_table=required("TOKENMINT_GRANTS_TABLE"),
            log_table=required("TOKENMINT_LOG_TABLE"),
            endpoint_url=env.get("AWS_ENDPOINT_URL", "").strip() or None,
            base_url=base_url,
            kms_key_id=required("TOKENMINT_KMS_KEY_ID"),
            secret_prefix=(env.get("TOKENMINT_SECRET_PREFIX") or f"tokenmint/{stage}").strip("/"),
            rotation_days=rotation_days,
            cache_seconds=cache_seconds,
            cache_megabytes=cache_megabytes,
            admin_token_sha256=hashlib.sha256(admin_token.encode()).hexdigest() if admin_token else None,
            log_retention_days=log_retention_days,
            log_token_sample=log_token_sample,
            log_poll_lag_seconds=log_poll_lag_seconds,
            system_log_lines=system_log_lines,
        )
