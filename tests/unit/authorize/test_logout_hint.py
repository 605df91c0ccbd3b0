"""``oauth/endpoints/logout.verify_id_token_hint`` on what is no compact JWS at all."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.oauth.endpoints.logout import BAD_HINT, verify_id_token_hint
from chalicelib.oauth.authorize.browser import PageError
from tests.unit.oauth.oauthfakes import server_config

CONFIG = server_config("aus1", rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.mark.parametrize("hint", ["not-a-jwt", "e30.\u00e9.x", "e30.\ud800.x"])
def test_a_hint_that_is_not_an_ascii_jws_is_the_bad_hint_page(hint):
    # A lone surrogate (an event's query no UTF-8 can carry) made PyJWT raise UnicodeEncodeError: a 500.
    with pytest.raises(PageError) as raised:
        verify_id_token_hint(CONFIG, "https://as.example/oauth2/aus1", hint)
    assert raised.value.description == BAD_HINT
