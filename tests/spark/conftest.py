"""One local SparkSession for every Spark test, plus the sources they read.

Starting Spark takes about ten seconds, so the session is shared by the whole run. Its
Python workers run this interpreter (``PYSPARK_PYTHON``) with the bundled workspace and the
repository root on their path, so they import the example and Kinto connectors and the test
connectors in ``tests/spark/_connectors.py``. Spark's own log goes to a file the secrets
tests read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skillpack.examples.example_api import ExampleServer, serve_example_api
from skillpack.layout import bundled_workspace
from skillpack.testing.kinto_server import KintoServer, run_kinto

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = bundled_workspace()
# The driver (this process) imports the bundled connectors as the workers do.
if str(WORKSPACE) not in sys.path:
    sys.path.insert(0, str(WORKSPACE))

_LOG4J = """\
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {path}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{HH:mm:ss}} %p %c{{1}}: %m%n%ex
"""


@pytest.fixture(scope="session")
def spark_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file Spark's JVM logs to (INFO and up) for this test run."""
    return tmp_path_factory.mktemp("spark-log") / "spark.log"


@pytest.fixture(scope="session")
def spark(spark_log: Path) -> Iterator[Any]:
    """A local[2] SparkSession shared by the run, stopped at its end."""
    from tests.spark._requirements import require_java, require_pyspark

    require_pyspark()
    require_java()
    from pyspark.sql import SparkSession

    config = spark_log.parent / "log4j2.properties"
    config.write_text(_LOG4J.format(path=spark_log), encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("skillpack-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{config}")
        .config("spark.executorEnv.PYTHONPATH", os.pathsep.join([str(WORKSPACE), str(REPO_ROOT)]))
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def sources(spark: Any) -> dict[str, type]:
    """Every connector the tests read, registered once: format name -> connector class."""
    from sources.example.example import ExampleLakeflowConnect
    from sources.kinto.kinto import KintoLakeflowConnect

    from skillpack.spark import register
    from tests.spark._connectors import (
        LeakyLakeflowConnect,
        ShardedLakeflowConnect,
        TypedLakeflowConnect,
    )

    registered = {
        "example": ExampleLakeflowConnect,
        "kinto": KintoLakeflowConnect,
        "sharded": ShardedLakeflowConnect,
        "leaky": LeakyLakeflowConnect,
        "typed": TypedLakeflowConnect,
    }
    for name, connector_class in registered.items():
        register(spark, connector_class, name, secret_options=("passcode",))
    return registered


@pytest.fixture
def example_api() -> Iterator[ExampleServer]:
    """A fresh example API (its own data) for one test."""
    with serve_example_api() as server:
        yield server


@pytest.fixture(scope="session")
def kinto() -> Iterator[KintoServer]:
    """A seeded Kinto shared by the run; tests that write use collections of their own."""
    with run_kinto() as server:
        yield server
