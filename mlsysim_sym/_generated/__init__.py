"""Code generated from the walls (see mlsysim_sym.codegen)."""
