"""Builders for ServerConfig objects and access requests: plain values, no AWS."""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.domain import (
    ACTIVE,
    AuthorizationServer,
    Ordered,
    Policy,
    Rule,
    RuleConditions,
    Scope,
    ServerConfig,
    TokenActions,
)
from chalicelib.policy import OIDC_SCOPES, AccessRequest

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
USER_GRANTS = ("authorization_code", "implicit", "password")
ALL_GRANTS = ("client_credentials", *USER_GRANTS)
CUSTOM = ("api:read", "api:write", "api:admin")


def scope(name: str, *, default: bool = False, consent: str = "IMPLICIT") -> Scope:
    return Scope(id=f"scp_{name}", name=name, display_name=name, description=None, system=name in OIDC_SCOPES,
                 metadata_publish="ALL_CLIENTS", consent=consent, optional=False, default=default)


def standard_scopes(*extra: Scope) -> list[Scope]:
    """The seven system scopes, then the custom ones (all IMPLICIT, none default), then ``extra``."""
    return [scope(n) for n in OIDC_SCOPES] + [scope(n) for n in CUSTOM] + list(extra)


def policy(pid: str, *, clients: tuple[str, ...] = ("ALL_CLIENTS",), status: str = ACTIVE,
           name: str | None = None) -> Policy:
    return Policy(id=pid, name=name or pid, description="test policy", status=status, system=False, clients=clients,
                  created=NOW, last_updated=NOW)


def rule(rid: str, *, grants: tuple[str, ...] = ALL_GRANTS, scopes: tuple[str, ...] = ("*",),
         users_include: tuple[str, ...] = (), users_exclude: tuple[str, ...] = (),
         groups_include: tuple[str, ...] = ("EVERYONE",), groups_exclude: tuple[str, ...] = (),
         status: str = ACTIVE, access_minutes: int = 60, name: str | None = None, policy_id: str = "") -> Rule:
    conditions = RuleConditions(grant_types=grants, scopes=scopes, users_include=users_include,
                                users_exclude=users_exclude, groups_include=groups_include,
                                groups_exclude=groups_exclude)
    actions = TokenActions(access_token_lifetime_minutes=access_minutes)
    return Rule(id=rid, policy_id=policy_id, name=name or rid, status=status, system=False, conditions=conditions,
                actions=actions, created=NOW, last_updated=NOW)


def server(status: str = ACTIVE) -> AuthorizationServer:
    return AuthorizationServer(id="aus1", name="test-server", description=None, audiences=("api://test",),
                               issuer_mode="ORG_URL", status=status, created=NOW, last_updated=NOW,
                               rotation_mode="AUTO")


def config(*policies: tuple[Policy, list[Rule]], scopes: list[Scope] | None = None,
           server_status: str = ACTIVE) -> ServerConfig:
    """Policies and their rules in the order given (priority = position)."""
    all_rules: list[Rule] = []
    rule_orders: dict[str, Ordered] = {}
    for pol, rules in policies:
        owned = [r if r.policy_id == pol.id else _with_policy(r, pol.id) for r in rules]
        all_rules.extend(owned)
        rule_orders[pol.id] = Ordered(ids=tuple(r.id for r in owned))
    return ServerConfig(server=server(server_status), scopes=scopes if scopes is not None else standard_scopes(),
                        policies=[p for p, _ in policies], rules=all_rules,
                        policy_order=Ordered(ids=tuple(p.id for p, _ in policies)), rule_orders=rule_orders)


def _with_policy(r: Rule, policy_id: str) -> Rule:
    from dataclasses import replace

    return replace(r, policy_id=policy_id)


def default_config(**kwargs) -> ServerConfig:
    """The seed's default policy and rule: all clients, EVERYONE, four grant types, any scope."""
    return config((policy("default"), [rule("default-rule")]), **kwargs)


def cc(*scopes: str, client: str = "client1", none: bool = False) -> AccessRequest:
    """A client_credentials request (``none=True``: no scope parameter)."""
    return AccessRequest(client_id=client, grant_type="client_credentials",
                         requested_scopes=None if none else tuple(scopes))


def for_user(*scopes: str, user: str = "user1", groups: tuple[str, ...] = (), grant: str = "authorization_code",
             client: str = "client1", none: bool = False, consent: tuple[str, ...] = (), assigned: bool = True,
             prompt_consent: bool = False, trusted: bool = False) -> AccessRequest:
    return AccessRequest(client_id=client, grant_type=grant, requested_scopes=None if none else tuple(scopes),
                         user_id=user, user_group_ids=frozenset(groups), consent_granted=frozenset(consent),
                         user_assigned=assigned, prompt_consent=prompt_consent, client_trusted=trusted)
