"""How a test class's HTTP traffic is wrapped in each mode: record, replay, simulate or nothing.

The generic suite enters :func:`http_context` once per test class, after the config is
resolved and any ``local_service`` has started, and before the connector is built:

- ``live``: nothing; the connector talks to the real source.
- ``record``: every HTTP exchange is recorded to ``cassettes/<TestClass>.yaml`` beside the test
  file, with credentials and the config's secret values scrubbed (``_cassette``).
- ``simulate`` (the default) is offline. Connections to anything but 127.0.0.1 fail at once
  with ``[simulator-miss]``, and the first of these that applies answers the connector:
  0. with ``simulator_source = NAME`` set: the simulator spec ``specs/NAME/endpoints.yaml`` +
     ``corpus/``, served by the checkout's own ``source_simulator`` when it is importable,
     else by the pack's reader of the same format (``_endpoints``);

  1. the class's cassette, replayed; nothing else may answer, not even 127.0.0.1;
  2. the class's own ``local_service``, when it supplied the config (the example API);
  3. the source's ``simulator_spec.yaml``: a local server generating answers from the spec
     and the connector's schemas, whose URL replaces the config's base URL (``_spec_simulator``);
  4. nothing more: the connector meets the network block.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skillpack.layout import workspace_for_test_file
from skillpack.testing._cassette import record_cassette, replay_cassette
from skillpack.testing._checkout import enter_checkout_simulator
from skillpack.testing._netguard import block_network
from skillpack.testing._spec_model import SIMULATOR_URL, load_spec
from skillpack.testing._spec_simulator import serve_spec

CASSETTE_SUFFIX = ".yaml"
#: how the suite labels a config that came from the class's local_service


def cassette_path(test_class: Any) -> Path:
    """Where the class's cassette lives: ``cassettes/<ClassName>.yaml`` beside its test file."""
    folder = getattr(test_class, "_cassette_dir", None)
    base = folder() if callable(folder) else Path(inspect.getfile(test_class)).parent / "cassettes"
    return Path(base) / f"{test_class.__name__}{CASSETTE_SUFFIX}"


def simulator_spec_path(test_class: Any) -> Path | None:
    """The source's ``simulator_spec.yaml``, if the test file sits in a workspace that has one."""
    paths = workspace_for_test_file(Path(inspect.getfile(test_class)))
    if paths is None or not paths.simulator_spec.is_file():
        return None
    return paths.simulator_spec


def http_context(test_class: Any, mode: str) -> contextlib.AbstractContextManager[Any]:
    """The context the suite enters for the whole class; a no-op when nothing applies."""
    if mode == "record":
        return record_cassette(cassette_path(test_class), _config(test_class))
    if mode == "simulate":
        return _simulate(test_class)
    return contextlib.nullcontext()


def _config(test_class: Any) -> dict[str, Any]:
    config = getattr(test_class, "config", None)
    if config is None:
        config = {}
        test_class.config = config
    return config


@contextlib.contextmanager
def _simulate(test_class: Any) -> Iterator[None]:
    if getattr(test_class, "simulator_source", None):
        with block_network(why="simulate mode"), _endpoints_simulation(test_class):
            yield
        return
    cassette = cassette_path(test_class)
    if cassette.is_file():
        with (
            block_network(allow_loopback=False, why="a cassette replay answers every request"),
            replay_cassette(cassette, _config(test_class)),
        ):
            yield
        return
    with block_network(why="simulate mode"):
        spec = simulator_spec_path(test_class)
        if spec is None or _has_local_service(test_class):
            yield
            return
        with _spec_simulation(test_class, spec):
            yield


@contextlib.contextmanager
def _endpoints_simulation(test_class: Any) -> Iterator[None]:
    """Serve ``specs/NAME/endpoints.yaml`` + ``corpus/`` for the whole class."""
    sim = enter_checkout_simulator(test_class, "simulate")
    if sim is None:
        from skillpack.testing._endpoints import serve_endpoints

        with serve_endpoints(test_class):
            yield
        return
    try:
        yield
    finally:
        sim.__exit__(None, None, None)


def _has_local_service(test_class: Any) -> bool:
    """True when the class's ``local_service`` started a server and supplied the config."""
    return bool(getattr(test_class, "_local_service_started", False))


@contextlib.contextmanager
def _spec_simulation(test_class: Any, spec_path: Path) -> Iterator[None]:
    """Serve the spec and point the config (in place, restored after) at the simulator."""
    spec = load_spec(spec_path)
    config = _config(test_class)
    saved = dict(config)
    config.update(spec.config)
    saved_tables = getattr(test_class, "table_configs", None)
    stand_ins = {n: t.table_options for n, t in spec.tables.items() if t.table_options}
    if stand_ins:
        # the class's own table options win over the spec's stand-ins
        given = saved_tables or {}
        test_class.table_configs = {
            **given,
            **{n: {**o, **given.get(n, {})} for n, o in stand_ins.items()},
        }
    try:
        with serve_spec(spec, config) as simulator:
            config[spec.base_url_option] = simulator.url
            for name, value in spec.config.items():
                if isinstance(value, str) and SIMULATOR_URL in value:
                    config[name] = value.replace(SIMULATOR_URL, simulator.url)
            connector_class = test_class.connector_class
            simulator.prepare(lambda: connector_class(config))
            # validate_incremental_sync changes the simulated source between reads through it
            test_class._spec_simulator = simulator
            yield
    finally:
        test_class._spec_simulator = None
        test_class.table_configs = saved_tables
        config.clear()
        config.update(saved)
