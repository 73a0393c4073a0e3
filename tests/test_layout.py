import pytest

from skillpack.errors import InputError
from skillpack.layout import (
    bundled_workspace,
    from_source_dir,
    list_sources,
    source_paths,
    validate_source_name,
    workspace_for_test_file,
)


@pytest.mark.parametrize("name", ["Hub", "1abc", "my-api", "", "a b", "../x", None])
def test_bad_source_names_are_refused_with_a_hint(name):
    with pytest.raises(InputError) as info:
        validate_source_name(name)
    assert info.value.hint and info.value.code == "bad-source-name"


def test_our_layout_paths(tmp_path):
    paths = source_paths("shop", tmp_path)
    assert paths.layout == "skillpack"
    assert paths.connector_module == tmp_path / "sources/shop/shop.py"
    assert paths.test_file == tmp_path / "tests/sources/shop/test_shop.py"
    assert paths.dev_config == tmp_path / "sources/shop/configs/dev_config.json"
    assert paths.connector_import == "sources.shop.shop"


def test_upstream_layout_is_detected(tmp_path):
    (tmp_path / "src/databricks/labs/community_connector/sources/shop").mkdir(parents=True)
    paths = source_paths("shop", tmp_path)
    assert paths.layout == "upstream"
    assert paths.test_file == tmp_path / "tests/unit/sources/shop/test_shop_lakeflow_connect.py"
    assert paths.dev_config == tmp_path / "tests/unit/sources/shop/configs/dev_config.json"
    assert from_source_dir(paths.source_dir) == paths


def test_source_dir_of_our_layout_finds_the_root(tmp_path):
    (tmp_path / "sources/shop").mkdir(parents=True)
    assert from_source_dir(tmp_path / "sources/shop").root == tmp_path


def test_missing_source_dir_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        from_source_dir(tmp_path / "nope")


def test_bundled_workspace_lists_its_sources():
    assert "example" in list_sources(bundled_workspace())


def test_test_file_maps_back_to_its_workspace():
    paths = source_paths("example", bundled_workspace())
    assert workspace_for_test_file(paths.test_file) == paths
