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


def drift_report(target: str | None = None, only: str | None = None, against: str | None = None,
                 progress: Callable[[str], None] | None = None) -> Any:
    """The :class:`~mlsysim_sym.export.explain.DriftReport` of ``export --check`` (the folder ``target``, default
    ``book_exports/``, against a fresh export under the active edition) or of ``export --check --against OLD`` (from
    the export folder ``OLD`` to a fresh export, or to the folder ``target`` as written when one is given)."""
    from ..errors import MlsysimError
    from . import default_target, render
    from .explain import compare, read_tree
    from .tree import manifest_of, target_path

    if against is not None:
        if only is not None:
            raise MlsysimError("--against compares whole exports; drop --only")
        old = target_path(against)
        if not old.is_dir() or manifest_of(old) is None:
            raise MlsysimError(f"{old} is not an export folder (no export manifest.json in it)")
        if target is not None:
            new_dir = target_path(target)
            if not new_dir.is_dir() or manifest_of(new_dir) is None:
                raise MlsysimError(f"{new_dir} is not an export folder (no export manifest.json in it)")
            return compare(old, read_tree(new_dir), old_label=str(old), new_label=str(new_dir))
        return compare(old, render(progress=progress), old_label=str(old), new_label=_fresh_label())
    files = render(only=only, progress=progress)
    if only is not None and target is None:
        out = target_path(default_target())
        return compare(out, files, old_label=f"{out} (chapter {only})", new_label=_fresh_label(),
                       compared=set(chapter_files(files, only)))
    out = target_path(target if target is not None else default_target(only))
    if not out.is_dir():
        raise MlsysimError(f"{out} is stale: it does not exist; run `mlsysim-sym export"
                           f"{'' if target is None else ' --dir ' + str(out)}`")
    return compare(out, files, old_label=str(out), new_label=_fresh_label())


def _fresh_label() -> str:
    from .. import editions

    return f"a fresh export (edition {editions.active().name})"


def export_command(check: bool, target: str | None, only: str | None, progress: bool | None = None,
                   against: str | None = None, fmt: str = "text") -> None:
    """``export``: write the tree, or (``--check``, ``--against``) report what changed value by value and why;
    exit 1 when anything differs."""
    from ..cli.output import CliError, emit
    from . import default_target, render
    from .tree import target_path, write_tree
    import click

    show = sys.stderr.isatty() if progress is None else progress
    step, close = _progress(show)
    if check or against is not None:
        try:
            report = drift_report(target, only, against, progress=step)
        finally:
            close()
        if fmt == "json":
            emit(report.as_dict())
            if not report.current:
                raise SystemExit(1)  # one JSON document, then the drift exit code
            return
        if report.current:
            click.echo(report.lines()[0], err=True)
            return
        click.echo("\n".join(report.lines()))
        if against is not None:
            raise CliError(f"{report.count} file(s) differ from {report.old} to {report.new}")
        raise CliError(f"{report.old} is stale: {report.count} difference(s); run `mlsysim-sym export"
                       f"{'' if target is None else ' --dir ' + str(target_path(target))}`")
    try:
        files = render(only=only, progress=step)
    finally:
        close()
    out = target_path(target if target is not None else default_target(only))
    write_tree(out, files)
    if fmt == "json":
        emit({"written": str(out), "files": len(files)})
        return
    click.echo(f"{out} written ({len(files)} files)", err=True)


__all__ = ["export_command", "chapter_files", "drift_report", "Path"]
