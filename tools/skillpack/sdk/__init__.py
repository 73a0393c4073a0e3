"""The connector SDK: the contract, the schema model and the REST toolkit.

Import what a connector needs from the submodules::

    from skillpack.sdk.connector import LakeflowConnect
    from skillpack.sdk.schema import StructType, StructField, StringType, LongType
    from skillpack.sdk.http import RestClient
    from skillpack.sdk.pagination import CursorPaginator
    from skillpack.sdk.offsets import advance_offset
    from skillpack.sdk.mixins import SupportsPartitionedStream   # partitioned reads
"""

from skillpack.sdk.connector import INGESTION_TYPES, LakeflowConnect
from skillpack.sdk.mixins import SupportsNamespaces, SupportsPartition, SupportsPartitionedStream

__all__ = [
    "INGESTION_TYPES",
    "LakeflowConnect",
    "SupportsNamespaces",
    "SupportsPartition",
    "SupportsPartitionedStream",
]
