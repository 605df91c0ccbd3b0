"""Where the System Log's JSON lines go (audit/log_lines.py, ``TOKENMINT_SYSTEM_LOG_LINES``): the packaged stack
writes each straight to standard output, whole and flushed, whatever logging is configured to show; by default
they are INFO records of ``tokenmint.audit.events``."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit.event import Party, log_event
from chalicelib.audit.log_lines import StreamLines, line_sink, logger_lines, stdout_lines
from chalicelib.audit.recorder import Recorder
from chalicelib.clock import FixedClock
from chalicelib.container import Container
from chalicelib.settings import Settings
from chalicelib.storage.memory import InMemoryStorage
from chalicelib.storage.memory.logs import MemoryLogEvents

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
ACTOR = Party(id="0oaclient", type="PublicClientApp")
TABLES = {"TOKENMINT_CONFIG_TABLE": "c", "TOKENMINT_DIRECTORY_TABLE": "d", "TOKENMINT_GRANTS_TABLE": "g",
          "TOKENMINT_LOG_TABLE": "l", "TOKENMINT_KMS_KEY_ID": "alias/tokenmint"}


class Stream:
    """A text stream that keeps what each call did, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def write(self, text: str) -> int:
        self.calls.append(("write", text))
        return len(text)

    def flush(self) -> None:
        self.calls.append(("flush", ""))


def event(name: str) -> dict:
    return log_event(name, published=T0, actor=ACTOR)


def test_each_line_is_one_write_then_a_flush():
    stream = Stream()
    lines = StreamLines(lambda: stream)
    lines('{"logEvent":{"a":1}}')
    lines('{"logEvent":{"b":2}}')
    assert stream.calls == [("write", '{"logEvent":{"a":1}}\n'), ("flush", ""),
                            ("write", '{"logEvent":{"b":2}}\n'), ("flush", "")]


def test_the_stream_is_looked_up_for_each_line():
    """Lambda's runtime and pytest replace sys.stdout after import: each line goes to the stream of its moment."""
    first, second = Stream(), Stream()
    current = [first]
    lines = StreamLines(lambda: current[0])
    lines("one")
    current[0] = second
    lines("two")
    assert [c for c in first.calls if c[0] == "write"] == [("write", "one\n")]
    assert [c for c in second.calls if c[0] == "write"] == [("write", "two\n")]


def test_stdout_lines_are_the_recorders_events_whatever_the_log_level(capsys):
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.CRITICAL)  # an operator raising the log level must not silence the audit trail
    try:
        recorder = Recorder(MemoryLogEvents(), FixedClock(T0).now, retention=timedelta(days=90), emit=stdout_lines)
        recorder.record(event("oauth2.as.created"))
        recorder.record_token(lambda: [event("app.oauth2.as.token.grant.access_token")], success=True)
    finally:
        root.setLevel(level)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert out.endswith("\n") and len(lines) == 2
    # Each line is the event's JSON object itself, not a string inside another record.
    assert [json.loads(line)["logEvent"]["eventType"] for line in lines] == [
        "oauth2.as.created", "app.oauth2.as.token.grant.access_token"]


def test_logger_lines_are_info_records_of_the_events_logger(caplog, capsys):
    with caplog.at_level(logging.INFO, logger="tokenmint.audit.events"):
        logger_lines('{"logEvent":{}}')
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("tokenmint.audit.events", logging.INFO, '{"logEvent":{}}')]
    assert capsys.readouterr().out == ""


def test_line_sink_names():
    assert line_sink("stdout") is stdout_lines
    assert line_sink("logger") is logger_lines
    with pytest.raises(ValueError, match="unknown"):
        line_sink("file")


@pytest.mark.parametrize("setting, on_stdout", [("stdout", True), ("logger", False), (None, False)])
def test_the_container_records_through_the_sink_the_setting_names(setting, on_stdout, capsys):
    env = {**TABLES, **({"TOKENMINT_SYSTEM_LOG_LINES": setting} if setting else {})}
    container = Container.build(Settings.from_env(env), FixedClock(T0), storage=InMemoryStorage())
    container.audit.record(event("oauth2.as.created"))
    out = capsys.readouterr().out
    if on_stdout:
        assert json.loads(out)["logEvent"]["eventType"] == "oauth2.as.created"
    else:
        assert out == ""
