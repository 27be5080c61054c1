"""Book derivations: one module per book topic; each exposes ``VALUES`` (labelled results for the book).

A :class:`~mlsysim_sym.export.values.BookValue` names a macro (letters only), says how to compute the result
(a resolver call on catalogue keys), which field to print, in which unit and with how many digits. The
exporter evaluates them and writes values.tex, values.json and one Markdown source trace per value.
"""
