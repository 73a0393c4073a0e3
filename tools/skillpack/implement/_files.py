"""The simulator spec and the test file of a generated connector, and the edit-detecting digest.

Every file the tool owns starts with ``# skillpack:generated sha256=<digest>``: the digest of
the file's text with the digest itself zeroed. A file whose digest still matches was not
edited since it was generated, so the tool may replace it; one that does not match (or has no
such line) holds someone's edits, and the tool refuses to replace it.

The test file is different: other tools extend it (``write_test_utils`` adds the write-back
suite) and people add to it, and its generated form never changes for a given source. So it
carries no digest: it is written when missing and otherwise left as it is.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import yaml

from skillpack.implement._code import DIGEST_NOTE, DIGEST_PREFIX
from skillpack.implement._format import import_lines
from skillpack.implement._model import PLACEHOLDER, ConnectorPlan, FieldNode, TablePlan
from skillpack.layout import SourcePaths
from skillpack.testing._spec_model import SIMULATOR_URL

_ZERO = "0" * 16
#: records per page the simulator's stand-in config asks for, so paging is exercised
SIMULATOR_PAGE_SIZE = 10


def stamp(text: str) -> str:
    """``text`` (whose first line is the zeroed digest line) with its real digest filled in."""
    first, _, rest = text.partition("\n")
    if not first.startswith(DIGEST_PREFIX + _ZERO):
        raise ValueError("text does not start with a zeroed digest line")
    return first.replace(_ZERO, _digest(text), 1) + "\n" + rest


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_unedited(text: str) -> bool:
    """True when ``text`` is a generated file nobody edited since (its digest still holds)."""
    first, _, rest = text.partition("\n")
    if not first.startswith(DIGEST_PREFIX):
        return False
    digest = first[len(DIGEST_PREFIX) : len(DIGEST_PREFIX) + 16]
    zeroed = first.replace(digest, _ZERO, 1) + "\n" + rest
    return len(digest) == 16 and _digest(zeroed) == digest


# --- simulator spec --------------------------------------------------------------------------


def _pagination(table: TablePlan) -> dict[str, Any]:
    p = table.pagination
    if p is None or p.style in ("none", "next_url_body", "follow"):
        return {"type": "none"}
    a = p.args
    if p.style == "cursor":
        out = {
            "type": "cursor",
            "cursor_param": a["cursor_param"],
            "next_cursor_path": a["cursor_path"],
        }
    elif p.style == "offset":
        out = {"type": "offset", "offset_param": a["offset_param"], "limit_param": a["limit_param"]}
    elif p.style == "page_number":
        out = {"type": "page", "page_param": a["page_param"], "start_page": a.get("start", 1)}
        out["limit_param"] = a.get("page_size_param")
        if a.get("next_page_path"):
            out["next_page_path"] = a["next_page_path"]
    elif p.style == "next_url_header":
        out = {"type": "next_url_header", "header": a["header"]}
    else:
        out = {"type": "link_header"}
    if p.limit_param:
        out["limit_param"] = p.limit_param
    return out


_SPARK_NAMES = {
    "string": "string",
    "bigint": "long",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "binary": "binary",
    "decimal": "decimal(38,10)",
}


def _spark_json(node: FieldNode) -> Any:
    """The Spark JSON form of a field's type, as the generated schema declares it."""
    if node.type == "struct":
        if not node.children:
            return "string"  # an object the doc does not describe is kept as JSON text
        return {
            "type": "struct",
            "fields": [
                {"name": c.name, "type": _spark_json(c), "nullable": c.nullable, "metadata": {}}
                for c in node.children
            ],
        }
    if node.type == "array":
        element = FieldNode(node.name, node.element or "string", children=node.children)
        return {"type": "array", "elementType": _spark_json(element), "containsNull": True}
    if node.type == "map":
        return {
            "type": "map",
            "keyType": "string",
            "valueType": "string",
            "valueContainsNull": True,
        }
    return _SPARK_NAMES.get(node.type, "string")


def _table(table: TablePlan) -> dict[str, Any]:
    out: dict[str, Any] = {
        "endpoint": "/" + (table.path or ""),
        # as the doc states it: a named key, a bare list, or the `data` the SDK looks for first
        "records_path": None if table.bare_list else (table.records_path or "data"),
        "pagination": _pagination(table),
    }
    if table.method != "GET":
        out["method"] = table.method
    if table.required_params:
        out["required_params"] = list(table.required_params)
    if table.required_options:
        out["table_options"] = stand_in_table_options(table)
    if table.json_lines:
        out["format"] = "jsonl"
    # The records the simulator serves are made from the doc's fields, keys and cursor, not
    # from the connector's own schema: a connector that drifts from its doc fails offline.
    out["primary_key"] = list(table.primary_keys)
    if table.cursor_field:
        out["cursor_field"] = table.cursor_field
    if table.fields:
        out["fields"] = {f.name: _spark_json(f) for f in table.fields}
    if table.since_param and table.ingestion_type != "snapshot":
        out["since_param"] = table.since_param
        if table.since_prefix:
            out["since_prefix"] = table.since_prefix
    d = table.deletes
    if d is not None:
        deletes: dict[str, Any] = {}
        if d.path is not None:
            deletes["endpoint"] = "/" + d.path
            if d.params:
                deletes["params"] = dict(d.params)
        else:
            deletes["flag_field"] = d.flag_field
        if d.cursor_field and d.cursor_field != table.cursor_field:
            deletes["cursor_field"] = d.cursor_field
        if d.since_param and d.path is not None:
            deletes["since_param"] = d.since_param
        out["deletes"] = deletes
    return out


