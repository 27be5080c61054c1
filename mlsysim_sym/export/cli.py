"""``mlsysim-sym export``: the full export with a progress bar (on a terminal only), or ``--only TOPIC``."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

CHAPTER_PREFIXES = ("tables/", "figures/", "handcalc/", "traces/", "chapters/")


def chapter_files(files: dict[str, Any], topic: str) -> dict[str, Any]:
    """The files of a chapter export that the full export holds identically (its own tables, figures,
    hand-calculations, traces and chapter file)."""
    return {k: v for k, v in files.items() if k.startswith(CHAPTER_PREFIXES)}


def _progress(enabled: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    if not enabled:
        return (lambda _s: None), (lambda: None)
    import click

    from .registry import ORDER

    state = {"i": 0}
    total = len(ORDER)

    def step(name: str) -> None:
        if name in ORDER:
            state["i"] = ORDER.index(name) + 1
        done = state["i"]
        bar = "#" * (2 * done) + "-" * (2 * (total - done))
        click.echo(f"\rexport [{bar}] {done}/{total} {name[:40]:<40}", err=True, nl=False)

    def close() -> None:
        click.echo("\r" + " " * 80 + "\r", err=True, nl=False)

    return step, close


def export_command(check: bool, target: str | None, only: str | None, progress: bool | None = None) -> None:
    from ..cli.output import CliError
    from . import default_target, drift, render
    from .tree import target_path, write_tree
    import click

    show = sys.stderr.isatty() if progress is None else progress
    step, close = _progress(show)
    try:
        files = render(only=only, progress=step)
    finally:
        close()
    if only is not None and check and target is None:
        out = target_path(default_target())
        mine = chapter_files(files, only)
        problems = [p for p in drift(out, mine) if not p.startswith("unexpected:")]
        where = f"{out} (chapter {only})"
    else:
        out = target_path(target if target is not None else default_target(only))
        where = str(out)
        if check:
            problems = drift(out, files)
        else:
            write_tree(out, files)
            problems = []
    if problems:
        for line in problems[:50]:
            click.echo(line, err=True)
        more = " (first 50 listed)" if len(problems) > 50 else ""
        raise CliError(f"{where} is stale: {len(problems)} difference(s){more}; run `mlsysim-sym export"
                       f"{'' if target is None else ' --dir ' + str(out)}`")
    click.echo(f"{where} is current" if check else f"{where} written ({len(files)} files)", err=True)


__all__ = ["export_command", "chapter_files", "Path"]
