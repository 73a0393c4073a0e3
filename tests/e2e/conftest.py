"""Fixtures for the end-to-end tests: a real Kinto per test (see skillpack.testing.kinto_server)."""

from skillpack.testing.kinto_server import kinto_server  # noqa: F401  (a fixture)
