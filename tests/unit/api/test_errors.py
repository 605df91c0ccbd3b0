"""api/errors.py: Okta's error JSON (okta-api.md 1.2) and the mapping of every domain error to HTTP."""
from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

import pytest

from chalicelib.api import errors
from chalicelib.errors import (
    ConflictError,
    ForbiddenError,
    InvalidPagingError,
    MalformedBodyError,
    NotFoundError,
    PreconditionFailedError,
    StorageUnavailableError,
    TokenmintError,
    ValidationError,
)

ERROR_ID = re.compile(r"^oae[A-Za-z0-9]{22}$")


def assert_okta_error(response, status: int, code: str, summary: str, causes: list[str] | None = None) -> dict:
    body = response.body
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert list(body) == ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"]
    assert body["errorCode"] == code
    assert body["errorLink"] == code
    assert body["errorSummary"] == summary
    assert ERROR_ID.match(body["errorId"]), body["errorId"]
    assert body["errorCauses"] == [{"errorSummary": c} for c in (causes or [])]
    return body


def test_okta_error_shape():
    response = errors.okta_error(400, "E0000001", "Api validation failed: scope", ["name: bad", "consent: worse"])
    assert_okta_error(response, 400, "E0000001", "Api validation failed: scope", ["name: bad", "consent: worse"])


def test_error_ids_are_fresh_per_error():
    seen = {errors.okta_error(400, "E0000001", "x").body["errorId"] for _ in range(50)}
    assert len(seen) == 50


def test_extra_headers_are_added():
    response = errors.okta_error(405, "E0000022", "x", headers={"Allow": "GET"})
    assert response.headers == {"Content-Type": "application/json", "Allow": "GET"}


def test_invalid_token():
    assert_okta_error(errors.invalid_token(), 401, "E0000011", "Invalid token provided")


def test_path_not_found():
    assert_okta_error(errors.path_not_found(), 404, "E0000008", "The requested path was not found")


def test_method_not_allowed_lists_the_allowed_methods():
    response = errors.method_not_allowed(("GET", "POST"))
    assert_okta_error(response, 405, "E0000022", "The endpoint does not support the provided HTTP method")
    assert response.headers["Allow"] == "GET, POST"


def test_method_not_allowed_without_methods_has_no_allow_header():
    assert "Allow" not in errors.method_not_allowed().headers


def test_unsupported_media_type():
    assert_okta_error(errors.unsupported_media_type(), 415, "E0000021",
                      "Bad request.  Accept and/or Content-Type headers likely do not match supported values.")


def test_internal_error():
    assert_okta_error(errors.internal_error(), 500, "E0000009", "Internal Server Error")


def test_unavailable_carries_the_headers_okta_sdks_need_to_retry():
    before = int(time.time())
    response = errors.unavailable()
    assert_okta_error(response, 503, "E0000009", "Service temporarily unavailable. Please try again later.")
    reset = int(response.headers["X-Rate-Limit-Reset"])
    date = parsedate_to_datetime(response.headers["Date"]).timestamp()
    assert before <= date <= time.time() + 1
    assert reset > date  # the SDK waits reset - Date seconds
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-Rate-Limit-Remaining"] == "0"


# -- from_exception ------------------------------------------------------------------------------------------------


def test_validation_error():
    response = errors.from_exception(ValidationError("scope", ["name: The field cannot be left blank."]))
    assert_okta_error(response, 400, "E0000001", "Api validation failed: scope",
                      ["name: The field cannot be left blank."])


def test_malformed_body():
    assert_okta_error(errors.from_exception(MalformedBodyError("x")), 400, "E0000003",
                      "The request body was not well-formed.")


def test_invalid_paging():
    assert_okta_error(errors.from_exception(InvalidPagingError("x")), 400, "E0000029", "Invalid paging request.")


def test_not_found_uses_okta_text():
    response = errors.from_exception(NotFoundError("aus123", "AuthorizationServer"))
    assert_okta_error(response, 404, "E0000007", "Not found: Resource not found: aus123 (AuthorizationServer)")


def test_forbidden_carries_its_cause():
    response = errors.from_exception(ForbiddenError("'openid' is a system scope and cannot be deleted."))
    assert_okta_error(response, 403, "E0000006", "You do not have permission to perform the requested action",
                      ["'openid' is a system scope and cannot be deleted."])


def test_conflict_is_409_e0000195():
    response = errors.from_exception(ConflictError("changed meanwhile"))
    assert_okta_error(response, 409, "E0000195", "Api validation failed due to conflict: changed meanwhile",
                      ["changed meanwhile"])


def test_failed_precondition_is_412_e0000195():
    response = errors.from_exception(PreconditionFailedError("stale"))
    assert_okta_error(response, 412, "E0000195", "Api validation failed due to conflict: stale", ["stale"])


def test_storage_unavailable_is_503():
    response = errors.from_exception(StorageUnavailableError("the configuration store is unavailable"))
    assert_okta_error(response, 503, "E0000009", "Service temporarily unavailable. Please try again later.")
    assert "X-Rate-Limit-Reset" in response.headers and "Date" in response.headers
    assert "configuration store" not in repr(response.body)


def test_an_unmapped_domain_error_is_a_plain_500():
    class Unmapped(TokenmintError):
        pass

    response = errors.from_exception(Unmapped("secret detail"))
    assert_okta_error(response, 500, "E0000009", "Internal Server Error")
    assert "secret detail" not in repr(response.body)


@pytest.mark.parametrize("exc", [
    ValidationError("x", ["a: b"]), MalformedBodyError("x"), InvalidPagingError("x"), NotFoundError("i", "T"),
    ForbiddenError("x"), ConflictError("x"), PreconditionFailedError("x"), StorageUnavailableError("x"),
])
def test_every_domain_error_has_a_4xx_or_5xx_okta_body(exc):
    response = errors.from_exception(exc)
    assert 400 <= response.status_code < 600
    assert response.body["errorLink"] == response.body["errorCode"]
