"""Running ``skillpack`` the way a user does (a child process) and judging how it failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import git

from skillpack.layout import bundled_workspace, source_paths

DOC = source_paths("example", bundled_workspace()).api_doc


def skillpack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "skillpack", *args]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300, **kw):
    """Run ``skillpack ARGS`` to the end; the completed process (text output)."""
    return subprocess.run(
        skillpack_cmd(*args),
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kw,
    )


def assert_one_line_error(code: int, err: str, expect: str = "", exit_code: int = 2) -> None:
    """Exit ``exit_code``, one `error:` line (holding ``expect``) and one `hint:` line, no trace."""
    lines = err.strip().splitlines()
    assert code == exit_code, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), lines
    assert expect in lines[0], lines
    assert len(lines[0]) < 600, lines[0][:200]


def history(workspace: Path) -> list[tuple[str, set[str]]]:
    """Each commit (oldest first): its message and the source names its files belong to."""
    repo = git.Repo(workspace)
    found = []
    for c in reversed(list(repo.iter_commits())):
        names = set()
        for path in c.stats.files:
            parts = Path(path).parts
            if parts[:1] == ("sources",) and len(parts) > 1:
                names.add(parts[1])
            elif parts[:2] == ("tests", "sources") and len(parts) > 2:
                names.add(parts[2])
        found.append((c.message.strip(), names))
    return found


def assert_valid_history(workspace: Path) -> list[tuple[str, set[str]]]:
    """``git fsck`` is clean and no commit mixes two sources or files of another source."""
    repo = git.Repo(workspace)
    repo.git.fsck("--full", "--strict")
    commits = history(workspace)
    for message, names in commits:
        source = message.split()[1].rstrip(":")
        assert names <= {source}, (message, names)
    return commits
