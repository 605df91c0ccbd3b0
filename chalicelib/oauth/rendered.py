"""Documents rendered from a cached server configuration, rendered once per configuration object (issue 20: the
discovery documents and the JWKS are fetched far more often than a configuration changes).

The token path's configuration cache (oauth/configuration.ServerConfigs) hands out the same object until the
configuration changes or is read again; a new read is a new object. So a document is kept with the object it was
rendered from and served again only while the cache still hands out that very object: it can never be staler than
the configuration itself. The object is held weakly, so the memo never keeps a configuration the cache let go of.
"""
from __future__ import annotations

import json
import threading
import weakref
from typing import Any, Callable, Hashable

from .context import JsonBody

DEFAULT_LIMIT = 256


class RenderedDocuments:
    """At most ``limit`` documents (then forgotten at once: a deployment with more servers than that re-renders,
    which is what it did before this memo)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._docs: dict[tuple[int, Hashable], tuple[weakref.ref[object], JsonBody]] = {}
        self._lock = threading.Lock()

    def get(self, source: object, key: Hashable, render: Callable[[], Any]) -> JsonBody:
        """The JSON of ``render()``, rendered from ``source`` (the configuration) and what ``key`` names (the base
        URL, the document's kind)."""
        slot = (id(source), key)
        found = self._docs.get(slot)
        if found is not None and found[0]() is source:  # a dead object's id may be reused: checked
            return found[1]
        body = JsonBody(json.dumps(render()))
        with self._lock:
            if len(self._docs) >= self._limit:
                self._docs.clear()
            self._docs[slot] = (weakref.ref(source), body)
        return body

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()
