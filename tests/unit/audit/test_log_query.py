"""The System Log's query (audit/log_query.py) over the in-memory log store: Okta's parameters and their errors,
the filter subset, keyword search, bounded paging and polling (okta-next.md 2.1, 2.2). No AWS."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.admin.directory_search import InvalidSearchError
from chalicelib.audit.event import FAILURE, Party, log_event
from chalicelib.audit.log_keys import item
from chalicelib.audit.log_query import decode_cursor, encode_cursor, parse_query, run
from chalicelib.errors import InvalidPagingError, ValidationError
from chalicelib.storage.memory.logs import MemoryLogEvents

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
RETENTION = timedelta(days=90)
LAG = timedelta(seconds=15)
LATE = timedelta(seconds=20)
ADMIN = Party(id="00uadmin", type="User", alternate_id="admin@example.com", display_name="Ada Admin")


def event(event_type: str, at: datetime, *, target: str = "aus1", result: str = "SUCCESS",
          debug: dict | None = None) -> dict:
    return log_event(event_type, published=at, actor=ADMIN, result=result, debug=debug,
                     targets=[Party(id=target, type="AuthorizationServer", display_name=f"server {target}"),
                              Party(id="00p1", type="PolicyEntity")])


class Log:
    """A log store and a clock; ``add`` records events the way the recorder does (recorded at ``at``)."""

    def __init__(self) -> None:
        self.store = MemoryLogEvents()
        self.now = T0
        self.sequence = 0

    def add(self, *events: dict, at: datetime | None = None, together: bool = False) -> None:
        """Each event an item of its own, or (``together``) all in one item, as one container's batch."""
        self.sequence += 1
        if together:
            self.store.append([item([json.dumps(e) for e in events], at or self.now, self.sequence, RETENTION)])
            return
        items = []
        for e in events:
            self.sequence += 1
            items.append(item([json.dumps(e)], at or self.now, self.sequence, RETENTION))
        self.store.append(items)

    def page(self, **params: str):
        return run(self.store, parse_query(params), self.now, retention=RETENTION, lag=LAG, late=LATE)


def types(page) -> list[str]:
    return [e["eventType"] for e in page.events]


# -- parameters --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params, cause", [
    ({"since": "yesterday"}, "since: 'yesterday' is not an ISO 8601 timestamp"),
    ({"until": "2026-13-01T00:00:00Z"}, "until:"),
    ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "since: must not be later"),
    ({"sortOrder": "SIDEWAYS"}, "sortOrder: must be ASCENDING or DESCENDING"),
    ({"q": "x" * 41}, "Freeform search cannot contain items longer than 40 characters"),
    ({"q": " ".join("abcdefghijk")}, "Freeform search cannot contain more than 10 items"),
])
def test_bad_parameters_are_an_okta_validation_error_naming_the_parameter(params, cause):
    with pytest.raises(ValidationError) as raised:
        parse_query(params)
    assert raised.value.error_code == "E0000001"
    assert any(cause in c for c in raised.value.causes), raised.value.causes


def test_after_wins_over_since_as_the_sdk_sends_both():
    """Okta's next links carry no ``since``; the official SDK's paginate_all sends it again with ``after``."""
    log = Log()
    for minute in range(3):
        log.add(event(f"e{minute}", T0 + timedelta(minutes=minute)), at=T0 + timedelta(minutes=minute))
    log.now = T0 + timedelta(hours=1)
    bounds = {"since": "2026-03-01T12:01:00Z", "until": "2026-03-01T13:00:00Z", "limit": "1"}
    first = log.page(**bounds)
    assert types(first) == ["e1"]
    again = log.page(**bounds, after=first.next_cursor)
    assert types(again) == ["e2"] and again == log.page(**{k: v for k, v in bounds.items() if k != "since"},
                                                         after=first.next_cursor)


@pytest.mark.parametrize("limit", ["-1", "ten", "1.5"])
def test_a_bad_limit_is_okta_paging_error(limit):
    with pytest.raises(InvalidPagingError):
        parse_query({"limit": limit})


def test_limit_defaults_to_100_and_is_capped_at_1000():
    assert parse_query({}).limit == 100
    assert parse_query({"limit": "5000"}).limit == 1000
    assert parse_query({"limit": "0"}).limit == 0


