"""Access-policy evaluation of a custom authorization server (okta-api.md 4.5, 6.4, 7.9; the seed's "Create Access
Policies" / "Create Rules for Each Access Policy").

``evaluate(config, request)`` is a pure function: no Chalice, no AWS, no clock, no randomness. The token endpoint,
the authorize endpoint and the token preview all call it, so the three agree by construction. It returns a
``Decision`` whose ``steps``/``trace`` explain every policy and rule it looked at.

Order of evaluation
-------------------
1. Server INACTIVE -> ``server_inactive`` (``invalid_request`` "The authorization server id is invalid.", Okta's
   ``invalid_authorization_server``): an inactive server answers like an unknown one (issue 4).
2. Scopes of the request, before any policy:
   * a ``scope`` parameter naming nothing -> ``no_scopes_requested`` ("No scopes were requested.");
   * a scope not defined on the server -> ``unknown_scope`` ("One or more scopes are not configured for the
     authorization server resource.", Okta's ``no_matching_scope``; support.okta.com article "Error 'One or more
     scopes are not configured for the authorization server resource'");
   * ``client_credentials`` with any OpenID Connect scope (``openid profile email address phone offline_access
     device_sso``) -> ``openid_with_client_credentials`` ("Cannot request 'openid' scopes using client
     credentials."). Not only ``openid``: support.okta.com "Okta Error Occurs When Requesting OpenID Scopes Using
     Client Credentials" says passing *any* OIDC-related scope with this grant is invalid;
   * no ``scope`` parameter -> the server's scopes with ``default: true``, in server order (help.okta.com "Create
     API access scopes": "Okta returns the access token with all of the default scopes permitted by the access
     policy rule"). For ``client_credentials`` default OIDC scopes are skipped (they could never be granted and
     were not asked for). None left -> ``no_default_scopes`` ("The authorization server resource does not have any
     configured default scopes, 'scope' must be provided.", Okta's ``no_default_scopes``).
3. A user not assigned to the client -> ``user_not_assigned`` (okta-api.md 6.4 point 2; the retired reference's
   "Subtle behavior": a user must be assigned to the client, directly or through a group).
4. Policies in priority order (``config.policy_order``; priority = position + 1, as the management API reports it).
   INACTIVE ones are skipped; a policy applies when its clients include ``ALL_CLIENTS`` or the client id.
   Inside an applying policy, rules in priority order (``config.rule_orders``); INACTIVE ones are skipped. A rule
   matches when, checked in this order, (a) the grant type is included, (b) the people condition holds, and (c) the
   scope condition holds. The first matching rule decides and nothing after it is evaluated.
5. After the match: scopes the grant type cannot carry are dropped, then consent is checked (below).

Decisions on the points Okta leaves open (okta-api.md 6.4 and 10 mark them UNVERIFIED)
----------------------------------------------------------------------------------
* **A policy that applies to the client but has no matching rule falls through to the next policy.** Okta's
  "the first policy and rule that match ... no further processing occurs" (help.okta.com "Create access
  policies", the seed) is about a *match*; for a non-match support.okta.com "Tokens Not Issued With Lifetime
  Configured in Access Rule for Custom Authorization Server" says: "If the application, user, or request does not
  match the configuration for the Access Policy/Access Rule, evaluation will continue to the next Access
  Policy/Rule (based on the order of their assigned priorities) until a matching policy is found", and only when
  no policy/rule combination matches is ``no_matching_policy`` reported.
* **The scope condition is part of the rule match; explicitly requested scopes are never narrowed.** A rule
  matches only when it allows *every* requested scope (same support article: a request for scopes beyond those a
  rule covers makes that rule not match, and evaluation moves on; the retired troubleshooting guide: "If a client
  requests multiple scopes, but the policy for that client only allows for a subset of the scopes, then the token
  isn't minted and an error is returned"). This deliberately differs from security-checklist POL-06
  ("requested ∩ allowed"): only default scopes are narrowed to what the rule allows (a rule allowing none of them
  does not match).
* **Which error when nothing matched.** No ACTIVE policy includes the client -> ``no_matching_policy``. Policies
  include it but no rule matches grant type and people -> ``no_matching_rule``. Both send Okta's
  ``no_matching_policy`` error (401 ``access_denied`` "Policy evaluation failed for this request, please check the
  policy configurations."); the two codes only tell the admin which half failed. When at least one rule matched
  grant type and people and failed only on scopes, the *first* such rule (in evaluation order) is blamed: it allows
  none of the requested scopes -> ``no_scope_allowed`` (400 "Policy evaluation succeeded, but all the requested
  scopes were rejected."), it allows some -> ``scope_denied`` (400 "Some of the requested scopes were denied by the
  policy. Denied scopes: [a, b].", the scopes that rule does not allow). This fits Okta's catalogue (both entries
  exist with exactly these meanings), okta-api.md 6.4 point 4 and issue 4 ("denied scopes" apart from "no match");
  real Okta is reported to answer ``no_matching_policy`` in this case, with the same ``access_denied`` code.
* **OIDC scopes in rules.** "The rule grants the OpenID Connect scopes by default, so they don't need to be
  configured in the rule" (retired API reference, "Subtle behavior"; okta-api.md 6.4 point 5), yet Okta's guide
  "Limit which scopes some clients can access" restricts a client to ``openid`` and ``email`` by listing just those
  in a rule ("Access policies rules are allow lists"). Both hold with: a rule whose scope list names *no* OIDC scope
  allows every OIDC scope; a rule that names some OIDC scopes allows only those (``rule_allows_scope``). ``*``
  allows everything.
* **"No user".** Without a user the people condition holds only for ``client_credentials`` (the seed: "Service
  applications (client credentials flow) have no user ... make sure you have at least one rule that specifies the
  condition No user"; the UI shows "AND User is" only for grants acting for a user). How Okta stores "no user" is
  UNVERIFIED; here any rule that includes ``client_credentials`` covers it, whatever its people lists. With a user,
  the user must not be excluded (by user id, or by a group in ``groups.exclude``) and must be included by user id
  or by a group; ``EVERYONE`` includes every user (the user is always a member of it).
* **Grants that cannot carry a scope.** ``offline_access`` is dropped for ``implicit`` (no refresh token there);
  when nothing is left the result is ``no_scope_allowed`` (Okta answers exactly this for an implicit renewal asking
  only for ``offline_access``; okta-auth-js's test "receives/throws error from iframe").
* **Consent** (okta-api.md 4.5; developer.okta.com "Enable consent for scopes": REQUIRED = "Block services from
  requesting this scope"). ``client_credentials``: a granted scope with consent REQUIRED -> ``consent_required``
  with Okta's client-credentials text ("... cannot be granted for the client credentials grant type: [...]");
  FLEXIBLE and IMPLICIT are granted. User grants: REQUIRED scopes (and FLEXIBLE ones with
  ``prompt_consent``) missing from ``consent_granted`` -> ``consent_required`` ("The following scopes require user
  consent: [...]"); the authorize endpoint shows the consent page for ``consent_scopes`` and evaluates again. A
  TRUSTED app (``client_trusted``) needs consent only with ``prompt_consent`` (then REQUIRED and FLEXIBLE scopes).
* **Refresh.** Rules have no ``refresh_token`` grant type; callers pass the original grant type (okta-api.md 6.3).
* **Texts.** Okta's catalogue renders placeholders as ``[en]``; we substitute the scope names joined with ", ".
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from ..domain import ACTIVE, Ordered, Policy, Rule, RuleConditions, ServerConfig, TokenActions
from .model import AccessRequest, Decision, Step
from .reasons import CATALOGUE, CONSENT_REQUIRED_CLIENT_CREDENTIALS, OAuthError, Outcome, Reason

CLIENT_CREDENTIALS = "client_credentials"
IMPLICIT = "implicit"
ALL_CLIENTS = "ALL_CLIENTS"
EVERYONE = "EVERYONE"
ANY_SCOPE = "*"
OFFLINE_ACCESS = "offline_access"
OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access", "device_sso")
CONSENT_REQUIRED = "REQUIRED"
CONSENT_FLEXIBLE = "FLEXIBLE"

_OIDC = frozenset(OIDC_SCOPES)
_Item = TypeVar("_Item", Policy, Rule)


def evaluate(config: ServerConfig, request: AccessRequest) -> Decision:
    """Decide ``request`` against the server's scopes, policies and rules (see the module docstring)."""
    return _Evaluation(config, request).run()


