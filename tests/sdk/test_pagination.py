from __future__ import annotations

import pytest

from skillpack.errors import ConfigError, SourceError
from skillpack.sdk.http import RestClient
from skillpack.sdk.pagination import (
    DEFAULT_PAGE_CAP,
    BodyNextUrlPaginator,
    CursorPaginator,
    FollowNextPaginator,
    HeaderNextUrlPaginator,
    LinkHeaderPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    RequestSpec,
    SinglePage,
)
from skillpack.sdk.records import ONE_RECORD
from tests.sdk._servers import Reply, servers

ITEMS = [{"id": i} for i in range(1, 26)]  # 25 records


@pytest.fixture
def serve():
    with servers() as start:
        yield start


def _ids(pages):
    return [r["id"] for page in pages for r in page]


def _cursor_api(seen):
    start = int(seen.query.get("cursor", 0))
    page = ITEMS[start : start + 10]
    nxt = start + 10 if start + 10 < len(ITEMS) else None
    return Reply(200, {"data": page, "meta": {"next": None if nxt is None else str(nxt)}})


def test_cursor_paginator_follows_body_cursor(serve):
    api = serve(_cursor_api)
    with RestClient(api.url) as client:
        pager = CursorPaginator("meta.next", "cursor")
        pages = list(client.paginate("/items", paginator=pager, params={"filter": "x"}))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert _ids(pages) == list(range(1, 26))
    assert [s.query for s in api.seen] == [
        {"filter": "x"},
        {"filter": "x", "cursor": "10"},
        {"filter": "x", "cursor": "20"},
    ]
    assert pager.cursor == "20"


def test_cursor_paginator_stops_when_has_more_is_false(serve):
    def api_handler(seen):
        return Reply(200, {"data": [{"id": 1}], "next_cursor": "again", "has_more": False})

    api = serve(api_handler)
    with RestClient(api.url) as client:
        pager = CursorPaginator(has_more_path="has_more")
        assert _ids(client.paginate("/items", paginator=pager)) == [1]
    assert len(api.seen) == 1


def test_cursor_paginator_can_send_the_cursor_in_a_json_body(serve):
    def search(seen):
        body = seen.json()
        start = int(body.get("start_cursor") or 0)
        page = ITEMS[start : start + 20]
        return Reply(200, {"results": page, "next_cursor": "20" if start == 0 else None})

    api = serve(search)
    with RestClient(api.url) as client:
        pager = CursorPaginator("next_cursor", "start_cursor", cursor_location="json")
        records = list(
            client.iter_records(
                "/search", paginator=pager, method="POST", json={"q": "a"}, records_path="results"
            )
        )
    assert [r["id"] for r in records] == list(range(1, 26))
    assert [s.json() for s in api.seen] == [{"q": "a"}, {"q": "a", "start_cursor": "20"}]


def test_cursor_location_must_be_known():
    with pytest.raises(ConfigError):
        CursorPaginator(cursor_location="header")


