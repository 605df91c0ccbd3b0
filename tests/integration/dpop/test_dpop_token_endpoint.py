"""DPoP (RFC 9449) at ``/oauth2/{id}/v1/token``, userinfo, introspection and discovery, in-process
(docs/security-cases/dpop.md DPOP-01..15)."""
from __future__ import annotations

import base64
import threading
from urllib.parse import urlencode

import jwt
import pytest

from chalicelib.oauth.errors import InvalidDpopProofError
from dpop_support import BASE, TOKEN_URL, USERINFO_URL, Holder, hs256_proof, none_proof

INVALID = "invalid_dpop_proof"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def assert_refused(response, description: str, error: str = INVALID) -> None:
    assert response.status_code == 400, response.data
    assert response.data == {"error": error, "error_description": description}
    assert response.headers["Cache-Control"] == "no-store"


def test_dpop10_client_credentials_with_the_nonce_dance_binds_the_token(dpop, required):
    """DPOP-10: the first proof gets use_dpop_nonce and a DPoP-Nonce header; the retry with it gets a DPoP token
    bound to the key (cnf.jkt, RFC 7638)."""
    holder = Holder.ec()
    first = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now()))
    assert_refused(first, "Authorization server requires nonce in DPoP proof.", "use_dpop_nonce")
    nonce = first.headers["DPoP-Nonce"]
    answer = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
    assert answer.status_code == 200, answer.data
    assert answer.data["token_type"] == "DPoP"
    assert claims(answer.data["access_token"])["cnf"] == {"jkt": holder.jkt()}
    # The nonce stays good for the next proofs (Okta: it rotates daily, an old one is valid 3 days).
    dpop.container.clock.advance(hours=50)
    again = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
    assert again.status_code == 200, again.data
    dpop.container.clock.advance(hours=48)
    stale = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
    assert_refused(stale, "Authorization server requires nonce in DPoP proof.", "use_dpop_nonce")
    assert stale.headers["DPoP-Nonce"] != nonce


def test_dpop_an_rsa_key_binds_too(dpop, required):
    holder = Holder.rsa()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    answer = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
    assert answer.status_code == 200, answer.data
    assert claims(answer.data["access_token"])["cnf"] == {"jkt": holder.jkt()}


def test_dpop01_a_client_that_requires_dpop_gets_nothing_without_a_proof(dpop, required):
    """DPOP-01."""
    assert_refused(dpop.client_credentials(required, None), "The DPoP proof JWT header is missing.")


def test_dpop_other_clients_get_bearer_tokens_or_bind_by_choice(dpop, optional):
    plain = dpop.client_credentials(optional, None)
    assert plain.status_code == 200 and plain.data["token_type"] == "Bearer"
    assert "cnf" not in claims(plain.data["access_token"])
    holder = Holder.ec()
    nonce = dpop.nonce(optional, holder, TOKEN_URL)
    bound = dpop.client_credentials(optional, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
    assert bound.status_code == 200 and bound.data["token_type"] == "DPoP"
    assert claims(bound.data["access_token"])["cnf"] == {"jkt": holder.jkt()}


def _cases():
    other = Holder.ec()

    def signed_by_other(h, now, nonce):
        # Signed by another key, carrying the holder's public key.
        return other.proof("POST", TOKEN_URL, now, nonce=nonce, jwk=h.public_jwk())

    return [
        ("DPOP-04 typ", lambda h, now, n: h.proof("POST", TOKEN_URL, now, nonce=n, typ="JWT"),
         "The DPoP proof JWT has an invalid 'typ' header: it must be 'dpop+jwt'."),
        ("DPOP-03 alg none", lambda h, now, n: none_proof(h, "POST", TOKEN_URL, now),
         "The DPoP proof JWT is signed with an unsupported algorithm."),
        ("DPOP-03 HS256", lambda h, now, n: hs256_proof("POST", TOKEN_URL, now),
         "The DPoP proof JWT is signed with an unsupported algorithm."),
        ("DPOP-05 private key", lambda h, now, n: h.proof("POST", TOKEN_URL, now, nonce=n, jwk=h.private_jwk()),
         "The DPoP proof JWT 'jwk' header must be a public key."),
        ("DPOP-06 signature", signed_by_other, "The DPoP proof JWT signature is invalid."),
        ("DPOP-07 htm", lambda h, now, n: h.proof("GET", TOKEN_URL, now, nonce=n),
         "The DPoP proof JWT 'htm' claim does not match the HTTP method of the request."),
        ("DPOP-08 htu", lambda h, now, n: h.proof("POST", f"{BASE}/oauth2/other/v1/token", now, nonce=n),
         "The DPoP proof JWT 'htu' claim does not match the URI of the request."),
        ("DPOP-09 old", lambda h, now, n: h.proof("POST", TOKEN_URL, now - 301, nonce=n),
         "The DPoP proof JWT is issued more than five minutes in the past."),
        ("DPOP-09 future", lambda h, now, n: h.proof("POST", TOKEN_URL, now + 120, nonce=n),
         "The DPoP proof JWT is issued in the future."),
    ]


CASES = _cases()


@pytest.mark.parametrize("name, make, description", CASES, ids=[c[0] for c in CASES])
def test_dpop_each_bad_proof_is_invalid_dpop_proof(dpop, required, name, make, description):
    holder = Holder.ec()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    assert_refused(dpop.client_credentials(required, make(holder, dpop.now(), nonce)), description)


def test_dpop08_htu_is_compared_after_normalisation(dpop, required):
    """DPOP-08: RFC 9449 4.3 compares htu after RFC 3986 normalisation, without query and fragment."""
    holder = Holder.ec()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    for htu in ("HTTPS://TOKENMINT.test:443/oauth2/default/v1/token", f"{TOKEN_URL}?x=1#f",
                "https://tokenmint.test/oauth2/%64efault/v1/./token"):
        answer = dpop.client_credentials(required, holder.proof("POST", htu, dpop.now(), nonce=nonce))
        assert answer.status_code == 200, (htu, answer.data)


def test_dpop10_a_wrong_nonce_is_use_dpop_nonce(dpop, required):
    holder = Holder.ec()
    good = dpop.nonce(required, holder, TOKEN_URL)
    for nonce in ("nope", good[:-2] + "AA", "ffffff." + good.split(".")[1]):
        answer = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce))
        assert_refused(answer, "Authorization server requires nonce in DPoP proof.", "use_dpop_nonce")
        assert answer.headers["DPoP-Nonce"] == good


