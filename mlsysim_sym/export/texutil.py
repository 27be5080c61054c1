"""LaTeX text helpers: escaping (specials and the Unicode the catalogue prints), numbers and units."""
from __future__ import annotations

import re
from typing import Any

TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
# Characters pdflatex's utf8 input does not define (or defines only in text mode), as text-mode LaTeX.
UNICODE_TEX = {"−": "-", "×": r"\texttimes{}", "·": r"\textperiodcentered{}", "µ": r"\textmu{}", "μ": r"\textmu{}",
               "≥": r"$\geq$", "≤": r"$\leq$", "≈": r"$\approx$", "→": r"$\rightarrow$", "←": r"$\leftarrow$",
               "√": r"$\surd$", "∞": r"$\infty$", "±": r"\textpm{}", "°": r"\textdegree{}", "…": r"\ldots{}",
               "≠": r"$\neq$", "∝": r"$\propto$", "⌈": r"$\lceil$", "⌉": r"$\rceil$", "²": r"\texttwosuperior{}",
               "³": r"\textthreesuperior{}", "⁻": r"\textsuperscript{-}", "¹": r"\textonesuperior{}",
               "⁰": r"\textsuperscript{0}", "⁴": r"\textsuperscript{4}", "⁵": r"\textsuperscript{5}",
               "⁶": r"\textsuperscript{6}", "⁷": r"\textsuperscript{7}", "⁸": r"\textsuperscript{8}",
               "⁹": r"\textsuperscript{9}", "₂": r"\textsubscript{2}", "∑": r"$\sum$", "∂": r"$\partial$",
               "Δ": r"$\Delta$", "≪": r"$\ll$", "≫": r"$\gg$", "∈": r"$\in$", "⇒": r"$\Rightarrow$", "−̶": "-",
               "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "✓": "yes", "✗": "no"}
_GREEK = "αβγδεζηθικλνξοπρστυφχψωΓΘΛΞΠΣΦΨΩ"
_GREEK_TEX = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "nu",
              "xi", "o", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Theta",
              "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"]
for _g, _t in zip(_GREEK, _GREEK_TEX):
    UNICODE_TEX.setdefault(_g, "o" if _t == "o" else f"$\\{_t}$")


class TeX(str):
    """A string that is already valid LaTeX (printed without escaping)."""


def tex_escape(value: Any) -> Any:
    """Plain text as LaTeX text (specials escaped, Unicode the catalogue prints mapped); TeX and non-str as is."""
    if isinstance(value, TeX) or not isinstance(value, str):
        return value
    out = []
    for ch in value:
        if ch in TEX_SPECIALS:
            out.append(TEX_SPECIALS[ch])
        elif ch in UNICODE_TEX:
            out.append(UNICODE_TEX[ch])
        elif ord(ch) > 0x2FF and ch not in "‘’“”–—€£":
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


_SCI = re.compile(r"^(-?[0-9.]+)(?:e|×10\^?)([-+⁻]?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def tex_number(text: str) -> str:
    """A printed number as math-mode LaTeX: ``3.35e+12``/``1×10⁻⁷`` -> ``3.35\\times 10^{12}``."""
    t = text.strip().replace(",", "{,}")
    m = _SCI.match(t)
    if m:
        exp = int(m.group(2).translate(_SUP).replace("+", ""))
        mant = m.group(1)
        return f"10^{{{exp}}}" if mant in ("1", "1.0") else f"{mant}\\times 10^{{{exp}}}"
    return t.replace("−", "-")


def tex_unit(unit: str) -> str:
    """A unit as upright math-mode text (``\\text{TB/s}``), empty for dimensionless."""
    return f"\\text{{{tex_escape(unit)}}}" if unit else ""


def tex_quantity(shown: str) -> str:
    """``fmt_value``'s ``3.35 TB/s`` as math-mode ``3.35\\,\\text{TB/s}``; ``yes``/``no`` as text."""
    parts = shown.strip().split(" ", 1)
    num = parts[0]
    unit = parts[1] if len(parts) > 1 else ""
    if not re.match(r"^-?[0-9.]", num.replace("−", "-")):
        return f"\\text{{{tex_escape(shown)}}}"
    return tex_number(num) + (f"\\,{tex_unit(unit)}" if unit else "")
