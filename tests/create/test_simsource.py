"""`--simulator-source`: the generated test class meets a checkout's curated spec."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from skillpack.create.simsource import CHECKOUT_SPECS, base_path_shift, use_simulator_source
from skillpack.layout import source_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

TEST_CLASS = '''"""Tests of the `clinic` connector."""


class TestClinicConnector(LakeflowConnectTests):
    connector_class = ClinicLakeflowConnect
    replay_config = {"api_token": "t", "base_url": "https://clinic.simulator.invalid"}
'''


def _endpoints(*paths: str) -> str:
    return "endpoints:\n" + "".join(f"- path: {p}\n  method: GET\n  corpus: x\n" for p in paths)


@pytest.fixture
def checkout(tmp_path: Path):
    """A checkout with a generated `clinic` (paths at the host root) and a curated `ehr` spec
    whose service answers under `/r4`."""
    root = tmp_path / "checkout"
    shutil.copytree(FIXTURES / "upstream_checkout", root)
    paths = source_paths("clinic", str(root))
    paths.test_file.parent.mkdir(parents=True)
    paths.test_file.write_text(TEST_CLASS)
    paths.connector_module.parent.mkdir(parents=True)
    paths.connector_module.write_text('_BASE_URL = "https://{region}.clinic.test"\n')
    paths.simulator_endpoints.parent.mkdir(parents=True)
    paths.simulator_endpoints.write_text(_endpoints("/patients", "/visits/{visit_id}/notes"))
    curated = root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.parent.mkdir(parents=True)
    curated.write_text(_endpoints("/r4/patients", "/r4/visits/{id}/notes", "/r4/metadata"))
    return paths


def _replay_config(paths) -> dict:
    tree = ast.parse(paths.test_file.read_text())
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "replay_config"
    )
    return ast.literal_eval(node.value)


@pytest.mark.parametrize(
    ("generated", "curated", "shift"),
    [
        (["/Patient", "/Encounter"], ["/fhir/Patient", "/fhir/Encounter"], ("/", "/fhir")),
        (["/v2/items", "/v2/tags"], ["/items", "/tags"], ("/v2", "/")),
        (["/api/v1/items"], ["/v1/items"], ("/api", "/")),
        (["/3.0/lists/{list_id}/members"], ["/3.0/lists/{id}/members"], None),
        (["/items"], ["/other"], None),
        # one endpoint already lines up, one would want a prefix: no majority, no move
        (["/items", "/tags"], ["/items", "/x/tags"], None),
    ],
)
def test_the_base_path_moves_to_where_most_curated_paths_are(generated, curated, shift):
    assert base_path_shift(generated, curated) == shift


def test_the_stand_in_base_url_moves_under_the_curated_prefix(checkout):
    note = use_simulator_source(checkout, "ehr").note
    assert _replay_config(checkout) == {
        "api_token": "t",
        "base_url": "https://clinic.simulator.invalid/r4",
    }
    assert "`/r4`" in note
    text = checkout.test_file.read_text()
    assert '    simulator_source = "ehr"\n' in text
    # a second run finds the paths lined up and changes nothing
    assert use_simulator_source(checkout, "ehr").note == ""
    assert checkout.test_file.read_text() == text


def test_without_a_stand_in_base_url_the_default_path_is_kept_on_a_stand_in_host(checkout):
    checkout.test_file.write_text(
        TEST_CLASS.replace(', "base_url": "https://clinic.simulator.invalid"', "")
    )
    use_simulator_source(checkout, "ehr")
    # the default's host holds an option placeholder, which the stand-in host replaces
    assert _replay_config(checkout)["base_url"] == "https://simulator.invalid/r4"


def test_paths_that_already_line_up_leave_the_test_class_alone(checkout):
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text(_endpoints("/patients", "/visits/{id}/notes"))
    assert use_simulator_source(checkout, "ehr").note == ""
    assert _replay_config(checkout)["base_url"] == "https://clinic.simulator.invalid"


def _corpus(spec: Path, name: str, records: list[dict]) -> None:
    (spec.parent / "corpus").mkdir(exist_ok=True)
    (spec.parent / "corpus" / f"{name}.json").write_text(json.dumps(records))


def test_columns_the_curated_corpus_never_fills_are_exempt_from_the_coverage_check(checkout):
    generated = checkout.simulator_endpoints
    generated.write_text(
        "endpoints:\n- path: /patients\n  method: GET\n  corpus: patients\n"
        "- path: /visits\n  method: GET\n  corpus: visits\n"
    )
    long_names = {f"a_rather_long_column_name_{i}": 1 for i in range(3)}
    _corpus(generated, "patients", [{"id": 1, "name": "a", "nickname": "b", **long_names}])
    _corpus(generated, "visits", [{"id": 1, "at": "t"}])
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text(
        "endpoints:\n- path: /patients\n  method: GET\n  corpus: people\n"
        "- path: /visits\n  method: GET\n  corpus: visits\n"
    )
    # `nickname` is null in every curated record; the long names are never there
    _corpus(curated, "people", [{"id": 7, "name": "x", "nickname": None}])
    _corpus(curated, "visits", [{"id": 2, "at": "u"}])
    note = use_simulator_source(checkout, "ehr").note
    text = checkout.test_file.read_text()
    tree = ast.parse(text)
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "allow_null_columns"
    )
    assert ast.literal_eval(node.value) == {"patients": {"nickname", *long_names}}
    assert "patients: a_rather_long_column_name_0" in note
    assert max(len(ln) for ln in text.splitlines()) <= 88
    # a second run writes the same block once
    use_simulator_source(checkout, "ehr")
    assert checkout.test_file.read_text() == text
    # once the curated corpus fills every column, the exemption goes
    _corpus(curated, "people", [{"id": 7, "name": "x", "nickname": "n", **long_names}])
    use_simulator_source(checkout, "ehr")
    assert "allow_null_columns" not in checkout.test_file.read_text()


def test_a_class_setting_its_own_exemptions_is_left_alone(checkout):
    generated = checkout.simulator_endpoints
    generated.write_text("endpoints:\n- path: /patients\n  method: GET\n  corpus: patients\n")
    _corpus(generated, "patients", [{"id": 1, "nickname": "b"}])
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text("endpoints:\n- path: /patients\n  method: GET\n  corpus: people\n")
    _corpus(curated, "people", [{"id": 7}])
    own = '    allow_null_columns = {"patients": {"id"}}\n'
    checkout.test_file.write_text(TEST_CLASS + own)
    use_simulator_source(checkout, "ehr")
    text = checkout.test_file.read_text()
    assert text.count("allow_null_columns") == 1 and own in text


def test_tables_the_curated_corpus_holds_no_record_for_may_read_empty(checkout):
    generated = checkout.simulator_endpoints
    generated.write_text(
        "endpoints:\n- path: /patients\n  method: GET\n  corpus: patients\n"
        "- path: /visits\n  method: GET\n  corpus: visits\n"
        "- path: /notes\n  method: GET\n  corpus: notes\n"
    )
    for table in ("patients", "visits", "notes"):
        _corpus(generated, table, [{"id": 1}])
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text(
        "endpoints:\n- path: /patients\n  method: GET\n  corpus: people\n"
        "- path: /visits\n  method: GET\n  corpus: bundle\n"
        "- path: /notes\n  method: GET\n  corpus: profile\n"
    )
    _corpus(curated, "people", [{"id": 7}])
    spec_dir = curated.parent / "corpus"
    # an envelope whose lists are empty holds no record; an object with no list is one
    (spec_dir / "bundle.json").write_text(json.dumps({"type": "set", "entry": [], "link": []}))
    (spec_dir / "profile.json").write_text(json.dumps({"id": 3, "email": "a@b.c"}))
    note = use_simulator_source(checkout, "ehr").note
    text = checkout.test_file.read_text()
    assert '    allow_empty_first_read = {"visits"}\n' in text
    assert "may be empty: visits" in note
    # a second run changes nothing
    use_simulator_source(checkout, "ehr")
    assert checkout.test_file.read_text() == text
    # once the curated corpus has a record, the allowance goes
    (spec_dir / "bundle.json").write_text(json.dumps({"entry": [{"id": 9}]}))
    use_simulator_source(checkout, "ehr")
    assert "allow_empty_first_read" not in checkout.test_file.read_text()


def test_an_oauth_connector_meets_the_curated_spec_with_a_stand_in_token(checkout):
    checkout.connector_module.write_text(
        '_BASE_URL = "https://{region}.clinic.test"\n'
        '_OAUTH_OPTIONS = ["client_id", "client_secret"]\n'
    )
    checkout.test_file.write_text(
        TEST_CLASS.replace(
            '{"api_token": "t", ',
            '{"client_id": "i", "client_secret": "s", "token_url": "https://t/token", ',
        )
    )
    note = use_simulator_source(checkout, "ehr").note
    config = _replay_config(checkout)
    assert config["access_token"] == "simulator-access-token"
    assert not {"client_id", "client_secret", "token_url"} & set(config)
    assert "in place of `client_id`, `client_secret`, `token_url`" in note
    text = checkout.test_file.read_text()
    use_simulator_source(checkout, "ehr")
    assert checkout.test_file.read_text() == text


def _gets(*tables: tuple[str, str]) -> str:
    return "endpoints:\n" + "".join(
        f"- path: {p}\n  method: GET\n  corpus: {t}\n" for t, p in tables
    )


def test_a_table_whose_documented_path_the_curated_spec_lacks_is_left_unchecked(checkout):
    generated = checkout.simulator_endpoints
    generated.write_text(
        _gets(("patients", "/patients"), ("notes", "/visits/{visit_id}/notes"))
        + "- path: /oauth/token\n  method: POST\n  corpus: token\n"
        + _gets(("communities", "/communities"), ("user_groups", "/userGroups"))[11:]
    )
    # served under `/r4` (the base-path shift), with other placeholder names: checked
    use = use_simulator_source(checkout, "ehr")
    assert use.unchecked == {"communities": "/communities", "user_groups": "/userGroups"}
    assert "not checked against it: communities (`GET /communities`)" in use.note
    text = checkout.test_file.read_text()
    assert '    unchecked_tables = {"communities", "user_groups"}\n' in text
    assert text.rstrip().endswith("if t not in self.unchecked_tables]")
    ast.parse(text)
    # a second run changes nothing
    assert use_simulator_source(checkout, "ehr").unchecked == use.unchecked
    assert checkout.test_file.read_text() == text
    # once the curated spec serves them, both the setting and the method go
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text(
        _endpoints("/r4/patients", "/r4/visits/{id}/notes", "/r4/communities", "/r4/userGroups")
    )
    assert use_simulator_source(checkout, "ehr").unchecked == {}
    text = checkout.test_file.read_text()
    assert "unchecked_tables" not in text and "def _tables" not in text


def test_a_curated_spec_serving_none_of_the_tables_leaves_none_out(checkout):
    checkout.simulator_endpoints.write_text(_gets(("patients", "/people"), ("notes", "/records")))
    assert use_simulator_source(checkout, "ehr").unchecked == {}
    assert "unchecked_tables" not in checkout.test_file.read_text()


def test_the_unchecked_tables_block_is_as_ruff_formats_it(checkout, tmp_path):
    import subprocess
    import sys

    many = [(f"a_rather_long_table_name_{i}", f"/t{i}") for i in range(4)]
    checkout.simulator_endpoints.write_text(_gets(("patients", "/patients"), *many))
    use_simulator_source(checkout, "ehr")
    text = checkout.test_file.read_text()
    assert "    unchecked_tables = {\n" in text
    probe = tmp_path / "probe.py"
    probe.write_text(text)
    ruff = [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "100"]
    subprocess.run([*ruff, str(probe)], check=True, capture_output=True)
    assert probe.read_text() == text


def test_tables_left_after_the_unserved_must_have_curated_records(checkout):
    checkout.simulator_endpoints.write_text(_gets(("patients", "/patients"), ("rooms", "/rooms")))
    curated = checkout.root / CHECKOUT_SPECS / "ehr" / "endpoints.yaml"
    curated.write_text(
        "endpoints:\n- path: /patients\n  method: GET\n  corpus: people\n"
        "- path: /other\n  method: GET\n  corpus: other\n"
    )
    _corpus(curated, "people", [])
    # the one served table has no record: nothing would be checked, so nothing is left out
    assert use_simulator_source(checkout, "ehr").unchecked == {}
    _corpus(curated, "people", [{"id": 1}])
    assert use_simulator_source(checkout, "ehr").unchecked == {"rooms": "/rooms"}
