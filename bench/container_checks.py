"""The checks of the many-containers benchmark (bench/containers.py): what the store keeps after the workers'
rotations, and the race of several containers presenting one refresh token at the same instant."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.container_pool import Setup, Workers, in_process
from bench.container_worker import INVALID_GRANT, describe


# -- the store after the load ------------------------------------------------------------------------------------------

def check_chains(setup: Setup, chains: list[dict[str, Any]]) -> list[str]:
    """Every rotation a worker saw is in the store, nothing else is, and each final token works exactly once.
    Returns the problems found."""
    from chalicelib.oauth.refresh_tokens import MAX_ROTATED, family_id_of, hash_token

    container = setup.stack.container
    store = container.refresh_tokens.store
    problems: list[str] = []
    families: dict[str, dict[str, Any]] = {}
    server_ids: set[str] = set()  # the default server's id (families are stored by id, not by "default")
    for chain in chains:
        family_id = family_id_of(chain["token"])
        where = store.locate(family_id) if family_id else None
        family = store.family(where[0], where[1], family_id) if where and family_id else None
        if where is None or family is None:
            problems.append("a chain's last token has no family in the store")
            continue
        families[family.id] = chain
        server_ids.add(where[0])
        if family.current_hash != hash_token(chain["token"]):
            problems.append(f"family {family.id}: the worker's last token is not the current one (lost rotation)")
        if family.version != 1 + chain["rotations"]:
            problems.append(f"family {family.id}: version {family.version}, expected {1 + chain['rotations']} "
                            f"(1 + the {chain['rotations']} rotations the worker saw)")
        # Each rotation the worker saw left its presented token in the family's memory of rotated-out tokens.
        if len(family.rotated) != min(chain["rotations"], MAX_ROTATED):
            problems.append(f"family {family.id}: remembers {len(family.rotated)} rotated-out tokens, expected "
                            f"{min(chain['rotations'], MAX_ROTATED)}")
    live = {f.id for server_id in server_ids for f in store.families(server_id, setup.native[0])}
    if live != set(families):
        problems.append(f"the client has {len(live)} families, the workers hold {len(families)} chains "
                        f"({len(live - set(families))} unexpected)")
    # Exactly once: the last token rotates, then presenting it again is reuse (refused; the family dies).
    checker = in_process(setup)
    for chain in chains:
        first, body = checker.refresh(chain["token"])
        second, again = checker.refresh(chain["token"])
        if first != 200:
            problems.append(f"a chain's last token was refused: {first} {describe(body)}")
        if second != 400 or again.get("error") != INVALID_GRANT:
            problems.append(f"a chain's last token worked twice: {second}")
    return problems


# -- the race ------------------------------------------------------------------------------------------------------

@dataclass
class Race:
    racers: int
    rounds: int
    winners: list[int]  # per round: how many got 200
    losers_invalid_grant: int
    losers_other: list[str]
    losers_at_write: int  # losers that got as far as the conditional rotation (true contention)
    spread_ms: list[float]  # per round: latest minus earliest start of the racers
    family_revoked: int  # rounds whose winner's new token was then refused


def race(setup: Setup, racers: int, rounds: int) -> Race:
    """``racers`` warm instances present one fresh refresh token at the same instant, ``rounds`` times."""
    login = setup.users[-1][0]
    jobs = [{"mode": "race", "login": login} for _ in range(racers)]
    issuer = in_process(setup, login)
    result = Race(racers, rounds, [], 0, [], 0, [], 0)
    workers = Workers(setup, jobs)
    try:
        workers.ready()
        for _ in range(rounds):
            token = issuer.sign_in()
            workers.go(token=token)
            answers = workers.answers()
            winners = [a for a in answers if a["status"] == 200]
            result.winners.append(len(winners))
            result.spread_ms.append(max(a["late_ms"] for a in answers) - min(a["late_ms"] for a in answers))
            for a in answers:
                if a["status"] == 200:
                    continue
                if a["status"] == 400 and a["error"] == INVALID_GRANT:
                    result.losers_invalid_grant += 1
                else:
                    result.losers_other.append(f"{a['status']} {a['error']}")
                # A loser at the conditional write made two transactions (the failed rotation, the revocation); a
                # loser that already saw the rotated family made one (the revocation).
                result.losers_at_write += a["transactions"] >= 2
            if len(winners) == 1 and issuer.refresh(winners[0]["refresh_token"])[0] == 400:
                result.family_revoked += 1
    finally:
        workers.close()
    return result
