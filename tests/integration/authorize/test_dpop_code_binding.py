"""Authorization codes bound to a DPoP key (RFC 9449 10, 10.1; docs/security-cases/dpop.md DPOP-16, DPOP-17): by
``dpop_jkt`` at ``/v1/authorize`` or ``/v1/par``, or by a DPoP proof sent to ``/v1/par``. Such a code is redeemed
only with a proof by that key; a thief's key or no proof is ``invalid_dpop_proof`` and the code stays good for its
holder."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jwt

from authorize_support import AUTHORIZE, SPA_CB, WEB_CB, authorize, callback, code_flow, pkce_pair
from par_support import PAR_PATH, authorize_with, finish, keyed_client, push, request_object, rsa_key
from test_dpop_code_flow import now, post, public_client
from test_par import _events

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dpop"))
from dpop_support import BASE, TOKEN_URL, Holder  # noqa: E402

PAR_URL = f"{BASE}{PAR_PATH}"
TOKEN_PATH = "/oauth2/default/v1/token"
MISSING = "The DPoP proof JWT header is missing."
OTHER_KEY = "The DPoP proof JWT key does not match the key the authorization code is bound to."


def redeem(front, client: dict, code: str, verifier: str | None, holder: Holder | None, redirect_uri: str):
    """The code's redemption with a proof by ``holder`` (after the server's nonce) or without one."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    if client.get("client_secret"):
        data.update(client_id=client["client_id"], client_secret=client["client_secret"])
    else:
        data["client_id"] = client["client_id"]
    if holder is None:
        return post(front, TOKEN_PATH, data, None)
    first = post(front, TOKEN_PATH, data, holder.proof("POST", TOKEN_URL, now(front)))
    if first.status_code != 400 or first.data["error"] != "use_dpop_nonce":
        return first
    return post(front, TOKEN_PATH, data, holder.proof("POST", TOKEN_URL, now(front), nonce=first.headers["DPoP-Nonce"]))


def bound_to(response) -> str:
    return jwt.decode(response.data["access_token"], options={"verify_signature": False})["cnf"]["jkt"]


def test_dpop16_a_code_bound_by_dpop_jkt_is_redeemed_only_with_that_key(front, browser):
    client = public_client(front)
    holder, thief = Holder.ec(), Holder.rsa()
    verifier, challenge = pkce_pair()
    code = code_flow(browser, client, challenge=challenge, scope="openid", dpop_jkt=holder.jkt())["code"]

    without = redeem(front, client, code, verifier, None, SPA_CB)
    assert (without.status_code, without.data) == (400, {"error": "invalid_dpop_proof", "error_description": MISSING})
    stolen = redeem(front, client, code, verifier, thief, SPA_CB)
    assert (stolen.status_code, stolen.data) == (400, {"error": "invalid_dpop_proof", "error_description": OTHER_KEY})
    tokens = redeem(front, client, code, verifier, holder, SPA_CB)  # not burned by the attempts
    assert tokens.status_code == 200, tokens.data
    assert tokens.data["token_type"] == "DPoP" and bound_to(tokens) == holder.jkt()
    assert redeem(front, client, code, verifier, holder, SPA_CB).data["error"] == "invalid_grant"  # used once


def test_dpop16_a_confidential_client_s_code_needs_the_proof_too(front, browser):
    web, holder = front.clients["web"], Holder.ec()
    code = code_flow(browser, web, scope="openid", dpop_jkt=holder.jkt())["code"]
    assert redeem(front, web, code, None, None, WEB_CB).data["error"] == "invalid_dpop_proof"
    tokens = redeem(front, web, code, None, holder, WEB_CB)
    assert tokens.status_code == 200 and bound_to(tokens) == holder.jkt()


def test_dpop16_a_malformed_dpop_jkt_goes_back_to_the_client(front, browser):
    web = front.clients["web"]
    for bad in ("short", "x" * 44, "+" * 43):
        answer = callback(browser.follow(authorize(browser, web, dpop_jkt=bad)))
        assert answer["error"] == "invalid_request" and "dpop_jkt" in answer["error_description"], answer