@pytest.mark.parametrize("cursor", ["!!!", "abc", encode_cursor(("not-a-key", 0), False),
                                    encode_cursor(("20260301T120000000000", -1), False)[:-2] + "xx",
                                    encode_cursor(("20260301T120000000000", 10_001), False),
                                    encode_cursor(("20260301T120000000000", -1), True)])  # the other order's
def test_a_cursor_we_never_issued_is_refused(cursor):
    with pytest.raises(InvalidPagingError):
        decode_cursor(cursor, False)


@pytest.mark.parametrize("expression, cause", [
    ('published gt "2026-01-01T00:00:00Z"', "'published' is not an attribute"),
    ('eventType eq', "Expected a double-quoted value"),
    ('eventType xx "a"', "Expected an operator"),
    ('debugContext.debugData.requestUri co "/api"', "'co' is not supported"),
    ('target.changeDetails.to.name eq "x"', "is not an attribute"),
    ('(eventType eq "a"', "not closed"),
])
def test_a_bad_filter_is_invalid_search_criteria(expression, cause):
    with pytest.raises(InvalidSearchError) as raised:
        parse_query({"filter": expression})
    assert cause in raised.value.cause


# -- filters and keywords ----------------------------------------------------------------------------------------


def test_filters_select_by_event_type_target_actor_outcome_and_debug_data():
    log = Log()
    log.add(event("oauth2.as.created", T0, target="aus1"),
            event("oauth2.as.updated", T0, target="aus2"),
            event("app.oauth2.as.token.grant", T0, target="aus1", result=FAILURE,
                  debug={"grantType": "client_credentials"}),
            event("oauth2.scope.created", T0, target="aus2"))
    log.now = T0 + timedelta(minutes=1)
    assert types(log.page(filter='eventType eq "oauth2.as.created"')) == ["oauth2.as.created"]
    assert types(log.page(filter='target.id eq "aus2"')) == ["oauth2.as.updated", "oauth2.scope.created"]
    assert types(log.page(filter='target.id eq "00p1" and outcome.result eq "FAILURE"')) == \
        ["app.oauth2.as.token.grant"]
    assert types(log.page(filter='eventType sw "oauth2.as" or eventType ew ".created"')) == \
        ["oauth2.as.created", "oauth2.as.updated", "oauth2.scope.created"]
    assert types(log.page(filter='eventType co "token"')) == ["app.oauth2.as.token.grant"]
    assert types(log.page(filter='debugContext.debugData.grantType eq "client_credentials"')) == \
        ["app.oauth2.as.token.grant"]
    assert types(log.page(filter='actor.id eq "00uadmin" and target.type eq "AuthorizationServer"')) == \
        ["oauth2.as.created", "oauth2.as.updated", "app.oauth2.as.token.grant", "oauth2.scope.created"]
    assert types(log.page(filter='actor.id ne "00uadmin"')) == []


def test_keywords_match_any_member_case_insensitively_and_all_must_match():
    log = Log()
    log.add(event("oauth2.as.created", T0, target="aus1"), event("oauth2.as.created", T0, target="aus2"))
    log.now = T0 + timedelta(minutes=1)
    assert [e["target"][0]["id"] for e in log.page(q="SERVER aus2").events] == ["aus2"]
    assert log.page(q="server nowhere").events == []


# -- bounded queries ---------------------------------------------------------------------------------------------


def test_a_bounded_query_pages_in_order_and_ends_without_next():
    log = Log()
    for minute in range(5):
        log.add(event(f"e{minute}", T0 + timedelta(minutes=minute)), at=T0 + timedelta(minutes=minute))
    log.now = T0 + timedelta(hours=1)
    bounds = {"since": "2026-03-01T12:00:00Z", "until": "2026-03-01T12:03:00Z", "limit": "2"}
    first = log.page(**bounds)
    assert types(first) == ["e0", "e1"] and first.next_cursor
    second_params = {k: v for k, v in bounds.items() if k != "since"}  # the next link carries no since
    second = log.page(**second_params, after=first.next_cursor)
    assert types(second) == ["e2", "e3"] and second.next_cursor
    third = log.page(**second_params, after=second.next_cursor)
    assert types(third) == [] and third.next_cursor is None


