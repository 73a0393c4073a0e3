import pytest

from skillpack.testing._reads import SuiteFailure
from skillpack.testing.write_back import LakeflowConnectWriteBackTests, find_rows, resolve_path

RECORDS = [
    {"id": "a", "address": {"city": "Porto"}, "amount": 12.5},
    {"id": "b", "address": {"city": "Braga"}, "amount": 3},
]


def test_dot_paths_reach_into_nested_records():
    assert resolve_path(RECORDS[0], "address.city") == "Porto"


def test_found_rows_are_not_reported():
    rows = [{"id": "b", "city": "Braga"}]
    assert find_rows(rows, {"id": "id", "city": "address.city"}, RECORDS, "t") == []


def test_numbers_match_their_text_form():
    rows = [{"id": "b", "amount": "3"}]
    assert find_rows(rows, {"id": "id", "amount": "amount"}, RECORDS, "t") == []


def test_rows_with_other_values_are_missing():
    rows = [{"id": "c", "city": "Faro"}]
    assert find_rows(rows, {"id": "id", "city": "address.city"}, RECORDS, "t") == rows


def test_a_path_no_record_has_fails_naming_it():
    with pytest.raises(SuiteFailure) as info:
        find_rows([{"city": "Porto"}], {"city": "city"}, RECORDS, "table `customers`")
    assert info.value.code == "mapping-path-missing"
    assert str(info.value).startswith("[mapping-path-missing] table `customers`")
    assert "`city`" in str(info.value)


def test_empty_mapping_fails():
    with pytest.raises(SuiteFailure, match=r"^\[mapping-empty\]"):
        find_rows([{"id": "a"}], {}, RECORDS, "t")


def test_a_row_sharing_one_value_with_a_record_is_still_missing():
    # `id` b matches the second record, but no record has both `b` and `Faro`
    rows = [{"id": "b", "city": "Faro"}]
    assert find_rows(rows, {"id": "id", "city": "address.city"}, RECORDS, "t") == rows


class _Utils:
    def list_insertable_tables(self):
        return ["orders", "refunds"]


class _Suite(LakeflowConnectWriteBackTests):
    """The write-back checks over a connector listing `orders` and `refunds`, with the
    suite's own table list (``_tables``) leaving out what ``unchecked_tables`` names."""

    unchecked_tables: dict = {}

    def _utils(self):
        return _Utils()

    def _tables(self):
        return [t for t in ("orders", "refunds") if t not in self.unchecked_tables]


def test_an_insertable_table_left_unchecked_is_still_a_listed_one():
    suite = _Suite()
    suite.unchecked_tables = {"refunds": "not served by the curated spec"}
    suite.test_list_insertable_tables()  # listed, only not checked: no failure


def test_an_insertable_table_the_connector_does_not_list_fails():
    class Unlisted(_Suite):
        def _tables(self):
            return ["orders"]

    with pytest.raises(BaseException, match="insertable tables \\['refunds'\\] not in"):
        Unlisted().test_list_insertable_tables()
