"""The connector's pyproject.toml: names, versions, and a rewrite that keeps the user's edits."""

from __future__ import annotations

import pytest
import tomlkit

from skillpack.errors import InputError
from skillpack.package._pyproject import (
    check_version,
    distribution_name,
    import_package,
    merge_dependencies,
    read_pyproject,
    render_pyproject,
    write_pyproject,
)

DETECTED = ["connector-skillpack>=0.1.0", "requests"]


def test_names_derive_from_the_source_name():
    assert distribution_name("my_api") == "lakeflow-connector-my-api"
    assert import_package("my_api") == "lakeflow_connector_my_api"


def test_versions_are_normalised_pep_440():
    assert check_version("1.0.0-rc1") == "1.0.0rc1"
    assert check_version("0.1.0") == "0.1.0"


@pytest.mark.parametrize("bad", ["1.x", "v1..2", "", "latest"])
def test_invalid_version_is_an_input_error(bad):
    with pytest.raises(InputError) as info:
        check_version(bad)
    assert info.value.code == "bad-version"
    assert f"`{bad}`" in str(info.value)


def test_fresh_file_declares_the_owned_fields():
    doc = tomlkit.parse(render_pyproject(None, source="my_api", version="0.3.0", detected=DETECTED))
    assert doc["build-system"]["build-backend"] == "hatchling.build"
    assert doc["project"]["name"] == "lakeflow-connector-my-api"
    assert doc["project"]["version"] == "0.3.0"
    assert doc["project"]["requires-python"] == ">=3.10"
    assert doc["project"]["dependencies"] == DETECTED
    assert doc["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [
        "lakeflow_connector_my_api"
    ]


def test_rendering_its_own_output_changes_nothing():
    first = render_pyproject(None, source="my_api", version="0.1.0", detected=DETECTED)
    second = render_pyproject(
        tomlkit.parse(first), source="my_api", version="0.1.0", detected=DETECTED
    )
    assert second == first


def test_user_edits_survive_regeneration():
    first = render_pyproject(None, source="my_api", version="0.1.0", detected=DETECTED)
    edited = first.replace(
        'requires-python = ">=3.10"\n',
        'requires-python = ">=3.10"\n# kept: why we need a readme\nreadme = "README.md"\n'
        'classifiers = ["Private :: Do Not Upload"]\n',
    ).replace('    "requests",\n]', '    "requests>=2.32",\n    "rich",\n]', 1)
    edited += "\n[tool.mytool]\nanswer = 42\n"
    again = render_pyproject(
        tomlkit.parse(edited), source="my_api", version="0.2.0", detected=[*DETECTED, "pyyaml"]
    )
    doc = tomlkit.parse(again)
    assert "# kept: why we need a readme" in again
    assert doc["project"]["readme"] == "README.md"
    assert doc["project"]["classifiers"] == ["Private :: Do Not Upload"]
    assert doc["tool"]["mytool"]["answer"] == 42
    assert doc["project"]["version"] == "0.2.0"
    # the user's pin replaces the detected requirement; the user's own one stays
    assert doc["project"]["dependencies"] == [
        "connector-skillpack>=0.1.0",
        "requests>=2.32",
        "pyyaml",
        "rich",
    ]


def test_a_dependency_no_longer_imported_is_dropped_but_user_ones_stay():
    merged = merge_dependencies(
        existing=["connector-skillpack>=0.1.0", "requests", "rich"],
        old_detected=["connector-skillpack>=0.1.0", "requests"],
        detected=["connector-skillpack>=0.1.0"],
    )
    assert merged == ["connector-skillpack>=0.1.0", "rich"]


def test_write_reports_whether_bytes_changed(tmp_path):
    path = tmp_path / "pyproject.toml"
    assert write_pyproject(path, source="my_api", version="0.1.0", detected=DETECTED) is True
    before = path.read_bytes()
    assert write_pyproject(path, source="my_api", version="0.1.0", detected=DETECTED) is False
    assert path.read_bytes() == before


def test_invalid_toml_is_an_input_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project\nname = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_pyproject(path)
    assert info.value.code == "bad-pyproject"
