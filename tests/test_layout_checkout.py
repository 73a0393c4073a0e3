"""The layout module on a checkout fixture: both doc names, simulator specs, build artifacts."""

import json
from pathlib import Path

from skillpack.cli import main
from skillpack.layout import describe, source_paths

CHECKOUT = Path(__file__).resolve().parent / "fixtures" / "upstream_checkout"


def test_checkout_doc_under_its_source_api_doc_name_is_found():
    paths = source_paths("ledger", CHECKOUT)
    assert paths.layout == "upstream"
    assert paths.api_doc.name == "ledger_source_api_doc.md"
    assert paths.api_doc.is_file()


def test_doc_name_defaults_to_the_short_form_when_neither_exists(tmp_path):
    (tmp_path / "sources/shop").mkdir(parents=True)
    assert source_paths("shop", tmp_path).api_doc.name == "shop_api_doc.md"


def test_simulator_spec_and_corpus_are_in_the_checkout_specs_folder():
    paths = source_paths("ledger", CHECKOUT)
    specs = CHECKOUT / "src/databricks/labs/community_connector/source_simulator/specs"
    assert paths.simulator_endpoints == specs / "ledger" / "endpoints.yaml"
    assert paths.simulator_corpus == specs / "ledger" / "corpus"
    assert paths.has_simulator


def test_generated_single_file_build_is_recognised_as_an_artifact():
    paths = source_paths("ledger", CHECKOUT)
    assert [p.name for p in paths.generated_sources] == ["_generated_ledger_python_source.py"]
    assert not paths.is_build_artifact(paths.connector_module)


def test_describe_lists_every_path_with_whether_it_exists():
    found = describe(source_paths("ledger", CHECKOUT))
    assert found["flavour"] == "upstream"
    assert found["paths"]["simulator_endpoints"]["exists"] is True
    assert found["paths"]["dev_config"]["exists"] is False
    names = [Path(e["path"]).name for e in found["paths"]["api_doc_candidates"]]
    assert names == ["ledger_api_doc.md", "ledger_source_api_doc.md"]


def test_where_prints_the_flavour_as_json(capsys):
    assert main(["where", "ledger", "--workspace", str(CHECKOUT), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["flavour"] == "upstream"
    assert out["paths"]["test_file"]["path"].endswith("test_ledger_lakeflow_connect.py")


def test_where_on_our_layout_names_the_standalone_flavour(capsys, tmp_path):
    assert main(["where", "shop", "--workspace", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("shop: standalone skillpack workspace (skillpack)")
    assert "sources/shop/shop.py" in out


def test_where_refuses_a_bad_name_with_exit_2(capsys):
    assert main(["where", "Bad-Name"]) == 2
    assert "invalid source name" in capsys.readouterr().err
