"""Numbers a person reads: no ``2e+05`` for a count, thousands grouped, powers of ten in Unicode when they must
be shown at all. Plain Python (the CLI's fast commands and traces import it)."""
from __future__ import annotations

import math

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: below and above these magnitudes a number is shown as m×10ⁿ (a count of 10¹⁵ or more has no readable digits)
SMALL, LARGE = 1e-4, 1e15


def number(v: float, digits: int = 4, group: bool = True) -> str:
    """``v`` with ``digits`` significant digits, never in e-notation: integers in full (``200,000``), other values
    rounded to ``digits`` significant digits but keeping every integer digit (``48,894`` not ``4.889e+04``);
    magnitudes below 10⁻⁴ or from 10¹⁵ as ``6.3×10²³``. ``group`` puts commas between thousands."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        v = float(v) if abs(v) < LARGE else v
    if not isinstance(v, float):
        return str(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    a = abs(v)
    if a == 0:
        return "0"
    if a < SMALL or a >= LARGE:
        exp = math.floor(math.log10(a))
        mant = v / 10 ** exp
        if round(abs(mant), digits - 1) >= 10:
            exp, mant = exp + 1, mant / 10
        m = f"{mant:.{digits}g}"
        return f"{m}×10{str(exp).translate(_SUP)}"
    if v == int(v) or a >= 10 ** (digits - 1):
        text = f"{round(v):,}" if group else str(round(v))
        return text
    text = f"{v:.{digits}g}"
    if "e" in text:  # e.g. 0.0001234 at digits 4 prints as 0.0001234; guard anyway
        text = f"{v:.{digits + 4}f}".rstrip("0").rstrip(".")
    return text
