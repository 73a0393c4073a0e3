"""The simulator plays a server that ignores paging parameters; every walk still ends."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from skillpack.errors import SourceError
from skillpack.sdk.http import RestClient
from skillpack.sdk.pagination import DEFAULT_PAGE_CAP, CursorPaginator, PageNumberPaginator
from skillpack.testing._spec_model import load_spec
from skillpack.testing._spec_simulator import serve_spec


def _spec(tmp_path: Path, pagination: str) -> Path:
    path = tmp_path / "simulator_spec.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            base_url_option: base_url
            tables:
              events:
                endpoint: /events
                records_path: data
                pagination: {pagination}
                records: [{{id: 1}}, {{id: 2}}, {{id: 3}}, {{id: 4}}, {{id: 5}}]
            """
        )
    )
    return path


def test_page_walk_against_a_server_ignoring_page_ends_in_pagination_loop(tmp_path):
    spec = load_spec(_spec(tmp_path, "{type: page, page_size: 2, ignores_params: true}"))
    with serve_spec(spec, {}) as sim:
        sim.prepare(lambda: None)
        with RestClient(sim.url) as client, pytest.raises(SourceError) as err:
            list(client.paginate("/events", paginator=PageNumberPaginator()))
    assert err.value.code == "pagination-loop"
    assert sim.requests == 2 <= DEFAULT_PAGE_CAP


def test_the_same_walk_ends_normally_when_the_server_honours_page(tmp_path):
    spec = load_spec(_spec(tmp_path, "{type: page, page_size: 2}"))
    with serve_spec(spec, {}) as sim:
        sim.prepare(lambda: None)
        with RestClient(sim.url) as client:
            pages = list(client.paginate("/events", paginator=PageNumberPaginator()))
    assert [r["id"] for p in pages for r in p] == [1, 2, 3, 4, 5]
    assert sim.requests == 4  # three pages and the empty one after them


def test_cursor_walk_against_a_server_ignoring_the_cursor_ends_in_pagination_loop(tmp_path):
    spec = load_spec(_spec(tmp_path, "{type: cursor, page_size: 2, ignores_params: true}"))
    with serve_spec(spec, {}) as sim:
        sim.prepare(lambda: None)
        with RestClient(sim.url) as client, pytest.raises(SourceError) as err:
            list(client.paginate("/events", paginator=CursorPaginator()))
    assert err.value.code == "pagination-loop"
    assert sim.requests == 2
