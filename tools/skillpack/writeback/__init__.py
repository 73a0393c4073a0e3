"""Write-back test utilities generated from the doc: ``write_test_utils``."""

from __future__ import annotations

from skillpack.writeback.generate import WriteTestUtilsIn, WriteTestUtilsOut, write_test_utils

__all__ = ["WriteTestUtilsIn", "WriteTestUtilsOut", "write_test_utils"]