def _auth_header(plan: ConnectorPlan) -> str | None:
    auth = plan.auth
    if auth.kind in ("bearer", "basic") or auth.oauth:
        return "Authorization"
    if auth.kind == "api_key" and auth.location == "header":
        return auth.header
    return None


def stand_in_table_options(table: TablePlan) -> dict[str, str]:
    """Stand-in values of the table options a read of ``table`` cannot go without."""
    return {n: f"simulator-{n.replace('_', '-')}" for n in table.required_options}


#: what a simulated OAuth token endpoint answers
TOKEN_ANSWER = {
    "access_token": "simulator-access-token",
    "token_type": "Bearer",
    "expires_in": 3600,
}


def token_path(plan: ConnectorPlan) -> str | None:
    """The path of the OAuth token endpoint a simulator serves, for an OAuth source."""
    if not plan.auth.oauth:
        return None
    path = urlsplit(plan.auth.token_url or "").path
    return path if path.strip("/") else "/oauth/token"


def simulated_token_url(plan: ConnectorPlan, config: dict[str, Any], origin: str) -> str | None:
    """The token URL a simulator at ``origin`` answers, its ``{option}``s from ``config``."""
    path = token_path(plan)
    if path is None:
        return None
    return origin + PLACEHOLDER.sub(lambda m: str(config.get(m.group(1), m.group(0))), path)


def _stand_ins(plan: ConnectorPlan) -> dict[str, Any]:
    config: dict[str, Any] = {n: f"simulator-{n}" for n in plan.required if n != "base_url"}
    if plan.page_size_option:
        config[plan.page_size_option] = SIMULATOR_PAGE_SIZE
    # the token endpoint is served beside the tables, however far the real one is
    token_url = simulated_token_url(plan, config, SIMULATOR_URL)
    if token_url is not None:
        config["token_url"] = token_url
    return config


def render_spec(plan: ConnectorPlan) -> tuple[str, list[str]]:
    """The simulator spec text (zeroed digest line first) and the tables it leaves out."""
    served = [t for t in plan.tables if t.path and "{" not in _unfilled(t, plan)]
    left_out = [t.name for t in plan.tables if t not in served]
    data: dict[str, Any] = {"base_url_option": "base_url"}
    if plan.base_path:
        data["base_path"] = plan.base_path
    data["config"] = _stand_ins(plan)
    header = _auth_header(plan)
    if header:
        data["auth_header"] = header
    data["tables"] = {t.name: _table(t) for t in served}
    token = token_path(plan)
    if token is not None:
        # `{option}`s in the path are filled from the config, as the token URL's were
        data["endpoints"] = [{"method": "POST", "path": token, "body": TOKEN_ANSWER, "open": True}]
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
    notes = [
        f"# Offline simulator for the `{plan.source}` source (skillpack.testing.simulation),",
        f"# generated by `skillpack tool implement_connector` from {plan.doc_name}. In simulate",
        "# mode a 127.0.0.1 server answers the connector from it: records are generated from",
        "# the doc's fields, keys and cursors, filtered and paged as the doc says. Derived from",
        "# the same doc as the connector, it is not independent evidence that the doc is right.",
        "# `config` holds stand-in options; never put real credentials here.",
    ]
    body_url = [
        t.name for t in plan.tables if t.pagination and t.pagination.style == "next_url_body"
    ]
    if body_url:
        notes.append(
            "# Served as one page (the simulator has no next-URL-in-body paging): "
            + ", ".join(body_url)
        )
    if left_out:
        notes.append("# Not served until their read endpoint is finished: " + ", ".join(left_out))
    first = DIGEST_PREFIX + _ZERO + DIGEST_NOTE
    return "\n".join([first, *notes, ""]) + body, left_out


def _unfilled(table: TablePlan, plan: ConnectorPlan) -> str:
    """The table's path with the option placeholders removed (what is left is unknown)."""
    path = table.path or ""
    for name in plan.path_options:
        path = path.replace("{" + name + "}", "")
    return path


# --- test file -------------------------------------------------------------------------------


def render_test_file(paths: SourcePaths, class_name: str) -> str:
    """The test file: the generic suite on the connector, one class and one line."""
    cls = f"Test{class_name.removesuffix('LakeflowConnect')}Connector"
    return "\n".join(
        [
            f'"""The `{paths.name}` connector under the generic suite.',
            "",
            "Generated by `skillpack tool implement_connector`. In simulate mode (the default)",
            "the suite reads from the simulator that simulator_spec.yaml describes; in live mode",
            "from the source, with the config in configs/dev_config.json.",
            '"""',
            "",
            *import_lines(paths.connector_import, class_name),
            "",
            "from skillpack.testing import LakeflowConnectTests",
            "",
            "",
            f"class {cls}(LakeflowConnectTests):",
            f"    connector_class = {class_name}",
            "",
        ]
    )
