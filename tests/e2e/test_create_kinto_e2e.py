"""`skillpack create` from the Kinto API doc, against a real Kinto server."""

from __future__ import annotations

import pytest

from skillpack.create.orchestrator import context_for, run_create
from skillpack.layout import bundled_workspace, source_paths
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
        state = run_create(ctx)
    statuses = {s.name: s.status for s in state.steps}
    assert set(statuses.values()) == {"passed"}, statuses
    live = state.step("test_live").message
    assert "15 passed" in live, live  # the generic suite and all five write-back tests
    assert state.step("review").message.split("band ")[1].startswith(("READY", "ALMOST"))
