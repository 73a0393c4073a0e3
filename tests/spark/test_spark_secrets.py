"""Credentials pass as options yet show in no plan, log or error; errors keep their hint."""

from __future__ import annotations

import json
import logging
import secrets

import pytest

from tests.spark._requirements import require_pyspark

require_pyspark()

from skillpack.examples.example_api import serve_example_api  # noqa: E402
from tests.spark._helpers import rows, run_available_now  # noqa: E402

pytestmark = pytest.mark.spark


def _planted() -> str:
    """A credential that appears nowhere else, so finding it anywhere means it leaked."""
    return f"planted-{secrets.token_hex(12)}"


def _load(spark, fmt: str, table: str, **options: str):
    return spark.read.format(fmt).option("tableName", table).options(**options).load()


def _failure(action) -> str:
    with pytest.raises(Exception) as caught:
        action()
    return str(caught.value)


def test_plans_progress_and_logs_of_reads_never_show_the_credential(
    spark, sources, spark_log, capsys, caplog, tmp_path
):
    planted = _planted()
    caplog.set_level(logging.DEBUG)
    with serve_example_api(api_key=planted) as server:
        config = {"base_url": server.url, "api_key": planted}
        df = _load(spark, "example", "products", **config)
        assert len(rows(df)) == 40
        df.explain(mode="extended")
        plan = df._jdf.queryExecution().toString()

        stream = spark.readStream.format("example").option("tableName", "events")
        batches = run_available_now(stream.options(**config).load(), tmp_path / "checkpoint")
        assert sum(len(batch) for _, batch in batches) == 120
        query = (
            stream.options(**config)
            .load()
            .writeStream.format("memory")
            .queryName("planted_events")
            .start()
        )
        try:
            query.processAllAvailable()
            query.explain(extended=True)
            progress = json.dumps(query.recentProgress, default=str)
            status = json.dumps(query.status)
        finally:
            query.stop()

    printed = capsys.readouterr().out
    assert "BatchScan example" in printed and "MicroBatchScan" in printed
    assert "example" in plan and '"numInputRows": 120' in progress
    seen = {
        "explain output": printed,
        "plan string": plan,
        "stream progress": progress,
        "stream status": status,
        "spark log": spark_log.read_text(encoding="utf-8"),
        "python log": caplog.text,
    }
    leaked = [where for where, text in seen.items() if planted in text]
    assert leaked == []
    # py4j traced the option at DEBUG, with its value masked.
    assert "sapi_key\ns***" in caplog.text


def test_wrong_api_key_fails_with_the_connectors_hint_and_no_key(
    spark, sources, example_api, spark_log
):
    planted = _planted()
    # customers is read in one task (products plans its partitions with an API call first)
    df = _load(spark, "example", "customers", base_url=example_api.url, api_key=planted)

    text = _failure(df.collect)

    assert "skillpack.errors.AuthError: [unauthorized] example table `customers`" in text
    assert "answered 401" in text
    assert "hint: check the credentials" in text
    assert planted not in text
    log = spark_log.read_text(encoding="utf-8")
    assert "[unauthorized] example table `customers`" in log
    assert planted not in log


def test_wrong_password_fails_at_planning_with_the_hint_and_no_password(spark, sources, kinto):
    planted = _planted()
    config = {**kinto.config(), "password": planted}

    text = _failure(lambda: _load(spark, "kinto", "tasks", **config))

    assert "skillpack.errors.AuthError: [unauthorized] kinto connector" in text
    assert "hint: check the credentials" in text
    assert planted not in text


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"fail": "skillpack"}, "SourceError: [refused] leaky table `things`: the source refused"),
        (
            {"tableOptions": '{"fail": "plain"}'},
            "[connector-error] leaky table `things`: ValueError",
        ),
        ({"fail_at_init": "yes"}, "ConfigError: [bad-config] leaky connector: api_key `***`"),
    ],
    ids=["skillpack-error", "other-error", "constructor"],
)
def test_credentials_quoted_by_a_connector_are_masked_in_its_errors(
    spark, sources, spark_log, how, expected
):
    key, passcode = _planted(), _planted()

    text = _failure(
        lambda: _load(spark, "leaky", "things", api_key=key, passcode=passcode, **how).collect()
    )

    assert expected in text
    assert "***" in text
    assert key not in text and passcode not in text
    log = spark_log.read_text(encoding="utf-8")
    assert key not in log and passcode not in log


def test_hint_of_a_masked_error_is_kept(spark, sources):
    key = _planted()
    df = _load(spark, "leaky", "things", api_key=key, fail="skillpack")

    text = _failure(df.collect)

    assert "hint: ask the source's admin to re-enable token ***" in text
    assert key not in text
