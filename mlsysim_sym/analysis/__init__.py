"""The ANALYSIS walls' solvers: wall 21 (exact sensitivities of any result, ``SensitivitySolver``) and wall 22
(inverse synthesis per regime, ``SynthesisSolver``). They sit above the facades and call them."""
