"""review_connector: scores the bundled connectors, catches planted defects with the right
citation, folds in judgements, writes a repeatable report and touches nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import InputError
from skillpack.layout import UPSTREAM_SOURCES
from skillpack.package._pyproject import write_pyproject
from skillpack.review._rubric import load_rubric
from skillpack.tools import (
    GenerateConnectorSpecIn,
    ParseApiDocIn,
    ReviewConnectorIn,
    generate_connector_spec,
    get_tool,
    parse_api_doc,
    review_connector,
)

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO / "tests" / "fixtures" / "upstream_checkout"
JUDGEMENT_IDS = [c.id for c in load_rubric().checks if c.decided == "judgement"]
SINKING_IDS = [c.id for c in load_rubric().checks if c.decided == "judgement" and c.can_sink]
FAKE_TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"


def _workspace(target: Path) -> Path:
    ws = copy_bundled_workspace(target)
    # The spec is written by generate_connector_spec in the normal flow; make sure it is there.
    generate_connector_spec(GenerateConnectorSpecIn(source="example", workspace=str(ws)))
    return ws


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    return _workspace(tmp_path_factory.mktemp("clean") / "ws")


@pytest.fixture
def ws(tmp_path) -> Path:
    return _workspace(tmp_path / "ws")


def review(ws: Path, source: str = "example", **kw):
    return review_connector(ReviewConnectorIn(source=source, workspace=str(ws), **kw))


def status(out, check_id: str) -> str:
    return next(c.status for c in out.checks if c.id == check_id)


def findings(out, check_id: str):
    return [f for f in out.findings if f.check_id == check_id]


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the bundled connectors ---------------------------------------------------------------------


@pytest.mark.parametrize("source", ["example", "kinto"])
def test_bundled_connectors_get_a_passing_band_and_no_failed_blocker(clean, source):
    out = review(clean, source)
    assert out.blockers_failed == 0
    assert out.counts["unchecked"] == 0 and out.counts["error"] == 0
    # every automatic check passes, but the judgements that can sink it are unanswered
    assert out.band_code in ("READY", "ALMOST") and not out.passed and out.provisional
    assert out.sinking_pending == SINKING_IDS and "test.live-verified" in SINKING_IDS
    assert out.band == (
        f"{out.band_code} (provisional: {len(SINKING_IDS)} judgements that can sink it "
        f"pending, {len(JUDGEMENT_IDS)} in all)"
    )
    assert 0 < out.score <= 100
    report = Path(out.report_path)
    assert report == clean / "tests" / "sources" / source / "SELF_REVIEW.md"
    assert f"- **Score:** {out.score:.1f} / 100" in report.read_text(encoding="utf-8")


def test_kinto_table_consistency_is_na_because_tables_are_found_at_run_time(clean):
    out = review(clean, "kinto")
    check = next(c for c in out.checks if c.id == "cons.tables-doc-code")
    assert check.status == "na"
    assert "run time" in check.note


def test_report_parses_back_into_summary_findings_and_one_table_per_section(ws):
    edit(ws / "sources/example/example.py", '"events": (', '"clicks": (')
    out = review(ws)
    text = Path(out.report_path).read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    rubric = load_rubric()
    assert headings == [
        "Self-review: `example`",
        "Findings",
        "Judgements pending",
        "Could not check",
        *[s.title for s in rubric.sections],
    ]
    tables, rows, current = 0, [], 0
    for t in tokens:
        if t.type == "table_open":
            tables, current = tables + 1, 0
        elif t.type == "tr_open":
            current += 1
        elif t.type == "table_close":
            rows.append(current - 1)  # minus the header row
    # findings, pending judgements, then one per section with a row per check
    per_section = [sum(1 for c in rubric.checks if c.section == s.id) for s in rubric.sections]
    assert rows[0] == len(out.findings) and rows[1] == len(JUDGEMENT_IDS)
    assert rows[2:] == per_section
    hrefs = [
        child.attrGet("href")
        for t in tokens
        if t.type == "inline"
        for child in t.children or ()
        if child.type == "link_open"
    ]
    code_line = line_of(ws / "sources/example/example.py", '"clicks": (')
    assert f"../../../sources/example/example.py#L{code_line}" in hrefs
    assert all(not str(h).startswith("/") for h in hrefs)
    assert str(ws) not in text


def test_same_input_gives_the_same_report_byte_for_byte_wherever_it_lives(tmp_path):
    first, second = _workspace(tmp_path / "a"), _workspace(tmp_path / "elsewhere" / "b")
    for ws in (first, second):
        edit(ws / "sources/example/example.py", "timeout=30.0", "timeout=None")
    a1 = Path(review(first).report_path).read_bytes()
    a2 = Path(review(first).report_path).read_bytes()
    b = Path(review(second).report_path).read_bytes()
    assert a1 == a2 == b
    assert b"RestClient built with `timeout=None`" in a1


def test_review_writes_only_the_report_and_leaves_every_source_file_identical(ws):
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    out = review(ws)
    after = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    report = Path(out.report_path)
    assert set(after) - set(before) == {report}
    assert {p: b for p, b in after.items() if p != report} == before


# --- planted defects ----------------------------------------------------------------------------


def test_a_secret_literal_in_code_fails_with_its_line_and_never_shows_the_value(ws):
    module = ws / "sources/example/example.py"
    edit(module, "_ADDRESS = StructType(", f'API_TOKEN = "{FAKE_TOKEN}"\n\n_ADDRESS = StructType(')
    out = review(ws)
    assert status(out, "sec.no-secret-literals-code") == "fail"
    assert out.band_code == "NOT READY" and not out.passed
    hit = findings(out, "sec.no-secret-literals-code")
    assert [f.citation for f in hit] == [
        f"sources/example/example.py:{line_of(module, 'API_TOKEN')}"
    ]
    assert FAKE_TOKEN not in out.model_dump_json()
    assert FAKE_TOKEN not in Path(out.report_path).read_text(encoding="utf-8")


def test_a_password_assigned_in_test_utils_fails_the_code_secret_check(ws):
    utils = ws / "tests/sources/example/example_test_utils.py"
    edit(utils, "_MAPPINGS = {", 'ADMIN_PASSWORD = "Xq9vL2pR7mK4"\n\n_MAPPINGS = {')
    out = review(ws)
    hit = findings(out, "sec.no-secret-literals-code")
    expected = f"tests/sources/example/example_test_utils.py:{line_of(utils, 'ADMIN_PASSWORD')}"
    assert [f.citation for f in hit] == [expected]
    assert "ADMIN_PASSWORD" in hit[0].message


def test_a_missing_deletes_method_fails_at_the_cdc_with_deletes_table(ws):
    module = ws / "sources/example/example.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text[: text.index("    def read_table_deletes(")].rstrip() + "\n", "utf-8")
    out = review(ws)
    assert status(out, "impl.deletes-method") == "fail"
    assert out.band_code == "NOT READY"
    line = line_of(module, '"ingestion_type": "cdc_with_deletes"')
    assert [f.citation for f in findings(out, "impl.deletes-method")] == [
        f"sources/example/example.py:{line}"
    ]


def test_a_doc_code_table_mismatch_cites_both_sides(ws):
    module = ws / "sources/example/example.py"
    edit(module, '"events": (', '"clicks": (')
    out = review(ws)
    assert status(out, "cons.tables-doc-code") == "fail"
    doc = parse_api_doc(ParseApiDocIn(path=str(ws / "sources/example/example_api_doc.md")))
    events_line = next(t.line for t in doc.tables if t.name == "events")
    clicks_line = line_of(module, '"clicks": (')
    assert [f.citation for f in findings(out, "cons.tables-doc-code")] == [
        f"sources/example/example.py:{clicks_line}",
        f"sources/example/example_api_doc.md:{events_line}",
    ]


def test_a_raw_http_call_without_timeout_fails_at_that_call(ws):
    module = ws / "sources/example/example.py"
    edit(module, "from skillpack.errors import", "import requests\n\nfrom skillpack.errors import")
    module.write_text(
        module.read_text(encoding="utf-8")
        + "\n\ndef _ping(url: str) -> int:\n    return requests.get(url).status_code\n",
        encoding="utf-8",
    )
    out = review(ws)
    assert status(out, "impl.http-timeouts") == "fail"
    line = line_of(module, "requests.get(url)")
    assert [f.citation for f in findings(out, "impl.http-timeouts")] == [
        f"sources/example/example.py:{line}"
    ]
    assert "timeout" in findings(out, "impl.http-timeouts")[0].fix
    # a raw call never retried on 429 is a separate, MAJOR finding
    assert [f.line for f in findings(out, "impl.retries-429")] == [line]


def test_a_raw_http_call_with_timeout_and_429_handling_passes_both(ws):
    module = ws / "sources/example/example.py"
    edit(module, "from skillpack.errors import", "import requests\n\nfrom skillpack.errors import")
    module.write_text(
        module.read_text(encoding="utf-8") + "\n\ndef _ping(url: str) -> bool:\n"
        "    return requests.get(url, timeout=10).status_code != 429\n",
        encoding="utf-8",
    )
    out = review(ws)
    assert (status(out, "impl.http-timeouts"), status(out, "impl.retries-429")) == ("pass", "pass")


def test_write_back_wiring_is_checked_from_the_test_class(ws):
    test_file = ws / "tests/sources/example/test_example.py"
    edit(
        test_file,
        "(LakeflowConnectWriteBackTests, LakeflowConnectTests)",
        "(LakeflowConnectTests, LakeflowConnectWriteBackTests)",
    )
    out = review(ws)
    assert status(out, "test.write-back-order") == "fail"
    line = line_of(test_file, "class TestExampleConnector")
    assert findings(out, "test.write-back-order")[0].citation == (
        f"tests/sources/example/test_example.py:{line}"
    )
    edit(
        test_file,
        "(LakeflowConnectTests, LakeflowConnectWriteBackTests)",
        "(LakeflowConnectTests)",
    )
    out = review(ws)
    assert status(out, "test.write-back-mixin") == "fail"
    # without the write-back suite nothing keeps the utilities away from production
    assert status(out, "test.utils-no-production") == "fail"
    assert out.band_code == "NOT READY"


def test_a_credential_kept_in_a_cassette_fails_at_its_line(ws):
    cassette = ws / "tests/sources/kinto/cassettes/TestKintoConnector.yaml"
    edit(
        cassette,
        "      User-Agent:\n",
        "      Authorization:\n      - Basic YWRtaW46czNjcjN0\n      User-Agent:\n",
    )
    # a short cookie matches no token shape: only the credential-header rule catches it
    edit(cassette, "      Connection:\n", "      Cookie:\n      - sid=k3y\n      Connection:\n")
    out = review(ws, "kinto")
    assert status(out, "sec.no-secrets-in-cassettes") == "fail"
    where = "tests/sources/kinto/cassettes/TestKintoConnector.yaml"
    cited = [f.citation for f in findings(out, "sec.no-secrets-in-cassettes")]
    assert cited == [
        f"{where}:{line_of(cassette, 'sid=k3y')}",
        f"{where}:{line_of(cassette, 'Basic YWRtaW46')}",
    ]


def test_an_undocumented_option_and_an_unused_documented_parameter_both_fail(ws):
    module = ws / "sources/example/example.py"
    edit(module, 'options.get("page_size", 200)', 'options.get("per_page", 200)')
    out = review(ws)
    line = line_of(module, '"per_page"')
    assert [f.citation for f in findings(out, "cons.options-code-doc")] == [
        f"sources/example/example.py:{line}"
    ]
    doc = ws / "sources/example/example_api_doc.md"
    assert [f.citation for f in findings(out, "cons.params-doc-code")] == [
        f"sources/example/example_api_doc.md:{line_of(doc, '| `page_size` |')}"
    ]


def test_package_metadata_is_na_without_pyproject_and_checked_with_one(ws):
    out = review(ws)
    note = next(c.note for c in out.checks if c.id == "art.pkg-metadata")
    assert status(out, "art.pkg-metadata") == "na" and "not packaged" in note
    pyproject = ws / "sources/example/pyproject.toml"
    write_pyproject(pyproject, source="example", version="0.1.0", detected=["pydantic", "requests"])
    out = review(ws)
    assert (status(out, "art.pkg-metadata"), status(out, "art.pkg-deps")) == ("pass", "pass")
    pyproject.write_text(
        '[project]\nname = "lakeflow-connector-example"\nversion = "0.1.0"\ndependencies = []\n',
        encoding="utf-8",
    )
    out = review(ws)
    (meta,) = findings(out, "art.pkg-metadata")
    assert meta.citation == "sources/example/pyproject.toml:1"
    assert "`description`" in meta.message and "`requires-python`" in meta.message
    # the SDK travels inside the wheel; what it needs (pydantic, requests) must be declared
    assert "skillpack" not in " ".join(f.message for f in findings(out, "art.pkg-deps"))


def test_a_token_in_the_api_doc_and_an_unmarked_spec_secret_fail(ws):
    doc = ws / "sources/kinto/kinto_api_doc.md"
    doc.write_text(
        doc.read_text(encoding="utf-8")
        + f"\nExample header: `Authorization: Bearer {FAKE_TOKEN}`\n",
        encoding="utf-8",
    )
    spec = ws / "sources/kinto/connector_spec.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("secret: true", "secret: false"), encoding="utf-8")
    out = review(ws, "kinto")
    doc_hits = findings(out, "sec.no-secret-literals-docs")
    assert [f.citation for f in doc_hits] == [
        f"sources/kinto/kinto_api_doc.md:{line_of(doc, 'Example header')}"
    ]
    spec_hits = findings(out, "sec.spec-secrets-marked")
    assert [f.citation for f in spec_hits] == [
        f"sources/kinto/connector_spec.yaml:{line_of(spec, 'name: password')}"
    ]
    assert FAKE_TOKEN not in Path(out.report_path).read_text(encoding="utf-8")


def test_a_connector_it_cannot_read_still_gets_a_report_saying_what_was_not_checked(tmp_path):
    folder = tmp_path / "sources" / "odd"
    folder.mkdir(parents=True)
    (folder / "odd.py").write_text("def broken(:\n    pass\n", encoding="utf-8")
    out = review_connector(ReviewConnectorIn(source_dir=str(folder)))
    assert status(out, "impl.module-parses") == "fail"
    assert findings(out, "impl.module-parses")[0].citation == "sources/odd/odd.py:1"
    unchecked = [c for c in out.checks if c.status == "unchecked"]
    assert unchecked and all(c.note for c in unchecked)
    text = Path(out.report_path).read_text(encoding="utf-8")
    assert "## Could not check" in text and "does not parse" in text
    assert out.band_code == "NOT READY"


def test_upstream_checkout_layout_is_reviewed_in_place(tmp_path):
    root = shutil.copytree(UPSTREAM, tmp_path / "checkout")
    out = review_connector(ReviewConnectorIn(source_dir=str(root / UPSTREAM_SOURCES / "memo")))
    assert out.layout == "upstream"
    assert Path(out.report_path) == root / "tests/unit/sources/memo/SELF_REVIEW.md"
    assert status(out, "test.generic-suite") == "pass"
    assert status(out, "test.write-back-order") == "pass"
    assert status(out, "cons.test-imports-connector") == "pass"
    assert status(out, "art.api-doc-present") == "fail"
    assert status(out, "art.doc-base-url") == "unchecked"
    assert "memo_api_doc.md" in next(c.note for c in out.checks if c.id == "art.doc-base-url")
    # Checks of the pack's own doc template do not apply to the checkout's docs.
    assert status(out, "art.doc-fields") == "na"


# --- judgements ---------------------------------------------------------------------------------


def _write_judgements(path: Path, verdicts: dict) -> Path:
    path.write_text(json.dumps(verdicts), encoding="utf-8")
    return path


def test_judgements_beside_the_report_are_folded_into_score_and_band(ws):
    pending = review(ws)
    verdicts = {cid: {"verdict": "pass", "evidence": "checked by hand"} for cid in JUDGEMENT_IDS}
    verdicts["impl.rate-limits"] = {
        "verdict": "fail",
        "evidence": "page_size 1000 exceeds the vendor's limit of 500",
        "path": "sources/example/example.py",
        "line": 103,
    }
    _write_judgements(ws / "tests/sources/example/review_judgements.yaml", verdicts)
    out = review(ws)
    assert out.pending == [] and "pending" not in out.band
    assert status(out, "impl.rate-limits") == "fail"
    (hit,) = findings(out, "impl.rate-limits")
    assert (hit.citation, hit.message) == (
        "sources/example/example.py:103",
        "page_size 1000 exceeds the vendor's limit of 500",
    )
    assert out.score < pending.score
    assert out.counts["pending"] == 0


def test_a_judgements_file_can_be_named_and_its_evidence_is_masked(ws, tmp_path):
    path = _write_judgements(
        tmp_path / "verdicts.json",
        {"test.suite-passes": {"verdict": "pass", "evidence": f"ran with token {FAKE_TOKEN}"}},
    )
    out = review(ws, judgements=str(path))
    assert out.judgements_path == str(path)
    assert status(out, "test.suite-passes") == "pass"
    note = next(c.note for c in out.checks if c.id == "test.suite-passes")
    assert FAKE_TOKEN not in note and "***" in note
    assert len(out.pending) == len(JUDGEMENT_IDS) - 1


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({"impl.made-up": {"verdict": "pass", "evidence": "x"}}, "impl.made-up"),
        ({"impl.http-timeouts": {"verdict": "pass", "evidence": "x"}}, "impl.http-timeouts"),
        ({"test.suite-passes": {"verdict": "maybe", "evidence": "x"}}, "test.suite-passes"),
        ({"test.suite-passes": {"verdict": "pass"}}, "test.suite-passes"),
        ("[not, a, mapping]", "must map check ids"),
        ("key: [unclosed", "not valid YAML or JSON"),
    ],
)
def test_bad_judgements_are_input_errors_naming_the_problem(ws, content, named):
    path = ws / "tests/sources/example/review_judgements.yaml"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    with pytest.raises(InputError) as err:
        review(ws)
    assert named in str(err.value)
    assert not (ws / "tests/sources/example/SELF_REVIEW.md").exists()


def test_a_named_judgements_file_that_does_not_exist_is_an_input_error(ws):
    with pytest.raises(InputError, match="not found"):
        review(ws, judgements=str(ws / "nowhere.yaml"))


# --- front doors --------------------------------------------------------------------------------


def test_cli_prints_score_band_and_top_findings_and_exits_by_band(ws, capsys):
    assert main(["review", "example", "--workspace", str(ws)]) == 1
    assert "provisional" in capsys.readouterr().out
    verdicts = {cid: {"verdict": "pass", "evidence": "checked by hand"} for cid in SINKING_IDS}
    _write_judgements(ws / "tests/sources/example/review_judgements.yaml", verdicts)
    assert main(["review", "example", "--workspace", str(ws)]) == 0
    first = capsys.readouterr().out
    assert first.startswith("example: score ") and "READY" in first
    edit(ws / "sources/example/example.py", '"events": (', '"clicks": (')
    assert main(["review", "example", "--workspace", str(ws)]) == 1
    shown = capsys.readouterr().out
    assert "BLOCKER cons.tables-doc-code  sources/example/example.py:" in shown
    assert len([line for line in shown.splitlines() if line.startswith("  ")]) <= 6
    assert main(["review", "example", "--workspace", str(ws), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["band_code"] == "NOT READY" and data["findings"]


def test_cli_exits_2_for_user_errors(ws, capsys):
    (ws / "tests/sources/example/review_judgements.yaml").write_text("x: 1\n", "utf-8")
    assert main(["review", "example", "--workspace", str(ws)]) == 2
    assert "unknown check id `x`" in capsys.readouterr().err
    assert main(["review", "nosuch", "--workspace", str(ws)]) == 2


def test_registry_serves_the_same_result_as_json(clean):
    data = get_tool("review_connector").call_json({"source": "example", "workspace": str(clean)})
    assert data["band_code"] in ("READY", "ALMOST") and data["blockers_failed"] == 0
    assert len(data["checks"]) == len(load_rubric().checks)