def _page_api(seen, *, size=10, with_total=False):
    page = int(seen.query["page"])
    size = int(seen.query.get("per_page", size))
    chunk = ITEMS[(page - 1) * size : page * size]
    body = {"items": chunk}
    if with_total:
        body["total_pages"] = -(-len(ITEMS) // size)
    return Reply(200, body)


def test_page_number_paginator_stops_on_empty_page(serve):
    api = serve(_page_api)
    with RestClient(api.url) as client:
        pager = PageNumberPaginator()
        pages = list(client.paginate("/items", paginator=pager, records_path="items"))
    assert _ids(pages) == list(range(1, 26))
    assert [s.query["page"] for s in api.seen] == ["1", "2", "3", "4"]
    assert pages[-1] == []


def test_page_number_paginator_stops_at_total_pages_and_sends_page_size(serve):
    api = serve(lambda seen: _page_api(seen, with_total=True))
    with RestClient(api.url) as client:
        pager = PageNumberPaginator(
            page_size_param="per_page", page_size=5, total_pages_path="total_pages"
        )
        assert _ids(client.paginate("/items", paginator=pager, records_path="items")) == list(
            range(1, 26)
        )
    assert [s.query for s in api.seen][-1] == {"page": "5", "per_page": "5"}
    assert len(api.seen) == 5  # no request past the last page


def _offset_api(seen, *, total=False, names=("offset", "limit")):
    offset, limit = (int(seen.query[n]) for n in names)
    body = {"data": ITEMS[offset : offset + limit]}
    if total:
        body["total"] = len(ITEMS)
    return Reply(200, body)


def test_offset_paginator_stops_on_short_page(serve):
    api = serve(_offset_api)
    with RestClient(api.url) as client:
        pager = OffsetPaginator(limit=10)
        assert _ids(client.paginate("/items", paginator=pager)) == list(range(1, 26))
    assert [(s.query["offset"], s.query["limit"]) for s in api.seen] == [
        ("0", "10"),
        ("10", "10"),
        ("20", "10"),
    ]


def test_offset_paginator_stops_at_total_without_an_extra_request(serve):
    api = serve(lambda seen: _offset_api(seen, total=True, names=("skip", "take")))
    with RestClient(api.url) as client:
        pager = OffsetPaginator("skip", "take", limit=5, total_path="total")
        assert _ids(client.paginate("/items", paginator=pager)) == list(range(1, 26))
    # 25 records in pages of 5: a short-page rule alone would need a sixth request
    assert [s.query["skip"] for s in api.seen] == ["0", "5", "10", "15", "20"]


def test_offset_paginator_advances_by_records_returned_when_the_server_caps_limit(serve):
    def capped(seen):
        offset = int(seen.query["offset"])
        return Reply(200, {"data": ITEMS[offset : offset + 4], "total": len(ITEMS)})

    api = serve(capped)
    with RestClient(api.url) as client:
        pager = OffsetPaginator(limit=10, total_path="total")
        assert _ids(client.paginate("/items", paginator=pager)) == list(range(1, 26))
    assert [s.query["offset"] for s in api.seen] == ["0", "4", "8", "12", "16", "20", "24"]


def _link_api(base):
    def handler(seen):
        page = int(seen.query.get("page", 1))
        chunk = ITEMS[(page - 1) * 10 : page * 10]
        headers = {}
        if page == 1:
            # relative link, rel with several values
            headers["Link"] = '</items?page=2>; rel="next last"'
        elif page == 2:
            headers["Link"] = (
                f'<{base()}/items?page=1>; rel="prev", <{base()}/items?page=3>; rel=next'
            )
        return Reply(200, chunk, headers)

    return handler


def test_link_header_paginator_follows_rel_next(serve):
    holder = {}
    api = serve(_link_api(lambda: holder["url"]))
    holder["url"] = api.url
    with RestClient(api.url) as client:
        pager = LinkHeaderPaginator()
        pages = list(
            client.paginate("/items", paginator=pager, params={"page": 1}, records_path=None)
        )
    assert _ids(pages) == list(range(1, 26))
    # next links carry their own query: the first page's params are not added again
    assert [s.target for s in api.seen] == ["/items?page=1", "/items?page=2", "/items?page=3"]


def test_header_next_url_paginator_follows_kinto_next_page(serve):
    holder = {}

    def kinto(seen):
        token = int(seen.query.get("_token", 0))
        chunk = ITEMS[token : token + 10]
        headers = {}
        if token + 10 < len(ITEMS):
            headers["Next-Page"] = f"{holder['url']}/records?_limit=10&_token={token + 10}"
        return Reply(200, {"data": chunk}, headers)

    api = serve(kinto)
    holder["url"] = api.url
    with RestClient(api.url) as client:
        pager = HeaderNextUrlPaginator()
        records = list(client.iter_records("/records", paginator=pager, params={"_limit": 10}))
    assert [r["id"] for r in records] == list(range(1, 26))
    assert [s.target for s in api.seen] == [
        "/records?_limit=10",
        "/records?_limit=10&_token=10",
        "/records?_limit=10&_token=20",
    ]


def test_body_next_url_paginator_follows_nested_link(serve):
    def handler(seen):
        page = int(seen.query.get("p", 1))
        nxt = f"/items?p={page + 1}" if page < 3 else ""
        return Reply(200, {"results": ITEMS[(page - 1) * 10 : page * 10], "links": {"next": nxt}})

    api = serve(handler)
    with RestClient(api.url) as client:
        pager = BodyNextUrlPaginator("links.next")
        pages = list(client.paginate("/items", paginator=pager, records_path="results"))
    assert _ids(pages) == list(range(1, 26))
    assert len(api.seen) == 3


def _pointing(body_of):
    """A 25-record API whose pages of 10 point at the next one as ``body_of(page, nxt)`` says."""

    def handler(seen):
        page = int(seen.query.get("page") or seen.query.get("pageToken") or 1)
        nxt = page + 1 if page < 3 else None
        return Reply(200, body_of(ITEMS[(page - 1) * 10 : page * 10], nxt))

    return handler


@pytest.mark.parametrize(
    ("body_of", "sent"),
    [
        # a next-page URL, absolute path or query, in a conventional field
        (lambda recs, n: {"data": recs, "@odata.nextLink": n and f"/items?page={n}"}, "page"),
        (lambda recs, n: {"data": recs, "links": {"next": n and f"?page={n}"}}, "page"),
        # a token, sent back as the field's convention says
        (lambda recs, n: {"data": recs, "nextPageToken": n and str(n)}, "pageToken"),
        (lambda recs, n: {"data": recs, "next_page": n}, "page"),
    ],
)
def test_follow_next_paginator_follows_what_the_response_points_at(serve, body_of, sent):
    api = serve(_pointing(body_of))
    with RestClient(api.url) as client:
        records = list(client.iter_records("/items", paginator=FollowNextPaginator()))
    assert [r["id"] for r in records] == list(range(1, 26))
    assert len(api.seen) == 3 and sent in api.seen[-1].query


def test_follow_next_paginator_sends_a_token_as_the_named_parameter(serve):
    def handler(seen):
        at = int(seen.query.get("cursor_in", 0))
        nxt = at + 10 if at + 10 < 25 else None
        return Reply(200, {"data": ITEMS[at : at + 10], "meta": {"next_cursor": nxt}})

    api = serve(handler)
    with RestClient(api.url) as client:
        pager = FollowNextPaginator("cursor_in")
        assert len(list(client.iter_records("/items", paginator=pager))) == 25
    assert [s.query.get("cursor_in") for s in api.seen] == [None, "10", "20"]
    assert pager.followed == "meta.next_cursor"


def test_follow_next_paginator_reads_one_page_when_nothing_points_on(serve):
    api = serve(lambda seen: Reply(200, {"data": ITEMS, "has_more": False, "next": "x"}))
    with RestClient(api.url) as client:
        assert len(list(client.iter_records("/items", paginator=FollowNextPaginator()))) == 25
        assert len(list(client.iter_records("/bare", paginator=FollowNextPaginator()))) == 25
    assert len(api.seen) == 2


def test_single_page_makes_one_request(serve):
    api = serve(lambda seen: Reply(200, {"data": ITEMS, "next_cursor": "x"}))
    with RestClient(api.url) as client:
        assert len(list(client.iter_records("/all", paginator=SinglePage()))) == 25
    assert len(api.seen) == 1


def test_repeated_cursor_is_a_pagination_loop(serve):
    api = serve(lambda seen: Reply(200, {"data": [{"id": 1}], "next_cursor": "same"}))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        list(client.paginate("/items", paginator=CursorPaginator()))
    assert info.value.code == "pagination-loop"
    assert "CursorPaginator" in info.value.hint
    assert len(api.seen) == 2


def test_next_links_cycling_back_are_a_pagination_loop(serve):
    def handler(seen):
        nxt = "/b" if seen.path == "/a" else "/a"
        # each page differs from the one before, so only the repeated request shows the loop
        return Reply(200, {"data": [{"id": seen.path}], "next": nxt})

    api = serve(handler)
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        list(client.paginate("/a", paginator=BodyNextUrlPaginator()))
    assert info.value.code == "pagination-loop"
    assert [s.path for s in api.seen] == ["/a", "/b", "/a"]


def test_max_pages_stops_the_walk(serve):
    api = serve(_cursor_api)
    with RestClient(api.url) as client:
        pager = CursorPaginator("meta.next", max_pages=2)
        assert _ids(client.paginate("/items", paginator=pager)) == list(range(1, 21))
    assert len(api.seen) == 2


def test_max_pages_must_be_positive():
    with pytest.raises(ConfigError):
        PageNumberPaginator(max_pages=0)


def test_a_paginator_can_be_reused_for_a_second_walk(serve):
    api = serve(_page_api)
    pager = PageNumberPaginator()
    with RestClient(api.url) as client:
        first = _ids(client.paginate("/items", paginator=pager, records_path="items"))
        second = _ids(client.paginate("/items", paginator=pager, records_path="items"))
    assert first == second == list(range(1, 26))


def test_missing_records_path_is_reported_with_the_keys_found(serve):
    api = serve(lambda seen: Reply(200, {"results": [], "paging": {}}))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        list(client.paginate("/items", paginator=SinglePage(), records_path="data"))
    assert info.value.code == "bad-payload"
    assert "`results`" in str(info.value) and "`paging`" in str(info.value)
    assert "records_path" in info.value.hint


def test_records_that_are_not_a_list_are_reported(serve):
    api = serve(lambda seen: Reply(200, {"data": {"id": 1}}))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        list(client.paginate("/items", paginator=SinglePage()))
    assert "not a list" in str(info.value)


def test_a_body_that_is_one_record_is_a_page_of_one(serve):
    api = serve(lambda seen: Reply(200, {"id": "me", "scopes": ["read"]}))
    with RestClient(api.url) as client:
        pages = list(client.paginate("/me", paginator=SinglePage(), records_path=ONE_RECORD))
    assert pages == [[{"id": "me", "scopes": ["read"]}]]
    # a list where one object was is a changed answer, said so, not read as nothing
    api = serve(lambda seen: Reply(200, [{"id": "me"}]))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        list(client.paginate("/me", paginator=SinglePage(), records_path=ONE_RECORD))
    assert info.value.code == "bad-payload"


def test_null_records_are_an_empty_page(serve):
    api = serve(lambda seen: Reply(200, {"data": None}))
    with RestClient(api.url) as client:
        assert list(client.paginate("/items", paginator=SinglePage())) == [[]]


def test_request_spec_merges_params_and_json_without_mutating():
    spec = RequestSpec("/x", {"a": 1}, {"q": 1})
    assert spec.with_params(b=2).params == {"a": 1, "b": 2}
    assert spec.with_json(c=3).json == {"q": 1, "c": 3}
    assert spec.params == {"a": 1} and spec.json == {"q": 1}
    assert spec.fingerprint() == RequestSpec("/x", {"a": 1}, {"q": 1}).fingerprint()
    assert spec.fingerprint() != spec.with_params(a=2).fingerprint()


# -- walks that always end ------------------------------------------------------------------


def test_a_server_ignoring_page_ends_in_pagination_loop_after_two_requests(serve):
    # The server answers page 1 whatever `page` says: page numbers never repeat, so only
    # the content shows the walk is going nowhere.
    api = serve(lambda seen: Reply(200, {"items": ITEMS[:10]}))
    with RestClient(api.url) as client:
        pager = PageNumberPaginator()
        pages = []
        with pytest.raises(SourceError) as err:
            for page in client.paginate("/items", paginator=pager, records_path="items"):
                pages.append(page)
    assert err.value.code == "pagination-loop"
    assert "same 10 records" in str(err.value)
    assert len(api.seen) == 2 <= DEFAULT_PAGE_CAP
    assert len(pages) == 1  # the repeated page is never handed out


def test_page_number_paging_without_a_total_stops_at_the_page_cap(serve):
    # Every answer differs (a fresh id each time), so only the cap can end the walk.
    def endless(seen):
        return Reply(200, {"items": [{"id": len(api.seen)}]})

    api = serve(endless)
    with RestClient(api.url) as client:
        pager = PageNumberPaginator(page_cap=20)
        with pytest.raises(SourceError) as err:
            list(client.paginate("/items", paginator=pager, records_path="items"))
    assert err.value.code == "pagination-loop"
    assert "20 pages read" in str(err.value)
    assert len(api.seen) == 20


def test_page_number_paging_has_a_default_cap():
    assert PageNumberPaginator().page_cap == DEFAULT_PAGE_CAP
    assert PageNumberPaginator(page_cap=None).page_cap is None
    with pytest.raises(ConfigError):
        PageNumberPaginator(page_cap=0)


def test_page_number_paging_stops_on_a_short_page_when_it_sends_the_size(serve):
    api = serve(lambda seen: _page_api(seen))
    with RestClient(api.url) as client:
        pager = PageNumberPaginator(page_size_param="per_page", page_size=10)
        pages = list(client.paginate("/items", paginator=pager, records_path="items"))
    assert _ids(pages) == list(range(1, 26))
    assert len(api.seen) == 3  # 10, 10, 5: the short third page ends it


def test_a_cursor_walk_stops_on_an_empty_page_even_with_a_cursor(serve):
    api = serve(lambda seen: Reply(200, {"data": [], "next_cursor": f"c{len(api.seen)}"}))
    with RestClient(api.url) as client:
        assert list(client.paginate("/items", paginator=CursorPaginator())) == [[]]
    assert len(api.seen) == 1


def test_an_offset_walk_against_a_server_ignoring_offset_ends_in_pagination_loop(serve):
    api = serve(lambda seen: Reply(200, {"data": ITEMS[:10]}))
    with RestClient(api.url) as client, pytest.raises(SourceError) as err:
        list(client.paginate("/items", paginator=OffsetPaginator(limit=10)))
    assert err.value.code == "pagination-loop"
    assert len(api.seen) == 2
