"""The evaluator's input (``AccessRequest``) and output (``Decision``, with its ``Step`` list)."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import TokenActions


@dataclass(frozen=True)
class AccessRequest:
    """One request for tokens, as the token endpoint, the authorize endpoint or the token preview sees it.

    ``grant_type``: the grant being evaluated. For a ``refresh_token`` grant pass the grant type of the original
    grant (rules have no ``refresh_token`` grant type; a refresh is judged by the rule that matched the original).

    ``requested_scopes``: ``None`` when the request had no ``scope`` parameter (the server's default scopes are
    used); an empty tuple when a parameter was present but named nothing (``invalid_scope``). The caller decides
    whether an empty ``scope=`` counts as absent (RFC 6749 3.1; security-checklist REDIR-12 says it should).

    ``user_id``: ``None`` means "no user" (client_credentials). ``user_group_ids``: the user's group ids; the user
    is always treated as a member of ``EVERYONE`` whether or not the caller adds it.

    ``user_assigned``: whether the user is assigned to the client application, directly or through a group
    (Okta refuses unassigned users before any policy is looked at). Ignored without a user.

    ``consent_granted``: scopes this user already consented to for this client and server. ``prompt_consent``: the
    authorize request had ``prompt=consent``, so FLEXIBLE scopes need consent too (okta-api.md 4.5); to force the
    consent page again, pass an empty ``consent_granted`` as well. ``client_trusted``: the app's consent method is
    TRUSTED (Okta's Apps API default): no scope needs consent unless the request says ``prompt=consent``.
    """

    client_id: str
    grant_type: str
    requested_scopes: tuple[str, ...] | None
    user_id: str | None = None
    user_group_ids: frozenset[str] = frozenset()
    consent_granted: frozenset[str] = frozenset()
    user_assigned: bool = True
    prompt_consent: bool = False
    client_trusted: bool = False


@dataclass(frozen=True)
class Step:
    """One line of the evaluation trace.

    ``subject``: ``request`` (scope checks before any policy), ``policy``, ``rule``, ``scopes`` (scopes removed
    after the match) or ``decision`` (always the last step). ``outcome``: an ``Outcome`` code; the decision step,
    and a request step that refuses the request, carry the ``Reason`` instead. ``id``/``name``/``priority``
    identify the policy or rule (``None`` otherwise; priority = position in the order list, as the management API
    reports it); ``policy_id`` is the rule's policy. ``message`` is the human-readable line (also in
    ``Decision.trace``).
    """

    subject: str
    outcome: str
    message: str
    id: str | None = None
    name: str | None = None
    priority: int | None = None
    policy_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of ``evaluate``.

    ``allowed`` with ``reason == "granted"``: tokens may be issued for ``granted_scopes`` with the lifetimes in
    ``actions``; ``denied_scopes`` may still name scopes the grant type cannot carry (``offline_access`` with
    ``implicit``), which the token response leaves out of ``scope``.

    Otherwise ``error``, ``error_description`` and ``http_status`` are what the OAuth endpoint sends. Which other
    fields are filled depends on the reason:

    * ``policy_id``/``rule_id`` (and names): the rule that matched (``granted``, ``consent_required``, and
      ``no_scope_allowed`` when only undeliverable scopes were requested), or for ``scope_denied`` /
      ``no_scope_allowed`` the rule that would have applied had it allowed the scopes.
    * ``actions``: set exactly when a rule matched.
    * ``granted_scopes``: on ``consent_required``, the scopes that will be granted once consent is given (the
      consent page lists ``consent_scopes`` out of them).
    * ``denied_scopes``: the scopes at fault: unknown ones (``unknown_scope``), OIDC ones with client_credentials
      (``openid_with_client_credentials``), the ones the blamed rule does not allow (``scope_denied``, and all
      requested ones for ``no_scope_allowed``), ``offline_access`` dropped for ``implicit``.
    * ``consent_scopes``: on ``consent_required``, the scopes that need (or, with client_credentials, can never
      get) consent.
    """

    allowed: bool
    reason: str
    policy_id: str | None = None
    rule_id: str | None = None
    granted_scopes: tuple[str, ...] = ()
    denied_scopes: tuple[str, ...] = ()
    actions: TokenActions | None = None
    error: str | None = None
    error_description: str | None = None
    http_status: int = 200
    trace: tuple[str, ...] = ()
    policy_name: str | None = None
    rule_name: str | None = None
    consent_scopes: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def granted_actions(self) -> TokenActions:
        """The matched rule's ``actions`` of an allowed decision (every allowed decision carries them)."""
        if not self.allowed or self.actions is None:
            raise ValueError(f"a decision for {self.reason} grants no tokens")
        return self.actions

    def error_body(self) -> dict[str, str] | None:
        """The OAuth error body (RFC 6749 5.2), or ``None`` when allowed."""
        if self.error is None:
            return None
        return {"error": self.error, "error_description": self.error_description or ""}
