"""Rendering for the CLI: one JSON document on stdout, text or Markdown tables; errors via exceptions."""
from __future__ import annotations

import json
import math
import re
import sys
from typing import Any, NoReturn

from ..errors import MlsysimError


class CliError(MlsysimError):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.exit_code = code


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with one message and an exit code (the JSON error document is written by main)."""
    raise CliError(message, code)


def _safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {str(k): _safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_safe(v) for v in x]
    return x


def emit(doc: dict[str, Any]) -> None:
    """One JSON document on stdout (non-finite numbers as strings; ASCII escapes where the output encoding
    cannot carry UTF-8)."""
    enc = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    sys.stdout.write(json.dumps(_safe(doc), indent=2, allow_nan=False, ensure_ascii=not enc.startswith("utf")) + "\n")


_NUMERIC = re.compile(r"^[-+]?(?:\d|∞)[\d,.×⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*$")


def table(headers: list[str], rows: list[list[str]], fmt: str, right: tuple[str, ...] = ("value",)) -> str:
    """A text or Markdown table; the columns named in ``right`` (numbers) are right-aligned."""
    if fmt == "markdown":
        out = ["| " + " | ".join(headers) + " |",
               "|" + "|".join("---:" if h in right else "---" for h in headers) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def cell(c: str, i: int) -> str:
        return c.rjust(widths[i]) if headers[i] in right and _NUMERIC.match(c) else c.ljust(widths[i])

    out = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell(c, i) for i, c in enumerate(r)).rstrip() for r in rows]
    return "\n".join(out)


def title(text: str, fmt: str) -> str:
    """The title line every command's text and Markdown output opens with."""
    return f"**{text}**\n" if fmt == "markdown" else text


def report(heading: str, rows: list[tuple[str, Any, str]], fmt: str, notes: list[str] | None = None) -> str:
    """The one layout of a result: a title line, then metric | value | unit (numbers readable, units as units),
    then notes."""
    body = [[name, value if isinstance(value, str) else num(value), unit] for name, value, unit in rows]
    out = [title(heading, fmt), table(["metric", "value", "unit"], body, fmt)]
    for n in notes or []:
        out.append(("> " if fmt == "markdown" else "") + n)
    return "\n".join(out)


def num(v: Any, digits: int = 4) -> str:
    """A number as a person reads it: ``200,000`` not ``2e+05``, ``48,894`` not ``4.889e+04``."""
    from ..textfmt import number

    return number(v, digits)


#: a rate's unit named by what is counted (the catalogue's flops_basis of the model)
RATE_UNITS = {"token": "tok/s", "image": "img/s", "sequence": "seq/s", "sample": "samples/s", "step": "steps/s"}


def unit_text(unit: str, basis: str | None = None) -> str:
    """A unit as a person reads it: ``1/s`` of a throughput becomes ``img/s``, ``tok/s`` or ``samples/s``."""
    if unit == "1/s":
        return RATE_UNITS.get(basis or "", "samples/s")
    return unit
