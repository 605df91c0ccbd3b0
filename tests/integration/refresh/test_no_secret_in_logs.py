"""Secrets never reach the function's log (security-checklist: passwords, client secrets and tokens are never
logged): every record of every logger, at DEBUG, while a person signs in with the password grant (and fails once),
refreshes, replays a rotated-out refresh token, introspects and revokes, and a client presents a wrong secret. The
System Log's JSON lines are among the records (its default sink is the ``tokenmint.audit.events`` logger); since
2026-12-05 the ``tokenmint.*`` loggers reach the root in a deployed stack too (api/fastpath.TokenMintApp)."""
from __future__ import annotations

import logging
from dataclasses import replace

from refresh_support import PASSWORD


def test_no_password_secret_or_token_in_any_log_record(world, app, alice, caplog):
    caplog.set_level(logging.DEBUG)
    assert world.password(app, replace(alice, password="Wrong-Passw0rd-9")).status_code == 400
    issued = world.password(app, alice)
    assert issued.status_code == 200, issued.data
    first = issued.data["refresh_token"]
    rotated = world.refresh(app, first)
    assert rotated.status_code == 200, rotated.data
    assert world.refresh(app, first).status_code == 400  # a rotated-out token: the family is revoked
    access = rotated.data["access_token"]
    assert world.introspect(app, access).status_code == 200
    assert world.revoke(app, rotated.data["refresh_token"]).status_code == 200
    assert world.token(replace(app, secret="not-the-secret-at-all"), grant_type="client_credentials").status_code == 401

    secrets = {"password": PASSWORD, "wrong password": "Wrong-Passw0rd-9", "client secret": app.secret,
               "wrong secret": "not-the-secret-at-all", "refresh token": first,
               "rotated refresh token": rotated.data["refresh_token"], "access token": access,
               "id token": issued.data["id_token"]}
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any(r.name == "tokenmint.audit.events" for r in caplog.records)  # the System Log's lines were seen
    assert any(r.name.startswith("tokenmint.oauth") for r in caplog.records)  # so were the flows' own lines
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == []
