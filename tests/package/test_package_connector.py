"""package_connector: wheels and sdists that install into a fresh venv and import, built twice
the same way, with clear errors for what a user can fix."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import InputError, SkillpackError
from skillpack.package._build import pack_wheel
from skillpack.package._deps import closure
from skillpack.tools import PackageConnectorIn, PackageConnectorOut, package_connector

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pkg_source_with_subpackage"
PLANTED_SECRET = "planted-secret-never-packaged-7Qx"
#: what the SDK parts a connector carries need at run time
# the SDK reads bodies through urllib3 (which requests brings anyway), so it says so
SDK_DEPS = ["pydantic", "requests", "urllib3"]


def _ws(base: Path) -> Path:
    """A writable copy of the bundled workspace plus the fixture source."""
    copy_bundled_workspace(base)
    shutil.copytree(FIXTURE / "sources" / "widgets", base / "sources" / "widgets")
    configs = base / "sources" / "widgets" / "configs"
    configs.mkdir()
    (configs / "dev_config.json").write_text(json.dumps({"api_key": PLANTED_SECRET}))
    return base


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ws(tmp_path_factory.mktemp("pkg") / "ws")


@pytest.fixture(scope="module")
def example_out(workspace: Path) -> PackageConnectorOut:
    return package_connector(
        PackageConnectorIn(source="example", workspace=str(workspace), single_file=True)
    )


@pytest.fixture(scope="module")
def kinto_out(workspace: Path) -> PackageConnectorOut:
    # The pack's wheel, built as verification builds it, handed in as `sdk_wheel`.
    wheel = pack_wheel(timeout_s=300)
    inp = PackageConnectorIn(source="kinto", workspace=str(workspace), sdk_wheel=str(wheel))
    return package_connector(inp)


@pytest.fixture(scope="module")
def widgets_out(workspace: Path) -> PackageConnectorOut:
    return package_connector(PackageConnectorIn(source="widgets", workspace=str(workspace)))


def _checks(out: PackageConnectorOut) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.detail) for c in out.checks}


def _artifact(out: PackageConnectorOut, kind: str) -> Path:
    return Path(next(a.path for a in out.artifacts if a.kind == kind))


def _wheel_digests(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        return {
            n: hashlib.sha256(zf.read(n)).hexdigest()
            for n in zf.namelist()
            if not n.endswith(".dist-info/RECORD")
        }


# --- the bundled connectors and the fixture install and import --------------------------------


def test_example_wheel_installs_in_a_fresh_venv_and_lists_tables(example_out):
    checks = _checks(example_out)
    assert example_out.passed is True
    assert example_out.distribution == "lakeflow-connector-example"
    assert example_out.connector_import == "lakeflow_connector_example.example"
    assert example_out.dependencies == SDK_DEPS
    for name in ("wheel_contents", "metadata", "venv_install", "venv_import"):
        assert checks[name][0] == "passed", checks[name]
    assert checks["venv_list_tables"] == ("passed", "tables: products, customers, orders, events")
    assert any("without connector-skillpack" in n for n in example_out.notes)
    wheel = _artifact(example_out, "wheel")
    assert wheel.parent == Path(example_out.pyproject_path).parent / "dist"


def test_kinto_wheel_installs_and_imports_and_lists_tables_only_online(kinto_out):
    checks = _checks(kinto_out)
    assert kinto_out.passed is True
    assert checks["venv_import"] == (
        "passed",
        "lakeflow_connector_kinto.kinto imports; connector class KintoLakeflowConnect",
    )
    status, detail = checks["venv_list_tables"]
    assert status == "skipped" and "needs the source" in detail
    assert any("given connector_skillpack-" in n for n in kinto_out.notes)


def test_subpackage_and_data_file_are_kept_and_load_from_the_installed_wheel(widgets_out):
    checks = _checks(widgets_out)
    assert widgets_out.passed is True
    assert widgets_out.packages == [
        "lakeflow_connector_widgets",
        "lakeflow_connector_widgets._skillpack",
        "lakeflow_connector_widgets._skillpack.sdk",
        "lakeflow_connector_widgets.handlers",
    ]
    assert widgets_out.data_files == ["lakeflow_connector_widgets/data/tables.json"]
    with zipfile.ZipFile(_artifact(widgets_out, "wheel")) as zf:
        names = set(zf.namelist())
        connector = zf.read("lakeflow_connector_widgets/widgets.py").decode()
    assert {
        "lakeflow_connector_widgets/handlers/__init__.py",
        "lakeflow_connector_widgets/handlers/catalog.py",
        "lakeflow_connector_widgets/handlers/paging.py",
        "lakeflow_connector_widgets/data/tables.json",
    } <= names
    assert "from lakeflow_connector_widgets.handlers.catalog import" in connector
    assert "sources.widgets" not in connector
    # list_tables() reads data/tables.json: it ran in the venv from the installed files
    assert checks["venv_list_tables"] == ("passed", "tables: widgets, colours")


def test_runtime_imports_become_dependencies_and_lazy_ones_do_not(widgets_out, example_out):
    # widgets uses the SDK's connector and schema modules only: they need neither library,
    # and its own code imports requests
    assert widgets_out.dependencies == ["requests"]
    # pyspark: the carried schema module converts to Spark types lazily
    assert widgets_out.optional_imports == ["pyarrow", "pyspark"]
    assert "pyspark" not in " ".join(example_out.dependencies)
    with zipfile.ZipFile(_artifact(widgets_out, "wheel")) as zf:
        meta = next(n for n in zf.namelist() if n.endswith("METADATA"))
        text = zf.read(meta).decode()
    assert "Requires-Dist: requests" in text
    assert "connector-skillpack" not in text


def test_the_wheel_carries_the_sdk_parts_it_uses_and_imports_them_from_there(example_out):
    with zipfile.ZipFile(_artifact(example_out, "wheel")) as zf:
        names = set(zf.namelist())
        connector = zf.read("lakeflow_connector_example/example.py").decode()
        http = zf.read("lakeflow_connector_example/_skillpack/sdk/http.py").decode()
    assert "lakeflow_connector_example/_skillpack/errors.py" in names
    assert "from lakeflow_connector_example._skillpack.sdk.http import RestClient" in connector
    assert "from skillpack" not in connector + http
    checks = _checks(example_out)
    status, detail = checks["runtime_dependencies"]
    installed, _ = closure(SDK_DEPS)
    assert status == "passed"
    assert detail.startswith(f"{len(installed) + 1} distributions")


def test_credentials_and_tests_never_reach_the_artifacts(widgets_out, workspace):
    assert (workspace / "sources" / "widgets" / "configs" / "dev_config.json").is_file()
    for kind in ("wheel", "sdist"):
        path = _artifact(widgets_out, kind)
        if kind == "wheel":
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                blob = b"".join(zf.read(n) for n in names)
        else:
            with tarfile.open(path) as tf:
                names = tf.getnames()
                blob = b"".join(
                    tf.extractfile(m).read()
                    for m in tf.getmembers()
                    if m.isfile()  # type: ignore[union-attr]
                )
        assert not any("configs" in n or "test_" in n for n in names), names
        assert PLANTED_SECRET.encode() not in blob
    assert PLANTED_SECRET not in widgets_out.model_dump_json()


# --- the single-file form ---------------------------------------------------------------------


def test_single_file_imports_without_the_pack_and_passes_the_suite(example_out):
    checks = _checks(example_out)
    merged = _artifact(example_out, "single_file")
    assert merged.name == "example_connector.py"
    assert example_out.single_file_requires == SDK_DEPS
    assert checks["single_file_import"][0] == "passed", checks["single_file_import"]
    assert checks["single_file_list_tables"][0] == "passed"
    status, detail = checks["single_file_suite"]
    assert status == "passed", detail
    assert " 0 failed" in detail and "simulate" in detail
    assert "skillpack" not in "".join(
        line for line in merged.read_text().splitlines() if line.startswith(("import", "from"))
    )
    assert not (merged.parent / "__pycache__").exists()


# --- re-running -------------------------------------------------------------------------------


def test_rerun_gives_identical_pyproject_and_an_equivalent_wheel(tmp_path):
    ws = _ws(tmp_path / "ws")
    inp = PackageConnectorIn(source="widgets", workspace=str(ws), verify=False)
    first = package_connector(inp)
    pyproject = Path(first.pyproject_path).read_bytes()
    wheel = _wheel_digests(_artifact(first, "wheel"))
    second = package_connector(inp)
    assert (first.pyproject_changed, second.pyproject_changed) == (True, False)
    assert Path(second.pyproject_path).read_bytes() == pyproject
    assert _wheel_digests(_artifact(second, "wheel")) == wheel
    assert second.passed is True


def test_user_edits_to_pyproject_reach_the_next_wheel(tmp_path):
    ws = _ws(tmp_path / "ws")
    first = package_connector(PackageConnectorIn(source="widgets", workspace=str(ws), verify=False))
    path = Path(first.pyproject_path)
    text = path.read_text()
    text = text.replace(
        'dependencies = ["requests"]', 'dependencies = ["requests>=2.31", "rich"]', 1
    )
    text = text.replace('requires-python = ">=3.10"\n', 'requires-python = ">=3.10"\n# ours\n')
    path.write_text(text + '\n[project.urls]\nHomepage = "https://example.invalid"\n')
    second = package_connector(
        PackageConnectorIn(source="widgets", workspace=str(ws), version="0.2.0", verify=False)
    )
    assert second.passed is True
    assert second.version == "0.2.0"
    assert second.dependencies == ["requests>=2.31", "rich"]
    assert "# ours" in path.read_text()
    with zipfile.ZipFile(_artifact(second, "wheel")) as zf:
        meta = zf.read("lakeflow_connector_widgets-0.2.0.dist-info/METADATA").decode()
    assert "Requires-Dist: rich" in meta
    assert "Project-URL: Homepage, https://example.invalid" in meta


# --- errors a user can fix --------------------------------------------------------------------


def test_no_connector_module_is_an_input_error_and_writes_nothing(tmp_path):
    (tmp_path / "sources" / "ghost").mkdir(parents=True)
    with pytest.raises(InputError) as info:
        package_connector(PackageConnectorIn(source="ghost", workspace=str(tmp_path)))
    assert info.value.code == "no-connector"
    assert list((tmp_path / "sources" / "ghost").iterdir()) == []


def test_missing_sdk_wheel_is_an_input_error(tmp_path):
    ws = _ws(tmp_path / "ws")
    inp = PackageConnectorIn(source="widgets", workspace=str(ws), sdk_wheel=str(tmp_path / "x.whl"))
    with pytest.raises(InputError, match=r"x\.whl"):
        package_connector(inp)
    assert not (ws / "sources" / "widgets" / "dist").exists()


def test_invalid_version_is_an_input_error_and_writes_nothing(tmp_path):
    ws = _ws(tmp_path / "ws")
    with pytest.raises(InputError) as info:
        package_connector(PackageConnectorIn(source="widgets", workspace=str(ws), version="1.x"))
    assert info.value.code == "bad-version"
    assert not (ws / "sources" / "widgets" / "pyproject.toml").exists()


def test_syntax_error_names_file_and_line(tmp_path):
    ws = _ws(tmp_path / "ws")
    catalog = ws / "sources" / "widgets" / "handlers" / "catalog.py"
    catalog.write_text(catalog.read_text() + "\ndef broken(:\n")
    with pytest.raises(InputError) as info:
        package_connector(PackageConnectorIn(source="widgets", workspace=str(ws), verify=False))
    assert info.value.code == "syntax-error"
    assert "catalog.py:" in str(info.value) and "def broken(:" in str(info.value)


def test_build_failure_carries_the_log_not_a_traceback_and_keeps_old_artifacts(tmp_path):
    ws = _ws(tmp_path / "ws")
    good = package_connector(PackageConnectorIn(source="widgets", workspace=str(ws), verify=False))
    wheel = _artifact(good, "wheel")
    before = wheel.read_bytes()
    path = Path(good.pyproject_path)
    path.write_text(path.read_text().replace('description = "', "description = 12 #", 1))
    with pytest.raises(SkillpackError) as info:
        package_connector(PackageConnectorIn(source="widgets", workspace=str(ws), verify=False))
    err = info.value
    assert err.code == "build-failed"
    assert "project.description" in str(err) and "\n" not in str(err)
    assert "build log" in err.hint and "project.description" in err.hint
    assert "Traceback" not in err.hint and 'File "' not in err.hint
    assert wheel.read_bytes() == before


# --- the CLI face -----------------------------------------------------------------------------


def test_cli_package_prints_json_and_exits_0(tmp_path, capsys):
    ws = _ws(tmp_path / "ws")
    code = main(["package", "widgets", "--workspace", str(ws), "--no-verify", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["passed"] is True
    assert [a["kind"] for a in out["artifacts"]] == ["wheel", "sdist"]


def test_cli_bad_version_exits_2_with_one_line(tmp_path, capsys):
    ws = _ws(tmp_path / "ws")
    code = main(["package", "widgets", "--workspace", str(ws), "--version", "v1..0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: invalid version `v1..0`" in err
    assert "Traceback" not in err
