"""The fixed parts of a generated connector module: the class's methods and helpers.

``_implement_code`` picks the variants a plan needs (flagged deletes, record-path discovery,
the paginator branches in use) and writes them out as they are. They are laid out as ruff
formats them at line length 88 and 100 alike.
"""

PAGINATOR_BRANCHES = {
    "cursor": """\
    if style == "cursor":
        return CursorPaginator(pagination["cursor_path"], pagination["cursor_param"])""",
    "offset": """\
    if style == "offset":
        return OffsetPaginator(
            pagination["offset_param"], pagination["limit_param"], limit=page_size
        )""",
    "page_number": """\
    if style == "page_number":
        return PageNumberPaginator(
            pagination["page_param"],
            pagination.get("start", 1),
            pagination.get("page_size_param"),
            page_size,
            next_page_path=pagination.get("next_page_path"),
        )""",
    "next_url_header": """\
    if style == "next_url_header":
        return HeaderNextUrlPaginator(pagination["header"])""",
    "next_url_body": """\
    if style == "next_url_body":
        return BodyNextUrlPaginator(pagination["next_url_path"])""",
    "link_header": """\
    if style == "link_header":
        return LinkHeaderPaginator()""",
    "follow": """\
    if style == "follow":
        return FollowNextPaginator(pagination.get("cursor_param"))""",
}


TABLES_COMMENT = """\
# One entry per table:
#   schema, metadata  the columns; the keys, cursor and ingestion type
#   path              the read endpoint, relative to the base URL (`{name}`: an option)
#   records_path      where a response keeps its records (None: found in the first one)
#   pagination        how the endpoint pages (see `_paginator` below)
#   since_param       the query parameter asking for records after a cursor value
#   options           table options passed on as query parameters
#   deletes           the delete feed (`path`), or the field flagging deleted records
#   todo              what is left to finish; reading the table raises until it is gone"""

PAGE_SIZE_FN = '''\
def _page_size(value: Any) -> int:
    """The `{option}` option as a whole number of records (default `_PAGE_SIZE`)."""
    if value in (None, ""):
        return _PAGE_SIZE
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        raise ConfigError(
            f"invalid {option} `{{value}}`",
            hint="use a whole number of records, e.g. 100",
        )
    return size'''


CONTRACT = """\
    def list_tables(self) -> list[str]:
        return list(_TABLES)

    def get_table_schema(self, table_name: str, table_options: dict) -> StructType:
        return self._table(table_name)["schema"]

    def read_table_metadata(self, table_name: str, table_options: dict) -> dict:
        return dict(self._table(table_name)["metadata"])"""

METHODS = (
    CONTRACT
    + """

    def _table(self, table_name: str) -> dict[str, Any]:
        if table_name not in _TABLES:
            raise unknown_table(table_name, list(_TABLES))
        return _TABLES[table_name]"""
)

TABLE_PARAMS = '''\
    def _params(self, table_name: str, table: dict, options: dict) -> dict[str, Any]:
        """The table options the endpoint takes as query parameters, required ones given."""
        params = {k: v for k, v in options.items() if k in table["options"]}
        required = table.get("required_options", ())
        missing = [k for k in required if params.get(k) in (None, "")]
        if missing:
            raise ConfigError(
                f"table `{table_name}` needs the table option(s) {', '.join(missing)}",
                hint="set them in the table's options; the API refuses reads without them",
            )
        return params'''

READ_TABLE_HEAD = """\
    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        table = self._table(table_name)
        if table.get("todo"):
            raise NotImplementedError(f"table `{table_name}`: {table['todo']}")
        params = self._params(table_name, table, table_options)"""

READ_TABLE = (
    READ_TABLE_HEAD
    + """
        meta = table["metadata"]
        if meta["ingestion_type"] == "snapshot" or not meta["cursor_field"]:
            # Everything, every time; the empty offset ends the read at once.
            return iter(list(self._read(table, params))), {}
        cursor = cursor_from_offset(start_offset)
        if cursor is not None and table["since_param"]:
            params[table["since_param"]] = cursor
        # `after` keeps only records strictly after the cursor, so an API whose filter
        # is inclusive does not hand back the previous read's last records forever.
        cursor_field = meta["cursor_field"]
        found = CursorTracker(self._read(table, params), cursor_field, after=cursor)
        records = self._window.cap(table_name, list(found), cursor_field, cursor)
        return iter(records), advance_offset(start_offset, records, cursor_field)"""
)

