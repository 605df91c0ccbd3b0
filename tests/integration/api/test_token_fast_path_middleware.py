"""The token endpoint's fast path (chalicelib/api/fastpath.py) runs the app's registered middleware, so a middleware
added to the app cannot miss the token route: it runs on the fast path as on Chalice's routing, and sees the same
request."""
from __future__ import annotations

import pytest
from chalice import Chalice

from bench.apigw import LambdaContext
from tests.integration.api.test_token_fast_path import (  # noqa: F401 - app and service are fixtures
    CC,
    FORM,
    TOKEN,
    app,
    basic,
    both,
    comparable,
    service,
    token_event,
)


@pytest.fixture
def spied(app, monkeypatch):
    """A middleware registered after the app was built (as a blueprint's or a new app-wide one would be); the app's
    own middleware list comes back afterwards."""
    seen: list[tuple[str, str, str | None, int]] = []

    def spy(request, get_response):
        response = get_response(request)
        seen.append((request.path, request.method, request.headers.get("content-type"), response.status_code))
        response.headers["X-Spy"] = "seen"
        return response

    monkeypatch.setattr(app, "middleware_handlers", list(app.middleware_handlers))
    return spy, seen


@pytest.mark.parametrize("event_type", ["http", "all"])
def test_a_newly_registered_middleware_runs_on_the_fast_path_too(app, service, spied, event_type):
    spy, seen = spied
    event = token_event(CC, {**FORM, "Authorization": basic(*service)})
    app(event, LambdaContext())  # the chain without the spy, built before it is registered
    app.register_middleware(spy, event_type)

    fast, routed = both(app, event)

    assert fast["statusCode"] == 200
    assert fast["headers"]["X-Spy"] == routed["headers"]["X-Spy"] == "seen"
    assert seen == [(TOKEN, "POST", FORM["Content-Type"], 200)] * 2
    assert comparable(fast) == comparable(routed)


def test_the_fast_path_drops_a_middleware_the_app_no_longer_has(app, service, spied, monkeypatch):
    spy, seen = spied
    app.register_middleware(spy, "http")
    event = token_event(CC, {**FORM, "Authorization": basic(*service)})
    assert app(event, LambdaContext())["headers"]["X-Spy"] == "seen"

    monkeypatch.undo()  # the app's own middleware list again

    response = app(event, LambdaContext())
    assert response["statusCode"] == 200 and "X-Spy" not in response["headers"]
    assert "X-Spy" not in Chalice.__call__(app, event, LambdaContext())["headers"]
    assert len(seen) == 1
