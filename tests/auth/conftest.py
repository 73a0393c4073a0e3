"""Fixtures of the auth form tests: workspaces with a spec, the fake provider, Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillpack.create.demo import copy_bundled_workspace
from skillpack.layout import SourcePaths, source_paths
from skillpack.testing.kinto_server import in_ci
from skillpack.tools import GenerateConnectorSpecIn, generate_connector_spec
from tests.auth._oauth_provider import FakeProvider, run_provider

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The one-time token embedded in a served form."""
    found = _TOKEN.search(html)
    assert found, "no form token in the page"
    return found.group(1)


@pytest.fixture
def example_paths(tmp_path: Path) -> SourcePaths:
    """The example source in a fresh copy of the bundled workspace, with its spec generated."""
    ws = copy_bundled_workspace(tmp_path / "ws")
    generate_connector_spec(GenerateConnectorSpecIn(source="example", workspace=str(ws)))
    return source_paths("example", ws)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with run_provider() as running:
        yield running


@pytest.fixture
def oauth_paths(tmp_path: Path, provider: FakeProvider) -> SourcePaths:
    """A source whose spec declares the OAuth 2 authorization-code flow of ``provider``."""
    spec: dict[str, Any] = {
        "source_name": "crm",
        "display_name": "CRM",
        "connection": {
            "parameters": [
                {"name": "client_id", "type": "string", "required": True},
                {"name": "client_secret", "type": "string", "required": True, "secret": True},
                {"name": "refresh_token", "type": "string", "required": True, "secret": True},
                {"name": "region", "type": "string", "required": False, "default": "eu"},
            ],
            "oauth2": {
                "authorize_url": provider.authorize_url,
                "token_url": provider.token_url,
                "scopes": ["read", "offline"],
            },
        },
        "external_options_allowlist": "",
    }
    folder = tmp_path / "oauth-ws" / "sources" / "crm"
    folder.mkdir(parents=True)
    (folder / "connector_spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return source_paths("crm", tmp_path / "oauth-ws")


def _unavailable(reason: str) -> None:
    # CI installs the browser; a missing one there is a broken setup, not a reason to skip.
    if in_ci():
        pytest.fail(f"{reason} (CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Any]:
    """A headless Chromium (Debian's package) driven by Playwright, with a fresh profile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is missing: pip install 'connector-skillpack[browser]'")
    found = CHROMIUM if CHROMIUM.exists() else None
    if found is None and shutil.which("chromium"):
        found = Path(shutil.which("chromium") or "")
    if found is None:
        _unavailable(f"Chromium is missing: {CHROMIUM_INSTALL}")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(found), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        tab.close()
