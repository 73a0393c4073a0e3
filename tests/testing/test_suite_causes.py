"""Breaking the example connector turns the matching suite test red with its cause code.

Each case writes a small test file that subclasses the example connector with one
defect, runs the suites on it with pytester and checks the failing test and code.
"""

from __future__ import annotations

import textwrap

import pytest

HEADER = """
import contextlib
import time
from skillpack.examples.example_api import example_service
from skillpack.examples.workspace.sources.example.example import ExampleLakeflowConnect
from skillpack.examples.workspace.tests.sources.example.example_test_utils import ExampleTestUtils
from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests

@contextlib.contextmanager
def production_service(mode):
    with example_service(mode) as config:
        yield {{**config, "environment": "production"}}

class Broken(ExampleLakeflowConnect):
{body}

class Utils(ExampleTestUtils):
{utils}

class TestBroken(LakeflowConnectWriteBackTests, LakeflowConnectTests):
    connector_class = Broken
    test_utils_class = Utils
    local_service = example_service
    read_timeout_s = 2
    max_read_iterations = 5
    write_visibility_timeout_s = 2
{attrs}
"""

PASS = "    pass"


def run_broken(pytester: pytest.Pytester, body=PASS, utils=PASS, attrs="", live=False, select=""):
    pytester.makepyfile(
        test_broken=HEADER.format(
            body=textwrap.indent(textwrap.dedent(body), "    "),
            utils=textwrap.indent(textwrap.dedent(utils), "    "),
            attrs=textwrap.indent(textwrap.dedent(attrs), "    "),
        )
    )
    if live:
        pytester._monkeypatch.setenv("CONNECTOR_TEST_MODE", "live")
    args = ["-k", select] if select else []
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", *args)


def failure_text(result: pytest.RunResult, test: str) -> str:
    reports = [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.failed]
    texts = [str(r.longrepr) for r in reports if r.nodeid.endswith(f"::{test}")]
    assert texts, f"{test} did not fail; failures: {[r.nodeid for r in reports]}"
    return texts[0]


def test_unbroken_example_passes_generic_suite(pytester):
    result = run_broken(pytester)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 10


def test_offset_that_never_stops_is_cursor_stalled(pytester):
    body = """
    calls = 0
    def read_table(self, table_name, start_offset, table_options):
        records, offset = super().read_table(table_name, start_offset, table_options)
        type(self).calls += 1
        return records, {**offset, "call": type(self).calls}
    """
    result = run_broken(pytester, body)
    assert "[cursor-stalled]" in failure_text(result, "test_read_terminates")


def test_cursor_filter_ignored_is_reread_not_empty(pytester):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        records, offset = super().read_table(table_name, None, table_options)
        return records, offset
    """
    result = run_broken(pytester, body)
    text = failure_text(result, "test_reread_from_final_offset_is_empty")
    assert "[reread-not-empty]" in text and "customers" in text


def test_wrong_cursor_field_is_cursor_missing(pytester):
    body = """
    def read_table_metadata(self, table_name, table_options):
        meta = super().read_table_metadata(table_name, table_options)
        if table_name == "orders":
            meta["cursor_field"] = "modified_at"
        return meta
    """
    result = run_broken(pytester, body)
    text = failure_text(result, "test_read_table_metadata")
    assert "[cursor-missing]" in text and "modified_at" in text


def test_record_violating_schema_is_schema_violation(pytester):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        records, offset = super().read_table(table_name, start_offset, table_options)
        if table_name == "orders":
            records = iter([{**r, "amount": "a lot"} for r in records])
        return records, offset
    """
    result = run_broken(pytester, body)
    text = failure_text(result, "test_read_table")
    assert "[schema-violation]" in text and "amount" in text


