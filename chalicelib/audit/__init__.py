"""The System Log (Okta's ``/api/v1/logs``, okta-next.md section 2): who changed what, which token was granted or
denied and why (docs/ARCHITECTURE.md "System Log").

* ``event``: Okta's LogEvent, built from plain values (pure).
* ``change_details``: the before/after of a management write, with secrets left out (pure).
* ``management``: which event a management route's write is (pure).
* ``recorder``: the port every part of tokenmint records events through: one JSON log line per event, and the
  event handed to the table (admin events at once, token events through a per-container buffer).
* ``log_lines``: where those JSON lines go (standard output in the packaged stack, else a logger).
* ``log_query``: ``GET /api/v1/logs``'s parameters, filters, cursors and pages over the log store (pure over
  ``ports.LogEventStore``).
"""
