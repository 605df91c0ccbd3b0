"""Terraform's ``okta_app_oauth`` against the running local stack, as the provider's calls (okta-next.md 1.3,
recorded in ``TestAccResourceOktaAppOauth_basic``) written as plain HTTP: create with ``?activate=true`` and the
provider's body, the internal groups-claim settings, the Classic/OIE probe, read back, update with the full object
(``client_secret: ""``), then deactivate and delete; and the ``okta_app_oauth`` data source's lookup."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode


def provider_body(label: str) -> dict:
    """What the provider sends for a minimal web app (field set of the recorded create)."""
    return {
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "credentials": {"userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
                        "oauthClient": {"autoKeyRotation": True, "pkce_required": False,
                                        "token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"application_type": "web", "consent_method": "TRUSTED",
                                     "dpop_bound_access_tokens": False, "grant_types": ["authorization_code"],
                                     "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
                                     "issuer_mode": "ORG_URL", "network": {"connection": "ANYWHERE"},
                                     "redirect_uris": ["https://example.com/callback"], "response_types": ["code"],
                                     "wildcard_redirect": "DISABLED", "participate_slo": False}},
        "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": True, "web": True}},
    }


def test_terraform_okta_app_oauth_create_read_update_destroy(http, stack, admin_headers):
    base = stack.base_url
    label = f"testAcc_{uuid.uuid4().hex[:9]}"

    # 1. create
    created = http.post(f"{base}/api/v1/apps?activate=true", headers=admin_headers, json=provider_body(label))
    assert created.status_code == 200, created.text
    app = created.json()
    app_id = app["id"]
    oauth = app["credentials"]["oauthClient"]
    assert app["signOnMode"] == "OPENID_CONNECT" and oauth["client_id"] == app_id and oauth["client_secret"]
    assert app["visibility"]["hide"] == {"iOS": True, "web": True}
    # 2. the groups claim settings (internal API): a non-2xx would fail the create
    id_token = f"{base}/api/v1/internal/apps/{app_id}/settings/oauth/idToken"
    posted = http.post(id_token, headers=admin_headers,
                       json={"valueType": "", "issuerMode": "ORG_URL", "name": "", "value": ""})
    assert posted.status_code == 200, posted.text
    # 3. Classic or Identity Engine? Classic: no app sign-on policy steps follow.
    organization = http.get(f"{base}/.well-known/okta-organization")
    assert organization.status_code == 200 and organization.json()["pipeline"] == "v1"

    # 5. read
    read = http.get(f"{base}/api/v1/apps/{app_id}", headers=admin_headers)
    assert read.status_code == 200
    state = read.json()
    for member in ("label", "status", "signOnMode", "name"):
        assert state[member] == app[member]
    for member in ("application_type", "consent_method", "grant_types", "redirect_uris", "response_types",
                   "issuer_mode", "wildcard_redirect", "idp_initiated_login", "network", "participate_slo"):
        assert state["settings"]["oauthClient"][member] == app["settings"]["oauthClient"][member], member
    assert state["credentials"]["userNameTemplate"] == {"template": "${source.login}", "type": "BUILT_IN"}
    assert http.get(id_token, headers=admin_headers).status_code == 200

    # 6. update: the full object, with client_id and an empty client_secret (omit_secret)
    update = provider_body(label + "_updated")
    update["credentials"]["oauthClient"].update(client_id=app_id, client_secret="")
    update["settings"]["oauthClient"]["redirect_uris"] = ["https://example.com/callback2"]
    put = http.put(f"{base}/api/v1/apps/{app_id}", headers=admin_headers, json=update)
    assert put.status_code == 200, put.text
    assert put.json()["label"] == label + "_updated"
    assert put.json()["settings"]["oauthClient"]["redirect_uris"] == ["https://example.com/callback2"]

    # the data source: the app by label and status, then its ACTIVE secret's record
    found = http.get(f"{base}/api/v1/apps?" + urlencode({"filter": 'status eq "ACTIVE"', "limit": 1,
                                                         "q": label + "_updated"}), headers=admin_headers)
    assert found.status_code == 200 and [a["id"] for a in found.json()] == [app_id]
    secrets = http.get(f"{base}/api/v1/apps/{app_id}/credentials/secrets", headers=admin_headers)
    assert [s["status"] for s in secrets.json()] == ["ACTIVE"]

    # 7. destroy: deactivate, then delete
    assert http.post(f"{base}/api/v1/apps/{app_id}/lifecycle/deactivate", headers=admin_headers).status_code == 200
    assert http.delete(f"{base}/api/v1/apps/{app_id}", headers=admin_headers).status_code == 204
    assert http.get(f"{base}/api/v1/apps/{app_id}", headers=admin_headers).status_code == 404