READ_SNAPSHOTS = (
    READ_TABLE_HEAD
    + """
        # Every table is a snapshot: everything, every time; the empty offset ends the read.
        return iter(list(self._read(table, params))), {}"""
)

DELETES_HEAD = """\
    def read_table_deletes(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        table = self._table(table_name)
        deletes = table["deletes"]
        if deletes is None:
            raise ValueError(f"table `{table_name}` does not track deletes")
        todo = table.get("todo") or deletes.get("todo")
        if todo:
            raise NotImplementedError(f"deletes of `{table_name}`: {todo}")
        cursor = cursor_from_offset(start_offset, default=deletes.get("first_cursor"))
        params = dict(deletes.get("params") or {})
        if cursor is not None and deletes["since_param"]:
            params[deletes["since_param"]] = cursor"""

READ_DELETES = (
    DELETES_HEAD
    + """
        tombstones = self._fetch(deletes["path"], table, params)
        tracker = CursorTracker(tombstones, deletes["cursor_field"], after=cursor)
        records = list(tracker)
        return iter(records), tracker.offset(start_offset)"""
)

READ_DELETES_FLAGGED = (
    DELETES_HEAD
    + """
        flag = deletes.get("flag_field")
        if flag:
            # Deleted records come from the read endpoint itself, marked by the flag.
            found = self._fetch(table["path"], table, params)
            tombstones = (record for record in found if record.get(flag))
        else:
            tombstones = self._fetch(deletes["path"], table, params)
        tracker = CursorTracker(tombstones, deletes["cursor_field"], after=cursor)
        records = list(tracker)
        return iter(records), tracker.offset(start_offset)"""
)

READ = '''\
    def _read(self, table: dict, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The table's records shaped to its schema (other fields are left out)."""
        schema = table["schema"]
        for record in self._fetch(table["path"], table, params):
            yield conform(record, schema)'''

READ_FLAGGED = '''\
    def _read(self, table: dict, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The table's records shaped to its schema; flagged deletes are left out."""
        schema = table["schema"]
        flag = (table["deletes"] or {}).get("flag_field")
        for record in self._fetch(table["path"], table, params):
            if not (flag and record.get(flag)):
                yield conform(record, schema)'''

READ_PER_PARENT = '''\
    def _read(
        self, table: dict, params: dict[str, Any], partition: dict | None = None
    ) -> Iterator[dict[str, Any]]:
        """The table's records shaped to its schema (other fields are left out)."""
        schema = table["schema"]
        for path in self._paths(table, partition):
            for record in self._fetch(path, table, params):
                yield conform(record, schema)'''

READ_PER_PARENT_FLAGGED = '''\
    def _read(
        self, table: dict, params: dict[str, Any], partition: dict | None = None
    ) -> Iterator[dict[str, Any]]:
        """The table's records shaped to its schema; flagged deletes are left out."""
        schema = table["schema"]
        flag = (table["deletes"] or {}).get("flag_field")
        for path in self._paths(table, partition):
            for record in self._fetch(path, table, params):
                if not (flag and record.get(flag)):
                    yield conform(record, schema)'''

PARTITIONS_PER_PARENT = '''\
    # A table whose endpoint names a parent record (`parent` in its entry) is read once per
    # parent; on Spark each parent is a partition of its own, read in parallel. A parent may
    # have a parent of its own: the chain fills every placeholder of the path.

    def is_partitioned(self, table_name: str) -> bool:
        return self._table(table_name).get("parent") is not None

    def get_partitions(self, table_name: str, table_options: dict) -> list[dict]:
        """One partition per parent record, for a table read per parent."""
        parent = self._table(table_name).get("parent")
        if parent is None:
            raise ValueError(f"table `{table_name}` is not read per parent record")
        return [{"parent": fill} for fill in self._fills(self._table(table_name))]

    def read_partition(
        self, table_name: str, partition: dict, table_options: dict
    ) -> Iterator[dict[str, Any]]:
        """The records of one parent's share of the table."""
        table = self._table(table_name)
        if table.get("todo"):
            raise NotImplementedError(f"table `{table_name}`: {table['todo']}")
        params = self._params(table_name, table, table_options)
        return self._read(table, params, partition)

    def _paths(self, table: dict, partition: dict | None = None) -> list[str]:
        """The read path; once per parent record for a table read per parent."""
        if table.get("parent") is None:
            return [table["path"]]
        fills = [partition["parent"]] if partition else self._fills(table)
        return [_filled(table["path"], fill) for fill in fills]

    def _fills(self, table: dict) -> list[dict[str, Any]]:
        """The placeholder values of each path the table is read at: per parent record, its
        key, with the values the parent's own path was read at."""
        parent = table.get("parent")
        if parent is None:
            return [{}]
        above = self._table(parent["table"])
        fills = []
        for fill in self._fills(above):
            partition = {"parent": fill} if above.get("parent") else None
            for record in self._read(above, {}, partition):
                if record.get(parent["key"]) is not None:
                    fills.append({**fill, parent["placeholder"]: record[parent["key"]]})
        return fills'''

