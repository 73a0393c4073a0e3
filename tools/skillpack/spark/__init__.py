"""Run any connector on Spark: a PySpark Python Data Source over the connector contract.

Needs the ``spark`` extra (``pip install 'connector-skillpack[spark]'``: pyspark 4 and
pyarrow). Three lines read a table::

    from skillpack.spark import register
    register(spark, ExampleLakeflowConnect, "example")
    df = spark.read.format("example").option("tableName", "products").options(**config).load()

``df`` has the table's schema (``get_table_schema``). Incremental tables (cdc,
cdc_with_deletes, append) also stream, with the connector's offsets as Spark's, so a query
restarted from its checkpoint resumes where it stopped::

    spark.readStream.format("example").option("tableName", "customers").options(**config).load()

Options the adapter reads (all others go to the connector, and to its table options unless
their names look secret):

==================== ====================================================================
``tableName``        the table to read (required)
``tableOptions``     a JSON object of extra table options
``readDeletes``      ``true``: read a cdc_with_deletes table's deletes instead, as rows of
                     its primary keys plus ``_deleted = true``, ready for a MERGE
``maxReadsPerBatch`` most ``read_table`` calls in one streaming micro-batch (default 1000)
==================== ====================================================================

Credentials travel as options. Spark keeps data source options out of its plan strings and
logs; :func:`register` also masks secret-named option values in py4j's DEBUG trace of the
commands pyspark sends to the JVM. Every error the connector raises reaches Spark as
``[code] message`` plus its hint, with the credentials masked (``secret_options`` names
credentials whose option names do not look secret).

A connector that can split its work into partitions implements ``get_partitions`` and
``read_partition`` (``skillpack.sdk.mixins.SupportsPartition``); each descriptor is then a
Spark partition. With ``SupportsPartitionedStream`` a stream's micro-batches end at the
connector's ``latest_offset`` and are read in partitions too. Otherwise a read is one
partition. Rows go to Spark as Arrow record batches.

The connector class must import on Spark's Python workers: install it, or put its folder on
the workers' path (``spark.executorEnv.PYTHONPATH``, or ``PYTHONPATH`` when the session
starts).
"""

from __future__ import annotations

from skillpack.errors import InputError

try:
    import pyspark.sql.datasource  # noqa: F401  (the Python Data Source API, pyspark >= 4.0)
except ImportError:
    raise InputError(
        "skillpack.spark needs pyspark 4 with the Python Data Source API",
        hint="pip install 'connector-skillpack[spark]'",
        code="missing-pyspark",
    ) from None

from skillpack.spark._options import (
    DELETED_COLUMN,
    MAX_READS_PER_BATCH,
    READ_DELETES,
    TABLE_NAME,
    TABLE_OPTIONS,
)
from skillpack.spark._source import ConnectorDataSource, data_source_for, default_name, register

__all__ = [
    "DELETED_COLUMN",
    "MAX_READS_PER_BATCH",
    "READ_DELETES",
    "TABLE_NAME",
    "TABLE_OPTIONS",
    "ConnectorDataSource",
    "data_source_for",
    "default_name",
    "register",
]
