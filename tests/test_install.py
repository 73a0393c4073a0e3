"""skillpack skills install: copies skills and agents, idempotent, flavours only add."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skillpack.errors import InputError
from skillpack.install import install_skills, pack_root

ROOT = Path(__file__).resolve().parents[1]


def test_install_copies_every_skill_and_agent(tmp_path):
    done = install_skills(tmp_path / ".agents")
    written = {Path(d.path).relative_to(tmp_path / ".agents").as_posix() for d in done}
    skills = {p.parent.name for p in (ROOT / "skills").glob("*/SKILL.md")}
    assert skills and all(f"skills/{name}/SKILL.md" in written for name in skills)
    assert "agents/create-connector.md" in written
    src = (ROOT / "skills/write-back-testing/SKILL.md").read_text()
    assert (tmp_path / ".agents/skills/write-back-testing/SKILL.md").read_text() == src


def test_second_install_changes_nothing(tmp_path):
    install_skills(tmp_path)
    again = install_skills(tmp_path)
    assert {d.action for d in again} == {"unchanged"}


def test_claude_flavour_adds_its_switch_to_installed_copies_only(tmp_path):
    install_skills(tmp_path, "claude")
    installed = (tmp_path / "skills/write-back-testing/SKILL.md").read_text()
    head = installed.split("\n---", 1)[0]
    assert "disable-model-invocation: true" in head
    assert (
        "disable-model-invocation" not in (ROOT / "skills/write-back-testing/SKILL.md").read_text()
    )


def test_unknown_flavour_names_the_known_ones(tmp_path):
    with pytest.raises(InputError, match="`claude`, `plain`"):
        install_skills(tmp_path, "vim")


def test_pack_root_is_the_checkout_in_development():
    assert pack_root() == ROOT


def test_cli_says_what_it_installed(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "skillpack", "skills", "install", "--target", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout and "written" in done.stdout
