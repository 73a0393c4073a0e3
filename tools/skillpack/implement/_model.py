"""The connector plan's data: what the generated code is made of, decided from an ApiDoc.

Per table: its schema tree, metadata, read endpoint, paginator and cursor filter, delete feed;
for the source: its options and authentication. What the doc does not give is a
:class:`Todo`: ``blocking`` ones are generated as code that raises ``NotImplementedError``
(naming the doc line), the others mark a value that had to be assumed and that the suite
should confirm. ``_implement_tables`` and ``_implement_plan`` fill these in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: ``{name}`` placeholders in URLs and paths
PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


@dataclass
class Todo:
    """Something the generated code cannot know from the doc.

    ``what`` is the full sentence for the agent; ``short`` is the few words the generated
    code carries at the spot to edit.
    """

    key: str
    table: str | None
    what: str
    short: str
    doc_line: int | None
    blocking: bool
    #: the fact to decide (``primary_keys``, ``cursor_field``, ``read_endpoint`` ...)
    field: str | None = None
    #: values the doc suggests for it, best first
    candidates: tuple[str, ...] = ()
    #: the generated code uses a value the doc does not state
    guessed: bool = False

    @property
    def fact(self) -> str:
        """The field, else the part of the key after the table (``orders:read`` -> ``read``)."""
        return self.field or self.key.split(":", 1)[-1]


@dataclass
class FieldNode:
    """One column (or nested field) of a schema."""

    name: str
    type: str
    element: str | None = None
    nullable: bool = True
    children: list[FieldNode] = field(default_factory=list)


@dataclass
class PagePlan:
    """A paginator: ``style`` picks the SDK class, ``args`` are the table entry's settings."""

    style: str
    args: dict[str, Any] = field(default_factory=dict)
    #: page-size query parameter sent with every request (styles without their own)
    limit_param: str | None = None


@dataclass
class DeletePlan:
    """Where deleted records come from: a feed (``path``) or flagged records (``flag_field``)."""

    path: str | None = None
    #: query parameters sent with fixed values to ask for deleted records (`archived=true`)
    params: dict[str, str] = field(default_factory=dict)
    flag_field: str | None = None
    since_param: str | None = None
    #: what goes before the cursor value, as for the read (``gt``)
    since_prefix: str = ""
    cursor_field: str | None = None
    first_cursor: Any = None


@dataclass
class ParentPlan:
    """A table read once per record of another (``/customers/{customer_id}/orders``)."""

    table: str
    key: str
    placeholder: str


@dataclass
class DescribePlan:
    """Endpoints the connector asks, at run time, for a table's columns and keys."""

    schema_path: str | None
    metadata_path: str | None
    #: the API's type names -> Spark type names (``integer`` -> ``bigint``)
    types: dict[str, str]
    line: int | None = None


@dataclass
class TablePlan:
    """Everything the connector needs for one table."""

    name: str
    fields: list[FieldNode]
    primary_keys: list[str]
    cursor_field: str | None
    ingestion_type: str
    path: str | None = None
    records_path: str | None = None
    pagination: PagePlan | None = None
    since_param: str | None = None
    #: what the doc sends before the cursor value (``gt`` in ``_lastUpdated=gt{cursor}``)
    since_prefix: str = ""
    options: list[str] = field(default_factory=list)
    deletes: DeletePlan | None = None
    #: the parent table whose records the read fans out over (a partition per parent)
    parent: ParentPlan | None = None
    todo: Todo | None = None
    deletes_todo: Todo | None = None
    notes: list[Todo] = field(default_factory=list)
    #: what the doc states about the read, for the simulator spec to play it as written
    method: str = "GET"
    required_params: list[str] = field(default_factory=list)
    #: table options a read cannot go without (required query parameters of the endpoint)
    required_options: list[str] = field(default_factory=list)
    bare_list: bool = False
    json_lines: bool = False
    #: the metadata facts the doc states (the API may fill in the others)
    stated: list[str] = field(default_factory=list)
    #: columns the doc says are taken from a nested path (``lastUpdated``: ``meta.lastUpdated``)
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class AuthPlan:
    """How requests authenticate: ``kind`` picks the SDK helper, ``options`` name its inputs."""

    kind: str
    options: dict[str, str] = field(default_factory=dict)
    header: str | None = None
    location: str = "header"
    prefix: str = ""
    token_url: str | None = None
    #: kind ``basic``: what the doc appends to the username option (``/token``)
    username_suffix: str = ""
    todo: Todo | None = None
    #: kind ``client``: the Python client the doc constructs (an apidoc ``ClientFactory``)
    client: Any = None

    @property
    def oauth(self) -> bool:
        """Whether requests carry an access token the connector gets from a token endpoint."""
        return self.kind in ("oauth2_refresh", "oauth2_client")


@dataclass
class ConnectorPlan:
    """The whole connector."""

    source: str
    class_name: str
    doc_name: str
    base_url: str | None
    base_path: str
    base_url_required: bool
    base_url_options: list[str]
    auth: AuthPlan
    required: list[str]
    page_size_option: str | None
    page_size: int
    path_options: list[str]
    tables: list[TablePlan]
    notes: list[Todo] = field(default_factory=list)
    #: the API describes its tables itself (columns, keys) at run time
    describe: DescribePlan | None = None

    @property
    def tracks_cursors(self) -> bool:
        """Whether a table may be read incrementally: one has a cursor, or the API states them."""
        return self.describe is not None or any(
            t.ingestion_type != "snapshot" and t.cursor_field for t in self.tables
        )

    def todos(self) -> list[Todo]:
        """Every to-do and assumption, in doc order."""
        out = list(self.notes)
        if self.auth.todo is not None:
            out.append(self.auth.todo)
        for t in self.tables:
            out += [x for x in (t.todo, t.deletes_todo) if x is not None] + t.notes
        return sorted(out, key=lambda t: (t.doc_line or 0, t.key))


def camel(name: str) -> str:
    """``my_source`` -> ``MySource``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


class Refs:
    """Builds the "see DOC line N" references the generated code and the to-dos carry."""

    def __init__(self, doc_name: str) -> None:
        self.doc_name = doc_name

    def __call__(self, line: int | None) -> str:
        return f"see {self.doc_name} line {line}" if line else f"see {self.doc_name}"
