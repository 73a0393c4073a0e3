"""run_suite on the bundled example and on a corpus of deliberately broken copies of it.

Each corpus case copies the bundled workspace, makes one targeted edit (the bug), runs the
suite through run_suite in a subprocess and checks the cause it names. The runs are
independent, so a module fixture starts them all at once on a small thread pool; each test
then checks its own case.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import ConfigError, InputError
from skillpack.layout import bundled_workspace, source_paths
from skillpack.reports import suite_report as _suite_report
from skillpack.suite._results import assemble, signature
from skillpack.suite._runner import RawRun
from skillpack.tools import RunSuiteIn, RunSuiteOut, run_suite

CONNECTOR = "sources/example/example.py"
UTILS = "tests/sources/example/example_test_utils.py"
TEST_FILE = "tests/sources/example/test_example.py"
CASSETTE = "tests/sources/example/cassettes/TestExampleConnector.yaml"
PLANTED_SECRET = "sk-planted-7f3a9c1e5b"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``root/rel`` (fails if the example drifted)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: expected exactly one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the corpus: one bug per cause -------------------------------------------------------------


def wrong_auth_header(root: Path) -> None:
    edit(root, CONNECTOR, "import BearerAuth", "import ApiKeyAuth, BearerAuth")
    edit(root, CONNECTOR, "auth=BearerAuth(options", "auth=ApiKeyAuth(options")


def requires_unset_option(root: Path) -> None:
    edit(root, CONNECTOR, '("base_url", "api_key")', '("base_url", "api_key", "account_id")')


def no_config_at_all(root: Path) -> None:
    edit(root, TEST_FILE, "    local_service = example_service\n", "")


def id_declared_as_number(root: Path) -> None:
    # customers (read by read_table; products and events are read through partitions)
    customers_id = 'StructField("id", StringType(), False),\n                StructField("name", '
    edit(root, CONNECTOR, customers_id, customers_id.replace("StringType(), False", "LongType()"))


def schema_field_misnamed(root: Path) -> None:
    edit(root, CONNECTOR, 'StructField("email", ', 'StructField("email_address", ')


def illegal_ingestion_type(root: Path) -> None:
    edit(
        root,
        CONNECTOR,
        '"cursor_field": "updated_at", "ingestion_type": "cdc"}',
        '"cursor_field": "updated_at", "ingestion_type": "incremental"}',
    )


def offset_from_wall_clock(root: Path) -> None:
    edit(root, CONNECTOR, "from typing import Any\n", "import time\nfrom typing import Any\n")
    edit(
        root,
        CONNECTOR,
        'advance_offset(start_offset, records, meta["cursor_field"])',
        '{"cursor": str(time.time_ns())}',
    )


def page_token_under_wrong_name(root: Path) -> None:
    edit(root, CONNECTOR, 'cursor_param="cursor"', 'cursor_param="page_token"')
    edit(root, CONNECTOR, 'options.get("page_size", 200)', 'options.get("page_size", 25)')


def mapping_not_nested(root: Path) -> None:
    edit(root, UTILS, '"city": "address.city"', '"city": "city"')
    short_write_wait(root)


def order_without_customer(root: Path) -> None:
    edit(root, UTILS, '"customer_id": "c0001", "amount"', '"amount"')


def writes_a_different_row(root: Path) -> None:
    edit(
        root,
        UTILS,
        "self._client.post(table_name, json=row)",
        "self._client.post(table_name, json=self._row(table_name))",
    )
    short_write_wait(root)


def short_write_wait(root: Path) -> None:
    """Not a bug: the suite's wait for written rows, cut from 30 s to keep the corpus fast."""
    edit(
        root,
        TEST_FILE,
        "    local_service = example_service\n",
        "    local_service = example_service\n    write_visibility_timeout_s = 1\n",
    )


def empty_cassette(root: Path) -> None:
    path = root / CASSETTE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("interactions: []\nversion: 1\n", encoding="utf-8")


def hard_coded_closed_port(root: Path) -> None:
    edit(
        root,
        CONNECTOR,
        'options["base_url"], auth=BearerAuth(options["api_key"]), timeout=30.0',
        f'"http://127.0.0.1:{closed_port()}/v1", auth=BearerAuth(options["api_key"]), '
        "timeout=30.0, max_retries=0",
    )