def test_read_that_hangs_is_read_timeout(pytester):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        if table_name == "customers":  # events and products are read through partitions
            while True:
                time.sleep(0.05)
        return super().read_table(table_name, start_offset, table_options)
    """
    result = run_broken(pytester, body, select="test_read_table")
    assert "[read-timeout]" in failure_text(result, "test_read_table")


def test_cdc_with_deletes_without_deletes_method_is_deletes_missing(pytester):
    body = """
    read_table_deletes = ExampleLakeflowConnect.__mro__[1].read_table_deletes
    """
    result = run_broken(pytester, body)
    assert "[deletes-missing]" in failure_text(result, "test_read_table_metadata")


def test_wrong_mapping_path_is_mapping_path_missing(pytester):
    utils = """
    def generate_rows_and_write(self, table_name, number_of_rows):
        ok, rows, mapping = super().generate_rows_and_write(table_name, number_of_rows)
        if table_name == "customers":
            mapping = {**mapping, "city": "city"}
        return ok, rows, mapping
    """
    result = run_broken(pytester, utils=utils, live=True)
    text = failure_text(result, "test_incremental_after_write")
    assert "[mapping-path-missing]" in text and "`city`" in text


def test_empty_mapping_is_mapping_empty(pytester):
    utils = """
    def generate_rows_and_write(self, table_name, number_of_rows):
        ok, rows, _ = super().generate_rows_and_write(table_name, number_of_rows)
        return ok, rows, {}
    """
    result = run_broken(pytester, utils=utils, live=True)
    assert "[mapping-empty]" in failure_text(result, "test_write_to_source")


def test_ignored_delete_feed_is_delete_missing(pytester):
    body = """
    def read_table_deletes(self, table_name, start_offset, table_options):
        return iter([]), start_offset or {}
    """
    result = run_broken(pytester, body, live=True)
    assert "[delete-missing]" in failure_text(result, "test_delete_and_read_deletes")


def test_production_config_is_refused(pytester):
    attrs = """
    local_service = production_service
    """
    result = run_broken(pytester, attrs=attrs, live=True, select="write")
    assert "[production-config]" in failure_text(result, "test_write_to_source")


def test_mutating_tests_skip_in_simulate_mode(pytester):
    result = run_broken(pytester)
    skipped = [r.nodeid for r in result.reprec.getreports("pytest_runtest_logreport") if r.skipped]
    assert any(s.endswith("test_write_to_source") for s in skipped)
    assert any(s.endswith("test_delete_and_read_deletes") for s in skipped)


def test_example_passes_write_back_live(pytester):
    result = run_broken(pytester, live=True)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    skipped = {
        r.nodeid.rsplit("::", 1)[-1]
        for r in result.reprec.getreports("pytest_runtest_logreport")
        if r.skipped
    }
    # Only those that never apply here: no batch size asked for, and coverage is an
    # offline check.
    assert skipped == {
        "test_max_records_per_batch_respected",
        "test_every_column_populated_by_at_least_one_record",
    }, result.stdout.str()


def test_exception_in_connector_names_its_line(pytester):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        if table_name == "customers":  # events and products are read through partitions
            raise RuntimeError("customers endpoint moved")
        return super().read_table(table_name, start_offset, table_options)
    """
    result = run_broken(pytester, body, select="test_read_table")
    text = failure_text(result, "test_read_table")
    assert "[connector-error] table `customers`: RuntimeError: customers endpoint moved" in text
    assert "test_broken.py:" in text


def test_pagination_loop_from_the_sdk_keeps_its_code(pytester):
    body = """
    def _fetch(self, path, params):
        from skillpack.sdk.pagination import CursorPaginator
        class Stuck(CursorPaginator):
            stuck_at = None
            def next(self, response, body, records):
                # Send the first page's cursor back forever, as a buggy connector would.
                type(self).stuck_at = type(self).stuck_at or body.get("next_cursor")
                return super().next(response, {**body, "next_cursor": self.stuck_at}, records)
        pages = self._client.paginate(
            path, paginator=Stuck(), params={"limit": 10, **params}, records_path="data"
        )
        return [r for page in pages for r in page]
    """
    result = run_broken(pytester, body, select="test_read_table")
    assert "[pagination-loop]" in failure_text(result, "test_read_table")


def test_records_of_another_table_are_named_as_such_and_keys_are_marked(pytester):
    # `orders` reads the `customers` endpoint: the records fit customers' schema
    body = """
    def read_table(self, table_name, start_offset, table_options):
        if table_name == "orders":
            return super().read_table("customers", start_offset, table_options)
        return super().read_table(table_name, start_offset, table_options)
    """
    result = run_broken(pytester, body, select="test_read_table and not deletes")
    text = failure_text(result, "test_read_table")
    assert "table `orders` record #0" in text
    assert "the record fits table `customers`'s schema" in text
