"""What a Lakeflow Community Connectors checkout offers the suites, when it is importable.

A test file in that checkout runs under our suites as is, so the suites use the checkout's
own pieces where they exist: its ``source_simulator`` (``simulator_source`` classes) and its
partition interfaces (``SupportsPartition``/``SupportsPartitionedStream``). Without them the
pack's own stand-ins apply. Nothing here imports the checkout at module import time.
"""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from skillpack.sdk import mixins

SIMULATOR_MODULE = "databricks.labs.community_connector.source_simulator"
PARTITION_MODULE = "databricks.labs.community_connector.interface.supports_partition"
CONNECT_MODULE = "databricks.labs.community_connector.interface.lakeflow_connect"

MODE_LIVE = "live"
MODE_RECORD = "record"
MODE_REPLAY = "replay"
MODE_SIMULATE = "simulate"


@functools.cache
def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def checkout_simulator() -> ModuleType | None:
    """The checkout's ``source_simulator`` package, or ``None`` outside a checkout."""
    return _optional(SIMULATOR_MODULE)


def simulator_specs_root() -> Path | None:
    """``source_simulator/specs/`` of the checkout, where ``NAME/endpoints.yaml`` live."""
    module = checkout_simulator()
    if module is None or not getattr(module, "__file__", None):
        return None
    return Path(module.__file__).parent / "specs"


def _classes(module: str, *names: str) -> tuple[type, ...]:
    found = _optional(module)
    return tuple(getattr(found, n) for n in names if found is not None and hasattr(found, n))


def partition_classes() -> tuple[type, ...]:
    """Every ``SupportsPartition`` base the suites recognise: ours and the checkout's."""
    return (mixins.SupportsPartition, *_classes(PARTITION_MODULE, "SupportsPartition"))


def partitioned_stream_classes() -> tuple[type, ...]:
    """Every ``SupportsPartitionedStream`` base the suites recognise."""
    return (
        mixins.SupportsPartitionedStream,
        *_classes(PARTITION_MODULE, "SupportsPartitionedStream"),
    )


def connect_classes() -> tuple[type, ...]:
    """Every ``LakeflowConnect`` base the suites recognise."""
    from skillpack.sdk.connector import LakeflowConnect

    return (LakeflowConnect, *_classes(CONNECT_MODULE, "LakeflowConnect"))


def resolve_mode(simulator_source: str | None, *, default: str = MODE_SIMULATE) -> str:
    """The mode a class runs in, by the checkout's rule.

    With a simulator spec, an unset, ``simulate`` or ``replay`` mode means simulate. Without
    one, the variable decides and ``default`` applies when it is unset (simulate for our
    layout; the checkout's own classes default to live, see ``LakeflowConnectTests``).
    """
    raw = os.environ.get("CONNECTOR_TEST_MODE", "").strip().lower()
    if raw in ("", "simulate", "replay"):
        return MODE_SIMULATE if simulator_source or raw else default
    from skillpack.testing.config import get_mode

    return get_mode()


def _resolve_env_mode_for_simulator(simulator_source: str | None) -> str:
    """The checkout's helper of this name, for test files that import it from the suite."""
    return resolve_mode(simulator_source, default=MODE_LIVE)


def enter_checkout_simulator(test_class: Any, mode: str) -> Any | None:
    """Start the checkout's ``Simulator`` for ``test_class`` in simulate mode; ``None`` if absent.

    The returned object is a context manager already entered; the caller exits it.
    """
    module = checkout_simulator()
    root = simulator_specs_root()
    source = getattr(test_class, "simulator_source", None)
    if module is None or root is None or not source or mode != MODE_SIMULATE:
        return None
    sim = module.Simulator(
        mode=module.MODE_SIMULATE,
        spec_path=root / source / "endpoints.yaml",
        corpus_dir=root / source / "corpus",
        ignore_query_params=frozenset(getattr(test_class, "record_replay_ignore_query_params", ())),
    )
    sim.__enter__()
    return sim


def checkout_parse_value() -> Any | None:
    """The framework's own record converter (``libs.utils.parse_value``), when importable.

    It is what the pipeline applies to every record, so a record it accepts loads.
    """
    found = _optional("databricks.labs.community_connector.libs.utils")
    return getattr(found, "parse_value", None)
