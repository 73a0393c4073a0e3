"""Without pyspark or Java the Spark tests skip with the fix; under CI=true they fail."""

from __future__ import annotations

import pytest

from tests.spark._requirements import require_java, require_pyspark

pytestmark = pytest.mark.spark


def _without_pyarrow(name: str) -> object | None:
    return None if name == "pyarrow" else object()


def test_missing_pyspark_extra_skips_with_the_install_command(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception) as caught:
        require_pyspark(find_spec=_without_pyarrow)

    assert "pyarrow not installed" in str(caught.value)
    assert "pip install 'connector-skillpack[spark]'" in str(caught.value)


def test_missing_pyspark_extra_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    # BaseException: a skip must turn this test red, not skip it.
    with pytest.raises(BaseException) as caught:
        require_pyspark(find_spec=lambda name: None)

    assert isinstance(caught.value, pytest.fail.Exception), f"got {caught.value!r}"
    assert "pyspark and pyarrow not installed" in str(caught.value)
    assert "CI=true" in str(caught.value)


def test_missing_java_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Java 17"):
        require_java(which=lambda name: None)

    monkeypatch.setenv("CI", "true")
    with pytest.raises(BaseException) as caught:
        require_java(which=lambda name: None)
    assert isinstance(caught.value, pytest.fail.Exception), f"got {caught.value!r}"


def test_present_requirements_let_the_tests_run(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("JAVA_HOME", raising=False)

    require_pyspark(find_spec=lambda name: object())
    require_java(which=lambda name: "/usr/bin/java")
