"""Testing a generated connector against a checkout's own curated simulator spec.

``skillpack create NAME --simulator-source SRC`` points the generated test class at
``source_simulator/specs/SRC/`` instead of the spec synthesised from the same doc. The two
specs were written apart, so they can disagree on where the API lives: a curated spec keeps
the paths the real service answers on (``/fhir/Patient``) while the doc's base URL left
that prefix to an option (``https://HOST/fhir``), or the other way round. The simulator
matches the request path only, so the stand-in ``base_url`` of the test class is moved to
the prefix under which most of the connector's endpoints line up with the curated ones.
Nothing else of the curated spec is adapted to the connector: a mismatch of paths, records
or paging still shows in the suite.

A curated spec serves what its own connector reads, which may be fewer tables than the doc
describes. A table whose documented read path the curated spec does not serve at all cannot
be checked against it; the test class leaves it out (``unchecked_tables``) and the run says so,
table by table. This compares the doc with the spec, never the connector's requests: a
connector that asks for another path than its doc states still fails. When the spec serves
records for none of the other tables, none is left out, and the suite fails as it would.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import yaml

from skillpack.errors import InputError, known_values
from skillpack.implement import replay_config_lines
from skillpack.layout import SourcePaths

#: where a Lakeflow checkout keeps its curated simulator specs
CHECKOUT_SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")


#: the comment left above a moved ``replay_config``, so a second run does not move it again
MOVED = "# base URL moved to where the curated spec serves the paths"


def check_simulator_source(paths: SourcePaths, name: str) -> None:
    """Refuse a workspace that is no checkout, or a spec the checkout does not have."""
    if paths.layout != "upstream":
        raise InputError(
            "`--simulator-source` needs a Lakeflow Community Connectors checkout as the "
            f"workspace; `{paths.root}` is not one",
            hint="pass --workspace PATH_TO_CHECKOUT, or leave --simulator-source out to test "
            "against the spec synthesised from the doc",
        )
    specs = paths.root / CHECKOUT_SPECS
    if not (specs / name / "endpoints.yaml").is_file():
        known = sorted(p.parent.name for p in specs.glob("*/endpoints.yaml"))
        raise InputError(
            known_values("simulator source", name, known or ["(none)"]),
            hint=f"the checkout's curated specs live in `{specs}`",
        )


class SimulatorSourceUse(NamedTuple):
    """What pointing a test class at a curated spec changed."""

    #: how the stand-in options were moved and which checks were relaxed, or ``""``
    note: str
    #: tables the curated spec serves no read path for, each with its documented path
    unchecked: dict[str, str]


def use_simulator_source(paths: SourcePaths, name: str) -> SimulatorSourceUse:
    """Point the generated test class at the curated spec ``name`` (idempotent)."""
    test_file = paths.test_file
    lines = test_file.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = f'    simulator_source = "{name}"\n'
    lines = [ln for ln in lines if not ln.startswith("    simulator_source = ")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("    connector_class = "))
    lines.insert(at + 1, wanted)
    text = "".join(lines)
    curated_spec = paths.root / CHECKOUT_SPECS / name / "endpoints.yaml"
    curated = _endpoints(curated_spec)
    generated = _endpoints(paths.simulator_endpoints)
    exchange = _module_constant(paths.connector_module, "_OAUTH_OPTIONS")
    text, token_note = _given_token(text, exchange if isinstance(exchange, list) else [])
    default = _module_constant(paths.connector_module, "_BASE_URL")
    text, base_note = _align_base_url(
        text,
        default if isinstance(default, str) else None,
        [str(e["path"]) for e in generated],
        [str(e["path"]) for e in curated],
    )
    notes = [token_note, base_note]
    uncarried = _uncarried_columns((paths.simulator_endpoints, generated), (curated_spec, curated))
    text = _allow_null_columns(text, uncarried)
    if uncarried:
        listed = "; ".join(f"{t}: {', '.join(sorted(c))}" for t, c in uncarried.items())
        notes.append(
            "columns the doc lists and the curated corpus never fills, "
            f"so the coverage check cannot see them filled: {listed}"
        )
    empty = _empty_tables(generated, (curated_spec, curated))
    text = _allow_empty_first_read(text, empty)
    if empty:
        notes.append(
            "tables the curated corpus holds no record for, so their first read "
            f"may be empty: {', '.join(sorted(empty))}"
        )
    unchecked = unserved_tables(generated, curated, empty)
    text = _unchecked_tables(text, sorted(unchecked))
    if unchecked:
        listed = ", ".join(f"{t} (`GET {p}`)" for t, p in sorted(unchecked.items()))
        notes.append(
            f"tables the curated spec serves no read path for, so they are not checked "
            f"against it: {listed}"
        )
    test_file.write_text(text, encoding="utf-8")
    return SimulatorSourceUse("\n".join(filter(None, notes)), unchecked)


def _endpoints(spec: Path) -> list[dict]:
    try:
        data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    endpoints = data.get("endpoints") if isinstance(data, dict) else None
    return [e for e in endpoints or [] if isinstance(e, dict) and e.get("path")]


def _corpus_keys(spec: Path, corpus: str, *, filled: bool = False) -> set[str] | None:
    """The top-level keys records of a spec's corpus file carry (with ``filled``, only those
    some record gives a value other than null); None when the file is unreadable."""
    try:
        records = json.loads((spec.parent / "corpus" / f"{corpus}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        return None
    return {k for record in records for k, v in record.items() if not filled or v is not None}


def _uncarried_columns(
    generated: tuple[Path, list[dict]], curated: tuple[Path, list[dict]]
) -> dict[str, set[str]]:
    """Per table, the columns of the generated connector that no record of the curated
    corpus fills (the doc lists them; the curated data never has a value for them).

    Each side is a spec file and its endpoints. The generated spec's corpus holds one file
    per table, its records built from the connector's schema, so its keys are the table's
    columns. Each generated endpoint is paired with the curated endpoint sharing the longest
    path tail, as when the base URL is moved. No pairing, or a corpus that is no list of
    records, leaves the table out.
    """
    generated_spec, generated_endpoints = generated
    curated_spec = curated[0]
    reads = [e for e in curated[1] if e.get("corpus") and _is_get(e)]
    out: dict[str, set[str]] = {}
    for endpoint in generated_endpoints:
        table = endpoint.get("corpus")
        if not table or not _is_get(endpoint):
            continue
        closest = _closest(str(endpoint["path"]), [str(c["path"]) for c in reads])
        columns = _corpus_keys(generated_spec, str(table))
        carried = (
            _corpus_keys(curated_spec, str(reads[closest[0]]["corpus"]), filled=True)
            if closest
            else None
        )
        if columns is None or carried is None:
            continue
        if missing := columns - carried:
            out[str(table)] = missing
    return out


#: an item on one line when it fits ruff's default width (stable at 88 and 100 alike)
_FIT = 88

#: the comment above a written ``allow_null_columns``, so a second run replaces it
UNCARRIED = "# columns the doc lists that the curated corpus never fills"
#: the comment above a written ``allow_empty_first_read``
NO_RECORDS = "# tables the curated corpus holds no record for"


def _allow_null_columns(text: str, uncarried: dict[str, set[str]]) -> str:
    """The test file with ``allow_null_columns`` set to ``uncarried`` (replacing an earlier
    one this module wrote), laid out as ruff formats it. A class that sets its own is left
    as it is: someone chose those columns."""
    items: list[str] = []
    for table, columns in sorted(uncarried.items()):
        names = ", ".join(json.dumps(c) for c in sorted(columns))
        one = f"        {json.dumps(table)}: {{{names}}},\n"
        if len(one) <= _FIT + 1:  # the newline
            items.append(one)
        else:
            items.append(f"        {json.dumps(table)}: {{\n")
            items += [f"            {json.dumps(c)},\n" for c in sorted(columns)]
            items.append("        },\n")
    return _class_setting(text, UNCARRIED, "allow_null_columns", items)


def _allow_empty_first_read(text: str, tables: list[str]) -> str:
    """The test file with ``allow_empty_first_read`` naming ``tables``, as
    ``_allow_null_columns`` writes its setting."""
    items = [f"        {json.dumps(t)},\n" for t in sorted(tables)]
    one = f"    allow_empty_first_read = {{{', '.join(json.dumps(t) for t in sorted(tables))}}}\n"
    return _class_setting(text, NO_RECORDS, "allow_empty_first_read", items, one=one)


def _class_setting(
    text: str, comment: str, name: str, items: list[str], *, one: str | None = None
) -> str:
    """The test file with the class setting ``name = {items}`` under ``comment``, below
    ``simulator_source``: an earlier block under that comment is replaced, no items remove
    it, and a setting the class makes itself is left alone. ``one`` is the whole setting on
    one line, used when it fits."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.strip() == comment), None)
    if start is not None:
        head = lines[start + 1] if start + 1 < len(lines) else ""
        if not head.startswith(f"    {name} = {{"):
            return text  # not as this module writes it: leave the file alone
        end: int | None = start + 1  # the setting on one line
        if head.rstrip("\n") == f"    {name} = {{":
            end = next(
                (i for i in range(start + 2, len(lines)) if lines[i].rstrip("\n") == "    }"),
                None,
            )
        if end is None:
            return text
        del lines[start : end + 1]
    if not items or any(ln.startswith(f"    {name}") for ln in lines):
        return "".join(lines)
    if one is not None and len(one) <= _FIT + 1:
        block = [f"    {comment}\n", one]
    else:
        block = [f"    {comment}\n", f"    {name} = {{\n", *items, "    }\n"]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("    simulator_source = "))
    lines[at + 1 : at + 1] = block
    return "".join(lines)


