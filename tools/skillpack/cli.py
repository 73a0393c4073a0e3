"""The ``skillpack`` command: a thin adapter over the tool registry.

    skillpack tool list [--json]                  names and descriptions (--json: schemas too)
    skillpack tool NAME --input JSON | --input-file F    run a tool; its output JSON on stdout
    skillpack mcp                                 serve every tool over MCP (stdio)
    skillpack demo [--workspace DIR]              the end-to-end demo

stdout carries only results; progress and errors go to stderr. Exit status: 0 ok, 1 a
failed gate (``tool NAME`` whose output fails the tool's ``GATE`` field, a failed suite,
package or review) and any other failure, 2 a mistake the user can fix (bad input, unknown
tool, missing file), 130 interrupted. ``--debug`` shows tracebacks.

Adding a subcommand takes one decorated function (and optionally one that adds options)::

    def _review_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", required=True)

    @command("review", "Score a connector against the review checklist.", _review_args)
    def _review(args: argparse.Namespace) -> int:
        ...
        return 0
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from skillpack import __version__, reports
from skillpack.errors import InputError, SkillpackError
from skillpack.limits import read_tool_input

#: exit status of ``skillpack tool NAME`` when the tool ran but its gate field is false
GATE_FAILED_EXIT = 1

Runner = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, how to add its options, and what it runs."""

    name: str
    help: str
    configure: Configure | None
    run: Runner


COMMANDS: list[Command] = []


def command(name: str, help: str, configure: Configure | None = None) -> Callable[[Runner], Runner]:
    """Register ``skillpack NAME``; ``configure`` adds its options to its parser."""

    def register(run: Runner) -> Runner:
        COMMANDS.append(Command(name, help, configure, run))
        return run

    return register


def _source_args(p: argparse.ArgumentParser, help: str) -> None:
    """The NAME and --workspace every per-source subcommand takes, spelled one way."""
    p.add_argument("source", metavar="NAME", help=help)
    p.add_argument("--workspace", default=".", metavar="DIR", help="workspace root (default: .)")


# --- skillpack tool ----------------------------------------------------------------------------


def _tool_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="a tool name, or `list` to list the tools")
    p.add_argument("--json", action="store_true", help="with `list`: schemas as JSON")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--input", metavar="JSON", help="the tool's input as a JSON object")
    src.add_argument(
        "--input-file", metavar="FILE", help="file holding the input JSON (`-` for stdin)"
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _print_out(args: argparse.Namespace, out: Any, text: Callable[[Any], str]) -> None:
    """A tool's output on stdout: as JSON with ``--json``, else as ``text(out)``."""
    if args.json:
        _print_json(out.model_dump(mode="json"))
    else:
        sys.stdout.write(text(out))


@command("tool", "Run one tool (`tool NAME --input JSON`) or list them (`tool list`).", _tool_args)
def _tool(args: argparse.Namespace) -> int:
    from skillpack.registry import get_tool, manifest

    if args.name == "list":
        if args.input is not None or args.input_file is not None:
            raise InputError("`tool list` takes no input", hint="drop --input/--input-file")
        tools = manifest()
        if args.json:
            _print_json(tools)
        else:
            width = max((len(t["name"]) for t in tools), default=0)
            for t in tools:
                summary = t["description"].splitlines()[0] if t["description"] else ""
                sys.stdout.write(f"{t['name'].ljust(width)}  {summary}\n")
        return 0
    if args.json:
        raise InputError("--json goes with `tool list` only", hint="drop --json")
    found = get_tool(args.name)
    data = read_tool_input(args.input, args.input_file)
    out = found.call_json(data)
    _print_json(out)
    if not found.gate_passed(out):
        print(
            f"gate failed: `{found.gate}` is {out.get(found.gate)!r} (exit {GATE_FAILED_EXIT})",
            file=sys.stderr,
        )
        return GATE_FAILED_EXIT
    return 0


# --- skillpack mcp / demo --------------------------------------------------------------------


@command("mcp", "Serve every tool over MCP on stdin/stdout.")
def _mcp(args: argparse.Namespace) -> int:
    from skillpack.mcp import serve

    return serve()


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace", metavar="DIR", help="folder for the demo's output (default: a temp folder)"
    )


@command("demo", "Build and test a connector end to end on the bundled example.", _demo_args)
def _demo(args: argparse.Namespace) -> int:
    from skillpack.create.demo import run_demo

    return run_demo(args)


# --- skillpack test ----------------------------------------------------------------------------


def _test_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source whose suite to run")
    p.add_argument(
        "--mode",
        choices=("simulate", "record", "live"),
        default="simulate",
        help="simulate (offline, default), record (live + rewrite the cassette) or live",
    )
    p.add_argument("-k", dest="select", metavar="EXPR", help="pytest -k expression of tests")
    p.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="stop the run after S seconds"
    )
    p.add_argument("--config", metavar="FILE", help="JSON file with the connector config")
    p.add_argument("--json", action="store_true", help="print the SuiteResult as JSON")


