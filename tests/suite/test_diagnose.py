"""The diagnosis of one failure: cause from the suite code or the exception, and where to look."""

from __future__ import annotations

import pytest

from skillpack.layout import bundled_workspace, source_paths
from skillpack.suite._diagnose import CATEGORIES, Failure, diagnose
from skillpack.testing.causes import CAUSES

PATHS = source_paths("example", bundled_workspace())
CONNECTOR = str(PATHS.connector_module)
SDK_HTTP = str(PATHS.root.parents[1] / "sdk" / "http.py")
NODE = "tests/sources/example/test_example.py::TestExampleConnector::test_read_table"


def failed(message: str, **kwargs) -> Failure:
    return Failure(nodeid=kwargs.pop("nodeid", NODE), outcome="failed", message=message, **kwargs)


def connector_line(pattern: str) -> int:
    lines = PATHS.connector_module.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if pattern in line)


@pytest.mark.parametrize("code", sorted(CAUSES))
def test_every_suite_code_gets_a_known_cause(code):
    d = diagnose(failed(f"[{code}] table `orders`: something went wrong"), PATHS)
    assert d.cause != "unknown"
    assert d.cause in CATEGORIES or d.cause in CAUSES
    assert d.suite_code == code
    assert d.title and d.fix


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("[auth] table `products`: GET http://h/v1/products answered 401", "auth"),
        ("[cursor-regressed] table `orders`: offset moved backwards", "cursor-stalled"),
        ("[reread-not-empty] table `orders`: returned 40 records again", "cursor-stalled"),
        ("[primary-key-missing] table `o`: primary keys ['x'] not in schema", "metadata-invalid"),
        ("[write-failed] generate_rows_and_write(`o`, 2) reported success=False", "write-rejected"),
        ("[delete-missing] table `o` deletes: not in 2s", "eventual-consistency-timeout"),
        ("[null-key] table `orders` record #3 has no value for key `id`", "record-violates-schema"),
        ("[cursor-missing] table `o` record #0 has no cursor `ts`", "record-violates-schema"),
        ("[cursor-missing] table `orders`: cursor_field `ts` not in schema", "metadata-invalid"),
        ("[empty-read] table `orders`: the first read returned no records", "empty-read"),
    ],
)  # fmt: skip
def test_suite_codes_fold_into_their_diagnosis(message, cause):
    assert diagnose(failed(message), PATHS).cause == cause


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        (
            "[read-shape] table `products`: AuthError: GET http://h/v1/products answered 403 "
            "Forbidden",
            "auth",
        ),
        (
            "[read-shape] table `products`: SourceError: pagination loop: the server asked for "
            "a page already read",
            "pagination-loop",
        ),
        (
            "[read-shape] table `events`: SourceError: GET http://127.0.0.1:9/v1/events could "
            "not connect after 1 attempt(s) (ConnectionError)",
            "network",
        ),
        (
            "[read-shape] table `events`: SourceError: GET http://h/v1/events timed out after 6 "
            "attempt(s) (ReadTimeout)",
            "network",
        ),
        (
            "[read-shape] table `events`: SourceError: GET http://h/v1/events answered 500",
            "source-error",
        ),
        (
            "[connector-init] ExampleLakeflowConnect(config) raised ConfigError: missing "
            "option(s) `account_id`",
            "config-missing",
        ),
        (
            "[connector-init] ExampleLakeflowConnect(config) raised ConfigError: invalid "
            "base_url `ftp://x`",
            "config-invalid",
        ),
        ("[read-shape] table `products`: ZeroDivisionError: division by zero", "read-shape"),
        ("[connector-init] X(config) raised KeyError: 'token'", "connector-init"),
    ],
)
def test_generic_codes_are_refined_by_the_wrapped_exception(message, cause):
    d = diagnose(failed(message), PATHS)
    assert d.cause == cause
    assert d.suite_code in ("read-shape", "connector-init")
    if cause != d.suite_code:  # the generic code's own fix would mislead
        assert d.fix.startswith(CATEGORIES[cause].fix)


