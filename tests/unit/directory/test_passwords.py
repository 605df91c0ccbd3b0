"""admin/passwords.py: the scrypt hash format, verification (constant work, bounded parameters) and Okta's default
password rules."""
from __future__ import annotations

import base64
import hashlib
import re

import pytest

from chalicelib.admin import passwords
from chalicelib.admin.passwords import REQUIREMENTS, hash_password, needs_rehash, password_problem, verify_password

GOOD = "Corr3ct-Horse-Battery"
FORMAT = re.compile(r"^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(GOOD)


def test_hash_is_self_describing_scrypt_with_documented_parameters(stored):
    assert FORMAT.match(stored), stored
    assert (passwords.LOG2_N, passwords.R, passwords.P) == (15, 8, 1)
    assert passwords.SALT_BYTES == 16 and passwords.KEY_BYTES == 32


def test_hash_is_recomputable_with_hashlib_from_its_own_parameters(stored):
    _, params, salt, key = stored.split("$")
    assert params == "ln=15,r=8,p=1"
    raw_salt = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    expected = hashlib.scrypt(GOOD.encode(), salt=raw_salt, n=2 ** 15, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    assert key == _b64(expected)


def test_hash_never_contains_the_password(stored):
    assert GOOD not in stored and GOOD.lower() not in stored.lower()


def test_every_hash_has_its_own_salt():
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first != second
    assert first.split("$")[2] != second.split("$")[2]


def test_verify_accepts_the_password_and_nothing_else(stored):
    assert verify_password(stored, GOOD) is True
    for wrong in ("corr3ct-horse-battery", GOOD + " ", GOOD[:-1], "", " " + GOOD):
        assert verify_password(stored, wrong) is False


@pytest.mark.parametrize("presented", [None, 123, b"Corr3ct-Horse-Battery", ["x"], "x" * 257])
def test_verify_refuses_what_is_not_a_usable_password(stored, presented):
    assert verify_password(stored, presented) is False


@pytest.mark.parametrize("stored_value", [None, "", "plain", "bcrypt$2b$12$abc", "scrypt$ln=15,r=8,p=1$$",
                                          "scrypt$ln=15,r=8,p=1$!!!!$abcd"])
def test_verify_without_a_usable_hash_is_false(stored_value):
    assert verify_password(stored_value, GOOD) is False


def test_verify_refuses_tampered_cost_parameters_without_computing_them(stored):
    _, _, salt, key = stored.split("$")
    for params in ("ln=30,r=8,p=1", "ln=15,r=64,p=1", "ln=15,r=8,p=99", "ln=0,r=8,p=1"):
        assert verify_password(f"scrypt${params}${salt}${key}", GOOD) is False


def test_verify_without_a_hash_still_spends_one_scrypt(monkeypatch):
    calls = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *a: calls.append(a[2:]) or real(*a))
    assert verify_password(None, GOOD) is False
    assert verify_password(None, None) is False
    assert calls == [(15, 8, 1), (15, 8, 1)]


def test_verify_a_lone_surrogate_is_false(stored):
    assert verify_password(stored, "Abc1\ud800defgh") is False


def test_older_parameters_still_verify_and_need_a_rehash(monkeypatch):
    monkeypatch.setattr(passwords, "LOG2_N", 10)
    old = hash_password(GOOD)
    monkeypatch.undo()
    assert old.startswith("scrypt$ln=10,")
    assert verify_password(old, GOOD) is True
    assert needs_rehash(old) is True
    assert needs_rehash(hash_password(GOOD)) is False
    assert needs_rehash(None) is True


@pytest.mark.parametrize("password", ["Abcdefg1", "Tr0ub4dor&3", "ÄÖÜäöü12", "Pass word 9 with spaces"])
def test_passwords_meeting_the_policy(password):
    assert password_problem(password, "alice.smith@example.com") is None


@pytest.mark.parametrize("password", [
    "Abcdef1",          # 7 characters
    "abcdefg1",         # no upper case
    "ABCDEFG1",         # no lower case
    "Abcdefgh",         # no digit
    "Alice-Secret-1",   # a part of the username (alice)
    "myEXAMPLE-pass-1", # another part, in another case
    "Pass-Com-1234",    # even the top-level domain (3 characters)
])
def test_passwords_failing_the_policy_get_okta_text(password):
    assert password_problem(password, "alice.smith@example.com") == REQUIREMENTS


def test_short_username_parts_are_not_forbidden():
    assert password_problem("Jo-Strong-Pass-1", "jo.x@ab.io") is None


def test_password_shape_problems():
    assert password_problem(12345678, None) == "Must be a string."
    assert password_problem("A1" + "a" * 300, None) == "Must be at most 256 characters long."
    assert password_problem("Abcdefg1\n", None) == "Must not contain control characters."
