"""``make run``: start the local stack, print how to use it, and stop everything on Ctrl-C."""
from __future__ import annotations

import os
import signal
import sys
import threading

from .stack import start


def main() -> int:
    port = int(os.environ.get("TOKENMINT_PORT") or 8000)
    stack = start(port=port)
    print(f"""
tokenmint is running (local stack: moto's server as AWS at {stack.aws_endpoint})

  Base URL:         {stack.base_url}
  Admin API token:  {stack.admin_token}{"  (generated for this run)" if stack.token_generated else "  (TOKENMINT_ADMIN_TOKEN)"}
  Default issuer:   {stack.base_url}/oauth2/default
  Admin console:    {stack.base_url}/admin
    sign in as      {stack.console_login} / {stack.console_password}{"  (generated for this run)" if stack.password_generated else "  (TOKENMINT_ADMIN_PASSWORD)"}

Try:
  curl -s -H "Authorization: SSWS {stack.admin_token}" {stack.base_url}/api/v1/authorizationServers

Local data lives in memory and is gone when this process stops. Ctrl-C stops everything.
READY {stack.base_url}
""", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    print("stopping...", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
