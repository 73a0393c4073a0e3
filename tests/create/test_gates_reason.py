"""A failed gate keeps the tool's own reason: verdict, fix and evidence, whatever the tool."""

from __future__ import annotations

from skillpack.create.orchestrator import gate_reason


def test_validate_auth_reason_is_its_verdict_fix_and_detail():
    out = {
        "ok": False,
        "verdict": "bad_credentials",
        "stage": "list_tables",
        "detail": "GET /v1/tables answered 401",
        "fix": "ask the user to run `skillpack auth`",
    }
    assert gate_reason(out) == {
        "verdict": "bad_credentials",
        "stage": "list_tables",
        "detail": "GET /v1/tables answered 401",
        "fix": "ask the user to run `skillpack auth`",
    }


def test_a_suite_reason_is_its_first_failed_test_diagnosis():
    passed = {"name": "test_a", "outcome": "passed", "diagnosis": None}
    failed = {"name": "test_read", "outcome": "failed",
              "diagnosis": {"cause": "cursor-stalled", "fix": "filter strictly after the cursor",
                            "evidence": "offset did not move"}}  # fmt: skip
    reason = gate_reason({"passed": False, "tests": [passed, failed]})
    assert reason == {
        "verdict": "test_read: cursor-stalled",
        "fix": "filter strictly after the cursor",
        "evidence": "offset did not move",
    }


def test_a_suite_that_never_started_gives_pytests_last_lines():
    reason = gate_reason({"passed": False, "tests": [], "output_tail": "a\nb\nSyntaxError: x"})
    assert reason == {"evidence": "a | b | SyntaxError: x"}


def test_a_lint_reason_is_its_first_error_finding():
    findings = [{"severity": "warning", "line": 1, "message": "meh"},
                {"severity": "error", "line": 9, "message": "no primary key"}]  # fmt: skip
    assert gate_reason({"passed": False, "findings": findings}) == {
        "evidence": "line 9: no primary key"
    }
