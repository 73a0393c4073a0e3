"""The single-file merge: one module that means what the separate modules meant."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from skillpack.errors import InputError
from skillpack.layout import bundled_workspace, source_paths
from skillpack.package._merge import merge_connector

REPO = Path(__file__).resolve().parents[2]


def _workspace(root: Path, files: dict[str, str]) -> Path:
    for rel, code in files.items():
        path = root / "sources" / "mix" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip(), encoding="utf-8")
    return root


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _merge_and_load(tmp_path: Path, files: dict[str, str]) -> ModuleType:
    merged = merge_connector(source_paths("mix", _workspace(tmp_path / "ws", files)))
    target = tmp_path / "mix_merged.py"
    target.write_text(merged.text, encoding="utf-8")
    return _load(target, f"mix_merged_{tmp_path.name}")


HELPERS = {
    "a.py": """
        _SENTINEL = "from a"
        _count = 0


        def a_value():
            return _SENTINEL


        def bump_a():
            global _count
            _count += 1
            return _count
    """,
    "helpers/__init__.py": "",
    "helpers/b.py": """
        from ..a import a_value as av

        _SENTINEL = "from b"
        _count = 100


        def b_value():
            return _SENTINEL, av()


        def bump_b():
            global _count
            _count += 1
            return _count


        def filter(items):
            return [i for i in items if i]


        def keep_truthy(items):
            return filter(items)
    """,
}


def test_names_defined_in_two_modules_keep_their_own_meaning(tmp_path):
    module = _merge_and_load(
        tmp_path,
        {
            **HELPERS,
            "mix.py": """
                from sources.mix.a import a_value, bump_a
                from sources.mix.helpers.b import b_value, bump_b, keep_truthy

                from skillpack import InputError
                from skillpack.sdk import LakeflowConnect


                class MixLakeflowConnect(LakeflowConnect):
                    def list_tables(self):
                        raise InputError("no tables", hint="none")


                def values():
                    return a_value(), b_value(), bump_a(), bump_b(), bump_a()


                def builtin_filter(items):
                    return list(filter(None, items))


                def late():
                    from sources.mix.a import a_value as again

                    return again()
            """,
        },
    )
    assert module.values() == ("from a", ("from b", "from a"), 1, 101, 2)
    # the helper's own `filter` is renamed, so the builtin still works everywhere else
    assert module.builtin_filter([0, 1, 2]) == [1, 2]
    assert module.keep_truthy([0, 3]) == [3]
    # a function-level import of an internal module resolves to the merged name
    assert module.late() == "from a"
    # names re-exported by a package's __init__ resolve to their definitions
    assert module.MixLakeflowConnect.__mro__[1] is module.LakeflowConnect
    with pytest.raises(module.InputError, match="no tables"):
        module.MixLakeflowConnect.list_tables(None)


def test_merged_text_is_stable(tmp_path):
    ws = _workspace(tmp_path, {**HELPERS, "mix.py": "from sources.mix.a import a_value\n"})
    paths = source_paths("mix", ws)
    assert merge_connector(paths).text == merge_connector(paths).text


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("import skillpack.sdk.http\n", "imports a module object"),
        ("from sources.mix import a\n", "is a module"),
        ("from sources.mix.a import *\n", "cannot be merged"),
        ("from sources.mix.a import nothing_here\n", "is not defined"),
    ],
)
def test_forms_that_cannot_be_merged_name_the_line(tmp_path, code, what):
    ws = _workspace(tmp_path, {**HELPERS, "mix.py": "x = 1\n" + code})
    with pytest.raises(InputError) as info:
        merge_connector(source_paths("mix", ws))
    assert info.value.code == "cannot-merge"
    assert what in str(info.value)
    assert "mix.py:2" in str(info.value)


@pytest.fixture(scope="module")
def merged_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = source_paths("example", bundled_workspace())
    target = tmp_path_factory.mktemp("merged") / "example_connector.py"
    target.write_text(merge_connector(paths).text, encoding="utf-8")
    return target


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]])
def test_merged_example_passes_ruff(merged_example, command):
    config = ["--config", str(REPO / "pyproject.toml")]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *config, str(merged_example)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_merged_example_reads_what_the_connector_reads(merged_example):
    from skillpack.examples.example_api import example_service

    merged = _load(merged_example, "example_connector_under_test")
    original = _load(
        bundled_workspace() / "sources" / "example" / "example.py", "example_original_under_test"
    )
    assert not any(k.startswith("skillpack") for k in vars(merged) if k != "__builtins__")
    with example_service("live") as config:
        ours = merged.ExampleLakeflowConnect(config)
        theirs = original.ExampleLakeflowConnect(config)
        assert ours.list_tables() == theirs.list_tables()
        for table in theirs.list_tables():
            rows, offset = ours.read_table(table, None, {})
            want_rows, want_offset = theirs.read_table(table, None, {})
            assert (list(rows), offset) == (list(want_rows), want_offset)
            assert (
                ours.get_table_schema(table, {}).json() == theirs.get_table_schema(table, {}).json()
            )
