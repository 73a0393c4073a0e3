"""Skills cannot drift from the code: every `skillpack` command in a skill's code blocks
runs, in order, against a copy of the bundled example workspace, and succeeds.

The example API runs for the whole module and the copy's credentials point at it, the
way a user's workspace would be set up before an agent follows a skill.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from markdown_it import MarkdownIt

from skillpack.create.demo import copy_bundled_workspace
from skillpack.examples.example_api import serve_example_api

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SKILLS = sorted(p.parent.name for p in (REPO / "skills").glob("*/SKILL.md"))


def fenced_commands(path: Path) -> list[str]:
    """``skillpack`` lines of the fenced code blocks, continuations joined, in order."""
    found = []
    for tok in MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8")):
        if tok.type in ("fence", "code_block"):
            for line in tok.content.replace("\\\n", " ").splitlines():
                line = line.strip().removeprefix("$ ").strip()
                if line.startswith("skillpack "):
                    found.append(line.split("  #")[0].strip())
    return found


@pytest.fixture(scope="module")
def example_api():
    with serve_example_api() as server:
        yield server


def _answer_judgements(root: Path) -> None:
    # Until its judgements are answered a review is provisional and exits 1; the skill's own
    # steps answer them, here done before so every command in the skill can succeed.
    from skillpack.review._rubric import load_rubric

    verdicts = {
        c.id: {"verdict": "pass", "evidence": "the suites passed live against the example API"}
        for c in load_rubric().checks
        if c.decided == "judgement"
    }
    (root / "tests/sources/example/review_judgements.yaml").write_text(json.dumps(verdicts))


#: what a user has done before following the skill (its precondition), per skill
def _shop_doc(root: Path) -> None:
    # implement-partitioned starts from a doc whose child table is read per parent record
    doc = REPO / "tests/fixtures/apidocs_partitioned/shop_per_customer.md"
    target = root / "sources/shop/shop_api_doc.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(doc.read_text(encoding="utf-8"), encoding="utf-8")


PRECONDITIONS = {
    "review": _answer_judgements,
    "implement-partitioned": _shop_doc,
    # write-back-testing generates the utilities the bundled example ships hand-written
    "write-back-testing": lambda root: (
        root / "tests/sources/example/example_test_utils.py"
    ).unlink(),
}


def _fill_form_as_a_person(proc: subprocess.Popen, values: dict[str, str]) -> None:
    """Read the form's URL from stderr, load the page and submit it from its own origin."""
    url = None
    for line in proc.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
        if found:
            url = found.group(1)
            break
    assert url, "skillpack auth printed no URL"
    page = requests.get(url, timeout=10).text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    origin = re.match(r"http://127\.0\.0\.1:\d+", url).group(0)
    form = {"form_token": token, **{f"field:{k}": v for k, v in values.items()}}
    answer = requests.post(f"{origin}/submit", data=form, headers={"Origin": origin}, timeout=10)
    assert answer.status_code == 200, answer.text[:300]


def _run(command: str, root: Path, env: dict[str, str], values: dict[str, str]) -> None:
    argv = [sys.executable, "-m", "skillpack", *shlex.split(command)[1:]]
    if argv[3] == "auth":
        # The form is for a person: play one, through the page, as a browser would.
        if "--no-browser" not in argv:
            argv.append("--no-browser")
        proc = subprocess.Popen(
            argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            _fill_form_as_a_person(proc, values)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert proc.returncode == 0, f"`{command}` exited {proc.returncode}: {err[-1500:]}"
        return
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"`{command}` exited {done.returncode}: {done.stderr[-1500:]}"


def _workspace(tmp_path: Path, server) -> Path:
    root = copy_bundled_workspace(tmp_path / "ws")
    config = json.dumps({"base_url": server.url, "api_key": server.api_key})
    for path in (root / "sources/example/configs/dev_config.json", root / "secrets/example.json"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config)
        path.chmod(0o600)
    return root


def test_skills_show_commands_to_run():
    assert sum(len(fenced_commands(REPO / "skills" / s / "SKILL.md")) for s in SKILLS) >= 8


@pytest.mark.parametrize("skill", SKILLS)
def test_every_command_in_the_skill_succeeds_on_the_example(skill, tmp_path, example_api):
    root = _workspace(tmp_path, example_api)
    PRECONDITIONS.get(skill, lambda root: None)(root)
    values = {"base_url": example_api.url, "api_key": example_api.api_key}
    env = {
        **os.environ,
        "EXAMPLE_API_KEY": values["api_key"],
        "EXAMPLE_BASE_URL": values["base_url"],
    }
    for command in fenced_commands(REPO / "skills" / skill / "SKILL.md"):
        _run(command, root, env, values)
