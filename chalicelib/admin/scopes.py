"""Scopes of an authorization server (okta-api.md 4): CRUD, name rules, system scopes."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..domain import Scope
from ..errors import ForbiddenError, NotFoundError, ValidationError
from ..ports import ConfigStore
from .common import SCOPE_TYPE, check_if_match, page, write
from .servers import ServerService
from .validation import Fields, require_object

CONSENTS = ("IMPLICIT", "REQUIRED", "FLEXIBLE")
METADATA_PUBLISH = ("NO_CLIENTS", "ALL_CLIENTS")
NAME_MAX = 300


def name_problem(name: str) -> str | None:
    """Okta's scope-name rules (okta-api.md 4.3), or None when the name is fine."""
    if any(not (0x21 <= ord(c) <= 0x7E) for c in name):
        return "Must be printable ASCII without spaces."
    if '"' in name or "\\" in name:
        return "Must not contain '\"' or '\\'."
    if name in ("okta", "*") or name.startswith(("okta.", "okta:")):
        return "Names 'okta', '*' and names starting with 'okta.' or 'okta:' are reserved."
    if "<" in name and ">" in name:
        return "May contain '<' or '>' but not both."
    return None


def duplicate_cause(name: str) -> str:
    return f"name: A scope named '{name}' already exists on this authorization server."


class ScopeService:
    def __init__(self, repo: ConfigStore, servers: ServerService) -> None:
        self._servers = servers
        self._repo = repo

    def list(self, server_id: str, q: str | None, limit: int, after: str | None) -> tuple[list[Scope], str | None]:
        scopes = sorted(self._servers.load(server_id).scopes, key=lambda s: s.name)
        if q:
            needle = q.casefold()
            scopes = [s for s in scopes if s.name.casefold().startswith(needle)]
        return page(scopes, lambda s: s.name, limit, after)

    def get(self, server_id: str, scope_id: str) -> Scope:
        for scope in self._servers.load(server_id).scopes:
            if scope.id == scope_id:
                return scope
        raise NotFoundError(scope_id, SCOPE_TYPE)

    def _read(self, body: Any, current: Scope | None) -> dict[str, Any]:
        f = Fields(require_object(body), "scope")
        name = f.string("name", required=True, max_len=NAME_MAX)
        if name and (problem := name_problem(name)):
            f.error("name", problem)
        if current is not None and current.system and name and name != current.name:
            f.error("name", "The name of a system scope cannot be changed.")
        # A system scope keeps what a PUT leaves out (dropping metadataPublish would unlist openid from
        # discovery); a custom scope is replaced in full, absent fields taking their defaults.
        keep = current if current is not None and current.system else None
        fields = {
            "name": name,
            "display_name": f.string("displayName", max_len=255, default=keep.display_name if keep else None),
            "description": f.string("description", max_len=1000, default=keep.description if keep else None),
            "consent": f.enum("consent", CONSENTS, default=keep.consent if keep else "IMPLICIT"),
            "metadata_publish": f.enum("metadataPublish", METADATA_PUBLISH,
                                       default=keep.metadata_publish if keep else "NO_CLIENTS"),
            "default": f.boolean("default", keep.default if keep else False),
            "optional": f.boolean("optional", keep.optional if keep else False),
        }
        f.check()
        return fields

    def create(self, server_id: str, body: Any) -> Scope:
        fields = self._read(body, None)
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        if any(s.name == fields["name"] for s in config.scopes):
            raise ValidationError("scope", [duplicate_cause(fields["name"])])
        scope = Scope(id=ids.new_id(ids.SCOPE), system=False, **fields)
        return write(lambda: self._repo.create_scope(sid, scope), what=SCOPE_TYPE, object_id=scope.id,
                     server_id=server_id, target="scope", name_cause=duplicate_cause(scope.name))

    def replace(self, server_id: str, scope_id: str, body: Any, expected_version: int | None = None) -> Scope:
        sid = self._servers.resolve_id(server_id)
        current = self.get(sid, scope_id)
        check_if_match(current.version, expected_version)
        fields = self._read(body, current)
        updated = replace(current, **fields)
        return write(lambda: self._repo.replace_scope(sid, current, updated), what=SCOPE_TYPE,
                     object_id=scope_id, server_id=server_id, target="scope",
                     name_cause=duplicate_cause(updated.name))

    def delete(self, server_id: str, scope_id: str, expected_version: int | None = None) -> None:
        sid = self._servers.resolve_id(server_id)
        current = self.get(sid, scope_id)
        check_if_match(current.version, expected_version)
        if current.system:
            raise ForbiddenError(f"'{current.name}' is a system scope and cannot be deleted.")
        write(lambda: self._repo.delete_scope(sid, current), what=SCOPE_TYPE, object_id=scope_id,
              server_id=server_id)
