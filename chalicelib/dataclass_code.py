"""Dataclass methods compiled once, at packaging, instead of at every Lambda INIT (issue 20, cold start).

``dataclasses`` writes each method it generates (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, a frozen
class's ``__setattr__`` and ``__delattr__``) as source text and compiles it with ``exec`` while the class is being
created. Compiling is most of the cost: ~0.5 ms per frozen slotted class, ~50 ms of a ~230 ms ``import app`` for
tokenmint's records (docs/performance.md "Cold start"). The code object is a function of that text alone, for a given
interpreter, so ``make package`` records it (infra/precompile.py runs ``python -m chalicelib.dataclass_code``, which
imports the app) and ships the code objects in the bundle as ``chalicelib/dataclass_code.bin``. During INIT
(``coldstart.init_phase``) the ``exec`` that ``dataclasses`` calls runs the shipped code object for a text it knows:
the same function, without the compiler.

Safe by construction: a text the file does not hold is compiled as ``dataclasses`` would; a file written by another
interpreter (the bytecode magic number differs), unreadable or damaged is ignored; outside INIT ``dataclasses`` is
untouched. ``TOKENMINT_DATACLASS_CODE`` names another file (the bench), or ``off`` to turn it off.
"""
from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import sys
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any, Iterator

from .coldstart import shipped_file

DEFAULT_PATH = Path(__file__).with_name("dataclass_code.bin")
SETTING = "TOKENMINT_DATACLASS_CODE"
MAGIC = importlib.util.MAGIC_NUMBER  # changes with every bytecode format: marshal's too
_ABSENT = object()
# (shipped, compiled) of the latest block: what INIT found and had to compile (read by the bench and the tests)
last_stats: tuple[int, int] | None = None


class CodeCache:
    """The ``exec`` that ``dataclasses`` calls: known texts run their recorded code, others compile (and are kept)."""

    def __init__(self, codes: dict[str, CodeType]) -> None:
        self.codes = codes
        self.shipped = len(codes)  # texts it started with
        self.compiled = 0  # texts it had to compile

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        if type(source) is str:
            code = self.codes.get(source)
            if code is None:
                # What exec(str) does: file name "<string>" and no future flags (dataclasses.py has none; this
                # module's ``annotations`` future must not leak into the generated functions).
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.codes[source] = code
                self.compiled += 1
            source = code
        builtins.exec(source, globals, locals)


def load(path: Path) -> dict[str, CodeType]:
    """The recorded code objects of ``path``; empty when it is missing, damaged or from another interpreter."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(MAGIC):
        return {}
    try:
        codes = marshal.loads(data[len(MAGIC):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict):
        return {}
    return {text: code for text, code in codes.items() if isinstance(text, str) and isinstance(code, CodeType)}


def dump(codes: dict[str, CodeType], path: Path) -> None:
    path.write_bytes(MAGIC + marshal.dumps(codes))


def configured_path() -> Path | None:
    """Where INIT reads the recorded code: the setting, else the file beside this module; ``None`` when off or when
    there is no such file (a source checkout: `make run`, the tests)."""
    return shipped_file(SETTING, DEFAULT_PATH)


@contextmanager
def compiled_dataclasses(path: Path | None) -> Iterator[CodeCache]:
    """Within the block, dataclasses created use the code recorded in ``path`` (``None``: compile everything, which
    is how a recording starts). Inside another such block (app.py's INIT inside a recording), the outer one's cache
    stays in charge."""
    previous = dataclasses.__dict__.get("exec", _ABSENT)
    outer = getattr(previous, "__self__", None)
    if isinstance(outer, CodeCache):
        yield outer
        return
    global last_stats
    cache = CodeCache(load(path) if path is not None else {})
    dataclasses.exec = cache.exec  # type: ignore[attr-defined] # module global shadows the builtin
    try:
        yield cache
    finally:
        last_stats = (cache.shipped, cache.compiled)
        if previous is _ABSENT:
            del dataclasses.exec  # type: ignore[attr-defined]
        else:
            dataclasses.exec = previous  # type: ignore[attr-defined]


def record(module: str, out: Path) -> int:
    """Import ``module`` (in a fresh interpreter, so that every class is created now) and write the code of every
    dataclass method it generated to ``out``; returns how many."""
    if module in sys.modules:
        raise RuntimeError(f"{module} is imported already: record in a fresh interpreter")
    with compiled_dataclasses(None) as cache:
        __import__(module)
    dump(cache.codes, out)
    return len(cache.codes)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m chalicelib.dataclass_code OUT_FILE (records the dataclasses of `import app`)",
              file=sys.stderr)
        return 2
    count = record("app", Path(argv[0]))
    print(f"dataclass_code: {count} compiled dataclass methods written to {argv[0]}")
    return 0


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``: the package's module (the one coldstart uses) must do the recording.
    from chalicelib.dataclass_code import main as package_main

    sys.exit(package_main(sys.argv[1:]))
