"""The bundle's modules served from one file at INIT (chalicelib/module_code.py): the same modules as the usual
import, without finding and reading them one by one."""
from __future__ import annotations

import importlib
import importlib.resources
import inspect
import json
import os
import subprocess
import sys
import traceback
import uuid
from pathlib import Path

import pytest

from chalicelib import module_code
from chalicelib.coldstart import init_phase
from chalicelib.module_code import (ShippedLoader, ShippedModules, codes_of, configured_path, dump, load,
                                    shipped_modules)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A package with a subpackage, a resource and a module that raises, under a name no other test uses, on
    ``sys.path``; its modules are forgotten afterwards."""
    name = f"tm_shipped_{uuid.uuid4().hex[:8]}"
    package = tmp_path / name
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 41\n")
    (package / "mod.py").write_text("from . import VALUE\n\n\ndef fail():\n    raise ValueError(VALUE + 1)\n")
    (package / "sub" / "__init__.py").write_text("from ..mod import fail\n")
    (package / "late.py").write_text("LATE = True\n")
    (package / "data.txt").write_text("resource")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path, name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    importlib.invalidate_caches()


def recorded(root: Path, name: str, out: Path, relative: bool) -> int:
    """Imports the package as usual, writes its modules' code to ``out`` and forgets the modules again."""
    importlib.import_module(f"{name}.sub")
    modules = {m: sys.modules[m] for m in sys.modules if m == name or m.startswith(name + ".")}
    codes = codes_of(modules, root if relative else None)
    dump(codes, out)
    for module in modules:
        del sys.modules[module]
    return len(codes)


@pytest.mark.parametrize("relative", [True, False], ids=["from a bundle's tree", "from where they were loaded"])
def test_the_shipped_modules_are_the_modules_the_usual_import_makes(tree, tmp_path, relative):
    root, name = tree
    out = tmp_path / "module_code.bin"
    assert recorded(root, name, out, relative) == 3  # the package, mod and sub; not late (not imported)
    index, _ = load(out)  # type: ignore[misc]
    assert (index[name][0] == os.path.join(name, "__init__.py")) is relative

    with shipped_modules(out, root=root) as finder:
        assert sys.meta_path[0] is finder
        sub = importlib.import_module(f"{name}.sub")
    assert finder.served == 3 and finder not in sys.meta_path
    package, mod = sys.modules[name], sys.modules[f"{name}.mod"]
    assert package.VALUE == 41 and sub.fail is mod.fail
    assert package.__file__ == str(root / name / "__init__.py") and package.__path__ == [str(root / name)]
    assert mod.__file__ == str(root / name / "mod.py") and sub.__spec__.submodule_search_locations == [
        str(root / name / "sub")]
    assert isinstance(mod.__loader__, ShippedLoader) and mod.__loader__._code is None  # the file's bytes let go
    # Tracebacks and inspect name the module's real file, not the one it was compiled from.
    with pytest.raises(ValueError) as raised:
        sub.fail()
    frame = traceback.extract_tb(raised.tb)[-1]
    assert (frame.filename, frame.name, frame.line) == (str(root / name / "mod.py"), "fail", "raise ValueError(VALUE + 1)")
    assert "def fail" in inspect.getsource(mod.fail)
    # The usual loader's services: resources, and a module the file lacks is found as usual.
    assert importlib.resources.files(name).joinpath("data.txt").read_text() == "resource"
    late = importlib.import_module(f"{name}.late")
    assert late.LATE and not isinstance(late.__loader__, ShippedLoader)
    assert module_code.last_stats == (3, 3)


def test_a_module_the_file_lacks_is_imported_as_usual_within_the_block(tree, tmp_path):
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=True)
    with shipped_modules(out, root=root) as finder:
        late = importlib.import_module(f"{name}.late")
    assert finder.served == 1  # the package, on the way to late
    assert not isinstance(late.__loader__, ShippedLoader) and late.__file__ == str(root / name / "late.py")


@pytest.mark.parametrize("content", [None, b"", b"garbage", importlib.util.MAGIC_NUMBER + b"\x05\x00",
                                     importlib.util.MAGIC_NUMBER + (3).to_bytes(8, "little") + b"\x00\x01"])
