"""``/api/v1/apps``: Okta's Applications API for OIDC apps over the same client records as ``/oauth2/v1/clients``
(one client, two views): CRUD and lifecycle, list with q/filter/paging, client secrets (rotation without downtime at
``/v1/token``) and client JWKs (only ACTIVE keys verify), Terraform's side calls, and bad input that changes
nothing."""
from __future__ import annotations

import base64
import uuid
from urllib.parse import quote, urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.api.apisupport import assert_error, assert_not_found, nothing_changes, parse_links

APPS = "/api/v1/apps"
BASE = "https://tokenmint.test"
TOKEN = "/oauth2/default/v1/token"
SCOPE = "apps:read"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def app_body(label: str = "Billing", app_type: str = "service", **oauth_settings) -> dict:
    grants = ["client_credentials"] if app_type == "service" else ["authorization_code"]
    settings = {"application_type": app_type, "grant_types": grants,
                "response_types": ["token"] if app_type == "service" else ["code"], **oauth_settings}
    if app_type != "service":
        settings.setdefault("redirect_uris", ["https://app.example/cb"])
    method = "none" if app_type == "browser" else "client_secret_basic"
    return {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": label,
            "credentials": {"oauthClient": {"token_endpoint_auth_method": method, "autoKeyRotation": True}},
            "settings": {"oauthClient": settings}}


def create(api, body: dict | None = None, query: str = "") -> dict:
    response = api.post(APPS + query, body or app_body())
    assert response.status_code == 200, response.data
    return response.data