def _holds_no_record(spec: Path, corpus: str) -> bool:
    """Whether a spec's corpus file holds no record: an empty list, or an envelope whose
    lists are all empty (``{"entry": [], "link": []}``). An object without lists is one
    record, served whole; an unreadable file is not known to be empty."""
    try:
        data = json.loads((spec.parent / "corpus" / f"{corpus}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if isinstance(data, list):
        return not data
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        return bool(lists) and not any(lists)
    return False


def _empty_tables(generated: list[dict], curated: tuple[Path, list[dict]]) -> list[str]:
    """The generated tables whose curated endpoint (paired as in ``_uncarried_columns``)
    serves a corpus with no record: no connector can read one there."""
    curated_spec = curated[0]
    reads = [e for e in curated[1] if e.get("corpus") and _is_get(e)]
    out = []
    for endpoint in generated:
        table = endpoint.get("corpus")
        if not table or not _is_get(endpoint):
            continue
        closest = _closest(str(endpoint["path"]), [str(c["path"]) for c in reads])
        if closest and _holds_no_record(curated_spec, str(reads[closest[0]]["corpus"])):
            out.append(str(table))
    return out


def unserved_tables(
    generated: list[dict], curated: list[dict], empty: Collection[str] = ()
) -> dict[str, str]:
    """The generated tables whose read path no curated GET endpoint serves, as it stands or
    moved by the base-path shift: ``{table: path}``. Empty when every table is unserved or
    ``empty`` (served, but with no record): such a spec checks nothing, and the suite should
    say so."""
    reads = [str(c["path"]) for c in curated if _is_get(c)]
    shift = base_path_shift([str(e["path"]) for e in generated], reads)
    tables = {str(e["corpus"]): str(e["path"]) for e in generated if e.get("corpus") and _is_get(e)}
    out = {
        table: path
        for table, path in tables.items()
        if not any(_serves(c, p) for c in reads for p in _placed(path, shift))
    }
    return out if set(tables) - set(out) - set(empty) else {}


def _placed(path: str, shift: tuple[str, str] | None) -> list[str]:
    """A generated path where it stands, and moved by the base-path shift if it applies."""
    if shift is None:
        return [path]
    old, new = (s.rstrip("/") for s in shift)
    if not (path + "/").startswith(old + "/"):
        return [path]
    return [path, new + path[len(old) :]]


def _serves(curated: str, path: str) -> bool:
    """Whether the curated path (a template) answers a request for ``path``."""
    c, p = _segments(curated), _segments(path)
    return len(c) == len(p) and all(_same(a, b) for a, b in zip(c, p, strict=True))


#: the comment above a written ``unchecked_tables``
UNCHECKED = "# tables whose documented read path the curated spec does not serve"
#: the method that leaves them out of every table-wise check, written at the class's end
SKIP_UNCHECKED = (
    "\n"
    "    def _tables(self):\n"
    "        # a table the curated spec serves no path for cannot be checked against it\n"
    "        return [t for t in super()._tables() if t not in self.unchecked_tables]\n"
)


def _unchecked_tables(text: str, tables: list[str]) -> str:
    """The test file with ``unchecked_tables`` naming ``tables`` and the method that skips
    them (both replaced on a second run, both removed when no table is left unchecked)."""
    one = f"    unchecked_tables = {{{', '.join(json.dumps(t) for t in tables)}}}\n"
    items = [f"        {json.dumps(t)},\n" for t in tables]
    text = _class_setting(text, UNCHECKED, "unchecked_tables", items, one=one)
    text = text.replace(SKIP_UNCHECKED, "")
    if not tables or UNCHECKED not in text:
        return text
    lines = text.splitlines(keepends=True)
    at = _class_end(text)
    if at is None:
        return text
    lines[at:at] = [SKIP_UNCHECKED]
    return "".join(lines)


def _class_end(text: str) -> int | None:
    """The 0-based line just past the test class that sets ``simulator_source``."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "simulator_source" for t in b.targets)
            for b in node.body
        ):
            return node.end_lineno
    return None


def unchecked_tables(test_file: Path) -> list[str]:
    """The tables a test class leaves unchecked (``unchecked_tables``), as written there."""
    try:
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "unchecked_tables" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            return sorted(str(v) for v in value) if isinstance(value, set | list) else []
    return []


def _segments(path: str) -> list[str]:
    return [s for s in urlsplit(path).path.split("/") if s]


def _same(a: str, b: str) -> bool:
    """Two path segments match when equal or when either is a ``{placeholder}``."""
    return a == b or a.startswith("{") or b.startswith("{")


def _prefixes(generated: str, curated: str) -> tuple[str, str] | None:
    """The prefixes left of the longest common tail of two paths, if the tail has a name.

    ``/Patient`` and ``/fhir/Patient`` -> ``("", "/fhir")``. ``None`` when the last segments
    differ or the common tail is placeholders only.
    """
    g, c = _segments(generated), _segments(curated)
    n = 0
    while n < min(len(g), len(c)) and _same(g[-1 - n], c[-1 - n]):
        n += 1
    if n == 0 or all(s.startswith("{") for s in g[len(g) - n :]):
        return None
    return "/" + "/".join(g[: len(g) - n]), "/" + "/".join(c[: len(c) - n])


def _is_get(endpoint: dict) -> bool:
    return str(endpoint.get("method", "GET")).upper() == "GET"


def _closest(generated: str, curated: list[str]) -> tuple[int, tuple[str, str]] | None:
    """The curated path a generated one means, the one sharing the longest tail: its index
    and the two prefixes left of that tail; None when no curated path shares one."""
    found = [(i, p) for i, c in enumerate(curated) if (p := _prefixes(generated, c)) is not None]
    if not found:
        return None
    return min(found, key=lambda f: len(_segments(f[1][0])) + len(_segments(f[1][1])))


def base_path_shift(generated: list[str], curated: list[str]) -> tuple[str, str] | None:
    """``(from, to)``: the base-path prefix to swap so most generated paths hit a curated one.

    Each generated path votes for the prefixes of its best match (the longest common tail);
    ``None`` when the most voted shift is no shift, or nothing matched.
    """
    votes: Counter[tuple[str, str]] = Counter()
    for g in generated:
        closest = _closest(g, curated)
        if closest is not None:
            votes[closest[1]] += 1
    if not votes:
        return None
    best, count = votes.most_common(1)[0]
    unshifted = sum(v for (a, b), v in votes.items() if a == b)
    if best[0] == best[1] or count <= unshifted:
        return None
    return best


def _module_constant(module: Path, name: str) -> object:
    """The literal value of the connector module's top-level ``name`` (``_BASE_URL``,
    ``_OAUTH_OPTIONS``); None when it has none, or none written as a literal."""
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                return ast.literal_eval(node.value)
            except (ValueError, TypeError):
                return None
    return None


#: the comment left above a ``replay_config`` given a stand-in token
GIVEN_TOKEN = "# a stand-in token: the curated spec need not serve the OAuth exchange"


def _given_token(text: str, exchange: list[str]) -> tuple[str, str]:
    """The test file with the OAuth exchange's stand-in credentials swapped for a stand-in
    ``access_token``; a note. A curated spec plays the API as a connection that already holds
    a token reaches it, and may serve no token endpoint."""
    found = _replay_config(text)
    if not exchange or found is None or GIVEN_TOKEN in text:
        return text, ""
    first, last, config = found
    dropped = [k for k in (*exchange, "token_url") if k in config]
    if not dropped:
        return text, ""
    config = {k: v for k, v in config.items() if k not in dropped}
    config["access_token"] = "simulator-access-token"
    lines = text.splitlines(keepends=True)
    lines[first : last + 1] = [
        f"    {GIVEN_TOKEN}\n",
        *(ln + "\n" for ln in replay_config_lines(config)),
    ]
    note = f"stand-in `access_token` in place of {', '.join(f'`{k}`' for k in dropped)}"
    return "".join(lines), note


def _replay_config(text: str) -> tuple[int, int, dict] | None:
    """First line, last line (0-based) and value of the class's ``replay_config = {...}``."""
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "replay_config" for t in node.targets)
            and node.end_lineno is not None
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            if isinstance(value, dict):
                return node.lineno - 1, node.end_lineno - 1, value
    return None


