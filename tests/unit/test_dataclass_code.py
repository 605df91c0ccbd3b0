"""Shipped dataclass methods (chalicelib/dataclass_code.py): the same classes as compiling them, without compiling."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib import dataclass_code
from chalicelib.dataclass_code import CodeCache, compiled_dataclasses, configured_path, dump, load

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__")


def define() -> dict[str, type]:
    """Dataclasses of every shape the app uses: frozen and slotted, defaults, factories, ordering, a weakref slot."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Record:
        name: str
        size: int = 3
        tags: tuple[str, ...] = ()
        extra: dict[str, int] = dataclasses.field(default_factory=dict, compare=False)

    @dataclasses.dataclass(order=True)
    class Mutable:
        key: str
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(slots=True, weakref_slot=True)
    class Weak:
        value: int

    return {"Record": Record, "Mutable": Mutable, "Weak": Weak}


def codes_of(classes: dict[str, type]) -> dict[str, bytes]:
    out = {}
    for name, cls in classes.items():
        for method in METHODS:
            function = cls.__dict__.get(method)
            if function is not None and hasattr(function, "__code__"):
                out[f"{name}.{method}"] = marshal.dumps(function.__code__)
    return out


def behaviour(classes: dict[str, type]) -> list:
    record, mutable, weak = classes["Record"], classes["Mutable"], classes["Weak"]
    a, b = record("a", tags=("t",)), record("a", extra={"x": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        record()  # type: ignore[call-arg]
    m1, m2 = mutable("a"), mutable("b", [1])
    m1.items.append(2)
    return [repr(a), a == record("a", tags=("t",)), a == b, hash(record("a", tags=("t",))) == hash(record("a", tags=("t",))),
            a.extra is not record("a").extra,
            repr(m1), m1 < m2, sorted([m2, m1]) == [m1, m2], mutable("c").items, repr(weak(1)),
            record.__slots__, dataclasses.fields(record)[3].name]


@pytest.fixture
def restored():
    yield
    assert "exec" not in dataclasses.__dict__  # every block gives dataclasses back its builtin


def test_shipped_code_makes_the_same_classes_without_compiling(tmp_path, restored):
    plain = define()
    with compiled_dataclasses(None) as recording:
        recorded = define()
    assert recording.compiled > 0 and recording.shipped == 0
    dump(recording.codes, tmp_path / "code.bin")

    with compiled_dataclasses(tmp_path / "code.bin") as shipped:
        replayed = define()
    assert shipped.compiled == 0 and shipped.shipped == recording.compiled

    assert codes_of(replayed) == codes_of(plain) == codes_of(recorded)
    assert behaviour(replayed) == behaviour(plain)


def test_a_text_the_file_lacks_is_compiled_as_dataclasses_would(tmp_path, restored):
    with compiled_dataclasses(None) as recording:
        define()
    dump({k: v for i, (k, v) in enumerate(recording.codes.items()) if i % 2}, tmp_path / "half.bin")
    with compiled_dataclasses(tmp_path / "half.bin") as cache:
        half = define()
    assert 0 < cache.compiled < recording.compiled
    assert codes_of(half) == codes_of(define()) and behaviour(half) == behaviour(define())


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x00\x00\r\n", b"\x00" * 64])
def test_a_missing_damaged_or_foreign_file_is_ignored(tmp_path, restored, content):
    path = tmp_path / "code.bin"
    path.write_bytes(content)
    assert load(path) == {}
    assert load(tmp_path / "missing.bin") == {}
    with compiled_dataclasses(path) as cache:
        classes = define()
    assert cache.shipped == 0 and behaviour(classes) == behaviour(define())


def test_a_file_of_another_interpreter_is_ignored(tmp_path, restored):
    with compiled_dataclasses(None) as recording:
        define()
    foreign = bytearray(dataclass_code.MAGIC)
    foreign[0] ^= 0xFF  # another bytecode format: its marshal may not load here
    (tmp_path / "code.bin").write_bytes(bytes(foreign) + marshal.dumps(recording.codes))
    assert load(tmp_path / "code.bin") == {}
    dump(recording.codes, tmp_path / "ours.bin")
    assert set(load(tmp_path / "ours.bin")) == set(recording.codes)


def test_a_marshalled_value_that_is_not_code_is_ignored(tmp_path, restored):
    (tmp_path / "code.bin").write_bytes(dataclass_code.MAGIC + marshal.dumps({"text": "not code", 3: b"x"}))
    assert load(tmp_path / "code.bin") == {}
    (tmp_path / "list.bin").write_bytes(dataclass_code.MAGIC + marshal.dumps([1, 2]))
    assert load(tmp_path / "list.bin") == {}


def test_dataclasses_gets_its_exec_back_even_when_the_block_fails(restored):
    with pytest.raises(ImportError):
        with compiled_dataclasses(None):
            assert isinstance(dataclasses.exec.__self__, CodeCache)  # type: ignore[attr-defined]
            raise ImportError("a module failed to import")


def test_an_inner_block_uses_the_outer_cache(restored):
    with compiled_dataclasses(None) as outer:
        with compiled_dataclasses(Path("/nonexistent")) as inner:
            define()
        assert inner is outer and outer.compiled > 0
        assert dataclasses.exec.__self__ is outer  # type: ignore[attr-defined] # the inner block left it in place


def test_the_setting_names_the_file_or_turns_it_off(monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere.bin"
    monkeypatch.setenv(dataclass_code.SETTING, str(elsewhere))
    assert configured_path() is None  # no such file: INIT compiles as usual
    elsewhere.write_bytes(b"")
    assert configured_path() == elsewhere
    monkeypatch.setenv(dataclass_code.SETTING, "off")
    assert configured_path() is None
    monkeypatch.delenv(dataclass_code.SETTING)
    assert configured_path() == (dataclass_code.DEFAULT_PATH if dataclass_code.DEFAULT_PATH.is_file() else None)


CHILD = """
import dataclasses, hashlib, json, marshal, sys
import app
from chalicelib import dataclass_code
digests = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("chalicelib"):
        continue
    for cls in vars(module).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name:
            for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
                function = cls.__dict__.get(method)
                if function is not None and hasattr(function, "__code__"):
                    digests[f"{name}.{cls.__qualname__}.{method}"] = hashlib.sha256(
                        marshal.dumps(function.__code__)).hexdigest()
stats = dataclass_code.last_stats
print(json.dumps({"digests": digests, "shipped": stats[0] if stats else None,
                  "compiled": stats[1] if stats else None, "patched": "exec" in dataclasses.__dict__}))
"""


def child(setting: str) -> dict:
    env = {**os.environ, dataclass_code.SETTING: setting, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_recorded_once_imports_without_compiling_a_dataclass_method(tmp_path):
    """What `make package` ships (infra/precompile.py): recorded from `import app`, then a cold `import app` with it
    compiles none of them and gets the very same methods as without it."""
    out = tmp_path / "dataclass_code.bin"
    done = subprocess.run([sys.executable, "-m", "chalicelib.dataclass_code", str(out)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    recorded = int(done.stdout.split()[1])
    assert recorded > 300 and len(load(out)) == recorded

    shipped, compiled = child(str(out)), child("off")
    assert shipped["shipped"] == recorded and shipped["compiled"] == 0
    assert compiled["shipped"] is None  # off: app.py's INIT did not touch dataclasses
    assert not shipped["patched"] and not compiled["patched"]
    assert len(shipped["digests"]) > 300
    assert shipped["digests"] == compiled["digests"]