@command("test", "Run a source's test suite and diagnose each failure.", _test_args)
def _test(args: argparse.Namespace) -> int:
    from skillpack.suite.run import RunSuiteIn, run_suite

    out = run_suite(
        RunSuiteIn(
            source=args.source,
            workspace=args.workspace,
            mode=args.mode,
            select=args.select,
            timeout_s=args.timeout,
            config_path=args.config,
        )
    )
    _print_out(args, out, reports.suite_report)
    return 0 if out.passed else 1


# --- skillpack auth ----------------------------------------------------------------------------


def _auth_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source whose credentials to enter")
    p.add_argument("--no-browser", action="store_true", help="print the URL, open no browser")
    p.add_argument(
        "--timeout", type=float, default=600.0, metavar="S", help="give up after S seconds"
    )
    p.add_argument("--port", type=int, default=0, metavar="N", help="port (default: a free one)")
    p.add_argument("--json", action="store_true", help="print what was set as JSON")


@command("auth", "Enter a source's credentials in a one-time local browser form.", _auth_args)
def _auth(args: argparse.Namespace) -> int:
    from skillpack.auth.form import run_form
    from skillpack.inputs import resolve_paths

    def announce(url: str) -> None:
        print(f"open {url} to enter the credentials of `{args.source}`", file=sys.stderr)
        print("waiting for the form to be submitted (Ctrl-C to stop)", file=sys.stderr, flush=True)

    out = run_form(
        resolve_paths(args.source, args.workspace),
        announce=announce,
        port=args.port,
        timeout=args.timeout,
        open_browser=not args.no_browser,
    )
    _print_out(args, out, reports.auth_report)
    return 0


# --- skillpack create / skills install ------------------------------------------------------


def _key_values(pairs: list[str], flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(
                f"{flag} `{key or pair}` is not KEY=VALUE", hint=f"e.g. {flag} api_key=..."
            )
        out[key.strip()] = value
    return out


def _create_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "source name (lowercase, digits, underscores)")
    p.add_argument("--doc", metavar="PATH", help="the API doc (default: the workspace's)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--resume", action="store_true", help="continue after the last passed step")
    how.add_argument(
        "--restart",
        action="store_true",
        help="start over although a run exists (its state is kept under .skillpack/backup/)",
    )
    p.add_argument("--until", metavar="STEP", help="stop after this step (e.g. test_simulate)")
    p.add_argument("--version", dest="package_version", default="0.1.0", help="package version")
    p.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a connection value for the dev config (repeatable; prefer --config-env for secrets)",
    )
    p.add_argument(
        "--config-env",
        action="append",
        default=[],
        metavar="KEY=ENV_VAR",
        help="a connection value read from an environment variable (repeatable)",
    )
    p.add_argument(
        "--simulator-source",
        metavar="NAME",
        help="in a Lakeflow checkout: test offline against its curated simulator spec NAME "
        "instead of the spec synthesised from the doc",
    )


@command("create", "Create a connector from its API doc, one gated step at a time.", _create_args)
def _create(args: argparse.Namespace) -> int:
    from skillpack.create.orchestrator import context_for, run_create

    ctx = context_for(
        args.source,
        doc=args.doc,
        workspace=args.workspace,
        version=args.package_version,
        config_values=_key_values(args.config, "--config"),
        config_env=_key_values(args.config_env, "--config-env"),
        resume=args.resume,
        simulator_source=args.simulator_source,
    )
    state = run_create(
        ctx,
        resume=args.resume,
        restart=args.restart,
        until=args.until,
        say=lambda line: print(line, file=sys.stderr, flush=True),
    )
    passed = sum(1 for s in state.steps if s.status == "passed")
    print(
        f"{args.source}: {passed}/{len(state.steps)} steps passed; state in {ctx.paths.state_file}"
    )
    return 0


def _skills_args(p: argparse.ArgumentParser) -> None:
    from skillpack.install import FLAVORS

    p.add_argument("action", choices=["install"], help="what to do with the skills")
    p.add_argument("--target", required=True, metavar="DIR", help="e.g. .claude or .agents")
    p.add_argument("--flavor", choices=FLAVORS, default="plain", help="agent-specific switches")


@command("skills", "Install the skills and agents into an agent's folder.", _skills_args)
def _skills(args: argparse.Namespace) -> int:
    from skillpack.install import install_skills

    done = install_skills(args.target, args.flavor)
    for item in done:
        if item.action != "unchanged":
            print(f"{item.action:>9}  {item.path}")
    changed = sum(1 for d in done if d.action != "unchanged")
    print(f"{len(done)} files in {args.target}: {changed} written, {len(done) - changed} unchanged")
    return 0


