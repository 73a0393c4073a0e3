"""Test files written for a Lakeflow Community Connectors checkout run under our suites.

The fixture (tests/fixtures/upstream_checkout) holds a REST connector with a simulator spec in
the checkout's format (``source_simulator/specs/ledger/endpoints.yaml`` + ``corpus/``) and a
partitioned stream connector. No checkout package is importable here, so the pack's own
reader of that spec format answers the connector's HTTP calls.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upstream_checkout"
SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")
TIDAL = Path("src/databricks/labs/community_connector/sources/tidal/tidal.py")


def run(pytester: pytest.Pytester, folder: str, mode: str | None = "simulate", *args: str):
    if not (pytester.path / "src").is_dir():  # a test may have copied and changed it already
        shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    if mode is None:
        pytester._monkeypatch.delenv("CONNECTOR_TEST_MODE", raising=False)
    else:
        pytester._monkeypatch.setenv("CONNECTOR_TEST_MODE", mode)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-q", "-rA", f"tests/unit/sources/{folder}", *args
    )


def outcome(result: pytest.RunResult, test: str) -> str:
    for line in result.stdout.lines:
        if line.endswith(f"::{test}") or f"::{test} " in line:
            return line.split(" ", 1)[0]
    raise AssertionError(f"{test} not reported:\n{result.stdout.str()}")


def test_simulator_source_is_served_from_endpoints_yaml_and_corpus(pytester):
    result = run(pytester, "ledger")
    assert result.ret == 0, result.stdout.str()
    for test in (
        "test_read_table",
        "test_read_terminates",
        "test_every_column_populated_by_at_least_one_record",
        "test_reread_from_final_offset_is_empty",
    ):
        assert outcome(result, test) == "PASSED", test


def test_an_empty_corpus_fails_the_first_read_of_an_incremental_table(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    (pytester.path / SPECS / "ledger/corpus/entries.json").write_text("[]")
    result = run(pytester, "ledger")
    assert outcome(result, "test_read_table") == "FAILED"
    assert "[empty-read] table `entries`" in result.stdout.str()


def test_allow_empty_first_read_names_the_tables_it_excuses(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    (pytester.path / SPECS / "ledger/corpus/entries.json").write_text("[]")
    test_file = pytester.path / "tests/unit/sources/ledger/test_ledger_lakeflow_connect.py"
    test_file.write_text(
        test_file.read_text() + '    allow_empty_first_read = frozenset({"entries"})\n'
    )
    result = run(pytester, "ledger", "simulate", "-k", "test_read_table")
    assert outcome(result, "test_read_table") == "PASSED", result.stdout.str()


def test_without_its_spec_the_connector_meets_the_network_block(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    shutil.rmtree(pytester.path / SPECS / "ledger")
    result = run(pytester, "ledger", "simulate", "-k", "test_read_table")
    assert outcome(result, "test_read_table") == "FAILED"
    assert "[simulator-miss]" in result.stdout.str()


def test_null_columns_are_reported_unless_allowed_per_table(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    corpus = pytester.path / SPECS / "ledger/corpus/accounts.json"
    corpus.write_text('[{"id": "a1", "owner": null}]')
    result = run(pytester, "ledger", "simulate", "-k", "every_column")
    assert "[column-always-null] table `accounts`: columns ['owner']" in result.stdout.str()
    test_file = pytester.path / "tests/unit/sources/ledger/test_ledger_lakeflow_connect.py"
    test_file.write_text(
        test_file.read_text() + '    allow_null_columns = {"accounts": {"owner"}}\n'
    )
    result = run(pytester, "ledger", "simulate", "-k", "every_column")
    assert outcome(result, "test_every_column_populated_by_at_least_one_record") == "PASSED"


def test_partitioned_stream_connector_passes_the_partition_suites(pytester):
    result = run(pytester, "tidal")
    assert result.ret == 0, result.stdout.str()
    for test in (
        "test_partition_requires_lakeflow_connect",
        "test_get_partitions_stable",
        "test_partition_descriptors_serializable",
        "test_read_partition",
        "test_microbatch_offset_convergence",
        "test_equal_offsets_empty_partitions",
        "test_partitioned_stream_round_trip",
        "test_every_column_populated_by_at_least_one_partition_record",
    ):
        assert outcome(result, test) == "PASSED", test
    # read_table, read_terminates, column coverage and reread: every table is partitioned
    assert "SKIPPED [4]" in result.stdout.str()
    assert "every table is read through partitions" in result.stdout.str()


def _break_tidal(pytester: pytest.Pytester, old: str, new: str) -> None:
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    path = pytester.path / TIDAL
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_partitions_that_change_between_calls_fail_stability(pytester):
    _break_tidal(
        pytester,
        'return [{"lo": a, "hi": min(a + WINDOW, hi)}',
        'import random\n        return [{"lo": a, "hi": min(a + WINDOW, hi), "n": random.random()}',
    )
    result = run(pytester, "tidal", "simulate", "-k", "stable")
    assert outcome(result, "test_get_partitions_stable") == "FAILED"
    assert "[partition-invalid] table `readings`: get_partitions changed" in result.stdout.str()


def test_latest_offset_without_a_cap_never_converges(pytester):
    _break_tidal(
        pytester,
        'return {"ts": self._init_time}',
        'return {"ts": (start_offset or {"ts": self._init_time})["ts"] + 1}',
    )
    result = run(pytester, "tidal", "simulate", "-k", "convergence")
    assert outcome(result, "test_microbatch_offset_convergence") == "FAILED"
    assert "[offset-not-converged]" in result.stdout.str()


def test_checkout_classes_follow_the_checkout_mode_rule(pytester):
    # Unset mode: a class with a simulator spec runs simulated, one without runs live
    # (column coverage, an offline-only check, then skips).
    result = run(pytester, "tidal", None, "-k", "every_column_populated_by_at_least_one_partition")
    assert "column coverage is checked offline only" in result.stdout.str()
    result = run(pytester, "ledger", None, "-k", "every_column")
    assert outcome(result, "test_every_column_populated_by_at_least_one_record") == "PASSED"


def test_suite_helpers_a_checkout_test_file_imports_are_there(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    test_file = pytester.path / "tests/unit/sources/ledger/test_ledger_mode.py"
    test_file.write_text(
        textwrap.dedent(
            """
            from skillpack.testing import MODE_SIMULATE, _resolve_env_mode_for_simulator

            def test_simulate_is_the_default_with_a_spec():
                assert _resolve_env_mode_for_simulator("ledger") == MODE_SIMULATE
            """
        )
    )
    result = run(pytester, "ledger", None, "-k", "default_with_a_spec")
    assert outcome(result, "test_simulate_is_the_default_with_a_spec") == "PASSED"


def test_reads_stay_within_max_records_per_batch_when_the_class_sets_it(pytester):
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    test_file = pytester.path / "tests/unit/sources/ledger/test_ledger_lakeflow_connect.py"
    test_file.write_text(test_file.read_text() + "    max_records_per_batch = 2\n")
    result = run(pytester, "ledger", "simulate", "-k", "max_records_per_batch")
    assert outcome(result, "test_max_records_per_batch_respected") == "PASSED"
    connector = pytester.path / "src/databricks/labs/community_connector/sources/ledger/ledger.py"
    text = connector.read_text().replace("rows = rows[:limit]", "pass")
    connector.write_text(text.replace("while limit is None or len(rows) < limit:", "while True:"))
    result = run(pytester, "ledger", "simulate", "-k", "max_records_per_batch")
    assert outcome(result, "test_max_records_per_batch_respected") == "FAILED"
    assert "[batch-too-large] table `entries`" in result.stdout.str()


def test_a_table_the_curated_spec_does_not_serve_is_left_out_only_when_written_so(pytester):
    from skillpack.create.simsource import use_simulator_source
    from skillpack.layout import source_paths

    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    spec = pytester.path / SPECS / "ledger/endpoints.yaml"
    text = spec.read_text()
    # the curated spec no longer serves accounts at all
    spec.write_text(text[: text.index('  - path: "/v1/accounts"')])
    # `ledger_new`, generated from the doc, is tested against the curated `ledger`
    paths = source_paths("ledger_new", str(pytester.path))
    paths.test_file.parent.mkdir(parents=True)
    own = pytester.path / "tests/unit/sources/ledger/test_ledger_lakeflow_connect.py"
    paths.test_file.write_text(own.read_text())
    (paths.test_file.parent / "__init__.py").touch()
    paths.source_dir.mkdir(parents=True)  # the generated connector's folder
    paths.simulator_endpoints.parent.mkdir(parents=True)
    paths.simulator_endpoints.write_text(
        "endpoints:\n- path: /v1/entries\n  corpus: entries\n"
        "- path: /v1/accounts\n  corpus: accounts\n"
    )
    result = run(pytester, "ledger_new", "simulate", "-k", "test_read_table")
    assert outcome(result, "test_read_table") == "FAILED"
    assert use_simulator_source(paths, "ledger").unchecked == {"accounts": "/v1/accounts"}
    result = run(pytester, "ledger_new", "simulate", "-k", "test_read_table or test_list_tables")
    assert outcome(result, "test_read_table") == "PASSED", result.stdout.str()
    # the connector is not changed: it still lists both tables
    assert outcome(result, "test_list_tables") == "PASSED"
    # once the curated spec serves accounts, it is checked again
    spec.write_text(text)
    assert use_simulator_source(paths, "ledger").unchecked == {}
    assert "unchecked_tables" not in paths.test_file.read_text()
