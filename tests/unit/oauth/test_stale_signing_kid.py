"""A signing kid read longer ago than the signer's staleness bound (keys/signer.py): read again once (oauth/minting.sign);
still stale, or the key store failing, is a key-store failure like KMS being down: the token endpoint answers 503
``temporarily_unavailable``, not a 500."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from chalicelib.keys.errors import KeyStoreError
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS, SigningKeyCache, StaleActiveKidError
from chalicelib.oauth import minting
from chalicelib.oauth.context import OAuthRequest
from chalicelib.oauth.endpoints import token
from chalicelib.oauth.errors import TemporarilyUnavailableError
from chalicelib.oauth.grants.client_credentials import ClientCredentialsGrant
from tests.unit.oauth.oauthfakes import BASE, basic, world


def test_a_stale_kid_is_a_key_store_error():
    assert issubclass(StaleActiveKidError, KeyStoreError)


def test_a_stale_kid_makes_the_token_endpoint_temporarily_unavailable():
    w = world()
    # The signer's clock runs past the staleness bound of every kid the configuration cache hands out.
    ahead = DEFAULT_MAX_STALENESS + timedelta(seconds=1)
    w.services.signer = SigningKeyCache(lambda _server, kid: w.private_keys[kid], lambda: w.clock.now() + ahead)
    request = OAuthRequest(server_id="aus_a", base_url=BASE, params={"grant_type": "client_credentials"},
                           authorization=basic("svc", "svc-secret"))
    with pytest.raises(TemporarilyUnavailableError) as raised:
        token.token(w.services, {"client_credentials": ClientCredentialsGrant()}, request)
    assert raised.value.status == 503
    assert raised.value.error == "temporarily_unavailable"


def test_a_kid_that_went_stale_between_reading_and_signing_is_read_again_and_signs():
    """The configuration cache may hand out a read just inside its period; signing a moment later can fall just past
    the signer's bound. The kid is read again instead of refusing the token."""
    w = world()
    config, read_at = w.services.configs.active("aus_a")
    w.clock.advance(seconds=DEFAULT_MAX_STALENESS.total_seconds() + 1)
    signed = minting.sign(w.services, config, read_at, {"sub": "svc"})
    assert jwt.get_unverified_header(signed)["kid"] == config.server.signing_kid