@pytest.mark.parametrize("order", ["ASCENDING", "DESCENDING"])
def test_pages_continue_inside_one_containers_batch(order):
    log = Log()
    log.add(*[event(f"e{i}", T0) for i in range(7)], together=True)
    log.now = T0 + timedelta(minutes=1)
    seen, cursor = [], None
    while True:
        params = {"sortOrder": order, "limit": "3", "until": "2026-03-01T12:01:00Z"}
        page = log.page(**params, **({"after": cursor} if cursor else {}))
        seen += types(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [f"e{i}" for i in range(7)]
    assert seen == (expected if order == "ASCENDING" else expected[::-1])


def test_descending_reads_newest_first_across_days():
    log = Log()
    log.add(event("yesterday", T0 - timedelta(days=1)), at=T0 - timedelta(days=1))
    log.add(event("today", T0), at=T0)
    log.now = T0 + timedelta(minutes=1)
    page = log.page(sortOrder="DESCENDING", limit="1")
    assert types(page) == ["today"]
    following = log.page(sortOrder="DESCENDING", limit="1", after=page.next_cursor)
    assert types(following) == ["yesterday"]
    assert log.page(sortOrder="DESCENDING", limit="1", after=following.next_cursor).next_cursor is None


def test_since_defaults_to_seven_days_and_nothing_older_than_the_retention_is_returned():
    log = Log()
    log.add(event("old", T0 - timedelta(days=8)), at=T0 - timedelta(days=8))
    log.add(event("recent", T0 - timedelta(days=6)), at=T0 - timedelta(days=6))
    assert types(log.page(until="2026-03-01T12:00:00Z")) == ["recent"]
    assert types(log.page(since="2025-01-01T00:00:00Z", until="2026-03-01T12:00:00Z")) == ["old", "recent"]
    log.now = T0 + RETENTION - timedelta(days=7)  # "old" is past the retention now, "recent" is not
    assert types(log.page(since="2025-01-01T00:00:00Z", until="2026-06-01T00:00:00Z")) == ["recent"]


def test_a_selective_filter_over_many_events_answers_a_short_page_with_next():
    from chalicelib.audit import log_query

    log = Log()
    noise = [event("noise", T0) for _ in range(log_query.SCAN_BUDGET + 5)]
    for start in range(0, len(noise), 100):
        log.add(*noise[start:start + 100], together=True)
    log.add(event("needle", T0))
    log.now = T0 + timedelta(minutes=1)
    first = log.page(filter='eventType eq "needle"', until="2026-03-01T12:01:00Z")
    assert first.events == [] and first.next_cursor  # the budget ran out before the needle
    second = log.page(filter='eventType eq "needle"', until="2026-03-01T12:01:00Z", after=first.next_cursor)
    assert types(second) == ["needle"]


# -- polling ----------------------------------------------------------------------------------------------------


def test_polling_always_has_a_next_link_and_returns_each_event_once_while_events_arrive():
    """Okta's polling: no ``until``, ascending; every page (also an empty one) has ``next``. Events recorded
    between polls, by several containers and within the same second, are each returned exactly once."""
    log = Log()
    log.now = T0
    seen: list[str] = []
    page = log.page(since="2026-03-01T11:00:00Z", limit="3")
    assert page.events == [] and page.next_cursor
    cursor = page.next_cursor
    for step in range(12):
        # Two containers record an event each this second (the second container's sequence restarts).
        log.add(event(f"a{step}", log.now), at=log.now)
        log.sequence -= 1
        log.add(event(f"b{step}", log.now), at=log.now)
        log.now += timedelta(seconds=4)
        page = log.page(limit="3", after=cursor)
        assert page.next_cursor, "a poll always gets a next link"
        seen += types(page)
        cursor = page.next_cursor
    log.now += LAG + timedelta(seconds=1)
    while True:  # drain
        page = log.page(limit="3", after=cursor)
        cursor = page.next_cursor
        if not page.events:
            break
        seen += types(page)
    expected = [f"{p}{i}" for i in range(12) for p in "ab"]
    assert sorted(seen) == sorted(expected) and len(seen) == len(expected)


def test_a_poll_does_not_read_past_the_horizon_so_a_late_write_is_not_skipped():
    """An event whose write started before a poll (its key is in the past) but finished after it is still read by
    the next poll: the cursor never passes now - lag."""
    log = Log()
    cursor = log.page(since="2026-03-01T11:59:00Z").next_cursor
    started = log.now - timedelta(seconds=10)  # a batch write started 10 s ago, still in flight
    log.now += timedelta(seconds=1)
    page = log.page(after=cursor)
    assert page.events == []
    log.add(event("late", started), at=started)  # now it lands
    log.now += LAG
    assert types(log.page(after=page.next_cursor)) == ["late"]
