"""Auditing a connector against the rubric into a scored ``SELF_REVIEW.md``.

The tool is ``review_connector``; the rubric is ``rubric.yaml`` beside this file.
"""

from __future__ import annotations

from skillpack.review.review import ReviewConnectorIn, ReviewConnectorOut, review_connector

__all__ = ["ReviewConnectorIn", "ReviewConnectorOut", "review_connector"]
