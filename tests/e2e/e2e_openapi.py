"""Checks recorded exchanges against Okta's published OpenAPI specs: the custom-authorization-server subset and the
applications + System Log subset (``SPEC_NAMES``).

Each recorded response is checked against the one spec whose paths hold its path (no path is in two specs: that is
checked when they are loaded). The same rules hold for every spec; for every recorded response whose path is in one:

* the operation (path + method) must exist, and the status must be one the spec documents for it; the only
  exceptions are the statuses of ``UNDOCUMENTED_STATUSES`` below, each a deliberate, commented decision;
* a documented status is validated by openapi-core (content type and body schema); a documented response
  without content (the 204s) must have an empty body that does not claim to be JSON (the SDK would
  ``json.loads("")``, clients.md row 3);
* every error (4xx/5xx) is Okta's error object: ``application/json``, valid against the spec's ``Error`` schema,
  and, stricter than the spec (which requires nothing), with ``errorCode``, ``errorSummary``,
  ``errorLink == errorCode``, ``errorId`` and ``errorCauses[]`` (what Okta sends and the SDK needs, clients.md
  row 6).

Responses to paths no spec has (``/api/v1/api-tokens``, ``/api/v1/users``, unknown paths) are recorded but skipped.
"""
from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

from e2e_support import Exchange

# Okta's spec, cut into subsets (see each file's header): /api/v1/authorizationServers, and /api/v1/apps with
# GET /api/v1/logs. They are not part of the repository: CI has them in ../shared/reference and `.ci/run` names that
# directory in TOKENMINT_REFERENCE_DIR; a user's clone has none, and then the conformance check does not run (and the
# test session says so).
REFERENCE_DIR_SETTING = "TOKENMINT_REFERENCE_DIR"
SPEC_NAMES = ("okta-authorization-servers.openapi.yaml", "okta-apps-logs.openapi.yaml")


def spec_paths(environ: Mapping[str, str] = os.environ) -> list[Path] | None:
    """Where Okta's specs are, or None when no reference directory is configured. A configured directory without
    every one of them is an error, never a silent skip: CI must not lose (part of) the check to a moved file."""
    directory = environ.get(REFERENCE_DIR_SETTING, "").strip()
    if not directory:
        return None
    paths = [Path(directory) / name for name in SPEC_NAMES]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"{REFERENCE_DIR_SETTING}={directory} does not hold Okta's OpenAPI spec(s) "
                                f"{', '.join(missing)}")
    return paths


@dataclass(frozen=True)
class Allowance:
    """A status tokenmint returns although the spec does not document it for the operation."""

    status: int
    error_codes: frozenset[str]
    reason: str
    # Operation ids it may appear on; None = any operation, and also methods the spec has no operation for.
    operations: frozenset[str] | None = None

    def permits(self, operation_id: str | None, error_code: str | None) -> bool:
        if self.operations is not None and operation_id not in self.operations:
            return False
        return error_code in self.error_codes


# The paged lists: a bad `limit` or `after` is Okta's "Invalid paging request." on each of them, refresh tokens
# included (found by tests/e2e/test_e2e_bad_input_probe.py; the spec documents no 400 on any list).
LIST_OPERATIONS = frozenset({"listAuthorizationServers", "listOAuth2Scopes",
                             "listRefreshTokensForAuthorizationServerAndClient",
                             # trusted servers of token exchange: `limit`/`after` as on every list
                             "listAssociatedServersByTrustedType",
                             # okta-apps-logs: the lists whose operation takes `limit`/`after` and documents no 400.
                             # Not listLogEvents (it documents 400, so openapi-core checks it like any documented
                             # status), nor listOAuth2ClientSecrets, listJwk, listScopeConsentGrants (no paging).
                             "listApplications", "listApplicationUsers", "listApplicationGroupAssignments",
                             "listOAuth2TokensForApplication"})

