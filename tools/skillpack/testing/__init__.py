"""Test suites for connectors: the generic contract suite and the write-back mixin.

A connector's test file needs two imports and one class::

    from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests

    class TestMyConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):
        connector_class = MyLakeflowConnect
        test_utils_class = MyTestUtils
"""

from skillpack.testing._checkout import (
    MODE_LIVE,
    MODE_RECORD,
    MODE_REPLAY,
    MODE_SIMULATE,
    _resolve_env_mode_for_simulator,
    resolve_mode,
)
from skillpack.testing.causes import CAUSES
from skillpack.testing.config import get_mode
from skillpack.testing.eventually import eventually
from skillpack.testing.partition import SupportsPartitionedStreamTests, SupportsPartitionTests
from skillpack.testing.suite import LakeflowConnectTests
from skillpack.testing.write_back import (
    LakeflowConnectWriteBackTests,
    LakeflowConnectWriteTestUtils,
    resolve_path,
)

# The checkout's suite module exports this helper too; test files written for it import it.
_resolve_env_mode_for_simulator = _resolve_env_mode_for_simulator

__all__ = [
    "CAUSES",
    "MODE_LIVE",
    "MODE_RECORD",
    "MODE_REPLAY",
    "MODE_SIMULATE",
    "LakeflowConnectTests",
    "LakeflowConnectWriteBackTests",
    "LakeflowConnectWriteTestUtils",
    "SupportsPartitionTests",
    "SupportsPartitionedStreamTests",
    "eventually",
    "get_mode",
    "resolve_mode",
    "resolve_path",
]
