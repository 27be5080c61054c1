"""MLSys·im-compatible facades, declared as specs over the binding layer (:mod:`mlsysim_sym.binding`); none
imports another."""
