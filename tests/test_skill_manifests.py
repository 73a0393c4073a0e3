"""Every skill and agent file: valid manifest, registered tools, commands that parse.

What counts as naming a tool (the rule skill and agent authors write to):

1. ``skillpack tool NAME ...`` in a fenced code block or an inline code span;
2. ``mcp__skillpack__NAME`` anywhere;
3. a backticked snake_case name right next to the word "tool": "the `run_suite` tool",
   "tool `run_suite`".

Every such NAME must be registered. Every ``skillpack ...`` command in a fenced code block
(a line starting with ``skillpack`` or ``$ skillpack``, backslash continuations joined) or in an
inline code span must parse with the CLI's own argument parser, and the JSON of
``--input '...'`` must validate against the tool's input model. Nothing is run.
"""

from __future__ import annotations

import json
import re
import shlex
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from pydantic import ValidationError
from skills_ref import validate as validate_skill

from skillpack.cli import build_parser
from skillpack.tools import all_tools, get_tool

REPO = Path(__file__).resolve().parents[1]
SKILL_DIRS = sorted(p.parent for p in (REPO / "skills").glob("*/SKILL.md"))
AGENT_FILES = sorted((REPO / "agents").glob("*.md"))
MARKDOWN = MarkdownIt("commonmark")

_SNAKE = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+"
_TOOL_CMD = re.compile(rf"\bskillpack\s+tool\s+({_SNAKE}|[a-z]+)\b")
_MCP_NAME = re.compile(rf"\bmcp__skillpack__({_SNAKE})\b")
_NEAR_TOOL = re.compile(rf"\btools?\s+`({_SNAKE})`|`({_SNAKE})`\s+tools?\b")


def commands_and_lines(text: str) -> tuple[list[str], list[str]]:
    """``skillpack`` command lines (from code blocks and code spans) and every prose line."""
    commands: list[str] = []
    for tok in MARKDOWN.parse(text):
        if tok.type in ("fence", "code_block"):
            joined = tok.content.replace("\\\n", " ")
            for line in joined.splitlines():
                line = line.strip().removeprefix("$ ").strip()
                if line.startswith("skillpack "):
                    commands.append(line)
        elif tok.type == "inline":
            for child in tok.children or ():
                if child.type == "code_inline" and child.content.startswith("skillpack "):
                    commands.append(child.content)
    return commands, text.splitlines()


def tool_names(text: str) -> set[str]:
    """Tool names a Markdown file mentions, by the rule in this module's docstring."""
    names: set[str] = set()
    commands, lines = commands_and_lines(text)
    for cmd in commands:
        names.update(m for m in _TOOL_CMD.findall(cmd) if m != "list")
    names.update(_MCP_NAME.findall(text))
    for line in lines:
        for a, b in _NEAR_TOOL.findall(line):
            names.add(a or b)
        names.update(m for m in _TOOL_CMD.findall(line) if m != "list" and "`" in line)
    return names


def check_command(cmd: str) -> str | None:
    """None if ``cmd`` parses (and its --input JSON validates), else the problem."""
    try:
        argv = shlex.split(cmd)[1:]
    except ValueError as exc:
        return f"`{cmd}`: cannot split: {exc}"
    err = StringIO()
    try:
        with redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:
        if exc.code == 0:
            return None  # --help / --version
        return f"`{cmd}`: {err.getvalue().strip().splitlines()[-1]}"
    if getattr(args, "command", None) == "tool" and args.name != "list":
        names = {t.name for t in all_tools()}
        if args.name not in names:
            return f"`{cmd}`: unknown tool `{args.name}`"
        if args.input is not None:
            try:
                data = json.loads(args.input)
                get_tool(args.name).input_model.model_validate(data)
            except (ValueError, ValidationError) as exc:
                return f"`{cmd}`: bad --input: {str(exc).splitlines()[0]}"
    return None


def check_markdown(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    registered = {t.name for t in all_tools()}
    problems = [
        f"{path.name}: tool `{name}` is not registered"
        for name in sorted(tool_names(text) - registered)
    ]
    commands, _ = commands_and_lines(text)
    problems += [f"{path.name}: {p}" for p in map(check_command, commands) if p]
    return problems


def frontmatter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    return yaml.safe_load(text.split("---", 2)[1]) or {}


# --- the checks on the real files -------------------------------------------------------------


def test_every_skill_passes_the_agent_skills_validator():
    problems = [f"{d.name}: {e}" for d in SKILL_DIRS for e in validate_skill(d)]
    assert problems == []


def test_every_skill_and_agent_names_only_registered_tools_and_valid_commands():
    files = [d / "SKILL.md" for d in SKILL_DIRS] + AGENT_FILES
    problems = [p for f in files for p in check_markdown(f)]
    assert problems == []


def test_every_agent_names_itself_after_its_file():
    problems = []
    for f in AGENT_FILES:
        meta = frontmatter(f)
        if meta.get("name") != f.stem:
            problems.append(f"{f.name}: name `{meta.get('name')}` is not `{f.stem}`")
        if not meta.get("description"):
            problems.append(f"{f.name}: no description")
    assert problems == []


# --- the checker itself, on made-up files ----------------------------------------------------


def _skill(tmp_path: Path, body: str, name: str = "demo-skill") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "SKILL.md").write_text(
        f"---\nname: {name}\ndescription: Parse an API doc. Use when a user has one.\n---\n{body}",
        encoding="utf-8",
    )
    return folder


GOOD = """
Call the `parse_api_doc` tool:

```bash
skillpack tool parse_api_doc --input '{"path": "sources/github/github_api_doc.md"}'
skillpack tool list --json
```
"""


def test_checker_accepts_a_good_skill(tmp_path):
    folder = _skill(tmp_path, GOOD)
    assert validate_skill(folder) == []
    assert check_markdown(folder / "SKILL.md") == []
    assert tool_names(GOOD) == {"parse_api_doc"}


def test_checker_flags_unregistered_tools_by_each_rule(tmp_path):
    body = (
        "Use the `parse_the_doc` tool, or `mcp__skillpack__lint_everything`.\n\n"
        "```\n$ skillpack tool make_coffee --input '{}'\n```\n"
    )
    folder = _skill(tmp_path, body)
    problems = check_markdown(folder / "SKILL.md")
    for name in ("parse_the_doc", "lint_everything", "make_coffee"):
        assert any(f"`{name}`" in p for p in problems), name


def test_checker_flags_commands_that_do_not_parse_or_validate(tmp_path):
    assert check_command("skillpack tool parse_api_doc --inptu '{}'") is not None
    assert check_command("skillpack frobnicate") is not None
    assert "bad --input" in check_command("skillpack tool parse_api_doc --input '{\"pth\": 1}'")
    assert check_command("skillpack demo --workspace w") is None
    assert check_command("skillpack --version") is None


def test_validator_rejects_a_name_that_differs_from_its_folder(tmp_path):
    folder = _skill(tmp_path, GOOD, name="demo-skill")
    (folder / "SKILL.md").write_text(
        "---\nname: other-name\ndescription: x\n---\nbody\n", encoding="utf-8"
    )
    assert validate_skill(folder) != []
