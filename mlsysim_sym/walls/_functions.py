"""SymPy functions used in walls, evaluated numerically by :mod:`mlsysim_sym.special`.

A function names its numeric counterpart in ``numeric``; the code generator prints a call to it (scalar) or to its
``numpy.vectorize`` (arrays), so a new special function touches this module and :mod:`mlsysim_sym.special` only."""
from __future__ import annotations

import sympy as sp


class ErlangC(sp.Function):
    """Erlang-C wait probability C(c, a); ``.rewrite(sp.Sum)`` gives the defining series."""

    nargs = 2
    numeric = "erlang_c"

    def _eval_rewrite_as_Sum(self, c, a, **kwargs):
        i = sp.Dummy("i", integer=True, nonnegative=True)
        last = a**c / (sp.factorial(c) * (1 - a / c))
        return last / (sp.Sum(a**i / sp.factorial(i), (i, 0, c - 1)) + last)

    def _latex(self, printer, exp=None):
        c, a = self.args
        return rf"C\left({printer._print(c)}, {printer._print(a)}\right)"

    def fdiff(self, argindex=2):
        """∂C/∂a through Erlang B: ``B = C(1−ρ)/(1−ρC)``, ``∂B/∂a = B(c/a − 1 + B)``, ``C = B/D`` with
        ``D = 1 − ρ(1 − B)`` (Kleinrock 1975, §3.5). The server count c is a count with no continuous extension
        here: its derivative is reported as undefined (``NoDerivative``)."""
        c, a = self.args
        if argindex == 1:
            return NoDerivative(c)
        C = self
        rho = a / c
        B = C * (1 - rho) / (1 - rho * C)
        dB = B * (c / a - 1 + B)
        D = 1 - rho * (1 - B)
        dD = -(1 - B) / c + rho * dB
        return sp.Piecewise((0, a <= 0), (0, rho >= 1), ((dB * D - B * dD) / D**2, True))

    def _eval_evalf(self, prec):
        from ..special import erlang_c

        c, a = self.args
        if c.is_number and a.is_number:
            return sp.Float(erlang_c(float(c), float(a)), prec)
        return None


# The principal Lambert W branch is SymPy's own LambertW(x) (k = 0); codegen prints it as special.lambertw0.
LambertW0 = sp.LambertW


class CappedExpShape(sp.Function):
    """t(ρ): the shape of a capped exponential with mean ρ·S_max, the root t > 0 of ρt = 1 − e^{−t}.

    Closed form ``1/ρ + W₀(−e^{−1/ρ}/ρ)`` (``.rewrite(sp.LambertW)``); printed in that form."""

    nargs = 1
    numeric = "capped_exp_shape"

    def _eval_rewrite_as_LambertW(self, rho, **kwargs):
        return 1 / rho + sp.LambertW(-sp.exp(-1 / rho) / rho)

    def fdiff(self, argindex=1):
        """Implicit derivative of ρt = 1 − e^{−t}: t + ρt′ = e^{−t}t′, so t′ = t/(e^{−t} − ρ) (0 where ρ ≥ 1, t = 0)."""
        rho = self.args[0]
        t = self
        return sp.Piecewise((0, rho >= 1), (t / (sp.exp(-t) - rho), True))

    def _eval_evalf(self, prec):
        rho = self.args[0]
        if rho.is_number:
            return self.rewrite(sp.LambertW).evalf(prec)
        return None

    def _latex(self, printer, exp=None):
        return printer._print(self.rewrite(sp.LambertW))


class NoDerivative(sp.Function):
    """Marks a derivative that does not exist (a count without a continuous extension): printed as
    ``special.no_derivative``, nan when the direction moves that argument."""

    nargs = 1
    numeric = "no_derivative"


#: the numeric counterparts the generated code calls (functions of :mod:`mlsysim_sym.special`)
NUMERIC = frozenset(f.numeric for f in (ErlangC, CappedExpShape, NoDerivative))
