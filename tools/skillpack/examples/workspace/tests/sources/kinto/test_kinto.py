"""Kinto under the generic and write-back suites.

In live and record mode ``kinto_service`` starts a real, seeded Kinto for the class (record
mode also writes ``cassettes/TestKintoConnector.yaml``); in simulate mode the committed
cassette answers instead, with ``configs/replay_config.json`` as stand-in credentials.
"""

from kinto_test_utils import KintoTestUtils
from sources.kinto.kinto import KintoLakeflowConnect

from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests
from skillpack.testing.kinto_server import kinto_service


class TestKintoConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):
    connector_class = KintoLakeflowConnect
    test_utils_class = KintoTestUtils
    local_service = kinto_service
