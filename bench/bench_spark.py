"""Rows per second through Spark against the connector read directly, same data, same run.

The example API (on 127.0.0.1) is seeded with ``ROWS`` products; both sides read them with
the same page size. The API runs in a process of its own, as a remote API would: in the
bench's process its thread would share one interpreter lock with the direct reader (and with
the Spark driver), and the bench would time the server as much as the readers.

(a) the connector: ``ExampleLakeflowConnect.read_table`` until the offset settles;
(b) Spark: ``spark.read.format("example").option("tableName", "products")...load().count()``
    on a local[2] session, through ``skillpack.spark`` (products is read by id ranges, one
    Spark partition each, rows sent as Arrow record batches).

Then the same Spark read against an API that waits ``LATENCY_S`` before every page (a remote
API's round trip), split into ``PARTITIONS`` partitions against one (``partitions=1``).

Spark's start-up (JVM, session) is reported apart: it is paid once per application, not per
read. So is the fixed cost of one query (planning in Spark's Python planner processes, task
scheduling; measured as a read of a one-row table): it is paid per read whatever its size,
so the rates are taken over ``ROWS`` rows, enough that it is a small part of the time.
Each side is warmed up, then run ``RUNS`` times; the best run counts. Run it with
``python bench/bench_spark.py``; ``run()`` returns the printed lines.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace

ROWS = 200_000
PAGE_SIZE = 1_000
RUNS = 3
#: the slow-API comparison: rows, page size, seconds per page, partitions
SLOW_ROWS = 20_000
SLOW_PAGE_SIZE = 100
LATENCY_S = 0.020
PARTITIONS = 4
_QUIET_LOG4J = (
    "rootLogger.level = error\n"
    "rootLogger.appenderRef.stderr.ref = console\n"
    "appender.console.type = Console\n"
    "appender.console.name = console\n"
    "appender.console.target = SYSTEM_ERR\n"
    "appender.console.layout.type = PatternLayout\n"
    "appender.console.layout.pattern = %p %c{1}: %m%n\n"
)


def _serve(conn: Any, seed_rows: int, latency_s: float) -> None:
    with serve_example_api(seed_rows=seed_rows, latency_s=latency_s) as server:
        conn.send((server.url, server.api_key))
        conn.recv()  # until the bench says stop


@contextlib.contextmanager
def _api_process(seed_rows: int, latency_s: float = 0.0) -> Iterator[tuple[str, str]]:
    """The example API in a child process for the block: its base URL and API key."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_serve, args=(theirs, seed_rows, latency_s), daemon=True)
    child.start()
    try:
        if not ours.poll(60):
            raise RuntimeError("the example API process did not start within 60 s")
        yield ours.recv()
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
        child.join(10)
        if child.is_alive():
            child.kill()


def _best_rate(work: Callable[[], int], rows: int, runs: int = RUNS) -> float:
    work()  # warm-up: imports, connection pool, Python workers
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
        if count != rows:
            raise RuntimeError(f"bench read {count} rows, expected {rows}")
    return rows / best


def _start_spark(workdir: Path) -> Any:
    from pyspark.sql import SparkSession

    log4j = workdir / "log4j2.properties"
    log4j.write_text(_QUIET_LOG4J, encoding="utf-8")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    return (
        SparkSession.builder.master("local[2]")
        .appName("skillpack-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
        .config("spark.executorEnv.PYTHONPATH", str(bundled_workspace()))
        .getOrCreate()
    )


def run() -> list[str]:
    """Measure and return the report lines."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pyarrow") is None:
        return ["skipped: pyspark/pyarrow not installed (pip install 'connector-skillpack[spark]')"]
    workspace = str(bundled_workspace())
    if workspace not in sys.path:
        sys.path.insert(0, workspace)
    from sources.example.example import ExampleLakeflowConnect

    from skillpack.spark import register

    with tempfile.TemporaryDirectory(prefix="skillpack-bench-spark-") as workdir:
        started = time.perf_counter()
        spark = _start_spark(Path(workdir))
        startup = time.perf_counter() - started
        try:
            register(spark, ExampleLakeflowConnect, "example")
            with _api_process(ROWS) as (url, api_key):
                config = {
                    "base_url": url,
                    "api_key": api_key,
                    "page_size": str(PAGE_SIZE),
                }

                def direct() -> int:
                    connector = ExampleLakeflowConnect(config)
                    offset: dict | None = None
                    count = 0
                    while True:
                        records, nxt = connector.read_table("products", offset, {})
                        count += sum(1 for _ in records)
                        if (nxt or {}) == (offset or {}):
                            return count
                        offset = nxt

                def through_spark() -> int:
                    reader = spark.read.format("example").option("tableName", "products")
                    return reader.options(**config).load().count()

                connector_rate = _best_rate(direct, ROWS)
                spark_rate = _best_rate(through_spark, ROWS)
            with _api_process(1) as (tiny_url, tiny_key):
                tiny = {"base_url": tiny_url, "api_key": tiny_key}
                query_cost = 1 / _best_rate(
                    lambda: (
                        spark.read.format("example")
                        .option("tableName", "products")
                        .options(**tiny)
                        .load()
                        .count()
                    ),
                    1,
                )
            with _api_process(SLOW_ROWS, LATENCY_S) as (slow_url, slow_key):
                slow_config = {
                    "base_url": slow_url,
                    "api_key": slow_key,
                    "page_size": str(SLOW_PAGE_SIZE),
                }

                def split(parts: int) -> Callable[[], int]:
                    def work() -> int:
                        reader = spark.read.format("example").option("tableName", "products")
                        reader = reader.option("partitions", str(parts)).options(**slow_config)
                        return reader.load().count()

                    return work

                one_rate = _best_rate(split(1), SLOW_ROWS, runs=2)
                many_rate = _best_rate(split(PARTITIONS), SLOW_ROWS, runs=2)
        finally:
            spark.stop()
    return [
        f"spark start-up (local[2], once per application): {startup:.1f} s",
        f"connector read direct: {connector_rate:,.0f} rows/s ({ROWS:,} products, "
        f"pages of {PAGE_SIZE:,}, best of {RUNS})",
        f"spark.read...load().count(): {spark_rate:,.0f} rows/s (same data, partitioned, Arrow)",
        f"spark's fixed cost of one query (a one-row read): {query_cost:.2f} s",
        f"ratio spark/direct: {spark_rate / connector_rate:.2f}x",
        f"slow API ({LATENCY_S * 1000:.0f} ms a page, {SLOW_ROWS:,} rows, pages of "
        f"{SLOW_PAGE_SIZE}): one partition {one_rate:,.0f} rows/s, {PARTITIONS} partitions "
        f"on local[2] {many_rate:,.0f} rows/s",
        f"ratio partitioned/unpartitioned: {many_rate / one_rate:.2f}x",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
