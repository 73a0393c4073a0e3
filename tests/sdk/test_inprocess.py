"""A source reached through a Python client, driven by RestClient like an HTTP one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from skillpack.errors import SourceError
from skillpack.sdk.http import RestClient
from skillpack.sdk.inprocess import IN_PROCESS_BASE_URL, InProcessSession
from skillpack.sdk.pagination import PageNumberPaginator

_SOURCE = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_inprocess" / "shelf_client.py"
_spec = importlib.util.spec_from_file_location("_shelf_source", _SOURCE)
assert _spec is not None and _spec.loader is not None
shelf_client = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shelf_client)  # the fixture source, beside its doc


@pytest.fixture
def shelf():
    return shelf_client.Shelf("acme", "s3cr3t")


def _client(shelf, **kwargs) -> RestClient:
    waits: list[float] = []
    client = RestClient(
        IN_PROCESS_BASE_URL, session=InProcessSession(shelf), sleep=waits.append, **kwargs
    )
    client.waits = waits  # type: ignore[attr-defined]
    return client


def test_answers_come_back_as_json_with_the_query_sent_as_text(shelf):
    body = _client(shelf).get_json("/collections/visits/items", params={"limit": 2, "page": 2})
    assert [r["visit_id"] for r in body["items"]] == ["v2", "v3"]
    assert shelf.calls == [("/collections/visits/items", {"limit": "2", "page": "2"})]


def test_busy_answers_are_retried_with_backoff(shelf):
    shelf.busy = 2
    client = _client(shelf)
    body = client.get_json("/collections")
    assert body == {"collections": ["books", "loans", "visits"]}
    assert len(shelf.calls) == 3 and len(client.waits) == 2


def test_an_error_answer_names_the_request_and_quotes_the_body(shelf):
    with pytest.raises(SourceError) as info:
        _client(shelf).get_json("/collections/books/items", params={"after": "x"})
    text = str(info.value)
    assert info.value.status == 400
    assert "GET http://in-process.invalid/collections/books/items?after=x answered 400" in text
    assert "books takes no ['after']" in text


def test_a_method_the_client_lacks_is_a_clear_error(shelf):
    with pytest.raises(SourceError, match="has no `post` method") as info:
        _client(shelf).post("/collections", json={"name": "x"})
    assert info.value.code == "bad-method"


def test_an_answer_without_a_status_is_refused():
    class Odd:
        def get(self, path, params=None):
            return {"status": 200}

    with pytest.raises(SourceError, match="no whole-number `status_code`"):
        _client(Odd()).get_json("/x")


def test_the_next_page_field_decides_even_after_a_short_page(shelf):
    # pages of 4 although 100 were asked for: only `next_page` tells that more follow
    pages = list(
        _client(shelf).paginate(
            "/collections/visits/items",
            paginator=PageNumberPaginator("page", 1, "limit", 100, next_page_path="next_page"),
            records_path="items",
        )
    )
    assert [len(p) for p in pages] == [4, 3]
    without = list(
        _client(shelf).paginate(
            "/collections/visits/items",
            paginator=PageNumberPaginator("page", 1, "limit", 100),
            records_path="items",
        )
    )
    assert [len(p) for p in without] == [4]  # what the short-page rule alone concludes


class _Pages:
    """Answers page N with one record and ``more`` for the next-page field."""

    def __init__(self, more):
        self.more = more

    def get(self, path, params=None):
        page = int((params or {}).get("page", 1))
        said = self.more(page)

        class A:
            status_code = 200

            @staticmethod
            def json():
                return {"rows": [{"n": page}], "next": said}

        return A()


@pytest.mark.parametrize(
    ("more", "pages"),
    [
        (lambda p: p + 1 if p < 3 else None, [1, 2, 3]),
        (lambda p: p < 2, [1, 2]),
        (lambda p: 5 if p == 1 else None, [1, 5]),
    ],
)
def test_the_next_page_field_may_be_a_number_a_flag_or_null(more, pages):
    walked = _client(_Pages(more)).iter_records(
        "/r", paginator=PageNumberPaginator(next_page_path="next"), records_path="rows"
    )
    assert [r["n"] for r in walked] == pages


@pytest.mark.parametrize(
    ("said", "code"), [(lambda p: 1, "pagination-loop"), (lambda p: "x", "bad-payload")]
)
def test_a_next_page_field_going_nowhere_stops_the_walk(said, code):
    with pytest.raises(SourceError) as info:
        list(
            _client(_Pages(said)).iter_records(
                "/r", paginator=PageNumberPaginator(next_page_path="next"), records_path="rows"
            )
        )
    assert info.value.code == code
