"""Keep option values with secret names out of py4j's debug log.

pyspark sends every ``.option(key, value)`` to the JVM as a py4j command, and py4j logs each
command verbatim at DEBUG (``Command to send: c\\no42\\noption\\nsapi_key\\nsVALUE\\ne``). With
DEBUG on, credentials passed as options would land in the log. :func:`mask_option_values`
adds a filter to py4j's loggers that replaces the value of any ``option`` command whose key
looks secret (or was declared secret) with ``***``; everything else is logged unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from skillpack.sdk.redaction import MASK, is_secret_key

#: the loggers py4j writes its command traces to
PY4J_LOGGERS = ("py4j.clientserver", "py4j.java_gateway")

# A py4j call line "option", then string arguments ("s" + text, one per line): key, value.
_OPTION_CALL = re.compile(r"(\noption\ns)([^\n]*)(\ns)([^\n]*)")


class OptionValueMask(logging.Filter):
    """Masks the values of secret-named options in py4j command traces."""

    def __init__(self) -> None:
        super().__init__()
        self.secret_names: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place; never drops it."""
        message = record.msg
        if isinstance(message, str) and "\noption\n" in message:
            record.msg = _OPTION_CALL.sub(self._mask, message)
        return True

    def _mask(self, match: re.Match[str]) -> str:
        key = match.group(2)
        if key.lower() in self.secret_names or is_secret_key(key):
            return f"{match.group(1)}{key}{match.group(3)}{MASK}"
        return match.group(0)


def mask_option_values(secret_names: Iterable[str] = ()) -> None:
    """Install (once) the py4j log filter, also masking options named in ``secret_names``."""
    names = {n.lower() for n in secret_names}
    for logger_name in PY4J_LOGGERS:
        logger = logging.getLogger(logger_name)
        mask = next((f for f in logger.filters if isinstance(f, OptionValueMask)), None)
        if mask is None:
            mask = OptionValueMask()
            logger.addFilter(mask)
        mask.secret_names.update(names)
