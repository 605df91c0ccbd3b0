"""Events rendered from templates (audit/template.py) and the token endpoint's events made that way
(oauth/token_events.py): a filled template is the builder's event, byte for byte, whatever the values hold."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit.event import Origin, Party, log_event, timestamp
from chalicelib.audit.recorder import Recorder, serialize
from chalicelib.audit.template import EventTemplate, RenderedEvent, TemplateMemo, hole
from chalicelib.domain import AuthorizationServer
from chalicelib.oauth import token_events
from chalicelib.oauth.audit import TokenTrace
from chalicelib.oauth.issuer import ORG_SERVER_ID
from chalicelib.storage.memory.logs import MemoryLogEvents
from tests.unit.oauth.oauthfakes import fake_client

T0 = datetime(2026, 3, 1, 12, 0, 7, tzinfo=timezone.utc)

# Values a template must carry through untouched: JSON's specials, non-ASCII, control characters, and text that
# looks like a placeholder without this process's marker. (Never empty: log_event leaves an empty user agent out,
# so a template's key tells empty from not; the token events' test below covers that.)
AWKWARD = ['plain', 'quote " and backslash \\ and slash /', "Zoë 日本 \U0001F510", "line\nbreak\ttab\x00nul",
           "\x01" + "0" * 16 + "uuid", "</script>", " "]


def event_of(values: dict) -> dict:
    """An event with a value in most kinds of place: members, nested objects, array items."""
    return log_event("app.oauth2.as.token.grant.access_token", published=values["published"],
                     actor=Party(id=values["client_id"], type="PublicClientApp", alternate_id=values["client_id"],
                                 display_name=values["name"]),
                     targets=[Party(id=values["jti"], type="access_token", detail={"expires": values["expires"]})],
                     origin=Origin(ip="203.0.113.9", user_agent=values["ua"], request_id="r1"),
                     debug={"jti": values["jti"], "clientId": values["client_id"]}, uuid=values["uuid"])


HOLES = {"published": hole("published"), "client_id": hole("client_id"), "name": hole("name"), "jti": hole("jti"),
         "expires": hole("expires"), "ua": hole("ua"), "uuid": hole("uuid")}


@pytest.mark.parametrize("text", AWKWARD)
def test_a_filled_template_is_the_builders_event_byte_for_byte(text):
    template = EventTemplate(event_of(HOLES))
    values = {"published": timestamp(T0), "client_id": "0oa" + text, "name": text, "jti": "AT." + text,
              "expires": 1_772_370_000, "ua": text, "uuid": "6f1c1a0e-8a4c-4a53-9d0e-7f2a3b4c5d6e"}
    filled = template.fill(values)
    assert isinstance(filled, RenderedEvent)
    assert filled == serialize(event_of(values))
    assert json.loads(filled)["target"][0]["detailEntry"] == {"expires": 1_772_370_000}  # a number, not a string


def test_a_value_no_utf8_can_carry_is_filled_and_serialized_as_u_fffd():
    # A lone surrogate in a caller's header (chalicelib/surrogates.py): the event is written after the token is
    # minted, so it must not fail; both ways of writing an event put U+FFFD in its place, and agree.
    values = {"published": timestamp(T0), "client_id": "0oa1", "name": "n", "jti": "AT.1", "expires": 1,
              "ua": "agent/\ud800", "uuid": "6f1c1a0e-8a4c-4a53-9d0e-7f2a3b4c5d6e"}
    filled = EventTemplate(event_of(HOLES)).fill(values)
    assert filled == serialize(event_of(values))
    assert json.loads(filled)["client"]["userAgent"]["rawUserAgent"] == "agent/\ufffd"
    assert filled.encode("utf-8")


def test_a_placeholder_that_is_not_a_whole_string_value_is_refused():
    with pytest.raises(ValueError, match="placeholder"):
        EventTemplate({"reason": "invalid_client: " + hole("why")})
    with pytest.raises(ValueError, match="placeholder"):
        EventTemplate({hole("name"): "a member name"})


def test_every_placeholder_must_be_given_a_value():
    template = EventTemplate({"a": hole("a"), "b": [hole("b")]})
    assert template.fill({"a": "x", "b": 2}) == '{"a":"x","b":[2]}'
    with pytest.raises(KeyError):
        template.fill({"a": "x"})


def test_the_memo_makes_a_template_once_and_stays_bounded():
    memo, made = TemplateMemo(3), []

    def make(key: int) -> dict:
        made.append(key)
        return {"k": key, "v": hole("v")}

    first = memo.get(1, lambda: make(1))
    assert memo.get(1, lambda: make(1)) is first and made == [1]
    for key in range(2, 10):
        memo.get(key, lambda key=key: make(key))
        assert len(memo) <= 3
    assert memo.get(9, lambda: make(9)).fill({"v": "x"}) == '{"k":9,"v":"x"}' and made.count(9) == 1


# -- the token endpoint's events ------------------------------------------------------------------------------------

SERVER = AuthorizationServer(id="aus1", name="Payments \"API\"", description=None, audiences=("api://pay",),
                             issuer_mode="ORG_URL", status="ACTIVE", created=T0, last_updated=T0,
                             rotation_mode="AUTO", default=False)


def trace(**fields) -> TokenTrace:
    noted = TokenTrace(policy_id="00p1", rule_id="0pr1", reason="matched rule 'Machines'",
                       access_token=("AT.jti-1", 1_772_373_607))
    for name, value in fields.items():
        setattr(noted, name, value)
    return noted


ORIGINS = [Origin(ip="203.0.113.9", user_agent="okta-sdk-python/2.9 \"quoted\"", request_id="a1b2"),
           Origin(ip="2001:db8::1", user_agent="Zoë's client", request_id="c3d4"),  # IPv6: V6 in the ip chain
           Origin(ip="", user_agent="", request_id=""), Origin(), None]  # empty: left out, as by the builder


def whole(kind_events: list) -> list[dict]:
    return [json.loads(e) if isinstance(e, str) else e for e in kind_events]


ORG = replace(SERVER, id=ORG_SERVER_ID, name="Org Authorization Server")
OTHER = replace(SERVER, id="aus2", name="Orders")


def grant_events(server: AuthorizationServer, client, noted: TokenTrace, origin: Origin | None) -> list:
    body = {"token_type": "Bearer", "access_token": "eyJ.x.y", "expires_in": 3600, "scope": "pay:read pay:write"}
    return token_events.granted(server=server, client=client, grant_type="client_credentials",
                                params={"grant_type": "client_credentials", "scope": "pay:read pay:write"},
                                body=body, trace=noted, origin=origin, now=T0)


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("name", ["Payments robot", "robot \"one\" \\ Ünïcode"])
@pytest.mark.parametrize("server", [SERVER, OTHER, ORG])
@pytest.mark.parametrize("decided", [{}, {"policy_id": None, "rule_id": None}, {"rule_id": None}])
def test_a_templated_token_event_is_the_event_built_whole(origin, name, server, decided):
    client = fake_client("0oaROBOT", client_name=name)
    events = grant_events(server, client, trace(**decided), origin)
    assert len(events) == 1 and isinstance(events[0], RenderedEvent)  # the templated way
    rendered = json.loads(events[0])
    # The same request with a note in the trace's extra is built whole; without the note it is the same event.
    built = grant_events(server, client, trace(**decided, extra={"note": "x"}), origin)[0]
    assert isinstance(built, dict)
    del built["debugContext"]["debugData"]["note"]
    built["uuid"] = rendered["uuid"]
    assert serialize(built) == events[0]
    assert rendered["eventType"] == ("app.oauth2.token.grant.access_token" if server is ORG else
                                     "app.oauth2.as.token.grant.access_token")
    assert rendered["target"][1] == {"id": server.id, "type": "AuthorizationServer", "displayName": server.name}
    assert rendered["client"].get("ipAddress") == ((origin.ip or None) if origin else None)
    if origin is not None and origin.ip:
        assert rendered["request"]["ipChain"] == [{"ip": origin.ip, "version": "V6" if ":" in origin.ip else "V4"}]


def test_each_templated_event_has_its_own_uuid_time_and_token():
    client = fake_client("0oaROBOT")
    origin = Origin(ip="203.0.113.9", request_id="r-1")

    def mint(jti: str, exp: int, now: datetime) -> dict:
        noted = trace(access_token=(jti, exp))
        return json.loads(token_events.granted(
            server=SERVER, client=client, grant_type="client_credentials", params={}, body={
                "access_token": "eyJ.x.y", "token_type": "Bearer"}, trace=noted, origin=origin, now=now)[0])

    one, two = mint("AT.one", 100, T0), mint("AT.two", 200, T0.replace(second=9))
    assert one["uuid"] != two["uuid"]
    assert (one["published"], two["published"]) == ("2026-03-01T12:00:07.000Z", "2026-03-01T12:00:09.000Z")
    assert [e["target"][0]["id"] for e in (one, two)] == ["AT.one", "AT.two"]
    assert [e["debugContext"]["debugData"]["jti"] for e in (one, two)] == ["AT.one", "AT.two"]
    assert [e["target"][0]["detailEntry"]["expires"] for e in (one, two)] == [100, 200]
    assert "requestedScopes" not in one["debugContext"]["debugData"]  # absent, as the builder leaves it


def test_user_flows_are_built_whole():
    client = fake_client("0oaWEB", grant_types=("authorization_code",))
    events = token_events.granted(server=SERVER, client=client, grant_type="authorization_code", params={},
                                  body={"access_token": "eyJ.x.y", "refresh_token": "rt-secret"},
                                  trace=trace(user_id="00uALICE"), origin=None, now=T0)
    assert all(isinstance(e, dict) for e in events)
    assert [e["target"][-1] for e in events] == [{"id": "00uALICE", "type": "User"}] * 2
    assert "rt-secret" not in json.dumps(events)


def test_the_recorder_logs_and_stores_a_rendered_event_as_it_is():
    store, lines = MemoryLogEvents(), []
    recorder = Recorder(store, lambda: T0, retention=timedelta(days=1), emit=lines.append)
    client = fake_client("0oaROBOT")
    recorder.record_token(lambda: token_events.granted(
        server=SERVER, client=client, grant_type="client_credentials", params={}, body={"access_token": "eyJ.x.y"},
        trace=trace(), origin=Origin(request_id="r-9"), now=T0), success=True)
    recorder.flush()
    (rows,) = store.snapshot().values()  # type: ignore[union-attr]
    (stored,) = json.loads(rows[0][1])
    (line,) = lines
    assert line.startswith('{"logEvent":{') and json.loads(line) == {"logEvent": stored}
    assert stored["transaction"] == {"type": "WEB", "id": "r-9"} and stored["debugContext"]["debugData"][
        "requestId"] == "r-9"


def test_servers_clients_policies_and_rules_share_a_template():
    # 1,000 servers with their own policy and rule, each with its own client: one shape, one template (the memo
    # keeps 256, so per-server templates would be made again and again at scale).
    origin = Origin(ip="198.51.100.7", user_agent="scale", request_id="r")
    before = len(token_events._TEMPLATES)
    events = [json.loads(grant_events(replace(SERVER, id=f"aus{n:04d}", name=f"server {n}"),
                                      fake_client(f"0oa{n:04d}"), trace(policy_id=f"00p{n}", rule_id=f"0pr{n}"),
                                      origin)[0]) for n in range(1000)]
    assert len(token_events._TEMPLATES) - before <= 1
    assert [e["target"][1]["id"] for e in events[:3]] == ["aus0000", "aus0001", "aus0002"]
    assert [e["debugContext"]["debugData"]["ruleId"] for e in events[-2:]] == ["0pr998", "0pr999"]
    assert [e["actor"]["id"] for e in events[-2:]] == ["0oa0998", "0oa0999"]