def user_consent_asked(config: ServerConfig, requested_scopes: Iterable[str], *, client_trusted: bool,
                       prompt_consent: bool) -> bool:
    """Whether a person could be asked to consent to any of ``requested_scopes`` (any of the server's scopes when
    none are requested). False: remembered consent cannot change the decision, so the authorize endpoint need not
    read it (issue 20: one read less per sign-in when no scope asks for consent)."""
    asks = _user_asks(client_trusted, prompt_consent)
    requested = set(requested_scopes)
    return bool(asks) and any(s.consent in asks and (not requested or s.name in requested) for s in config.scopes)


def _user_asks(client_trusted: bool, prompt_consent: bool) -> tuple[str, ...]:
    """The scope consent settings a person is asked about."""
    if prompt_consent:
        return (CONSENT_REQUIRED, CONSENT_FLEXIBLE)
    return () if client_trusted else (CONSENT_REQUIRED,)  # a TRUSTED app asks for nothing unless told to (4.5)


def rule_allows_scope(rule_scopes: Iterable[str], scope: str) -> bool:
    """Whether a rule's scope condition allows ``scope`` (``*``; listed; OIDC scope of a rule naming none)."""
    listed = frozenset(rule_scopes)
    if ANY_SCOPE in listed or scope in listed:
        return True
    return scope in _OIDC and not (listed & _OIDC)


