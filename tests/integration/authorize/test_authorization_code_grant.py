"""The authorization_code grant at /v1/token, in-process on moto: single use and replay revocation (CODE-01..03),
expiry (CODE-04), client and redirect URI binding (CODE-05, CODE-06), the user re-checked (CODE-08), client grant
types (CODE-10), code storage (CODE-09), PKCE at the token endpoint (PKCE-02..05, PKCE-09) and the refresh family
revoked with a replayed code (CODE-02 via the back channel's RefreshTokens). On DynamoDB (moto): CODE-09 reads the
grants table's items as DynamoDB stores them, and the front channel keeps one module on the real backend."""
from __future__ import annotations

import boto3
import pytest

from authorize_support import (SPA_CB, WEB_CB, code_flow, introspect, pkce_pair, redeem, token_request)

pytestmark = pytest.mark.dynamodb


def web_code(front, browser, **kwargs) -> str:
    return code_flow(browser, front.clients["web"], **kwargs)["code"]


def spa_code(front, browser) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    return code_flow(browser, front.clients["spa"], challenge=challenge)["code"], verifier


def assert_invalid_grant(response, description: str | None = None) -> None:
    assert response.status_code == 400, response.data
    assert response.data["error"] == "invalid_grant", response.data
    assert response.headers["Cache-Control"] == "no-store"
    if description is not None:
        assert response.data["error_description"] == description


INVALID = "The authorization code is invalid or has expired."


def test_code01_code02_replay_is_refused_and_revokes_what_the_first_redemption_issued(front, browser):
    web = front.clients["web"]
    code = web_code(front, browser, scope="openid offline_access")
    first = redeem(front, web, code)
    assert first.status_code == 200
    tokens = first.data
    assert introspect(front, web, tokens["access_token"])["active"] is True
    assert_invalid_grant(redeem(front, web, code), INVALID)
    assert introspect(front, web, tokens["access_token"]) == {"active": False}
    refreshed = token_request(front, web, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.data["error"] == "invalid_grant"
    front.clock.advance(seconds=60)
    assert_invalid_grant(redeem(front, web, code), INVALID)  # and after a delay


def test_code04_expired_code(front, browser):
    code = web_code(front, browser)
    front.clock.advance(seconds=301)
    assert_invalid_grant(redeem(front, front.clients["web"], code), INVALID)


def test_code05_code_of_another_client_is_refused_and_burned(front, browser):
    code = web_code(front, browser)
    assert_invalid_grant(redeem(front, front.clients["other"], code, WEB_CB),
                         "The grant was issued to another client. Please make sure the 'client_id' matches the one "
                         "used at the authorize request.")
    assert_invalid_grant(redeem(front, front.clients["web"], code), INVALID)  # burned for its own client too


def test_code06_redirect_uri_must_be_identical(front, browser):
    web = front.clients["web"]
    mismatch = "The 'redirect_uri' does not match the redirection URI used in the authorization request."
    code = web_code(front, browser)
    assert_invalid_grant(redeem(front, web, code, WEB_CB + "/"), mismatch)
    code = web_code(front, browser)
    response = token_request(front, web, {"grant_type": "authorization_code", "code": code})
    assert_invalid_grant(response, mismatch)


def test_code08_user_deactivated_before_redemption(front, browser):
    code = web_code(front, browser)
    front.api.post(f"/api/v1/users/{front.users['alice']['id']}/lifecycle/deactivate")
    assert_invalid_grant(redeem(front, front.clients["web"], code))


def test_code08_user_unassigned_before_redemption(front, browser):
    web = front.clients["web"]
    code = web_code(front, browser, username="carol@example.com")
    front.api.delete(f"/api/v1/apps/{web['client_id']}/groups/{front.group['id']}")
    assert_invalid_grant(redeem(front, web, code))


def test_code09_only_hashes_are_stored(front, browser):
    code = web_code(front, browser)
    assert len(code) == 43
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="tm-grants")["Items"]
    assert code not in repr(items) and any(i["pk"]["S"].startswith("CODE#") for i in items)
    for name, value in browser.cookies.items():
        assert value not in repr(items), name


def test_code10_client_without_the_grant_type(front, browser):
    code = web_code(front, browser)
    service = front.api.post("/oauth2/v1/clients", {"client_name": "svc", "application_type": "service"}).data
    response = redeem(front, service, code, WEB_CB)
    assert response.status_code == 400 and response.data["error"] == "unauthorized_client", response.data
    assert redeem(front, front.clients["web"], code).status_code == 200  # not burned by a client that may not ask


