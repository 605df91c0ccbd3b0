"""The token path's caches at scale (issue 12, "Caches at scale"): 1,000 authorization servers and 10,000 clients
under uniform traffic, one container at 100 tokens/s.

What runs is the real ``TokenPathCaches`` (configuration and client caches, the change log's watch), built as the
container builds it, over sources that answer from memory and count what they are asked: so the figures are reads
per token as DynamoDB would see them, whatever this machine's speed. Each simulated token asks for the
configuration of a random server and the record of a random client (seeded), as the token endpoint does, and the
injected clock advances 10 ms. The objects are real: 1,000 copies of the stack's ``default`` configuration (its 7
scopes, 19 claims, policy, rule and keys; each copy a distinct object, so its memory counts) and 10,000 copies of a
real client record.

Printed: hit rate of each cache, DynamoDB reads per token (configuration Query, client GetItem, change-log GetItem),
evictions and the memory the caches hold, for the default budget and TTL, the maximum TTL, and a budget too small
for the working set (to show the least-recently-used policy degrading gradually rather than thrashing).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

SERVERS = 1_000
CLIENTS = 10_000
TOKENS_PER_SECOND = 100
TOKENS = 60_000  # 10 simulated minutes
SEED = 12


@dataclass
class Counted:
    """A source answering from a dict and counting the reads a miss would make."""

    items: dict[str, Any]
    reads: int = 0

    def load(self, key: str) -> Any:
        self.reads += 1
        return self.items.get(key)

    def get_for_token(self, client_id: str, consistent: bool = False) -> Any:
        return self.load(client_id)

    def verify_secret(self, client: Any, presented: str) -> bool:
        return False


@dataclass
class Figures:
    label: str
    config_hit_rate: float
    client_hit_rate: float
    reads_per_token: float
    change_log_reads_per_token: float
    evictions: int
    megabytes: float


def simulate(template_config: Any, template_client: Any, *, ttl_seconds: int, megabytes: int,
             tokens: int = TOKENS, label: str = "") -> Figures:
    from chalicelib.clock import FixedClock
    from chalicelib.oauth.token_path_caches import CacheSources, TokenPathCaches

    configs = Counted({f"aus{i:017d}": replace(template_config, server=replace(template_config.server,
                                                                             id=f"aus{i:017d}"))
                       for i in range(SERVERS)})
    clients = Counted({f"0oa{i:017d}": replace(template_client, client_id=f"0oa{i:017d}") for i in range(CLIENTS)})
    log_reads = [0]

    def change_log() -> dict[str, str]:
        log_reads[0] += 1
        return {}

    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    caches = TokenPathCaches(
        CacheSources(configs=configs, default_server_id=lambda: None, clients=clients,
                     signing_keys=_no_keys, holders=_NoHolders(), changes=change_log),
        timedelta(seconds=ttl_seconds), clock.now, budget=megabytes * 1024 * 1024)
    server_ids, client_ids = list(configs.items), list(clients.items)
    pick = random.Random(SEED)
    step = timedelta(seconds=1 / TOKENS_PER_SECOND)
    for _ in range(tokens):
        caches.configs.active(pick.choice(server_ids))
        caches.clients.find(pick.choice(client_ids))
        clock.set(clock.now() + step)
    config_stats, client_stats = caches.configs.stats(), caches.clients.stats()
    return Figures(label or f"TTL {ttl_seconds} s, {megabytes} MB", config_stats.hit_rate, client_stats.hit_rate,
                   (configs.reads + clients.reads + log_reads[0]) / tokens, log_reads[0] / tokens,
                   config_stats.evictions + client_stats.evictions,
                   (config_stats.bytes + client_stats.bytes) / 1024 / 1024)


def _no_keys(_server: str, _kid: str) -> Any:
    raise AssertionError("the cache simulation signs nothing")


class _NoHolders:
    def record_holder(self, server_id: str, client_id: str, until: datetime) -> None:
        return None


def run(template_config: Any, template_client: Any, default_ttl: int, default_megabytes: int,
        line: Callable[[str, str], None]) -> Figures:
    """Print the scenarios; return the one at the defaults (for the summary)."""
    scenarios = [
        simulate(template_config, template_client, ttl_seconds=default_ttl, megabytes=default_megabytes,
                 label=f"defaults (TTL {default_ttl} s, {default_megabytes} MB)"),
        simulate(template_config, template_client, ttl_seconds=300, megabytes=default_megabytes),
        simulate(template_config, template_client, ttl_seconds=300, megabytes=16),
    ]
    for f in scenarios:
        line(f.label, f"configs {f.config_hit_rate:.1%} hits, clients {f.client_hit_rate:.1%} hits, "
                      f"{f.reads_per_token:.3f} DynamoDB reads per token (change log {f.change_log_reads_per_token:.3f}), "
                      f"{f.evictions} evictions, {f.megabytes:.1f} MB held")
    return scenarios[0]
