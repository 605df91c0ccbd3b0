"""Repository of authorization-server configuration (the "configuration" table).

One partition per authorization server (``pk = AS#{id}``) holds the server, its scopes, claims, policies, rules
and order lists, so one Query loads everything a token request needs. Sort keys:

==========================  =====================================================
``SERVER``                  the server (also indexed by ``gsi1`` for listing)
``SCOPE#{id}``              a scope;  ``NAME#SCOPE#{name}`` guards name uniqueness
``CLAIM#{id}``              a claim;  ``NAME#CLAIM#{claimType}#{name}`` guards uniqueness
``POLICY#{id}``             a policy; ``ORDER#POLICIES`` holds policy ids in priority order
``RULE#{policyId}#{id}``    a rule;   ``ORDER#RULES#{policyId}`` holds its policy's rule order
``KEY#{kid}``               a signing key's public JWK and lifecycle state (ACTIVE / NEXT / EXPIRED)
``TRUST#{serverId}``        another server this one trusts for token exchange (Okta's associated servers)
==========================  =====================================================

``pk = ALIAS#default`` maps the ``default`` alias to the default server's id.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator, TypeVar, cast

from pynamodb.pagination import ResultIterator

from ..errors import StorageUnavailableError
from ..keys.lifecycle import KeyRecord
from ..domain import AuthorizationServer, Claim, Ordered, Policy, Rule, Scope, ServerConfig, TrustedServer
from ..ports import L_NAME, L_ORDER, L_POLICY, L_SERVER, L_VERSION  # noqa: F401 - labels are part of this API
from . import mappers
from .base import Repository
from .models import Item
from .transactions import Transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVER = "SERVER"
SERVER_LIST = "SERVER"
POLICY_ORDER = "ORDER#POLICIES"



def server_pk(server_id: str) -> str:
    return f"AS#{server_id}"


def rule_order_sk(policy_id: str) -> str:
    return f"ORDER#RULES#{policy_id}"


def trusted_server_sk(server_id: str) -> str:
    return f"TRUST#{server_id}"


NAME_PREFIX = "NAME#"


def scope_name_sk(name: str) -> str:
    return f"{NAME_PREFIX}SCOPE#{name}"


def claim_name_sk(claim_type: str, name: str) -> str:
    return f"{NAME_PREFIX}CLAIM#{claim_type}#{name}"


class ConfigRepository(Repository):
    STORE = "the configuration store"

    # -- reads -------------------------------------------------------------------------------------------------


    def resolve_alias(self, alias: str) -> str | None:
        item = self._guard(lambda: self._get(f"ALIAS#{alias}", "ALIAS"))
        return item.doc["id"] if item else None

    def _get(self, pk: str, sk: str) -> Item | None:
        try:
            return self._model.get(pk, sk, consistent_read=True)
        except self._model.DoesNotExist:
            return None

    def get_server(self, server_id: str) -> AuthorizationServer | None:
        item = self._guard(lambda: self._get(server_pk(server_id), SERVER))
        return mappers.server_from(item.doc, item.version) if item else None

    def list_servers(self) -> list[AuthorizationServer]:
        """All servers in creation order (small: an account has a handful of authorization servers)."""
        items = self._guard(lambda: list(self._model.gsi1.query(SERVER_LIST)))
        return [mappers.server_from(i.doc, i.version) for i in items]

    def _partition(self, server_id: str) -> list[tuple[str, Any, int | None]]:
        """``(sk, doc, version)`` of each item of a server's partition but its name guards, from one (paged) strongly
        consistent Query. The items' attributes are read as DynamoDB returns them rather than through pynamodb's
        models (~12 µs an item, ~0.8 ms for a default server's 64 items, on every load: the first token of each
        container, each reload after a change, each token preview), and the name guards, half of the items and
        never needed here, are not parsed at all (docs/performance.md, "What changed")."""
        rows: list[tuple[str, Any, int | None]] = []
        # The model's own attributes read the two values, as from_raw_data would.
        read_doc, read_version = self._model.doc.deserialize, self._model.version.deserialize
        # Without a map_fn, pynamodb's ResultIterator yields the items as DynamoDB returns them (name -> {type: value}).
        for raw in cast("Iterator[dict[str, Any]]",
                        ResultIterator(self._model._get_connection().query, (server_pk(server_id),),
                                       {"consistent_read": True})):
            sk = raw["sk"]["S"]
            if sk.startswith(NAME_PREFIX):
                continue
            doc, version = raw.get("doc", {}).get("S"), raw.get("version", {}).get("N")
            # pynamodb leaves the attributes' ``deserialize`` unannotated.
            rows.append((sk, read_doc(doc) if doc is not None else None,  # type: ignore[no-untyped-call]
                         read_version(version) if version is not None else None))
        return rows

    def load(self, server_id: str) -> ServerConfig | None:
        """The whole partition of one server with a single (paged) strongly consistent Query."""
        rows = self._guard(lambda: self._partition(server_id))
        config: ServerConfig | None = None
        for sk, doc, version in rows:
            if sk == SERVER:
                config = ServerConfig(server=mappers.server_from(doc, version))
        if config is None:
            return None
        for sk, doc, version in rows:
            if sk.startswith("SCOPE#"):
                config.scopes.append(mappers.scope_from(doc, version))
            elif sk.startswith("CLAIM#"):
                config.claims.append(mappers.claim_from(doc, version))
            elif sk.startswith("POLICY#"):
                config.policies.append(mappers.policy_from(doc, version))
            elif sk.startswith("RULE#"):
                config.rules.append(mappers.rule_from(doc, version))
            elif sk == POLICY_ORDER:
                config.policy_order = mappers.order_from(doc, version)
            elif sk.startswith("ORDER#RULES#"):
                config.rule_orders[sk.removeprefix("ORDER#RULES#")] = mappers.order_from(doc, version)
            elif sk.startswith("KEY#"):
                key = mappers.key_from(doc)
                config.keys.append(key)
                # Every key item is written through pynamodb's version attribute (1 on creation), so it has one.
                config.key_versions[key.kid] = cast(int, version)
            elif sk.startswith("TRUST#"):
                config.trusted_servers.append(mappers.trusted_server_from(doc, version))
        return config

    # -- item builders -----------------------------------------------------------------------------------------

    def _item(self, server_id: str, sk: str, doc: dict[str, Any] | None, version: int | None, **extra: str) -> Item:
        # ``extra`` names attributes only; the cast keeps mypy from matching it to Model.__init__'s own keyword
        # ``_user_instantiated: bool`` (beside its ``**attributes: Any``).
        item = self._model(server_pk(server_id), sk, doc=doc, **cast("dict[str, Any]", extra))
        if version is not None:
            item.version = version
        return item

    def _server_item(self, s: AuthorizationServer) -> Item:
        return self._item(s.id, SERVER, mappers.server_doc(s), s.version,
                          gsi1pk=SERVER_LIST, gsi1sk=f"{s.created.isoformat()}#{s.id}")

    def _tx(self) -> Transaction:
        return Transaction(self._model, self._connection)

    def _add_scope(self, tx: Transaction, server_id: str, scope: Scope) -> None:
        tx.put(self._item(server_id, f"SCOPE#{scope.id}", mappers.scope_doc(scope), scope.version), L_VERSION)
        tx.put(self._item(server_id, scope_name_sk(scope.name), {"id": scope.id}, None), L_NAME)

    def _add_claim(self, tx: Transaction, server_id: str, claim: Claim) -> None:
        tx.put(self._item(server_id, f"CLAIM#{claim.id}", mappers.claim_doc(claim), claim.version), L_VERSION)
        tx.put(self._item(server_id, claim_name_sk(claim.claim_type, claim.name), {"id": claim.id}, None), L_NAME)

    def _put_order(self, tx: Transaction, server_id: str, sk: str, order: Ordered) -> None:
        tx.put(self._item(server_id, sk, mappers.order_doc(order), order.version), L_ORDER)

    def _bump(self, obj: T) -> T:
        from dataclasses import replace

        return replace(obj, version=(getattr(obj, "version") or 0) + 1)  # type: ignore[type-var]

    # -- servers -----------------------------------------------------------------------------------------------

    def create_server(self, config: ServerConfig, alias: str | None = None) -> None:
        """Create a server with everything it starts with (system scopes and claims, seeded policies) at once."""
        sid = config.server.id
        tx = self._tx()
        tx.put(self._server_item(config.server), L_VERSION)
        for scope in config.scopes:
            self._add_scope(tx, sid, scope)
        for claim in config.claims:
            self._add_claim(tx, sid, claim)
        for policy in config.policies:
            tx.put(self._item(sid, f"POLICY#{policy.id}", mappers.policy_doc(policy), None), L_VERSION)
        for rule in config.rules:
            tx.put(self._item(sid, f"RULE#{rule.policy_id}#{rule.id}", mappers.rule_doc(rule), None), L_VERSION)
        if config.policies:
            self._put_order(tx, sid, POLICY_ORDER, config.policy_order)
        for policy_id, order in config.rule_orders.items():
            self._put_order(tx, sid, rule_order_sk(policy_id), order)
        for key in config.keys:
            tx.put(self._item(sid, f"KEY#{key.kid}", mappers.key_doc(key), None), L_VERSION)
        if alias:
            alias_item = self._model(f"ALIAS#{alias}", "ALIAS", doc={"id": sid})
            tx.put(alias_item, L_NAME)
        tx.commit()

    def save_server(self, server: AuthorizationServer) -> AuthorizationServer:
        tx = self._tx()
        tx.put(self._server_item(server), L_VERSION)
        tx.commit()
        return self._bump(server)

    def delete_server(self, server: AuthorizationServer) -> None:
        """Delete the server item first (atomically, version-checked), then sweep the rest of its partition.

        Every read starts from the ``SERVER`` item, so once it is gone the server is gone for every caller; a
        sweep that dies half-way leaves only unreachable items, which the next delete of that id never meets
        because ids are never reused.
        """
        tx = self._tx()
        tx.delete(self._item(server.id, SERVER, None, server.version), L_VERSION)
        tx.commit()
        try:
            self._guard(lambda: self._sweep(server.id))
        except StorageUnavailableError:
            # The server is gone (the committed delete is what counts); what the sweep left is unreachable.
            log.warning("sweeping the items of deleted server %s failed; they are unreachable", server.id)

    def _sweep(self, server_id: str) -> None:
        with self._model.batch_write() as batch:
            for item in self._model.query(server_pk(server_id), consistent_read=True):
                batch.delete(item)

    def save_keys(self, server: AuthorizationServer, changed: Iterable[KeyRecord], created: Iterable[KeyRecord],
                  removed: Iterable[str], versions: dict[str, int]) -> AuthorizationServer:
        """Apply one key-lifecycle step atomically: the server's signing fields, status changes of existing keys,
        new keys and retired keys, each conditional on the version read (an overlapping run loses as a whole)."""
        tx = self._tx()
        tx.put(self._server_item(server), L_VERSION)
        for key in changed:
            tx.put(self._item(server.id, f"KEY#{key.kid}", mappers.key_doc(key), versions[key.kid]), L_VERSION)
        for key in created:
            tx.put(self._item(server.id, f"KEY#{key.kid}", mappers.key_doc(key), None), L_VERSION)
        for kid in removed:
            tx.delete(self._item(server.id, f"KEY#{kid}", None, versions[kid]), L_VERSION)
        tx.commit()
        return self._bump(server)

    # -- scopes and claims -------------------------------------------------------------------------------------

    def create_scope(self, server_id: str, scope: Scope) -> Scope:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        self._add_scope(tx, server_id, scope)
        tx.commit()
        return self._bump(scope)

    def replace_scope(self, server_id: str, old: Scope, new: Scope) -> Scope:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.put(self._item(server_id, f"SCOPE#{new.id}", mappers.scope_doc(new), old.version), L_VERSION)
        if new.name != old.name:
            tx.delete(self._item(server_id, scope_name_sk(old.name), None, None), L_NAME, check_version=False)
            tx.put(self._item(server_id, scope_name_sk(new.name), {"id": new.id}, None), L_NAME)
        tx.commit()
        return self._bump(new)

    def delete_scope(self, server_id: str, scope: Scope) -> None:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)  # a server deleted meanwhile is a 404, not a 409
        tx.delete(self._item(server_id, f"SCOPE#{scope.id}", None, scope.version), L_VERSION)
        tx.delete(self._item(server_id, scope_name_sk(scope.name), None, None), L_NAME, check_version=False)
        tx.commit()

    def create_claim(self, server_id: str, claim: Claim) -> Claim:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        self._add_claim(tx, server_id, claim)
        tx.commit()
        return self._bump(claim)

    def replace_claim(self, server_id: str, old: Claim, new: Claim) -> Claim:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.put(self._item(server_id, f"CLAIM#{new.id}", mappers.claim_doc(new), old.version), L_VERSION)
        if (new.name, new.claim_type) != (old.name, old.claim_type):
            tx.delete(self._item(server_id, claim_name_sk(old.claim_type, old.name), None, None), L_NAME,
                      check_version=False)
            tx.put(self._item(server_id, claim_name_sk(new.claim_type, new.name), {"id": new.id}, None), L_NAME)
        tx.commit()
        return self._bump(new)

    def delete_claim(self, server_id: str, claim: Claim) -> None:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.delete(self._item(server_id, f"CLAIM#{claim.id}", None, claim.version), L_VERSION)
        tx.delete(self._item(server_id, claim_name_sk(claim.claim_type, claim.name), None, None), L_NAME,
                  check_version=False)
        tx.commit()

    # -- policies and rules ------------------------------------------------------------------------------------

    def save_policy(self, server_id: str, policy: Policy, order: Ordered | None) -> Policy:
        """Create or replace a policy; ``order`` (the new policy order) is written in the same transaction."""
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.put(self._item(server_id, f"POLICY#{policy.id}", mappers.policy_doc(policy), policy.version), L_VERSION)
        if order is not None:
            self._put_order(tx, server_id, POLICY_ORDER, order)
        tx.commit()
        return self._bump(policy)

    def delete_policy(self, server_id: str, policy: Policy, order: Ordered, rules: Iterable[Rule],
                      rule_order: Ordered | None) -> None:
        """Delete a policy, its rules and its rule order, and close the gap in the policy order, atomically."""
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.delete(self._item(server_id, f"POLICY#{policy.id}", None, policy.version), L_VERSION)
        self._put_order(tx, server_id, POLICY_ORDER, order)
        for rule in rules:
            tx.delete(self._item(server_id, f"RULE#{policy.id}#{rule.id}", None, rule.version), L_VERSION)
        if rule_order is not None:
            tx.delete(self._item(server_id, rule_order_sk(policy.id), None, rule_order.version), L_ORDER)
        tx.commit()

    def save_rule(self, server_id: str, rule: Rule, order: Ordered | None) -> Rule:
        tx = self._tx()
        tx.require(server_pk(server_id), f"POLICY#{rule.policy_id}", L_POLICY)
        tx.put(self._item(server_id, f"RULE#{rule.policy_id}#{rule.id}", mappers.rule_doc(rule), rule.version),
               L_VERSION)
        if order is not None:
            self._put_order(tx, server_id, rule_order_sk(rule.policy_id), order)
        tx.commit()
        return self._bump(rule)

    def delete_rule(self, server_id: str, rule: Rule, order: Ordered) -> None:
        tx = self._tx()
        tx.require(server_pk(server_id), f"POLICY#{rule.policy_id}", L_POLICY)
        tx.delete(self._item(server_id, f"RULE#{rule.policy_id}#{rule.id}", None, rule.version), L_VERSION)
        self._put_order(tx, server_id, rule_order_sk(rule.policy_id), order)
        tx.commit()

    # -- trusted servers (token exchange) -----------------------------------------------------------------------

    def add_trusted_servers(self, server_id: str, trusted: Iterable[TrustedServer]) -> None:
        """Trust each of ``trusted`` at once; fails (``L_VERSION``) when one is trusted already, ``L_SERVER`` when
        the server is gone."""
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        for t in trusted:
            tx.put(self._item(server_id, trusted_server_sk(t.id), mappers.trusted_server_doc(t), None), L_VERSION)
        tx.commit()

    def remove_trusted_server(self, server_id: str, trusted: TrustedServer) -> None:
        tx = self._tx()
        tx.require(server_pk(server_id), SERVER, L_SERVER)
        tx.delete(self._item(server_id, trusted_server_sk(trusted.id), None, trusted.version), L_VERSION)
        tx.commit()
