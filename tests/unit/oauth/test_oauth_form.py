"""Form bodies and the scope parameter (chalicelib.oauth.form; RFC 6749 3.2, 3.3, Appendix B; TOK-04, TOK-03)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.oauth.errors import InvalidRequestError, InvalidScopeError, OAuthError
from chalicelib.oauth.form import MAX_BODY, parse_form, parse_scope

FORM = "application/x-www-form-urlencoded"


# -- parse_form: content types (TOK-04) ----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [
    FORM,
    "application/x-www-form-urlencoded; charset=UTF-8",
    "application/x-www-form-urlencoded;charset=utf-8",
    "Application/X-WWW-Form-URLEncoded",
    "  application/x-www-form-urlencoded  ; charset=utf-8",
])
def test_tok04_form_content_types_accepted(content_type):
    assert parse_form(b"grant_type=client_credentials", content_type) == {"grant_type": "client_credentials"}


@pytest.mark.parametrize("content_type", [
    None, "", "application/json", "text/plain", "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded-but-not", "application/x-www-form", "x-www-form-urlencoded",
])
def test_tok04_other_or_missing_content_type_is_invalid_request(content_type):
    with pytest.raises(InvalidRequestError) as raised:
        parse_form(b"grant_type=client_credentials", content_type)
    assert raised.value.error == "invalid_request"
    assert raised.value.status == 400


# -- parse_form: values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    (b"", {}),
    (b"a=1&b=2", {"a": "1", "b": "2"}),
    (b"a=&b=", {"a": "", "b": ""}),  # blank values are kept (present but empty)
    (b"flag", {"flag": ""}),
    (b"scope=api%3Aread+api%3Awrite", {"scope": "api:read api:write"}),  # Appendix B: + is a space
    (b"client_secret=a%2Bb%25c%3Ad%7Ee", {"client_secret": "a+b%c:d~e"}),
    (b"name=%C3%A9t%C3%A9", {"name": "\u00e9t\u00e9"}),
    (b"a=1&&b=2", {"a": "1", "b": "2"}),
])
def test_form_values_are_decoded(body, expected):
    assert parse_form(body, FORM) == expected


@pytest.mark.parametrize("body", [
    b"client_id=a&client_id=b",
    b"client_id=a&client_id=a",  # even the same value twice
    b"scope=&scope=",
    b"client_id=a&client%5Fid=b",  # the same name once decoded
])
def test_repeated_parameter_is_invalid_request(body):
    with pytest.raises(InvalidRequestError, match="multiple parameters"):
        parse_form(body, FORM)


@pytest.mark.parametrize("body", [
    b"client_id=\xff",
    b"\xc3\x28=x",
    b"client_secret=%FF",  # percent-encoded bytes must be UTF-8 too
    b"client_secret=%C3%28",
    b"%ED%A0%80=x",  # an encoded UTF-16 surrogate is not UTF-8
])
def test_body_that_is_not_utf8_is_invalid_request(body):
    with pytest.raises(InvalidRequestError, match="UTF-8"):
        parse_form(body, FORM)


def test_body_size_cap():
    at_cap = b"a=" + b"x" * (MAX_BODY - 2)
    assert parse_form(at_cap, FORM)["a"] == "x" * (MAX_BODY - 2)
    with pytest.raises(InvalidRequestError, match="too large"):
        parse_form(at_cap + b"x", FORM)


# -- parse_scope (RFC 6749 3.3) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", " ", "   "])
def test_absent_or_empty_scope_means_default_scopes(raw):
    assert parse_scope(raw) is None


@pytest.mark.parametrize("raw, expected", [
    ("api:read", ("api:read",)),
    ("api:read api:write", ("api:read", "api:write")),
    ("  api:read   api:write  ", ("api:read", "api:write")),
    ("b a b a c", ("b", "a", "c")),  # deduplicated, first occurrence kept, order kept
    ("API:read api:read", ("API:read", "api:read")),  # case-sensitive
    ("!#$%&'()*+,-./:;<=>?@[]^_`{|}~", ("!#$%&'()*+,-./:;<=>?@[]^_`{|}~",)),  # all of NQCHAR but " and \
])
def test_scope_tokens(raw, expected):
    assert parse_scope(raw) == expected


def test_scope_length_cap():
    at_cap = " ".join(["abc"] * 256) + "d"
    assert len(at_cap) == 1024
    assert parse_scope(at_cap)
    with pytest.raises(InvalidRequestError, match="1024"):
        parse_scope(at_cap + "d")


@pytest.mark.parametrize("raw", [
    'api:"read"', "api\\read", "api:read\tapi:write", "api:read\napi:write", "caf\u00e9", "a\x00b", "a\x7fb",
    "\t",
])
def test_scope_with_a_character_outside_nqchar_is_invalid_scope(raw):
    with pytest.raises(InvalidScopeError) as raised:
        parse_scope(raw)
    assert raised.value.error == "invalid_scope"


# -- properties: only OAuth errors, whatever the input ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=512), content_type=st.one_of(st.none(), st.just(FORM), st.text(max_size=40)))
def test_parse_form_raises_only_oauth_errors(body, content_type):
    try:
        params = parse_form(body, content_type)
    except OAuthError as exc:
        assert exc.error == "invalid_request"
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=6))
def test_parse_form_round_trips_encoded_pairs_or_refuses_duplicates(body):
    from urllib.parse import urlencode

    encoded = urlencode(body).encode("utf-8")
    try:
        params = parse_form(encoded, FORM)
    except InvalidRequestError:
        names = [k for k, _ in body]
        assert len(set(names)) < len(names)  # urlencode keeps every pair, so only a duplicate name is refused
        return
    assert params == dict(body)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(st.none(), st.text(max_size=1100), st.text(alphabet=" abc\t\"\\:", max_size=40)))
def test_parse_scope_raises_only_oauth_errors(raw):
    try:
        scopes = parse_scope(raw)
    except OAuthError as exc:
        assert exc.error in ("invalid_request", "invalid_scope")
        return
    if scopes is not None:
        assert scopes and len(set(scopes)) == len(scopes)
        assert all(s and " " not in s for s in scopes)


@settings(max_examples=500, deadline=None)
@given(body=st.one_of(st.binary(max_size=200), st.text(alphabet="ab=&+%2F3A0cé ", max_size=60).map(str.encode)))
def test_parse_form_reads_what_parse_qsl_reads(body):
    # The standard library's reading of a form (keep blank values, strict UTF-8), which parse_form reproduces
    # without decoding the pairs that need none.
    from urllib.parse import parse_qsl

    try:
        expected = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        with pytest.raises(InvalidRequestError, match="UTF-8"):
            parse_form(body, FORM)
        return
    if len({name for name, _ in expected}) < len(expected):
        with pytest.raises(InvalidRequestError, match="multiple"):
            parse_form(body, FORM)
        return
    assert parse_form(body, FORM) == dict(expected)