FILLED_FN = '''\
def _filled(path: str, values: dict[str, Any]) -> str:
    """``path`` with each ``{name}`` of ``values`` replaced by its value, URL-quoted."""
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path'''

FETCH_HEAD = '''\
    def _fetch(
        self, path: str, table: dict[str, Any], params: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Every record the endpoint at ``path`` lists, page after page."""'''

FETCH_PAGING = """\
        pagination = table["pagination"]
        if pagination.get("limit_param"):
            params = {pagination["limit_param"]: self._page_size, **params}
        records_path = table["records_path"]"""

FETCH_FIND = """\
        if records_path is None:
            keys = table["metadata"]["primary_keys"]
            records_path = self._records_path(path, params, keys)"""

FETCH_TAIL = """\
        pages = self._client.paginate(
            path,
            paginator=_paginator(pagination, self._page_size),
            params=params,
            records_path=records_path,
        )
        for page in pages:
            yield from page"""

RECORDS_PATH = '''\
    def _records_path(
        self,
        path: str,
        params: dict[str, Any],
        keys: list[str],
    ) -> str | None:
        """Where ``path`` keeps its records; the doc does not say, so ask once. A list
        named as the path ends (``/users`` answers ``users``) comes first; a body carrying
        the table's key ``keys`` and no list of records is the one record."""
        if path not in self._records_paths:
            body = self._client.get_json(path, params=params)
            last = path.rstrip("/").rsplit("/", 1)[-1]
            found = find_records_path(body, hints=[last], record_keys=keys)
            self._records_paths[path] = found
        return self._records_paths[path]'''

#: a source with a table read by POST: each request goes with the table's method; each is
#: the ``(old, new)`` edits of one template (``FETCH_TAIL``, ``FETCH_FIND``, ``RECORDS_PATH``)
PAGINATE_BY_METHOD = (
    (
        "            records_path=records_path,\n",
        '            records_path=records_path,\n            method=table.get("method", "GET"),\n',
    ),
)
FIND_BY_METHOD = (
    (
        "self._records_path(path, params, keys)",
        'self._records_path(path, params, keys, table.get("method", "GET"))',
    ),
)
RECORDS_PATH_BY_METHOD = (
    ("        keys: list[str],\n", '        keys: list[str],\n        method: str = "GET",\n'),
    (
        "body = self._client.get_json(path, params=params)",
        "answer = self._client.request(method, path, params=params)\n"
        "            body = self._client.decode_json(answer, method)",
    ),
)


DESCRIBED_TABLE = '''\
    def _table(self, table_name: str) -> dict[str, Any]:
        if table_name not in _TABLES:
            raise unknown_table(table_name, list(_TABLES))
        if table_name not in self._described:
            self._described[table_name] = self._describe(table_name, _TABLES[table_name])
        return self._described[table_name]

    def _describe(self, table_name: str, entry: dict[str, Any]) -> dict[str, Any]:
        """The table's entry completed by what the API says of it: columns, keys, cursor.

        A table the API does not describe (it answers 404) keeps what the doc states.
        """
        table = dict(entry)
        name = quote(table_name, safe="")
        columns = self._ask(_DESCRIBE["schema_path"], name)
        if columns is not None:
            table["schema"] = _schema_of(columns, table_name)
        elif table["schema"] is None:
            raise SourceError(
                f"the API does not describe the columns of `{table_name}`",
                hint="list the table's fields in the API doc and run implement again",
                code="no-schema",
            )
        facts = self._ask(_DESCRIBE["metadata_path"], name)
        if facts is not None:
            table["metadata"] = _metadata_of(facts, table["metadata"], table["stated"])
        return table

    def _ask(self, path: str | None, name: str) -> Any:
        """What ``path`` (``{...}``: the table's name) answers; None when it has no answer."""
        if path is None:
            return None
        try:
            return self._client.get_json(_TABLE_HOLE.sub(name, path, count=1))
        except SourceError as exc:
            if exc.status == 404:
                return None
            raise'''

