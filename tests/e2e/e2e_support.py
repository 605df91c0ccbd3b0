"""Helpers for the end-to-end suite: the wire recorder, running the (async) Okta SDK, and request models.

Everything here talks to the real local stack over HTTP; nothing is mocked. Test modules import it as
``e2e_support`` (this directory is on ``sys.path`` because it holds a ``conftest.py``).
"""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Coroutine, Iterable, Mapping

import pytest
from okta import models
from okta.errors.okta_api_error import OktaAPIError
from okta.http_client import HTTPClient

# --------------------------------------------------------------------------------------------------------------
# Recording every exchange
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response exactly as it came off the wire (status, headers, body)."""

    source: str  # "sdk" (the official okta SDK) or "requests" (plain HTTP tests)
    test: str  # node id of the test that caused it
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes | None
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").lower()

    def json(self) -> Any:
        return json.loads(self.response_body)

    def describe(self) -> str:
        body = self.response_body.decode("utf-8", "replace")
        if len(body) > 600:
            body = body[:600] + "..."
        return f"{self.method} {self.url} -> {self.status} [{self.content_type or 'no content-type'}] {body}"


@dataclass
class Recorder:
    """Collects every exchange of the session; thread-safe (aiohttp callbacks and requests hooks)."""

    exchanges: list[Exchange] = field(default_factory=list)
    current_test: str = "<outside a test>"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges)

    # -- the two ways traffic reaches the recorder -----------------------------------------------------------

    def http_client_class(self) -> type[HTTPClient]:
        """An ``HTTPClient`` for ``okta.client.Client({"httpClient": ...})`` that records what the SDK sends and
        the aiohttp response it gets back (real status, headers and body text), then hands both to the SDK
        unchanged."""
        recorder = self

        class RecordingHTTPClient(HTTPClient):
            async def send_request(self, request):  # noqa: ANN001 - the SDK's signature
                result = await super().send_request(request)
                _request_info, response, body_text, _error = result
                if response is not None:
                    headers = {**self._default_headers, **(request.get("headers") or {})}
                    sent = request.get("data") or request.get("json")
                    recorder.add(Exchange(
                        source="sdk", test=recorder.current_test, method=request["method"].upper(),
                        url=str(response.url), request_headers=tuple((str(k), str(v)) for k, v in headers.items()),
                        request_body=json.dumps(sent).encode() if sent else None, status=response.status,
                        response_headers=tuple((str(k), str(v)) for k, v in response.headers.items()),
                        response_body=(body_text or "").encode("utf-8"),
                    ))
                return result

        return RecordingHTTPClient

    def requests_hook(self, response, *_args, **_kwargs):  # noqa: ANN001 - requests' hook signature
        prepared = response.request
        body = prepared.body
        self.add(Exchange(
            source="requests", test=self.current_test, method=prepared.method.upper(), url=prepared.url,
            request_headers=tuple(prepared.headers.items()),
            request_body=body.encode() if isinstance(body, str) else body,
            status=response.status_code, response_headers=tuple(response.headers.items()),
            response_body=response.content,
        ))
        return response


# Where conftest keeps the session's recorder and the conformance summary (read by the terminal summary).
RECORDER_KEY = pytest.StashKey[Recorder]()
SUMMARY_KEY = pytest.StashKey[dict]()
NOT_RUN_KEY = pytest.StashKey[str]()  # why the conformance check did not run


# --------------------------------------------------------------------------------------------------------------
# Running SDK calls
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    """An SDK call's outcome, whatever tuple shape the SDK chose.

    okta 3.4.6 returns ``(data, resp, err)``, except for methods without a response body, which return the
    2-tuple ``(resp, err)`` when the server answered with an error body (clients.md 2.2). ``resp`` is an
    ``ApiResponse`` on success and an aiohttp ``ClientResponse`` on error.
    """

    data: Any
    status: int | None
    headers: Mapping[str, str]
    error: Exception | None
    raw: bytes | None
    shape: int

    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


def call(coro: Coroutine[Any, Any, tuple]) -> Result:
    out = asyncio.run(coro)
    if len(out) == 3:
        data, resp, err = out
    elif len(out) == 2:
        data, (resp, err) = None, out
    else:  # pragma: no cover - would be an SDK change
        raise AssertionError(f"unexpected SDK result shape: {out!r}")
    status = getattr(resp, "status_code", None) or getattr(resp, "status", None)
    headers = getattr(resp, "headers", None) or {}
    raw = getattr(resp, "raw_data", None)
    return Result(data=data, status=status, headers=headers, error=err, raw=raw, shape=len(out))


def expect(status: int, coro: Coroutine[Any, Any, tuple]) -> Any:
    """Run an SDK call that must succeed with exactly ``status`` and return the deserialized data.

    The SDK deserializes only the status its OpenAPI map names (201 for creates): any other 2xx silently yields
    ``data=None`` (clients.md 2.5), so a body is required here for everything but 204.
    """
    result = call(coro)
    assert result.error is None, f"expected HTTP {status}, the SDK reported: {result.error!r}"
    assert result.status == status, f"expected HTTP {status}, got {result.status}"
    if status == 204:
        assert result.data is None
        assert not result.raw, f"a 204 must have an empty body, got {result.raw!r}"
    else:
        assert result.data is not None, f"the SDK could not deserialize the {status} body: {result.raw!r}"
    return result.data


def expect_error(status: int, code: str, coro: Coroutine[Any, Any, tuple]) -> OktaAPIError:
    """Run an SDK call that must fail with Okta's error ``code`` (parsed by the SDK as an ``OktaAPIError``)."""
    result = call(coro)
    assert result.data is None
    err = result.error
    assert isinstance(err, OktaAPIError), f"expected OktaAPIError {status} {code}, got {err!r}"
    assert (err.status, err.error_code) == (status, code), err.message
    assert err.error_link == err.error_code
    assert err.error_id.startswith("oae") and len(err.error_id) == 25, err.error_id
    assert isinstance(err.error_causes, list)
    return err


