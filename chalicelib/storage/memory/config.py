"""The configuration store in memory (ports.ConfigStore): the same partition per server, markers and
transactions as storage/config_repository.py, on a ``Table``."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, TypeVar

from ...domain import AuthorizationServer, Claim, Ordered, Policy, Rule, Scope, ServerConfig, TrustedServer
from ...keys.lifecycle import KeyRecord
from ...ports import L_NAME, L_ORDER, L_POLICY, L_SERVER, L_VERSION
from .. import mappers
from .table import Delete, Op, Put, Require, Table

T = TypeVar("T")

SERVER = "SERVER"
POLICY_ORDER = "ORDER#POLICIES"


def _pk(server_id: str) -> str:
    return f"AS#{server_id}"


def _bump(obj: T) -> T:
    return replace(obj, version=(getattr(obj, "version") or 0) + 1)  # type: ignore[type-var]


class MemoryConfig:
    def __init__(self, table: Table) -> None:
        self._t = table

    # -- reads -----------------------------------------------------------------------------------------------------

    def resolve_alias(self, alias: str) -> str | None:
        found = self._t.get(f"ALIAS#{alias}", "ALIAS")
        return found.doc["id"] if found else None

    def get_server(self, server_id: str) -> AuthorizationServer | None:
        found = self._t.get(_pk(server_id), SERVER)
        return mappers.server_from(found.doc, found.version) if found else None

    def list_servers(self) -> list[AuthorizationServer]:
        return [mappers.server_from(r.doc, r.version) for _, r in self._t.index(SERVER)]

    def load(self, server_id: str) -> ServerConfig | None:
        items = self._t.query(_pk(server_id))
        server = next((r for sk, r in items if sk == SERVER), None)
        if server is None:
            return None
        config = ServerConfig(server=mappers.server_from(server.doc, server.version))
        for sk, r in items:
            if sk.startswith("SCOPE#"):
                config.scopes.append(mappers.scope_from(r.doc, r.version))
            elif sk.startswith("CLAIM#"):
                config.claims.append(mappers.claim_from(r.doc, r.version))
            elif sk.startswith("POLICY#"):
                config.policies.append(mappers.policy_from(r.doc, r.version))
            elif sk.startswith("RULE#"):
                config.rules.append(mappers.rule_from(r.doc, r.version))
            elif sk == POLICY_ORDER:
                config.policy_order = mappers.order_from(r.doc, r.version)
            elif sk.startswith("ORDER#RULES#"):
                config.rule_orders[sk.removeprefix("ORDER#RULES#")] = mappers.order_from(r.doc, r.version)
            elif sk.startswith("KEY#"):
                key = mappers.key_from(r.doc)
                config.keys.append(key)
                config.key_versions[key.kid] = r.version
            elif sk.startswith("TRUST#"):
                config.trusted_servers.append(mappers.trusted_server_from(r.doc, r.version))
        return config

    # -- operations ------------------------------------------------------------------------------------------------

    @staticmethod
    def _server(s: AuthorizationServer) -> Put:
        return Put(_pk(s.id), SERVER, mappers.server_doc(s), L_VERSION, s.version,
                   gsi1=(SERVER, f"{s.created.isoformat()}#{s.id}"))

    @staticmethod
    def _scope(sid: str, scope: Scope) -> list[Op]:
        return [Put(_pk(sid), f"SCOPE#{scope.id}", mappers.scope_doc(scope), L_VERSION, scope.version),
                Put(_pk(sid), f"NAME#SCOPE#{scope.name}", {"id": scope.id}, L_NAME)]

    @staticmethod
    def _claim(sid: str, claim: Claim) -> list[Op]:
        return [Put(_pk(sid), f"CLAIM#{claim.id}", mappers.claim_doc(claim), L_VERSION, claim.version),
                Put(_pk(sid), f"NAME#CLAIM#{claim.claim_type}#{claim.name}", {"id": claim.id}, L_NAME)]

    @staticmethod
    def _order(sid: str, sk: str, order: Ordered) -> Put:
        return Put(_pk(sid), sk, mappers.order_doc(order), L_ORDER, order.version)

    @staticmethod
    def _parent(sid: str) -> Require:
        return Require(_pk(sid), SERVER, L_SERVER)

    # -- servers ---------------------------------------------------------------------------------------------------

    def create_server(self, config: ServerConfig, alias: str | None = None) -> None:
        sid = config.server.id
        ops: list[Op] = [self._server(config.server)]
        for scope in config.scopes:
            ops += self._scope(sid, scope)
        for claim in config.claims:
            ops += self._claim(sid, claim)
        ops += [Put(_pk(sid), f"POLICY#{p.id}", mappers.policy_doc(p), L_VERSION) for p in config.policies]
        ops += [Put(_pk(sid), f"RULE#{r.policy_id}#{r.id}", mappers.rule_doc(r), L_VERSION) for r in config.rules]
        if config.policies:
            ops.append(self._order(sid, POLICY_ORDER, config.policy_order))
        ops += [self._order(sid, f"ORDER#RULES#{pid}", o) for pid, o in config.rule_orders.items()]
        ops += [Put(_pk(sid), f"KEY#{k.kid}", mappers.key_doc(k), L_VERSION) for k in config.keys]
        if alias:
            ops.append(Put(f"ALIAS#{alias}", "ALIAS", {"id": sid}, L_NAME))
        self._t.write(ops)

    def save_server(self, server: AuthorizationServer) -> AuthorizationServer:
        self._t.write([self._server(server)])
        return _bump(server)

    def delete_server(self, server: AuthorizationServer) -> None:
        self._t.write([Delete(_pk(server.id), SERVER, L_VERSION, server.version, check_version=True)])
        self._t.sweep(_pk(server.id))

    def save_keys(self, server: AuthorizationServer, changed: Iterable[KeyRecord], created: Iterable[KeyRecord],
                  removed: Iterable[str], versions: dict[str, int]) -> AuthorizationServer:
        sid = server.id
        ops: list[Op] = [self._server(server)]
        ops += [Put(_pk(sid), f"KEY#{k.kid}", mappers.key_doc(k), L_VERSION, versions[k.kid]) for k in changed]
        ops += [Put(_pk(sid), f"KEY#{k.kid}", mappers.key_doc(k), L_VERSION) for k in created]
        ops += [Delete(_pk(sid), f"KEY#{kid}", L_VERSION, versions[kid], check_version=True) for kid in removed]
        self._t.write(ops)
        return _bump(server)

    # -- scopes and claims -----------------------------------------------------------------------------------------

    def create_scope(self, server_id: str, scope: Scope) -> Scope:
        self._t.write([self._parent(server_id), *self._scope(server_id, scope)])
        return _bump(scope)

    def replace_scope(self, server_id: str, old: Scope, new: Scope) -> Scope:
        ops: list[Op] = [self._parent(server_id),
                         Put(_pk(server_id), f"SCOPE#{new.id}", mappers.scope_doc(new), L_VERSION, old.version)]
        if new.name != old.name:
            ops += [Delete(_pk(server_id), f"NAME#SCOPE#{old.name}", L_NAME),
                    Put(_pk(server_id), f"NAME#SCOPE#{new.name}", {"id": new.id}, L_NAME)]
        self._t.write(ops)
        return _bump(new)

    def delete_scope(self, server_id: str, scope: Scope) -> None:
        self._t.write([self._parent(server_id),
                       Delete(_pk(server_id), f"SCOPE#{scope.id}", L_VERSION, scope.version, check_version=True),
                       Delete(_pk(server_id), f"NAME#SCOPE#{scope.name}", L_NAME)])

    def create_claim(self, server_id: str, claim: Claim) -> Claim:
        self._t.write([self._parent(server_id), *self._claim(server_id, claim)])
        return _bump(claim)

    def replace_claim(self, server_id: str, old: Claim, new: Claim) -> Claim:
        ops: list[Op] = [self._parent(server_id),
                         Put(_pk(server_id), f"CLAIM#{new.id}", mappers.claim_doc(new), L_VERSION, old.version)]
        if (new.name, new.claim_type) != (old.name, old.claim_type):
            ops += [Delete(_pk(server_id), f"NAME#CLAIM#{old.claim_type}#{old.name}", L_NAME),
                    Put(_pk(server_id), f"NAME#CLAIM#{new.claim_type}#{new.name}", {"id": new.id}, L_NAME)]
        self._t.write(ops)
        return _bump(new)

    def delete_claim(self, server_id: str, claim: Claim) -> None:
        self._t.write([self._parent(server_id),
                       Delete(_pk(server_id), f"CLAIM#{claim.id}", L_VERSION, claim.version, check_version=True),
                       Delete(_pk(server_id), f"NAME#CLAIM#{claim.claim_type}#{claim.name}", L_NAME)])

    # -- policies and rules ----------------------------------------------------------------------------------------

    def save_policy(self, server_id: str, policy: Policy, order: Ordered | None) -> Policy:
        ops: list[Op] = [self._parent(server_id), Put(_pk(server_id), f"POLICY#{policy.id}",
                                                      mappers.policy_doc(policy), L_VERSION, policy.version)]
        if order is not None:
            ops.append(self._order(server_id, POLICY_ORDER, order))
        self._t.write(ops)
        return _bump(policy)

    def delete_policy(self, server_id: str, policy: Policy, order: Ordered, rules: Iterable[Rule],
                      rule_order: Ordered | None) -> None:
        pk = _pk(server_id)
        ops: list[Op] = [self._parent(server_id),
                         Delete(pk, f"POLICY#{policy.id}", L_VERSION, policy.version, check_version=True),
                         self._order(server_id, POLICY_ORDER, order)]
        ops += [Delete(pk, f"RULE#{policy.id}#{r.id}", L_VERSION, r.version, check_version=True) for r in rules]
        if rule_order is not None:
            ops.append(Delete(pk, f"ORDER#RULES#{policy.id}", L_ORDER, rule_order.version, check_version=True))
        self._t.write(ops)

    def save_rule(self, server_id: str, rule: Rule, order: Ordered | None) -> Rule:
        pk = _pk(server_id)
        ops: list[Op] = [Require(pk, f"POLICY#{rule.policy_id}", L_POLICY),
                         Put(pk, f"RULE#{rule.policy_id}#{rule.id}", mappers.rule_doc(rule), L_VERSION,
                             rule.version)]
        if order is not None:
            ops.append(self._order(server_id, f"ORDER#RULES#{rule.policy_id}", order))
        self._t.write(ops)
        return _bump(rule)

    def delete_rule(self, server_id: str, rule: Rule, order: Ordered) -> None:
        pk = _pk(server_id)
        self._t.write([Require(pk, f"POLICY#{rule.policy_id}", L_POLICY),
                       Delete(pk, f"RULE#{rule.policy_id}#{rule.id}", L_VERSION, rule.version, check_version=True),
                       self._order(server_id, f"ORDER#RULES#{rule.policy_id}", order)])

    # -- trusted servers (token exchange) --------------------------------------------------------------------------

    def add_trusted_servers(self, server_id: str, trusted: Iterable[TrustedServer]) -> None:
        self._t.write([self._parent(server_id),
                       *(Put(_pk(server_id), f"TRUST#{t.id}", mappers.trusted_server_doc(t), L_VERSION)
                         for t in trusted)])

    def remove_trusted_server(self, server_id: str, trusted: TrustedServer) -> None:
        self._t.write([self._parent(server_id),
                       Delete(_pk(server_id), f"TRUST#{trusted.id}", L_VERSION, trusted.version, check_version=True)])
