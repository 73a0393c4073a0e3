"""The partition and namespace mix-ins keep the Lakeflow interface's method names."""

import inspect

import pytest

from skillpack.sdk import SupportsNamespaces, SupportsPartition, SupportsPartitionedStream


def test_a_partitioned_stream_must_implement_its_three_methods():
    class Half(SupportsPartitionedStream):
        def latest_offset(self, table_name, table_options, start_offset=None):
            return {}

    with pytest.raises(TypeError) as info:
        Half()
    assert "get_partitions" in str(info.value) and "read_partition" in str(info.value)


def test_every_table_is_partitioned_unless_the_connector_says_otherwise():
    class Stream(SupportsPartitionedStream):
        def latest_offset(self, table_name, table_options, start_offset=None):
            return {"at": 1}

        def get_partitions(self, table_name, table_options, start_offset=None, end_offset=None):
            return [{"at": 1}]

        def read_partition(self, table_name, partition, table_options):
            return iter([{"id": 1}])

    assert Stream().is_partitioned("any") is True
    assert issubclass(Stream, SupportsPartition)


@pytest.mark.parametrize(
    ("mixin", "method", "params"),
    [
        (
            SupportsPartitionedStream,
            "get_partitions",
            ["table_name", "table_options", "start_offset", "end_offset"],
        ),
        (
            SupportsPartitionedStream,
            "latest_offset",
            ["table_name", "table_options", "start_offset"],
        ),
        (SupportsPartition, "read_partition", ["table_name", "partition", "table_options"]),
        (SupportsNamespaces, "list_namespaces", ["prefix"]),
        (SupportsNamespaces, "list_tables_in_namespace", ["namespace"]),
    ],
)
def test_method_names_and_parameters_match_the_interface(mixin, method, params):
    signature = inspect.signature(getattr(mixin, method))
    assert list(signature.parameters)[1:] == params
