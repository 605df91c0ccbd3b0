"""The bundle's modules served from one file during Lambda INIT, not found one by one (issue 20, cold start).

Importing a module from cached bytecode costs more than running it: the path-based finder consults each
``sys.path`` entry (and each package's directory) for the name, works out the ``.pyc`` path, opens and reads that
file and checks its header. ``import app`` loads ~470 such modules from the bundle (app.py, chalicelib and its
dependencies): ~30 ms of a ~210 ms import on the bench machine (docs/performance.md "Cold start"). ``make package``
records their code objects once, in one file beside this module, ``chalicelib/module_code.bin``
(infra/precompile.py runs ``python -m chalicelib.module_code OUT TREE`` over the bundle's own sources). During INIT
(``coldstart.init_phase``) a finder placed first on ``sys.meta_path`` answers those names from that file: one read,
then one unmarshal per module, as the usual loader does with each ``.pyc``.

Safe by construction:

* the module is the one the path finder would make: the same origin (``__file__``), package path and loader class
  (``SourceFileLoader``: ``get_source``, ``get_data`` and resource readers work as usual); only its code comes from
  the file, with the file names in it set to the module's real path (tracebacks, ``inspect``);
* names the file does not hold go to the usual finders, and the standard library is never in it (it is the
  runtime's, not the bundle's);
* a file written by another interpreter (the bytecode magic number differs), unreadable or damaged is ignored;
* the finder leaves ``sys.meta_path`` when INIT ends, and each loader lets go of the file's bytes once its module
  ran, so nothing of the file stays in memory;
* the bundle never changes once built (Lambda's code directory is read-only), as for the unchecked-hash bytecode
  infra/precompile.py ships beside each module; a source checkout has no such file, so ``make run`` and the tests
  import as usual.

A few modules INIT imports but no token needs (``DEFERRED``) are made by the standard library's ``LazyLoader``: they
run on their first attribute access, not at INIT (docs/ARCHITECTURE.md "Modules INIT imports and no token needs,
deferred").

``TOKENMINT_MODULE_CODE`` names another file (the bench), or ``off`` to turn it off.
"""
from __future__ import annotations

import _imp
import importlib.util
import marshal
import mmap
import os
import sys
from contextlib import contextmanager
from importlib.machinery import ModuleSpec, SourceFileLoader
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Iterator, Sequence

from .coldstart import shipped_file

DEFAULT_PATH = Path(__file__).with_name("module_code.bin")
SETTING = "TOKENMINT_MODULE_CODE"
MAGIC = importlib.util.MAGIC_NUMBER  # changes with every bytecode format: marshal's too
_HEADER = 8  # bytes of the index's length, after the magic number
# Where the modules live at run time: the directory that holds app.py and chalicelib (Lambda's /var/task).
ROOT = Path(__file__).resolve().parent.parent
# Modules INIT imports that no request needs until it touches them: each is made, empty, when imported, and runs on
# its first attribute access (``importlib.util.LazyLoader``). Only names imported as modules (``import m``, ``from
# package import m``) can wait; a ``from m import name`` touches ``m`` at once.
DEFERRED = frozenset({
    # PyJWT's ``from cryptography import x509`` (~11 ms of INIT: its RFC 4514 name parser compiles regular
    # expressions). PyJWT touches it only to refuse a certificate as an HMAC secret (HS256 request objects) and for
    # ``x5c`` keys; tokenmint's own code never does.
    "cryptography.x509",
})
# (served, modules in the file) of the latest block: what INIT found (read by the bench and the tests)
last_stats: tuple[int, int] | None = None

# name -> (origin, is a package, offset, size): the origin is relative to the root at run time when the file was
# recorded from a bundle's tree, absolute otherwise (a recording over a checkout and its virtualenv: the bench).
Index = dict[str, tuple[str, bool, int, int]]


class ShippedLoader(SourceFileLoader):
    """The usual loader of a source module, whose code comes from the file (once: then it is the usual loader)."""

    def __init__(self, fullname: str, path: str, code: memoryview | bytes | None) -> None:
        super().__init__(fullname, path)
        self._code = code

    def get_code(self, fullname: str) -> CodeType | None:
        data, self._code = self._code, None  # the file's bytes are let go as soon as the module has its code
        if data is None or fullname != self.name:
            return super().get_code(fullname)
        try:
            code = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            code = None
        if not isinstance(code, CodeType):
            return super().get_code(fullname)  # a damaged entry: the module's own bytecode or source, as usual
        # What the usual loader does with a .pyc: the code's file names become the module's real path.
        _imp._fix_co_filename(code, self.path)  # type: ignore[attr-defined]
        return code


class ShippedModules:
    """A meta path finder for the modules the file holds; any other name is left to the next finder."""

    def __init__(self, index: Index, data: memoryview, root: str) -> None:
        self.index = index
        self.data = data
        self.root = root
        self.served = 0

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        entry = self.index.get(name)
        if entry is None:
            return None
        origin, package, at, size = entry
        origin = os.path.join(self.root, origin)
        self.served += 1
        deferred = name in DEFERRED
        code = self.data[at:at + size]
        # A deferred module's bytes are copied: its loader may wait past INIT, and must not hold the mapping.
        loader = ShippedLoader(name, origin, code.tobytes() if deferred else code)
        spec = importlib.util.spec_from_file_location(
            name, origin, loader=loader, submodule_search_locations=[os.path.dirname(origin)] if package else None)
        if deferred and spec is not None:
            spec.loader = importlib.util.LazyLoader(loader)
        return spec


