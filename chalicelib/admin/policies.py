"""Access policies of an authorization server (okta-api.md 6.1, 6.2, 6.4): CRUD, lifecycle and priorities."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, Ordered, Policy, ServerConfig
from ..errors import ForbiddenError, NotFoundError
from ..ports import ConfigStore
from . import priorities
from .common import POLICY_TYPE, check_if_match, write
from .servers import ServerService
from .validation import Fields, require_object

POLICY_KIND = "OAUTH_AUTHORIZATION_POLICY"
ALL_CLIENTS = "ALL_CLIENTS"


def find_policy(config: ServerConfig, policy_id: str) -> Policy:
    for policy in config.policies:
        if policy.id == policy_id:
            return policy
    raise NotFoundError(policy_id, POLICY_TYPE)


def ordered_policies(config: ServerConfig) -> list[Policy]:
    by_id = {p.id: p for p in config.policies}
    return [by_id[i] for i in config.policy_order.ids if i in by_id]


class PolicyService:
    def __init__(self, repo: ConfigStore, servers: ServerService, clock: Clock) -> None:
        self._repo = repo
        self._servers = servers
        self._clock = clock

    def list(self, server_id: str) -> tuple[list[Policy], Ordered]:
        config = self._servers.load(server_id)
        return ordered_policies(config), config.policy_order

    def get(self, server_id: str, policy_id: str) -> tuple[Policy, Ordered]:
        config = self._servers.load(server_id)
        return find_policy(config, policy_id), config.policy_order

    def _read(self, body: Any) -> tuple[dict[str, Any], int | None]:
        f = Fields(require_object(body), "policy")
        f.enum("type", (POLICY_KIND,), required=True)
        name = f.string("name", required=True, max_len=100)
        description = f.string("description", required=True, max_len=255)
        clients = f.string_list("conditions.clients.include", required=True, max_items=100, max_len=100)
        if ALL_CLIENTS in clients and len(clients) > 1:
            f.error("conditions.clients.include", "Use either ALL_CLIENTS or a list of client ids, not both.")
        status = f.enum("status", (ACTIVE, INACTIVE), default=ACTIVE)
        priority = f.integer("priority", minimum=1, maximum=10_000)
        f.check()
        return {"name": name, "description": description, "clients": tuple(clients), "status": status}, priority

    def create(self, server_id: str, body: Any) -> tuple[Policy, Ordered]:
        fields, priority = self._read(body)
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        now = self._clock.now()
        policy = Policy(id=ids.new_id(ids.POLICY), system=False, created=now, last_updated=now, **fields)
        order = replace(config.policy_order, ids=priorities.place(config.policy_order.ids, policy.id, priority,
                                                                  target="policy"))
        saved = write(lambda: self._repo.save_policy(sid, policy, order), what=POLICY_TYPE, object_id=policy.id,
                      server_id=server_id)
        return saved, order

    def replace(self, server_id: str, policy_id: str, body: Any, expected_version: int | None = None
                ) -> tuple[Policy, Ordered]:
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        current = find_policy(config, policy_id)
        check_if_match(current.version, expected_version)
        fields, priority = self._read(body)
        updated = replace(current, last_updated=self._clock.now(), **fields)
        order = config.policy_order
        moved = priorities.place(order.ids, policy_id, priority or order.priority_of(policy_id), target="policy")
        new_order = replace(order, ids=moved) if moved != order.ids else None
        saved = write(lambda: self._repo.save_policy(sid, updated, new_order), what=POLICY_TYPE,
                      object_id=policy_id, server_id=server_id)
        return saved, new_order or order

    def set_status(self, server_id: str, policy_id: str, status: str) -> None:
        sid = self._servers.resolve_id(server_id)
        current = find_policy(self._servers.load(sid), policy_id)
        if current.status != status:
            updated = replace(current, status=status, last_updated=self._clock.now())
            write(lambda: self._repo.save_policy(sid, updated, None), what=POLICY_TYPE, object_id=policy_id,
                  server_id=server_id)

    def delete(self, server_id: str, policy_id: str, expected_version: int | None = None) -> None:
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        current = find_policy(config, policy_id)
        check_if_match(current.version, expected_version)
        if current.system:
            raise ForbiddenError(f"'{current.name}' is a system policy and cannot be deleted.")
        rules = [r for r in config.rules if r.policy_id == policy_id]
        order = replace(config.policy_order, ids=priorities.remove(config.policy_order.ids, policy_id))
        write(lambda: self._repo.delete_policy(sid, current, order, rules, config.rule_orders.get(policy_id)),
              what=POLICY_TYPE, object_id=policy_id, server_id=server_id)
