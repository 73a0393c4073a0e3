"""Building and verifying a connector's wheel, sdist and single file: ``package_connector``."""

from __future__ import annotations

from skillpack.package.package import PackageConnectorIn, PackageConnectorOut, package_connector

__all__ = ["PackageConnectorIn", "PackageConnectorOut", "package_connector"]
