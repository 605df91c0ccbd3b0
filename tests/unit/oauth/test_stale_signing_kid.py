"""A signing kid read longer ago than the signer's staleness bound (keys/signer.py) is a key-store failure like KMS
being down: the token endpoint answers 503 ``temporarily_unavailable`` (oauth/minting.sign), not a 500."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.keys.errors import KeyStoreError
from chalicelib.keys.signer import DEFAULT_MAX_STALENESS, SigningKeyCache, StaleActiveKidError
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