def test_a_missing_damaged_or_truncated_file_is_ignored(tmp_path, content):
    path = tmp_path / "module_code.bin"
    if content is not None:
        path.write_bytes(content)
    assert load(path) is None
    before = list(sys.meta_path)
    with shipped_modules(path) as finder:
        assert finder is None and sys.meta_path == before


def test_a_file_of_another_interpreter_or_with_a_bad_index_is_ignored(tree, tmp_path):
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=True)
    data = out.read_bytes()
    foreign = tmp_path / "foreign.bin"
    foreign.write_bytes(b"\x00\x00\r\n" + data[4:])
    assert load(foreign) is None
    short = tmp_path / "short.bin"
    short.write_bytes(data[:-10])  # the last module's code runs past the end
    assert load(short) is None
    assert load(out) is not None


def test_a_damaged_module_entry_is_imported_as_usual(tree, tmp_path):
    """The index is sound but one module's code is not: that module comes from its own file, the others from the
    shipped code."""
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=True)
    index, body = load(out)  # type: ignore[misc]
    _origin, _package, at, size = index[f"{name}.mod"]
    start = len(out.read_bytes()) - len(body)
    del body
    data = bytearray(out.read_bytes())
    data[start + at:start + at + size] = b"\xff" * size  # not marshal data
    out.write_bytes(bytes(data))
    with shipped_modules(out, root=root):
        sub = importlib.import_module(f"{name}.sub")
    mod = sys.modules[f"{name}.mod"]
    assert sub.fail is mod.fail and mod.__file__ == str(root / name / "mod.py")
    with pytest.raises(ValueError):
        mod.fail()


def test_the_finder_leaves_even_when_the_block_fails(tree, tmp_path):
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=True)
    with pytest.raises(RuntimeError):
        with shipped_modules(out, root=root):
            raise RuntimeError("INIT failed")
    assert not any(isinstance(f, ShippedModules) for f in sys.meta_path)


def test_an_inner_block_uses_the_outer_finder(tree, tmp_path):
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=True)
    with shipped_modules(out, root=root) as outer:
        with shipped_modules(out, root=root) as inner:
            assert inner is outer and sum(isinstance(f, ShippedModules) for f in sys.meta_path) == 1
        assert outer in sys.meta_path
    assert outer not in sys.meta_path


def test_the_standard_library_is_never_recorded():
    import json as stdlib_json

    import chalicelib.clock as ours

    codes = codes_of({"json": stdlib_json, "chalicelib.clock": ours})
    assert list(codes) == ["chalicelib.clock"]


def test_init_phase_serves_the_configured_file(tree, tmp_path, monkeypatch):
    root, name = tree
    out = tmp_path / "module_code.bin"
    recorded(root, name, out, relative=False)  # absolute origins: init_phase's root is the checkout's
    monkeypatch.setenv(module_code.SETTING, str(out))
    with init_phase(shipped_modules=True):
        package = importlib.import_module(name)
    assert isinstance(package.__loader__, ShippedLoader)
    assert not any(isinstance(f, ShippedModules) for f in sys.meta_path)


def test_the_setting_names_the_file_or_turns_it_off(monkeypatch, tmp_path):
    path = tmp_path / "module_code.bin"
    path.write_bytes(b"x")
    monkeypatch.setenv(module_code.SETTING, str(path))
    assert configured_path() == path
    monkeypatch.setenv(module_code.SETTING, str(tmp_path / "absent.bin"))
    assert configured_path() is None
    monkeypatch.setenv(module_code.SETTING, "off")
    assert configured_path() is None
    monkeypatch.delenv(module_code.SETTING)
    assert configured_path() == (module_code.DEFAULT_PATH if module_code.DEFAULT_PATH.is_file() else None)


CHILD = """
import json, sys
import app
from chalicelib import module_code
# type() does not touch a deferred module; any attribute read (getattr below) runs it.
deferred = sorted(n for n, m in list(sys.modules.items()) if type(m).__name__ == "_LazyModule")
before = sorted(sys.modules)
for name in deferred:
    sys.modules[name].__name__
modules = {n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}
served = sorted(n for n, m in sys.modules.items() if type(getattr(m, "__loader__", None)).__name__ == "ShippedLoader")
from chalicelib.container import Container
print(json.dumps({"modules": modules, "served": served, "stats": module_code.last_stats, "deferred": deferred,
                  "before": before, "finders": [type(f).__name__ for f in sys.meta_path],
                  "co_filename": Container.build.__code__.co_filename}))
"""


