"""``/oauth2/v1/clients`` end to end through the Chalice app on moto: CRUD, newSecret, errors, auth, paging."""
from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from chalicelib.admin.clients import hash_secret

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

COLLECTION = "/oauth2/v1/clients"
CB = "https://app.example/cb"
BASE = "https://tokenmint.test"
ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def web_body(name: str = "Web App", **extra) -> dict:
    return {"client_name": name, "redirect_uris": [CB], **extra}


def service_body(name: str = "M2M", **extra) -> dict:
    return {"client_name": name, "application_type": "service", **extra}


def create(api, body) -> dict:
    response = api.post(COLLECTION, body)
    assert response.status_code == 201, response.data
    return response.data


def raw_items() -> list[dict]:
    return boto3.client("dynamodb", region_name="us-east-1").scan(TableName="tm-directory")["Items"]


def assert_okta_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.data
    assert response.data["errorCode"] == code
    assert response.data["errorLink"] == code
    assert re.fullmatch(r"oae[A-Za-z0-9]{22}", response.data["errorId"])
    return response.data


# -- create ----------------------------------------------------------------------------------------------------------


def test_create_a_web_client_returns_201_with_the_secret_once(api, container):
    response = api.post(COLLECTION, web_body(client_uri="https://app.example", logo_uri="https://app.example/l.png",
                                             post_logout_redirect_uris=["https://app.example/bye"]))
    assert response.status_code == 201
    body = response.data
    assert re.fullmatch(r"0oa[A-Za-z0-9]{17}", body["client_id"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["client_secret"])
    assert list(body) == ["client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at",
                          "client_name", "client_uri", "logo_uri", "application_type", "redirect_uris",
                          "post_logout_redirect_uris", "response_types", "grant_types",
                          "token_endpoint_auth_method", "dpop_bound_access_tokens", "_links"]
    assert body["client_id_issued_at"] == int(container.clock.now().timestamp())
    assert body["client_secret_expires_at"] == 0
    assert body["application_type"] == "web"
    assert body["grant_types"] == ["authorization_code"]
    assert body["response_types"] == ["code"]
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    href = f"{BASE}{COLLECTION}/{body['client_id']}"
    assert body["_links"] == {
        "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
        "newSecret": {"href": f"{href}/lifecycle/newSecret", "hints": {"allow": ["POST"]}},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    assert response.headers["ETag"] == 'W/"1"'


def test_public_and_key_clients_get_no_secret(api, rsa_jwk):
    browser = create(api, web_body("SPA", application_type="browser"))
    assert browser["token_endpoint_auth_method"] == "none"
    keyed = create(api, service_body("Keyed", token_endpoint_auth_method="private_key_jwt",
                                     jwks={"keys": [rsa_jwk]}))
    for body in (browser, keyed):
        assert "client_secret" not in body
        assert "client_secret_expires_at" not in body
        assert "newSecret" not in body["_links"]
    assert keyed["jwks"] == {"keys": [rsa_jwk]}


def test_create_with_jwks_uri_echoes_it(api):
    body = create(api, service_body(token_endpoint_auth_method="private_key_jwt",
                                    jwks_uri="https://app.example/jwks.json"))
    assert body["jwks_uri"] == "https://app.example/jwks.json"
    assert "jwks" not in body


# -- the secret is never shown again and never stored in clear --------------------------------------------------------


def test_secret_never_appears_in_get_list_or_storage(api, container):
    created = create(api, service_body())
    secret, client_id = created["client_secret"], created["client_id"]

    fetched = api.get(f"{COLLECTION}/{client_id}")
    assert fetched.status_code == 200
    listed = api.get(COLLECTION)
    for response in (fetched, listed):
        text = response.body.decode() if isinstance(response.body, bytes) else response.body
        assert secret not in text
        assert "client_secret\"" not in json.dumps(response.data)
    assert fetched.data["client_secret_expires_at"] == 0
    assert "Cache-Control" not in fetched.headers

    items = raw_items()
    dumped = json.dumps(items)
    assert secret not in dumped
    assert base64.b64encode(secret.encode()).decode() not in dumped
    [item] = [i for i in items if i["pk"]["S"] == f"CLIENT#{client_id}"]
    doc = json.loads(item["doc"]["S"])
    assert [s["hash"] for s in doc["secrets"]] == [hash_secret(secret)]

    stored = container.clients.get_for_token(client_id)
    assert container.clients.verify_secret(stored, secret)
    assert not container.clients.verify_secret(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))


# -- get, list -------------------------------------------------------------------------------------------------------


def test_get_returns_the_client_with_its_etag(api):
    created = create(api, web_body())
    response = api.get(f"{COLLECTION}/{created['client_id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"1"'
    expected = {k: v for k, v in created.items() if k != "client_secret"}
    assert response.data == expected


def test_unknown_client_is_404_e0000007_on_every_item_route(api, subtests):
    create(api, service_body())
    for client_id in ("0oaUNKNOWNUNKNOWN123", "not-a-client-id"):
        for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/lifecycle/newSecret")):
            with subtests.test(method=method, client_id=client_id, suffix=suffix):
                response = api.call(method, f"{COLLECTION}/{client_id}{suffix}",
                                    web_body() if method == "PUT" else None)
                data = assert_okta_error(response, 404, "E0000007")
                assert data["errorSummary"] == f"Not found: Resource not found: {client_id} (PublicClientApp)"


def test_list_is_in_case_insensitive_name_order_with_prefix_search(api):
    for name in ("beta", "Alpha", "alphabet", "Gamma", "ALPS"):
        create(api, service_body(name))
    names = [c["client_name"] for c in api.get(COLLECTION).data]
    assert names == ["Alpha", "alphabet", "ALPS", "beta", "Gamma"]
    assert [c["client_name"] for c in api.get(f"{COLLECTION}?q=alp").data] == ["Alpha", "alphabet", "ALPS"]
    assert [c["client_name"] for c in api.get(f"{COLLECTION}?q=ALPHA").data] == ["Alpha", "alphabet"]
    assert api.get(f"{COLLECTION}?q=zzz").data == []


def _next_after(response) -> str | None:
    link = response.headers["Link"]
    match = re.search(r'<([^>]+)>; rel="next"', link)
    return parse_qs(urlsplit(match.group(1)).query)["after"][0] if match else None


def test_list_pages_with_limit_after_and_a_link_header(api):
    for i in range(5):
        create(api, service_body(f"client-{i}"))
    first = api.get(f"{COLLECTION}?limit=2")
    assert [c["client_name"] for c in first.data] == ["client-0", "client-1"]
    assert first.headers["Link"].startswith(f'<{BASE}{COLLECTION}?limit=2>; rel="self", <{BASE}{COLLECTION}?')
    after = _next_after(first)
    second = api.get(f"{COLLECTION}?limit=2&after={after}")
    assert [c["client_name"] for c in second.data] == ["client-2", "client-3"]
    third = api.get(f"{COLLECTION}?limit=2&after={_next_after(second)}")
    assert [c["client_name"] for c in third.data] == ["client-4"]
    assert _next_after(third) is None


def test_a_cursor_survives_the_deletion_of_the_client_it_names(api):
    ids = [create(api, service_body(f"c{i}"))["client_id"] for i in range(3)]
    first = api.get(f"{COLLECTION}?limit=1")
    assert api.delete(f"{COLLECTION}/{ids[0]}").status_code == 204
    rest = api.get(f"{COLLECTION}?limit=5&after={_next_after(first)}")
    assert [c["client_name"] for c in rest.data] == ["c1", "c2"]


def test_paging_with_a_search_prefix(api):
    for name in ("app-a", "app-b", "app-c", "other"):
        create(api, service_body(name))
    first = api.get(f"{COLLECTION}?q=app&limit=2")
    assert [c["client_name"] for c in first.data] == ["app-a", "app-b"]
    assert "q=app" in first.headers["Link"].split(", ")[1]
    second = api.get(f"{COLLECTION}?q=app&limit=2&after={_next_after(first)}")
    assert [c["client_name"] for c in second.data] == ["app-c"]
    # A cursor from another search cannot be replayed outside its prefix.
    assert_okta_error(api.get(f"{COLLECTION}?q=other&after={_next_after(first)}"), 400, "E0000029")


def test_bad_paging_parameters_are_e0000029(api, subtests):
    create(api, service_body())
    # "YWJj" is a well-formed cursor of a key that is not ours ("abc").
    for query in ("limit=0", "limit=-1", "limit=abc", "after=!!!!", "after=YWJj", "after=%3D%3D"):
        with subtests.test(query=query):
            assert_okta_error(api.get(f"{COLLECTION}?{query}"), 400, "E0000029")
    assert api.get(f"{COLLECTION}?after=").status_code == 200  # an empty cursor is no cursor


def test_limit_defaults_to_20_and_caps_at_200(api):
    for i in range(21):
        create(api, service_body(f"n{i:02d}"))
    assert len(api.get(COLLECTION).data) == 20
    assert len(api.get(f"{COLLECTION}?limit=500").data) == 21


# -- replace ---------------------------------------------------------------------------------------------------------


def test_put_replaces_every_setting_and_accepts_a_get_round_trip(api):
    created = create(api, web_body(client_uri="https://app.example"))
    item = f"{COLLECTION}/{created['client_id']}"
    body = api.get(item).data
    body.update(client_name="Renamed", grant_types=["authorization_code", "refresh_token"])
    response = api.put(item, body)
    assert response.status_code == 200, response.data
    assert response.data["client_name"] == "Renamed"
    assert response.data["grant_types"] == ["authorization_code", "refresh_token"]
    assert response.data["client_uri"] == "https://app.example"
    assert "client_secret" not in response.data
    assert response.headers["ETag"] == 'W/"2"'
    # Absent optional settings go back to their defaults (a PUT is a full replacement).
    response = api.put(item, {"client_name": "Renamed", "redirect_uris": [CB]})
    assert response.data["client_uri"] is None
    assert response.data["grant_types"] == ["authorization_code"]


def test_put_keeps_the_secret_while_the_method_uses_one(api, container):
    created = create(api, service_body())
    item = f"{COLLECTION}/{created['client_id']}"
    response = api.put(item, service_body(token_endpoint_auth_method="client_secret_post"))
    assert response.status_code == 200 and "client_secret" not in response.data
    client = container.clients.get(created["client_id"])
    assert container.clients.verify_secret(client, created["client_secret"])


def test_put_to_a_keyed_method_drops_the_secret_and_back_generates_a_new_one(api, container, rsa_jwk):
    created = create(api, service_body())
    client_id, old = created["client_id"], created["client_secret"]
    item = f"{COLLECTION}/{client_id}"
    keyed = api.put(item, service_body(token_endpoint_auth_method="private_key_jwt", jwks={"keys": [rsa_jwk]}))
    assert keyed.status_code == 200 and "client_secret" not in keyed.data
    assert container.clients.get(client_id).secrets == ()
    assert not container.clients.verify_secret(container.clients.get(client_id), old)
    back = api.put(item, service_body())
    assert back.status_code == 200
    new = back.data["client_secret"]
    assert new != old and back.headers["Cache-Control"] == "no-store"
    assert container.clients.verify_secret(container.clients.get(client_id), new)


def test_put_honours_if_match(api):
    created = create(api, service_body())
    item = f"{COLLECTION}/{created['client_id']}"
    stale = api.put(item, service_body("v2"), headers={"If-Match": 'W/"7"'})
    assert_okta_error(stale, 412, "E0000195")
    fresh = api.put(item, service_body("v2"), headers={"If-Match": 'W/"1"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == 'W/"2"'
    assert_okta_error(api.delete(item, headers={"If-Match": 'W/"1"'}), 412, "E0000195")
    assert api.delete(item, headers={"If-Match": 'W/"2"'}).status_code == 204


def test_put_cannot_change_the_application_type_or_id(api):
    created = create(api, service_body())
    item = f"{COLLECTION}/{created['client_id']}"
    data = assert_okta_error(api.put(item, web_body(application_type="web")), 400, "E0000001")
    assert data["errorCauses"] == [
        {"errorSummary": "application_type: The application type of a client cannot be changed."}]
    data = assert_okta_error(api.put(item, service_body(client_id="0oa" + "z" * 17)), 400, "E0000001")
    assert data["errorCauses"] == [{"errorSummary": "client_id: The client_id cannot be changed."}]


# -- names are unique (case-insensitively) ---------------------------------------------------------------------------

DUPLICATE = "client_name: An object with this field already exists in the current organization"


def test_duplicate_names_are_refused_on_create_and_rename(api):
    create(api, service_body("Billing"))
    other = create(api, service_body("Reports"))
    data = assert_okta_error(api.post(COLLECTION, service_body("BILLING")), 400, "E0000001")
    assert data["errorCauses"] == [{"errorSummary": DUPLICATE}]
    renamed = api.put(f"{COLLECTION}/{other['client_id']}", service_body("billing"))
    assert renamed.data["errorCauses"] == [{"errorSummary": DUPLICATE}]
    # A case-only rename of oneself is fine, and a name freed by rename or delete can be taken again.
    assert api.put(f"{COLLECTION}/{other['client_id']}", service_body("REPORTS")).status_code == 200
    assert api.put(f"{COLLECTION}/{other['client_id']}", service_body("Archive")).status_code == 200
    create(api, service_body("Reports"))
    assert api.delete(f"{COLLECTION}/{other['client_id']}").status_code == 204
    create(api, service_body("archive"))


# -- delete ----------------------------------------------------------------------------------------------------------


def test_delete_removes_the_client_and_its_name(api, container):
    created = create(api, service_body())
    item = f"{COLLECTION}/{created['client_id']}"
    response = api.delete(item)
    assert response.status_code == 204 and response.body in (b"", "")
    assert response.headers["Content-Type"] == "text/plain"
    assert_okta_error(api.get(item), 404, "E0000007")
    assert container.clients.get_for_token(created["client_id"]) is None
    assert [i for i in raw_items() if i["pk"]["S"].startswith("CLIENT")] == []


# -- newSecret -------------------------------------------------------------------------------------------------------


def test_new_secret_replaces_the_old_one_at_once(api, container):
    created = create(api, service_body())
    client_id, old = created["client_id"], created["client_secret"]
    response = api.post(f"{COLLECTION}/{client_id}/lifecycle/newSecret")
    assert response.status_code == 200
    new = response.data["client_secret"]
    assert new != old and re.fullmatch(r"[A-Za-z0-9_-]{43}", new)
    assert response.data["client_id"] == client_id
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["ETag"] == 'W/"2"'
    client = container.clients.get_for_token(client_id)
    assert container.clients.verify_secret(client, new)
    assert not container.clients.verify_secret(client, old)
    dumped = json.dumps(raw_items())
    assert new not in dumped and old not in dumped
    assert "client_secret" not in api.get(f"{COLLECTION}/{client_id}").data


def test_new_secret_accepts_an_empty_octet_stream_post(api):
    created = create(api, service_body())
    response = api.call("POST", f"{COLLECTION}/{created['client_id']}/lifecycle/newSecret",
                        headers={"Content-Type": "application/octet-stream"}, raw=b"")
    assert response.status_code == 200


def test_new_secret_is_refused_for_clients_without_a_secret(api):
    created = create(api, web_body("SPA", application_type="browser"))
    data = assert_okta_error(api.post(f"{COLLECTION}/{created['client_id']}/lifecycle/newSecret"), 400, "E0000001")
    assert data["errorCauses"] == [{"errorSummary": "token_endpoint_auth_method: Only clients that authenticate "
                                                    "with client_secret_basic or client_secret_post have a client "
                                                    "secret."}]


# -- bad input -------------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ({"redirect_uris": [CB]}, "client_name: The field cannot be left blank."),
    (web_body(client_name=["x"]), "client_name: Must be a string."),
    (web_body(application_type="spa"), "application_type: Must be one of: web, native, browser, service."),
    (web_body(token_endpoint_auth_method="client_secret_jwt"),
     "token_endpoint_auth_method: client_secret_jwt is not supported: client secrets are stored only as hashes. "
     "Use client_secret_basic, client_secret_post or private_key_jwt."),
    (web_body(token_endpoint_auth_method="none"),
     "token_endpoint_auth_method: A web application is a confidential client: it cannot use 'none'."),
    (web_body(application_type="browser", token_endpoint_auth_method="client_secret_post"),
     "token_endpoint_auth_method: A browser application is a public client: it must use 'none'."),
    (web_body(grant_types=["authorization_code", "unknown"]),
     "grant_types: 'unknown' is not a supported grant type. Must be one of: authorization_code, implicit, "
     "password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code, "
     "urn:ietf:params:oauth:grant-type:token-exchange."),
    (service_body(grant_types=["client_credentials", "refresh_token"]),
     "grant_types: 'refresh_token' is not allowed for a service application."),
    (web_body(response_types=["code", "token"]), "response_types: 'token' needs the 'implicit' grant type."),
    ({"client_name": "No redirects"},
     "redirect_uris: At least one redirect URI is needed for the authorization_code and implicit grant types."),
    (web_body(redirect_uris=["https://app.example/cb#x"]),
     "redirect_uris: 'https://app.example/cb#x' must not contain a fragment."),
    (web_body(redirect_uris=["http://app.example/cb"]),
     "redirect_uris: 'http://app.example/cb' must use https (http is allowed only for the loopback hosts "
     "127.0.0.1, [::1] and localhost)."),
    (web_body(redirect_uris=["cb"]), "redirect_uris: 'cb' must be an absolute URI."),
    (service_body(token_endpoint_auth_method="private_key_jwt"),
     "jwks: A client that authenticates with private_key_jwt needs jwks or jwks_uri."),
    (service_body(token_endpoint_auth_method="private_key_jwt",
                  jwks={"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}]}),
     "jwks.keys[0]: Must be a public key: private key members are not accepted (d)."),
    (web_body(client_secret="chosen-by-me"),
     "client_secret: The client secret is generated by the server; use lifecycle/newSecret to replace it."),
]


def test_bad_bodies_are_e0000001_with_their_cause(api, subtests):
    for body, cause in BAD_BODIES:
        with subtests.test(cause=cause):
            data = assert_okta_error(api.post(COLLECTION, body), 400, "E0000001")
            assert data["errorSummary"] == "Api validation failed: client"
            assert data["errorCauses"] == [{"errorSummary": cause}]
    assert [i for i in raw_items() if i["pk"]["S"].startswith("CLIENT")] == []


def test_every_bad_field_of_one_body_is_reported(api):
    data = assert_okta_error(api.post(COLLECTION, {"application_type": "desktop", "logo_uri": "x"}), 400, "E0000001")
    assert data["errorCauses"] == [
        {"errorSummary": "client_name: The field cannot be left blank."},
        {"errorSummary": "application_type: Must be one of: web, native, browser, service."},
        {"errorSummary": "logo_uri: 'x' must be an absolute URI."},
        # Rules across fields come after the fields' own checks.
        {"errorSummary": "redirect_uris: At least one redirect URI is needed for the authorization_code and "
                         "implicit grant types."},
    ]


def test_bad_put_bodies_are_e0000001_and_change_nothing(api, container):
    created = create(api, web_body())
    data = assert_okta_error(api.put(f"{COLLECTION}/{created['client_id']}", web_body(redirect_uris=["x"])),
                             400, "E0000001")
    assert data["errorCauses"] == [{"errorSummary": "redirect_uris: 'x' must be an absolute URI."}]
    assert container.clients.get(created["client_id"]).version == 1


def test_malformed_json_is_e0000003(api, subtests):
    created = create(api, service_body("existing"))
    for method, path in (("POST", COLLECTION), ("PUT", f"{COLLECTION}/{created['client_id']}")):
        for raw in (b"{not json", b"[1, 2]", b'"client"', b"\xff\xfe", b"null x"):
            with subtests.test(method=method, raw=raw):
                response = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
                data = assert_okta_error(response, 400, "E0000003")
                assert data["errorSummary"] == "The request body was not well-formed."
    assert container_version(api, created["client_id"]) == 1


def container_version(api, client_id: str) -> int:
    return int(api.get(f"{COLLECTION}/{client_id}").headers["ETag"].strip('W/"'))


def test_a_form_body_is_e0000003(api):
    response = api.call("POST", COLLECTION, raw=b"client_name=x",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_okta_error(response, 400, "E0000003")


# -- authentication and methods --------------------------------------------------------------------------------------

PATHS = [COLLECTION, f"{COLLECTION}/0oaAAAAAAAAAAAAAAAAA", f"{COLLECTION}/0oaAAAAAAAAAAAAAAAAA/lifecycle/newSecret"]


def test_every_route_and_method_requires_an_admin_token(api, subtests):
    from chalice.test import Client

    from app import app

    created = create(api, service_body())
    paths = PATHS + [f"{COLLECTION}/{created['client_id']}", f"{COLLECTION}/{created['client_id']}/lifecycle/newSecret"]
    with Client(app) as client:
        for path in paths:
            for method in ALL_METHODS:
                for authorization in (None, "SSWS wrong-token", "Bearer whatever", "SSWS", f"Basic {api.token}"):
                    with subtests.test(path=path, method=method, authorization=authorization):
                        headers = {"Authorization": authorization} if authorization else {}
                        body = json.dumps(service_body("sneaky")).encode() if method in ("POST", "PUT") else b""
                        response = getattr(client.http, method.lower())(path, headers=headers, body=body)
                        assert response.status_code == 401
                        error = json.loads(response.body)
                        assert error["errorCode"] == "E0000011"
                        assert error["errorSummary"] == "Invalid token provided"
    # Nothing was created, changed or rotated by the refused calls.
    listed = api.get(COLLECTION).data
    assert [c["client_name"] for c in listed] == ["M2M"]
    assert container_version(api, created["client_id"]) == 1


@pytest.mark.parametrize("path, allowed", [
    (PATHS[0], "GET, POST"), (PATHS[1], "GET, PUT, DELETE"), (PATHS[2], "POST")])
def test_unsupported_methods_answer_405(api, path, allowed):
    supported = set(allowed.split(", "))
    for method in ALL_METHODS:
        if method in supported:
            continue
        response = api.call(method, path)
        data = assert_okta_error(response, 405, "E0000022")
        assert data["errorSummary"] == "The endpoint does not support the provided HTTP method"
        assert response.headers["Allow"] == allowed


def test_a_revoked_admin_token_no_longer_works(api, container):
    assert api.get(COLLECTION).status_code == 200
    [token] = [t for t in container.api_tokens.list() if t.name == "tests"]
    container.api_tokens.revoke(token.id)
    assert_okta_error(api.get(COLLECTION), 401, "E0000011")
