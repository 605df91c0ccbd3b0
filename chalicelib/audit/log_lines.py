"""Where the System Log's JSON lines go (``{"logEvent": …}``, one per event: docs/operations.md "System Log", the
feed operators ship to a SIEM). ``TOKENMINT_SYSTEM_LOG_LINES`` chooses:

* ``stdout`` (the packaged stack, .chalice/config.json): each line written straight to standard output, flushed.
  Lambda's python runtime sends what a function prints to its log group as it is, while a ``logging`` record goes
  through the runtime's formatter: with the stack's JSON log format our line would become a string inside the
  runtime's own JSON object (escaped a second time, so CloudWatch Logs Insights and a SIEM see one ``message``
  string, not the event's fields), cost ~9–14 µs of CPU per event to format (docs/performance.md), and be dropped
  whenever the function's log level is raised above INFO. A line written here is the event's JSON object, whatever
  the log format and level.
* ``logger`` (the default: ``make run``, tests, benches whose standard output is their report or protocol): each
  line logged at INFO by the ``tokenmint.audit.events`` logger, shown or not as the process configures logging.
"""
from __future__ import annotations

import logging
import sys
from typing import Callable, TextIO

LINE_SINKS = ("logger", "stdout")

events_log = logging.getLogger("tokenmint.audit.events")


def logger_lines(line: str) -> None:
    """The line as an INFO record of ``tokenmint.audit.events``."""
    events_log.info(line)


class StreamLines:
    """Each line written whole to a text stream and flushed at once: Lambda freezes a container between requests, and
    a line left in a buffer would reach the log only with a later request, or never."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Callable[[], TextIO]) -> None:
        self._stream = stream  # looked up per line: the runtime (and pytest) replace sys.stdout

    def __call__(self, line: str) -> None:
        stream = self._stream()
        stream.write(line + "\n")  # the line and its newline in one call, never split between two writes
        stream.flush()


stdout_lines = StreamLines(lambda: sys.stdout)


def line_sink(name: str) -> Callable[[str], None]:
    """The sink ``TOKENMINT_SYSTEM_LOG_LINES`` names (settings.py validates it)."""
    if name == "stdout":
        return stdout_lines
    if name == "logger":
        return logger_lines
    raise ValueError(f"unknown System Log line sink {name!r}")
