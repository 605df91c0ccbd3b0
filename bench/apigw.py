"""API Gateway REST API proxy events (payload format 1.0), as Lambda hands them to the Chalice app."""
from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import urlencode

HOST = "abcdef1234.execute-api.us-east-1.amazonaws.com"
STAGE = "api"
TOKEN_RESOURCE = "/oauth2/{authServerId}/v1/token"
KEYS_RESOURCE = "/oauth2/{authServerId}/v1/keys"


def proxy_event(method: str, resource: str, server_id: str, headers: dict[str, str],
                body: str | None) -> dict[str, Any]:
    path = resource.replace("{authServerId}", server_id)
    now = time.time()
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"authServerId": server_id},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Xyz12AbCdEFg=",
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": HOST.split(".")[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "python-requests/2.32.3", "accessKey": None,
                         "accountId": None, "caller": None, "cognitoIdentityPoolId": None, "user": None,
                         "userArn": None},
            "domainName": HOST,
            "apiId": HOST.split(".")[0],
        },
        "body": body,
        "isBase64Encoded": False,
    }


def gateway_headers(extra: dict[str, str]) -> dict[str, str]:
    return {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "CloudFront-Forwarded-Proto": "https",
        "Host": HOST,
        "User-Agent": "python-requests/2.32.3",
        "X-Amzn-Trace-Id": "Root=1-67890abc-1234567890abcdef12345678",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **extra,
    }


def token_event(server_id: str, client_id: str, client_secret: str, scope: str) -> dict[str, Any]:
    """``POST /oauth2/{id}/v1/token`` with ``client_secret_basic`` and a client_credentials form body."""
    body = urlencode({"grant_type": "client_credentials", "scope": scope})
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return proxy_event("POST", TOKEN_RESOURCE, server_id, gateway_headers({
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
    }), body)


def keys_event(server_id: str) -> dict[str, Any]:
    return proxy_event("GET", KEYS_RESOURCE, server_id, gateway_headers({}), None)


class LambdaContext:
    """The attributes of the Lambda context object a handler may read."""

    function_name = "tokenmint-dev"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:tokenmint-dev"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/tokenmint-dev"
    log_stream_name = "2025/01/01/[$LATEST]0123456789abcdef"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + 30

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)
