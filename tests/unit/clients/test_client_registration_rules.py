"""admin/client_fields.py ``read_client``: defaults, and every rule as a table of (body, expected single cause)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.admin.client_fields import read_client
from chalicelib.domain import ClientSecret, OAuthClient
from chalicelib.errors import MalformedBodyError, ValidationError

from client_keys import ec_jwk, rsa_jwk

CB = "https://app.example/cb"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def causes(body, current=None) -> list[str]:
    with pytest.raises(ValidationError) as err:
        read_client(body, current)
    assert err.value.target == "client"
    return err.value.causes


def web(**extra):
    return {"client_name": "Web", "redirect_uris": [CB], **extra}


def existing(**changes) -> OAuthClient:
    fields = dict(client_id="0oa" + "a" * 17, client_name="Web", application_type="web",
                  token_endpoint_auth_method="client_secret_basic", grant_types=("authorization_code",),
                  response_types=("code",), redirect_uris=(CB,), post_logout_redirect_uris=(), client_uri=None,
                  logo_uri=None, jwks=None, jwks_uri=None, secrets=(ClientSecret("ocs1", "0" * 64, "ACTIVE", T0, T0),), status="ACTIVE", created=T0,
                  last_updated=T0, version=1)
    fields.update(changes)
    return OAuthClient(**fields)


# -- defaults ------------------------------------------------------------------------------------------------------


def test_a_web_client_defaults_to_code_flow_and_client_secret_basic():
    fields = read_client(web())
    assert fields == {
        "client_name": "Web", "application_type": "web", "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ("authorization_code",), "response_types": ("code",), "redirect_uris": (CB,),
        "post_logout_redirect_uris": (), "client_uri": None, "logo_uri": None, "jwks": None, "jwks_uri": None,
        "require_pushed_authorization_requests": False,
        "dpop_bound_access_tokens": False,
    }


def test_a_service_client_defaults_to_client_credentials_without_redirects():
    fields = read_client({"client_name": "M2M", "application_type": "service"})
    assert fields["grant_types"] == ("client_credentials",)
    assert fields["response_types"] == ()
    assert fields["redirect_uris"] == ()
    assert fields["token_endpoint_auth_method"] == "client_secret_basic"


@pytest.mark.parametrize("application_type", ["browser", "native"])
def test_browser_and_native_clients_default_to_public(application_type):
    fields = read_client({"client_name": "P", "application_type": application_type, "redirect_uris": [CB]})
    assert fields["token_endpoint_auth_method"] == "none"


def test_okta_service_app_shape_with_response_type_token_is_accepted():
    # Okta's own example of a service app registers response_types ["token"] with client_credentials only.
    fields = read_client({"client_name": "S", "application_type": "service", "grant_types": ["client_credentials"],
                          "response_types": ["token"], "token_endpoint_auth_method": "private_key_jwt",
                          "jwks": {"keys": [rsa_jwk("k1")]}})
    assert fields["response_types"] == ("token",)
    assert fields["jwks"]["keys"][0]["kid"] == "k1"


def test_null_and_empty_values_mean_not_given():
    fields = read_client(web(application_type=None, grant_types=[], response_types=None, client_uri="",
                             token_endpoint_auth_method=None, jwks={}, post_logout_redirect_uris=None))
    assert fields["application_type"] == "web"
    assert fields["grant_types"] == ("authorization_code",)


def test_read_only_members_of_a_get_are_ignored_on_put():
    current = existing()
    body = web(client_id=current.client_id, client_id_issued_at=1, client_secret_expires_at=0,
               _links={"self": {"href": "x"}}, unknown_member="ignored")
    assert read_client(body, current)["client_name"] == "Web"


def test_put_keeps_the_application_type_when_absent():
    current = existing(application_type="native", token_endpoint_auth_method="none")
    assert read_client({"client_name": "N", "redirect_uris": [CB]}, current)["application_type"] == "native"


def test_repeated_values_are_dropped_in_order():
    fields = read_client(web(grant_types=["authorization_code", "refresh_token", "authorization_code"]))
    assert fields["grant_types"] == ("authorization_code", "refresh_token")


def test_all_valid_combinations_of_a_full_web_client():
    fields = read_client(web(grant_types=["authorization_code", "implicit", "refresh_token", "client_credentials"],
                             response_types=["code", "token", "id_token"], client_uri="http://app.example",
                             logo_uri="https://app.example/logo.png",
                             post_logout_redirect_uris=["https://app.example/bye"]))
    assert set(fields["response_types"]) == {"code", "token", "id_token"}


def test_native_client_may_use_loopback_and_reverse_domain_schemes():
    uris = ["http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://localhost:3000/cb", "com.example.app:/callback"]
    fields = read_client({"client_name": "N", "application_type": "native", "redirect_uris": uris,
                          "grant_types": ["authorization_code", "refresh_token",
                                          "urn:ietf:params:oauth:grant-type:device_code"]})
    assert fields["redirect_uris"] == tuple(uris)


def test_private_key_jwt_with_a_jwks_uri():
    fields = read_client(web(token_endpoint_auth_method="private_key_jwt", jwks_uri="https://app.example/jwks"))
    assert fields["jwks_uri"] == "https://app.example/jwks" and fields["jwks"] is None


def test_jwks_is_stored_with_public_members_only():
    key = {**ec_jwk("e1"), "x5t": "ignored", "key_ops": ["verify"]}
    fields = read_client(web(token_endpoint_auth_method="private_key_jwt", jwks={"keys": [key]}))
    assert set(fields["jwks"]["keys"][0]) == {"kty", "kid", "crv", "x", "y"}


# -- one cause per bad field ---------------------------------------------------------------------------------------

BAD = [
    # client_name
    ({"redirect_uris": [CB]}, "client_name: The field cannot be left blank."),
    (web(client_name=7), "client_name: Must be a string."),
    (web(client_name="x" * 101), "client_name: Must be at most 100 characters long."),
    # read-only and server-generated members
    (web(client_id="0oaXXXXXXXXXXXXXXXXX"), "client_id: The client_id is assigned by the server."),
    (web(client_secret="mine"),
     "client_secret: The client secret is generated by the server; use lifecycle/newSecret to replace it."),
    # application_type
    (web(application_type="spa"), "application_type: Must be one of: web, native, browser, service."),
    (web(application_type=["web"]), "application_type: Must be one of: web, native, browser, service."),
    # token_endpoint_auth_method
    (web(token_endpoint_auth_method="tls_client_auth"),
     "token_endpoint_auth_method: Must be one of: client_secret_basic, client_secret_post, private_key_jwt, none."),
    (web(token_endpoint_auth_method="client_secret_jwt"),
     "token_endpoint_auth_method: client_secret_jwt is not supported: client secrets are stored only as hashes. "
     "Use client_secret_basic, client_secret_post or private_key_jwt."),
    (web(token_endpoint_auth_method="none"),
     "token_endpoint_auth_method: A web application is a confidential client: it cannot use 'none'."),
    ({"client_name": "S", "application_type": "service", "token_endpoint_auth_method": "none"},
     "token_endpoint_auth_method: A service application is a confidential client: it cannot use 'none'."),
    (web(application_type="browser", token_endpoint_auth_method="client_secret_basic"),
     "token_endpoint_auth_method: A browser application is a public client: it must use 'none'."),
    # grant_types: type, values, per application type, combinations
    (web(grant_types="authorization_code"), "grant_types: Must be a list of non-empty strings."),
    (web(grant_types=["authorization_code", 3]), "grant_types: Must be a list of non-empty strings."),
    (web(grant_types=["authorization_code", "magic"]),
     "grant_types: 'magic' is not a supported grant type. Must be one of: authorization_code, implicit, password, "
     "refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code, "
     "urn:ietf:params:oauth:grant-type:token-exchange."),
    (web(grant_types=["authorization_code", "password"]),
     "grant_types: 'password' is not allowed for a web application."),
    (web(grant_types=["implicit"], response_types=["token"]),
     "grant_types: A web application must include 'authorization_code'."),
    ({"client_name": "N", "application_type": "native", "redirect_uris": [CB],
      "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"], "response_types": []},
     "grant_types: A native application must include 'authorization_code'."),
    ({"client_name": "S", "application_type": "service", "grant_types": ["authorization_code"],
      "redirect_uris": [CB]}, "grant_types: 'authorization_code' is not allowed for a service application."),
    ({"client_name": "S", "application_type": "service", "grant_types": ["client_credentials", "refresh_token"]},
     "grant_types: 'refresh_token' is not allowed for a service application."),
    ({"client_name": "S", "application_type": "service",
      "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"]},
     "grant_types: A service application must include 'client_credentials'."),
    (web(application_type="browser", grant_types=["authorization_code", "client_credentials"]),
     "grant_types: 'client_credentials' is not allowed for a browser application."),
    (web(application_type="native", grant_types=["authorization_code", "client_credentials"]),
     "grant_types: 'client_credentials' is not allowed for a native application."),
    (web(application_type="browser", grant_types=["implicit", "refresh_token"], response_types=["id_token"]),
     "grant_types: 'refresh_token' needs a grant type that issues refresh tokens: authorization_code, password, "
     "urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange."),
    # response_types
    (web(response_types=["code", "code id_token"]),
     "response_types: 'code id_token' is not a supported response type. Must be one of: code, token, id_token."),
    (web(response_types="code"), "response_types: Must be a list of non-empty strings."),
    ({"client_name": "S", "application_type": "service", "response_types": ["code"]},
     "response_types: 'code' needs the 'authorization_code' grant type."),
    (web(response_types=["code", "id_token"]), "response_types: 'id_token' needs the 'implicit' grant type."),
    (web(response_types=["code", "token"]), "response_types: 'token' needs the 'implicit' grant type."),
    (web(grant_types=["authorization_code", "implicit"], response_types=["token"]),
     "response_types: The 'authorization_code' grant type needs 'code'."),
    (web(grant_types=["authorization_code", "implicit"]),
     "response_types: The 'implicit' grant type needs 'token' or 'id_token'."),
    # redirect URIs
    ({"client_name": "W"},
     "redirect_uris: At least one redirect URI is needed for the authorization_code and implicit grant types."),
    ({"client_name": "B", "application_type": "browser", "grant_types": ["implicit"], "response_types": ["token"]},
     "redirect_uris: At least one redirect URI is needed for the authorization_code and implicit grant types."),
    (web(redirect_uris=CB), "redirect_uris: Must be a list of non-empty strings."),
    (web(redirect_uris=[CB, ""]), "redirect_uris: Must be a list of non-empty strings."),
    (web(redirect_uris=["https://app.example/" + "a" * 1100]),
     "redirect_uris: Values must be at most 1024 characters long."),
    (web(redirect_uris=[f"https://app.example/{i}" for i in range(101)]),
     "redirect_uris: Must hold at most 100 values."),
    (web(redirect_uris=[CB, "/relative/cb"]), "redirect_uris: '/relative/cb' must be an absolute URI."),
    (web(redirect_uris=["https://app.example/cb#frag"]),
     "redirect_uris: 'https://app.example/cb#frag' must not contain a fragment."),
    (web(redirect_uris=["http://app.example/cb"]),
     "redirect_uris: 'http://app.example/cb' must use https (http is allowed only for the loopback hosts "
     "127.0.0.1, [::1] and localhost)."),
    (web(redirect_uris=["com.example.app:/cb"]),
     "redirect_uris: 'com.example.app:/cb' must use https: custom URI schemes are allowed only for native "
     "applications."),
    (web(redirect_uris=["javascript:alert(1)"]),
     "redirect_uris: 'javascript:alert(1)' must not use the 'javascript' scheme."),
    (web(post_logout_redirect_uris=["http://evil.example/bye"]),
     "post_logout_redirect_uris: 'http://evil.example/bye' must use https (http is allowed only for the loopback "
     "hosts 127.0.0.1, [::1] and localhost)."),
    # client_uri, logo_uri, jwks_uri
    (web(client_uri="ftp://app.example"), "client_uri: 'ftp://app.example' must be an http or https URI."),
    (web(logo_uri="javascript:alert(1)"), "logo_uri: 'javascript:alert(1)' must be an http or https URI."),
    (web(logo_uri=["https://app.example/logo.png"]), "logo_uri: Must be a string."),
    (web(client_uri="https://" + "a" * 1030), "client_uri: Must be at most 1024 characters long."),
    (web(token_endpoint_auth_method="private_key_jwt", jwks_uri="http://app.example/jwks"),
     "jwks_uri: 'http://app.example/jwks' must be an https URI."),
    # jwks
    (web(token_endpoint_auth_method="private_key_jwt"),
     "jwks: A client that authenticates with private_key_jwt needs jwks or jwks_uri."),
    (web(token_endpoint_auth_method="private_key_jwt", jwks_uri="https://app.example/jwks",
         jwks={"keys": [rsa_jwk("k1")]}), "jwks: Give either jwks or jwks_uri, not both."),
    (web(jwks=[rsa_jwk("k1")]), "jwks: Must be a JSON Web Key Set: an object with a 'keys' array."),
    (web(jwks={"keys": "k"}), "jwks: Must be a JSON Web Key Set: an object with a 'keys' array."),
    (web(jwks={"keys": []}), "jwks: Must hold between 1 and 20 keys."),
    (web(jwks={"keys": [ec_jwk("a")] * 21}), "jwks: Must hold between 1 and 20 keys."),
    (web(jwks={"keys": [rsa_jwk("k1", private=True)]}),
     "jwks.keys[0]: Must be a public key: private key members are not accepted (d, p, q, dp, dq, qi)."),
    (web(jwks={"keys": [ec_jwk("a"), {"kty": "oct", "k": "c2VjcmV0"}]}),
     "jwks.keys[1]: Must be a public key: private key members are not accepted (k)."),
    (web(jwks={"keys": [ec_jwk(None), ec_jwk("b")]}),
     "jwks: Every key needs a 'kid' when the set holds more than one key."),
    (web(jwks={"keys": [ec_jwk("a"), ec_jwk("a")]}), "jwks: Key ids ('kid') must be unique."),
]


@pytest.mark.parametrize("body, cause", BAD, ids=[c.split(":")[0] + ":" + str(i) for i, (_b, c) in enumerate(BAD)])
def test_each_bad_field_gets_exactly_its_cause(body, cause):
    assert causes(body) == [cause]


def test_changing_the_application_type_on_put_is_refused():
    assert causes(web(application_type="native"), existing()) == [
        "application_type: The application type of a client cannot be changed."]


def test_changing_the_client_id_on_put_is_refused():
    assert causes(web(client_id="0oa" + "b" * 17), existing()) == ["client_id: The client_id cannot be changed."]


def test_several_bad_fields_give_one_cause_each_in_field_order():
    body = {"client_name": "", "application_type": "spa", "grant_types": ["magic"], "redirect_uris": ["x"],
            "logo_uri": "nope"}
    got = causes(body)
    assert [c.split(":")[0] for c in got] == ["client_name", "application_type", "grant_types", "redirect_uris",
                                             "logo_uri"]


def test_a_bad_application_type_does_not_cascade_into_other_fields():
    assert causes(web(application_type="spa", token_endpoint_auth_method="none")) == [
        "application_type: Must be one of: web, native, browser, service."]


def test_a_misspelt_application_type_does_not_also_fail_a_custom_scheme_redirect():
    assert causes({"client_name": "N", "application_type": "nativ", "redirect_uris": ["com.example.app:/cb"]}) == [
        "application_type: Must be one of: web, native, browser, service."]


@pytest.mark.parametrize("body", [[], "client", 3, [{"client_name": "x"}]])
def test_a_body_that_is_not_an_object_is_malformed(body):
    with pytest.raises(MalformedBodyError):
        read_client(body)


# -- jwks_uri: never a host the server must not connect to (issue 13 item 5, the blind SSRF) -----------------------

NON_PUBLIC = "must not name a loopback, private, link-local or otherwise non-public address."
INTERNAL_NAME = "must name a public host (not localhost, a single-label or an internal name)."


@pytest.mark.parametrize("uri, problem", [
    ("https://127.0.0.1/jwks", NON_PUBLIC),
    ("https://127.0.0.1:8443/jwks", NON_PUBLIC),
    ("https://2130706433/jwks", NON_PUBLIC),
    ("https://0x7f.1/jwks", NON_PUBLIC),
    ("https://[::1]/jwks", NON_PUBLIC),
    ("https://[::ffff:169.254.169.254]/jwks", NON_PUBLIC),
    ("https://169.254.169.254/latest/meta-data/", NON_PUBLIC),
    ("https://[fd00:ec2::254]/latest/meta-data/", NON_PUBLIC),
    ("https://10.1.2.3/jwks", NON_PUBLIC),
    ("https://192.168.0.10/jwks", NON_PUBLIC),
    ("https://0.0.0.0/jwks", NON_PUBLIC),
    ("https://localhost/jwks", INTERNAL_NAME),
    ("https://LocalHost./jwks", INTERNAL_NAME),
    ("https://keys.localhost/jwks", INTERNAL_NAME),
    ("https://metadata.google.internal/computeMetadata/v1/", INTERNAL_NAME),
    ("https://intranet/jwks", INTERNAL_NAME),
])
def test_cauth09_ssrf_a_jwks_uri_on_a_non_public_host_is_refused(uri, problem):
    assert causes(web(token_endpoint_auth_method="private_key_jwt", jwks_uri=uri)) == [
        f"jwks_uri: '{uri}' {problem}"]


@pytest.mark.parametrize("uri", ["https://app.example/jwks", "https://93.184.215.14/jwks",
                                 "https://[2606:4700::1111]/jwks", "https://keys.app.example:8443/jwks?v=2"])
def test_a_jwks_uri_on_a_public_host_is_kept(uri):
    assert read_client(web(token_endpoint_auth_method="private_key_jwt", jwks_uri=uri))["jwks_uri"] == uri


def test_client_uri_and_logo_uri_are_never_fetched_so_any_host_is_accepted():
    fields = read_client(web(client_uri="http://localhost:3000", logo_uri="https://127.0.0.1/logo.png"))
    assert (fields["client_uri"], fields["logo_uri"]) == ("http://localhost:3000", "https://127.0.0.1/logo.png")
