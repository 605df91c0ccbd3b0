"""What one password sign-in costs (issue 13, "Password storage at today's OWASP parameters").

Measured in one run on this machine, single thread, by CPU time of the thread:

* the floor: one bare Argon2id verification at the stored parameters (argon2-cffi's ``PasswordHasher.verify``);
* ``UserService.sign_in`` of a known user with the right password, a wrong one and an unknown login, over the
  in-memory storage backend (so the figure is the app's own work: the three or four DynamoDB calls a sign-in makes
  are counted in ``tests/integration/directory`` and priced below);
* the scrypt parameters stored before (N = 2**15) and OWASP's scrypt minimum (N = 2**17), for comparison.

The Lambda cost: Lambda allocates CPU in proportion to memory (one vCPU at 1,769 MB), so a check that takes ``t``
seconds of one core takes about ``t * 1769 / memory`` seconds of wall time at the stack's memory size, and is billed
as that many seconds times the memory in GB.
"""
from __future__ import annotations

import hashlib
import os
import statistics
import time
from typing import Callable

LOGIN = "bench.signin@example.com"
PASSWORD = "Quiet-Harb0ur-42"


def cpu_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median CPU seconds of this thread per call over ``repeat`` calls (after one warm-up call)."""
    action()
    samples = []
    for _ in range(repeat):
        started = time.thread_time()
        action()
        samples.append(time.thread_time() - started)
    return statistics.median(samples)


def run(line: Callable[[str, str], None], *, memory_mb: int, mb_per_vcpu: int, price_gb_s: float,
        repeat: int = 15) -> dict[str, float]:
    from argon2 import PasswordHasher

    from chalicelib.admin import passwords
    from chalicelib.admin.users import UserService
    from chalicelib.clock import SystemClock
    from chalicelib.storage.memory import InMemoryStorage

    users = UserService(InMemoryStorage().users, SystemClock())
    created = users.create({"profile": {"login": LOGIN, "email": LOGIN, "firstName": "Bench", "lastName": "Mark"},
                            "credentials": {"password": {"value": PASSWORD}}}, activate=True)
    stored = users.get(created.id).password_hash or ""
    hasher = PasswordHasher()  # verify reads the parameters from the hash itself

    floor = cpu_seconds(lambda: hasher.verify(stored, PASSWORD), repeat)
    right = cpu_seconds(lambda: users.sign_in(LOGIN, PASSWORD), repeat)
    wrong = cpu_seconds(lambda: (users.sign_in(LOGIN, "Wrong-Passw0rd-1"), users.unlock(created.id)), repeat)
    unknown = cpu_seconds(lambda: users.sign_in("nobody.bench@example.com", PASSWORD), repeat)
    salt = os.urandom(16)
    scrypt15 = cpu_seconds(lambda: hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2 ** 15, r=8, p=1, dklen=32,
                                                  maxmem=64 * 1024 * 1024), max(3, repeat // 3))
    scrypt17 = cpu_seconds(lambda: hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2 ** 17, r=8, p=1, dklen=32,
                                                  maxmem=256 * 1024 * 1024), max(3, repeat // 5))

    line("stored hash", stored.rsplit("$", 2)[0] + "$…")
    line("floor: one Argon2id verify (CPU)", f"{floor * 1e3:6.1f} ms")
    line("sign_in, right password (CPU)", f"{right * 1e3:6.1f} ms  ratio to floor {right / floor:.2f}")
    line("sign_in, wrong password (CPU)", f"{wrong * 1e3:6.1f} ms  ratio to floor {wrong / floor:.2f} "
                                          "(includes an unlock to stay below the lockout)")
    line("sign_in, unknown login (CPU)", f"{unknown * 1e3:6.1f} ms  ratio to floor {unknown / floor:.2f}")
    line("for comparison: scrypt N=2^15 (stored before) / N=2^17 (OWASP)",
         f"{scrypt15 * 1e3:.1f} ms / {scrypt17 * 1e3:.1f} ms  ({scrypt15 / floor:.1f}x / {scrypt17 / floor:.1f}x "
         "the floor)")
    lambda_seconds = right * mb_per_vcpu / memory_mb
    cost = lambda_seconds * memory_mb / 1024 * price_gb_s
    line(f"Lambda at {memory_mb} MB: wall time / cost per sign-in",
         f"~{lambda_seconds * 1e3:.0f} ms / ${cost * 1e6:.2f} per million sign-ins (compute only)")
    assert passwords.needs_rehash(stored) is False
    return {"floor_ms": floor * 1e3, "sign_in_ms": right * 1e3, "unknown_ms": unknown * 1e3,
            "lambda_ms": lambda_seconds * 1e3}
