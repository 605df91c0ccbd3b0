"""The path a management request's DPoP proof must name (api/routing.requested_path): below the base URL, whatever
carries it. API Gateway's REST events give it as ``path`` (the stage is only in the request context's, and the
base URL holds it); Chalice's local gateway, which has no stage, gives only the request context's."""
from __future__ import annotations

from chalicelib.api.routing import requested_path


def test_api_gateway_s_path_is_below_the_stage():
    event = {"path": "/api/v1/authorizationServers/aus1",
             "requestContext": {"path": "/api/api/v1/authorizationServers/aus1", "stage": "api"}}
    assert requested_path(event) == "/api/v1/authorizationServers/aus1"


def test_chalice_s_local_gateway_sets_only_the_request_context_s():
    assert requested_path({"requestContext": {"path": "/api/v1/users"}}) == "/api/v1/users"


def test_an_event_without_a_path_names_none():
    assert requested_path({}) == "" and requested_path({"path": 5, "requestContext": []}) == ""
