"""Where the data lives: constants/, citations.bib and derivations/.

Resolution order (a decision recorded in docs/decisions/packaging.md):
1. the ``MLSYSIM_SYM_DATA`` environment variable (a folder holding ``constants/`` and ``citations.bib``);
2. the repository checkout next to this package (development and editable installs);
3. the copy packaged into the wheel under ``mlsysim_sym/_data``.
"""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_root() -> Path:
    env = os.environ.get("MLSYSIM_SYM_DATA")
    if env:
        return Path(env).resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "constants").is_dir() and (checkout / "citations.bib").is_file():
        return checkout
    return PACKAGE_DIR / "_data"


def constants_dir() -> Path:
    return data_root() / "constants"


def bib_path() -> Path:
    return data_root() / "citations.bib"


def derivations_dir() -> Path:
    """The book derivations: ``derivations/`` beside the data (``MLSYSIM_SYM_DATA``, the checkout, or the copy
    packaged into the wheel), the first of those that has one."""
    for root in (data_root(), PACKAGE_DIR.parent, PACKAGE_DIR / "_data"):
        if (root / "derivations").is_dir():
            return root / "derivations"
    return data_root() / "derivations"


#: the validation set's root file; it names the further files of the set in its top-level ``include``
VALIDATION_SET = "validation_set.toml"


def validation_sets(folder: Path | None = None) -> tuple[Path, ...]:
    """The files of published measurements the validation report judges: ``validation_set.toml`` in the derivations
    folder, then each file its top-level ``include`` list names, in that order (the report's and the book's row
    order). The one list that both the report and ``check``'s citation audit read; a named file that is missing
    raises ``FileNotFoundError``."""
    root = (folder or derivations_dir()) / VALIDATION_SET
    if not root.is_file():
        return ()
    names = tomllib.loads(root.read_text(encoding="utf-8")).get("include", [])
    files = (root, *(root.with_name(str(n)) for n in names))
    for f in files[1:]:
        if not f.is_file():
            raise FileNotFoundError(f"{root.name} includes {f.name}, which is not in {root.parent}")
    return files


def checkout_root() -> Path | None:
    """The repository checkout this package runs from (editable install), or None (an installed wheel)."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "constants").is_dir() else None
