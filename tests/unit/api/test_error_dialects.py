"""api/errors.py: the three error dialects (Okta JSON, OAuth JSON, HTML page). Every domain error class has exactly
one answer in each; an error no table entry covers is a logged 500 in that dialect, with nothing of its message."""
from __future__ import annotations

import importlib
import json
import logging
import pkgutil

import pytest

import chalicelib
from chalicelib.admin.directory_search import InvalidSearchError
from chalicelib.admin.signing_keys import KeyMaterialUnavailableError
from chalicelib.admin.users import AlreadyActiveError
from chalicelib.api import errors
from chalicelib.claims.errors import TooManyGroupsError
from chalicelib.errors import (
    ConcurrentWriteError,
    ConflictError,
    DeleteActiveAppError,
    ForbiddenError,
    InvalidPagingError,
    MalformedBodyError,
    NotFoundError,
    PreconditionFailedError,
    StorageUnavailableError,
    TokenmintError,
    ValidationError,
)
from chalicelib.keys.errors import KeyMaterialError, KeyStoreError
from chalicelib.keys.signer import StaleActiveKidError
from chalicelib.oauth import errors as oauth_errors
from chalicelib.oauth.authorize.browser import PageError
from tests.unit.api.test_errors import assert_okta_error

SECRET = "internal detail 12345"
UNEXPECTED = ("The authorization server encountered an unexpected condition that prevented it from fulfilling the "
              "request.")
UNAVAILABLE_PAGE = "The authorization server is temporarily unavailable. Try again in a moment."


