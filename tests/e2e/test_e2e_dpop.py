"""DPoP (RFC 9449) over real HTTP against the local stack (docs/security-cases/dpop.md): openid-client v6 (node)
obtains a DPoP-bound client_credentials token, answering the server's use_dpop_nonce by itself, introspects it and
calls a resource with it; hand-built proofs (PyJWT) get each refusal."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Iterator

import jwt
import pytest

from node_client import run_openid_client
from oauth_support import World, world

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "dpop"))
from dpop_support import Holder, hs256_proof, none_proof  # noqa: E402


@pytest.fixture(scope="module")
def w(okta_client, http, stack) -> Iterator[World]:
    with world(okta_client, http, stack) as built:
        yield built


@pytest.fixture(scope="module")
def bound(w):
    """A service client with dpop_bound_access_tokens (on the default server, whose policy takes every client)."""
    return w.admin.service("client_secret_basic", dpop_bound_access_tokens=True)


def thumbprint(jwk: dict) -> str:
    from chalicelib.oauth.dpop import jwk_thumbprint

    return jwk_thumbprint(jwk)


def test_dpop10_openid_client_gets_a_dpop_token_with_its_nonce_retry(w, bound):
    answer = run_openid_client("client_credentials_dpop", issuer=w.default.issuer, clientId=bound.client_id,
                               clientSecret=bound.client_secret, scope=w.default_scope,
                               resource=f"{w.default.issuer}/v1/userinfo")
    assert "error" not in answer, answer
    result = answer["result"]
    assert result["tokens"]["token_type"].lower() == "dpop"
    jkt = thumbprint(result["publicJwk"])
    claims = jwt.decode(result["tokens"]["access_token"], options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": jkt}
    assert (result["introspection"]["active"], result["introspection"]["token_type"],
            result["introspection"]["cnf"]) == (True, "DPoP", {"jkt": jkt})
    # The token request went twice: use_dpop_nonce, then the retry with the nonce, both with a proof.
    token_calls = [e for e in answer["exchanges"] if e["path"].endswith("/v1/token")]
    assert [(e["status"], e["dpop"]) for e in token_calls] == [(400, True), (200, True)]
    # The resource took the DPoP scheme and the proof (ath, htu, htm); a client token has no user, hence 403.
    assert result["resource"]["status"] == 403
    assert [(c["scheme"], c["parameters"]["error"]) for c in result["resource"]["challenges"]] == [
        ("bearer", "insufficient_scope")]


def _token(w, client, proof: str | None):
    headers = {"DPoP": proof} if proof is not None else {}
    return w.http.post(w.default.token_url, data={"grant_type": "client_credentials", "scope": w.default_scope},
                       auth=client.auth, headers=headers)


def _nonce(w, client, holder) -> str:
    first = _token(w, client, holder.proof("POST", w.default.token_url, int(time.time())))
    assert (first.status_code, first.json()["error"]) == (400, "use_dpop_nonce")
    return first.headers["DPoP-Nonce"]


def test_dpop_each_refusal_over_http(w, bound):
    holder, other = Holder.ec(), Holder.ec()
    url = w.default.token_url
    nonce = _nonce(w, bound, holder)
    now = int(time.time())
    cases = {
        None: "The DPoP proof JWT header is missing.",
        holder.proof("POST", url, now, nonce=nonce, typ="JWT"):
            "The DPoP proof JWT has an invalid 'typ' header: it must be 'dpop+jwt'.",
        none_proof(holder, "POST", url, now): "The DPoP proof JWT is signed with an unsupported algorithm.",
        hs256_proof("POST", url, now): "The DPoP proof JWT is signed with an unsupported algorithm.",
        holder.proof("POST", url, now, nonce=nonce, jwk=holder.private_jwk()):
            "The DPoP proof JWT 'jwk' header must be a public key.",
        other.proof("POST", url, now, nonce=nonce, jwk=holder.public_jwk()): "The DPoP proof JWT signature is invalid.",
        holder.proof("GET", url, now, nonce=nonce):
            "The DPoP proof JWT 'htm' claim does not match the HTTP method of the request.",
        holder.proof("POST", url.replace("/token", "/revoke"), now, nonce=nonce):
            "The DPoP proof JWT 'htu' claim does not match the URI of the request.",
        holder.proof("POST", url, now - 600, nonce=nonce):
            "The DPoP proof JWT is issued more than five minutes in the past.",
        holder.proof("POST", url, now + 600, nonce=nonce): "The DPoP proof JWT is issued in the future.",
    }
    for proof, description in cases.items():
        response = _token(w, bound, proof)
        assert (response.status_code, response.json()) == (400, {"error": "invalid_dpop_proof",
                                                                  "error_description": description}), description
    good = holder.proof("POST", url, now, nonce=nonce)
    first = _token(w, bound, good)
    assert first.status_code == 200 and first.json()["token_type"] == "DPoP"
    assert _token(w, bound, good).json()["error_description"] == "The DPoP proof JWT has already been used."
    stale = _token(w, bound, holder.proof("POST", url, now, nonce="0." + nonce.split(".")[1]))
    assert (stale.status_code, stale.json()["error"], stale.headers["DPoP-Nonce"]) == (400, "use_dpop_nonce", nonce)
