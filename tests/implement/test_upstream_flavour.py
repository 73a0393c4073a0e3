"""In an upstream checkout, implement and create write what a contributor would send.

The fixture is a miniature checkout of our own (tests/fixtures/upstream_checkout) with a
stand-in of the checkout's interface module. The connector generated there imports that
interface, pyspark's schema types and its own helper module, never the pack; it reads the
bundled example API through those helpers; its simulator spec and corpus sit where the
checkout's harness reads them; and `skillpack create` commits on the source's branch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import git
import pytest
import yaml

from skillpack.cli import main
from skillpack.create.orchestrator import context_for, run_create
from skillpack.create.state import branch_for
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace
from skillpack.tools import (
    ImplementConnectorIn,
    PackageConnectorIn,
    ReviewConnectorIn,
    implement_connector,
    package_connector,
    review_connector,
)
from skillpack.writeback._test_file_patch import wire_test_file

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "upstream_checkout"
EXAMPLE_DOC = bundled_workspace() / "sources" / "example" / "example_api_doc.md"
SOURCES = Path("src/databricks/labs/community_connector/sources")
SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")
#: the lint settings of the public checkout's pyproject (its [tool.ruff] tables)
UPSTREAM_RUFF = """\
[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "I", "PLR1730"]
"""


def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text(UPSTREAM_RUFF, encoding="utf-8")
    return root


def _implement(root: Path) -> dict:
    inp = ImplementConnectorIn(path=str(EXAMPLE_DOC), source="demo_shop", workspace=str(root))
    return implement_connector(inp).model_dump()


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("ruff is not installed (CI=true installs the dev extra)")
    pytest.skip("ruff is not installed: pip install 'connector-skillpack[dev]'")


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, dict]:
    root = _checkout(tmp_path)
    return root, _implement(root)


def test_files_go_to_the_checkouts_paths_and_nowhere_else(checkout):
    root, out = checkout
    written = sorted(str(Path(p).relative_to(root)) for p in out["files_written"])
    source = SOURCES / "demo_shop"
    assert written == sorted(
        str(p)
        for p in [
            source / "__init__.py",
            source / "demo_shop.py",
            source / "demo_shop_api_doc.md",
            source / "demo_shop_utils.py",
            source / "pyproject.toml",
            *(SPECS / "demo_shop" / "corpus" / f"{t}.json" for t in TABLES_AND_FEED),
            SPECS / "demo_shop" / "endpoints.yaml",
            Path("tests/unit/sources/demo_shop/__init__.py"),
            Path("tests/unit/sources/demo_shop/test_demo_shop_lakeflow_connect.py"),
        ]
    )
    assert out["simulator_spec"] == str(root / SPECS / "demo_shop" / "endpoints.yaml")


TABLES_AND_FEED = ["customers", "events", "orders", "orders_deleted", "products"]


@pytest.mark.parametrize("timed", [0, 2, 3])
def test_times_are_declared_as_the_checkouts_own_connectors_declare_them(tmp_path, timed):
    root = _checkout(tmp_path)
    # `timed` of the fixture's three connectors declare a timestamp column
    for folder in sorted((root / SOURCES).iterdir())[:timed]:
        module = next(p for p in folder.glob("*.py") if p.name != "__init__.py")
        module.write_text(module.read_text() + "\n# TimestampType() in a schema\n")
    out = _implement(root)
    text = Path(out["connector_module"]).read_text(encoding="utf-8")
    column = next(ln for ln in text.splitlines() if 'StructField("updated_at"' in ln)
    assert ("TimestampType()" in column) == (timed >= 2), column
    assert ("StringType()" in column) == (timed < 2), column


def test_generated_code_imports_the_checkout_not_the_pack(checkout):
    root, _ = checkout
    connector = (root / SOURCES / "demo_shop" / "demo_shop.py").read_text()
    assert "from databricks.labs.community_connector.interface import LakeflowConnect" in connector
    assert "from pyspark.sql.types import (" in connector
    assert "from databricks.labs.community_connector.sources.demo_shop.demo_shop_utils" in connector
    test_file = root / "tests/unit/sources/demo_shop/test_demo_shop_lakeflow_connect.py"
    tests = test_file.read_text()
    assert "from tests.unit.sources.test_suite import LakeflowConnectTests" in tests
    assert 'simulator_source = "demo_shop"' in tests
    for path in [*(root / SOURCES / "demo_shop").glob("*.py"), test_file]:
        lines = path.read_text().splitlines()
        assert not [
            line for line in lines if line.startswith(("from skillpack", "import skillpack"))
        ]


def test_generated_code_passes_the_checkouts_lint_and_regenerates_unchanged(checkout):
    root, _ = checkout
    files = [str(p) for p in (root / SOURCES / "demo_shop").glob("*.py")]
    files.append(str(root / "tests/unit/sources/demo_shop/test_demo_shop_lakeflow_connect.py"))
    done = subprocess.run([*_ruff(), "check", *files], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stdout[-3000:]
    inp = ImplementConnectorIn(source="demo_shop", workspace=str(root))
    again = implement_connector(inp).model_dump()
    assert again["files_written"] == [] and again["files_kept"] == []


def test_the_simulator_spec_serves_every_table_from_its_corpus(checkout):
    root, _ = checkout
    spec = yaml.safe_load((root / SPECS / "demo_shop" / "endpoints.yaml").read_text())
    by_path = {e["path"]: e for e in spec["endpoints"]}
    assert sorted(by_path) == [
        "/v1/customers",
        "/v1/events",
        "/v1/orders",
        "/v1/orders/deleted",
        "/v1/products",
    ]
    customers = by_path["/v1/customers"]
    # cursor paging is served as one page whose wrapper says there is no next one
    assert customers["response"]["pagination_style"] == "none"
    assert customers["response"]["wrapper"] == {
        "records_key": "data",
        "extras": {"next_cursor": None},
    }
    assert customers["params"]["since"] == {"role": "filter", "field": "updated_at", "op": "gte"}
    records = json.loads((root / SPECS / "demo_shop" / "corpus" / "customers.json").read_text())
    assert len(records) == 25
    assert len({r["id"] for r in records}) == 25
    assert all(r["updated_at"] for r in records)


def test_the_connector_reads_the_live_example_api_through_its_helpers(checkout):
    pytest.importorskip(
        "pyspark", reason="pyspark missing: pip install 'connector-skillpack[spark]'"
    )
    root, _ = checkout
    code = (
        "import json, sys\n"
        "from databricks.labs.community_connector.sources.demo_shop.demo_shop import "
        "DemoShopLakeflowConnect\n"
        "c = DemoShopLakeflowConnect(json.loads(sys.argv[1]))\n"
        "rows, offset = c.read_table('customers', None, {})\n"
        "print(json.dumps([c.list_tables(), len(list(rows)), bool(offset)]))\n"
    )
    with serve_example_api() as server:
        options = json.dumps({"base_url": server.url, "api_key": server.api_key})
        done = subprocess.run(
            [sys.executable, "-c", code, options],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"},
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    tables, count, has_offset = json.loads(done.stdout)
    assert tables == ["products", "customers", "orders", "events"]
    assert count > 0 and has_offset


def test_create_commits_on_the_sources_branch_and_only_its_folders(tmp_path):
    root = _checkout(tmp_path)
    (root / ".gitignore").write_text("__pycache__/\n")
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    actor = git.Actor("t", "t@localhost")
    start = repo.index.commit("checkout", author=actor, committer=actor).hexsha
    (root / "NOTES.md").write_text("the user's own work in progress\n")
    ctx = context_for(
        "demo_shop",
        doc=str(EXAMPLE_DOC),
        workspace=str(root),
        config_values={"base_url": "http://127.0.0.1:9/v1", "api_key": "stand-in"},
    )
    run_create(ctx, until="implement")
    assert repo.active_branch.name == branch_for("demo_shop") == "connector/demo_shop"
    assert repo.heads["main"].commit.hexsha == start
    changed = repo.git.diff("--name-only", start, "HEAD").splitlines()
    assert changed and all(
        p.startswith(
            (f"{SOURCES}/demo_shop/", f"{SPECS}/demo_shop/", "tests/unit/sources/demo_shop/")
        )
        for p in changed
    ), changed
    assert "dev_config.json" not in " ".join(changed)
    assert (root / ".gitignore").read_text() == "__pycache__/\n"
    assert "NOTES.md" in repo.untracked_files


def test_a_file_in_the_way_of_the_sources_branch_is_one_line_that_names_it(tmp_path, capsys):
    root = _checkout(tmp_path)
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    actor = git.Actor("t", "t@localhost")
    repo.index.commit("checkout", author=actor, committer=actor)
    # the run's branch holds the doc; an untracked copy on main is in the way of switching
    repo.git.checkout("-b", branch_for("demo_shop"))
    doc = root / SOURCES / "demo_shop" / "demo_shop_api_doc.md"
    doc.parent.mkdir(parents=True)
    doc.write_text("# committed on the run's branch\n")
    repo.git.add(str(doc))
    repo.index.commit("doc", author=actor, committer=actor)
    repo.git.checkout("main")
    doc.parent.mkdir(parents=True)
    doc.write_text("# the user's own draft\n")
    code = main(["create", "demo_shop", "--doc", str(EXAMPLE_DOC), "--workspace", str(root)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    first = err.splitlines()[0]
    assert "connector/demo_shop" in first and "demo_shop_api_doc.md" in first, err
    assert doc.read_text() == "# the user's own draft\n"  # nothing of the user's is lost
    assert repo.active_branch.name == "main"


def test_write_back_wiring_takes_the_mixin_from_the_checkouts_write_back_suite(checkout):
    root, _ = checkout
    test_file = root / "tests/unit/sources/demo_shop/test_demo_shop_lakeflow_connect.py"
    wired = wire_test_file(
        test_file.read_text(),
        utils_class="LakeflowConnectWriteTestUtils",
        utils_import="from tests.unit.sources.demo_shop.demo_shop_test_utils import "
        "LakeflowConnectWriteTestUtils",
        mixin_import="from skillpack.testing import LakeflowConnectWriteBackTests",
    )
    assert "from tests.unit.sources.test_write_back_suite import LakeflowConnectWriteBackTests" in (
        wired
    )
    assert "skillpack" not in wired
    assert "(LakeflowConnectWriteBackTests, LakeflowConnectTests)" in wired
    test_file.write_text(wired)
    done = subprocess.run(
        [*_ruff(), "check", str(test_file)], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_package_builds_with_the_sources_own_project_and_keeps_it(checkout):
    root, _ = checkout
    pyproject = root / SOURCES / "demo_shop" / "pyproject.toml"
    before = pyproject.read_bytes()
    out = package_connector(PackageConnectorIn(source="demo_shop", workspace=str(root)))
    status = {c.name: c.status for c in out.checks}
    assert status == {
        "wheel_contents": "passed",
        "metadata": "passed",
        "runtime_dependencies": "passed",
        "venv_import": "skipped",
    }, out.checks
    assert out.passed is True
    assert out.distribution == "lakeflow-community-connectors-demo-shop"
    assert pyproject.read_bytes() == before
    wheel = Path(next(a.path for a in out.artifacts if a.kind == "wheel"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    base = f"{SOURCES.relative_to('src')}/demo_shop"
    assert {f"{base}/demo_shop.py", f"{base}/demo_shop_utils.py"} <= names
    assert "lakeflow-community-connectors>=0.1.0" in out.dependencies
    assert not list((root / SOURCES / "demo_shop").glob("*.egg-info"))


def test_review_reads_the_generated_helpers_only_once_someone_edits_them(checkout):
    root, _ = checkout
    inp = ReviewConnectorIn(source="demo_shop", workspace=str(root))
    assert "demo_shop_utils.py" not in review_connector(inp).model_dump_json()
    helpers = root / SOURCES / "demo_shop" / "demo_shop_utils.py"
    helpers.write_text(helpers.read_text() + '\nAPI_TOKEN = "sk_live_51HxQjZ2eZvKYlo2C9fQz"\n')
    assert "demo_shop_utils.py" in review_connector(inp).model_dump_json()


def test_a_cursor_sent_after_an_operator_is_left_to_the_connectors_own_filter(tmp_path):
    # the checkout's simulator compares a value whole, the operator (`gt2024-...`) included
    root = _checkout(tmp_path)
    doc = REPO / "tests" / "fixtures" / "apidocs_impl" / "clinic_api_doc.md"
    implement_connector(ImplementConnectorIn(path=str(doc), source="clinic", workspace=str(root)))
    spec = yaml.safe_load((root / SPECS / "clinic" / "endpoints.yaml").read_text())
    by_path = {e["path"]: e for e in spec["endpoints"]}
    assert by_path["/r4/Patient"]["params"]["_lastUpdated"] == {"role": "ignore"}