@pytest.mark.parametrize(
    ("exc_type", "message", "cause", "status"),
    [
        ("SourceError", "POST http://h/v1/orders answered 400 Bad", "write-rejected", "400"),
        ("SourceError", "PATCH http://h/v1/orders/1 answered 422", "write-rejected", "422"),
        ("SourceError", "GET http://h/v1/orders answered 404 Not Found", "source-error", "404"),
        ("AuthError", "GET http://h/v1/orders answered 401 Unauthorized", "auth", "401"),
        ("ConnectionError", "Connection refused", "network", None),
        ("SourceError", "GET http://h/v1/orders did not finish within its 60s deadline (7 bytes "
         "of the body had arrived; attempt 1)", "network", None),
        ("SourceError", "GET http://h/v1/orders: the server closed the connection after 5 of 40 "
         "bytes of the body (after 6 attempt(s))", "network", None),
        ("NetworkBlocked", "a connection to 10.1.1.1:443 was refused", "simulator-miss", None),
        ("Failed", "[relations] read_table() raised: No endpoint spec matches GET "
         "https://o.example/rest/2.0/relations", "simulator-miss", None),
        ("Failed", "[search] Non-nullable field(s) are None: ['result_index']",
         "record-violates-schema", None),
        ("ModuleNotFoundError", "No module named 'sources.nope'", "import-error", None),
    ],
)  # fmt: skip
def test_raised_exceptions_are_classified_by_type_and_message(exc_type, message, cause, status):
    d = diagnose(failed(message, exc_type=exc_type), PATHS)
    assert d.cause == cause
    assert d.suite_code is None
    assert d.details.get("status") == status


def test_an_unmatched_failure_stays_unknown_and_points_at_the_test_file():
    d = diagnose(failed("assert 3 == 4", exc_type="AssertionError"), PATHS)
    assert d.cause == "unknown"
    assert d.location_kind == "test-file"
    assert d.location == "tests/sources/example/test_example.py"


def test_an_undocumented_code_is_not_guessed():
    d = diagnose(failed("[made-up-code] table `x`: ..."), PATHS)
    assert d.cause == "unknown"


def test_a_check_that_failed_every_poll_is_the_cause_not_the_wait():
    message = (
        "[written-row-missing] table `customers`: the written row was not read back from "
        "offset {}: written row within 1s; last: [mapping-path-missing] table `customers`: "
        "column_mapping `city` -> `city`: no record read back has the path `city`"
    )
    d = diagnose(failed(message), PATHS)
    assert d.cause == "mapping-path-missing"
    assert d.suite_code == "mapping-path-missing"
    assert d.details["path"] == "city"


def test_schema_violation_of_a_type_is_a_mismatch_with_field_expected_got():
    message = "[schema-violation] table `products` record #0: `price`: expected double, got str '4'"
    d = diagnose(failed(message), PATHS)
    assert d.cause == "schema-mismatch"
    assert d.details == {
        "table": "products",
        "field": "price",
        "expected": "double",
        "got": "str '4'",
    }
    # the location is the declaration of the field
    line = connector_line('StructField("price"')
    assert d.location == f"sources/example/example.py:{line}"
    assert "`price` is declared double" in d.fix


def test_schema_violation_of_a_missing_field_is_a_record_problem():
    message = (
        "[schema-violation] table `events` record #0: `seq`: expected bigint, got missing; "
        "`occurred_at`: expected string, got int 5"
    )
    d = diagnose(failed(message), PATHS)
    assert d.cause == "record-violates-schema"
    assert d.details["field"] == "seq" and d.details["got"] == "missing"


def test_the_innermost_frame_in_the_source_wins():
    frames = [
        (str(PATHS.test_file), 12, "test_read_table"),
        (CONNECTOR, 120, "_fetch"),
        (CONNECTOR, 127, "read_table"),
        (SDK_HTTP, 200, "request"),
    ]
    d = diagnose(failed("boom", exc_type="RuntimeError", frames=frames), PATHS)
    assert d.location == "sources/example/example.py:127"
    assert d.location_kind == "traceback"


def test_a_frame_in_the_test_file_is_used_when_the_source_has_none():
    frames = [(str(PATHS.test_file), 12, "test_x"), (SDK_HTTP, 200, "request")]
    d = diagnose(failed("boom", exc_type="RuntimeError", frames=frames), PATHS)
    assert d.location == "tests/sources/example/test_example.py:12"


def test_relative_paths_in_report_text_resolve_against_pytest_rootdir():
    text = "sources/example/example.py:42: in read_table\n    x()\nE   RuntimeError: boom"
    d = diagnose(failed("boom", text=text, base=PATHS.root), PATHS)
    assert d.location == "sources/example/example.py:42"


