"""Test suites for connectors: the generic contract suite and the write-back mixin.

A connector's test file needs two imports and one class::

    from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests

    class TestMyConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):
        connector_class = MyLakeflowConnect
        test_utils_class = MyTestUtils
"""

from skillpack.testing.causes import CAUSES
from skillpack.testing.config import get_mode
from skillpack.testing.eventually import eventually
from skillpack.testing.suite import LakeflowConnectTests
from skillpack.testing.write_back import (
    LakeflowConnectWriteBackTests,
    LakeflowConnectWriteTestUtils,
    resolve_path,
)

__all__ = [
    "CAUSES",
    "LakeflowConnectTests",
    "LakeflowConnectWriteBackTests",
    "LakeflowConnectWriteTestUtils",
    "eventually",
    "get_mode",
    "resolve_path",
]
