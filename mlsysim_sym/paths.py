"""Where the data lives: constants/, citations.bib and book_exports/.

Resolution order (a decision recorded in docs/decisions/packaging.md):
1. the ``MLSYSIM_SYM_DATA`` environment variable (a folder holding ``constants/`` and ``citations.bib``);
2. the repository checkout next to this package (development and editable installs);
3. the copy packaged into the wheel under ``mlsysim_sym/_data``.
"""
from __future__ import annotations

import os
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


def repo_root() -> Path:
    """The checkout (for exports and generated code); the data root when installed from a wheel."""
    return PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else data_root()
