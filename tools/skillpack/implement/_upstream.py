"""Files the implement step writes only in an upstream checkout: simulator spec, corpus, tests.

The checkout's test harness serves a source offline from
``source_simulator/specs/NAME/endpoints.yaml`` (its endpoints, pagination styles and query
parameter roles) and ``corpus/TABLE.json`` (the records). Both are synthesised from the
connector plan: one endpoint per table the doc gave a read path for, with the parameters the
connector sends, and records generated from the table's schema (unique keys, growing cursors,
no empty column), the same data the pack's own simulator would serve.

The harness has four pagination styles (``none``, ``page_number``,
``page_number_with_link_header``, ``offset_limit``). A cursor or next-URL API is served as one
page whose wrapper says there is no next page, which is what the connector sees at the end of a
real walk.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import yaml

from skillpack.flavour import Flavour
from skillpack.implement._files import (
    TOKEN_ANSWER,
    simulated_token_url,
    stand_in_table_options,
    token_path,
)
from skillpack.implement._format import import_lines
from skillpack.implement._model import PLACEHOLDER, ConnectorPlan, FieldNode, TablePlan
from skillpack.sdk import schema as sdk_schema
from skillpack.testing._spec_data import generate, tombstones

#: records per table in the synthesised corpus
CORPUS_RECORDS = 25
#: deleted records per delete feed
CORPUS_TOMBSTONES = 3
_TYPES: dict[str, type[sdk_schema.DataType]] = {
    "string": sdk_schema.StringType,
    "bigint": sdk_schema.LongType,
    "double": sdk_schema.DoubleType,
    "boolean": sdk_schema.BooleanType,
    "date": sdk_schema.DateType,
    "timestamp": sdk_schema.TimestampType,
    "binary": sdk_schema.BinaryType,
}


def _data_type(node: FieldNode) -> sdk_schema.DataType:
    """The schema type of a planned column, as the generated connector declares it."""
    if node.type == "struct" and node.children:
        return sdk_schema.StructType([_field(c) for c in node.children])
    if node.type == "array":
        element = FieldNode(node.name, node.element or "string", children=node.children)
        return sdk_schema.ArrayType(_data_type(element), True)
    if node.type == "map":
        return sdk_schema.MapType(sdk_schema.StringType(), sdk_schema.StringType(), True)
    if node.type == "decimal":
        return sdk_schema.DecimalType(38, 10)
    return _TYPES.get(node.type, sdk_schema.StringType)()


def _field(node: FieldNode) -> sdk_schema.StructField:
    return sdk_schema.StructField(node.name, _data_type(node), node.nullable)


def _schema(table: TablePlan) -> sdk_schema.StructType:
    return sdk_schema.StructType([_field(f) for f in table.fields])


def _served(plan: ConnectorPlan) -> list[TablePlan]:
    return [t for t in plan.tables if t.path and not t.todo]


def in_process(plan: ConnectorPlan) -> bool:
    """Whether the source is a Python client: nothing goes over HTTP for a simulator to
    serve, and the suite reads the client itself."""
    return plan.auth.kind == "client"


def _endpoint_path(plan: ConnectorPlan, path: str) -> str:
    if path.startswith(("http://", "https://")):
        # a read on another host: the simulator matches the path whatever the host
        return urlsplit(path).path
    base = "/" + plan.base_path.strip("/") if plan.base_path.strip("/") else ""
    return base + "/" + path.lstrip("/")


def _response_and_params(table: TablePlan, page_size: int) -> tuple[dict[str, Any], dict]:
    """The endpoint's ``response`` block and its query parameters, by pagination style."""
    records_key = (
        table.records_path if table.records_path and "." not in table.records_path else "data"
    )
    wrapper: dict[str, Any] = {"records_key": records_key}
    params: dict[str, Any] = {}
    p = table.pagination
    style = "none"
    if p is not None and p.style == "page_number":
        style = "page_number"
        params[p.args["page_param"]] = {"role": "page"}
        size = p.args.get("page_size_param") or p.limit_param
        if size:
            params[size] = {"role": "per_page", "default": page_size, "max": max(page_size, 100)}
    elif p is not None and p.style == "offset":
        style = "offset_limit"
        params[p.args["offset_param"]] = {"role": "offset"}
        params[p.args["limit_param"]] = {
            "role": "limit",
            "default": page_size,
            "max": max(page_size, 100),
        }
    elif p is not None and p.style == "link_header":
        style = "page_number_with_link_header"
        params["page"] = {"role": "page"}
        params["per_page"] = {"role": "per_page", "default": page_size, "max": 100}
    elif p is not None:
        # One page holds everything; the wrapper says there is no next page.
        for key in ("cursor_path", "next_url_path"):
            value = p.args.get(key)
            if isinstance(value, str) and value and "." not in value:
                wrapper["extras"] = {value: None}
        for key in ("cursor_param", "limit_param"):
            if p.args.get(key):
                params[p.args[key]] = {"role": "ignore"}
    if p is not None and p.limit_param and p.limit_param not in params:
        params[p.limit_param] = {"role": "ignore"}
    if table.since_param and table.cursor_field and table.ingestion_type != "snapshot":
        params[table.since_param] = (
            # this simulator compares the value whole: with the doc's operator before it
            # (`gt2024-...`) it would compare the operator too, so the connector's own
            # filter on the records past its cursor does the work
            {"role": "ignore"}
            if table.since_prefix
            else {"role": "filter", "field": table.cursor_field, "op": "gte"}
        )
    for option in table.options:
        params.setdefault(option, {"role": "ignore"})
    return {"pagination_style": style, "wrapper": wrapper}, params


