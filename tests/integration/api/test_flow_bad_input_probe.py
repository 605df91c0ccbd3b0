"""Bad input along the user flows, in-process (non-negotiable 3: an error page or OAuth error JSON, never a 500).

A person's browser and two apps (the flow bench's world, bench/flow_world.py, made through the management API) walk
the code + PKCE flow, the password and refresh grants, introspection, revocation, userinfo and logout, with each
parameter of each step in turn set to an odd value or left out. Such a probe found the last 500 of 2026-12-05 (a
bearer token no UTF-8 can carry); every answer here must be below 500. Wrong passwords lock the person out on the
way: the probe unlocks it before the grants that need it.
"""
from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.flow_world import LOGIN, PASSWORD, REDIRECT_URI, USER_SCOPES, World, build, pkce
from bench.flows import Browser, form_action, hidden_fields
from bench.gateway import Reply

# Sent in a query or a form body (so as text UTF-8 carries: a lone surrogate cannot be percent-encoded).
ODD: list[str | None] = [None, "", " ", "x" * 3000, "\x00", "%zz", "javascript:alert(1)", "openid openid",
                         "Zo\u00eb", "99999999999999999999", "<script>"]


class Probe:
    def __init__(self, world: World) -> None:
        self.world, self.gateway, self.answered = world, world.gateway, 0

    def check(self, reply: Reply, what: Any) -> Reply:
        assert reply.status < 500 and "Traceback" not in reply.body, (what, reply.status, reply.body[:300])
        self.answered += 1
        return reply

    def sign_in(self, params: dict[str, str], fields: Callable[[dict[str, str]], dict[str, str]] = dict
                ) -> str | None:
        """The code a sign-in with these authorize parameters and sign-in form fields comes back with, if any."""
        browser = Browser(self.gateway)
        to_sign_in = self.check(browser.get(f"{self.world.oauth}/v1/authorize?{urlencode(params)}"), params)
        if to_sign_in.status != 302 or "/signin" not in to_sign_in.location:
            return None
        page = self.check(browser.get(to_sign_in.location), "sign-in page")
        sent = fields({**hidden_fields(page.body), "username": LOGIN, "password": PASSWORD})
        back = self.check(browser.post(form_action(page.body), sent), sent)
        if back.status in (302, 303) and back.location.startswith(REDIRECT_URI):
            return parse_qs(urlsplit(back.location).query).get("code", [None])[0]
        return None

    def tokens(self) -> dict[str, Any]:
        reply = self.gateway.form(f"{self.world.oauth}/v1/token", {
            "grant_type": "password", "username": LOGIN, "password": PASSWORD, "scope": USER_SCOPES},
            self.world.native())
        assert reply.status == 200, reply.body
        return dict(json.loads(reply.body))


def _varied(base: dict[str, str], name: str, value: str | None) -> dict[str, str]:
    changed = dict(base)
    if value is None:
        changed.pop(name, None)
    else:
        changed[name] = value
    return changed


def test_every_step_of_the_user_flows_answers_odd_parameters_without_a_500(container):
    from app import app

    world = build(app, container, "unused", "unused")  # no service client: client_credentials is not probed here
    probe = Probe(world)

    def unlock() -> None:
        reply = world.gateway.request("POST", f"/api/v1/users/{world.user_id}/lifecycle/unlock", world.admin)
        assert reply.status == 200, reply.body

    verifier, challenge = pkce()
    authorize = {"client_id": world.web_id, "response_type": "code", "redirect_uri": REDIRECT_URI,
                 "scope": USER_SCOPES, "state": "s", "nonce": "n", "code_challenge": challenge,
                 "code_challenge_method": "S256"}
    assert probe.sign_in(authorize)  # the flow itself works
    for name in authorize:
        for value in ODD:
            probe.sign_in(_varied(authorize, name, value))
    for name in ("username", "password", "state", "csrf", "sid"):
        for value in ODD:
            probe.sign_in(authorize, lambda fields, n=name, v=value: _varied(fields, n, v))
    unlock()
    for name in ("grant_type", "code", "redirect_uri", "code_verifier", "scope", "client_id"):
        for value in ODD:
            redemption = {"grant_type": "authorization_code", "code": probe.sign_in(authorize) or "",
                          "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
            probe.check(world.gateway.form(f"{world.oauth}/v1/token", _varied(redemption, name, value), world.web()),
                        ("code", name, value))
    for endpoint, base in (
            ("token", {"grant_type": "password", "username": LOGIN, "password": PASSWORD, "scope": USER_SCOPES}),
            ("token", {"grant_type": "refresh_token", "refresh_token": "REFRESH", "scope": "openid"}),
            ("introspect", {"token": "ACCESS", "token_type_hint": "access_token"}),
            ("revoke", {"token": "REFRESH", "token_type_hint": "refresh_token"})):
        for name in base:
            for value in ODD:
                unlock()  # the password grant's odd passwords count as failed sign-ins
                held = probe.tokens()
                sent = {k: {"REFRESH": held["refresh_token"], "ACCESS": held["access_token"]}.get(v, v)
                        for k, v in _varied(base, name, value).items()}
                probe.check(world.gateway.form(f"{world.oauth}/v1/{endpoint}", sent, world.native()),
                            (endpoint, name, value))
    for value in ODD[1:]:
        probe.check(world.gateway.request("GET", f"{world.oauth}/v1/userinfo", {"Authorization": f"Bearer {value}"}),
                    ("userinfo", value))
        probe.check(world.gateway.request("GET", f"{world.oauth}/v1/logout?" + urlencode({
            "id_token_hint": str(value), "post_logout_redirect_uri": str(value), "state": str(value)})),
            ("logout", value))
    assert probe.answered > 600
