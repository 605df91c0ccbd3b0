"""admin/passwords.py: Argon2id at OWASP's parameters, legacy scrypt hashes still verifying and marked for rehash,
verification (constant work, bounded parameters) and Okta's default password rules."""
from __future__ import annotations

import base64
import hashlib
import os
import re

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.low_level import hash_secret_raw

from chalicelib.admin.passwords import REQUIREMENTS, hash_password, needs_rehash, password_problem, verify_password

GOOD = "Corr3ct-Horse-Battery"
FORMAT = re.compile(r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def legacy_scrypt(password: str, log2_n: int = 15) -> str:
    """A hash as tokenmint stored it before Argon2id (scrypt, N = 2**log2_n, r = 8, p = 1)."""
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2 ** log2_n, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    return f"scrypt$ln={log2_n},r=8,p=1${_b64(salt)}${_b64(key)}"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(GOOD)


def test_hash_is_argon2id_at_owasp_parameters(stored):
    assert FORMAT.match(stored), stored
    params = extract_parameters(stored)
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (Type.ID, 19456, 2, 1)
    assert (params.salt_len, params.hash_len) == (16, 32)


def test_hash_is_recomputable_from_its_own_parameters_with_the_reference_implementation(stored):
    *_, salt, digest = stored.split("$")
    raw_salt = base64.b64decode(salt + "=" * (-len(salt) % 4))
    expected = hash_secret_raw(GOOD.encode(), raw_salt, time_cost=2, memory_cost=19456, parallelism=1, hash_len=32,
                               type=Type.ID)
    assert base64.b64decode(digest + "=" * (-len(digest) % 4)) == expected


def test_hash_never_contains_the_password(stored):
    assert GOOD not in stored and GOOD.lower() not in stored.lower()


def test_every_hash_has_its_own_salt():
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


def test_verify_accepts_the_password_and_nothing_else(stored):
    assert verify_password(stored, GOOD) is True
    for wrong in ("corr3ct-horse-battery", GOOD + " ", GOOD[:-1], "", " " + GOOD):
        assert verify_password(stored, wrong) is False


@pytest.mark.parametrize("presented", [None, 123, b"Corr3ct-Horse-Battery", ["x"], "x" * 257])
def test_verify_refuses_what_is_not_a_usable_password(stored, presented):
    assert verify_password(stored, presented) is False


@pytest.mark.parametrize("stored_value", [None, "", "plain", "bcrypt$2b$12$abc", "scrypt$ln=15,r=8,p=1$$",
                                          "scrypt$ln=15,r=8,p=1$!!!!$abcd", "$argon2id$v=19$m=19456,t=2,p=1$$",
                                          "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43])
def test_verify_without_a_usable_hash_is_false(stored_value):
    assert verify_password(stored_value, GOOD) is False


def test_verify_refuses_tampered_cost_parameters_without_computing_them(stored):
    *_, salt, digest = stored.split("$")
    for params in ("m=4194304,t=2,p=1", "m=19456,t=1000,p=1", "m=19456,t=2,p=64"):
        assert verify_password(f"$argon2id$v=19${params}${salt}${digest}", GOOD) is False
    legacy = legacy_scrypt(GOOD)
    _, _, lsalt, lkey = legacy.split("$")
    for params in ("ln=30,r=8,p=1", "ln=15,r=64,p=1", "ln=15,r=8,p=99", "ln=0,r=8,p=1"):
        assert verify_password(f"scrypt${params}${lsalt}${lkey}", GOOD) is False


def test_verify_without_a_hash_still_spends_one_argon2id(monkeypatch):
    """The library's verify is counted (not ours): an unknown user and a non-password still cost one Argon2id."""
    calls = []
    real = PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 - the library's parameter name
        calls.append(extract_parameters(hash).memory_cost)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    assert verify_password(None, GOOD) is False
    assert verify_password(None, None) is False
    assert verify_password("plain", GOOD) is False
    assert calls == [19456, 19456, 19456]


def test_verify_a_lone_surrogate_is_false(stored):
    assert verify_password(stored, "Abc1\ud800defgh") is False


def test_legacy_scrypt_hashes_still_verify_and_need_a_rehash():
    old = legacy_scrypt(GOOD, 10)
    assert verify_password(old, GOOD) is True
    assert verify_password(old, GOOD + "x") is False
    assert needs_rehash(old) is True
    assert needs_rehash(legacy_scrypt(GOOD, 15)) is True
    assert needs_rehash(hash_password(GOOD)) is False
    assert needs_rehash(None) is True


def test_weaker_argon2id_parameters_need_a_rehash():
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(GOOD)
    assert verify_password(weaker, GOOD) is True
    assert needs_rehash(weaker) is True


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