def _endpoint(
    plan: ConnectorPlan, path: str, corpus: str, response: dict, params: dict
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": _endpoint_path(plan, path),
        "method": "GET",
        "corpus": corpus,
        "response": response,
    }
    if params:
        out["params"] = params
    return out


def render_simulator(plan: ConnectorPlan, page_size: int) -> tuple[str, dict[str, str], list[str]]:
    """``endpoints.yaml``'s text, the corpus files' texts by table, and the tables left out."""
    served = _served(plan)
    endpoints: list[dict[str, Any]] = []
    corpus: dict[str, str] = {}
    for table in served:
        schema = _schema(table)
        keys = tuple(table.primary_keys)
        rows = generate(schema, table.name, CORPUS_RECORDS, keys, table.cursor_field)
        corpus[table.name] = json.dumps(rows, indent=2, sort_keys=False) + "\n"
        response, params = _response_and_params(table, page_size)
        endpoints.append(_endpoint(plan, table.path or "", table.name, response, params))
        feed = table.deletes
        # a feed that is the read endpoint asked with fixed parameters (`archived=true`) is
        # answered by the read's own endpoint: the checkout's simulator tells no parameters
        if feed is not None and feed.path and feed.cursor_field and not feed.params:
            name = f"{table.name}_deleted"
            cursor_type = next(
                (f.dataType for f in schema.fields if f.name == feed.cursor_field), None
            )
            dead = tombstones(
                schema,
                table.name,
                CORPUS_RECORDS,
                CORPUS_TOMBSTONES,
                keys,
                feed.cursor_field,
                cursor_type,
            )
            # Whole records, not only keys and cursor: the shared suite parses what
            # read_table_deletes returns against the table's schema, required columns too.
            whole = generate(
                schema, table.name, CORPUS_RECORDS + CORPUS_TOMBSTONES, keys, table.cursor_field
            )[CORPUS_RECORDS:]
            dead = [{**row, **stub} for row, stub in zip(whole, dead, strict=True)]
            corpus[name] = json.dumps(dead, indent=2) + "\n"
            params = {}
            if feed.since_param:
                params[feed.since_param] = {
                    "role": "filter",
                    "field": feed.cursor_field,
                    "op": "gte",
                }
            deleted_response = {"pagination_style": "none", "wrapper": dict(response["wrapper"])}
            endpoints.append(_endpoint(plan, feed.path, name, deleted_response, params))
    token = token_path(plan)
    if token is not None:
        # asked for an access token before any table; the harness matches paths only
        corpus["auth_token"] = json.dumps(TOKEN_ANSWER) + "\n"
        answer = {"pagination_style": "none", "single_entity": True}
        endpoints.insert(
            0, {"path": token, "method": "POST", "corpus": "auth_token", "response": answer}
        )
    left_out = [t.name for t in plan.tables if t not in served]
    notes = [
        f"# Simulated `{plan.source}` API: the endpoints the connector reads, served from",
        "# corpus/TABLE.json (records generated from the connector's schemas). Written by",
        f"# `skillpack tool implement_connector` from {plan.doc_name}.",
    ]
    if left_out:
        notes.append("# Not served until their read endpoint is finished: " + ", ".join(left_out))
    body = yaml.safe_dump(
        {"endpoints": endpoints}, sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    return "\n".join([*notes, ""]) + body, corpus, left_out


def stand_in_config(plan: ConnectorPlan) -> dict[str, Any]:
    """Options the test class passes in simulate mode: placeholders, and a base URL."""
    config: dict[str, Any] = {}
    for name in plan.required:
        if name == "base_url":
            continue
        config[name] = f"simulator-{name.replace('_', '-')}"
    host = f"https://{plan.source.replace('_', '-')}.simulator.invalid"
    token_url = simulated_token_url(plan, config, host)
    if "token_url" in config and token_url is not None:
        config["token_url"] = token_url
    if (plan.base_url_required or not plan.base_url) and not in_process(plan):
        url = plan.base_url or host + _endpoint_path(plan, "").rstrip("/")
        url = PLACEHOLDER.sub(lambda m: f"simulator-{m.group(1)}", url)
        config["base_url"] = url.rstrip("/")
    return config


def render_test_file(flavour: Flavour, plan: ConnectorPlan) -> str:
    """The test file: the checkout's suites on the connector, in simulate mode by default.

    A source reached through a Python client has no simulator spec: its class names none and
    the suite reads the client directly, which needs no network either.
    """
    paths = flavour.paths
    cls = f"Test{plan.class_name.removesuffix('LakeflowConnect')}Connector"
    if in_process(plan):
        client = plan.auth.client
        about = [
            f'"""Tests of the `{paths.name}` connector: the shared suite on its Python client.',
            "",
            "The source is reached through its Python client, so every mode reads it directly",
            "and no request leaves the process:",
            f"`{client.factory}` of `{client.module}`.",
        ]
        settings = [
            "    # stand-in credentials: the client is constructed with them, nothing is sent"
        ]
    else:
        about = [
            f'"""Tests of the `{paths.name}` connector: the shared suite, offline by default.',
            "",
            "Simulate mode (the default) serves the connector from",
            f"source_simulator/specs/{paths.name}/; live mode reads the source with the config",
            "passed in CONNECTOR_TEST_CONFIG_JSON or CONNECTOR_TEST_CONFIG_PATH.",
        ]
        settings = [
            f'    simulator_source = "{paths.name}"',
            "    # stand-in options: the simulator checks no credentials",
        ]
    lines = [
        *about,
        '"""',
        "",
        *import_lines(paths.connector_import, plan.class_name),
        "from tests.unit.sources.test_suite import LakeflowConnectTests",
        "",
        "",
        f"class {cls}(LakeflowConnectTests):",
        f"    connector_class = {plan.class_name}",
        *settings,
        *replay_config_lines(stand_in_config(plan)),
        *_table_configs_lines(plan),
    ]
    return "\n".join(lines) + "\n"


def _table_configs_lines(plan: ConnectorPlan) -> list[str]:
    """``table_configs = {...}``: stand-ins for the table options a read cannot go without."""
    given = {t.name: stand_in_table_options(t) for t in plan.tables if t.required_options}
    return _literal_lines("table_configs = ", given, 4) if given else []


def replay_config_lines(config: dict[str, Any]) -> list[str]:
    """``replay_config = {...}`` in a test class, laid out as ruff formats it."""
    return _literal_lines("replay_config = ", config, 4)


def _literal_lines(head: str, value: Any, indent: int, tail: str = "") -> list[str]:
    """``head`` and ``value`` as ruff lays them out at 100 columns: on one line when it fits,
    else a dict's items one per line, each laid out the same way."""
    pad = " " * indent
    one = f"{pad}{head}{json.dumps(value)}{tail}"
    if len(one) <= 100 or not isinstance(value, dict):
        return [one]
    lines = [f"{pad}{head}{{"]
    for key, item in value.items():
        lines += _literal_lines(f"{json.dumps(key)}: ", item, indent + 4, ",")
    return [*lines, f"{pad}}}{tail}"]


#: what the helper module needs at run time, with the checkout's own package
_RUNTIME = {
    "pydantic": "pydantic>=2.7,<3.0",
    "requests": "requests>=2.31,<3.0",
}


def render_pyproject(flavour: Flavour, third_party: list[str]) -> str:
    """The source's own ``pyproject.toml`` as the checkout's connectors write theirs.

    A setuptools project whose one package is the source's folder, depending on what the
    connector and its helpers import plus the checkout's ``lakeflow-community-connectors``.
    """
    name = flavour.paths.name
    package = f"databricks.labs.community_connector.sources.{name}"
    deps = [_RUNTIME.get(t, t) for t in sorted(third_party) if t != "pyspark"]
    deps.append("lakeflow-community-connectors>=0.1.0")
    listed = "".join(f'    "{d}",\n' for d in deps)
    return f"""[build-system]
requires = ["setuptools>=61.0", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "lakeflow-community-connectors-{name.replace("_", "-")}"
version = "0.1.0"
description = "The `{name}` source for Lakeflow Community Connectors"
requires-python = ">=3.10"
dependencies = [
{listed}]

[project.optional-dependencies]
dev = [
    "pyspark>=4.0",
    "pytest>=8.0",
]

[tool.setuptools]
packages = ["{package}"]

[tool.setuptools.package-dir]
"{package}" = "."

[tool.setuptools.package-data]
"*" = ["*.json", "*.md", "*.yaml"]
"""
