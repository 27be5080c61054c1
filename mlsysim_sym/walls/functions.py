"""SymPy functions used in walls, evaluated numerically by :mod:`mlsysim_sym.special`."""
from __future__ import annotations

import sympy as sp


class ErlangC(sp.Function):
    """Erlang-C wait probability C(c, a); ``.rewrite(sp.Sum)`` gives the defining series."""

    nargs = 2

    def _eval_rewrite_as_Sum(self, c, a, **kwargs):
        i = sp.Dummy("i", integer=True, nonnegative=True)
        last = a**c / (sp.factorial(c) * (1 - a / c))
        return last / (sp.Sum(a**i / sp.factorial(i), (i, 0, c - 1)) + last)

    def _latex(self, printer, exp=None):
        c, a = self.args
        return rf"C\left({printer._print(c)}, {printer._print(a)}\right)"

    def _eval_evalf(self, prec):
        from ..special import erlang_c

        c, a = self.args
        if c.is_number and a.is_number:
            return sp.Float(erlang_c(float(c), float(a)), prec)
        return None


# The principal Lambert W branch is SymPy's own LambertW(x) (k = 0); codegen prints it as special.lambertw0.
LambertW0 = sp.LambertW