# Every status tokenmint may answer that Okta's specs do not document for that operation (the same list for every
# spec). Okta documents 403 and 429 everywhere, 400 on create/replace and 404 on everything below a server or app;
# it is silent on the following.
# Each body must still be Okta's Error object with one of the listed error codes. Nothing else is tolerated.
UNDOCUMENTED_STATUSES: tuple[Allowance, ...] = (
    # Real Okta answers a missing/invalid API token with 401 E0000011 on every endpoint; the specs list 401 only for
    # the resourceservercredentials and the apps' credentials (secrets, jwks) operations.
    Allowance(401, frozenset({"E0000011"}), "invalid or missing API token (Okta does this on every endpoint)"),
    # The paged lists refuse a bad `limit` (< 1, not a number) or a malformed `after` cursor. Okta's error
    # catalogue has E0000029 "Invalid paging request." for exactly this, but the spec lists no 400 on these GETs.
    Allowance(400, frozenset({"E0000029"}), "invalid paging request on a paged list", LIST_OPERATIONS),
    # A method the path does not support (e.g. PATCH): the spec has no operation at all, Okta answers 405 E0000022
    # (and API Gateway would otherwise answer 403 with its own body).
    Allowance(405, frozenset({"E0000022"}), "HTTP method the endpoint does not support"),
    # tokenmint extensions for concurrent writes (optimistic locking on DynamoDB). Okta has no If-Match support;
    # 409 is Okta's own "conflict" code E0000195, 412 reuses it for a stale If-Match.
    Allowance(409, frozenset({"E0000195"}), "a concurrent write won the race; reload and retry"),
    Allowance(412, frozenset({"E0000195"}), "If-Match named a version that is no longer current"),
    # A request body in a media type the API does not take (Okta's E0000021).
    Allowance(415, frozenset({"E0000021"}), "unsupported request Content-Type"),
    # Unexpected failures and unavailable AWS dependencies, in Okta's format (503 carries the retry headers the
    # SDK needs, clients.md row 5).
    Allowance(500, frozenset({"E0000009"}), "internal error"),
    Allowance(503, frozenset({"E0000009"}), "an AWS dependency is unavailable; nothing was written"),
)


@dataclass
class Verdict:
    exchange: Exchange
    kind: str  # "validated" | "not-in-spec"
    spec: str | None = None  # file name of the spec it was validated against
    operation_id: str | None = None
    allowance: Allowance | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Operation:
    operation_id: str
    template: str
    has_content: dict[str, bool]  # documented status -> response has a content map