def domain_error_classes() -> set[type[BaseException]]:
    """Every class of the domain error families, in every module of chalicelib."""
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        importlib.import_module(module.name)
    found: set[type[BaseException]] = set()
    todo: list[type[BaseException]] = [TokenmintError, oauth_errors.OAuthError, KeyStoreError, PageError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {cls for cls in found if cls.__module__.startswith("chalicelib.")}


def make(cls: type[BaseException]) -> BaseException:
    """An instance of ``cls`` whose every message holds SECRET."""
    if issubclass(cls, InvalidSearchError):
        return cls("search", SECRET)
    if issubclass(cls, AlreadyActiveError):
        return cls()
    if issubclass(cls, ValidationError):
        return cls("thing", [f"name: {SECRET}"])
    if issubclass(cls, NotFoundError):
        return cls("aus123", "AuthorizationServer")
    if issubclass(cls, ForbiddenError):
        return cls(SECRET)
    if issubclass(cls, TooManyGroupsError):
        return cls("groups")
    if issubclass(cls, PageError):
        return cls("invalid_request", "The redirect_uri is not registered.", 400)
    return cls(SECRET)


# The unmapped answers (told apart by identity: OAuth's ServerError is a mapped 500 of the same shape).
OKTA_500 = ("okta", 500, "E0000009")
OAUTH_500 = ("oauth", 500, "server_error")
PAGE_500 = ("page", 500, "server_error")
OAUTH_ALL = {cls: (("oauth", cls.status, cls.error), ("page", 503, "temporarily_unavailable"))
             for cls in [oauth_errors.OAuthError, *vars(oauth_errors).values()]
             if isinstance(cls, type) and issubclass(cls, oauth_errors.OAuthError)}

# Every domain error class: its answer in Okta JSON, OAuth JSON and as a page: (kind, status, code).
EXPECTED: dict[type[BaseException], tuple[tuple[str, int, str], ...]] = {
    TokenmintError: (OKTA_500, OAUTH_500, PAGE_500),
    ValidationError: (("okta", 400, "E0000001"), OAUTH_500, PAGE_500),
    InvalidSearchError: (("okta", 400, "E0000031"), OAUTH_500, PAGE_500),
    AlreadyActiveError: (("okta", 403, "E0000016"), OAUTH_500, PAGE_500),
    MalformedBodyError: (("okta", 400, "E0000003"), OAUTH_500, PAGE_500),
    InvalidPagingError: (("okta", 400, "E0000029"), OAUTH_500, PAGE_500),
    NotFoundError: (("okta", 404, "E0000007"), ("okta", 404, "E0000007"), ("page", 404, "not_found")),
    ForbiddenError: (("okta", 403, "E0000006"), OAUTH_500, PAGE_500),
    DeleteActiveAppError: (("okta", 403, "E0000056"), OAUTH_500, PAGE_500),
    ConflictError: (("okta", 409, "E0000195"), OAUTH_500, PAGE_500),
    ConcurrentWriteError: (("okta", 409, "E0000195"), OAUTH_500, PAGE_500),
    PreconditionFailedError: (("okta", 412, "E0000195"), OAUTH_500, PAGE_500),
    StorageUnavailableError: (("okta", 503, "E0000009"), ("oauth", 503, "temporarily_unavailable"),
                              ("page", 503, "temporarily_unavailable")),
    KeyMaterialUnavailableError: (("okta", 503, "E0000009"), ("oauth", 503, "temporarily_unavailable"),
                                  ("page", 503, "temporarily_unavailable")),
    TooManyGroupsError: (OKTA_500, ("oauth", 400, "server_error"), PAGE_500),
    # Key-store failures never reach a route: the core turns them into StorageUnavailableError (admin) or
    # TemporarilyUnavailableError (oauth/minting.sign).
    KeyStoreError: (OKTA_500, OAUTH_500, PAGE_500),
    KeyMaterialError: (OKTA_500, OAUTH_500, PAGE_500),
    StaleActiveKidError: (OKTA_500, OAUTH_500, PAGE_500),
    PageError: (OKTA_500, OAUTH_500, ("page", 400, "invalid_request")),
    **{cls: (OKTA_500, *answers) for cls, answers in OAUTH_ALL.items()},
}
DIALECTS = (errors.OKTA_JSON, errors.OAUTH_JSON, errors.HTML_PAGE)


def test_every_domain_error_class_has_its_expected_answers():
    """A new error class must be given its answers here (and in api/errors.py when it needs one)."""
    assert domain_error_classes() == set(EXPECTED)


def kind_status_code(response) -> tuple[str, int, str]:
    content_type = response.headers["Content-Type"]
    if content_type.startswith("text/html"):
        code = response.body.split("<code>")[1].split("</code>")[0]
        return "page", response.status_code, code
    body = response.body if isinstance(response.body, dict) else json.loads(response.body)
    if "errorCode" in body:
        return "okta", response.status_code, body["errorCode"]
    return "oauth", response.status_code, body["error"]


CASES = [(cls, dialect, expected) for cls, answers in EXPECTED.items()
         for dialect, expected in zip(DIALECTS, answers)]


@pytest.mark.parametrize("cls, dialect, expected", CASES,
                         ids=[f"{c.__name__}-{d.name}" for c, d, _e in CASES])
def test_each_error_has_its_answer_in_each_dialect(cls, dialect, expected, caplog):
    exc = make(cls)
    with caplog.at_level(logging.WARNING, logger=errors.__name__):
        response = dialect.answer(exc)
    assert kind_status_code(response) == expected
    unmapped = dialect.entry_for(cls) is None
    assert unmapped == any(expected is u for u in (OKTA_500, OAUTH_500, PAGE_500))  # ServerError is a mapped 500
    if unmapped:  # logged, with the error; nothing of it in the answer
        assert [r.levelno for r in caplog.records] == [logging.ERROR]
        assert caplog.records[0].exc_info[1] is exc
        assert SECRET not in str(response.body)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("cls", sorted(EXPECTED, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_exactly_one_table_entry_answers_each_error(dialect, cls):
    """The entries that cover a class lie on one line of inheritance, so the nearest is the only candidate (no class
    inherits two unrelated entries)."""
    covering = [entry for entry in dialect.table if issubclass(cls, entry)]
    for a in covering:
        for b in covering:
            assert issubclass(a, b) or issubclass(b, a), (cls, a, b)
    if covering:
        assert dialect.entry_for(cls) is min(covering, key=lambda entry: cls.__mro__.index(entry))


def test_okta_answers_carry_the_class_codes():
    for entry in errors.OKTA_JSON.table:
        response = errors.OKTA_JSON.answer(make(entry))
        assert (response.status_code, response.body["errorCode"]) == (entry.status, entry.error_code), entry


def test_oauth_answers_carry_the_class_codes():
    exc = oauth_errors.InvalidClientError("bad client", www_authenticate='Basic realm="tokenmint"')
    response = errors.OAUTH_JSON.answer(exc)
    assert response.status_code == 401
    assert json.loads(response.body) == {"error": "invalid_client", "error_description": "bad client"}
    assert response.headers == {"Content-Type": "application/json", "Cache-Control": "no-store",
                                "Pragma": "no-cache", "WWW-Authenticate": 'Basic realm="tokenmint"'}


def test_the_oauth_dialect_answers_an_unknown_server_in_okta_json_without_caching():
    response = errors.OAUTH_JSON.answer(NotFoundError("aus123", "AuthorizationServer"))
    assert_okta_error(response, 404, "E0000007", "Not found: Resource not found: aus123 (AuthorizationServer)")
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"


def test_too_many_groups_is_a_400_server_error():
    response = errors.OAUTH_JSON.answer(TooManyGroupsError("groups"))
    assert json.loads(response.body) == {"error": "server_error",
                                         "error_description": "too_many_groups_in_groups_claim"}


def test_storage_outage_is_temporarily_unavailable_in_oauth_json():
    response = errors.OAUTH_JSON.answer(StorageUnavailableError(SECRET))
    assert response.status_code == 503
    assert json.loads(response.body) == {"error": "temporarily_unavailable",
                                         "error_description": "The authorization server is temporarily unavailable."}
    assert response.headers["Cache-Control"] == "no-store"


def test_directory_errors_have_okta_codes_of_their_own():
    assert_okta_error(errors.from_exception(InvalidSearchError("filter", "Unknown attribute.")), 400, "E0000031",
                      "Invalid search criteria.", ["filter: Unknown attribute."])
    assert_okta_error(errors.from_exception(AlreadyActiveError()), 403, "E0000016",
                      "Activation failed because the user is already active")


def test_pages_carry_the_security_headers():
    for exc in (PageError("invalid_request", "bad"), NotFoundError("x", "y"), StorageUnavailableError("x"),
                RuntimeError("x")):
        response = errors.HTML_PAGE.answer(exc)
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("dialect, expected", list(zip(DIALECTS, (OKTA_500, OAUTH_500, PAGE_500))),
                         ids=[d.name for d in DIALECTS])
def test_an_unmapped_error_is_a_logged_500_in_each_dialect(dialect, expected, caplog):
    exc = RuntimeError(SECRET)
    with caplog.at_level(logging.ERROR, logger=errors.__name__):
        response = dialect.answer(exc, "some_view")
    assert kind_status_code(response) == expected
    assert SECRET not in str(response.body)
    [record] = caplog.records
    assert "RuntimeError" in record.getMessage() and "some_view" in record.getMessage()
    assert record.exc_info[1] is exc


def test_unmapped_500_bodies():
    assert_okta_error(errors.OKTA_JSON.answer(RuntimeError()), 500, "E0000009", "Internal Server Error")
    response = errors.OAUTH_JSON.answer(RuntimeError())
    assert json.loads(response.body) == {"error": "server_error", "error_description": UNEXPECTED}
    assert response.headers["Cache-Control"] == "no-store"
    assert UNEXPECTED in errors.HTML_PAGE.answer(RuntimeError()).body


def test_the_page_dialect_answers_an_outage_with_the_retry_page():
    for exc in (StorageUnavailableError("x"), oauth_errors.TemporarilyUnavailableError("x")):
        assert UNAVAILABLE_PAGE in errors.HTML_PAGE.answer(exc).body


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_guard_answers_what_the_view_raises_and_passes_answers_through(dialect):
    def failing(authServerId: str):
        raise NotFoundError(authServerId, "AuthorizationServer")

    def working(authServerId: str):
        return errors.okta_error(418, "E", authServerId)

    guarded = dialect.guard(failing)
    assert guarded.__name__ == "failing" and guarded.error_dialect is dialect
    assert guarded(authServerId="aus1").status_code == 404
    response = dialect.guard(working)(authServerId="aus1")
    assert response.status_code == 418


@pytest.mark.parametrize("code, status, error_code", [
    ("UnsupportedMediaType", 415, "E0000021"), ("MethodNotAllowedError", 405, "E0000022"),
    ("BadRequestError", 400, "E0000003"), ("InternalServerError", 500, "E0000009"), ("Other", 500, "E0000009"),
])
def test_chalice_errors_become_okta_errors(code, status, error_code):
    response = errors.from_chalice_error(code)
    assert (response.status_code, response.body["errorCode"]) == (status, error_code)
    assert "Allow" not in response.headers
