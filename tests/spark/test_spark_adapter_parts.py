"""The adapter's plain-Python parts: options, read loops, error rewriting, log masking."""

from __future__ import annotations

import logging
import traceback

import pytest

from tests.spark._requirements import require_pyspark

require_pyspark()

from skillpack.errors import AuthError, ConfigError, InputError, SourceError  # noqa: E402
from skillpack.spark._errors import surfaced  # noqa: E402
from skillpack.spark._options import parse_request  # noqa: E402
from skillpack.spark._py4j_log import mask_option_values  # noqa: E402
from skillpack.spark._reads import read_all, read_batch, read_between  # noqa: E402

pytestmark = pytest.mark.spark


class _PagedSource:
    """A source whose connector reads one page of ``size`` rows per call (cursor offsets)."""

    def __init__(self, rows: int, size: int = 2) -> None:
        self.rows = [{"id": i, "seq": i} for i in range(1, rows + 1)]
        self.size = size
        self.calls = 0

    def read(self, offset: dict | None) -> tuple[list[dict], dict]:
        self.calls += 1
        after = (offset or {}).get("cursor", 0)
        page = [r for r in self.rows if r["seq"] > after][: self.size]
        return page, ({"cursor": page[-1]["seq"]} if page else dict(offset or {}))


def test_options_split_into_table_connector_options_and_switches():
    request = parse_request(
        {
            "tablename": "orders",
            "readdeletes": "true",
            "maxreadsperbatch": "5",
            "base_url": "http://127.0.0.1:1/v1",
            "api_key": "k-123456",
            "clientid": "abc",
            "tableoptions": '{"num_rows": 10, "region": "eu"}',
        },
        option_names=["clientId"],
    )

    assert request.table == "orders"
    assert request.read_deletes is True
    assert request.max_reads_per_batch == 5
    assert request.connector_options == {
        "base_url": "http://127.0.0.1:1/v1",
        "api_key": "k-123456",
        "clientId": "abc",
    }
    assert request.table_options == {
        "base_url": "http://127.0.0.1:1/v1",
        "clientId": "abc",
        "num_rows": "10",
        "region": "eu",
    }
    assert request.secrets() == {"k-123456"}
    assert "k-123456" not in repr(request)


def test_declared_secret_option_is_masked_and_kept_out_of_table_options():
    request = parse_request({"tablename": "t", "passcode": "p-98765"}, secret_keys=["passcode"])

    assert request.table_options == {}
    assert request.scrubber().scrub("used p-98765") == "used ***"


@pytest.mark.parametrize(
    ("options", "error", "code"),
    [
        ({"tableoptions": "[1, 2]"}, ConfigError, "bad-table-options"),
        ({"readdeletes": "maybe"}, InputError, "bad-option"),
        ({"maxreadsperbatch": "0"}, InputError, "bad-option"),
    ],
)
def test_malformed_switches_are_refused_with_a_code(options, error, code):
    with pytest.raises(error) as caught:
        parse_request(options)

    assert caught.value.code == code
    assert caught.value.hint


def test_batch_read_follows_the_offset_until_it_settles():
    source = _PagedSource(rows=5)

    records = list(read_all(source.read))

    assert [r["id"] for r in records] == [1, 2, 3, 4, 5]
    assert source.calls == 4  # three pages, then the settling read


def test_micro_batch_stops_after_its_read_budget_and_the_next_carries_on():
    source = _PagedSource(rows=5)

    first, end, settled = read_batch(source.read, {}, max_reads=2)
    rest, final, settled_after = read_batch(source.read, end, max_reads=10)

    assert ([r["id"] for r in first], end, settled) == ([1, 2, 3, 4], {"cursor": 4}, False)
    assert ([r["id"] for r in rest], final, settled_after) == ([5], {"cursor": 5}, True)


def test_replayed_batch_drops_rows_written_after_its_end():
    source = _PagedSource(rows=6, size=10)

    replay = read_between(source.read, {"cursor": 2}, {"cursor": 4}, "seq")

    assert [r["id"] for r in replay] == [3, 4]


def test_records_from_an_offset_that_does_not_move_are_an_error():
    def stuck(offset):
        return [{"id": 1}], {"cursor": 1}

    with pytest.raises(SourceError) as caught:
        read_batch(stuck, {"cursor": 1}, max_reads=3)

    assert caught.value.code == "offset-did-not-advance"
    assert "reread-not-empty" in caught.value.hint


def test_surfaced_error_keeps_type_status_and_hint_and_masks_secrets():
    secret = "k-secret-1"
    scrubber = parse_request({"api_key": secret}).scrubber()

    with pytest.raises(AuthError) as caught, surfaced(scrubber, "demo table `t`"):
        raise AuthError(f"key {secret} refused", hint=f"renew {secret}", status=401)

    assert str(caught.value) == "[auth] demo table `t`: key *** refused\nhint: renew ***"
    assert (caught.value.status, caught.value.hint) == (401, f"renew {secret}")
    # What Spark prints is the formatted traceback: the unmasked original must not be in it.
    printed = "".join(traceback.format_exception(caught.value))
    assert secret not in printed and "key *** refused" in printed


def test_surfaced_leaves_other_errors_alone_unless_they_hold_a_secret():
    scrubber = parse_request({"password": "pw-secret-2"}).scrubber()

    with pytest.raises(KeyError) as plain, surfaced(scrubber, "demo"):
        raise KeyError("missing")
    with pytest.raises(SourceError) as leaking, surfaced(scrubber, "demo"):
        raise ValueError("bad pw-secret-2")

    assert plain.value.args == ("missing",)
    assert str(leaking.value) == "[connector-error] demo: ValueError: bad ***"


def test_py4j_trace_of_a_secret_option_is_masked(caplog):
    mask_option_values(["passcode"])
    caplog.set_level(logging.DEBUG, logger="py4j.clientserver")
    trace = logging.getLogger("py4j.clientserver")

    trace.debug("Command to send: c\no1\noption\nsapi_key\nsk-777777\ne\n")
    trace.debug("Command to send: c\no1\noption\nspasscode\nsp-888888\ne\n")
    trace.debug("Command to send: c\no1\noption\nstableName\nsorders\ne\n")

    assert "k-777777" not in caplog.text and "p-888888" not in caplog.text
    assert caplog.text.count("s***") == 2
    assert "stableName\nsorders" in caplog.text
