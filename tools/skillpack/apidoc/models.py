"""The parsed API doc: what a connector needs to know about its source, as typed data.

``parse_api_doc`` produces an :class:`ApiDoc`; the later steps (spec, implement, write-back,
review) read it.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, Field

_M = TypeVar("_M", bound=BaseModel)


def filled(cls: type[_M], values: dict[str, Any]) -> _M:
    """An instance of ``cls`` holding ``values`` (every field, each already of its type).

    What ``model_construct`` does when nothing is left to default, without its per-field
    walk: the parser makes one per field row and warning, thousands for a large doc.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


SparkType = Literal[
    "string", "bigint", "double", "decimal", "boolean", "date", "timestamp", "binary", "struct",
    "array", "map",
]  # fmt: skip
IngestionType = Literal["snapshot", "cdc", "cdc_with_deletes", "append"]
PaginationStyle = Literal["none", "page_number", "offset", "cursor", "next_url", "link_header"]
AuthKind = Literal[
    "none", "api_key", "bearer", "basic", "oauth2_client_credentials", "oauth2_refresh_token",
    "custom", "client",
]  # fmt: skip
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
#: the same methods, to test a word against
HTTP_METHODS: tuple[str, ...] = get_args(HttpMethod)
InferableItem = Literal["primary_keys", "cursor_field", "ingestion_type"]


class DocWarning(BaseModel):
    """Something the parser could not decide, with where to look."""

    line: int | None = Field(None, description="1-based line in the doc, when known.")
    code: str = Field(description="Stable id of the kind of warning, e.g. `no-primary-key`.")
    message: str = Field(description="What could not be decided.")
    table: str | None = Field(None, description="The table it concerns, if any.")
    field: str | None = Field(
        None,
        description="The fact left open, e.g. `primary_keys`, `cursor_field`, `read_endpoint`.",
    )
    candidates: list[str] = Field(
        default_factory=list, description="Values the doc suggests for it, best first."
    )


class Param(BaseModel):
    """A named parameter: a connection parameter, query parameter, table option or body field."""

    name: str = Field(description="Parameter name as the API spells it.")
    type: SparkType = Field("string", description="Spark type name of the value.")
    doc_type: str = Field("", description="The type as written in the doc.")
    required: bool = Field(False, description="Whether it must be given.")
    secret: bool = Field(False, description="Whether the value is a credential to keep hidden.")
    description: str = Field("", description="What it means.")
    value: str | None = Field(
        None, description="The one value the doc says to send (`archived=true`), if any."
    )
    line: int | None = Field(None, description="1-based line in the doc.")


class TableField(BaseModel):
    """One field of a table's records; nested fields use dotted paths (``owner.id``)."""

    name: str = Field(description="Field path; nested fields are dotted (`owner.id`).")
    type: SparkType = Field(description="Spark type name.")
    element_type: SparkType | None = Field(None, description="Element type of an array field.")
    doc_type: str = Field("", description="The type as written in the doc.")
    description: str = Field("", description="What the field holds.")
    line: int | None = Field(None, description="1-based line in the doc.")


class Endpoint(BaseModel):
    """An HTTP endpoint: method, path relative to the base URL, and its query parameters."""

    method: HttpMethod = Field(description="HTTP method.")
    path: str = Field(description="Path relative to the base URL (or a full URL).")
    query_params: list[Param] = Field(default_factory=list, description="Query parameters.")
    line: int | None = Field(None, description="1-based line in the doc.")


class Pagination(BaseModel):
    """How a read endpoint pages through results."""

    style: PaginationStyle = Field(description="Pagination style.")
    description: str = Field("", description="The doc's own words about it.")
    line: int | None = Field(None, description="1-based line in the doc.")


class WriteBack(BaseModel):
    """Endpoints that create, change and remove records of a table, as documented."""

    insert: Endpoint | None = Field(None, description="Creates a record.")
    update: Endpoint | None = Field(None, description="Changes a record.")
    delete: Endpoint | None = Field(None, description="Removes a record.")
    body_fields: list[Param] = Field(default_factory=list, description="Request body fields.")


