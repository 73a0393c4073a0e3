"""Package verification reads what the artifacts really hold: the wheel's files and the
Requires-Dist its METADATA declares."""

from __future__ import annotations

import email.message
import zipfile
from pathlib import Path

from skillpack.package._verify import _metadata_problems, requires_of, wheel_contents


def _meta(requires: list[str]) -> email.message.Message:
    meta = email.message.Message()
    meta["Metadata-Version"] = "2.1"
    meta["Name"] = "lakeflow-connector-widgets"
    meta["Version"] = "0.1.0"
    meta["Requires-Python"] = ">=3.10"
    for r in requires:
        meta["Requires-Dist"] = r
    return meta


def _wheel(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_metadata_matching_the_wanted_requirements_has_no_problem():
    meta = _meta(["requests>=2.31", "pyyaml"])
    assert (
        _metadata_problems(
            meta, "lakeflow-connector-widgets", "0.1.0", ["pyyaml", "requests>=2.31"]
        )
        == []
    )


def test_a_requirement_the_metadata_lacks_is_a_problem_naming_both_lists():
    meta = _meta(["requests>=2.31"])
    problems = _metadata_problems(
        meta, "lakeflow-connector-widgets", "0.1.0", ["requests>=2.31", "pyyaml"]
    )
    assert problems == [
        "Requires-Dist is ['requests>=2.31'], expected ['pyyaml', 'requests>=2.31']"
    ]


def test_an_extra_or_different_requirement_is_a_problem_too():
    meta = _meta(["requests>=2.0"])
    (problem,) = _metadata_problems(meta, "lakeflow-connector-widgets", "0.1.0", ["requests>=2.31"])
    assert problem.startswith("Requires-Dist is ['requests>=2.0']")


def test_a_staged_file_missing_from_the_wheel_fails_the_contents_check(tmp_path):
    wheel = _wheel(tmp_path / "w.whl", {"widgets/__init__.py": "", "widgets/widgets.py": ""})
    staged = ["widgets/__init__.py", "widgets/widgets.py", "widgets/data/schema.json"]
    result = wheel_contents(wheel, staged)
    assert result.status == "failed"
    assert result.detail == "missing from the wheel: widgets/data/schema.json"
    assert wheel_contents(wheel, staged[:2]).status == "passed"


def test_requires_of_reads_the_wheels_metadata(tmp_path):
    meta = str(_meta(["requests>=2.31", "pyyaml"]))
    wheel = _wheel(tmp_path / "w.whl", {"w-0.1.0.dist-info/METADATA": meta})
    assert requires_of(wheel) == ["requests>=2.31", "pyyaml"]