def test_dpop17_a_par_request_s_proof_binds_the_code_to_its_key(front, browser):
    web, holder, thief = front.clients["web"], Holder.ec(), Holder.ec()
    pushed = push(front, web, extra_headers={"DPoP": holder.proof("POST", PAR_URL, now(front))})
    assert pushed.status_code == 201, pushed.data
    code = finish(browser, authorize_with(browser, web["client_id"], pushed.data["request_uri"]))["code"]
    assert redeem(front, web, code, None, thief, WEB_CB).data == {"error": "invalid_dpop_proof",
                                                                 "error_description": OTHER_KEY}
    tokens = redeem(front, web, code, None, holder, WEB_CB)
    assert tokens.status_code == 200 and bound_to(tokens) == holder.jkt()


def test_dpop17_par_takes_dpop_jkt_and_refuses_one_that_names_another_key_than_the_proof(front, browser):
    web, holder, other = front.clients["web"], Holder.ec(), Holder.ec()
    by_parameter = push(front, web, dpop_jkt=holder.jkt())
    assert by_parameter.status_code == 201, by_parameter.data
    code = finish(browser, authorize_with(browser, web["client_id"], by_parameter.data["request_uri"]))["code"]
    assert redeem(front, web, code, None, other, WEB_CB).data["error"] == "invalid_dpop_proof"
    assert redeem(front, web, code, None, holder, WEB_CB).status_code == 200

    same = push(front, web, dpop_jkt=holder.jkt(), extra_headers={"DPoP": holder.proof("POST", PAR_URL, now(front))})
    assert same.status_code == 201, same.data
    mismatch = push(front, web, dpop_jkt=other.jkt(),
                    extra_headers={"DPoP": holder.proof("POST", PAR_URL, now(front))})
    assert (mismatch.status_code, mismatch.data) == (400, {
        "error": "invalid_request",
        "error_description": "The 'dpop_jkt' parameter does not match the key of the DPoP proof."})


def test_dpop17_a_bad_proof_at_par_is_refused_and_pushes_nothing(front):
    web, holder = front.clients["web"], Holder.ec()
    for proof in (holder.proof("POST", TOKEN_URL, now(front)),  # made for another endpoint
                  holder.proof("GET", PAR_URL, now(front)),
                  holder.proof("POST", PAR_URL, now(front) - 3600),  # too old
                  "not-a-jwt"):
        refused = push(front, web, extra_headers={"DPoP": proof})
        assert (refused.status_code, refused.data["error"]) == (400, "invalid_dpop_proof"), refused.data
        assert "request_uri" not in refused.data
    once = holder.proof("POST", PAR_URL, now(front))
    assert push(front, web, extra_headers={"DPoP": once}).status_code == 201
    replayed = push(front, web, extra_headers={"DPoP": once})  # a proof's jti is good once
    assert (replayed.status_code, replayed.data["error"]) == (400, "invalid_dpop_proof")


def test_dpop17_the_binding_is_in_the_par_system_log_event(front):
    web, holder = front.clients["web"], Holder.ec()
    proof = holder.proof("POST", PAR_URL, now(front))
    assert push(front, web, extra_headers={"DPoP": proof}).status_code == 201
    found = _events(front, "app.oauth2.as.par")
    ours = [e for e in found if e["debugContext"]["debugData"].get("dpopJkt") == holder.jkt()]
    assert len(ours) == 1 and ours[0]["outcome"]["result"] == "SUCCESS"
    assert proof not in json.dumps(found)  # the thumbprint, never the proof


def test_dpop16_dpop_jkt_inside_a_signed_request_object_binds_the_code(front, browser):
    key, jwk = rsa_key()
    client, holder, thief = keyed_client(front, jwk=jwk), Holder.ec(), Holder.ec()
    signed = request_object(front, client["client_id"], key, kid=jwk["kid"], dpop_jkt=holder.jkt())
    params = finish(browser, browser.get(AUTHORIZE, client_id=client["client_id"], request=signed,
                                         response_type="code", redirect_uri=WEB_CB, scope="openid"))
    code = params["code"]
    assert redeem(front, client, code, None, thief, WEB_CB).data["error"] == "invalid_dpop_proof"
    tokens = redeem(front, client, code, None, holder, WEB_CB)
    assert tokens.status_code == 200 and bound_to(tokens) == holder.jkt()