def test_dpop12_a_proof_is_used_once(dpop, required):
    """DPOP-12: the same proof (same jti) again is refused."""
    holder = Holder.ec()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    proof = holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce)
    assert dpop.client_credentials(required, proof).status_code == 200
    assert_refused(dpop.client_credentials(required, proof), "The DPoP proof JWT has already been used.")


def test_dpop12_of_concurrent_uses_of_one_proof_exactly_one_wins(dpop, container):
    """DPOP-12: the jti is spent by one conditional write: of two racing checks of one proof, one passes."""
    checker = container.oauth.services.dpop
    holder = Holder.ec()
    proof = holder.proof("GET", USERINFO_URL, dpop.now())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def use() -> None:
        barrier.wait()
        try:
            checker.verify([proof], method="GET", uri=USERINFO_URL, server_id="default", require_nonce=False)
            outcomes.append("ok")
        except InvalidDpopProofError as error:
            outcomes.append(error.description)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["The DPoP proof JWT has already been used.", "ok"]


def test_dpop_the_system_log_says_bound_and_names_refusals(dpop, required, api, container):
    holder = Holder.ec()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    assert dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce)
                                   ).status_code == 200
    assert dpop.client_credentials(required, None).status_code == 400
    container.audit.flush()
    query = urlencode({"since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z", "limit": "1000"})
    found = api.get(f"/api/v1/logs?{query}").data
    granted = [e for e in found if e["eventType"] == "app.oauth2.as.token.grant.access_token"]
    assert [(e["debugContext"]["debugData"]["dpopBound"], e["debugContext"]["debugData"]["dpopJkt"])
            for e in granted] == [(True, holder.jkt())]
    refused = [e["debugContext"]["debugData"] for e in found if e["eventType"] == "app.oauth2.as.token.grant"
               and e["outcome"]["result"] == "FAILURE"]
    assert [(d["error"], d["errorDescription"]) for d in refused] == [
        ("use_dpop_nonce", "Authorization server requires nonce in DPoP proof."),
        ("invalid_dpop_proof", "The DPoP proof JWT header is missing.")]


def test_dpop_introspection_shows_the_binding(dpop, required, optional):
    holder = Holder.ec()
    nonce = dpop.nonce(required, holder, TOKEN_URL)
    token = dpop.client_credentials(required, holder.proof("POST", TOKEN_URL, dpop.now(), nonce=nonce)
                                    ).data["access_token"]
    basic = base64.b64encode(f"{optional['client_id']}:{optional['client_secret']}".encode()).decode()
    answer = dpop.call("POST", "/oauth2/default/v1/introspect", {**FORM, "Authorization": f"Basic {basic}"},
                       urlencode({"token": token}))
    assert answer.status_code == 200
    assert answer.data["active"] is True
    assert (answer.data["token_type"], answer.data["cnf"]) == ("DPoP", {"jkt": holder.jkt()})


def test_dpop_discovery_lists_the_proof_algorithms(dpop):
    for path in ("/oauth2/default/.well-known/openid-configuration",
                 "/oauth2/default/.well-known/oauth-authorization-server"):
        document = dpop.call("GET", path, {}).data
        assert document["dpop_signing_alg_values_supported"] == [
            "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]


def test_dpop_the_setting_is_validated_and_echoed(api, dpop):
    bad = api.post("/oauth2/v1/clients", {"client_name": "x", "application_type": "service",
                                          "dpop_bound_access_tokens": "yes"})
    assert bad.status_code == 400
    assert any("dpop_bound_access_tokens" in c["errorSummary"] for c in bad.data["errorCauses"])
    made = api.post("/oauth2/v1/clients", {"client_name": "y", "application_type": "service",
                                           "dpop_bound_access_tokens": True}).data
    assert made["dpop_bound_access_tokens"] is True
    app = api.get(f"/api/v1/apps/{made['client_id']}").data
    assert app["settings"]["oauthClient"]["dpop_bound_access_tokens"] is True
    app["settings"]["oauthClient"]["dpop_bound_access_tokens"] = False
    replaced = api.put(f"/api/v1/apps/{made['client_id']}", app)
    assert replaced.status_code == 200, replaced.data
    assert replaced.data["settings"]["oauthClient"]["dpop_bound_access_tokens"] is False
    assert api.get(f"/oauth2/v1/clients/{made['client_id']}").data["dpop_bound_access_tokens"] is False
