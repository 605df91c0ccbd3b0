"""The parameters of ``/v1/authorize`` (chalicelib.oauth.authorize.params): order and errors of security-checklist
REDIR-07, REDIR-10..12, REDIR-15, REDIR-18, IDT-07, IDT-08, PKCE-06..08, okta-api.md 7.3 / 7.9."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain import OAuthClient
from chalicelib.oauth.authorize import params as authz
from chalicelib.oauth.authorize.browser import PageError, RedirectError
from tests.unit.oauth.oauthfakes import fake_client

CB = "https://app.example/cb"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def registered(response_types: tuple[str, ...] = ("code",), grant_types: tuple[str, ...] = ("authorization_code",),
               token_endpoint_auth_method: str = "client_secret_basic") -> OAuthClient:
    """Client ``c1`` as registered."""
    return fake_client("c1", response_types=response_types, grant_types=grant_types,
                       token_endpoint_auth_method=token_endpoint_auth_method)


PUBLIC = registered(token_endpoint_auth_method="none")
HYBRID = registered(response_types=("code", "token", "id_token"), grant_types=("authorization_code", "implicit"))


def multi(**values: str | list[str]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) if isinstance(v, list) else (v,) for k, v in values.items()}


def read(client: OAuthClient = registered(), **values: str | list[str]) -> authz.AuthorizeParams:
    base = {"response_type": "code", "scope": "openid", "state": "s"}
    base.update(values)
    return authz.read(multi(**{k: v for k, v in base.items() if v is not None}), client, CB)


def refused(error: str, client: OAuthClient = registered(), **values: str | list[str]) -> str:
    with pytest.raises(RedirectError) as caught:
        read(client, **values)
    assert caught.value.error == error, caught.value.description
    return caught.value.description


def test_a_plain_code_request():
    p = read()
    assert p.response_types == {"code"} and p.response_mode == "query" and p.scopes == ("openid",)
    assert p.state == "s" and p.prompt == frozenset() and p.grant_type == "authorization_code"
    assert authz.AuthorizeParams.from_record(p.record()) == p


def test_redir10_unknown_parameters_and_display_hints_are_ignored():
    assert read(extra="foobar", display="popup", ui_locales="de", claims_locales="fr", acr_values="x",
                idp="0oa", login_hint="alice@example.com").login_hint == "alice@example.com"


def test_redir11_repeated_parameters_are_invalid_request():
    assert refused("invalid_request", scope=["openid", "profile"]) == authz.DUPLICATE
    assert refused("invalid_request", state=["a", "b"]) == authz.DUPLICATE
    with pytest.raises(PageError):  # client_id / redirect_uri: a page, never a redirect
        authz.single_for_page(multi(client_id=["a", "b"]), "client_id")


def test_redir12_empty_values_count_as_absent():
    assert read(scope="").scopes is None
    assert read(state="").state is None
    assert refused("invalid_request", response_type="") == "The 'response_type' parameter is required."


def test_redir14_scope_order_and_duplicates():
    assert read(scope="profile openid").scopes == ("profile", "openid")
    assert read(scope="openid  openid").scopes == ("openid",)


def test_redir15_long_state_and_nonce_are_kept_or_refused_never_truncated():
    long = "s" * 384
    assert read(state=long).state == long and read(nonce=long).nonce == long
    refused("invalid_request", state="s" * (authz.MAX_STATE + 1))
    refused("invalid_request", nonce="n" * (authz.MAX_STATE + 1))


def test_redir16_state_is_optional():
    assert read(state=None).state is None


def test_redir18_request_objects_are_refused_not_ignored():
    refused("request_not_supported", request="eyJ...")
    refused("request_uri_not_supported", request_uri="urn:x")


def test_response_types():
    assert refused("unsupported_response_type", response_type="none").endswith("[code].")
    refused("unsupported_response_type", response_type="code code")
    refused("unsupported_response_type", response_type="code device")
    assert refused("unauthorized_client", response_type="token", nonce="n").startswith("The client is not")
    refused("unauthorized_client", response_type="code id_token", nonce="n")
    assert read(HYBRID, response_type="token id_token code", nonce="n").response_types == {"code", "token",
                                                                                          "id_token"}
    assert read(HYBRID, response_type="id_token", nonce="n").grant_type == "implicit"
    refused("unauthorized_client", registered(response_types=("code", "token"), grant_types=("authorization_code",)),
            response_type="token", nonce="n")


def test_response_modes():
    assert read(HYBRID, response_type="id_token", nonce="n").response_mode == "fragment"
    assert read(response_mode="form_post").response_mode == "form_post"
    assert read(response_mode="fragment").response_mode == "fragment"
    refused("unsupported_response_mode", response_mode="okta_post_message")
    assert refused("unsupported_response_mode", client=HYBRID, response_type="code token", nonce="n",
                   response_mode="query") == authz.QUERY_WITH_TOKENS


def test_errors_use_a_safe_mode_even_when_the_mode_is_the_problem():
    d = authz.delivery(multi(response_type="code token", response_mode="query", state="s"), CB)
    assert d.response_mode == "fragment" and d.state == "s"
    assert authz.delivery(multi(response_mode=["form_post", "query"]), CB).response_mode == "query"
    assert authz.delivery(multi(state=["a", "b"]), CB).state is None


def test_openid_rules():
    assert refused("invalid_scope", HYBRID, response_type="id_token", nonce="n", scope="profile") == \
        authz.OPENID_REQUIRED
    refused("invalid_scope", HYBRID, response_type="id_token", nonce="n", scope=None)
    refused("invalid_scope", scope="profile email")  # identity scopes without openid
    assert read(scope="offline_access custom").scopes == ("offline_access", "custom")
    refused("invalid_scope", scope='bad"scope')


def test_nonce_is_required_when_tokens_come_from_the_front_channel():
    assert refused("invalid_request", HYBRID, response_type="id_token") == authz.NONCE_REQUIRED
    refused("invalid_request", HYBRID, response_type="code token")
    assert read(HYBRID, response_type="code").nonce is None  # IDT-03: optional for the code flow


def test_idt08_prompt_values():
    assert read(prompt="login consent").prompt == {"login", "consent"}
    refused("invalid_request", prompt="none login")
    refused("invalid_request", prompt="select_account")
    refused("invalid_request", prompt="enroll_authenticator")


@pytest.mark.parametrize("value,ok", [("0", True), ("1", True), ("10000", True), ("-1", False), ("1.5", False),
                                      ("9007199254740991", False), ("abc", False), ("١", False)])
def test_idt07_max_age(value, ok):
    if ok:
        assert read(max_age=value).max_age == int(value)
    else:
        refused("invalid_request", max_age=value)


def test_pkce06_pkce07_pkce08_at_the_authorize_endpoint():
    assert read(code_challenge=CHALLENGE, code_challenge_method="S256").code_challenge == CHALLENGE
    assert "Valid values: [S256]" in refused("invalid_request", code_challenge=CHALLENGE,
                                             code_challenge_method="plain")
    refused("invalid_request", code_challenge=CHALLENGE)  # absent method means plain
    refused("invalid_request", code_challenge=CHALLENGE, code_challenge_method="S512")
    refused("invalid_request", code_challenge=CHALLENGE[:-1], code_challenge_method="S256")
    refused("invalid_request", code_challenge=CHALLENGE[:-1] + "=", code_challenge_method="S256")
    refused("invalid_request", code_challenge_method="S256")
    assert refused("invalid_request", PUBLIC) == "PKCE code challenge is required by the application."
    assert read(PUBLIC, code_challenge=CHALLENGE, code_challenge_method="S256").code_challenge == CHALLENGE


def test_an_app_that_requires_pkce_gets_no_code_without_a_challenge():
    """Okta's ``pkce_required`` (Apps API): a confidential web app may require PKCE too."""
    strict = replace(registered(), pkce_required=True)
    assert refused("invalid_request", strict) == "PKCE code challenge is required by the application."
    assert read(strict, code_challenge=CHALLENGE, code_challenge_method="S256").code_challenge == CHALLENGE
    assert read(replace(registered(), pkce_required=False)).code_challenge is None


def test_dpop_jkt_binds_a_code_to_a_key_rfc9449_10():
    bound = read(dpop_jkt=CHALLENGE)  # a thumbprint has the shape of an S256 challenge: 43 base64url characters
    assert bound.dpop_jkt == CHALLENGE
    assert authz.AuthorizeParams.from_record(bound.record()) == bound  # kept while the person signs in
    assert read().dpop_jkt is None
    for bad in ("x" * 42, "x" * 44, "+" * 43, "a b" * 14 + "a"):
        assert "dpop_jkt" in refused("invalid_request", dpop_jkt=bad)
    assert refused("invalid_request", dpop_jkt=[CHALLENGE, CHALLENGE]) == authz.DUPLICATE
    # No code, nothing to bind: an implicit request's dpop_jkt is dropped, like a code challenge.
    assert read(HYBRID, response_type="id_token token", nonce="n", dpop_jkt=CHALLENGE).dpop_jkt is None


def test_login_hint_is_capped():
    assert read(login_hint="x" * 1000).login_hint == "x" * authz.MAX_LOGIN_HINT
