"""OAuth error responses (chalicelib.oauth.errors; RFC 6749 5.2, RFC 7009 2.2.1, RFC 7662 2.3; TOK-03)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.oauth import errors
from chalicelib.oauth.errors import OAuthError, from_decision
from chalicelib.policy.reasons import CATALOGUE, CONSENT_REQUIRED_CLIENT_CREDENTIALS

# RFC 6749 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E )
ALLOWED = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")


@pytest.mark.parametrize("cls, code, status", [
    (errors.InvalidRequestError, "invalid_request", 400),
    (errors.InvalidClientError, "invalid_client", 401),
    (errors.InvalidGrantError, "invalid_grant", 400),
    (errors.UnauthorizedClientError, "unauthorized_client", 400),
    (errors.UnsupportedGrantTypeError, "unsupported_grant_type", 400),
    (errors.InvalidScopeError, "invalid_scope", 400),
    (errors.AccessDeniedError, "access_denied", 400),
    (errors.ConsentRequiredError, "consent_required", 400),
    (errors.UnsupportedTokenTypeError, "unsupported_token_type", 400),
    (errors.ServerError, "server_error", 500),
    (errors.TemporarilyUnavailableError, "temporarily_unavailable", 503),
])
def test_tok03_codes_and_statuses(cls, code, status):
    error = cls("Something went wrong.")
    assert isinstance(error, OAuthError)
    assert (error.error, error.status, error.www_authenticate) == (code, status, None)
    assert error.body() == {"error": code, "error_description": "Something went wrong."}


def test_status_and_challenge_can_be_set_per_instance_without_touching_the_class():
    error = errors.InvalidClientError("x", status=400, www_authenticate='Basic realm="tokenmint"')
    assert (error.status, error.www_authenticate) == (400, 'Basic realm="tokenmint"')
    assert errors.InvalidClientError.status == 401
    assert errors.InvalidClientError("y").status == 401


@pytest.mark.parametrize("raw, expected", [
    ('The "scope" is bad.', "The 'scope' is bad."),
    ("back\\slash", "back'slash"),
    ("line\nbreak\r\ttab", "line'break''tab"),
    ("caf\u00e9 \u2603", "caf' '"),
    ("nul\x00del\x7f", "nul'del'"),
    ("Denied scopes: [a, b].", "Denied scopes: [a, b]."),
    ("!#$%&'()*+,-./:;<=>?@[]^_`{|}~", "!#$%&'()*+,-./:;<=>?@[]^_`{|}~"),
])
def test_tok03_error_description_is_sanitized(raw, expected):
    error = errors.InvalidRequestError(raw)
    assert error.description == expected
    assert error.body()["error_description"] == expected
    assert str(error) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_tok03_any_description_ends_up_in_the_allowed_set(text):
    description = errors.InvalidScopeError(text).body()["error_description"]
    assert ALLOWED.fullmatch(description)
    assert len(description) == len(text)


@pytest.mark.parametrize("code, cls", [
    ("invalid_request", errors.InvalidRequestError),
    ("invalid_scope", errors.InvalidScopeError),
    ("access_denied", errors.AccessDeniedError),
    ("consent_required", errors.ConsentRequiredError),
    ("unauthorized_client", errors.UnauthorizedClientError),
    ("invalid_grant", errors.InvalidGrantError),
    ("server_error", errors.ServerError),
])
def test_from_decision_maps_codes(code, cls):
    error = from_decision(code, "Because.", 400)
    assert type(error) is cls
    assert (error.error, error.status, error.description) == (code, 400, "Because.")


@pytest.mark.parametrize("code", ["no_such_error", "", "invalid_client", "temporarily_unavailable"])
def test_from_decision_unknown_codes_fail_closed_as_access_denied(code):
    error = from_decision(code, "x", 403)
    assert (error.error, error.status) == ("access_denied", 403)


@pytest.mark.parametrize("entry", [*CATALOGUE.values(), CONSENT_REQUIRED_CLIENT_CREDENTIALS],
                         ids=[*CATALOGUE.keys(), "consent_required_client_credentials"])
def test_from_decision_knows_every_code_of_the_policy_catalogue(entry):
    error = from_decision(entry.error, entry.describe(("api:read",)), entry.http_status)
    assert error.error == entry.error
    assert error.status == entry.http_status
    assert ALLOWED.fullmatch(error.description)
