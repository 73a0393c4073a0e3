"""The state of a ``skillpack create`` run and its git history, written so a kill loses nothing.

- The state file is replaced atomically through a temp file unique to the writer
  (``mkstemp`` beside it, then ``os.replace``): a reader sees the old or the new state, never
  half of one, and two writers never share a temp file.
- A step counts as passed only once its commit exists: the commit is made first and the
  state records it after. A run killed between the two finds the commit on ``--resume``
  (:func:`find_step_commit`) instead of running the step again.
- ``--restart`` keeps the previous state (and the API doc it replaces) under
  ``.skillpack/backup/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from skillpack.errors import InputError
from skillpack.flavour import flavour_of
from skillpack.layout import SourcePaths

Status = Literal["pending", "running", "passed", "failed", "waiting"]

#: lines .gitignore must hold before the first commit: credentials and build output
IGNORED = (".skillpack/", "**/configs/dev_config.json", "dist/", "build/", "*.egg-info/",
           "__pycache__/", "*.pyc", ".pytest_cache/")  # fmt: skip


@dataclass
class StepState:
    name: str
    status: Status = "pending"
    seconds: float = 0.0
    message: str = ""
    artifacts: list[str] = field(default_factory=list)
    commit: str | None = None
    #: why a gate failed, in the tool's words (verdict, fix, evidence), when it did
    reason: dict[str, str] = field(default_factory=dict)
    #: HEAD when the step last started: a commit of the step newer than it is that run's
    base: str | None = None
    #: digests of the step's inputs (doc, spec, config) when it passed
    inputs: dict[str, str] = field(default_factory=dict)
    #: what is left to decide (implement's to-do list: table, field, doc line, candidates)
    todo: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Passed and committed: the only state a resumed run skips."""
        return self.status == "passed" and bool(self.commit)


_STEP_FIELDS = {f.name for f in fields(StepState)}


