"""Claims of an authorization server (okta-api.md 5): CRUD, reserved names, system claims."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..claims.context import EvalContext
from ..claims.errors import ExpressionEvaluationError, ExpressionLimitError
from ..claims.expression import MAX_LENGTH, ExpressionSyntaxError, parse
from ..domain import ACTIVE, INACTIVE, Claim
from ..errors import ForbiddenError, NotFoundError, ValidationError
from ..ports import ConfigStore
from .common import CLAIM_TYPE, check_if_match, write
from .servers import ServerService
from .system_objects import SYSTEM_IDENTITY_CLAIMS
from .validation import Fields, require_object

CLAIM_TYPES = ("RESOURCE", "IDENTITY")
VALUE_TYPES = ("EXPRESSION", "GROUPS")  # SYSTEM belongs to Okta-created claims only
GROUP_FILTER_TYPES = ("STARTS_WITH", "EQUALS", "CONTAINS", "REGEX")

# okta-api.md 5.4 ("OIDC Bearer Tokens: List of Reserved Claims"), plus the registered JWT names we set ourselves.
_BOTH = {"iss", "jti", "token_type", "ver", "exp", "iat", "nbf", "aud"}
RESERVED = {
    "RESOURCE": _BOTH | {"acr", "amr", "as_uri", "cid", "groups", "rpt", "rsi", "uid", "username", "scp",
                         "auth_time"},
    "IDENTITY": _BOTH | {
        "active", "aid", "app_id", "app_type", "at_hash", "auth_time", "client_id", "client_ip",
        "client_req_id", "client_type", "client_user_agent", "cnf", "c_hash", "device_compliance", "device_id",
        "device_known", "device_managed", "device_name", "device_trust", "did", "dst", "group", "hotk", "idp",
        "idp_iss", "mac_key", "may_act", "nonce", "oid", "okta_emailVerified", "okta_lastUpdated", "orig",
        "permissions", "purpose", "pwd_exp_days", "pwd_exp_time", "rid", "role", "scope", "scopes", "sid", "sub",
        "term", "user_ip", "amr", "acr",
    } | {name for name, _scope, _always in SYSTEM_IDENTITY_CLAIMS},
}


def check_expression(f: Fields, value: str | None) -> None:
    """An EXPRESSION value must parse: the cause names the position (``... at position 12``). One that reads no
    variable has one value whatever the token: it is evaluated now, and refused if it exceeds what an expression may
    produce (``claims/limits.py``; an expression that does read variables is held to the same caps at token time)."""
    if value and len(value) <= MAX_LENGTH:  # longer values already have their cause
        try:
            expression = parse(value)
        except ExpressionSyntaxError as exc:
            f.error("value", f"Invalid Okta Expression Language expression: {exc.message}")
            return
        if expression.variables:
            return
        try:
            expression.evaluate(EvalContext())
        except ExpressionLimitError as exc:
            f.error("value", f"Invalid Okta Expression Language expression: {exc.message}")
        except ExpressionEvaluationError:
            pass  # other failures depend on nothing the caller can fix here; the token leaves the claim out


def duplicate_cause(claim_type: str, name: str) -> str:
    return f"name: A {claim_type} claim named '{name}' already exists on this authorization server."


class ClaimService:
    def __init__(self, repo: ConfigStore, servers: ServerService) -> None:
        self._repo = repo
        self._servers = servers

    def list(self, server_id: str) -> list[Claim]:
        return self._servers.load(server_id).claims

    def get(self, server_id: str, claim_id: str) -> Claim:
        for claim in self._servers.load(server_id).claims:
            if claim.id == claim_id:
                return claim
        raise NotFoundError(claim_id, CLAIM_TYPE)

    def _read(self, body: dict[str, Any], scope_names: set[str]) -> dict[str, Any]:
        f = Fields(body, "claim")
        name = f.string("name", required=True, max_len=100)
        if name and any(c.isspace() for c in name):
            f.error("name", "Must not contain whitespace.")
        claim_type = f.enum("claimType", CLAIM_TYPES, required=True)
        if name and claim_type and name in RESERVED[claim_type]:
            f.error("name", f"'{name}' is a reserved claim name for {claim_type} claims.")
        value_type = f.enum("valueType", VALUE_TYPES, default="EXPRESSION")
        value = f.string("value", required=True, max_len=1024)
        if value_type == "EXPRESSION":
            check_expression(f, value)
        group_filter_type = f.enum("group_filter_type", GROUP_FILTER_TYPES, required=value_type == "GROUPS")
        if value_type == "EXPRESSION" and group_filter_type:
            f.error("group_filter_type", "Only allowed when valueType is GROUPS.")
        scopes = f.string_list("conditions.scopes", max_items=100)
        for unknown in [s for s in scopes if s not in scope_names]:
            f.error("conditions.scopes", f"'{unknown}' is not a scope of this authorization server.")
        always = f.boolean("alwaysIncludeInToken", True)
        fields = {
            "name": name, "claim_type": claim_type, "value_type": value_type, "value": value,
            "group_filter_type": group_filter_type, "scopes": tuple(scopes),
            "status": f.enum("status", (ACTIVE, INACTIVE), default=ACTIVE),
            # Access-token claims are always included (okta-api.md 5.2).
            "always_include_in_token": True if claim_type == "RESOURCE" else always,
        }
        f.check()
        return fields

    def _read_system(self, body: dict[str, Any], current: Claim) -> dict[str, Any]:
        """A system claim keeps everything but its editable part: ``value`` of ``sub``, otherwise
        ``alwaysIncludeInToken`` (okta-api.md 5.3)."""
        f = Fields(body, "claim")
        editable = "value" if current.value_type == "EXPRESSION" else "alwaysIncludeInToken"
        frozen: dict[str, str | None] = {"name": current.name, "claimType": current.claim_type,
                                         "valueType": current.value_type, "status": current.status}
        if editable != "value":
            frozen["value"] = current.value
        for field, stored in frozen.items():
            if f.given(field) and f.raw(field) != stored:
                f.error(field, f"'{current.name}' is a system claim: only {editable} can be changed.")
        # Anything but the same list of names is a change (a number or true is not a list: no TypeError, a 400).
        if f.given("conditions.scopes") and (not isinstance(scopes := f.raw("conditions.scopes"), list)
                                             or tuple(scopes) != current.scopes):
            f.error("conditions.scopes", f"'{current.name}' is a system claim: only {editable} can be changed.")
        if editable == "value":
            fields: dict[str, Any] = {"value": f.string("value", required=True, max_len=1024)}
            check_expression(f, fields["value"])
        else:
            fields = {"always_include_in_token": f.boolean("alwaysIncludeInToken", current.always_include_in_token)}
        f.check()
        return fields

    def check(self, server_id: str, body: Any) -> None:
        """Raises what creating (or, with the ``id`` of an existing claim, replacing) the claim would raise for its
        body; returns when it would be accepted (``api/claim_validation.py``: the console checks a claim while an
        admin types it). For a form still being filled in, a missing ``name`` is not reported."""
        config = self._servers.load(server_id)  # 404 for an unknown server (the org server included)
        body = require_object(body)
        claim_id = body.get("id")
        editing = next((c for c in config.claims if c.id == claim_id), None) if isinstance(claim_id, str) else None
        named = Fields(body, "claim").given("name")
        try:
            if editing is not None and editing.system:
                self._read_system(body, editing)
                return
            fields = self._read(body, {s.name for s in config.scopes})
        except ValidationError as error:
            causes = error.causes if named else [c for c in error.causes if not c.startswith("name:")]
            if causes:
                raise ValidationError(error.target, causes) from None
            return
        if any(c.name == fields["name"] and c.claim_type == fields["claim_type"] and c is not editing
               for c in config.claims):
            raise ValidationError("claim", [duplicate_cause(fields["claim_type"], fields["name"])])

    def create(self, server_id: str, body: Any) -> Claim:
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        fields = self._read(require_object(body), {s.name for s in config.scopes})
        if any(c.name == fields["name"] and c.claim_type == fields["claim_type"] for c in config.claims):
            raise ValidationError("claim", [duplicate_cause(fields["claim_type"], fields["name"])])
        claim = Claim(id=ids.new_id(ids.CLAIM), system=False, **fields)
        return write(lambda: self._repo.create_claim(sid, claim), what=CLAIM_TYPE, object_id=claim.id,
                     server_id=server_id, target="claim", name_cause=duplicate_cause(claim.claim_type, claim.name))

    def replace(self, server_id: str, claim_id: str, body: Any, expected_version: int | None = None) -> Claim:
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        current = next((c for c in config.claims if c.id == claim_id), None)
        if current is None:
            raise NotFoundError(claim_id, CLAIM_TYPE)
        check_if_match(current.version, expected_version)
        body = require_object(body)
        if current.system:
            fields = self._read_system(body, current)
        else:
            fields = self._read(body, {s.name for s in config.scopes})
        updated = replace(current, **fields)
        return write(lambda: self._repo.replace_claim(sid, current, updated), what=CLAIM_TYPE, object_id=claim_id,
                     server_id=server_id, target="claim",
                     name_cause=duplicate_cause(updated.claim_type, updated.name))

    def delete(self, server_id: str, claim_id: str, expected_version: int | None = None) -> None:
        sid = self._servers.resolve_id(server_id)
        current = self.get(sid, claim_id)
        check_if_match(current.version, expected_version)
        if current.system:
            raise ForbiddenError(f"'{current.name}' is a system claim and cannot be deleted.")
        write(lambda: self._repo.delete_claim(sid, current), what=CLAIM_TYPE, object_id=claim_id,
              server_id=server_id)