def test_missing_code_parameter(front):
    response = token_request(front, front.clients["web"], {"grant_type": "authorization_code",
                                                           "redirect_uri": WEB_CB})
    assert response.status_code == 400 and response.data["error"] == "invalid_request"


def test_unknown_code(front):
    assert_invalid_grant(redeem(front, front.clients["web"], "A" * 43), INVALID)


# -- PKCE at the token endpoint -----------------------------------------------------------------------------------


def test_pkce02_verifier_missing(front, browser):
    code, _verifier = spa_code(front, browser)
    assert_invalid_grant(redeem(front, front.clients["spa"], code, SPA_CB), "PKCE verification failed.")


def test_pkce03_wrong_verifier_burns_the_code(front, browser):
    code, verifier = spa_code(front, browser)
    wrong, _ = pkce_pair()
    assert_invalid_grant(redeem(front, front.clients["spa"], code, SPA_CB, wrong), "PKCE verification failed.")
    assert_invalid_grant(redeem(front, front.clients["spa"], code, SPA_CB, verifier), INVALID)


def test_pkce05_malformed_verifiers(front, browser):
    for verifier in ("a" * 42, "a" * 129, "a" * 42 + "!"):
        code, _ = spa_code(front, browser)
        assert_invalid_grant(redeem(front, front.clients["spa"], code, SPA_CB, verifier))


def test_pkce04_verifier_without_challenge_is_a_downgrade(front, browser):
    code = web_code(front, browser)
    verifier, _ = pkce_pair()
    assert_invalid_grant(redeem(front, front.clients["web"], code, verifier=verifier))


def test_pkce09_confidential_client_with_pkce_succeeds(front, browser):
    verifier, challenge = pkce_pair()
    code = code_flow(browser, front.clients["web"], challenge=challenge)["code"]
    response = redeem(front, front.clients["web"], code, verifier=verifier)
    assert response.status_code == 200 and response.data["access_token"]


def test_public_client_cannot_use_a_confidential_clients_code_path(front, browser):
    code, verifier = spa_code(front, browser)
    spa = front.clients["spa"]
    # client authentication first: a public client presenting a secret is not the public client
    response = token_request(front, {**spa, "client_secret": "made-up"}, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": SPA_CB, "code_verifier": verifier})
    assert response.status_code == 401 and response.data["error"] == "invalid_client"
    assert redeem(front, spa, code, SPA_CB, verifier).status_code == 200


def _dynamodb_writes(front):
    """The DynamoDB write operations (PutItem, UpdateItem, DeleteItem, TransactWriteItems) made through the
    container's shared client, by table, while the context is open."""
    from contextlib import contextmanager

    client = front.container.directory_model._get_connection().connection.client
    writes: list[tuple[str, str]] = []

    def count(params, model, **_kwargs):
        if model.name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"):
            tables = {params.get("TableName")} | {a["TableName"] for i in params.get("TransactItems", ())
                                                 for a in i.values()} | set(params.get("RequestItems", {}))
            writes.append((model.name, "+".join(sorted(t for t in tables if t))))

    @contextmanager
    def counting():
        client.meta.events.register("before-parameter-build.dynamodb", count)
        try:
            yield writes
        finally:
            client.meta.events.unregister("before-parameter-build.dynamodb", count)

    return counting()


def test_a_redemption_with_a_refresh_token_is_one_write(front, browser):
    """Issue 20's budget: the code's single-use transition and the refresh-token family are one transaction (the
    System Log's batch and the hourly holder note aside; the first redemption makes the note)."""
    web = front.clients["web"]
    assert redeem(front, web, web_code(front, browser, scope="openid offline_access")).status_code == 200
    code = web_code(front, browser, scope="openid offline_access")
    with _dynamodb_writes(front) as writes:
        response = redeem(front, web, code)
    assert response.status_code == 200 and response.data["refresh_token"]
    grants_writes = [w for w in writes if not w[1].endswith("logs")]
    assert [op for op, _table in grants_writes] == ["TransactWriteItems"], writes
    # ... and the family it wrote works: the refresh token rotates, the code stays single use.
    assert token_request(front, web, {"grant_type": "refresh_token",
                                      "refresh_token": response.data["refresh_token"]}).status_code == 200
    assert_invalid_grant(redeem(front, web, code), INVALID)
