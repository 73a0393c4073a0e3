"""Bundled examples: a small REST API to practise on and a workspace of sources for it."""