@pytest.fixture
def scope(container) -> str:
    container.scopes.create("default", {"name": SCOPE, "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    return SCOPE


def token_with_secret(client, client_id: str, secret: str) -> int:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.http.post(TOKEN, headers={**FORM, "Authorization": f"Basic {basic}"},
                                body=urlencode({"grant_type": "client_credentials", "scope": SCOPE}))
    return response.status_code


# -- the app object and its two views ------------------------------------------------------------------------------


def test_create_answers_200_with_okta_s_oidc_app_and_the_secret_once(api, scope):
    response = api.post(APPS, app_body("Billing sync"))
    assert response.status_code == 200
    app = response.data
    assert app["id"].startswith("0oa") and len(app["id"]) == 20
    assert (app["name"], app["signOnMode"], app["label"], app["status"]) == ("oidc_client", "OPENID_CONNECT",
                                                                           "Billing sync", "ACTIVE")
    oauth = app["credentials"]["oauthClient"]
    assert oauth["client_id"] == app["id"] and oauth["token_endpoint_auth_method"] == "client_secret_basic"
    assert oauth["autoKeyRotation"] is True and oauth["pkce_required"] is False
    secret = oauth["client_secret"]
    settings = app["settings"]["oauthClient"]
    assert settings["consent_method"] == "TRUSTED"  # the Apps API's default (DCR's is REQUIRED)
    assert (settings["grant_types"], settings["application_type"]) == (["client_credentials"], "service")
    assert app["_links"]["clientCredentials"] == [{"name": "secrets",
                                                   "href": f"{BASE}{APPS}/{app['id']}/credentials/secrets"}]
    got = api.get(f"{APPS}/{app['id']}")
    assert got.status_code == 200 and "client_secret" not in got.data["credentials"]["oauthClient"]
    assert secret not in got.body.decode()
    assert token_with_secret(api._client, app["id"], secret) == 200


def test_one_client_two_views_agree_field_by_field(api):
    app = create(api, app_body("Portal", "web", post_logout_redirect_uris=["https://app.example/bye"],
                               client_uri="https://app.example", logo_uri="https://app.example/logo.png"))
    client = api.get(f"/oauth2/v1/clients/{app['id']}").data
    settings = app["settings"]["oauthClient"]
    assert client["client_id"] == app["id"] == app["credentials"]["oauthClient"]["client_id"]
    assert client["client_name"] == app["label"]
    assert client["token_endpoint_auth_method"] == app["credentials"]["oauthClient"]["token_endpoint_auth_method"]
    for member in ("application_type", "grant_types", "response_types", "redirect_uris",
                   "post_logout_redirect_uris", "client_uri", "logo_uri"):
        assert client[member] == settings[member], member
    # and the other way round: a DCR client is an app whose consent method is REQUIRED
    registered = api.post("/oauth2/v1/clients", {"client_name": "Registered", "redirect_uris": ["https://r.example/cb"]})
    assert registered.status_code == 201
    seen = api.get(f"{APPS}/{registered.data['client_id']}").data
    assert (seen["label"], seen["settings"]["oauthClient"]["consent_method"]) == ("Registered", "REQUIRED")
    assert seen["settings"]["oauthClient"]["redirect_uris"] == ["https://r.example/cb"]


def test_activate_false_creates_an_inactive_app_that_cannot_get_tokens(api, scope):
    app = create(api, query="?activate=false")
    assert app["status"] == "INACTIVE" and set(app["_links"]) >= {"activate"}
    secret = app["credentials"]["oauthClient"]["client_secret"]
    assert token_with_secret(api._client, app["id"], secret) == 401
    activated = api.post(f"{APPS}/{app['id']}/lifecycle/activate")
    assert (activated.status_code, activated.body) == (200, b"")
    assert token_with_secret(api._client, app["id"], secret) == 200


def test_replace_is_a_get_modify_put_and_keeps_what_it_does_not_act_on(api):
    body = app_body("Portal", "web", issuer_mode="ORG_URL", wildcard_redirect="DISABLED",
                    idp_initiated_login={"mode": "DISABLED", "default_scope": []},
                    refresh_token={"rotation_type": "ROTATE", "leeway": 30})
    body["visibility"] = {"autoSubmitToolbar": False, "hide": {"iOS": True, "web": True}}
    app = create(api, body)
    assert app["visibility"] == body["visibility"]
    changed = {**app, "label": "Portal v2"}
    changed["settings"]["oauthClient"]["redirect_uris"] = ["https://app.example/cb2"]
    changed["credentials"]["oauthClient"]["client_secret"] = ""  # Terraform's omit_secret
    response = api.put(f"{APPS}/{app['id']}", changed)
    assert response.status_code == 200, response.data
    saved = response.data
    assert saved["label"] == "Portal v2"
    assert saved["settings"]["oauthClient"]["redirect_uris"] == ["https://app.example/cb2"]
    assert saved["settings"]["oauthClient"]["refresh_token"] == {"rotation_type": "ROTATE", "leeway": 30}
    assert saved["visibility"] == body["visibility"]
    assert "client_secret" not in saved["credentials"]["oauthClient"]  # nothing new was made
    assert api.get(f"{APPS}/{app['id']}").data == saved
    stale = api.put(f"{APPS}/{app['id']}", changed, headers={"If-Match": 'W/"1"'})
    assert_error(stale, 412, "E0000195")


def test_delete_needs_an_inactive_app(api):
    app = create(api)
    with nothing_changes():
        assert_error(api.delete(f"{APPS}/{app['id']}"), 403, "E0000056", "Delete application forbidden.")
    assert api.post(f"{APPS}/{app['id']}/lifecycle/deactivate").status_code == 200
    assert api.delete(f"{APPS}/{app['id']}").status_code == 204
    assert_not_found(api.get(f"{APPS}/{app['id']}"), app["id"], "AppInstance")
    assert api.get(f"/oauth2/v1/clients/{app['id']}").status_code == 404


def test_list_with_q_filter_and_paging(api):
    made = [create(api, app_body(label)) for label in ("alpha one", "Alpha two", "beta")]
    api.post(f"{APPS}/{made[1]['id']}/lifecycle/deactivate")

    def labels(query: str) -> list[str]:
        response = api.get(f"{APPS}?{query}")
        assert response.status_code == 200, response.data
        return [a["label"] for a in response.data]

    assert labels("q=alpha") == ["alpha one", "Alpha two"]
    assert labels("q=oidc") == ["alpha one", "Alpha two", "beta"]  # q matches the app name too
    assert labels("filter=" + quote('status eq "ACTIVE"')) == ["alpha one", "beta"]
    assert labels("filter=" + quote(f'id eq "{made[2]["id"]}"')) == ["beta"]
    assert labels("filter=" + quote('name eq "oidc_client" and status eq "INACTIVE"')) == ["Alpha two"]
    first = api.get(f"{APPS}?limit=2")
    links = parse_links(first.headers["Link"])
    assert [a["label"] for a in first.data] == ["alpha one", "Alpha two"]
    second = api.get(links["next"].removeprefix(BASE))
    assert [a["label"] for a in second.data] == ["beta"] and "next" not in parse_links(second.headers["Link"])
    assert_error(api.get(f"{APPS}?filter=" + quote('label eq "x"')), 400, "E0000031")


# -- bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change, cause", [
    (lambda b: b.update(signOnMode="SAML_2_0"), "signOnMode: Only OPENID_CONNECT apps"),
    (lambda b: b.update(name="bookmark"), "name: Only oidc_client apps"),
    (lambda b: b.pop("label"), "label: "),
    (lambda b: b["settings"]["oauthClient"].update(redirect_uris=["http://evil.example/cb"]),
     "settings.oauthClient.redirect_uris: 'http://evil.example/cb'"),
    (lambda b: b["settings"]["oauthClient"].update(response_types=["token"]), "settings.oauthClient.response_types:"),
    (lambda b: b["credentials"]["oauthClient"].update(token_endpoint_auth_method="client_secret_jwt"),
     "credentials.oauthClient.token_endpoint_auth_method: client_secret_jwt is not supported"),
    (lambda b: b["settings"]["oauthClient"].update(wildcard_redirect="SUBDOMAIN"),
     "settings.oauthClient.wildcard_redirect: Wildcard"),
    (lambda b: b["settings"]["oauthClient"].update(consent_method="SOMETIMES"), "settings.oauthClient.consent_method:"),
    (lambda b: b["credentials"]["oauthClient"].update(client_secret="short"), "credentials.oauthClient.client_secret:"),
])
def test_bad_apps_are_400_under_their_app_member_and_create_nothing(api, change, cause):
    body = app_body("Portal", "web")
    change(body)
    with nothing_changes():
        response = api.post(APPS, body)
    error = assert_error(response, 400, "E0000001", "Api validation failed: app")
    assert any(c["errorSummary"].startswith(cause) for c in error["errorCauses"]), error["errorCauses"]


