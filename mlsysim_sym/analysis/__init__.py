"""The ANALYSIS walls' solvers: wall 21 (exact sensitivities of any result, ``SensitivitySolver``) and wall 22
(inverse synthesis per regime, ``SynthesisSolver``), and uncertainty ranges of any result (``interval``,
``intervals``). They sit above the facades and call them."""


def __getattr__(name: str):  # lazy: importing the package costs nothing until a name is used
    if name in ("Interval", "RangedInput", "interval", "intervals"):
        from . import ranges

        return getattr(ranges, name)
    raise AttributeError(f"module 'mlsysim_sym.analysis' has no attribute {name!r}")
