"""write_test_utils: generate a source's write-back utilities from its API doc."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field, computed_field

from skillpack.apidoc.parse import read_doc
from skillpack.errors import InputError
from skillpack.inputs import SourceArgs
from skillpack.layout import SourcePaths
from skillpack.registry import tool
from skillpack.testing.config import is_production, read_json_file
from skillpack.writeback._codegen import GENERATED_MARKER, auth_lines, plan, render_module
from skillpack.writeback._test_file_patch import wire_test_file


class WriteTestUtilsIn(SourceArgs):
    """Which source to generate write-back utilities for."""

    path: str | None = Field(
        None, description="Path to the API doc; default: the source's NAME_api_doc.md."
    )
    overwrite: bool = Field(
        False,
        description="Replace a hand-written utils file. A file this tool generated is "
        "always regenerated.",
    )


class TableWriteBack(BaseModel):
    """What the utilities do for one table."""

    table: str = Field(description="Table name.")
    insert: str = Field(description="Insert endpoint, `METHOD /path`.")
    delete: str | None = Field(None, description="Delete endpoint, when documented.")
    deletable: bool = Field(description="Whether delete tests run on it (cdc_with_deletes).")
    column_mapping: dict[str, str] = Field(
        description="Written field -> dot-path in the records read back."
    )
    unmapped_fields: list[str] = Field(
        default_factory=list,
        description="Written fields whose read-back path the doc does not tell; "
        "add them to the mapping by hand or say `read back as` in the doc.",
    )


class WriteTestUtilsOut(BaseModel):
    """Files written and what the generated utilities cover."""

    GATE: ClassVar[str] = "passed"

    skipped: bool = Field(description="True when the doc documents no write-back endpoints.")
    reason: str = Field("", description="Why the step was skipped, when it was.")
    utils_file: str | None = Field(None, description="The utilities module.")
    test_file: str | None = Field(None, description="The test file wired to the utilities.")
    files_written: list[str] = Field(
        default_factory=list, description="Files created or changed by this run."
    )
    files_unchanged: list[str] = Field(
        default_factory=list, description="Files already up to date."
    )
    utils_class: str | None = Field(None, description="Name of the generated class.")
    tables: list[TableWriteBack] = Field(default_factory=list, description="Per-table plan.")

    @computed_field(  # type: ignore[prop-decorator]
        description="The gate: the utilities were written, or the step was skipped because "
        "the doc documents no write-back endpoints."
    )
    @property
    def passed(self) -> bool:
        return self.skipped or self.utils_file is not None


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _connector_class(paths: SourcePaths) -> str:
    """The connector class defined in the source module (ast; the module is not run)."""
    module = paths.connector_module
    fallback = f"{_camel(paths.name)}LakeflowConnect"
    if not module.exists():
        return fallback
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            if "read_table" in methods or node.name.endswith("LakeflowConnect"):
                return node.name
    return fallback


def _refuse_production(paths: SourcePaths) -> None:
    if paths.dev_config.exists():
        config = read_json_file(paths.dev_config, "dev config")
        if is_production(config):
            raise InputError(
                f"refusing to set up write-back tests: `{paths.dev_config}` is marked "
                "`environment: production`",
                hint="point the dev config at a non-production environment",
                code="production-config",
            )


def _new_test_file(paths: SourcePaths, utils_class: str, utils_import: str) -> str:
    cls = _connector_class(paths)
    if paths.layout == "upstream":
        imports = [
            f"from {paths.connector_import} import {cls}",
            utils_import,
            "",
            "from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests",
        ]
    else:
        imports = [
            utils_import,
            f"from {paths.connector_import} import {cls}",
            "",
            "from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests",
        ]
    return "\n".join(
        [
            f'"""The `{paths.name}` connector under the generic and write-back suites."""',
            "",
            *imports,
            "",
            "",
            f"class Test{_camel(paths.name)}Connector("
            "LakeflowConnectWriteBackTests, LakeflowConnectTests):",
            f"    connector_class = {cls}",
            f"    test_utils_class = {utils_class}",
            "",
        ]
    )


def _write(path: Path, text: str, out: WriteTestUtilsOut) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        out.files_unchanged.append(str(path))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    out.files_written.append(str(path))


@tool
def write_test_utils(inp: WriteTestUtilsIn) -> WriteTestUtilsOut:
    """Generate write-back test utilities from the API doc and wire them into the test file.

    Run it after the connector passes the generic suite, then run the write-back tests
    live. It skips (writing nothing) when the doc documents no write endpoints, and it
    refuses a dev config marked production.
    """
    paths = inp.paths()
    _refuse_production(paths)
    doc_path = Path(inp.path) if inp.path else paths.api_doc
    doc = read_doc(str(doc_path))
    plans = plan(doc)
    if not plans:
        return WriteTestUtilsOut(
            skipped=True,
            reason=f"`{doc_path.name}` documents no insert endpoint in a write-back section; "
            "write-back testing needs at least one",
        )
    upstream = paths.layout == "upstream"
    utils_class = "LakeflowConnectWriteTestUtils" if upstream else f"{_camel(paths.name)}TestUtils"
    utils_import = f"from {paths.test_utils_import} import {utils_class}"
    module_text = render_module(
        paths.name, utils_class, doc_path.name, plans, doc.base_url, auth_lines(doc)
    )

    existing = paths.test_utils
    if existing.exists() and not inp.overwrite:
        current = existing.read_text(encoding="utf-8")
        if GENERATED_MARKER not in current and current != module_text:
            raise InputError(
                f"`{existing}` was written by hand; not replacing it",
                hint="pass `overwrite: true` to replace it, or delete it first",
                code="would-overwrite",
            )

    out = WriteTestUtilsOut(
        skipped=False,
        utils_file=str(existing),
        test_file=str(paths.test_file),
        utils_class=utils_class,
        tables=[
            TableWriteBack(
                table=p.name,
                insert=p.insert,
                delete=p.delete,
                deletable=p.deletable,
                column_mapping=p.mapping,
                unmapped_fields=p.unmapped,
            )
            for p in plans
        ],
    )
    _write(existing, module_text, out)
    mixin_import = "from skillpack.testing import LakeflowConnectWriteBackTests"
    if paths.test_file.exists():
        try:
            wired = wire_test_file(
                paths.test_file.read_text(encoding="utf-8"),
                utils_class=utils_class,
                utils_import=utils_import,
                mixin_import=mixin_import,
            )
        except ValueError as exc:
            raise InputError(
                f"`{paths.test_file}`: {exc}",
                hint="derive the test class from LakeflowConnectTests first",
            ) from None
        except SyntaxError as exc:  # libcst's ParserSyntaxError subclasses it
            raise InputError(
                f"`{paths.test_file}` does not parse: {str(exc).splitlines()[0]}",
                hint="fix the syntax error and run again",
            ) from None
    else:
        wired = _new_test_file(paths, utils_class, utils_import)
    _write(paths.test_file, wired, out)
    return out


__all__ = ["TableWriteBack", "WriteTestUtilsIn", "WriteTestUtilsOut", "write_test_utils"]
