"""Text no UTF-8 can carry (a lone surrogate, ``"\\ud800"`` in JSON: chalicelib/surrogates.py).

Found by a bad-input probe of every management route: such a string in a JSON body was stored, and the write's
System Log event then could not be serialized, so the caller got a 500 for a write that had happened (an API token
created, an app's group assignment saved). The same in a caller's header (the user agent every event records) made
every write, and every token request, a 500 after its work. Now a body holding one is Okta's 400 E0000003 and
changes nothing, and an event writes U+FFFD for what it cannot carry, so the request it records succeeds."""
from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.integration.api.apisupport import SERVERS, assert_error, nothing_changes

LONE = "\ud800"
# Bodies each route would take but for one string, the surrogate spelt as a JSON escape as a client would send it
# (the raw bytes cannot be UTF-8): before the fix each was stored (then a 500 when its event was written, or later
# for whoever read it back).
APP = ('{"name": "oidc_client", "label": %s, "signOnMode": "OPENID_CONNECT", "credentials": {"oauthClient": '
       '{"token_endpoint_auth_method": "client_secret_basic"}}, "settings": {"oauthClient": {"grant_types": '
       '["client_credentials"], "response_types": ["token"], "application_type": "service"}}}')
BODIES = {
    "server name": ("POST", SERVERS, '{"name": "s\\ud800", "audiences": ["api://s"], "description": "d"}'),
    "server audience": ("POST", SERVERS, '{"name": "s", "audiences": ["api://\\udfff"], "description": "d"}'),
    "scope description": ("POST", f"{SERVERS}/default/scopes", '{"name": "ok:read", "description": "\\ud834"}'),
    "scope member name": ("POST", f"{SERVERS}/default/scopes", '{"name": "ok:read", "\\ud800": "x"}'),
    "api token name": ("POST", "/api/v1/api-tokens", '{"name": "t\\ud800"}'),
    "user first name": ("POST", "/api/v1/users", '{"profile": {"firstName": "a\\ud800", "lastName": "b", '
                                                 '"email": "q@example.com", "login": "q@example.com"}}'),
    "group name": ("POST", "/api/v1/groups", '{"profile": {"name": "g\\ud800"}}'),
    "client name": ("POST", "/oauth2/v1/clients", '{"client_name": "c\\ud800", "application_type": "service", '
                                                  '"grant_types": ["client_credentials"]}'),
    "app label": ("POST", "/api/v1/apps", APP % '"l\\ud800"'),
}