def test_unknown_apps_are_404_everywhere(api):
    for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/lifecycle/activate"),
                         ("GET", "/credentials/secrets"), ("POST", "/credentials/secrets"),
                         ("GET", "/credentials/jwks")):
        with nothing_changes():
            response = api.call(method, f"{APPS}/0oaNOPE{path}", app_body() if method == "PUT" else None)
        assert_not_found(response, "0oaNOPE", "AppInstance")


# -- client secrets: rotation without downtime ---------------------------------------------------------------------


def test_secret_rotation_without_downtime(api, scope):
    app = create(api)
    app_id, first = app["id"], app["credentials"]["oauthClient"]["client_secret"]
    secrets = f"{APPS}/{app_id}/credentials/secrets"
    [listed] = api.get(secrets).data
    assert listed["status"] == "ACTIVE" and len(listed["secret_hash"]) == 22 and "client_secret" not in listed

    made = api.post(secrets)
    assert made.status_code == 201 and made.data["status"] == "ACTIVE"
    second = made.data["client_secret"]
    assert token_with_secret(api._client, app_id, first) == 200
    assert token_with_secret(api._client, app_id, second) == 200  # both work while callers move

    with nothing_changes():
        assert_error(api.post(secrets), 400, "E0000001")  # a third: never more than two
        assert_error(api.delete(f"{secrets}/{listed['id']}"), 400, "E0000001")  # still ACTIVE
    off = api.post(f"{secrets}/{listed['id']}/lifecycle/deactivate")
    assert (off.status_code, off.data["status"]) == (200, "INACTIVE")
    assert token_with_secret(api._client, app_id, first) == 401
    assert token_with_secret(api._client, app_id, second) == 200
    with nothing_changes():  # the last active secret stays
        assert_error(api.post(f"{secrets}/{made.data['id']}/lifecycle/deactivate"), 400, "E0000001")
    assert api.delete(f"{secrets}/{listed['id']}").status_code == 204
    assert [s["id"] for s in api.get(secrets).data] == [made.data["id"]]
    assert_not_found(api.get(f"{secrets}/{listed['id']}"), listed["id"], "OAuth2ClientSecret")


def test_an_own_secret_and_an_inactive_one(api, scope):
    app = create(api)
    own = "my-own-secret-" + uuid.uuid4().hex
    made = api.post(f"{APPS}/{app['id']}/credentials/secrets", {"client_secret": own, "status": "INACTIVE"})
    assert made.status_code == 201 and made.data["status"] == "INACTIVE" and made.data["client_secret"] == own
    assert token_with_secret(api._client, app["id"], own) == 401
    api.post(f"{APPS}/{app['id']}/credentials/secrets/{made.data['id']}/lifecycle/activate")
    assert token_with_secret(api._client, app["id"], own) == 200


# -- client JWKs: only ACTIVE keys verify --------------------------------------------------------------------------