@dataclass
class RunState:
    source: str
    doc: str
    steps: list[StepState]
    #: HEAD when the run started: commits older than it belong to earlier runs
    base_commit: str | None = None

    @classmethod
    def fresh(cls, source: str, doc: str, names: tuple[str, ...]) -> RunState:
        return cls(source, doc, [StepState(name) for name in names])

    @classmethod
    def load(cls, path: Path) -> RunState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            steps = [StepState(**{k: v for k, v in s.items() if k in _STEP_FIELDS})
                     for s in data["steps"]]  # fmt: skip
            return cls(data["source"], data["doc"], steps, data.get("base_commit"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"cannot read the run state `{path}`: {type(exc).__name__}",
                hint="start over with --restart (the broken state is kept as a backup; "
                "passed steps are kept in git)",
                code="bad-state",
            ) from None

    def save(self, path: Path) -> None:
        """Write the state atomically through a temp file no other writer uses."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "source": self.source,
            "doc": self.doc,
            "base_commit": self.base_commit,
            "steps": [vars(s) for s in self.steps],
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(data, indent=2) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def step(self, name: str) -> StepState:
        return next(s for s in self.steps if s.name == name)

    @property
    def started(self) -> bool:
        """True once any step left ``pending``: a new run would throw its work away."""
        return any(s.status != "pending" for s in self.steps)

    def summary(self) -> str:
        done = sum(1 for s in self.steps if s.done)
        # the first step still open (failed, running or waiting) is where the run stands
        last = next((s for s in self.steps if not s.done and s.status != "pending"), None)
        tail = f", `{last.name}` {last.status}" if last else ""
        return f"{done}/{len(self.steps)} steps passed{tail}"


def backup(root: Path, *files: Path) -> Path:
    """Copy ``files`` that exist into a new ``.skillpack/backup/<time>/``; return that folder."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = root / ".skillpack" / "backup" / stamp
    n = 1
    while folder.exists():
        n += 1
        folder = folder.with_name(f"{stamp}-{n}")
    folder.mkdir(parents=True)
    for f in files:
        if f.is_file():
            shutil.copy2(f, folder / f.name)
    return folder


def replace_file(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` atomically (a kill leaves the old or the new file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ----------------------------------------------------------------------------- git


def branch_for(source: str) -> str:
    """The branch a run in an upstream checkout commits to, e.g. ``connector/github``."""
    return f"connector/{source}"


def _owned_paths(paths: SourcePaths) -> list[Path]:
    """What a run in an upstream checkout may commit: the source's own folders."""
    return [paths.source_dir, paths.tests_dir, flavour_of(paths).specs_dir]


def ensure_ignored(paths: SourcePaths) -> None:
    """Keep credentials, state and builds out of commits.

    Our workspace gets the lines in its ``.gitignore``. An upstream checkout's
    ``.gitignore`` is the project's, not ours to change (the pull request would carry it),
    so there the lines go to the clone's local ``.git/info/exclude``.
    """
    if paths.layout != "upstream":
        _ensure_lines(paths.root / ".gitignore")
        return
    git_dir = paths.root / ".git"
    if git_dir.is_dir():
        _ensure_lines(git_dir / "info" / "exclude")


def _ensure_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in IGNORED if line not in lines]
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([*lines, *missing]) + "\n", encoding="utf-8")


def on_source_branch(paths: SourcePaths) -> str | None:
    """In an upstream checkout, switch to the source's branch (made from HEAD if new).

    The user's current branch never receives the run's commits. Uncommitted changes of the
    user stay in the working tree and out of the commits (only the source's folders are
    added). Returns the branch, or None outside an upstream checkout.
    """
    if paths.layout != "upstream":
        return None
    repo = _repo(paths.root, create=False)
    if repo is None:
        return None
    branch = branch_for(paths.name)
    current = None if repo.head.is_detached else repo.active_branch.name
    if current == branch:
        return branch
    import git

    args = [branch] if branch in [h.name for h in repo.heads] else ["-b", branch]
    try:
        repo.git.checkout(*args)
    except git.GitCommandError as exc:
        # git's own complaint says what is in the way: its reason and the first file named
        said = [
            ln.strip().strip("'").removeprefix("stderr: ").strip("'").removeprefix("error: ")
            for ln in str(exc.stderr).splitlines()
        ]
        said = [ln for ln in said if ln][:2]
        raise InputError(
            f"could not switch `{paths.root}` to the run's branch `{branch}`: "
            + " ".join(said).rstrip(":"),
            hint="move, remove or commit the files git names, then run the same command again",
            code="branch-switch",
        ) from None
    return branch


def _repo(root: Path, create: bool) -> Any:
    import git

    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return git.Repo.init(root) if create else None


def head_commit(root: Path) -> str | None:
    """The workspace's HEAD commit, or ``None`` without a repo or commits."""
    repo = _repo(root, create=False)
    if repo is None or not repo.head.is_valid():
        return None
    return repo.head.commit.hexsha[:12]


def commit_message(source: str, step: str) -> str:
    return f"create {source}: {step} passed"


def commit(paths: SourcePaths, message: str) -> str:
    """Commit the run's files (initialising a repo in our workspace).

    Our workspace: everything not ignored. An upstream checkout: only the source's own
    folders, on the source's branch. A step that changed no file still gets its (empty)
    commit, so the history lists every passed step in order.
    """
    import git

    root = paths.root
    repo = _repo(root, create=True)
    ensure_ignored(paths)
    if paths.layout == "upstream":
        on_source_branch(paths)
        owned = [str(p.relative_to(root)) for p in _owned_paths(paths) if p.exists()]
        if owned:
            repo.git.add("-A", "--", *owned)
    else:
        repo.git.add(A=True)
    actor = git.Actor("skillpack", "skillpack@localhost")
    return repo.index.commit(message, author=actor, committer=actor).hexsha[:12]


def find_step_commit(root: Path, source: str, step: str, since: str | None) -> str | None:
    """The commit of ``step`` made after ``since`` (a kill came before the state saw it)."""
    repo = _repo(root, create=False)
    if repo is None or not repo.head.is_valid():
        return None
    wanted = commit_message(source, step)
    for c in repo.iter_commits("HEAD", max_count=200):
        if since and c.hexsha.startswith(since):
            return None
        if c.message.strip() == wanted:
            return c.hexsha[:12]
    return None
