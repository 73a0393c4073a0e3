"""validate_incremental_sync on the example (simulate, its local API) and Kinto (live, a real
server): the correct connectors pass every check, and each planted bug is caught by the right
check, with its code, its words and the line to fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from skillpack.incremental import ValidateIncrementalSyncIn, validate_incremental_sync
from skillpack.testing.config import CONFIG_JSON_ENV
from skillpack.testing.kinto_server import KintoServer

from ._plants import EXAMPLE, KINTO, Plant, copy_source, plant

pytest_plugins = ["skillpack.testing.kinto_server"]


def _run(workspace: Path, source: str, mode: str, tables: list[str] | None = None):
    return validate_incremental_sync(
        ValidateIncrementalSyncIn(
            source=source,
            workspace=str(workspace),
            mode=mode,
            tables=tables,
            timeout_s=120,
            visibility_timeout_s=2,
        )
    )


def _assert_caught(out, bug: Plant, connector: Path) -> None:
    table = next(t for t in out.tables if t.table == bug.table)
    check = next(c for c in table.checks if c.name == bug.check)
    assert check.status == "failed", [(c.name, c.status, c.message) for c in table.checks]
    assert check.code == bug.code
    assert check.message.startswith(f"[{bug.code}]")
    assert bug.says in check.message
    path, line = check.location.rsplit(":", 1)
    assert Path(path).name == connector.name
    assert bug.line_has in connector.read_text().splitlines()[int(line) - 1]
    assert not out.passed


def test_example_passes_every_check_offline_and_writes_a_row_per_table(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    out = _run(ws, "example", "simulate")
    assert out.passed, [c.message for t in out.tables for c in t.checks if c.status != "passed"]
    assert [t.table for t in out.tables] == ["customers", "orders", "events"]
    assert {c.name for c in out.tables[1].checks} == {
        "offsets", "reread", "midpoint", "changes", "window", "deletes",
    }  # fmt: skip
    assert out.skipped == 0
    report = Path(out.report_path).read_text()
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == ["`customers`", "`orders`", "`events`"]
    assert not [r for r in rows if "FAIL" in r]


def test_spec_simulator_changes_between_reads_when_there_is_no_local_service(
    tmp_path: Path,
) -> None:
    ws = copy_source("example", tmp_path)
    test_file = ws / "tests" / "sources" / "example" / "test_example.py"
    text = test_file.read_text()
    test_file.write_text(text.replace("    local_service = example_service\n", ""))
    out = _run(ws, "example", "simulate")
    assert out.passed, [c.message for t in out.tables for c in t.checks if c.status != "passed"]
    assert out.skipped == 0
    orders = next(t for t in out.tables if t.table == "orders")
    assert {c.name: c.status for c in orders.checks}["deletes"] == "passed"


def test_planted_bug_is_caught_against_the_spec_simulator(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    test_file = ws / "tests" / "sources" / "example" / "test_example.py"
    test_file.write_text(test_file.read_text().replace("    local_service = example_service\n", ""))
    connector = plant(ws, "example", EXAMPLE["window-cap-ignored"])
    out = _run(ws, "example", "simulate", ["orders"])
    _assert_caught(out, EXAMPLE["window-cap-ignored"], connector)


def test_a_test_class_on_another_suite_lends_its_hooks(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    test_file = ws / "tests" / "sources" / "example" / "test_example.py"
    text = test_file.read_text()
    text = text.replace(
        "class TestExampleConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):",
        "class TestExampleConnector:  # an upstream checkout's own suite would be a base here",
    )
    test_file.write_text(text)
    out = _run(ws, "example", "simulate", ["orders"])
    assert out.passed and out.skipped == 0
    assert {c.name for c in out.tables[0].checks} >= {"changes", "window", "deletes"}


def test_a_foreign_test_class_lends_every_setting_our_suites_know(tmp_path: Path) -> None:
    """An upstream-style class names its simulator spec and stand-in options; both carry."""
    from skillpack.incremental._child import _test_class

    test_file = tmp_path / "test_shop_foreign.py"
    test_file.write_text(
        "class TestShop:\n"
        "    connector_class = dict\n"
        '    simulator_source = "shop"\n'
        '    replay_config = {"api_key": "stand-in"}\n'
        "    sample_records = 7\n"
    )
    cls = _test_class(test_file)
    assert cls.simulator_source == "shop"
    assert cls.replay_config == {"api_key": "stand-in"}
    assert cls.sample_records == 7 and cls.connector_class is dict


def test_report_keeps_the_other_modes_section(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    report = ws / "tests" / "sources" / "example" / "INCREMENTAL_SYNC.md"
    report.write_text("# Incremental sync\n\n## live\n\nkept\n")
    _run(ws, "example", "simulate", ["events"])
    text = report.read_text()
    assert "## simulate" in text and "## live\n\nkept" in text


@pytest.mark.parametrize("bug", list(EXAMPLE), ids=list(EXAMPLE))
def test_planted_bug_is_caught_on_the_example(tmp_path: Path, bug: str) -> None:
    ws = copy_source("example", tmp_path)
    connector = plant(ws, "example", EXAMPLE[bug])
    out = _run(ws, "example", "simulate", [EXAMPLE[bug].table])
    _assert_caught(out, EXAMPLE[bug], connector)


def test_kinto_passes_every_check_live(
    tmp_path: Path, kinto_server: KintoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = copy_source("kinto", tmp_path)
    monkeypatch.setenv(CONFIG_JSON_ENV, json.dumps(kinto_server.config()))
    out = _run(ws, "kinto", "live")
    assert out.passed, [c.message for t in out.tables for c in t.checks if c.status != "passed"]
    assert sorted(t.table for t in out.tables) == ["notes", "tasks"]
    assert out.skipped == 0
    # Every record the checks wrote was removed again.
    left = kinto_server.client().get_json("buckets/skillpack/collections/tasks/records")["data"]
    assert not [r for r in left if str(r.get("title", "")).startswith("test_")]


@pytest.mark.parametrize("bug", list(KINTO), ids=list(KINTO))
def test_planted_bug_is_caught_on_kinto(
    tmp_path: Path, kinto_server: KintoServer, monkeypatch: pytest.MonkeyPatch, bug: str
) -> None:
    ws = copy_source("kinto", tmp_path)
    connector = plant(ws, "kinto", KINTO[bug])
    monkeypatch.setenv(CONFIG_JSON_ENV, json.dumps(kinto_server.config()))
    out = _run(ws, "kinto", "live", [KINTO[bug].table])
    _assert_caught(out, KINTO[bug], connector)


def test_kinto_offline_skips_what_a_cassette_cannot_answer(tmp_path: Path) -> None:
    ws = copy_source("kinto", tmp_path)
    out = _run(ws, "kinto", "simulate", ["tasks"])
    checks = {c.name: c for c in out.tables[0].checks}
    assert checks["offsets"].status == "passed"
    assert checks["changes"].status == "skipped"
    assert out.passed


def test_cli_names_the_failure_and_exits_1(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    plant(ws, "example", EXAMPLE["deletes-not-read"])
    done = subprocess.run(
        [sys.executable, "-m", "skillpack", "incremental", "example", "--workspace", str(ws),
         "--tables", "orders"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "[delete-missed]" in done.stdout
    assert "sources/example/example.py:" in done.stdout


def test_unknown_table_is_bad_input(tmp_path: Path) -> None:
    ws = copy_source("example", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "skillpack", "incremental", "example", "--workspace", str(ws),
         "--tables", "products"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "`products`" in done.stderr
