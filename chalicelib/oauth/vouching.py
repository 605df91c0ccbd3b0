"""Whether a token's user and client still stand behind it (okta-api.md 8.4: Okta revokes a user's tokens when the
user is deactivated or suspended or the password changes, and a client's when it is deactivated; issue 13).

Tokens are not hunted down when that happens: every place that honours a token (a refresh, introspection,
userinfo, the management list) asks these questions at use, so one changed user or client item ends every token it
vouched for, whatever number there are, with no index of tokens by user and no sweep that could half-happen.

* A user vouches for a token issued at ``issued`` while it is ACTIVE and neither its status nor its password has
  changed since (from ACTIVE, every status change leaves ACTIVE: a token outlives no deactivation, suspension or
  lockout, even if the user is back to ACTIVE since).
* A client vouches while it is ACTIVE and has not been deactivated since (``OAuthClient.deactivated``).

Access tokens carry ``iat`` in whole seconds: a change counts against them from the next second on (a change in
the very second a token was issued leaves the token alone, so a token minted just after a change is never
refused by mistake). Refresh-token families keep their creation time exactly.
"""
from __future__ import annotations

from datetime import datetime

from ..domain import ACTIVE, OAuthClient, User


def _not_after(changed: datetime | None, issued: datetime | int) -> bool:
    if changed is None:
        return True
    if isinstance(issued, int):
        return int(changed.timestamp()) <= issued
    return changed <= issued


def user_vouches(user: User | None, issued: datetime | int) -> bool:
    """``issued``: a family's creation time, or an access token's ``iat`` (epoch seconds)."""
    if user is None or user.status != ACTIVE:
        return False
    return _not_after(user.status_changed, issued) and _not_after(user.password_changed, issued)


def client_vouches(client: OAuthClient | None, issued: datetime | int) -> bool:
    if client is None or client.status != ACTIVE:
        return False
    return _not_after(client.deactivated, issued)