def _rsa() -> tuple[object, dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return key, public


def _assertion_token(client, app_id: str, key, kid: str) -> int:
    from chalicelib.container import get_container

    now = int(get_container().clock.now().timestamp())  # the app's clock, not the machine's
    assertion = jwt.encode({"iss": app_id, "sub": app_id, "aud": f"{BASE}{TOKEN}", "iat": now, "exp": now + 60,
                            "jti": uuid.uuid4().hex}, key, algorithm="RS256", headers={"kid": kid})
    response = client.http.post(TOKEN, headers=FORM, body=urlencode({
        "grant_type": "client_credentials", "scope": SCOPE, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion}))
    assert response.status_code in (200, 401), response.body
    return response.status_code


def test_jwks_lifecycle_and_only_active_keys_verify(api, scope):
    key1, jwk1 = _rsa()
    key2, jwk2 = _rsa()
    body = app_body("Signed")
    body["credentials"]["oauthClient"]["token_endpoint_auth_method"] = "private_key_jwt"
    body["settings"]["oauthClient"]["jwks"] = {"keys": [{**jwk1, "kid": "one"}]}
    app = create(api, body)
    assert "client_secret" not in app["credentials"]["oauthClient"]
    [shown] = app["settings"]["oauthClient"]["jwks"]["keys"]
    assert shown["id"].startswith("pks") and shown["status"] == "ACTIVE" and shown["kid"] == "one"
    jwks = f"{APPS}/{app['id']}/credentials/jwks"
    assert [k["id"] for k in api.get(jwks).data] == [shown["id"]]
    assert _assertion_token(api._client, app["id"], key1, "one") == 200

    added = api.post(jwks, {**jwk2, "kid": "two", "use": "sig"})
    assert added.status_code == 201 and added.data["status"] == "ACTIVE"
    with nothing_changes():
        assert_error(api.post(jwks, {**jwk2, "kid": "two"}), 400, "E0000001")  # the kid is taken
        assert_error(api.delete(f"{jwks}/{shown['id']}"), 400, "E0000001")  # ACTIVE
        assert_error(api.post(jwks, {**jwk2, "kid": "three", "d": "private!"}), 400, "E0000001")
    off = api.post(f"{jwks}/{shown['id']}/lifecycle/deactivate")
    assert (off.status_code, off.data["status"]) == (200, "INACTIVE")
    assert _assertion_token(api._client, app["id"], key1, "one") == 401
    assert _assertion_token(api._client, app["id"], key2, "two") == 200
    with nothing_changes():  # the last active key stays
        assert_error(api.post(f"{jwks}/{added.data['id']}/lifecycle/deactivate"), 400, "E0000001")
    assert api.delete(f"{jwks}/{shown['id']}").status_code == 204
    assert [k["kid"] for k in api.get(jwks).data] == ["two"]
    # the DCR view shows the keys that verify, as plain JWKs
    [plain] = api.get(f"/oauth2/v1/clients/{app['id']}").data["jwks"]["keys"]
    assert (plain["kid"], plain["n"], plain["e"]) == ("two", jwk2["n"], jwk2["e"])
    assert not {"id", "status", "created", "lastUpdated"} & set(plain)


# -- what Terraform calls besides ----------------------------------------------------------------------------------


def test_terraform_s_side_calls(api):
    client = api._client
    organization = client.http.get("/.well-known/okta-organization")
    assert organization.status_code == 200 and organization.json_body["pipeline"] == "v1"
    app = create(api)
    path = f"/api/v1/internal/apps/{app['id']}/settings/oauth/idToken"
    assert api.get(path).status_code == 404  # none yet: the provider reads that as "no groups claim"
    sent = {"valueType": "", "issuerMode": "ORG_URL", "name": "", "value": ""}
    saved = api.post(path, sent)
    assert saved.status_code == 200
    assert api.get(path).data == saved.data and saved.data["issuerMode"] == "ORG_URL"
    assert client.http.get(path).status_code == 401  # an admin route like every other


# -- app grants of Okta scopes -------------------------------------------------------------------------------------


def test_app_grants_of_okta_scopes(api, container, admin_token):
    app = create(api)
    grants = f"{APPS}/{app['id']}/grants"
    assert api.get(grants).data == []
    made = api.post(grants, {"issuer": BASE, "scopeId": "okta.users.read"})
    assert made.status_code == 201, made.data
    grant = made.data
    token = container.api_tokens.authenticate(admin_token)
    assert grant["id"].startswith("oag") and grant["status"] == "ACTIVE" and grant["source"] == "ADMIN"
    assert (grant["issuer"], grant["clientId"], grant["scopeId"]) == (BASE, app["id"], "okta.users.read")
    assert grant["createdBy"] == {"id": token.id, "type": "ApiToken"}
    assert grant["_links"]["self"]["href"] == f"{BASE}{grants}/{grant['id']}"
    expanded = api.get(f"{grants}/{grant['id']}?expand=scope")
    assert expanded.data["_embedded"] == {"scope": {"id": "okta.users.read"}}
    assert [g["id"] for g in api.get(grants).data] == [grant["id"]]
    with nothing_changes():
        for body, field in (({"issuer": "https://elsewhere.example", "scopeId": "okta.users.read"}, "issuer"),
                            ({"issuer": BASE, "scopeId": "okta.everything.manage"}, "scopeId"),
                            ({"issuer": BASE, "scopeId": "okta.users.read"}, "scopeId"),  # granted already
                            ({}, "issuer")):
            error = assert_error(api.post(grants, body), 400, "E0000001")
            assert any(c["errorSummary"].startswith(field) for c in error["errorCauses"]), error
    assert api.delete(f"{grants}/{grant['id']}").status_code == 204
    assert_not_found(api.get(f"{grants}/{grant['id']}"), grant["id"], "OAuth2ScopeConsentGrant")
    assert api.get(grants).data == []
