"""Paging that always ends: requests made against a simulator playing a server that ignores
the paging parameter, for each paginator that sends one, before ``pagination-loop`` ends the
walk. Without content fingerprints a page-number walk never ended (page numbers never
repeat); the figure to watch is requests made, against the default page cap."""

from __future__ import annotations

import tempfile
from pathlib import Path

from skillpack.errors import SourceError
from skillpack.sdk.http import RestClient
from skillpack.sdk.pagination import (
    DEFAULT_PAGE_CAP,
    CursorPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    Paginator,
)
from skillpack.testing._spec_model import load_spec
from skillpack.testing._spec_simulator import serve_spec

_SPEC = """\
base_url_option: base_url
tables:
  items:
    endpoint: /items
    pagination: {{type: {kind}, page_size: 10, ignores_params: true}}
    records: [{records}]
"""


def _requests(kind: str, paginator: Paginator) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "simulator_spec.yaml"
        records = ", ".join(f"{{id: {i}}}" for i in range(100))
        path.write_text(_SPEC.format(kind=kind, records=records))
        with serve_spec(load_spec(path), {}) as sim:
            sim.prepare(lambda: None)
            try:
                with RestClient(sim.url) as client:
                    for _ in client.paginate("/items", paginator=paginator):
                        pass
                ending = "ended without an error"
            except SourceError as exc:
                ending = f"ended with {exc.code}"
            return sim.requests, ending


def run() -> list[str]:
    lines = []
    for kind, paginator in (
        ("page", PageNumberPaginator()),
        ("offset", OffsetPaginator(limit=10)),
        ("cursor", CursorPaginator()),
    ):
        count, ending = _requests(kind, paginator)
        lines.append(
            f"server ignoring {kind} paging: {count} requests, {ending} "
            f"(default page cap {DEFAULT_PAGE_CAP})"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