def in_priority_order(items: Iterable[_Item], order: Ordered) -> list[tuple[int, _Item]]:
    """``(priority, item)`` for the items named by ``order``, in that order; ids without an item are skipped (the
    same selection as ``admin.policies.ordered_policies`` / ``admin.rules.ordered_rules``), and items missing from
    the order list are never evaluated (fail closed)."""
    by_id = {item.id: item for item in items}
    return [(position, by_id[item_id]) for position, item_id in enumerate(order.ids, start=1) if item_id in by_id]


def _names(scopes: Sequence[str]) -> str:
    return ", ".join(scopes)


def _unique(scopes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(scopes))


class _Evaluation:
    def __init__(self, config: ServerConfig, request: AccessRequest) -> None:
        self.config = config
        self.request = request
        self.steps: list[Step] = []

    # -- the walk ------------------------------------------------------------------------------------------------

    def run(self) -> Decision:
        request = self.request
        server = self.config.server
        if server.status != ACTIVE:
            self._step("request", Reason.SERVER_INACTIVE, f"server '{server.name}' is {server.status.lower()}")
            return self._deny(Reason.SERVER_INACTIVE)
        resolved = self._resolve_scopes()
        if isinstance(resolved, Decision):
            return resolved
        requested, using_defaults = resolved
        if request.user_id is not None and not request.user_assigned:
            self._step("request", Reason.USER_NOT_ASSIGNED,
                       f"user {request.user_id} is not assigned to client {request.client_id}")
            return self._deny(Reason.USER_NOT_ASSIGNED)

        rules_by_policy: dict[str, list[Rule]] = {}
        for rule in self.config.rules:
            rules_by_policy.setdefault(rule.policy_id, []).append(rule)
        blamed: tuple[Policy, Rule, tuple[str, ...], tuple[str, ...]] | None = None
        applied = False
        for priority, policy in in_priority_order(self.config.policies, self.config.policy_order):
            if not self._policy_applies(policy, priority):
                continue
            applied = True
            order = self.config.rule_orders.get(policy.id, Ordered())
            for rule_priority, rule in in_priority_order(rules_by_policy.get(policy.id, ()), order):
                outcome, allowed, denied = self._match_rule(policy, rule, rule_priority, requested, using_defaults)
                if outcome == Outcome.RULE_MATCHED:
                    return self._after_match(policy, rule, allowed)
                if outcome == Outcome.SCOPE_NOT_ALLOWED and blamed is None:
                    blamed = (policy, rule, allowed, denied)
            self._step("policy", Outcome.NO_RULE_MATCHED,
                       f"{self._policy_label(policy, priority)}: no rule matched, evaluation continues with the next "
                       f"policy", policy=policy, priority=priority)

        if blamed is not None:
            policy, rule, allowed, denied = blamed
            reason = Reason.SCOPE_DENIED if allowed else Reason.NO_SCOPE_ALLOWED
            return self._deny(reason, policy=policy, rule=rule, denied=denied, text_scopes=denied)
        return self._deny(Reason.NO_MATCHING_RULE if applied else Reason.NO_MATCHING_POLICY)

    def _resolve_scopes(self) -> tuple[tuple[str, ...], bool] | Decision:
        request = self.request
        client_credentials = request.grant_type == CLIENT_CREDENTIALS
        if request.requested_scopes is None:
            defaults = _unique(s.name for s in self.config.scopes if s.default)
            skipped = tuple(s for s in defaults if s in _OIDC) if client_credentials else ()
            if skipped:
                self._step("request", Outcome.OIDC_DEFAULT_SKIPPED,
                           f"default scope(s) {_names(skipped)} skipped: OpenID Connect scopes cannot be requested "
                           f"with client credentials")
                defaults = tuple(s for s in defaults if s not in _OIDC)
            if not defaults:
                self._step("request", Reason.NO_DEFAULT_SCOPES,
                           "no scope parameter and the server has no default scope"
                           + (" usable with client credentials" if skipped else ""))
                return self._deny(Reason.NO_DEFAULT_SCOPES)
            self._step("request", Outcome.DEFAULT_SCOPES,
                       f"no scope parameter: using the server's default scopes {_names(defaults)}")
            return defaults, True

        requested = _unique(request.requested_scopes)
        if not requested:
            self._step("request", Reason.NO_SCOPES_REQUESTED, "the scope parameter names no scope")
            return self._deny(Reason.NO_SCOPES_REQUESTED)
        self._step("request", Outcome.SCOPES_REQUESTED, f"scopes requested: {_names(requested)}")
        known = {s.name for s in self.config.scopes}
        unknown = tuple(s for s in requested if s not in known)
        if unknown:
            self._step("request", Reason.UNKNOWN_SCOPE, f"scope(s) {_names(unknown)} not defined on this server")
            return self._deny(Reason.UNKNOWN_SCOPE, denied=unknown)
        oidc = tuple(s for s in requested if s in _OIDC) if client_credentials else ()
        if oidc:
            self._step("request", Reason.OPENID_WITH_CLIENT_CREDENTIALS,
                       f"OpenID Connect scope(s) {_names(oidc)} cannot be requested with client credentials")
            return self._deny(Reason.OPENID_WITH_CLIENT_CREDENTIALS, denied=oidc)
        return requested, False

    def _policy_applies(self, policy: Policy, priority: int) -> bool:
        label = self._policy_label(policy, priority)
        if policy.status != ACTIVE:
            self._step("policy", Outcome.POLICY_INACTIVE, f"{label} skipped: inactive", policy=policy,
                       priority=priority)
            return False
        if ALL_CLIENTS in policy.clients:
            how = "all clients"
        elif self.request.client_id in policy.clients:
            how = f"client {self.request.client_id} included"
        else:
            self._step("policy", Outcome.CLIENT_NOT_INCLUDED,
                       f"{label} skipped: client {self.request.client_id} not included", policy=policy,
                       priority=priority)
            return False
        self._step("policy", Outcome.POLICY_APPLIES, f"{label} applies: {how}", policy=policy, priority=priority)
        return True

    def _match_rule(self, policy: Policy, rule: Rule, priority: int, requested: tuple[str, ...],
                    using_defaults: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """``(outcome, allowed scopes, denied scopes)`` of one rule; records its step."""
        label = f"rule '{rule.name}' (priority {priority})"
        conditions = rule.conditions
        grant_type = self.request.grant_type

        def step(outcome: str, text: str) -> None:
            self._step("rule", outcome, f"{label} {text}", rule=rule, priority=priority, policy=policy)

        if rule.status != ACTIVE:
            step(Outcome.RULE_INACTIVE, "skipped: inactive")
            return Outcome.RULE_INACTIVE, (), ()
        if grant_type not in conditions.grant_types:
            step(Outcome.GRANT_TYPE_NOT_INCLUDED, f"skipped: grant type {grant_type} not included")
            return Outcome.GRANT_TYPE_NOT_INCLUDED, (), ()
        people_outcome, people_text = self._people(conditions)
        if people_outcome is not None:
            step(people_outcome, f"skipped: {people_text}")
            return people_outcome, (), ()
        allowed = tuple(s for s in requested if rule_allows_scope(conditions.scopes, s))
        denied = tuple(s for s in requested if s not in allowed)
        if using_defaults and not allowed:
            step(Outcome.SCOPE_NOT_ALLOWED, f"skipped: none of the default scopes {_names(requested)} allowed")
            return Outcome.SCOPE_NOT_ALLOWED, allowed, denied
        if not using_defaults and denied:
            step(Outcome.SCOPE_NOT_ALLOWED, f"skipped: scope(s) {_names(denied)} not allowed")
            return Outcome.SCOPE_NOT_ALLOWED, allowed, denied
        step(Outcome.RULE_MATCHED, f"matched: grant type {grant_type}, {people_text}, scopes {_names(allowed)}")
        return Outcome.RULE_MATCHED, allowed, ()

    def _people(self, conditions: RuleConditions) -> tuple[str | None, str]:
        """``(None, how the condition holds)`` or ``(failing outcome, why)``."""
        request = self.request
        user = request.user_id
        if user is None:
            if request.grant_type == CLIENT_CREDENTIALS:
                return None, "no user (client acting on its own behalf)"
            return Outcome.USER_REQUIRED, f"grant type {request.grant_type} acts for a user but the request has none"
        groups = request.user_group_ids | {EVERYONE}
        if user in conditions.users_exclude:
            return Outcome.USER_EXCLUDED, f"user {user} excluded"
        excluded = [g for g in conditions.groups_exclude if g in groups]
        if excluded:
            return Outcome.GROUP_EXCLUDED, f"user {user} is in excluded group(s) {_names(excluded)}"
        if user in conditions.users_include:
            return None, f"user {user} included by user id"
        included = [g for g in conditions.groups_include if g in groups]
        if EVERYONE in included:
            return None, f"user {user} included by {EVERYONE} (any user)"
        if included:
            return None, f"user {user} included by group {included[0]}"
        return Outcome.USER_NOT_INCLUDED, f"user {user} not included (neither by user id nor by group)"

    def _after_match(self, policy: Policy, rule: Rule, allowed: tuple[str, ...]) -> Decision:
        request = self.request
        granted = allowed
        dropped: tuple[str, ...] = ()
        if request.grant_type == IMPLICIT and OFFLINE_ACCESS in granted:
            dropped = (OFFLINE_ACCESS,)
            granted = tuple(s for s in granted if s != OFFLINE_ACCESS)
            self._step("scopes", Outcome.SCOPE_DROPPED,
                       f"scope {OFFLINE_ACCESS} dropped: the implicit grant issues no refresh token")
        if not granted:
            return self._deny(Reason.NO_SCOPE_ALLOWED, policy=policy, rule=rule, denied=dropped,
                              actions=rule.actions)

        consent = {s.name: s.consent for s in self.config.scopes}
        if request.grant_type == CLIENT_CREDENTIALS:
            needing = tuple(s for s in granted if consent.get(s) == CONSENT_REQUIRED)
            oauth = CONSENT_REQUIRED_CLIENT_CREDENTIALS
        else:
            asks = _user_asks(request.client_trusted, request.prompt_consent)
            needing = tuple(s for s in granted if consent.get(s) in asks and s not in request.consent_granted)
            oauth = CATALOGUE[Reason.CONSENT_REQUIRED]
        if needing:
            return self._deny(Reason.CONSENT_REQUIRED, policy=policy, rule=rule, actions=rule.actions,
                              granted=granted, consent_scopes=needing, text_scopes=needing, oauth=oauth)

        actions = rule.actions
        self._step("decision", Reason.GRANTED,
                   f"decision: granted {_names(granted)} by policy '{policy.name}' rule '{rule.name}' "
                   f"(access token {actions.access_token_lifetime_minutes} min)")
        return Decision(
            allowed=True, reason=Reason.GRANTED, policy_id=policy.id, rule_id=rule.id, granted_scopes=granted,
            denied_scopes=dropped, actions=actions, http_status=200, trace=self._trace(), policy_name=policy.name,
            rule_name=rule.name, steps=tuple(self.steps),
        )

    # -- helpers ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _policy_label(policy: Policy, priority: int) -> str:
        return f"policy '{policy.name}' (priority {priority})"

    def _step(self, subject: str, outcome: str, message: str, *, policy: Policy | None = None,
              rule: Rule | None = None, priority: int | None = None) -> None:
        if rule is not None:
            self.steps.append(Step(subject, outcome, message, id=rule.id, name=rule.name, priority=priority,
                                   policy_id=rule.policy_id))
        elif policy is not None:
            self.steps.append(Step(subject, outcome, message, id=policy.id, name=policy.name, priority=priority))
        else:
            self.steps.append(Step(subject, outcome, message))

    def _trace(self) -> tuple[str, ...]:
        return tuple(step.message for step in self.steps)

    def _deny(self, reason: str, *, policy: Policy | None = None, rule: Rule | None = None,
              denied: tuple[str, ...] = (), text_scopes: tuple[str, ...] = (), actions: TokenActions | None = None,
              granted: tuple[str, ...] = (), consent_scopes: tuple[str, ...] = (),
              oauth: OAuthError | None = None) -> Decision:
        oauth = oauth or CATALOGUE[reason]
        description = oauth.describe(text_scopes)
        self._step("decision", reason, f"decision: {reason}: {oauth.error} ({oauth.http_status}) {description}")
        return Decision(
            allowed=False, reason=reason, policy_id=policy.id if policy else None, rule_id=rule.id if rule else None,
            granted_scopes=granted, denied_scopes=denied, actions=actions, error=oauth.error,
            error_description=description, http_status=oauth.http_status, trace=self._trace(),
            policy_name=policy.name if policy else None, rule_name=rule.name if rule else None,
            consent_scopes=consent_scopes, steps=tuple(self.steps),
        )