class Table(BaseModel):
    """One table the connector exposes."""

    name: str = Field(description="Table name.")
    description: str = Field("", description="What the table holds.")
    primary_keys: list[str] = Field(default_factory=list, description="Primary key fields.")
    cursor_field: str | None = Field(None, description="Field for incremental reads.")
    ingestion_type: IngestionType = Field(description="How the table is ingested.")
    inferred: list[InferableItem] = Field(
        default_factory=list,
        description="Which of primary_keys, cursor_field, ingestion_type were inferred "
        "rather than stated in the doc.",
    )
    read_endpoint: Endpoint | None = Field(None, description="Endpoint that lists records.")
    pagination: Pagination | None = Field(None, description="How the read endpoint pages.")
    records_key: str | None = Field(
        None,
        description="The response field that holds the records (`data`, `tickets`), when "
        "the doc names it.",
    )
    delete_endpoint: Endpoint | None = Field(
        None, description="Endpoint that lists deleted records (the delete feed)."
    )
    fields: list[TableField] = Field(default_factory=list, description="Fields of the records.")
    options: list[Param] = Field(default_factory=list, description="Table options it accepts.")
    write: WriteBack | None = Field(None, description="Write-back endpoints, when documented.")
    line: int | None = Field(None, description="1-based line where the table is described.")


class ClientFactory(BaseModel):
    """A Python client the doc says to construct (``api = get_api(user, password)``)."""

    module: str = Field(description="Module the factory is imported from.")
    factory: str = Field(description="The function or class called to make the client.")
    args: list[str] = Field(
        default_factory=list,
        description="Connection parameters passed, in order (by keyword when `keywords`).",
    )
    keywords: bool = Field(False, description="Whether the parameters are passed by name.")
    line: int | None = Field(None, description="1-based line of the call in the doc.")


#: the options only an OAuth token exchange uses: a connection that already holds an access
#: token (``access_token``) needs none of them
OAUTH_EXCHANGE_OPTIONS = ("token_url", "client_id", "client_secret", "refresh_token")


class AuthMethod(BaseModel):
    """One way to authenticate, with the connection parameters it needs."""

    kind: AuthKind = Field(
        description="Authentication kind; `client` when the doc constructs a Python client "
        "with the credentials instead of sending them over HTTP."
    )
    client: ClientFactory | None = Field(
        None, description="The client construction, for kind `client`."
    )
    description: str = Field("", description="How the credential is sent, in the doc's words.")
    fields: list[Param] = Field(default_factory=list, description="Parameters it needs.")
    line: int | None = Field(None, description="1-based line in the doc.")


class TableDescribe(BaseModel):
    """Endpoints that describe any table at run time (``GET /tables/{table}/schema``), for
    the tables whose columns or keys the doc leaves to the API."""

    schema_endpoint: Endpoint | None = Field(
        None, description="Lists a table's columns; `{...}` in its path is the table's name."
    )
    metadata_endpoint: Endpoint | None = Field(
        None, description="States a table's primary keys and cursor field."
    )
    types: dict[str, SparkType] = Field(
        default_factory=dict,
        description="The API's type names and the Spark types they map to, as the doc states.",
    )
    types_line: int | None = Field(None, description="1-based line of the type mapping.")


class ApiDoc(BaseModel):
    """An API doc read into typed data: what a connector needs to know about its source."""

    source_name: str | None = Field(None, description="Source name, e.g. `github`.")
    title: str = Field("", description="The doc's title.")
    base_url: str | None = Field(None, description="Base URL of the API.")
    auth: list[AuthMethod] = Field(default_factory=list, description="Authentication methods.")
    connection_params: list[Param] = Field(
        default_factory=list, description="Connection parameters other than credentials."
    )
    tables: list[Table] = Field(default_factory=list, description="Tables, in doc order.")
    table_list: Literal["static", "discovered", "unknown"] = Field(
        "unknown",
        description="Whether the doc says its list of tables is fixed (`static`) or read from "
        "the API at run time (`discovered`; the tables named are then examples).",
    )
    describe: TableDescribe | None = Field(
        None, description="Endpoints describing tables at run time, when the doc names them."
    )
    records_key: str | None = Field(
        None,
        description="Where every list response keeps its records, when the doc says so once "
        "for all tables; a table's own `records_key`, or its saying it answers with a bare "
        "list, wins.",
    )
    warnings: list[DocWarning] = Field(
        default_factory=list, description="What the parser could not decide."
    )
    path: str | None = Field(None, description="The doc's path, when read from a file.")
