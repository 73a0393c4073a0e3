"""The REST client's settings checks: ``Retry-After`` values and timeouts."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable
from datetime import timezone
from typing import Any

from skillpack.errors import ConfigError


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or HTTP date), else ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def check_timeout(timeout: Any) -> float | tuple[float, float]:
    parts = timeout if isinstance(timeout, tuple) else (timeout,)
    if not parts or not all(
        isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p < math.inf for p in parts
    ):
        raise ConfigError(
            f"invalid timeout `{timeout!r}`",
            hint="use a positive number of seconds (or a (connect, read) pair); "
            "requests without a timeout can hang forever",
            code="bad-timeout",
        )
    return timeout
