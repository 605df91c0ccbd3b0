"""Rules of an access policy (okta-api.md 6.3, 6.4): CRUD, lifecycle, validation of conditions and token
lifetimes, priorities with the default rule of the default policy pinned last."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, Ordered, Policy, Rule, RuleConditions, ServerConfig, TokenActions
from ..errors import ForbiddenError, NotFoundError, ValidationError
from ..ports import ConfigStore
from . import priorities
from .common import RULE_TYPE, check_if_match, write
from .policies import find_policy
from .servers import ServerService
from .validation import Fields, require_object

RULE_KIND = "RESOURCE_ACCESS"
MAX_RULES_PER_POLICY = 50  # keeps "delete a policy with all its rules" inside one DynamoDB transaction
GRANT_TYPES = (
    "authorization_code", "implicit", "password", "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:saml2-bearer", "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:openid:params:grant-type:ciba", "interaction_code", "urn:okta:params:oauth:grant-type:otp",
    "urn:okta:params:oauth:grant-type:oob", "http://auth0.com/oauth/grant-type/mfa-otp",
    "http://auth0.com/oauth/grant-type/mfa-oob",
)
EVERYONE = "EVERYONE"
FIVE_YEARS_MINUTES = 2_628_000


def pinned_rule(config: ServerConfig, policy: Policy) -> str | None:
    """The rule that must stay last: the default rule of the default policy, if it still exists."""
    if not policy.is_default:
        return None
    return next((r.id for r in config.rules if r.policy_id == policy.id and r.is_default), None)


def ordered_rules(config: ServerConfig, policy_id: str) -> list[Rule]:
    by_id = {r.id: r for r in config.rules if r.policy_id == policy_id}
    return [by_id[i] for i in config.rule_orders.get(policy_id, Ordered()).ids if i in by_id]


class RuleService:
    def __init__(self, repo: ConfigStore, servers: ServerService, clock: Clock) -> None:
        self._repo = repo
        self._servers = servers
        self._clock = clock

    def _context(self, server_id: str, policy_id: str) -> tuple[str, ServerConfig, Policy, Ordered]:
        sid = self._servers.resolve_id(server_id)
        config = self._servers.load(sid)
        policy = find_policy(config, policy_id)
        return sid, config, policy, config.rule_orders.get(policy_id, Ordered())

    def list(self, server_id: str, policy_id: str) -> tuple[list[Rule], Ordered]:
        _sid, config, _policy, order = self._context(server_id, policy_id)
        return ordered_rules(config, policy_id), order

    def get(self, server_id: str, policy_id: str, rule_id: str) -> tuple[Rule, Ordered]:
        _sid, config, _policy, order = self._context(server_id, policy_id)
        return self._find(config, policy_id, rule_id), order

    @staticmethod
    def _find(config: ServerConfig, policy_id: str, rule_id: str) -> Rule:
        for rule in config.rules:
            if rule.id == rule_id and rule.policy_id == policy_id:
                return rule
        raise NotFoundError(rule_id, RULE_TYPE)

    def _read(self, body: Any, config: ServerConfig) -> tuple[dict[str, Any], int | None]:
        f = Fields(require_object(body), "rule")
        f.enum("type", (RULE_KIND,), required=True)
        name = f.string("name", required=True, max_len=255)
        if not f.given("conditions"):
            f.error("conditions", "The field cannot be left blank.")
        grant_types = f.string_list("conditions.grantTypes.include", required=True, max_items=len(GRANT_TYPES))
        for unknown in [g for g in grant_types if g not in GRANT_TYPES]:
            f.error("conditions.grantTypes.include", f"'{unknown}' is not a supported grant type.")
        users_include = f.string_list("conditions.people.users.include", max_len=100)
        users_exclude = f.string_list("conditions.people.users.exclude", max_len=100)
        groups_include = f.string_list("conditions.people.groups.include", max_len=100)
        groups_exclude = f.string_list("conditions.people.groups.exclude", max_len=100)
        if EVERYONE in groups_exclude:
            f.error("conditions.people.groups.exclude", "EVERYONE cannot be excluded.")
        acts_for_user = any(g != "client_credentials" for g in grant_types)
        if acts_for_user and not (users_include or groups_include):
            f.error("conditions.people", "A rule for grant types that act on behalf of a user must include "
                                         "users or groups (EVERYONE for any user assigned to the client).")
        scopes = f.string_list("conditions.scopes.include", max_items=1000)
        known = {s.name for s in config.scopes}
        if "*" in scopes and len(scopes) > 1:
            f.error("conditions.scopes.include", "Use either '*' (any scope) or a list of scopes, not both.")
        for unknown in [s for s in scopes if s != "*" and s not in known]:
            f.error("conditions.scopes.include", f"'{unknown}' is not a scope of this authorization server.")
        access = f.integer("actions.token.accessTokenLifetimeMinutes", minimum=5, maximum=1440, default=60)
        refresh = f.integer("actions.token.refreshTokenLifetimeMinutes", minimum=0, maximum=FIVE_YEARS_MINUTES,
                            default=0)
        window = f.integer("actions.token.refreshTokenWindowMinutes", minimum=10, maximum=FIVE_YEARS_MINUTES,
                           default=10080)
        if access is not None and refresh and refresh < access:
            f.error("actions.token.refreshTokenLifetimeMinutes",
                    "Must be 0 (unlimited) or at least the access token lifetime.")
        elif refresh and window is not None and access is not None and not access <= window <= refresh:
            f.error("actions.token.refreshTokenWindowMinutes",
                    "Must be between the access token lifetime and the refresh token lifetime.")
        hook = f.string("actions.token.inlineHook.id", max_len=100)
        status = f.enum("status", (ACTIVE, INACTIVE), default=ACTIVE)
        priority = f.integer("priority", minimum=1, maximum=10_000)
        f.check()
        conditions = RuleConditions(
            grant_types=tuple(grant_types), scopes=tuple(scopes), users_include=tuple(users_include),
            users_exclude=tuple(users_exclude), groups_include=tuple(groups_include),
            groups_exclude=tuple(groups_exclude),
        )
        actions = TokenActions(access_token_lifetime_minutes=access, refresh_token_lifetime_minutes=refresh,  # type: ignore[arg-type]
                               refresh_token_window_minutes=window, inline_hook_id=hook)  # type: ignore[arg-type]
        return {"name": name, "status": status, "conditions": conditions, "actions": actions}, priority

    def create(self, server_id: str, policy_id: str, body: Any) -> tuple[Rule, Ordered]:
        sid, config, policy, order = self._context(server_id, policy_id)
        fields, priority = self._read(body, config)
        if len(order.ids) >= MAX_RULES_PER_POLICY:
            raise ValidationError("rule", [f"policy: A policy holds at most {MAX_RULES_PER_POLICY} rules."])
        now = self._clock.now()
        rule = Rule(id=ids.new_id(ids.RULE), policy_id=policy_id, system=False, created=now, last_updated=now,
                    **fields)
        new_order = replace(order, ids=priorities.place(order.ids, rule.id, priority, pinned_rule(config, policy)))
        saved = write(lambda: self._repo.save_rule(sid, rule, new_order), what=RULE_TYPE, object_id=rule.id,
                      server_id=server_id, policy_id=policy_id)
        return saved, new_order

    def replace(self, server_id: str, policy_id: str, rule_id: str, body: Any,
                expected_version: int | None = None) -> tuple[Rule, Ordered]:
        sid, config, policy, order = self._context(server_id, policy_id)
        current = self._find(config, policy_id, rule_id)
        check_if_match(current.version, expected_version)
        fields, priority = self._read(body, config)
        updated = replace(current, last_updated=self._clock.now(), **fields)
        moved = priorities.place(order.ids, rule_id, priority or order.priority_of(rule_id),
                                 pinned_rule(config, policy))
        new_order = replace(order, ids=moved) if moved != order.ids else None
        saved = write(lambda: self._repo.save_rule(sid, updated, new_order), what=RULE_TYPE, object_id=rule_id,
                      server_id=server_id, policy_id=policy_id)
        return saved, new_order or order

    def set_status(self, server_id: str, policy_id: str, rule_id: str, status: str) -> None:
        sid, config, _policy, _order = self._context(server_id, policy_id)
        current = self._find(config, policy_id, rule_id)
        if current.status != status:
            updated = replace(current, status=status, last_updated=self._clock.now())
            write(lambda: self._repo.save_rule(sid, updated, None), what=RULE_TYPE, object_id=rule_id,
                  server_id=server_id, policy_id=policy_id)

    def delete(self, server_id: str, policy_id: str, rule_id: str, expected_version: int | None = None) -> None:
        sid, config, _policy, order = self._context(server_id, policy_id)
        current = self._find(config, policy_id, rule_id)
        check_if_match(current.version, expected_version)
        if current.system:
            raise ForbiddenError(f"'{current.name}' is a system rule and cannot be deleted.")
        new_order = replace(order, ids=priorities.remove(order.ids, rule_id))
        write(lambda: self._repo.delete_rule(sid, current, new_order), what=RULE_TYPE, object_id=rule_id,
              server_id=server_id, policy_id=policy_id)