def child(setting: str, code: str = CHILD) -> dict:
    env = {**os.environ, module_code.SETTING: setting, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def app_code(tmp_path_factory) -> tuple[Path, int]:
    """The module code of `import app`, recorded over the checkout, and how many modules the recorder said."""
    out = tmp_path_factory.mktemp("app_code") / "module_code.bin"
    done = subprocess.run([sys.executable, "-m", "chalicelib.module_code", str(out)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out, int(done.stdout.split()[1])


def test_the_app_recorded_once_imports_the_same_modules_from_the_file(app_code):
    """What `make package` ships (infra/precompile.py records it over the bundle's tree; here over the checkout):
    a cold `import app` with it serves the app, chalicelib and the dependencies from the file, and ends up with the
    very same modules, from the same files, as without it."""
    out, count = app_code
    index, _ = load(out)  # type: ignore[misc]
    assert count == len(index) > 400
    assert {"app", "chalicelib.container", "chalice.app", "botocore.client", "jwt.api_jwt"} <= set(index)
    assert not any(name.partition(".")[0] in sys.stdlib_module_names for name in index)

    shipped, usual = child(str(out)), child("off")
    assert usual["served"] == [] and usual["stats"] is None and usual["deferred"] == []
    # The deferred modules were made, not run: what they import was not imported at INIT.
    assert shipped["deferred"] == sorted(module_code.DEFERRED)
    waited = set(usual["modules"]) - set(shipped["before"])
    assert "cryptography.x509.name" in waited and all(name.startswith("cryptography.") for name in waited)
    # All but the few modules app.py imports before INIT starts (chalicelib, its coldstart and the two recorders),
    # and those the deferred modules import once run (INIT is over then: imported as usual).
    assert len(shipped["served"]) == shipped["stats"][0] >= len(index) - 5 - len(waited)
    # Once touched, the very same modules as the usual import.
    assert shipped["modules"] == usual["modules"]
    assert "ShippedModules" not in shipped["finders"]
    assert shipped["co_filename"] == usual["co_filename"] == str(ROOT / "chalicelib" / "container.py")


SIGNING_CHILD = """
import json, sys
import app
import jwt
from datetime import datetime, timezone
from chalicelib.keys import jws
from chalicelib.keys.jwk import generate_private_key, public_jwk, thumbprint
from chalicelib.keys.signer import LoadedKey

def waiting():
    return type(sys.modules["cryptography.x509"]).__name__ == "_LazyModule"

at_init = waiting()
key = generate_private_key()
now = datetime.now(timezone.utc)
token = jws.sign({"sub": "a", "exp": int(now.timestamp()) + 60}, LoadedKey(kid=thumbprint(key), private_key=key,
                                                                           loaded_at=now))
claims = jws.verify(token, {"keys": [public_jwk(key)]})
after_rs256 = waiting()
secret = "s" * 32
hs256 = jwt.decode(jwt.encode({"sub": "b"}, secret, algorithm="HS256"), secret, algorithms=["HS256"])
print(json.dumps({"at_init": at_init, "after_rs256": after_rs256, "sub": claims["sub"], "hs256": hs256["sub"],
                  "after_hs256": waiting(), "name_parser": "cryptography.x509.name" in sys.modules}))
"""


def test_a_deferred_module_waits_through_rs256_and_runs_when_touched(app_code):
    """PyJWT's ``cryptography.x509`` is deferred: signing and verifying RS256 tokens (what a token request does)
    leave it waiting; HS256, whose key check uses it, runs it and works."""
    result = child(str(app_code[0]), SIGNING_CHILD)
    assert result == {"at_init": True, "after_rs256": True, "sub": "a", "hs256": "b", "after_hs256": False,
                      "name_parser": True}
    assert child("off", SIGNING_CHILD)["at_init"] is False  # without the file, nothing is deferred
