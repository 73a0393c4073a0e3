"""The agent's verdicts on the judgement checks: a YAML or JSON file beside the report.

::

    test.suite-passes:
      verdict: pass
      evidence: "run_suite in simulate mode: 41 passed, 0 failed"
    impl.type-mapping:
      verdict: fail
      evidence: "`amount` is a decimal string in the API but a double in the schema"
      path: sources/shop/shop.py
      line: 57

``verdict`` is ``pass``, ``fail`` or ``na``; ``evidence`` says what the verdict rests on and
is required for pass and fail. ``path``/``line`` optionally cite where (relative to the
workspace root).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from skillpack.errors import InputError, known_values
from skillpack.review._rubric import Rubric
from skillpack.review._secrets import TOKEN_SHAPES
from skillpack.sdk.redaction import MASK

_HINT = (
    "map each judgement check id to {verdict: pass|fail|na, evidence: '...'}; "
    "`skillpack tool review_connector` lists the pending ids"
)


class Verdict(BaseModel):
    """One answered judgement check."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["pass", "fail", "na"] = Field(description="pass, fail or na.")
    evidence: str = Field("", description="What the verdict rests on: a command's result, a link.")
    path: str | None = Field(None, description="File to cite, relative to the workspace root.")
    line: int | None = Field(None, ge=1, description="Line to cite in that file.")


def mask_shapes(text: str) -> str:
    """``text`` with anything shaped like a credential replaced by ``***``."""
    for _, pattern in TOKEN_SHAPES:
        text = pattern.sub(MASK, text)
    return text


def load_judgements(path: Path, rubric: Rubric) -> dict[str, Verdict]:
    """Verdicts by check id; :class:`InputError` naming the first problem."""
    if not path.is_file():
        raise InputError(f"judgements file `{path}` not found", hint=_HINT, code="no-judgements")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise InputError(
            f"judgements file `{path.name}` is not valid YAML or JSON{at}",
            hint=_HINT,
            code="bad-judgements",
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            f"judgements file `{path.name}` must map check ids to verdicts",
            hint=_HINT,
            code="bad-judgements",
        )
    checks = rubric.by_id()
    judged = sorted(c.id for c in rubric.checks if c.decided == "judgement")
    out: dict[str, Verdict] = {}
    for key, raw in data.items():
        check_id = str(key)
        if check_id not in checks:
            raise InputError(
                known_values("check id", check_id, judged),
                hint=f"fix `{path.name}`: {_HINT}",
                code="unknown-check",
            )
        if checks[check_id].decided != "judgement":
            raise InputError(
                f"check `{check_id}` is decided automatically and takes no verdict",
                hint=f"remove it from `{path.name}`; answer only judgement checks",
                code="not-a-judgement",
            )
        try:
            verdict = Verdict.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            field = ".".join(str(p) for p in first.get("loc", ())) or "value"
            raise InputError(
                f"judgement `{check_id}`: `{field}`: {first.get('msg', 'invalid')}",
                hint=_HINT,
                code="bad-judgements",
            ) from None
        if verdict.verdict == "na" and not checks[check_id].na_allowed:
            raise InputError(
                f"judgement `{check_id}` cannot be `na`: it applies to every connector",
                hint="answer pass or fail with evidence; leave it out to keep it pending",
                code="na-refused",
            )
        if verdict.verdict != "na" and not verdict.evidence.strip():
            raise InputError(
                f"judgement `{check_id}` gives no evidence",
                hint="say what the verdict rests on: a tool result, a test run, a vendor page",
                code="no-evidence",
            )
        out[check_id] = verdict.model_copy(
            update={"evidence": mask_shapes(re.sub(r"\s+", " ", verdict.evidence).strip())}
        )
    return out
