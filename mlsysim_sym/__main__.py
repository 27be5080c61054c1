"""``python -m mlsysim_sym`` = the ``mlsysim-sym`` command."""
from .cli import main

raise SystemExit(main())
