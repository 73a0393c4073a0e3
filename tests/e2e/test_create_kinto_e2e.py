"""`skillpack create` from the Kinto API doc, against a real Kinto server."""

from __future__ import annotations

import json

import pytest

from skillpack.create.orchestrator import context_for, run_create
from skillpack.errors import GateFailed
from skillpack.layout import bundled_workspace, source_paths
from skillpack.review._rubric import load_rubric
from skillpack.testing.kinto_server import run_kinto

pytestmark = pytest.mark.e2e


def test_create_from_the_kinto_doc_passes_every_gate_against_real_kinto(tmp_path):
    doc = source_paths("kinto", bundled_workspace()).api_doc
    with run_kinto() as server:
        ctx = context_for(
            "kinto",
            doc=str(doc),
            workspace=str(tmp_path / "ws"),
            config_values=server.config(),
        )
        # Until the judgements that can sink a connector are answered, the review is
        # provisional and create stops there, saying so; answer them and resume.
        with pytest.raises(GateFailed) as stopped:
            run_create(ctx)
        assert "step `review` failed its gate" in str(stopped.value)
        assert "provisional" in str(stopped.value)
        verdicts = {
            c.id: {"verdict": "pass", "evidence": "create e2e: suites passed against Kinto"}
            for c in load_rubric().checks
            if c.decided == "judgement"
        }
        ctx.paths.review_judgements.write_text(json.dumps(verdicts), encoding="utf-8")
        state = run_create(ctx, resume=True)
    statuses = {s.name: s.status for s in state.steps}
    assert set(statuses.values()) == {"passed"}, statuses
    live = state.step("test_live").message
    assert "15 passed" in live, live  # the generic suite and all five write-back tests
    assert state.step("review").message.split("band ")[1].startswith(("READY", "ALMOST"))
