"""The protocol core's port to the System Log (audit/recorder.py implements it; okta-next.md 2).

Two ways in, because two kinds of event cost differently:

* ``record``: an event that is always kept and written at once (sign-in, consent, logout, lockout, key rotation,
  management writes). None of them is on the token path.
* ``record_token``: the events of one token request. They are built only if they will be kept (``build`` is not
  called for a success the deployment samples out) and goes through a per-container buffer, so a token costs no
  synchronous write. Failures are never sampled out.

``TokenTrace`` is what a grant notes while it decides (the policy and rule, the user), for the endpoint to put in
the event; grants fill it, nothing reads it but the endpoint's event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from ..audit.template import RenderedEvent
from ..policy import Decision


class AuditTrail(Protocol):
    def record(self, event: Mapping[str, Any]) -> None: ...

    def record_many(self, events: Sequence[Mapping[str, Any]]) -> None: ...

    def record_token(self, build: Callable[[], Sequence[Mapping[str, Any] | RenderedEvent]], success: bool
                     ) -> None: ...


class NoAudit:
    """Records nothing (tests of the core that do not look at events; token preview, which mints nothing)."""

    def record(self, event: Mapping[str, Any]) -> None:
        return None

    def record_many(self, events: Sequence[Mapping[str, Any]]) -> None:
        return None

    def record_token(self, build: Callable[[], Sequence[Mapping[str, Any] | RenderedEvent]], success: bool) -> None:
        return None


@dataclass
class TokenTrace:
    """What decided a token request, noted by the grant that decided it."""

    policy_id: str | None = None
    rule_id: str | None = None
    reason: str | None = None
    user_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # (jti, exp) of the access token, when the grant has its claims at hand (else the event reads them back from
    # the JWT it minted)
    access_token: tuple[str, int] | None = None

    def decided(self, decision: Decision, user_id: str | None = None) -> None:
        self.policy_id, self.rule_id, self.reason = decision.policy_id, decision.rule_id, decision.reason
        if user_id is not None:
            self.user_id = user_id
