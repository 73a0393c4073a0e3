"""`skillpack create` offline first, and `--simulator-source` for a checkout's curated spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skillpack.cli import main
from skillpack.create.orchestrator import NEEDS_PERSON, STEP_NAMES
from skillpack.create.simsource import use_simulator_source
from skillpack.layout import source_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOC = FIXTURES / "apidocs_shapes" / "orbit_object_table.md"


def test_offline_steps_come_before_any_step_that_needs_a_person():
    first_person = min(STEP_NAMES.index(s) for s in NEEDS_PERSON)
    for step in ("doc", "lint", "spec", "implement", "test_simulate"):
        assert STEP_NAMES.index(step) < first_person


def test_simulator_source_outside_a_checkout_is_one_line_exit_2(tmp_path, capsys):
    where = ["--doc", str(DOC), "--workspace", str(tmp_path)]
    code = main(["create", "orbit", *where, "--simulator-source", "orbit"])
    err = capsys.readouterr().err
    assert code == 2
    assert "needs a Lakeflow Community Connectors checkout" in err
    assert "Traceback" not in err and not (tmp_path / ".skillpack").exists()


def test_unknown_simulator_source_lists_the_checkout_specs(tmp_path, capsys):
    checkout = tmp_path / "checkout"
    shutil.copytree(FIXTURES / "upstream_checkout", checkout)
    specs = checkout / "src/databricks/labs/community_connector/source_simulator/specs"
    (specs / "memo").mkdir(parents=True)
    (specs / "memo" / "endpoints.yaml").write_text("endpoints: []\n")
    where = ["--doc", str(DOC), "--workspace", str(checkout)]
    code = main(["create", "orbit", *where, "--simulator-source", "nosuch"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown simulator source `nosuch`; use one of " in err and "`memo`" in err


@pytest.mark.parametrize("runs", [1, 2])
def test_simulator_source_is_set_once_on_the_test_class(tmp_path, runs):
    shutil.copytree(FIXTURES / "upstream_checkout", tmp_path / "checkout")
    paths = source_paths("orbit", str(tmp_path / "checkout"))
    test_file = paths.test_file
    test_file.parent.mkdir(parents=True)
    test_file.write_text(
        "class TestOrbitConnector(LakeflowConnectTests):\n"
        "    connector_class = OrbitLakeflowConnect\n"
    )
    for _ in range(runs):
        use_simulator_source(paths, "orbit")
    assert test_file.read_text() == (
        "class TestOrbitConnector(LakeflowConnectTests):\n"
        "    connector_class = OrbitLakeflowConnect\n"
        '    simulator_source = "orbit"\n'
    )


def test_the_docs_a_doc_links_to_travel_with_it(tmp_path):
    given = tmp_path / "given"
    (given / "modules").mkdir(parents=True)
    (given / "orbit_api_doc.md").write_text(
        DOC.read_text(encoding="utf-8") + "\nField lists: [modules](modules/).\n",
        encoding="utf-8",
    )
    (given / "modules" / "crew_api_doc.md").write_text("# Crew\n", encoding="utf-8")
    ws = tmp_path / "ws"
    where = ["--doc", str(given / "orbit_api_doc.md"), "--workspace", str(ws)]
    assert main(["create", "orbit", *where, "--until", "doc"]) == 0
    paths = source_paths("orbit", str(ws))
    # beside the doc, where its link points, as it was
    assert (paths.api_doc.parent / "modules" / "crew_api_doc.md").read_text() == "# Crew\n"