def real_host_in_simulate(root: Path) -> None:
    edit(
        root,
        CONNECTOR,
        'options["base_url"], auth=BearerAuth(options["api_key"]), timeout=30.0',
        '"https://api.example.com/v1", auth=BearerAuth(options["api_key"]), timeout=30.0',
    )


def read_blocks_forever(root: Path) -> None:
    edit(root, CONNECTOR, "from typing import Any\n", "import threading\nfrom typing import Any\n")
    edit(
        root,
        CONNECTOR,
        "_, meta, path, since_param = self._table(table_name)",
        "threading.Event().wait()  # nothing ever sets it\n"
        "        _, meta, path, since_param = self._table(table_name)",
    )


def secret_in_error(root: Path) -> None:
    no_config_at_all(root)
    configs = root / "sources/example/configs"
    configs.mkdir(parents=True)
    (configs / "dev_config.json").write_text(
        json.dumps({"base_url": f"http://127.0.0.1:{closed_port()}/v1", "api_key": PLANTED_SECRET})
    )
    edit(
        root,
        CONNECTOR,
        "pages = self._client.paginate(",
        "raise ValueError(f\"key {self.options['api_key']} refused\")\n"
        "        pages = self._client.paginate(",
    )


def syntax_error(root: Path) -> None:
    edit(
        root, CONNECTOR, "def list_tables(self) -> list[str]:", "def list_tables(self) -> list[str]"
    )


@dataclass
class Case:
    """One broken copy: the bug, how to run it, and the cause run_suite must name."""

    bug: Callable[[Path], None]
    cause: str
    test: str
    mode: str = "simulate"
    select: str = ""
    timeout_s: float = 120.0
    out: RunSuiteOut | None = field(default=None, repr=False)
    root: Path | None = None


CASES: dict[str, Case] = {
    "auth": Case(wrong_auth_header, "auth", "test_read_table", select="test_read_table"),
    "config-missing": Case(
        requires_unset_option, "config-missing", "test_initialization", select="initialization"
    ),
    "config-missing-live": Case(
        no_config_at_all, "config-missing", "test_initialization", "live", "initialization"
    ),
    "schema-mismatch": Case(
        id_declared_as_number, "schema-mismatch", "test_read_table", select="test_read_table"
    ),
    "record-violates-schema": Case(
        schema_field_misnamed, "record-violates-schema", "test_read_table", select="read_table"
    ),
    "metadata-invalid": Case(
        illegal_ingestion_type, "metadata-invalid", "test_read_table_metadata", select="metadata"
    ),
    "cursor-stalled": Case(
        offset_from_wall_clock, "cursor-stalled", "test_read_terminates", select="terminates"
    ),
    "pagination-loop": Case(
        page_token_under_wrong_name, "pagination-loop", "test_read_table", select="read_table"
    ),
    "mapping-path-missing": Case(
        mapping_not_nested,
        "mapping-path-missing",
        "test_incremental_after_write",
        "live",
        "incremental_after_write",
    ),
    "write-rejected": Case(
        order_without_customer, "write-rejected", "test_write_to_source", "live", "write_to"
    ),
    "eventual-consistency-timeout": Case(
        writes_a_different_row,
        "eventual-consistency-timeout",
        "test_incremental_after_write",
        "live",
        "incremental_after_write",
    ),
    "simulator-miss": Case(
        empty_cassette, "simulator-miss", "test_read_table", select="test_read_table"
    ),
    "offline": Case(
        real_host_in_simulate, "simulator-miss", "test_read_table", select="test_read_table"
    ),
    "network": Case(hard_coded_closed_port, "network", "test_read_table", select="test_read_table"),
    "import-error": Case(syntax_error, "import-error", "test_example.py"),
    "hang": Case(
        read_blocks_forever,
        "suite-timeout",
        "test_read_table",
        select="test_read_table",
        timeout_s=6,
    ),
    "secret": Case(secret_in_error, "read-shape", "test_read_table", "live", "test_read_table"),
}


