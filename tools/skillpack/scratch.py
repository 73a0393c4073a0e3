"""Scratch folders under the workspace's ``.skillpack/tmp/`` that a kill cannot leak for long.

A folder is named after the process that made it (``<pid>-<purpose>-<random>``). Every new
scratch folder first sweeps the folders of processes that are gone, so what a SIGKILL left
behind is removed by the next run, and a normal exit removes its own at once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def sweep(base: Path) -> list[Path]:
    """Remove the scratch folders in ``base`` whose process has exited; return them."""
    removed = []
    if not base.is_dir():
        return removed
    for child in base.iterdir():
        pid, _, _rest = child.name.partition("-")
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


@contextlib.contextmanager
def scratch_dir(root: Path, purpose: str) -> Iterator[Path]:
    """A fresh folder under ``root/.skillpack/tmp`` for the ``with`` block, removed after."""
    base = root / ".skillpack" / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    sweep(base)
    path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{purpose}-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