def load(path: Path) -> tuple[Index, memoryview] | None:
    """The index and code of ``path``; ``None`` when it is missing, damaged or from another interpreter. The file is
    mapped, not read: only the pages of the modules imported are touched, and no copy of it is made (reading it
    whole cost ~4 ms of INIT); the mapping goes when the last view of it does."""
    try:
        with open(path, "rb") as stream:
            mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    data = memoryview(mapped)
    loaded = _parse(data)
    if loaded is None:
        data.release()
        mapped.close()
    return loaded


def _parse(data: memoryview) -> tuple[Index, memoryview] | None:
    start = len(MAGIC) + _HEADER
    if len(data) < start or data[:len(MAGIC)] != MAGIC:
        return None
    length = int.from_bytes(data[len(MAGIC):start], "little")
    try:
        index = marshal.loads(data[start:start + length])
    except (EOFError, ValueError, TypeError):
        return None
    body = data[start + length:]
    if not isinstance(index, dict) or not all(_valid(name, entry, len(body)) for name, entry in index.items()):
        body.release()
        return None
    return index, body


def _valid(name: Any, entry: Any, size: int) -> bool:
    return (isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], str)
            and isinstance(entry[1], bool) and isinstance(entry[2], int) and isinstance(entry[3], int)
            and 0 <= entry[2] and entry[2] + entry[3] <= size)


def dump(codes: dict[str, tuple[str, bool, CodeType]], out: Path) -> None:
    """Writes ``codes`` (name -> (origin, is a package, code)) as a file ``load`` reads."""
    index: Index = {}
    body = bytearray()
    for name, (origin, package, code) in sorted(codes.items()):
        data = marshal.dumps(code)
        index[name] = (origin, package, len(body), len(data))
        body += data
    head = marshal.dumps(index)
    out.write_bytes(MAGIC + len(head).to_bytes(_HEADER, "little") + head + bytes(body))


def configured_path() -> Path | None:
    """Where INIT reads the modules: the setting, else the file beside this module; ``None`` when off or when there
    is no such file (a source checkout: `make run`, the tests)."""
    return shipped_file(SETTING, DEFAULT_PATH)


@contextmanager
def shipped_modules(path: Path | None, root: Path = ROOT) -> Iterator[ShippedModules | None]:
    """Within the block, the modules ``path`` holds are imported from it (``None``, or a file ``load`` rejects: as
    usual), relative origins under ``root``. Inside another such block, the outer finder stays in charge."""
    outer = next((f for f in sys.meta_path if isinstance(f, ShippedModules)), None)
    if outer is not None:
        yield outer
        return
    loaded = load(path) if path is not None else None
    if loaded is None:
        yield None
        return
    global last_stats
    finder = ShippedModules(loaded[0], loaded[1], str(root))
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)
        last_stats = (finder.served, len(finder.index))


def _stdlib() -> str:
    import sysconfig  # only when recording: INIT does not need it

    # The base interpreter's (a virtualenv's own "platstdlib" is its lib/pythonX.Y, which holds site-packages).
    return os.path.join(os.path.realpath(sysconfig.get_path("stdlib", vars={"installed_base": sys.base_prefix})), "")


def _source_modules(modules: dict[str, ModuleType]) -> Iterator[tuple[str, str, bool]]:
    """(name, origin, is a package) of every loaded module that was imported from a source file outside the
    standard library under its own name."""
    stdlib = _stdlib()
    for name, module in modules.items():
        spec = getattr(module, "__spec__", None)
        if spec is None or spec.name != name or not isinstance(spec.loader, SourceFileLoader):
            continue
        origin = spec.origin
        if not origin or not origin.endswith(".py") or os.path.realpath(origin).startswith(stdlib):
            continue
        if name.partition(".")[0] in sys.stdlib_module_names:
            continue
        yield name, origin, spec.submodule_search_locations is not None


def _relative(name: str, package: bool) -> str:
    parts = name.split(".")
    return os.path.join(*parts, "__init__.py") if package else os.path.join(*parts[:-1], parts[-1] + ".py")


def codes_of(modules: dict[str, ModuleType], tree: Path | None = None) -> dict[str, tuple[str, bool, CodeType]]:
    """The code of ``modules`` (those imported from a source file outside the standard library), as ``dump`` takes
    it: from ``tree`` (a bundle's sources, laid out as on ``sys.path``) for each module it holds, origins relative to
    it; without a tree, from where they were loaded, origins absolute."""
    codes: dict[str, tuple[str, bool, CodeType]] = {}
    for name, origin, package in _source_modules(modules):
        source = Path(origin)
        if tree is not None:
            origin = _relative(name, package)
            source = tree / origin
            if not source.is_file():
                continue  # not in the bundle (a tool of the checkout's virtualenv)
        # What the usual loader compiles (SourceLoader.source_to_code); the file names are fixed up at load.
        codes[name] = (origin, package, compile(source.read_bytes(), str(source), "exec", dont_inherit=True))
    return codes


def record(module: str, out: Path, tree: Path | None = None) -> int:
    """Import ``module`` (in a fresh interpreter, so that everything it needs is imported now) and write the code of
    the modules it loaded to ``out`` (``codes_of``). Returns how many modules."""
    if module in sys.modules:
        raise RuntimeError(f"{module} is imported already: record in a fresh interpreter")
    os.environ[SETTING] = "off"  # recorded from the sources, not from a file already shipped
    __import__(module)
    codes = codes_of(dict(sys.modules), tree)
    dump(codes, out)
    return len(codes)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m chalicelib.module_code OUT_FILE [BUNDLE_TREE] (records the modules of `import app`)",
              file=sys.stderr)
        return 2
    count = record("app", Path(argv[0]), Path(argv[1]) if len(argv) == 2 else None)
    print(f"module_code: {count} modules written to {argv[0]}")
    return 0


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``: the package's module must do the recording.
    from chalicelib.module_code import main as package_main

    sys.exit(package_main(sys.argv[1:]))
