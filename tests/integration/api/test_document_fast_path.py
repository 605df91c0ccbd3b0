"""The public documents' fast path (chalicelib/api/fastpath.py): the JWKS and both discovery documents answer exactly
as Chalice's routing does.

Every event goes once through ``app(event, context)`` (the fast path, which is what Lambda and the local stack call)
and once through ``Chalice.__call__`` (the same app, routed by Chalice to the blueprint's view); the two responses
must be the same but for the request id and Okta's ``errorId``. Events the fast path leaves to Chalice (other
methods, a named content type) are compared too, so that what they answer is pinned either way.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from chalice import Chalice

from bench.apigw import LambdaContext, gateway_headers, proxy_event
from chalicelib.keys import lifecycle
from tests.integration.api.test_token_fast_path import app, comparable  # noqa: F401 - app is a fixture
from tests.integration.api.test_token_fast_path_middleware import spied  # noqa: F401 - a fixture

JWKS = "/oauth2/{authServerId}/v1/keys"
OPENID = "/oauth2/{authServerId}/.well-known/openid-configuration"
METADATA = "/oauth2/{authServerId}/.well-known/oauth-authorization-server"
DOCUMENTS = [JWKS, OPENID, METADATA]
SPA = "https://spa.example.com"


def event(resource: str, headers: dict[str, str] | None = None, server: str = "default", method: str = "GET",
          raw_headers: bool = False, body: str | None = None) -> dict:
    return proxy_event(method, resource, server, headers or {} if raw_headers else gateway_headers(headers or {}),
                       body)


def assert_same(app, sent: dict) -> dict:
    fast = app(sent, LambdaContext())
    routed = Chalice.__call__(app, sent, LambdaContext())
    assert comparable(fast) == comparable(routed)
    assert set(fast) == set(routed)
    return fast


@pytest.fixture
def spa(container):
    container.trusted_origins.create({"name": "spa", "origin": SPA, "scopes": [{"type": "CORS"}]}, None)
    return SPA


HEADERS = {
    "plain": {},
    "trusted origin": {"Origin": SPA},
    "other origin": {"Origin": "https://evil.example.com"},
    "forwarded host": {"X-Forwarded-Host": "login.example.com", "X-Forwarded-Proto": "https, http"},
    "lower-case names": {"origin": SPA, "host": "id.example.com", "x-forwarded-proto": "https"},
    "json content type": {"Content-Type": "application/json"},
    "text content type": {"Content-Type": "text/plain"},  # Chalice's 415, in Okta's error JSON
    "accept html": {"Accept": "text/html"},
}


@pytest.mark.parametrize("case", sorted(HEADERS))
@pytest.mark.parametrize("resource", DOCUMENTS)
def test_each_document_is_the_same_either_way(app, spa, resource, case):
    response = assert_same(app, event(resource, HEADERS[case]))
    assert response["statusCode"] == (415 if case == "text content type" else 200)
    if response["statusCode"] == 200:
        assert response["headers"]["Content-Type"] == "application/json"
        assert response["headers"]["Vary"] == "Origin"
        assert response["headers"].get("Access-Control-Allow-Origin") == (
            SPA if HEADERS[case].get("Origin", HEADERS[case].get("origin")) == SPA else None)


def test_only_the_gateway_headers_the_event_has(app, spa):
    for resource in DOCUMENTS:
        assert assert_same(app, event(resource, {"Host": "bare.example.com"}, raw_headers=True))["statusCode"] == 200


@pytest.mark.parametrize("resource", DOCUMENTS)
@pytest.mark.parametrize("server", ["ausNoSuchServer0000", "inactive", "org"])
def test_an_unknown_or_inactive_server_is_the_same_either_way(app, container, spa, resource, server):
    if server == "inactive":
        made = container.servers.create({"name": "gone", "audiences": ["api://gone"]})
        container.servers.deactivate(made.id)
        server = made.id
    response = assert_same(app, event(resource, {"Origin": SPA}, server=server))
    assert response["headers"]["Access-Control-Allow-Origin"] == SPA
    if server not in ("org", "ausNoSuchServer0000") and resource == JWKS:
        # As before the fast path: an inactive server's JWKS is still served (its configuration read directly,
        # signing_keys.jwks_document), unlike its discovery documents.
        assert response["statusCode"] == 200
        return
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["errorCode"] == "E0000007"  # Okta's 404, in both dialects (api/errors.py)
    # no-store on the OAuth dialect's answers; the JWKS's is the management API's (Okta's JSON)
    assert response["headers"].get("Cache-Control") == (None if resource == JWKS else "no-store")


@pytest.mark.parametrize("resource", DOCUMENTS)
@pytest.mark.parametrize("method, headers", [
    ("HEAD", {}), ("POST", {}), ("PUT", {}), ("DELETE", {}),
    ("OPTIONS", {"Origin": SPA, "Access-Control-Request-Method": "GET"}),  # an allowed preflight: 204
    ("OPTIONS", {"Origin": "https://evil.example.com", "Access-Control-Request-Method": "GET"}),  # 403
    ("OPTIONS", {"Origin": SPA, "Access-Control-Request-Method": "PUT"}),  # 403
])
def test_other_methods_are_chalices_and_the_same_either_way(app, spa, resource, method, headers):
    response = assert_same(app, event(resource, headers, method=method))
    if method != "OPTIONS":
        assert response["statusCode"] == 405
    else:
        allowed = headers["Origin"] == SPA and headers["Access-Control-Request-Method"] == "GET"
        assert response["statusCode"] == (204 if allowed else 403)


def test_a_document_request_with_a_body_is_the_same_either_way(app, spa):
    for resource in DOCUMENTS:
        assert assert_same(app, event(resource, {"Content-Type": "application/json"}, body="{}"))["statusCode"] == 200


def _kids(response: dict) -> list[str]:
    return [key["kid"] for key in json.loads(response["body"])["keys"]]


def _max_age(response: dict) -> int:
    cache_control = response["headers"]["Cache-Control"]
    assert cache_control.endswith(", must-revalidate")
    return int(cache_control.removeprefix("max-age=").split(",")[0])


def test_a_key_rotation_changes_the_jwks_and_its_max_age_alike(app, container):
    before = assert_same(app, event(JWKS))
    rotated = container.signing_keys.rotate_now("default", {"use": "sig"})
    container.clock.advance(seconds=container.settings.cache_seconds + 1)  # past any cache's staleness bound
    after = assert_same(app, event(JWKS))
    assert _kids(after) != _kids(before)
    assert set(_kids(after)) == {key.kid for key in rotated}
    config = container.servers.load("default")
    assert _max_age(after) == lifecycle.jwks_max_age(
        config.keys, container.clock.now(), config.server.rotation_mode, config.server.last_rotated,
        container.signing_keys.policy)


def test_the_max_age_shrinks_toward_the_rotation_alike(app, container):
    """KEY-12: within a day of an AUTO rotation the max-age is the time left, to the second, down to its floor."""
    config = container.servers.load("default")
    assert config.server.rotation_mode == lifecycle.AUTO
    policy = container.signing_keys.policy
    rotation_at = lifecycle.auto_rotation_at(config.keys, container.clock.now(), config.server.last_rotated, policy)
    assert rotation_at is not None
    cap = int(min(lifecycle.JWKS_MAX_AGE_CEILING, policy.next_lead / 2).total_seconds())
    seen = []
    # Forwards, then back (a clock set back must not keep a max-age worked out for a later instant).
    for before_rotation in (cap + 3600, cap, cap - 0.5, 1000.25, 1000, 999.75, 1000.5, 100, 61, 60.5, 1, 0, -30, 1000.25,
                            cap + 1):
        container.clock.set(rotation_at - timedelta(seconds=before_rotation))
        for _ in range(2):  # the first request may work it out, the second may remember it: the same answer
            seen.append(_max_age(assert_same(app, event(JWKS))))
    assert seen[::2] == seen[1::2] == [cap, cap, cap - 1, 1000, 1000, 999, 1000, 100, 61, 60, 60, 60, 60, 1000, cap]


def test_the_documents_take_the_fast_path(app, container):
    """Each document is answered by its own chain, built on its first request (not by Chalice's routing)."""
    app.middleware_handlers = list(app.middleware_handlers)  # the same list: every chain dropped
    for resource in DOCUMENTS:
        assert app(event(resource), LambdaContext())["statusCode"] == 200
    assert set(DOCUMENTS) <= set(app._fast_chains)
    assert app(event(JWKS, {"Content-Type": "application/json"}), LambdaContext())["statusCode"] == 200


@pytest.mark.parametrize("resource", DOCUMENTS)
def test_a_newly_registered_middleware_runs_on_the_documents_fast_path_too(app, container, spied, resource):
    spy, seen = spied
    app(event(resource), LambdaContext())  # the chain without the spy, built before it is registered
    app.register_middleware(spy, "http")
    sent = event(resource)
    fast, routed = app(sent, LambdaContext()), Chalice.__call__(app, sent, LambdaContext())
    assert fast["headers"]["X-Spy"] == routed["headers"]["X-Spy"] == "seen"
    assert seen == [(resource, "GET", None, 200)] * 2
    assert comparable(fast) == comparable(routed)


def test_a_new_rotation_policy_changes_the_max_age_at_once(app, container):
    """The remembered max-age belongs to the policy it was worked out under (SigningKeyService.policy is public)."""
    assert _max_age(assert_same(app, event(JWKS))) == 86400
    container.signing_keys.policy = lifecycle.RotationPolicy(rotation_interval=timedelta(hours=12),
                                                             next_lead=timedelta(hours=6))
    config = container.servers.load("default")
    expected = lifecycle.jwks_max_age(config.keys, container.clock.now(), config.server.rotation_mode,
                                      config.server.last_rotated, container.signing_keys.policy)
    assert expected <= 3 * 3600
    assert _max_age(assert_same(app, event(JWKS))) == expected