def causes(err: OktaAPIError) -> list[str]:
    return [c.get("errorSummary", "") for c in err.error_causes]


def not_found_summary(resource_id: str, resource_type: str) -> str:
    """Okta's real E0000007 text (okta-api.md 1.2)."""
    return f"Not found: Resource not found: {resource_id} ({resource_type})"


# --------------------------------------------------------------------------------------------------------------
# Request models (okta.models only)
# --------------------------------------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def server_body(name: str | None = None, audience: str | None = None, description: str | None = "e2e server"
                ) -> models.AuthorizationServer:
    name = name or unique("e2e-as")
    return models.AuthorizationServer(name=name, description=description,
                                      audiences=[audience or f"api://{name}"])


def scope_body(name: str, **fields: Any) -> models.OAuth2Scope:
    return models.OAuth2Scope(name=name, **fields)


def claim_body(name: str, claim_type: str = "RESOURCE", value: str = '"e2e"', value_type: str = "EXPRESSION",
               scopes: Iterable[str] = (), **fields: Any) -> models.OAuth2Claim:
    return models.OAuth2Claim(name=name, claim_type=claim_type, value_type=value_type, value=value,
                              conditions=models.OAuth2ClaimConditions(scopes=list(scopes)), **fields)


def policy_body(name: str | None = None, priority: int | None = None, description: str = "e2e policy",
                clients: Iterable[str] = ("ALL_CLIENTS",), status: str | None = None
                ) -> models.AuthorizationServerPolicy:
    return models.AuthorizationServerPolicy(
        type="OAUTH_AUTHORIZATION_POLICY", name=name or unique("e2e-policy"), description=description,
        priority=priority, status=status,
        conditions=models.AuthorizationServerPolicyConditions(
            clients=models.ClientPolicyCondition(include=list(clients))),
    )


def rule_body(name: str | None = None, priority: int | None = None,
              grant_types: Iterable[str] = ("client_credentials",), scopes: Iterable[str] = ("*",),
              access_minutes: int = 60, groups: Iterable[str] = ("EVERYONE",)
              ) -> models.AuthorizationServerPolicyRuleRequest:
    """Create/replace of a rule takes ``AuthorizationServerPolicyRuleRequest`` (clients.md 2.3)."""
    body: dict[str, Any] = {
        "type": "RESOURCE_ACCESS", "name": name or unique("e2e-rule"),
        "conditions": {
            "grantTypes": {"include": list(grant_types)},
            "people": {"groups": {"include": list(groups)}},
            "scopes": {"include": list(scopes)},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": access_minutes, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080}},
    }
    if priority is not None:
        body["priority"] = priority
    return models.AuthorizationServerPolicyRuleRequest.from_dict(body)


def rule_request_from(rule: models.AuthorizationServerPolicyRule, **changes: Any
                      ) -> models.AuthorizationServerPolicyRuleRequest:
    """GET-modify-PUT for rules: the SDK's replace wants the request model, built from what GET returned."""
    data = rule.to_dict()
    data.update(changes)
    return models.AuthorizationServerPolicyRuleRequest.from_dict(data)


def enum_value(value: Any) -> Any:
    """Model fields are sometimes enums, sometimes plain strings: compare by value."""
    return getattr(value, "value", value)
