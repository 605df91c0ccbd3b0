"""Parallel password guesses against the lockout (issue 13, item 2; security-checklist AUTH lockout): the attempt
is reserved before the password is checked, so a burst gets MAX_FAILED_SIGN_INS password checks in all, however
many requests it has. The requests are released together by a barrier, as an attacker's would be."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from directory_support import PASSWORD

from chalicelib.admin.sign_in import MAX_FAILED_SIGN_INS

BURST = 24


def burst(container, login: str, passwords: list[str]) -> list[str]:
    barrier = threading.Barrier(len(passwords))

    def guess(password: str) -> str:
        barrier.wait(30)
        return container.users.sign_in(login, password).reason

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(guess, passwords))


def test_a_burst_of_wrong_guesses_gets_only_the_limit_checked(container, make_user):
    user = make_user()
    reasons = burst(container, user["profile"]["login"], [f"Wrong-Passw0rd-{i}" for i in range(BURST)])
    # Before the fix every guess read ACTIVE first and was checked and counted: the count reached BURST.
    assert container.users.failed_sign_ins(user["id"]) == MAX_FAILED_SIGN_INS
    assert reasons.count("locked") >= BURST - MAX_FAILED_SIGN_INS + 1
    assert set(reasons) <= {"invalid", "locked"}
    assert container.users.get(user["id"]).status == "LOCKED_OUT"
    assert container.users.sign_in(user["profile"]["login"], PASSWORD).reason == "locked"


def test_the_right_password_in_a_burst_counts_only_among_the_first_attempts(container, make_user):
    """Nine failures already counted: of a burst with the right password in every request but one, the request that
    reserves the tenth attempt decides. If it has the wrong password the account locks and no one is in. If it has
    the right one the person is in and the count is cleared: requests that reserved before the clear are refused,
    requests that come after it (a loaded machine spreads the burst) are checked afresh, as any later sign-in is.
    Never is a password checked while the count is at its limit without the account locking."""
    user = make_user()
    login = user["profile"]["login"]
    for i in range(MAX_FAILED_SIGN_INS - 1):
        assert container.users.sign_in(login, f"Wrong-Passw0rd-{i}").reason == "invalid"
    reasons = burst(container, login, ["Wrong-Passw0rd-x"] + [PASSWORD] * (BURST - 1))
    if "ok" in reasons:
        assert container.users.get(user["id"]).status == "ACTIVE"
        assert set(reasons) <= {"ok", "locked", "invalid"}
        # The one wrong password is either refused at the limit or counted afresh after the success's clear.
        assert reasons.count("invalid") <= 1
        assert container.users.failed_sign_ins(user["id"]) <= reasons.count("invalid")  # a later success clears
    else:
        assert container.users.get(user["id"]).status == "LOCKED_OUT"
        assert reasons.count("locked") == BURST
