"""infra/precompile.py: bytecode for the Lambda bundle, only for the runtime's Python (no AWS, no packaging)."""
from __future__ import annotations

import importlib.util
import sys
import zipfile

import pytest

from infra.precompile import check_interpreter, precompile

HERE = f"python{sys.version_info.major}.{sys.version_info.minor}"


def sam(runtime: str) -> dict:
    return {"Resources": {"APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": runtime}},
                          "Role": {"Type": "AWS::IAM::Role", "Properties": {}}}}


def test_the_interpreter_must_be_the_runtimes_python():
    assert check_interpreter(sam(HERE)) == HERE
    with pytest.raises(SystemExit, match="python3.9"):
        check_interpreter(sam("python3.9"))


def test_a_runtime_set_in_globals_counts_too():
    template = {"Globals": {"Function": {"Runtime": "python2.7"}}, **sam(HERE)}
    with pytest.raises(SystemExit, match="python2.7"):
        check_interpreter(template)


def test_precompile_adds_bytecode_and_keeps_the_original_entries(tmp_path):
    bundle = tmp_path / "deployment.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("app.py", "VALUE = 42\n")
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/mod.py", "def f():\n    return 'x'\n")
        native = zipfile.ZipInfo("pkg/native.so")
        native.external_attr = 0o755 << 16
        archive.writestr(native, b"\x7fELF")
    assert precompile(bundle) == 3
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"app.py", "pkg/__init__.py", "pkg/mod.py", "pkg/native.so", f"__pycache__/app.{tag}.pyc",
                f"pkg/__pycache__/__init__.{tag}.pyc", f"pkg/__pycache__/mod.{tag}.pyc"} == names
        assert archive.getinfo("pkg/native.so").external_attr >> 16 == 0o755
        assert archive.read("pkg/native.so") == b"\x7fELF"
        pyc = archive.read(f"pkg/__pycache__/mod.{tag}.pyc")
        assert pyc[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(pyc[4:8], "little") == 0b01
        assert pyc[8:16] == importlib.util.source_hash(archive.read("pkg/mod.py"))


def test_a_module_that_does_not_compile_fails_the_build(tmp_path):
    bundle = tmp_path / "deployment.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("broken.py", "def (:\n")
    before = bundle.read_bytes()
    with pytest.raises(SystemExit, match="failed to compile"):
        precompile(bundle)
    assert bundle.read_bytes() == before
