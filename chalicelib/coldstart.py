"""Lambda INIT without the garbage collector (performance.md "Cold start"; docs/ARCHITECTURE.md "Cold start").

Importing the app (chalice, boto3/botocore, pynamodb, cryptography, chalicelib) and building the container (the
boto3 client loads its service model) allocate a few hundred thousand objects that live as long as the container.
With the collector on, those allocations trigger collections that walk them again and again: about 30 ms of a
~250 ms cold start, a full collection alone ~20 ms. They leave almost no cyclic garbage (a few hundred objects), so
the phase runs with the collector off and ends with ``gc.freeze()``: what exists then moves to the permanent
generation and later collections (on warm requests) never walk it.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def init_phase() -> Iterator[None]:
    """Run an initialisation phase with the collector off; freeze what it built and restore the collector."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