def _align_base_url(
    text: str, default: str | None, generated: list[str], curated: list[str]
) -> tuple[str, str]:
    """The test file with its stand-in ``base_url`` moved onto the curated paths; a note."""
    shift = base_path_shift(generated, curated)
    found = _replay_config(text)
    if shift is None or found is None or MOVED in text:
        return text, ""
    first, last, config = found
    url = str(config.get("base_url") or default or "https://simulator.invalid")
    parts = urlsplit(url)
    path = "/" + parts.path.strip("/") if parts.path.strip("/") else ""
    old, new = (p.rstrip("/") for p in shift)
    if not (path + "/").startswith(old + "/"):
        return text, ""
    # the simulator matches paths only; a stand-in host keeps option placeholders out of it
    host = parts.netloc if "{" not in parts.netloc else "simulator.invalid"
    config["base_url"] = f"{parts.scheme or 'https'}://{host}{new}{path[len(old) :]}"
    lines = text.splitlines(keepends=True)
    lines[first : last + 1] = [f"    {MOVED}\n", *(ln + "\n" for ln in replay_config_lines(config))]
    note = (
        f"stand-in base URL `{config['base_url']}`: the curated spec serves the paths under "
        f"`{new or '/'}` that the doc puts under `{old or '/'}`"
    )
    return "".join(lines), note
