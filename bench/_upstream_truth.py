"""Print, as JSON, the tables one upstream connector serves: run with the upstream venv.

``python _upstream_truth.py CHECKOUT SOURCE`` imports the connector from a Lakeflow
Community Connectors checkout, builds it with the stand-in config its own test class
declares (``replay_config``) inside upstream's simulator when the source has a spec, and
asks it ``list_tables()`` and ``read_table_metadata()`` per table. Outbound sockets are
refused, so a connector that needs the network fails here instead of reaching it.
Nothing is written; the result is one JSON object on stdout. ``list`` says whether
``list_tables()`` sent a request (``discovered``: the names come from the API at run time,
so a doc can only give examples of them) or answered from the connector's own code
(``static``).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import socket
import sys
from pathlib import Path

_PKG = "databricks.labs.community_connector"


def _refuse_network() -> None:
    def refuse(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"network refused while reading metadata: {host}")
        return real(self, address, *args, **kwargs)

    real = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign]


@contextlib.contextmanager
def _count_requests():
    """Count the HTTP requests sent inside the block, whoever answers them (the simulator
    or nobody): a list of tables that needs one is discovered at run time."""
    import urllib.request

    sent = [0]
    patched = []
    try:
        import requests.sessions

        real_send = requests.sessions.Session.send

        def send(self, *args, **kwargs):
            sent[0] += 1
            return real_send(self, *args, **kwargs)

        requests.sessions.Session.send = send  # type: ignore[method-assign]
        patched.append((requests.sessions.Session, "send", real_send))
    except ImportError:
        pass
    real_open = urllib.request.urlopen

    def urlopen(*args, **kwargs):
        sent[0] += 1
        return real_open(*args, **kwargs)

    urllib.request.urlopen = urlopen
    patched.append((urllib.request, "urlopen", real_open))
    try:
        yield sent
    finally:
        for owner, attr, real in reversed(patched):
            setattr(owner, attr, real)


def _test_class(root: Path, source: str):
    """The source's test class that names a connector, if its module imports."""
    folder = root / "tests" / "unit" / "sources" / source
    for path in sorted(folder.glob("test_*.py")):
        mod_name = f"tests.unit.sources.{source}.{path.stem}"
        try:
            mod = importlib.import_module(mod_name)
        except Exception:
            continue
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if getattr(obj, "connector_class", None) is not None and obj.__module__ == mod_name:
                return obj
    return None


def _connector_class(source: str):
    base = importlib.import_module(f"{_PKG}.interface").LakeflowConnect
    mod = importlib.import_module(f"{_PKG}.sources.{source}.{source}")
    found = [
        c
        for _, c in inspect.getmembers(mod, inspect.isclass)
        if issubclass(c, base) and c is not base and c.__module__ == mod.__name__
    ]
    return found[0] if found else None


def _spec_options(root: Path, source: str) -> dict:
    """A stand-in value for every connection parameter the connector spec lists."""
    import yaml

    spec = root / "src" / _PKG.replace(".", "/") / "sources" / source / "connector_spec.yaml"
    if not spec.exists():
        return {}
    data = yaml.safe_load(spec.read_text()) or {}
    params = (data.get("connection") or {}).get("parameters") or []
    return {p["name"]: "stand-in" for p in params if isinstance(p, dict) and "name" in p}


def truth(root: Path, source: str) -> dict:
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "src"))
    _refuse_network()
    cls = _test_class(root, source)
    table_configs: dict = {}
    patch = contextlib.nullcontext()
    how = "spec-options"
    if cls is not None:
        connector_cls = cls.connector_class
        try:
            config = cls._load_config()
            how = "test-class"
        except Exception:
            config = _spec_options(root, source)
        with contextlib.suppress(Exception):
            table_configs = cls._load_table_configs()
        if getattr(cls, "simulator_source", None):
            from databricks.labs.community_connector.source_simulator import Simulator

            patch = Simulator(**cls._resolve_mode_and_simulator_args())
    else:
        connector_cls = _connector_class(source)
        config = _spec_options(root, source)
    if connector_cls is None:
        return {"source": source, "error": "no connector class found"}
    with patch:
        conn = connector_cls(config)
        with _count_requests() as sent:
            names = list(conn.list_tables())
        listing = "discovered" if sent[0] else "static"
        tables = {}
        for name in names:
            opts = dict(table_configs.get(name) or {})
            try:
                meta = conn.read_table_metadata(name, opts)
            except Exception as exc:
                tables[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
                continue
            pk = meta.get("primary_keys") or meta.get("primary_key") or []
            if isinstance(pk, str):
                pk = [pk]
            tables[name] = {
                "primary_keys": list(pk),
                "cursor_field": meta.get("cursor_field"),
                "ingestion_type": meta.get("ingestion_type"),
            }
    return {"source": source, "how": how, "list": listing, "tables": tables}


def main() -> None:
    root, source = Path(sys.argv[1]).resolve(), sys.argv[2]
    try:
        # Connectors may print; only the JSON below goes to stdout.
        with contextlib.redirect_stdout(sys.stderr):
            out = truth(root, source)
    except Exception as exc:
        out = {"source": source, "error": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
