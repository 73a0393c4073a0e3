"""The example connector under the generic and write-back suites.

``local_service`` starts the example API on a free 127.0.0.1 port for the class,
so the suite runs the same way offline (simulate) and live.
"""

from example_test_utils import ExampleTestUtils
from sources.example.example import ExampleLakeflowConnect

from skillpack.examples.example_api import example_service
from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests


class TestExampleConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):
    connector_class = ExampleLakeflowConnect
    test_utils_class = ExampleTestUtils
    local_service = example_service
