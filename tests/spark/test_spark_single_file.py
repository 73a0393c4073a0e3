"""The single-file form on Spark, with the pack itself out of reach.

The merged ``example_connector.py`` carries the Spark adapter. A driver process and its Spark
workers run with a ``sitecustomize`` that makes ``import skillpack`` fail, so a batch and a
streaming read can only work if that one file holds everything they need.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spark._requirements import require_java, require_pyspark

require_pyspark()

from skillpack.examples.example_api import serve_example_api  # noqa: E402
from skillpack.layout import bundled_workspace, source_paths  # noqa: E402
from skillpack.package._merge import merge_connector  # noqa: E402

pytestmark = pytest.mark.spark

_BLOCK = '''\
import sys


class _NoPack:
    """Refuse the pack: the single file must carry all of it."""

    def find_spec(self, name, path=None, target=None):
        if name == "skillpack" or name.startswith("skillpack."):
            raise ImportError(f"`{name}` is out of reach in this test")
        return None


sys.meta_path.insert(0, _NoPack())
'''

_DRIVER = """\
import json
import sys

import example_connector as ec
from pyspark.sql import SparkSession

url, key, folder, checkpoint = sys.argv[1:5]
try:
    import skillpack  # noqa: F401
except ImportError:
    blocked = True
else:
    blocked = False
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.ui.enabled", "false")
    .config("spark.executorEnv.PYTHONPATH", folder)
    .getOrCreate()
)
ec.register(spark, ec.ExampleLakeflowConnect, "example")
config = {"base_url": url, "api_key": key}
products = spark.read.format("example").option("tableName", "products").options(**config).load()
batch_rows = products.count()
batch_partitions = products.rdd.getNumPartitions()
seen = []
stream = spark.readStream.format("example").option("tableName", "events").options(**config)
query = (
    stream.load()
    .writeStream.foreachBatch(lambda df, _: seen.extend(r["seq"] for r in df.collect()))
    .option("checkpointLocation", checkpoint)
    .trigger(availableNow=True)
    .start()
)
query.awaitTermination()
customers = spark.readStream.format("example").option("tableName", "customers").options(**config)
cdc = []
query = (
    customers.load()
    .writeStream.foreachBatch(lambda df, _: cdc.extend(r["id"] for r in df.collect()))
    .option("checkpointLocation", checkpoint + "-cdc")
    .trigger(availableNow=True)
    .start()
)
query.awaitTermination()
spark.stop()
print(json.dumps({
    "blocked": blocked,
    "pack_modules": sorted(m for m in sys.modules if m.startswith("skillpack")),
    "batch_rows": batch_rows,
    "batch_partitions": batch_partitions,
    "stream_seqs": sorted(seen),
    "cdc_rows": len(cdc),
}))
"""


def test_single_file_reads_batch_and_stream_without_the_pack(tmp_path: Path) -> None:
    require_java()
    folder = tmp_path / "deploy"
    folder.mkdir()
    merged = merge_connector(source_paths("example", bundled_workspace()), with_spark=True)
    (folder / "example_connector.py").write_text(merged.text, encoding="utf-8")
    (folder / "sitecustomize.py").write_text(_BLOCK, encoding="utf-8")
    (folder / "driver.py").write_text(_DRIVER, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(folder),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
    }
    with serve_example_api() as server:
        done = subprocess.run(
            [sys.executable, str(folder / "driver.py"), server.url, server.api_key,
             str(folder), str(tmp_path / "checkpoint")],
            capture_output=True, text=True, env=env, cwd=folder, timeout=600, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["blocked"] is True
    assert result["pack_modules"] == []
    assert result["batch_rows"] == 40 and result["batch_partitions"] == 4
    assert result["stream_seqs"] == list(range(1, 121))
    assert result["cdc_rows"] == 40