DESCRIBE_FUNCTIONS = '''\
def _schema_of(body: Any, table_name: str) -> StructType:
    """The schema an API description lists: its column descriptors (`name`, `type`,
    `nullable`, nested `fields`), alone or under one key of the body."""
    columns = body
    if isinstance(body, dict):
        lists = [v for v in body.values() if isinstance(v, list)]
        columns = lists[0] if len(lists) == 1 else None
    if not isinstance(columns, list) or not all(
        isinstance(c, dict) and "name" in c for c in columns
    ):
        raise SourceError(
            f"the API's description of `{table_name}` lists no columns",
            hint="check the schema endpoint's answer against the API doc",
            code="bad-payload",
        )
    return StructType([_column(c) for c in columns])


def _column(descriptor: dict[str, Any]) -> StructField:
    nullable = descriptor.get("nullable", True)
    return StructField(str(descriptor["name"]), _column_type(descriptor), nullable is not False)


def _column_type(descriptor: Any) -> Any:
    if isinstance(descriptor, str):
        descriptor = {"type": descriptor}
    kind = str(descriptor.get("type") or "string").lower()
    if kind == "struct" or descriptor.get("fields"):
        return StructType([_column(c) for c in descriptor.get("fields") or []])
    if kind == "array":
        element = descriptor.get("element") or descriptor.get("items") or "string"
        return ArrayType(_column_type(element), True)
    # a type the doc does not map is kept as text, which loses nothing
    return _API_TYPES.get(kind, StringType)()


def _metadata_of(body: Any, stated: dict[str, Any], facts: list[str]) -> dict[str, Any]:
    """The table's metadata: the doc's stated ``facts`` first, then what the API says; a
    table whose ingestion type the doc leaves open is `cdc` with a cursor, else `snapshot`."""
    said = body
    if isinstance(body, dict) and not ({"primary_keys", "cursor_field"} & set(body)):
        said = next((v for v in body.values() if isinstance(v, dict)), {})
    said = said if isinstance(said, dict) else {}
    out = dict(stated)
    keys = said.get("primary_keys")
    if "primary_keys" not in facts and keys:
        out["primary_keys"] = [keys] if isinstance(keys, str) else list(keys)
    cursor = said.get("cursor_field") or None
    if "cursor_field" not in facts and (cursor or "ingestion_type" not in facts):
        out["cursor_field"] = cursor
    if "ingestion_type" not in facts:
        out["ingestion_type"] = "cdc" if out["cursor_field"] else "snapshot"
    return out'''


INIT_HEAD = """\
    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        missing = [k for k in _REQUIRED_OPTIONS if not options.get(k)]{oauth}
        if missing:
            raise ConfigError(
                f"missing option(s) {', '.join(f'`{k}`' for k in missing)}",
                hint="set them in the connection options (configs/dev_config.json)",
            )"""

OAUTH_TOKEN_GIVEN = """
        if options.get("access_token"):
            # a token already held stands in for the exchange's credentials
            missing = [k for k in missing if k not in _OAUTH_OPTIONS]"""

OAUTH_FN_HEAD = '''\
def _auth(options: dict[str, Any]) -> Any:
    """The auth for every call: the access token the connection holds (`access_token`,
    as a connection that runs the OAuth flow itself hands it over), else the doc's
    exchange."""
    if options.get("access_token"):
        return BearerAuth(options["access_token"])'''

# Pieces of the templates above that a plan may ask to be written otherwise.
SEND_CURSOR = 'params[table["since_param"]] = cursor'
SEND_PREFIXED_CURSOR = (
    "params[table[\"since_param\"]] = f\"{table.get('since_prefix', '')}{cursor}\""
)
SEND_FEED_CURSOR = 'params[deletes["since_param"]] = cursor'
SEND_PREFIXED_FEED_CURSOR = (
    'prefix = deletes.get("since_prefix", "")\n'
    '            params[deletes["since_param"]] = f"{prefix}{cursor}"'
)
CONFORM = "conform(record, schema)"
CONFORM_WITH_SOURCES = 'conform(record, schema, table.get("sources"))'