class SpecConformance:
    """The checks against one spec file."""

    def __init__(self, spec_path: Path) -> None:
        self.name = spec_path.name
        self.raw_spec = yaml.safe_load(spec_path.read_text())
        self.spec = self._normalised(self.raw_spec)
        self.api = OpenAPI.from_dict(self.spec)
        self._paths = self._index(self.spec)
        self._error_validator = OAS30Validator(self._error_schema(self.spec))

    # -- spec preparation --------------------------------------------------------------------------------------

    @staticmethod
    def _normalised(raw: dict[str, Any]) -> dict[str, Any]:
        spec = copy.deepcopy(raw)
        # `content: {}` means "no body" in OpenAPI, but openapi-core then demands a body (MissingData). Dropping the
        # empty map keeps the meaning; the empty-body rule is checked here instead (``_check_no_content``).
        for item in spec["paths"].values():
            for method, operation in item.items():
                if method == "parameters":
                    continue
                for response in operation["responses"].values():
                    if response.get("content") == {}:
                        del response["content"]
        return spec

    @staticmethod
    def _index(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], str, dict[str, _Operation]]]:
        responses = spec["components"]["responses"]
        index = []
        for template, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
            operations = {}
            for method, operation in item.items():
                if method == "parameters":
                    continue
                has_content = {}
                for status, response in operation["responses"].items():
                    if "$ref" in response:
                        response = responses[response["$ref"].rsplit("/", 1)[-1]]
                    has_content[status] = bool(response.get("content"))
                operations[method.upper()] = _Operation(operation["operationId"], template, has_content)
            index.append((pattern, template, operations))
        # Literal segments win over parameters, as in every router.
        index.sort(key=lambda entry: entry[1].count("{"))
        return index

    @staticmethod
    def _error_schema(spec: dict[str, Any]) -> dict[str, Any]:
        schemas = spec["components"]["schemas"]
        error = copy.deepcopy(schemas["Error"])
        error["properties"]["errorCauses"]["items"] = copy.deepcopy(schemas["ErrorCause"])
        return error

    # -- lookups -----------------------------------------------------------------------------------------------

    @property
    def operation_ids(self) -> set[str]:
        return {op.operation_id for _p, _t, ops in self._paths for op in ops.values()}

    @property
    def templates(self) -> list[str]:
        return [template for _p, template, _ops in self._paths]

    def holds(self, path: str) -> bool:
        return any(pattern.match(path) for pattern, _template, _operations in self._paths)

    def find(self, method: str, path: str) -> tuple[bool, _Operation | None]:
        """(path is in the spec, the operation for this method or None)."""
        for pattern, _template, operations in self._paths:
            if pattern.match(path):
                return True, operations.get(method.upper())
        return False, None

    # -- checking ----------------------------------------------------------------------------------------------

    def check(self, exchange: Exchange) -> Verdict:
        url = urlsplit(exchange.url)
        in_spec, operation = self.find(exchange.method, url.path)
        if not in_spec:
            return Verdict(exchange, "not-in-spec")
        verdict = Verdict(exchange, "validated", self.name, operation.operation_id if operation else None)
        status = str(exchange.status)
        error_code = self._error_code(exchange)

        if operation is not None and status in operation.has_content:
            if exchange.status >= 400:
                verdict.problems += self._check_error_body(exchange)
            if operation.has_content[status]:
                verdict.problems += self._check_with_openapi_core(exchange, url)
            else:
                verdict.problems += self._check_no_content(exchange)
            return verdict

        allowance = next((a for a in UNDOCUMENTED_STATUSES
                          if a.status == exchange.status and a.permits(verdict.operation_id, error_code)), None)
        if allowance is None:
            where = (f"operation {operation.operation_id} documents {sorted(operation.has_content)}"
                     if operation else f"the spec has no {exchange.method} operation for {url.path}")
            verdict.problems.append(f"status {exchange.status} (errorCode {error_code}) is not documented: {where}, "
                                    "and no allow-list entry covers it")
            return verdict
        verdict.allowance = allowance
        verdict.problems += self._check_error_body(exchange)
        return verdict

    def _check_with_openapi_core(self, exchange: Exchange, url: Any) -> list[str]:
        request = MockRequest(f"{url.scheme}://{url.netloc}", exchange.method, url.path,
                              args=dict(parse_qsl(url.query)), headers=dict(exchange.request_headers),
                              data=exchange.request_body, content_type="application/json")
        response = MockResponse(exchange.response_body, exchange.status, dict(exchange.response_headers),
                                exchange.content_type)
        return [self._describe(error) for error in self.api.iter_response_errors(request, response)]

    @staticmethod
    def _describe(error: Exception) -> str:
        details = []
        cause: BaseException | None = error
        while cause is not None:
            for schema_error in getattr(cause, "schema_errors", None) or ():
                path = "/".join(str(p) for p in schema_error.absolute_path) or "<body>"
                details.append(f"{path}: {schema_error.message}")
            cause = cause.__cause__
        text = str(error)  # openapi-core repeats the whole body here; the details say what is wrong
        text = text if len(text) <= 200 else text[:200] + "..."
        return f"{type(error).__name__}: {text}" + (f" [{'; '.join(details)}]" if details else "")

    @staticmethod
    def _check_no_content(exchange: Exchange) -> list[str]:
        problems = []
        if exchange.response_body:
            problems.append(f"documented without content, but the body is {exchange.response_body[:200]!r}")
        if exchange.content_type.startswith("application/json"):
            problems.append("an empty body must not be labelled application/json (the SDK would json.loads(''))")
        return problems

    @staticmethod
    def _error_code(exchange: Exchange) -> str | None:
        if exchange.status < 400:
            return None
        try:
            body = exchange.json()
        except ValueError:
            return None
        return body.get("errorCode") if isinstance(body, dict) else None

    def _check_error_body(self, exchange: Exchange) -> list[str]:
        if not exchange.content_type.startswith("application/json"):
            return [f"an error must be application/json, got {exchange.content_type!r}"]
        try:
            body = exchange.json()
        except ValueError:
            return ["an error body must be JSON"]
        problems = [f"Error schema: {'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                    for e in self._error_validator.iter_errors(body)]
        if not isinstance(body, dict):
            return problems or ["an error body must be a JSON object"]
        for key, kind in (("errorCode", str), ("errorSummary", str), ("errorLink", str), ("errorId", str),
                          ("errorCauses", list)):
            if not isinstance(body.get(key), kind):
                problems.append(f"Okta error object: {key} must be a {kind.__name__}")
        if body.get("errorLink") != body.get("errorCode"):
            problems.append("Okta error object: errorLink must equal errorCode")
        return problems


def _templates_overlap(a: str, b: str) -> bool:
    """Whether some concrete path matches both templates (a parameter segment matches any literal)."""
    left, right = a.strip("/").split("/"), b.strip("/").split("/")
    return len(left) == len(right) and all(x == y or x.startswith("{") or y.startswith("{")
                                           for x, y in zip(left, right))


class Conformance:
    """Every spec of ``SPEC_NAMES``: an exchange is checked against the spec whose paths hold its path.

    The specs must not share a path (a path in two specs could pass against the laxer one) nor an operation id (the
    summary and the coverage requirement of test_e2e_openapi.py name operations by id alone); loading refuses both.
    """

    def __init__(self, spec_paths: Iterable[Path]) -> None:
        self.specs = [SpecConformance(path) for path in spec_paths]
        for i, first in enumerate(self.specs):
            for second in self.specs[i + 1:]:
                shared = [f"{a} ~ {b}" for a in first.templates for b in second.templates if _templates_overlap(a, b)]
                if shared:
                    raise ValueError(f"{first.name} and {second.name} share paths: {shared}")
                same_ids = first.operation_ids & second.operation_ids
                if same_ids:
                    raise ValueError(f"{first.name} and {second.name} share operation ids: {sorted(same_ids)}")

    @property
    def spec_names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    @property
    def operation_ids(self) -> set[str]:
        return set().union(*(spec.operation_ids for spec in self.specs))

    def spec_for(self, path: str) -> SpecConformance | None:
        return next((spec for spec in self.specs if spec.holds(path)), None)

    def check(self, exchange: Exchange) -> Verdict:
        spec = self.spec_for(urlsplit(exchange.url).path)
        return spec.check(exchange) if spec else Verdict(exchange, "not-in-spec")


def summarise(verdicts: Iterable[Verdict], spec_names: Iterable[str] = ()) -> dict[str, Any]:
    """Counts for the session's summary; ``by_spec`` lists every loaded spec, even one no exchange reached (so the
    summary shows a spec that went unexercised)."""
    verdicts = list(verdicts)
    validated = [v for v in verdicts if v.kind == "validated"]
    by_operation: dict[str, int] = {}
    for v in validated:
        if v.operation_id:
            by_operation[v.operation_id] = by_operation.get(v.operation_id, 0) + 1
    by_spec: dict[str, dict[str, int]] = {name: {"validated": 0, "failed": 0, "operations": 0} for name in spec_names}
    for v in validated:
        counts = by_spec.setdefault(v.spec or "?", {"validated": 0, "failed": 0, "operations": 0})
        counts["validated"] += 1
        counts["failed"] += bool(v.problems)
    for name, counts in by_spec.items():
        counts["operations"] = len({v.operation_id for v in validated if v.spec == name and v.operation_id})
    allowances: dict[str, int] = {}
    for v in validated:
        if v.allowance:
            key = f"{v.allowance.status} {'/'.join(sorted(v.allowance.error_codes))} ({v.allowance.reason})"
            allowances[key] = allowances.get(key, 0) + 1
    return {
        "recorded": len(verdicts),
        "validated": len(validated),
        "skipped_not_in_spec": len(verdicts) - len(validated),
        "failed": sum(1 for v in verdicts if v.problems),
        "by_operation": by_operation,
        "by_spec": by_spec,
        "undocumented_statuses_used": allowances,
    }
