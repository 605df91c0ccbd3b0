"""Signing in with a login and a password, as the sign-in page and the password grant need it: the same work
whether or not the login exists, every attempt reserved per user (atomically) before the password is checked,
LOCKED_OUT after ``MAX_FAILED_SIGN_INS`` (Okta's default password policy). docs/ARCHITECTURE.md "Directory",
"Lockout".

``SignIns`` is mixed into ``admin/users.UserService``, whose store, clock and lifecycle transitions it uses.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace

from ..clock import Clock
from ..domain import ACTIVE, LOCKED_OUT, User
from ..errors import ConflictError
from ..ports import UserStore, applied
from . import passwords
from .user_fields import PROFILE_ATTRIBUTES

log = logging.getLogger(__name__)

# Failed sign-ins (since the last successful one) after which an ACTIVE user becomes LOCKED_OUT (Okta's default
# password policy locks out after 10). Only an admin's lifecycle/unlock brings the user back.
MAX_FAILED_SIGN_INS = 10


@dataclass(frozen=True)
class SignIn:
    """The outcome of ``UserService.sign_in``. ``user`` is set only on success. ``reason`` is for logs and audit,
    never for the person signing in: "ok", "invalid" (unknown login or wrong password), "locked" (LOCKED_OUT,
    possibly by this very attempt) or "inactive" (right password, but the user is not ACTIVE)."""

    user: User | None
    reason: str
    # This attempt locked the user out (the System Log's ``user.account.lock``); ``locked_user`` is who.
    locked_user: User | None = None
    # The user the login names, whatever the outcome (the System Log's actor of a failed sign-in); never shown to
    # the person signing in.
    attempted: User | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


class SignIns:
    _repo: UserStore
    _clock: Clock

    def _transition(self, current: User, status: str) -> User:
        raise NotImplementedError  # UserService's lifecycle transition


    def verify_password(self, user: User | None, presented: object) -> bool:
        """True when ``presented`` is the user's password. Constant time (one password hash computation, also for a user
        without a password or no user at all); no side effects and no status check: see ``sign_in``."""
        return passwords.verify_password(user.password_hash if user else None, presented)

    def failed_sign_ins(self, user_id: str) -> int:
        return self._repo.failed_sign_ins(user_id)

    def _lock_out(self, user: User, count: int) -> User:
        """Turn ``user`` LOCKED_OUT (its ``count``-th attempt failed); the user as it is now."""
        for _attempt in range(3):  # the user may be changing under us (an admin edit)
            current = self._repo.get(user.id)
            if current is None or current.status != ACTIVE:
                return current or user
            try:
                locked = self._transition(current, LOCKED_OUT)
            except ConflictError:
                continue
            log.warning("user %s locked out after %d failed sign-ins", user.id, count)
            return locked
        return user

    def record_successful_sign_in(self, user: User, presented_password: str | None = None) -> User:
        """Forget failed sign-ins, set ``lastLogin`` and, when the stored hash has older parameters and the password
        is given, rehash it: one write. Best effort: losing a race with an admin edit keeps the admin's version, and
        the failed sign-ins are then forgotten on their own."""
        now = self._clock.now()
        updated = replace(user, last_login=now)
        if presented_password and passwords.needs_rehash(user.password_hash):
            updated = replace(updated, password_hash=passwords.hash_password(presented_password))
        saved: list[User] = []
        if applied(lambda: saved.append(self._repo.replace(user, updated, clear_sign_ins=True))):
            return saved[0]
        self._repo.clear_failed_sign_ins(user.id)
        return user

    def sign_in(self, login: str, password: object) -> SignIn:
        """Check a login and password the way the sign-in page needs. Show the person the same message for every
        failure.

        The attempt is reserved before the password is looked at (an atomic counter that refuses at
        MAX_FAILED_SIGN_INS), so parallel guesses get MAX_FAILED_SIGN_INS password checks in all: a correct guess
        past them is refused like any other (issue 13, item 2). The reservation is the failure count unless the
        password is right. A login that names no user does the same storage work (two reads, one refused
        reservation) and one password computation, so timing does not tell logins apart (item 3).
        """
        # Only logins sign in (never ids); get_by_login checks the marker still names this user's login.
        usable = isinstance(login, str) and "@" in login and len(login) <= PROFILE_ATTRIBUTES["login"]
        user = self._repo.get_by_login(login) if usable else None
        if usable and user is None:
            self._repo.get(_nobody(login))  # the user read a known login costs
        at = self._clock.now().isoformat()
        count = self._repo.reserve_sign_in(user.id if user else _nobody(login if usable else ""), at,
                                           MAX_FAILED_SIGN_INS if user else 0)
        if user is None or count is None or user.status == LOCKED_OUT:
            self.verify_password(None, password)
            # Refused, not locked here: the attempt holding the last reservation may be the right password still
            # being checked (it locks the user if it is not). One that died in between leaves the user ACTIVE with
            # sign-ins refused until an admin unlocks (allowed on ACTIVE users) or resets the password.
            return SignIn(None, "invalid" if user is None else "locked", attempted=user)
        if not self.verify_password(user, password):
            after = self._lock_out(user, count) if count >= MAX_FAILED_SIGN_INS else user
            if after.status == LOCKED_OUT:
                return SignIn(None, "locked", locked_user=after if user.status != LOCKED_OUT else None,
                              attempted=after)
            return SignIn(None, "invalid", attempted=user)
        if user.status != ACTIVE:
            self._repo.clear_failed_sign_ins(user.id)
            return SignIn(None, "inactive", attempted=user)
        return SignIn(self.record_successful_sign_in(user, password if isinstance(password, str) else None), "ok")


def _nobody(login: str) -> str:
    """A user id no user has (ids never contain "~"), standing in for an unknown login's user."""
    return "~" + hashlib.sha256(login.encode("utf-8", "surrogatepass")).hexdigest()[:20]
