"""citations.bib: parse with bibtexparser v2 and treat every failure as fatal.

bibtexparser v2 never raises: a syntax error or a duplicate key becomes a *failed block*. We check
``library.failed_blocks`` ourselves, ban ``#`` string concatenation (it is not resolved by default), and
require a ``url`` or ``doi`` on entries that datasheet/paper/report rows cite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalogError

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@dataclass(frozen=True, slots=True)
class BibEntry:
    key: str
    entry_type: str
    title: str
    author: str
    year: str
    url: str
    doi: str
    urldate: str
    note: str
    line: int

    @property
    def link(self) -> str:
        return self.url or (f"https://doi.org/{self.doi}" if self.doi else "")

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "type": self.entry_type, "title": self.title, "author": self.author,
                "year": self.year, "url": self.link, "urldate": self.urldate, "note": self.note}


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _failure(block: object) -> str:
    """Why bibtexparser gave up on a block, in words (its exceptions often have an empty message)."""
    key = getattr(block, "key", None)
    prev = getattr(block, "previous_block", None)
    if key is not None and prev is not None:
        return f"duplicate key {key!r} (first defined on line {getattr(prev, 'start_line', -1) + 1})"
    err = getattr(block, "error", None)
    reason = str(getattr(err, "abort_reason", "") or err or "").strip()
    raw = str(getattr(block, "raw", "")).strip().splitlines()
    head = raw[0][:60] if raw else ""
    return f"cannot parse the entry starting {head!r}: {reason or type(block).__name__}"


def load_bib(path: Path) -> dict[str, BibEntry]:
    """Parse ``path``; raise :class:`CatalogError` naming file:line for any problem."""
    import bibtexparser
    from bibtexparser import middlewares as m

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read bibliography: {exc}") from None
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.split("%", 1)[0]
        if re.search(r"[}\"]\s*#\s*[{\"A-Za-z]", stripped):
            problems.append(f"{path}:{lineno}: '#' string concatenation is not allowed")
    import logging

    # bibtexparser logs each failure itself; we report them once, with file:line, below
    log = logging.getLogger("bibtexparser")
    level, log.level = log.level, logging.CRITICAL + 1
    try:
        lib = bibtexparser.parse_string(text, append_middleware=[m.NormalizeFieldKeys()])
    finally:
        log.setLevel(level)
    for block in lib.failed_blocks:
        problems.append(f"{path}:{block.start_line + 1}: {_failure(block)}")
    entries: dict[str, BibEntry] = {}
    for e in lib.entries:
        line = e.start_line + 1
        if not KEY_RE.match(e.key):
            problems.append(f"{path}:{line}: key {e.key!r} must be letters and digits (authorYEARword)")
        fields = {f.key: f.value for f in e.fields}
        for need in ("title", "year"):
            if not str(fields.get(need, "")).strip():
                problems.append(f"{path}:{line}: entry {e.key!r} has no {need}")
        entries[e.key] = BibEntry(
            key=e.key, entry_type=e.entry_type.lower(), title=_clean(str(fields.get("title", ""))),
            author=_clean(str(fields.get("author", fields.get("institution", "")))),
            year=_clean(str(fields.get("year", ""))), url=_clean(str(fields.get("url", ""))),
            doi=_clean(str(fields.get("doi", ""))), urldate=_clean(str(fields.get("urldate", ""))),
            note=_clean(str(fields.get("note", ""))), line=line)
    if problems:
        raise CatalogError(problems)
    return entries
