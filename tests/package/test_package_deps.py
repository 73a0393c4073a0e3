"""Run-time dependencies read from a connector's imports, and what goes in its package."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from skillpack import __version__
from skillpack.errors import InputError
from skillpack.package._deps import (
    closure,
    detect,
    link_installed,
    package_files,
    parse_python,
    scan_imports,
)

PREFIXES = ("sources.shop",)


def _detect(code: str):
    text = textwrap.dedent(code)
    return detect(scan_imports(ast.parse(text), "shop.py"), PREFIXES)


def test_module_level_imports_are_declared_and_the_stdlib_is_not():
    found = _detect(
        """
        import json
        import requests
        from skillpack.sdk.http import RestClient
        from sources.shop.handlers import users
        """
    )
    assert found.requirements == [f"connector-skillpack>={__version__}", "requests"]
    assert found.unresolved == [] and found.optional == []


@pytest.mark.parametrize(
    "code",
    [
        "def to_spark():\n    import pyspark\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pyspark\n",
        "try:\n    import pyspark\nexcept ImportError:\n    pyspark = None\n",
    ],
    ids=["in-function", "type-checking", "guarded"],
)
def test_lazy_or_guarded_pyspark_is_optional_not_declared(code):
    found = _detect(code)
    assert found.requirements == []
    assert found.optional == ["pyspark"]


def test_module_level_pyspark_is_declared(monkeypatch):
    # Whether pyspark is installed here must not matter: the environment's module map is fixed.
    import skillpack.package._deps as deps

    monkeypatch.setattr(deps, "_distributions_by_module", lambda: {"pyspark": ["pyspark"]})
    assert _detect("import pyspark.sql\n").requirements == ["pyspark"]


def test_imports_in_a_class_body_run_at_import_time():
    assert _detect("class A:\n    import yaml\n").requirements == ["PyYAML"]


def test_a_module_no_distribution_provides_is_unresolved():
    found = _detect("import no_such_module_zq\n")
    assert found.unresolved == ["no_such_module_zq"]
    assert found.requirements == []


def test_syntax_error_names_file_and_line():
    with pytest.raises(InputError) as info:
        parse_python("x = 1\ndef broken(:\n", "sources/shop/shop.py")
    assert info.value.code == "syntax-error"
    assert "sources/shop/shop.py:2" in str(info.value)


def test_package_files_leave_out_credentials_builds_tests_and_hidden_files(tmp_path):
    src = tmp_path / "shop"
    for rel in (
        "shop.py",
        "handlers/__init__.py",
        "handlers/users.py",
        "data/tables.json",
        "configs/dev_config.json",
        "dist/old.whl",
        "tests/test_shop.py",
        "shop_test_utils.py",
        "test_more.py",
        ".env",
        "pyproject.toml",
        "handlers/__pycache__/users.cpython-311.pyc",
    ):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("x", encoding="utf-8")
    names = [p.relative_to(src).as_posix() for p in package_files(src)]
    assert names == ["data/tables.json", "handlers/__init__.py", "handlers/users.py", "shop.py"]


def test_closure_follows_requirements_and_links_only_those(tmp_path):
    dists, missing = closure(["requests"])
    names = {d.name.lower().replace("_", "-") for d in dists}
    assert {"requests", "urllib3", "idna", "certifi", "charset-normalizer"} <= names
    assert "pydantic" not in names
    assert missing == []
    link_installed(dists, tmp_path)
    assert (tmp_path / "requests" / "__init__.py").is_file()
    assert not (tmp_path / "pydantic").exists()


def test_closure_reports_what_is_not_installed():
    _, missing = closure(["no-such-distribution-zq"])
    assert missing == ["no-such-distribution-zq"]


def test_closure_skips_a_distribution_and_its_dependencies():
    dists, _ = closure(["requests"], skip=["requests"])
    assert dists == []


def test_scan_of_a_real_connector_finds_only_the_pack():
    example = Path(__file__).resolve().parents[2] / "tools/skillpack/examples/workspace"
    path = example / "sources/example/example.py"
    uses = scan_imports(parse_python(path.read_text(encoding="utf-8"), str(path)), str(path))
    assert detect(uses, ("sources.example",)).requirements == [
        f"connector-skillpack>={__version__}"
    ]


def test_closure_leaves_out_requirements_of_extras_not_asked_for():
    # A wheel's Requires-Dist lists its extras' requirements with an `extra ==` marker.
    dists, missing = closure(['no-such-distribution-zq; extra == "spark"', "requests"])
    assert missing == []
    assert "requests" in {d.name.lower() for d in dists}