def test_a_hung_run_is_located_from_its_stack_dump():
    dump = (
        "Thread 0x00007f01 (most recent call first):\n"
        '  File "/usr/lib/python3.11/threading.py", line 320 in wait\n'
        f'  File "{CONNECTOR}", line 131 in read_table\n'
        '  File "/x/skillpack/testing/_reads.py", line 70 in work\n'
        "\n"
        "Current thread 0x00007f02 (most recent call first):\n"
        '  File "/x/skillpack/testing/_reads.py", line 75 in bounded_read\n'
    )
    hung = Failure(nodeid=NODE, outcome="timeout", message="", stack_dump=dump)
    d = diagnose(hung, PATHS)
    assert d.cause == "suite-timeout"
    assert d.location == "sources/example/example.py:131"
    assert d.location_kind == "stack"
    assert "stopped at the timeout" in d.evidence


def test_a_hung_write_test_without_a_dump_points_at_the_write_utility():
    nodeid = NODE.replace("test_read_table", "test_write_to_source")
    hung = Failure(nodeid=nodeid, outcome="timeout", message="")
    d = diagnose(hung, PATHS)
    assert d.location_kind == "anchor"
    assert d.location.startswith("tests/sources/example/example_test_utils.py:")


def test_simulator_miss_points_at_the_cassette():
    message = (
        "[simulator-miss] no recorded answer for GET http://h/v1/products?limit=7 in cassette "
        f"{PATHS.cassettes_dir}/TestExampleConnector.yaml; re-record it"
    )
    d = diagnose(failed(message), PATHS)
    assert d.cause == "simulator-miss"
    assert d.location == "tests/sources/example/cassettes/TestExampleConnector.yaml"
    assert d.location_kind == "cassette"


def test_evidence_is_the_first_line_with_secrets_masked():
    message = "[read-shape] table `x`: ValueError: key sk-live-123456 refused\nmore\nlines"
    d = diagnose(failed(message), PATHS, secrets={"sk-live-123456"})
    assert d.evidence == "[read-shape] table `x`: ValueError: key *** refused"
    assert "sk-live-123456" not in d.model_dump_json()


def test_the_fix_names_the_location():
    d = diagnose(failed("[metadata-invalid] table `customers`: ingestion_type `cdc`; use"), PATHS)
    assert d.fix.endswith(f"(see {d.location})")
    assert d.location_kind == "anchor"


# --- diagnoses that never weaken a contract ----------------------------------------------------

TWIN = (
    "[schema-violation] table `engage_events` record #0: `event` (primary key): expected "
    "string, got missing; `distinct_id`: expected no such field, got 'x'; the record fits "
    "table `engage_profiles`'s schema"
)


def test_a_record_fitting_another_tables_schema_points_at_the_path_not_nullability():
    d = diagnose(failed(TWIN), PATHS)
    assert d.cause == "records-of-another-table"
    assert "engage_profiles" in d.fix and "nullable" not in d.fix.replace("non-nullable", "")
    assert [c.cause for c in d.candidates] == ["records-of-another-table", "simulator-miss"]
    assert "schema-violation" in d.candidates[0].evidence


@pytest.mark.parametrize(
    "message",
    [
        "[schema-violation] table `o` record #0: `id` (primary key): expected bigint, got None",
        "[schema-violation] table `o` record #0: `ts` (cursor): expected timestamp, got missing",
        "[null-key] table `orders` record #3 has no value for key `id`",
        "[cursor-missing] table `o` record #0 has no cursor `ts`",
        TWIN,
        "[null-key] table `a` record #0 has no value for key `id`; the record fits table `b`'s "
        "schema",
    ],
)
def test_no_fix_suggests_making_a_key_or_cursor_nullable(message):
    d = diagnose(failed(message), PATHS)
    fix = d.fix.lower().replace("non-nullable", "")
    assert "nullable" not in fix and "optional" not in fix, d.fix
    assert d.candidates and d.candidates[0].cause == d.cause


def test_a_key_missing_from_records_ranks_the_wrong_endpoint_second_with_evidence():
    d = diagnose(
        failed(
            "[schema-violation] table `o` record #0: `id` (primary key): expected bigint, got None"
        ),
        PATHS,
    )
    assert d.cause == "record-violates-schema" and d.details["role"] == "primary key"
    assert "stays non-nullable" in d.fix
    assert (
        d.candidates[1].cause == "source-error"
        and "`id` is the primary key" in d.candidates[1].evidence
    )


def test_a_plain_optional_field_may_still_be_loosened_only_if_the_doc_says_so():
    d = diagnose(
        failed("[schema-violation] table `o` record #0: `note`: expected string, got None"), PATHS
    )
    assert d.cause == "record-violates-schema" and "only if the doc calls it optional" in d.fix
