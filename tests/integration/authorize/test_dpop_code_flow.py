"""DPoP with the authorization code flow of a public client (RFC 9449 5, 7; docs/security-cases/dpop.md): the code
is redeemed with a proof, the refresh token is bound to the key (DPOP-13), userinfo takes the token only with the
DPoP scheme and a proof by that key for that token (DPOP-11, DPOP-14, DPOP-15)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlencode

import jwt

from authorize_support import SPA_CB, code_flow, pkce_pair

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dpop"))
from dpop_support import BASE, TOKEN_URL, USERINFO_URL, Holder  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MISSING = "The DPoP proof JWT header is missing."
MISMATCH = "The DPoP proof JWT key does not match the key the token is bound to."
ALGS = 'DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512 PS256 PS384 PS512"'


def now(front) -> int:
    return int(front.clock.now().timestamp())


def post(front, path: str, data: dict[str, str], proof: str | None):
    headers = dict(FORM)
    if proof is not None:
        headers["DPoP"] = proof
    response = front.client.http.post(path, headers=headers, body=urlencode(data))
    response.data = json.loads(response.body) if response.body else None
    return response


def userinfo(front, authorization: str, proof: str | None):
    headers = {"Authorization": authorization, **({"DPoP": proof} if proof else {})}
    return front.client.http.get("/oauth2/default/v1/userinfo", headers=headers)


def public_client(front) -> dict:
    body = {"application_type": "browser", "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "redirect_uris": [SPA_CB], "client_name": "DPoP SPA"}
    response = front.api.post("/oauth2/v1/clients", body)
    assert response.status_code == 201, response.data
    client = response.data
    assert front.api.post(f"/api/v1/apps/{client['client_id']}/users",
                          {"id": front.users["alice"]["id"]}).status_code == 200
    return client


def test_dpop13_code_and_refresh_of_a_public_client_are_bound_to_the_key(front, browser):
    """DPOP-13: a public client's refresh token needs a proof by the key it was bound to; DPOP-11/14/15 at
    userinfo."""
    assert TOKEN_URL.startswith(BASE)
    client = public_client(front)
    verifier, challenge = pkce_pair()
    code = code_flow(browser, client, challenge=challenge, scope="openid offline_access")["code"]
    holder = Holder.ec()
    redeem = {"grant_type": "authorization_code", "code": code, "redirect_uri": SPA_CB, "code_verifier": verifier,
              "client_id": client["client_id"]}
    first = post(front, "/oauth2/default/v1/token", redeem, holder.proof("POST", TOKEN_URL, now(front)))
    assert (first.status_code, first.data["error"]) == (400, "use_dpop_nonce")  # the code is still good
    nonce = first.headers["DPoP-Nonce"]
    tokens = post(front, "/oauth2/default/v1/token", redeem,
                  holder.proof("POST", TOKEN_URL, now(front), nonce=nonce))
    assert tokens.status_code == 200, tokens.data
    assert tokens.data["token_type"] == "DPoP"
    access = tokens.data["access_token"]
    assert jwt.decode(access, options={"verify_signature": False})["cnf"] == {"jkt": holder.jkt()}

    refresh = {"grant_type": "refresh_token", "refresh_token": tokens.data["refresh_token"],
               "client_id": client["client_id"]}
    without = post(front, "/oauth2/default/v1/token", refresh, None)
    assert (without.status_code, without.data) == (400, {"error": "invalid_dpop_proof", "error_description": MISSING})
    thief = Holder.ec()
    stolen = post(front, "/oauth2/default/v1/token", refresh, thief.proof("POST", TOKEN_URL, now(front), nonce=nonce))
    assert (stolen.status_code, stolen.data) == (400, {"error": "invalid_dpop_proof", "error_description": MISMATCH})
    renewed = post(front, "/oauth2/default/v1/token", refresh,
                   holder.proof("POST", TOKEN_URL, now(front), nonce=nonce))
    assert renewed.status_code == 200, renewed.data
    assert renewed.data["token_type"] == "DPoP"

    # userinfo: the DPoP scheme with a proof for this request and this token.
    ok = userinfo(front, f"DPoP {access}", holder.proof("GET", USERINFO_URL, now(front), access_token=access))
    assert ok.status_code == 200, ok.body
    assert ok.json_body["sub"] == front.users["alice"]["id"]
    downgraded = userinfo(front, f"Bearer {access}", None)  # DPOP-14
    assert downgraded.status_code == 401
    assert downgraded.headers["WWW-Authenticate"].startswith(f'{ALGS}, error="invalid_token"')
    no_proof = userinfo(front, f"DPoP {access}", None)
    assert no_proof.headers["WWW-Authenticate"] == f'{ALGS}, error="invalid_dpop_proof", error_description="{MISSING}"'
    wrong_ath = userinfo(front, f"DPoP {access}", holder.proof("GET", USERINFO_URL, now(front),
                                                               access_token=access + "x"))
    assert (wrong_ath.status_code, wrong_ath.headers["WWW-Authenticate"]) == (
        401, f'{ALGS}, error="invalid_dpop_proof", error_description="The DPoP proof JWT \'ath\' claim does not match '
             'the access token."')
    other_key = userinfo(front, f"DPoP {access}", thief.proof("GET", USERINFO_URL, now(front), access_token=access))
    assert (other_key.status_code, other_key.headers["WWW-Authenticate"]) == (
        401, f'{ALGS}, error="invalid_dpop_proof", error_description="{MISMATCH}"')
    wrong_method = userinfo(front, f"DPoP {access}", holder.proof("POST", USERINFO_URL, now(front),
                                                                  access_token=access))
    assert wrong_method.status_code == 401


def test_dpop14_a_bearer_token_is_not_taken_with_the_dpop_scheme(front, browser):
    client = public_client(front)
    verifier, challenge = pkce_pair()
    code = code_flow(browser, client, challenge=challenge, scope="openid")["code"]
    tokens = post(front, "/oauth2/default/v1/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": SPA_CB, "code_verifier": verifier,
        "client_id": client["client_id"]}, None)
    assert tokens.status_code == 200 and tokens.data["token_type"] == "Bearer"
    access = tokens.data["access_token"]
    holder = Holder.ec()
    refused = userinfo(front, f"DPoP {access}", holder.proof("GET", USERINFO_URL, now(front), access_token=access))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith(f'{ALGS}, error="invalid_token"')
    assert userinfo(front, f"Bearer {access}", None).status_code == 200
