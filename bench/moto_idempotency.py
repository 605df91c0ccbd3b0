"""DynamoDB's idempotent TransactWriteItems for the benches' moto: a ``ClientRequestToken`` seen before answers as
the first call did.

Every transaction tokenmint makes carries a ``ClientRequestToken`` (storage/transactions.py), so that when botocore
retries a call whose answer was lost (a read timeout while the server is slow) DynamoDB answers the retry as it
answered the first call, instead of applying the writes again. DynamoDB keeps a token for 10 minutes after the first
call completes; the same token with other parameters is ``IdempotentParameterMismatchException``. A call that was
cancelled (``TransactionCanceledException``) changed nothing, and its retry is made again here (tokenmint retries
only identical calls). moto (5.x) ignores the token: under
the many-containers bench's load (moto answering one request at a time, each transaction deep-copying its tables) a
committed refresh could be retried, fail its own version condition and be taken for reuse of the refresh token,
which revokes the family. ``install`` wraps moto's ``transact_write_items`` handler to keep the tokens as DynamoDB
does, so that the benches measure what DynamoDB would do; tests/unit/bench/test_moto_idempotency.py checks it.

For benches only: it patches the third-party library in the bench's own process, never tokenmint's code.
"""
from __future__ import annotations

import functools
import json
import threading
import time
from typing import Any, Callable

from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
from moto.dynamodb.responses import DynamoHandler

WINDOW_SECONDS = 600.0  # DynamoDB keeps a client request token this long after the call completes
_MARK = "_bench_idempotent"


class IdempotentParameterMismatch(DynamodbException):
    error_type = ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException"

    def __init__(self) -> None:
        super().__init__(self.error_type, message="The request uses the same client token as a previous, but "
                                                  "non-identical request.")


class Tokens:
    """The tokens of completed transactions: token -> (completed at, the request without its token, the answer)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, str, Any]] = {}

    def answer(self, token: str, request: str) -> Any | None:
        """The first answer to ``token`` if it is within the window (None if not seen); raises on another request."""
        now = self._clock()
        with self._lock:
            for old in [t for t, (at, _r, _a) in self._seen.items() if now - at > WINDOW_SECONDS]:
                del self._seen[old]
            seen = self._seen.get(token)
        if seen is None:
            return None
        if seen[1] != request:
            raise IdempotentParameterMismatch()
        return seen[2]

    def keep(self, token: str, request: str, answer: Any) -> None:
        with self._lock:
            self._seen[token] = (self._clock(), request, answer)


def installed() -> bool:
    return getattr(DynamoHandler.transact_write_items, _MARK, None) is not None


def install(tokens: Tokens | None = None) -> Tokens:
    """Wrap moto's handler (once); returns the tokens kept."""
    if installed():
        return getattr(DynamoHandler.transact_write_items, _MARK)  # type: ignore[no-any-return]
    kept = tokens or Tokens()
    original = DynamoHandler.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: DynamoHandler) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return original(self)
        request = json.dumps({k: v for k, v in self.body.items() if k != "ClientRequestToken"}, sort_keys=True)
        previous = kept.answer(token, request)
        if previous is not None:
            return previous
        answer = original(self)  # a cancelled transaction raises: nothing is kept, its retry is a new call
        kept.keep(token, request, answer)
        return answer

    setattr(transact_write_items, _MARK, kept)
    setattr(transact_write_items, "_bench_original", original)
    DynamoHandler.transact_write_items = transact_write_items  # type: ignore[method-assign]
    return kept


def uninstall() -> None:
    if installed():
        DynamoHandler.transact_write_items = DynamoHandler.transact_write_items._bench_original  # type: ignore
