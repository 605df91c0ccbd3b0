"""Tokens across a rotation (KEY-01..04, KEY-10), the public JWKS and its Cache-Control (KEY-12), the warm path."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib.keys import jws
from chalicelib.keys.jwk import PUBLIC_MEMBERS
from chalicelib.keys.lifecycle import ACTIVE, DEFAULT_CLOCK_SKEW, MAX_ACCESS_TOKEN_MINUTES, NEXT
from chalicelib.keys.signer import SigningKeyCache, StaleActiveKidError

from tests.integration.rotation.rotation_support import (
    FORBIDDEN_MEMBERS, REGION, SERVERS, ClientWrapper, StoreWrapper, by_status, create_server, install, invoke_schedule,
    jws_kid, keys, mint, real_store, service, set_rotation_mode,
)

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


@pytest.fixture
def server(api):
    return create_server(api, "tokens")


def fetch_jwks(api, server_id):
    response = api.get(f"/oauth2/{server_id}/v1/keys")
    assert response.status_code == 200, response.data
    return response


def max_age(response) -> int:
    directives = dict(
        (part.strip().split("=", 1) + [""])[:2] for part in response.headers["Cache-Control"].split(","))
    return int(directives["max-age"])


def advance_to(container, moment):
    container.clock.advance(seconds=(moment - container.clock.now()).total_seconds())


def next_rotation(container, server_id):
    config = container.servers.load(server_id)
    return config.server.last_rotated + container.signing_keys.policy.rotation_interval


def test_token_signed_just_before_rotation_verifies_after_it(api, chalice_client, container, server):
    sid = server["id"]
    before = by_status(keys(container, sid))
    # KEY-01: from the start the JWKS pre-publishes NEXT while tokens are signed by ACTIVE.
    assert {k["kid"] for k in fetch_jwks(api, sid).data["keys"]} == {before[ACTIVE][0], before[NEXT][0]}
    rotation_at = next_rotation(container, sid)
    advance_to(container, rotation_at - timedelta(seconds=1))
    old_token = mint(container, sid)
    assert jws_kid(old_token) == before[ACTIVE][0]

    container.clock.advance(seconds=1)
    assert sid in invoke_schedule(chalice_client)["changed"]

    after_jwks = fetch_jwks(api, sid).data
    now = container.clock.now()
    claims = jws.verify(old_token, after_jwks, audience="api://default", now=now)
    exp = claims["exp"]
    # KEY-03: still valid at exp - 1 s against the JWKS published after the rotation.
    assert jws.verify(old_token, after_jwks, now=datetime.fromtimestamp(exp - 1, timezone.utc))

    new_token = mint(container, sid)
    assert jws_kid(new_token) == before[NEXT][0] != jws_kid(old_token)
    assert jws.verify(new_token, after_jwks, now=now)["sub"] == "alice"
    kids = [k["kid"] for k in after_jwks["keys"]]
    assert len(kids) == len(set(kids)) == 3
    assert set(kids) == set(before[ACTIVE] + before[NEXT]) | set(by_status(keys(container, sid))[NEXT])

    # KEY-04: once retired, the old key is gone and its tokens no longer verify (no fallback to other keys).
    container.clock.advance(seconds=container.signing_keys.policy.retention.total_seconds())
    invoke_schedule(chalice_client)
    retired_jwks = fetch_jwks(api, sid).data
    assert before[ACTIVE][0] not in {k["kid"] for k in retired_jwks["keys"]}
    with pytest.raises(jws.UnknownKidError):
        jws.verify(old_token, retired_jwks, now=now)
    assert jws.verify(new_token, retired_jwks, now=now)


def test_a_warm_container_signing_with_the_old_kid_is_covered_by_retention(api, chalice_client, container, server):
    """KEY-10: a container whose configuration copy predates the rotation keeps signing with the old kid for up
    to the signer's staleness bound; tokens it signs then, with the longest lifetime a rule allows, verify until
    exp plus clock skew, and the old key is still published at that point."""
    sid = server["id"]
    old = by_status(keys(container, sid))[ACTIVE][0]
    kid_read_at = container.clock.now()
    warm = container.signer
    warm.get(sid, old, kid_read_at=kid_read_at)
    assert service(container).run(sid, force=True).rotate
    rotated_at = container.clock.now()

    staleness = warm.max_staleness
    container.clock.advance(seconds=staleness.total_seconds())
    stale_token = mint(container, sid, signer=warm, kid=old, minutes=MAX_ACCESS_TOKEN_MINUTES)
    assert jws_kid(stale_token) == old
    # One second later the bound is enforced: the container must refresh its configuration first.
    container.clock.advance(seconds=1)
    with pytest.raises(StaleActiveKidError):
        warm.get(sid, old, kid_read_at=kid_read_at)

    exp = jws.verify(stale_token, fetch_jwks(api, sid).data, now=container.clock.now())["exp"]
    last_accepted = datetime.fromtimestamp(exp, timezone.utc) + DEFAULT_CLOCK_SKEW - timedelta(seconds=1)
    advance_to(container, last_accepted)
    invoke_schedule(chalice_client)
    jwks_then = fetch_jwks(api, sid).data
    assert old in {k["kid"] for k in jwks_then["keys"]}
    assert jws.verify(stale_token, jwks_then, now=container.clock.now(), leeway=DEFAULT_CLOCK_SKEW)
    assert rotated_at + container.signing_keys.policy.retention > last_accepted


def test_jwks_holds_public_members_only(api, container, server):
    sid = server["id"]
    assert service(container).run(sid, force=True).rotate  # ACTIVE, NEXT and EXPIRED all published
    response = fetch_jwks(api, sid)
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(response.data) == {"keys"}
    assert len(response.data["keys"]) == 3
    for key in response.data["keys"]:
        assert not FORBIDDEN_MEMBERS & set(key)
        assert set(key) == set(PUBLIC_MEMBERS)
        assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")


def test_jwks_max_age_is_below_the_next_lead_and_shrinks_toward_rotation(api, container, server):
    sid = server["id"]
    lead_seconds = container.signing_keys.policy.next_lead.total_seconds()
    rotation_at = next_rotation(container, sid)
    ages = [max_age(fetch_jwks(api, sid))]
    for before_rotation in (timedelta(days=2), timedelta(hours=12), timedelta(hours=1), timedelta(minutes=10),
                            timedelta(seconds=61), timedelta(seconds=5)):
        advance_to(container, rotation_at - before_rotation)
        ages.append(max_age(fetch_jwks(api, sid)))
    assert all(0 < age < lead_seconds for age in ages)
    assert ages[0] <= 86400
    assert ages == sorted(ages, reverse=True) and ages[0] > ages[-1]
    # Near the rotation every cache expires at the rotation itself (never below the 60 s floor).
    assert ages[3:] == [3600, 600, 61, 60]

    advance_to(container, rotation_at)
    # The scheduled run as deployed: through the container's store, which announces the change to the caches
    # that /v1/keys serves from.
    assert container.signing_keys.run(sid).rotate  # rotated: a fresh NEXT, a full interval ahead again
    assert max_age(fetch_jwks(api, sid)) == ages[0]


def test_manual_mode_jwks_max_age_is_short(api, container, server):
    set_rotation_mode(api, server, "MANUAL")
    assert max_age(fetch_jwks(api, server["id"])) == 300


def test_jwks_is_served_without_kms_or_secrets_manager(api, container, server):
    store = StoreWrapper(real_store(container))
    for op in ("put", "load", "destroy", "destroy_all", "stored"):
        store.before[op] = lambda sid, kid: pytest.fail("the JWKS endpoint touched the key store")
    install(container, signing_keys=service(container, store=store))
    assert len(fetch_jwks(api, server["id"]).data["keys"]) == 2
    assert fetch_jwks(api, "default").status_code == 200
    assert store.calls == []


def test_jwks_of_an_unknown_server_is_404(api):
    response = api.get("/oauth2/ausNoSuchServer0000/v1/keys")
    assert response.status_code == 404 and response.data["errorCode"] == "E0000007"


def test_warm_signer_makes_no_aws_call(api, container, server):
    """One GetSecretValue + one Decrypt on a cold cache and after the ACTIVE kid changes; none otherwise."""
    sid = server["id"]
    kms = ClientWrapper(boto3.client("kms", region_name=REGION))
    secrets = ClientWrapper(boto3.client("secretsmanager", region_name=REGION))
    store = StoreWrapper(real_store(container, kms=kms, secrets=secrets))
    signer = SigningKeyCache(store.load, container.clock.now)

    first = mint(container, sid, signer=signer)
    assert (secrets.calls, kms.calls) == (["get_secret_value"], ["decrypt"])
    for _ in range(3):
        second = mint(container, sid, signer=signer)
        assert jws_kid(second) == jws_kid(first)
    assert (secrets.calls, kms.calls) == (["get_secret_value"], ["decrypt"])
    assert len(store.ops("load")) == 1

    assert service(container).run(sid, force=True).rotate
    rotated = mint(container, sid, signer=signer)
    mint(container, sid, signer=signer)
    assert jws_kid(rotated) != jws_kid(first)
    assert (secrets.calls, kms.calls) == (["get_secret_value"] * 2, ["decrypt"] * 2)
    assert len(store.ops("load")) == 2

    # The container's own signer hands out the very same loaded key object on the warm path.
    active = by_status(keys(container, sid))[ACTIVE][0]
    assert container.signer.get(sid, active) is container.signer.get(sid, active)


def test_each_server_signs_with_its_own_key(api, container, server):
    other = create_server(api, "other")["id"]
    a, b = mint(container, server["id"]), mint(container, other)
    assert jws_kid(a) != jws_kid(b)
    with pytest.raises(jws.UnknownKidError):
        jws.verify(a, fetch_jwks(api, other).data, now=container.clock.now())
    assert jws.verify(b, fetch_jwks(api, other).data, now=container.clock.now())
    assert api.get(f"{SERVERS}/{other}").status_code == 200