# --- skillpack review --------------------------------------------------------------------------


def _review_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source to review")
    p.add_argument("--source-dir", metavar="DIR", help="the source's folder, in any layout")
    p.add_argument("--judgements", metavar="FILE", help="verdicts on the judgement checks")
    p.add_argument("--json", action="store_true", help="print the ReviewConnectorOut as JSON")


@command("review", "Score a connector against the rubric; write SELF_REVIEW.md.", _review_args)
def _review(args: argparse.Namespace) -> int:
    from skillpack.review.review import ReviewConnectorIn, review_connector

    out = review_connector(
        ReviewConnectorIn(
            source=args.source,
            workspace=args.workspace,
            source_dir=args.source_dir,
            judgements=args.judgements,
        )
    )
    _print_out(args, out, reports.review_report)
    return 0 if out.passed else 1


# --- skillpack package -------------------------------------------------------------------------


def _package_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source to package")
    p.add_argument("--version", metavar="V", help="PEP 440 version (default: pyproject's)")
    p.add_argument("--out-dir", metavar="DIR", help="artifacts folder (default sources/NAME/dist)")
    p.add_argument("--single-file", action="store_true", help="also write NAME_connector.py")
    p.add_argument("--no-verify", action="store_true", help="skip the install into a fresh venv")
    p.add_argument("--json", action="store_true", help="print the PackageConnectorOut as JSON")


@command("package", "Build and verify a wheel and sdist of one connector.", _package_args)
def _package(args: argparse.Namespace) -> int:
    from skillpack.package.package import PackageConnectorIn, package_connector

    inp = PackageConnectorIn(
        source=args.source,
        workspace=args.workspace,
        version=args.version,
        out_dir=args.out_dir,
        single_file=args.single_file,
        verify=not args.no_verify,
    )
    print(f"packaging {args.source} ...", file=sys.stderr, flush=True)
    out = package_connector(inp)
    _print_out(args, out, reports.package_report)
    return 0 if out.passed else 1


# --- skillpack incremental ---------------------------------------------------------------------


def _incremental_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source whose incremental tables to check")
    p.add_argument(
        "--mode", choices=("simulate", "record", "live"), default="simulate",
        help="simulate (offline, default), record or live",
    )  # fmt: skip
    p.add_argument("--tables", nargs="+", metavar="T", help="only these incremental tables")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="give up after S s")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


@command(
    "incremental",
    "Check the cursors and offsets of a source's incremental tables.",
    _incremental_args,
)
def _incremental(args: argparse.Namespace) -> int:
    from skillpack.incremental import ValidateIncrementalSyncIn, validate_incremental_sync

    out = validate_incremental_sync(
        ValidateIncrementalSyncIn(
            source=args.source,
            workspace=args.workspace,
            mode=args.mode,
            tables=args.tables,
            timeout_s=args.timeout,
        )
    )
    _print_out(args, out, reports.incremental_report)
    return 0 if out.passed else 1


# --- skillpack where ---------------------------------------------------------------------------


def _where_args(p: argparse.ArgumentParser) -> None:
    _source_args(p, "the source whose files to locate")
    p.add_argument("--json", action="store_true", help="print the layout as JSON")


@command("where", "Show the detected workspace flavour and every path of a source.", _where_args)
def _where(args: argparse.Namespace) -> int:
    from skillpack.layout import describe, source_paths

    found = describe(source_paths(args.source, args.workspace))
    if args.json:
        _print_json(found)
        return 0
    sys.stdout.write(reports.where_report(found))
    return 0


# --- the parser and main ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; tests use it to check command lines without running them."""
    parser = argparse.ArgumentParser(
        prog="skillpack",
        description="Typed tools and skills for building data-source connectors.",
    )
    parser.add_argument("--version", action="version", version=f"skillpack {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        if cmd.configure is not None:
            cmd.configure(p)
        p.set_defaults(run=cmd.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SkillpackError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        if args.debug:
            traceback.print_exc()
        from skillpack.registry import describe_validation_error

        print(f"error: {describe_validation_error(exc)}", file=sys.stderr)
        print("hint: `skillpack tool list --json` shows each tool's input schema", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (OSError, RecursionError, UnicodeError) as exc:
        # The file system or the input refused (a name too long, a folder that cannot be
        # made, bytes that are not text): the user's to fix, in one line.
        if args.debug:
            traceback.print_exc()
        print(f"error: {reports.describe_os_error(exc)}", file=sys.stderr)
        print("hint: check the paths and files given on the command line", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        detail = str(exc).splitlines()[0] if str(exc) else ""
        print(f"error: {type(exc).__name__}: {detail}".rstrip(": "), file=sys.stderr)
        if not args.debug:
            print("rerun with --debug for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
