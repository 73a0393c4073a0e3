"""The helper module a connector in an upstream checkout imports instead of the pack.

A connector generated in a Lakeflow Community Connectors checkout may not import
``skillpack``: the checkout does not depend on it. The REST helpers it needs (the client, its
paginators, cursor offsets, record shaping, auth, the error classes) are the SDK's own code,
merged into one module of the connector's package, ``NAME_utils.py``, by the same merge the
single-file form uses. Only the SDK modules those names need go in; the schema model does not,
since upstream connectors declare their schemas with ``pyspark.sql.types``.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from skillpack.errors import InputError
from skillpack.flavour import Flavour
from skillpack.package._deps import is_stdlib
from skillpack.package._merge import _Merger, _top_modules
from skillpack.package._rewrite import LINE_LENGTH, import_block


def _docstring(source: str, modules: list[str], needs: list[str]) -> str:
    body = (
        f"REST helpers of the `{source}` connector: HTTP client with retries and timeouts, "
        "pagination, cursor offsets, record shaping, auth and the error classes. Written by "
        "`skillpack tool implement_connector` from connector-skillpack's SDK "
        f"({', '.join(modules)}); besides the standard library it needs "
        f"{', '.join(needs) or 'nothing'}."
    )
    lines = textwrap.wrap(body, width=LINE_LENGTH - 4, break_on_hyphens=False)
    return f'"""{lines[0]}\n' + "".join(f"{line}\n" for line in lines[1:]) + '"""\n'


def render_helpers(flavour: Flavour, wanted: dict[str, set[str]]) -> str:
    """``NAME_utils.py``: the SDK definitions of ``wanted`` (SDK module -> names), merged."""
    seed = "".join(
        f"from {module} import {', '.join(sorted(names))}\n"
        for module, names in sorted(wanted.items())
    )
    with tempfile.TemporaryDirectory(prefix="skillpack-helpers-") as tmp:
        seed_file = Path(tmp) / "seed.py"
        seed_file.write_text(seed, encoding="utf-8")
        merger = _Merger(flavour.paths)
        merger.load("_seed", seed_file, False)
        merger.assign_names()
        sections = []
        for name in merger.order:
            if name == "_seed":
                continue
            text = merger.section(merger.modules[name])
            if text:
                rule = "-" * max(3, LINE_LENGTH - 7 - len(name))
                sections.append(f"# --- {name} {rule}\n{text}")
    for module, names in wanted.items():
        renamed = [n for n in names if merger.final.get((module, n), n) != n]
        if renamed:
            raise InputError(
                f"the SDK's `{module}` names {renamed} collide in the merged helper module",
                hint="report this as a bug of connector-skillpack",
                code="helpers-collision",
            )
    modules = [n for n in merger.order if n != "_seed"]
    third_party = sorted({t for t in _top_modules(merger.hoisted) if not is_stdlib(t)})
    imports = import_block(merger.hoisted)
    head = _docstring(flavour.paths.name, modules, third_party)
    head += "\nfrom __future__ import annotations\n"
    return head + ("\n" + imports + "\n" if imports else "") + "\n\n" + "\n\n".join(sections)
