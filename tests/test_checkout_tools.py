"""Tools on a Lakeflow Community Connectors checkout: its spec format, layout and artifacts.

The fixture (tests/fixtures/upstream_checkout) follows the checkout's conventions: the doc is
``ledger_source_api_doc.md``, the spec has auth methods and no ``secret`` flags, the simulator
spec is ``source_simulator/specs/ledger/endpoints.yaml`` + ``corpus/``, and a merged build
``_generated_ledger_python_source.py`` sits beside the connector.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from skillpack.apidoc.spec import (
    GenerateConnectorSpecIn,
    generate_connector_spec,
)
from skillpack.auth.credentials import WriteCredentialsIn, write_credentials
from skillpack.review.review import ReviewConnectorIn, review_connector

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "upstream_checkout"
SOURCE = Path("src/databricks/labs/community_connector/sources/ledger")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "checkout"))


def _checks(out) -> dict[str, str]:
    return {c.id: c.status for c in out.checks}


def test_review_of_a_checkout_connector_has_no_false_blocker(checkout):
    out = review_connector(ReviewConnectorIn(source="ledger", workspace=str(checkout)))
    assert out.layout == "upstream"
    assert out.blockers_failed == 0, [f.message for f in out.findings]
    checks = _checks(out)
    assert checks["art.api-doc-present"] == "pass"  # found under ledger_source_api_doc.md
    assert checks["art.spec-valid"] == "pass"  # the checkout's spec format
    assert checks["sec.spec-secrets-marked"] == "na"  # that spec marks no secrets either way
    assert checks["test.offline-run"] == "pass"  # simulator_source + endpoints.yaml
    assert checks["impl.no-swallowed-errors"] == "pass"  # only the build artifact swallows


def test_review_never_cites_the_generated_single_file_build(checkout):
    out = review_connector(ReviewConnectorIn(source="ledger", workspace=str(checkout)))
    assert not [f for f in out.findings if "_generated_" in (f.citation or "")]


def test_review_still_flags_a_swallowed_error_in_the_connector_itself(checkout):
    module = checkout / SOURCE / "ledger.py"
    module.write_text(
        module.read_text() + "\n\ndef _quiet():\n    try:\n        pass\n    except Exception:\n"
        "        pass\n"
    )
    out = review_connector(ReviewConnectorIn(source="ledger", workspace=str(checkout)))
    assert _checks(out)["impl.no-swallowed-errors"] == "fail"


def test_a_spec_that_marks_some_secrets_must_mark_them_all(checkout):
    spec = checkout / SOURCE / "connector_spec.yaml"
    data = yaml.safe_load(spec.read_text())
    data["connection"]["parameters"][0]["secret"] = False
    spec.write_text(yaml.safe_dump(data))
    out = review_connector(ReviewConnectorIn(source="ledger", workspace=str(checkout)))
    assert _checks(out)["sec.spec-secrets-marked"] == "fail"


def test_generated_spec_takes_the_checkout_format(checkout):
    out = generate_connector_spec(GenerateConnectorSpecIn(source="ledger", workspace=str(checkout)))
    data = yaml.safe_load(Path(out.spec_path).read_text())
    assert Path(out.spec_path) == checkout / SOURCE / "connector_spec.yaml"
    assert "source_name" not in data and "table_options" not in data
    params = {p["name"]: p for p in data["connection"]["parameters"]}
    assert params["api_token"]["secret"] is True


def test_credentials_read_auth_methods_and_infer_secrets_from_names(checkout):
    out = write_credentials(
        WriteCredentialsIn(
            source="ledger", workspace=str(checkout), values={"api_token": "tok-123"}
        )
    )
    assert out.secret_fields_set == ["api_token"]
    written = json.loads(Path(out.path).read_text())
    assert written == {"api_token": "tok-123"}


def test_a_parameter_every_auth_method_needs_is_required(checkout):
    out = write_credentials(
        WriteCredentialsIn(
            source="ledger", workspace=str(checkout), values={"base_url": "https://x.invalid"}
        )
    )
    assert out.missing_required == ["api_token"] and not out.complete
