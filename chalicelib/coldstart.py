"""Lambda INIT without the garbage collector (performance.md "Cold start"; docs/ARCHITECTURE.md "Cold start").

Importing the app (chalice, botocore, pynamodb, cryptography, chalicelib) and building the container (the
DynamoDB client loads its service model) allocate a few hundred thousand objects that live as long as the container.
With the collector on, those allocations trigger collections that walk them again and again: about 30 ms of a
~250 ms cold start, a full collection alone ~20 ms. They leave almost no cyclic garbage (a few hundred objects), so
the phase runs with the collector off and ends with ``gc.freeze()``: what exists then moves to the permanent
generation and later collections (on warm requests) never walk it.

The app's import also takes its modules' code from the one file ``make package`` records it in
(chalicelib/module_code.py) instead of finding and reading them one by one, and runs the dataclass methods ``make
package`` compiled (chalicelib/dataclass_code.py) instead of compiling them again.
"""
from __future__ import annotations

import gc
import os
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator


def shipped_file(setting: str, default: Path) -> Path | None:
    """The file of code ``make package`` shipped that INIT reads: the one the environment variable ``setting`` names,
    else ``default``; ``None`` when the setting is ``off`` or there is no such file (a source checkout: `make run`,
    the tests)."""
    value = os.environ.get(setting, "").strip()
    if value.lower() == "off":
        return None
    path = Path(value) if value else default
    return path if path.is_file() else None


@contextmanager
def init_phase(shipped_dataclasses: bool = False, shipped_modules: bool = False) -> Iterator[None]:
    """Run an initialisation phase with the collector off; freeze what it built and restore the collector.
    ``shipped_dataclasses``: classes created in the phase use the bundle's compiled dataclass methods;
    ``shipped_modules``: modules imported in the phase come from the bundle's recorded module code."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with ExitStack() as stack:
            if shipped_modules:
                from . import module_code

                stack.enter_context(module_code.shipped_modules(module_code.configured_path()))
            if shipped_dataclasses:
                from . import dataclass_code

                shipped = dataclass_code.configured_path()
                if shipped is not None:
                    stack.enter_context(dataclass_code.compiled_dataclasses(shipped))
            yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
