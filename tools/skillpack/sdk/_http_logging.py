"""Log filtering for the REST client: secrets never reach a log line, the HTTP libraries' own
included (urllib3 logs each request target, query string and all, at DEBUG)."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from skillpack.sdk.redaction import RedactingFilter, redact_text

#: secrets of the request being sent in this thread (its params, body fields, headers)
SENDING: ContextVar[frozenset[str]] = ContextVar("skillpack_sending", default=frozenset())


class _HttpLogFilter(RedactingFilter):
    """Masks every client's own secrets, and those of the request being sent, in log records.

    Per-request values (a page token, a password in a body) are held only while that
    request runs, so a long sync does not grow the filter with every page's cursor.
    """

    def scrub(self, text: str) -> str:
        sending = SENDING.get()
        return super().scrub(redact_text(text, sending) if sending else text)


#: Installed on the HTTP libraries' own loggers (urllib3 logs each request target, query
#: string included, at DEBUG) and on this module's logger.
LOG_FILTER = _HttpLogFilter()
_FILTERED_LOGGERS = ("urllib3", "urllib3.connectionpool", "urllib3.connection",
                     "urllib3.poolmanager", "urllib3.response", "urllib3.util.retry",
                     "requests", "skillpack.sdk.http")  # fmt: skip


def install_log_filter() -> None:
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if LOG_FILTER not in logger.filters:
            logger.addFilter(LOG_FILTER)
