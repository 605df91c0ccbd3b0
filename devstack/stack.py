"""Start and stop the whole local stack in one process: moto's server, tables, the default server, an admin
token, and the app on HTTP."""
from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass

LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1", "TOKENMINT_STAGE": "local",
    "TOKENMINT_CONFIG_TABLE": "tokenmint-local-config", "TOKENMINT_DIRECTORY_TABLE": "tokenmint-local-directory",
    "TOKENMINT_GRANTS_TABLE": "tokenmint-local-grants",
    "TOKENMINT_LOG_TABLE": "tokenmint-local-logs",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningStack:
    base_url: str
    admin_token: str
    token_generated: bool
    console_login: str
    console_password: str
    password_generated: bool
    aws_endpoint: str
    _moto: object
    _http: object

    def stop(self) -> None:
        self._http.shutdown()  # type: ignore[attr-defined]
        self._http.server.server_close()  # type: ignore[attr-defined]
        self._moto.stop()  # type: ignore[attr-defined]


def start(host: str = "127.0.0.1", port: int = 8000) -> RunningStack:
    from .moto_server import LocalMotoServer

    moto_port = int(os.environ.get("TOKENMINT_MOTO_PORT") or free_port(host))
    # moto's werkzeug logs every AWS call; the app's own request lines are what an operator wants to see.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto = LocalMotoServer(host, moto_port)  # DynamoDB requests serialized, as DynamoDB's writes are
    moto.start()
    endpoint = f"http://{host}:{moto_port}"
    for key, value in LOCAL_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ["TOKENMINT_BASE_URL"] = os.environ.get("TOKENMINT_BASE_URL") or ""

    import boto3

    if not os.environ.get("TOKENMINT_KMS_KEY_ID"):
        # The stage's customer-managed key, in moto (infra/ creates the real one in AWS).
        kms = boto3.client("kms", endpoint_url=endpoint, region_name=os.environ["AWS_REGION"])
        os.environ["TOKENMINT_KMS_KEY_ID"] = kms.create_key(Description="tokenmint local signing keys")[
            "KeyMetadata"]["KeyId"]

    # Imported only now: settings are read from the environment set above.
    from chalicelib.container import Container, set_container
    from chalicelib.settings import Settings

    from app import app

    from .http_server import serve

    container = Container.build(Settings.from_env())
    container.bootstrap()
    set_container(container)
    admin_token = os.environ.get("TOKENMINT_ADMIN_TOKEN", "").strip()
    generated = not admin_token
    if generated:
        _token, admin_token = container.api_tokens.create({"name": "make run"})
    password = os.environ.get("TOKENMINT_ADMIN_PASSWORD", "").strip()
    password_generated = not password
    password = password or secrets.token_urlsafe(12) + "-Aa1"
    _console_admin(container, password)
    http, _thread = serve(app, host, port)
    return RunningStack(base_url=f"http://{host}:{http.server.server_port}", admin_token=admin_token,
                        token_generated=generated, console_login=CONSOLE_LOGIN, console_password=password,
                        password_generated=password_generated, aws_endpoint=endpoint, _moto=moto, _http=http)


CONSOLE_LOGIN = "admin@tokenmint.local"


def _console_admin(container: object, password: str) -> None:
    """The person who signs in to the admin console locally: a super administrator (local data only; in AWS an
    operator creates people and assigns roles through the API, docs/console.md)."""
    user = container.users.create({  # type: ignore[attr-defined]
        "profile": {"login": CONSOLE_LOGIN, "email": CONSOLE_LOGIN, "firstName": "Local", "lastName": "Admin"},
        "credentials": {"password": {"value": password}}}, activate=True)
    container.admin_roles.assign(user.id, {"type": "SUPER_ADMIN"})  # type: ignore[attr-defined]
