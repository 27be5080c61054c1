"""Rendering for the CLI: one JSON document on stdout, text or Markdown tables; errors via exceptions."""
from __future__ import annotations

import json
import math
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


def table(headers: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "markdown":
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def num(v: float, digits: int = 4) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.{digits}g}"
