"""Packaging a connector: staging, the vendored SDK, building and verification."""
