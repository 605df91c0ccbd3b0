"""Which event each management write records (audit/management.py) and what its ``changeDetails`` may show
(audit/change_details.py)."""
from __future__ import annotations

import re

from chalicelib.audit.change_details import REDACTED, change_details
from chalicelib.audit.event import DISPLAY_MESSAGES
from chalicelib.audit.management import EVENTS, event_for

# Writes that record no management event, and why.
UNAUDITED = {
    ("/api/v1/authorizationServers/{authServerId}/tokenPreview", "POST"): "mints nothing, changes nothing",
    ("/api/v1/internal/authorizationServers/{authServerId}/claims/validate", "POST"): "checks a claim, saves nothing",
}


def _real_write_routes() -> set[tuple[str, str]]:
    """(path, method) of every admin write a view answers (not the 405 answers of unsupported methods)."""
    from app import app
    from chalicelib.api.routing import AdminRoutes

    found = set()
    for path, entry in app.routes.items():
        if path not in AdminRoutes.registry:
            continue
        for method, route in entry.items():
            if method in ("POST", "PUT", "DELETE", "PATCH") and not route.view_name.startswith("not_allowed_"):
                found.add((path, method))
    return found


def test_every_management_write_records_an_event():
    writes = _real_write_routes() - {("/api/v1/{proxy+}", m) for m in ("POST", "PUT", "DELETE", "PATCH")}
    missing = sorted(w for w in writes if event_for(*w) is None and w not in UNAUDITED)
    assert not missing, missing
    assert len(writes) > 60


def test_every_mapped_route_exists_and_every_event_type_has_a_message():
    writes = _real_write_routes()
    assert sorted(set(EVENTS) - writes) == []
    for spec in EVENTS.values():
        assert spec.event_type in DISPLAY_MESSAGES, spec.event_type
        assert re.fullmatch(r"[a-z0-9_.]+", spec.event_type)


def test_change_details_name_only_what_changed():
    before = {"id": "scp1", "name": "orders:read", "description": "old", "lastUpdated": "x",
              "_links": {"self": {"href": "a"}}, "settings": {"a": 1, "b": 2}}
    after = {**before, "description": "new", "lastUpdated": "y", "_links": {"self": {"href": "b"}},
             "settings": {"a": 1, "b": 3}}
    assert change_details(before, after) == {"from": {"description": "old", "settings.b": 2},
                                             "to": {"description": "new", "settings.b": 3}}
    assert change_details(before, before) is None


def test_change_details_never_carry_a_secret():
    before = {"credentials": {"oauthClient": {"client_secret": "s3cr3t-old", "client_id": "c"}},
              "settings": {"oauthClient": {"jwks": {"keys": [{"kid": "k", "n": "AQAB"}]}}}}
    after = {"credentials": {"oauthClient": {"client_secret": "s3cr3t-new", "client_id": "c"}},
             "profile": {"login": "a@example.com"}, "credentials.password": {"value": "Hunter2!"},
             "token": "00abcdef", "tokenValue": "00xyz"}
    details = change_details(before, after)
    text = repr(details)
    for secret in ("s3cr3t-old", "s3cr3t-new", "Hunter2!", "00abcdef", "00xyz"):
        assert secret not in text
    assert details["to"]["credentials.oauthClient.client_secret"] == REDACTED
    assert details["to"]["profile.login"] == "a@example.com"
    private_jwk = {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "private", "p": "p", "q": "q"}
    keyed = change_details({"jwk": {"kty": "RSA"}}, {"jwk": private_jwk})
    assert {k: v for k, v in keyed["to"].items() if k in ("jwk.d", "jwk.p", "jwk.q")} == {
        "jwk.d": REDACTED, "jwk.p": REDACTED, "jwk.q": REDACTED}


def test_event_uuids_are_version_4_uuids_as_the_uuid_module_writes_them():
    import os
    import uuid

    from chalicelib.audit.event import new_uuid, uuid_text

    for raw in [bytes(16), b"\xff" * 16, *(os.urandom(16) for _ in range(500))]:
        assert uuid_text(raw) == str(uuid.UUID(bytes=raw, version=4))
    made = {new_uuid() for _ in range(1000)}
    assert len(made) == 1000
    assert all(uuid.UUID(u).version == 4 and uuid.UUID(u).variant == uuid.RFC_4122 and str(uuid.UUID(u)) == u
               for u in made)