@pytest.mark.parametrize("where", BODIES)
def test_a_body_with_a_lone_surrogate_is_e0000003_and_changes_nothing(api, where):
    method, path, body = BODIES[where]
    with nothing_changes():
        response = api.call(method, path, raw=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


@pytest.mark.parametrize("where", ["scope description", "client name", "app label"])
def test_the_same_bodies_without_it_are_taken(api, where):
    # What the test above refuses is the surrogate alone: the same body with a letter in its place is created.
    method, path, body = BODIES[where]
    response = api.call(method, path, raw=body.replace("\\ud834", "x").replace("\\ud800", "x"),
                        headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 201), response.body


def test_an_app_group_assignment_profile_with_one_changes_nothing(api):
    # The route that stored it before: PUT /api/v1/apps/{appId}/groups/{groupId} keeps the assignment's profile.
    app = api.call("POST", "/api/v1/apps", raw=APP % '"surrogates"', headers={"Content-Type": "application/json"}).data
    group = api.post("/api/v1/groups", {"profile": {"name": "surrogates"}}).data
    with nothing_changes():
        response = api.call("PUT", f"/api/v1/apps/{app['id']}/groups/{group['id']}",
                            raw='{"priority": 0, "profile": {"role": "\\ud800"}}',
                            headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003")


def test_a_well_formed_pair_is_one_character_and_is_kept(api):
    # "\ud83d\ude00" is a pair: json.loads joins it into U+1F600, which UTF-8 carries.
    response = api.call("POST", f"{SERVERS}/default/scopes", raw='{"name": "smile", "description": "\\ud83d\\ude00"}',
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.body
    assert api.get(f"{SERVERS}/default/scopes/{response.data['id']}").data["description"] == "\U0001F600"


def _events(api, event_type: str) -> list[dict]:
    response = api.get("/api/v1/logs?" + urlencode({"since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z",
                                                    "filter": f'eventType eq "{event_type}"'}))
    assert response.status_code == 200, response.body
    return response.data


def test_a_write_from_a_caller_whose_user_agent_has_one_succeeds_and_its_event_says_u_fffd(api, container):
    response = api.call("POST", f"{SERVERS}/default/scopes", {"name": "ua:scope"},
                        headers={"User-Agent": "agent/" + LONE})
    assert response.status_code == 201, response.body
    container.audit.flush()
    [event] = _events(api, "oauth2.scope.created")
    assert event["client"]["userAgent"]["rawUserAgent"] == "agent/\ufffd"


def test_a_token_for_a_caller_whose_user_agent_has_one_is_minted_and_logged(api, container):
    api.post(f"{SERVERS}/default/scopes", {"name": "ua:read"})
    created = api.post("/oauth2/v1/clients", {"client_name": "ua-svc", "application_type": "service",
                                              "grant_types": ["client_credentials"]}).data
    credentials = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode()).decode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {credentials}",
               "User-Agent": "svc/" + LONE}
    for secret_ok in (True, False):  # a token, then a refusal (the failure's event is built whole, not templated)
        send = headers if secret_ok else {**headers, "Authorization": "Basic " + base64.b64encode(
            f"{created['client_id']}:wrong".encode()).decode()}
        response = api.call("POST", "/oauth2/default/v1/token", headers=send,
                            raw=urlencode({"grant_type": "client_credentials", "scope": "ua:read"}))
        assert response.status_code == (200 if secret_ok else 401), response.body
    container.audit.flush()
    [granted] = _events(api, "app.oauth2.as.token.grant.access_token")
    [refused] = _events(api, "app.oauth2.as.token.grant")
    assert granted["client"]["userAgent"]["rawUserAgent"] == "svc/\ufffd"
    assert refused["client"]["userAgent"]["rawUserAgent"] == "svc/\ufffd"
    assert json.dumps(granted).encode("utf-8")  # the whole event is text UTF-8 carries


@pytest.mark.parametrize("resource, body, content_type", [
    ("/oauth2/{authServerId}/v1/token", "grant_type=client_credentials&scope=" + LONE,
     "application/x-www-form-urlencoded"),  # the token fast path
    ("/oauth2/{authServerId}/v1/introspect", "token=" + LONE, "application/x-www-form-urlencoded"),
    ("/api/v1/authorizationServers/{authServerId}/scopes", '{"name": "' + LONE + '"}', "application/json"),
])
def test_an_event_whose_text_body_holds_one_is_refused_in_the_surface_s_format(container, admin_token, resource,
                                                                               body, content_type):
    # A Lambda event's body is text: one carrying a lone surrogate (not from API Gateway, which sends UTF-8, but
    # from any other caller of the function) could not even be read as bytes; it was a 500. Now it is read as the
    # bytes it would be, which no surface takes as UTF-8.
    from app import app
    from bench.apigw import LambdaContext, gateway_headers, proxy_event

    headers = {"Content-Type": content_type, "Authorization": f"SSWS {admin_token}"}
    if resource.startswith("/oauth2"):
        headers["Authorization"] = "Basic " + base64.b64encode(b"0oaNoSuchClient:secret").decode()
    with nothing_changes():
        response = app(proxy_event("POST", resource, "default", gateway_headers(headers), body), LambdaContext())
    assert response["statusCode"] == 400, response
    answer = json.loads(response["body"])
    if resource.startswith("/oauth2"):
        assert answer == {"error": "invalid_request", "error_description": "The request body is not valid UTF-8."}
    else:
        assert answer["errorCode"] == "E0000003"