def _run_case(base: Path, name: str, case: Case) -> None:
    root = copy_bundled_workspace(base / name)
    case.bug(root)
    case.root = root
    case.out = run_suite(
        RunSuiteIn(
            source="example",
            workspace=str(root),
            mode=case.mode,
            select=case.select or None,
            timeout_s=case.timeout_s,
        )
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    base = tmp_path_factory.mktemp("corpus")
    with ThreadPoolExecutor(max_workers=4) as pool:
        # the slow ones (hang, eventual consistency) first, so they overlap the rest
        order = ["hang", "eventual-consistency-timeout", *CASES]
        futures = [pool.submit(_run_case, base, n, CASES[n]) for n in dict.fromkeys(order)]
        for future in futures:
            future.result()
    return CASES


def failing(out: RunSuiteOut, test: str) -> Any:
    found = [t for t in out.tests if t.name == test]
    assert found, f"{test} not run: {[t.name for t in out.tests]}"
    return found[0]


@pytest.mark.parametrize("name", [n for n in CASES if n not in ("hang", "secret")])
def test_broken_copy_is_diagnosed_with_its_cause(corpus, name):
    case = corpus[name]
    out = case.out
    result = failing(out, case.test)
    assert not out.passed
    assert result.outcome in ("failed", "error", "skipped"), result
    assert result.diagnosis is not None, result
    assert result.diagnosis.cause == case.cause, result.diagnosis
    assert case.cause in out.causes
    assert result.diagnosis.location, result.diagnosis
    assert out.signature


def test_schema_mismatch_names_field_expected_and_got(corpus):
    diagnosis = failing(corpus["schema-mismatch"].out, "test_read_table").diagnosis
    assert diagnosis.details["field"] == "id"
    assert diagnosis.details["expected"] == "bigint"
    assert diagnosis.details["got"].startswith("str ")
    # the anchor is the declaration of the mismatched field
    line = int(diagnosis.location.rsplit(":", 1)[1])
    connector = (corpus["schema-mismatch"].root / CONNECTOR).read_text().splitlines()
    assert 'StructField("id", LongType())' in connector[line - 1]


def test_raised_write_error_points_at_the_utils_line(corpus):
    diagnosis = failing(corpus["write-rejected"].out, "test_write_to_source").diagnosis
    assert diagnosis.location_kind == "traceback"
    path, line = diagnosis.location.rsplit(":", 1)
    assert path == UTILS
    utils = (corpus["write-rejected"].root / UTILS).read_text().splitlines()
    assert "self._client.post(" in utils[int(line) - 1]
    assert diagnosis.details["status"] == "400"


def test_pagination_loop_points_at_the_paginator(corpus):
    diagnosis = failing(corpus["pagination-loop"].out, "test_read_table").diagnosis
    path, line = diagnosis.location.rsplit(":", 1)
    assert path == CONNECTOR
    source = (corpus["pagination-loop"].root / CONNECTOR).read_text().splitlines()
    assert "CursorPaginator(" in source[int(line) - 1]


def test_import_error_points_at_the_bad_line(corpus):
    case = corpus["import-error"]
    result = failing(case.out, "test_example.py")
    assert result.phase == "collect"
    path, line = result.diagnosis.location.rsplit(":", 1)
    assert path == CONNECTOR
    source = (case.root / CONNECTOR).read_text().splitlines()
    assert "def list_tables" in source[int(line) - 1]


def test_missing_config_in_live_mode_blocks_the_gate(corpus):
    out = corpus["config-missing-live"].out
    assert out.counts.failed == 0 and out.counts.skipped == out.counts.total
    assert not out.passed
    assert out.causes == ["config-missing"]


def test_simulate_mode_refuses_the_real_network(corpus):
    diagnosis = failing(corpus["offline"].out, "test_read_table").diagnosis
    assert "simulate mode is offline" in diagnosis.evidence
    assert "api.example.com" in diagnosis.evidence


def test_hanging_connector_is_stopped_at_the_timeout(corpus):
    case = corpus["hang"]
    out = case.out
    assert out.timed_out and not out.passed
    assert out.exit_code is None
    assert out.running is not None and out.running.endswith("::test_read_table")
    result = failing(out, "test_read_table")
    assert result.outcome == "timeout"
    assert out.counts.timed_out == 1
    diagnosis = result.diagnosis
    assert diagnosis.cause == "suite-timeout"
    # the stack of the hung process shows the very line that blocks
    assert diagnosis.location_kind == "stack"
    path, line = diagnosis.location.rsplit(":", 1)
    assert path == CONNECTOR
    source = (case.root / CONNECTOR).read_text().splitlines()
    assert "threading.Event().wait()" in source[int(line) - 1]


def test_secrets_from_the_config_never_reach_the_result(corpus):
    out = corpus["secret"].out
    text = out.model_dump_json()
    assert PLANTED_SECRET not in text
    result = failing(out, "test_read_table")
    assert "key *** refused" in result.message
    assert "***" in result.diagnosis.evidence


# --- the healthy example, record mode and bad input ---------------------------------------------


def test_bundled_example_passes_offline():
    out = run_suite(RunSuiteIn(source="example", workspace=str(bundled_workspace())))
    assert out.passed and not out.timed_out
    assert out.counts.failed == 0 and out.counts.passed >= 10
    assert out.counts.total == out.counts.passed + out.counts.skipped
    assert out.causes == [] and out.signature == ""
    assert all(t.diagnosis is None for t in out.tests)


def test_record_refreshes_the_cassette_and_replay_catches_a_changed_request(tmp_path):
    root = copy_bundled_workspace(tmp_path / "ws")
    inp = {"source": "example", "workspace": str(root), "select": "test_read_table"}
    recorded = run_suite(RunSuiteIn(mode="record", **inp))
    assert recorded.passed, recorded.tests
    assert recorded.cassettes == [CASSETTE]
    cassette = (root / CASSETTE).read_text()
    assert "example-key-0001" not in cassette

    replayed = run_suite(RunSuiteIn(mode="simulate", **inp))
    assert replayed.passed, replayed.tests
    assert replayed.cassettes == []

    edit(root, CONNECTOR, 'options.get("page_size", 200)', 'options.get("page_size", 7)')
    changed = run_suite(RunSuiteIn(mode="simulate", **inp))
    diagnosis = failing(changed, "test_read_table").diagnosis
    assert diagnosis.cause == "simulator-miss"
    assert diagnosis.location_kind == "cassette" and diagnosis.location == CASSETTE


def test_record_without_credentials_is_refused_before_running(tmp_path, monkeypatch):
    monkeypatch.delenv("CONNECTOR_TEST_CONFIG_JSON", raising=False)
    monkeypatch.delenv("CONNECTOR_TEST_CONFIG_PATH", raising=False)
    root = copy_bundled_workspace(tmp_path / "ws")
    no_config_at_all(root)
    with pytest.raises(ConfigError) as err:
        run_suite(RunSuiteIn(source="example", workspace=str(root), mode="record"))
    assert "record mode needs credentials" in str(err.value)
    assert "CONNECTOR_TEST_CONFIG_JSON" in err.value.hint
    assert not (root / CASSETTE).exists()


def test_unknown_source_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        run_suite(RunSuiteIn(source="nope", workspace=str(bundled_workspace())))
    assert "`example`" in str(err.value) and "`nope`" in str(err.value)


def test_missing_test_file_is_an_input_error(tmp_path):
    root = copy_bundled_workspace(tmp_path / "ws")
    (root / TEST_FILE).unlink()
    with pytest.raises(InputError) as err:
        run_suite(RunSuiteIn(source="example", workspace=str(root)))
    assert err.value.code == "no-test-file"


def test_selection_matching_nothing_is_an_input_error():
    with pytest.raises(InputError) as err:
        run_suite(
            RunSuiteIn(source="example", workspace=str(bundled_workspace()), select="zzz_none")
        )
    assert err.value.code == "nothing-selected"


# --- skillpack test ----------------------------------------------------------------------------


def test_cli_prints_a_table_and_summary_and_exits_0(capsys):
    ws = str(bundled_workspace())
    code = main(["test", "example", "--workspace", ws, "-k", "list_tables or schema"])
    out = capsys.readouterr().out
    assert code == 0
    assert "test_list_tables" in out and "passed" in out
    assert out.strip().splitlines()[-1].startswith("example: 2 passed, 0 failed, 0 skipped in ")


def test_cli_json_gives_the_suite_result_and_exits_1_on_failure(corpus, capsys):
    root = corpus["metadata-invalid"].root
    code = main(["test", "example", "--workspace", str(root), "-k", "metadata", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["passed"] is False
    assert data["causes"] == ["metadata-invalid"]
    assert RunSuiteOut.model_validate(data).counts.failed == 1


def test_cli_table_shows_cause_location_and_fix(corpus):
    out = corpus["metadata-invalid"].out
    text = _suite_report(out)
    row = next(line for line in text.splitlines() if line.startswith("test_read_table_metadata"))
    assert "failed" in row and "metadata-invalid" in row and "sources/example/example.py:" in row
    assert "  fix: " in text and "  evidence: [metadata-invalid]" in text
    assert text.strip().splitlines()[-1].startswith("example: 0 passed, 1 failed, 0 skipped in ")


def test_cli_bad_source_exits_2(capsys):
    code = main(["test", "Nope!", "--workspace", str(bundled_workspace())])
    assert code == 2
    assert "invalid source name `Nope!`" in capsys.readouterr().err


# --- from events to results (no subprocess) ----------------------------------------------------

NODE = "tests/sources/example/test_example.py::TestExampleConnector::"


def report(test: str, when: str, outcome: str, message: str = "") -> dict[str, Any]:
    return {
        "event": "report",
        "nodeid": NODE + test,
        "when": when,
        "outcome": outcome,
        "duration": 0.5,
        "message": message,
    }


def assembled(events: list[dict[str, Any]], *, timed_out: bool = False, exit_code: int = 1):
    raw = RawRun(command=[], exit_code=None if timed_out else exit_code, timed_out=timed_out,
                 seconds=1.0, events=events)  # fmt: skip
    return assemble(raw, source_paths("example", bundled_workspace()), frozenset())


def test_a_stopped_run_marks_the_running_test_and_the_ones_never_reached():
    names = ["test_a", "test_b", "test_c"]
    events = [
        {"event": "collected", "nodeids": [NODE + n for n in names]},
        {"event": "start", "nodeid": NODE + "test_a"},
        *(report("test_a", when, "passed") for when in ("setup", "call", "teardown")),
        {"event": "start", "nodeid": NODE + "test_b"},
        report("test_b", "setup", "passed"),
    ]
    result = assembled(events, timed_out=True)
    assert [t.outcome for t in result.tests] == ["passed", "timeout", "not-run"]
    assert result.running == NODE + "test_b"
    assert result.counts.timed_out == 1 and result.counts.not_run == 1
    assert result.tests[0].duration_s == 1.5
    assert result.tests[1].diagnosis.cause == "suite-timeout"


def test_a_teardown_error_after_a_pass_is_an_error():
    events = [
        {"event": "start", "nodeid": NODE + "test_a"},
        report("test_a", "setup", "passed"),
        report("test_a", "call", "passed"),
        report("test_a", "teardown", "failed", "cleanup raised SourceError: GET x answered 500"),
    ]
    (test,) = assembled(events).tests
    assert (test.outcome, test.phase) == ("error", "teardown")
    assert test.diagnosis.cause == "source-error"


def test_only_a_blocking_skip_is_diagnosed():
    events = [
        report("test_a", "setup", "skipped", "Skipped: [config-missing] no config for X"),
        report("test_b", "call", "skipped", "Skipped: writes to the source: set live"),
    ]
    blocking, benign = assembled(events, exit_code=0).tests
    assert blocking.message == "[config-missing] no config for X"
    assert blocking.diagnosis.cause == "config-missing"
    assert benign.diagnosis is None and benign.message == "writes to the source: set live"
    assert signature([blocking]) != "" and signature([benign]) == ""


def test_the_signature_changes_when_the_failure_moves():
    fail = report("test_a", "call", "failed", "[cursor-stalled] table `orders`: still changing")
    first = assembled([fail]).tests
    again = assembled([fail]).tests
    other = assembled([{**fail, "message": "[auth] table `orders`: answered 401"}]).tests
    assert signature(first) == signature(again)
    assert signature(first) != signature(other)
