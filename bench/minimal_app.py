"""The reference function of the cold-start ratio (issue 20): a minimal Chalice + boto3 Lambda.

One Chalice app with one route whose handler makes one DynamoDB GetItem and returns JSON, with one boto3 DynamoDB
client made by ``build()`` (what a real function does at module level; a function here so that the cold-start
child can time it as its own phase, like tokenmint's ``get_container()``). Imported by ``bench/coldstart_minimal.py``
in a fresh interpreter; its import is the reference's Lambda INIT.

With ``BENCH_MINIMAL_SIGN=1`` it also does what a token needs at minimum: PyJWT and cryptography are imported with
the app, and the handler loads an RSA key from the PEM in ``BENCH_MINIMAL_PEM`` (once, as a warm container would
keep it) and signs one RS256 JWT. The key is loaded without cryptography's RSA consistency check, as tokenmint
loads its KMS-decrypted keys (keys/jwk.py), so both sides pay the same for the parse.

Settings come from the environment: ``AWS_REGION``, ``AWS_ENDPOINT_URL`` (moto), ``BENCH_MINIMAL_TABLE`` and
``BENCH_MINIMAL_KEY`` (the item the parent created).
"""
from __future__ import annotations

import os
import time
from typing import Any

import boto3
from chalice.app import Chalice

SIGN = os.environ.get("BENCH_MINIMAL_SIGN") == "1"
if SIGN:  # imported at INIT, as tokenmint imports them
    import jwt
    from cryptography.hazmat.primitives import serialization

app = Chalice(app_name="minimal")
_state: dict[str, Any] = {}


def build() -> None:
    """The one AWS client of the function."""
    _state["dynamodb"] = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"),
                                      endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)


@app.route("/item/{item_id}")
def get_item(item_id: str) -> dict[str, Any]:
    if "dynamodb" not in _state:
        build()
    item = _state["dynamodb"].get_item(TableName=os.environ["BENCH_MINIMAL_TABLE"],
                                       Key={"id": {"S": item_id}})["Item"]
    body: dict[str, Any] = {"id": item["id"]["S"], "value": item["value"]["S"]}
    if SIGN:
        now = int(time.time())
        body["access_token"] = _sign({"sub": body["id"], "scp": [body["value"]], "iat": now, "exp": now + 3600})
    return body


def _sign(claims: dict[str, Any]) -> str:
    key: Any = _state.get("key")  # the parent's RSA key
    if key is None:
        key = _state["key"] = serialization.load_pem_private_key(
            os.environ["BENCH_MINIMAL_PEM"].encode(), password=None, unsafe_skip_rsa_key_validation=True)
    token: str = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "minimal"})
    return token
