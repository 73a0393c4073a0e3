"""Connector errors as Spark shows them: the message, the hint and the code, never a secret.

Spark reports a failure in Python code as the worker's traceback, whose last line is
``Type: str(exc)``. ``SkillpackError.__str__`` is the bare message, so the hint would be
lost; :func:`surfaced` re-raises the error with ``[code] message`` and ``hint: ...`` in its
text, after masking every credential of the read (and secret URL parameters). The
connector's frames stay in the traceback: they hold file names and source lines, not values.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import TypeVar

from skillpack.errors import SkillpackError, SourceError
from skillpack.sdk.redaction import RedactingFilter

_T = TypeVar("_T")

#: set on errors already rewritten, so nested guards do not add the hint twice
_SURFACED = "_skillpack_surfaced"


@contextlib.contextmanager
def surfaced(scrubber: RedactingFilter, where: str) -> Iterator[None]:
    """Re-raise any error of the block with its hint in the text and no secret in it.

    ``where`` (e.g. ``example table `orders```) prefixes the message, because Spark's
    traceback does not say which table a task was reading.
    """
    try:
        yield
    except Exception as exc:
        rewritten = _rewrite(exc, scrubber, where)
        if rewritten is exc:
            raise
        # ``from None``: the original (unmasked) error must not be printed as the context.
        raise rewritten.with_traceback(exc.__traceback__) from None


def guarded(records: Iterator[_T], scrubber: RedactingFilter, where: str) -> Iterator[_T]:
    """``records`` with errors raised while iterating them rewritten as by :func:`surfaced`."""
    with surfaced(scrubber, where):
        yield from records


def _rewrite(exc: Exception, scrubber: RedactingFilter, where: str) -> Exception:
    if getattr(exc, _SURFACED, False):
        return exc
    if isinstance(exc, SkillpackError):
        text = f"[{exc.code}] {where}: {exc.message}"
        if exc.hint:
            text += f"\nhint: {exc.hint}"
        rewritten = _with_text(exc, scrubber.scrub(text))
    else:
        original = str(exc)
        text = scrubber.scrub(original)
        if text == original:
            return exc
        # Another exception type may not take a plain message; say what it was instead.
        rewritten = SourceError(
            f"[connector-error] {where}: {type(exc).__name__}: {text}",
            hint="the connector failed with a message that held a credential (masked here); "
            "reproduce with the connector alone to see the details",
            code="connector-error",
        )
    setattr(rewritten, _SURFACED, True)
    return rewritten


def _with_text(exc: SkillpackError, text: str) -> SkillpackError:
    """A copy of ``exc`` (same type, hint, code, status) whose message is ``text``."""
    try:
        clone = copy.copy(exc)
    except Exception:
        # A subclass whose constructor needs more than the message cannot be copied.
        clone = SkillpackError(text, hint=exc.hint, code=exc.code)
    clone.message = text
    clone.args = (text,)
    return clone
