"""Which SDK modules a packaged connector carries, and how its imports are pointed at them."""

from __future__ import annotations

import pytest

from skillpack.errors import InputError
from skillpack.package._vendor import plan_vendoring, rewrite_pack_imports

CONNECTOR = """\
from skillpack.errors import ConfigError
from skillpack.sdk.http import (
    RestClient,
)


def to_spark():
    from skillpack.spark import register

    return register
"""


def test_the_plan_follows_the_sdk_through_its_own_imports():
    plan = plan_vendoring([("shop.py", CONNECTOR)])
    # http imports _transfer, pagination, offsets and redaction; sdk/__init__ imports connector
    assert plan.modules == [
        "skillpack.errors",
        "skillpack.sdk",
        "skillpack.sdk._transfer",
        "skillpack.sdk.connector",
        "skillpack.sdk.http",
        "skillpack.sdk.offsets",
        "skillpack.sdk.pagination",
        "skillpack.sdk.redaction",
    ]
    assert "sdk/schema.py" not in [rel for rel, _ in plan.files()]


def test_a_connector_without_pack_imports_carries_nothing():
    assert not plan_vendoring([("shop.py", "import requests\n")]).needed


def test_imports_are_rewritten_and_lazy_tool_imports_are_left_alone():
    text = rewrite_pack_imports(CONNECTOR, "shop.py", "lakeflow_connector_shop")
    assert "from lakeflow_connector_shop._skillpack.errors import ConfigError" in text
    assert "from lakeflow_connector_shop._skillpack.sdk.http import (" in text
    assert "    from skillpack.spark import register" in text


def test_error_classes_from_the_pack_root_come_from_the_carried_errors_module():
    code = "from skillpack import InputError\n"
    assert plan_vendoring([("shop.py", code)]).modules == ["skillpack.errors"]
    text = rewrite_pack_imports(code, "shop.py", "pkg")
    assert text == "from pkg._skillpack.errors import InputError\n"


def test_a_module_level_import_of_the_test_harness_is_refused():
    code = "from skillpack.testing import LakeflowConnectTests\n"
    with pytest.raises(InputError) as info:
        plan_vendoring([("shop.py", code)])
    assert info.value.code == "tooling-import"
    assert "shop.py:1" in str(info.value) and "skillpack.testing" in str(info.value)
