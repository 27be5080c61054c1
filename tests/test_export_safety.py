"""Export never loses what it did not write, and a kill at any instant leaves a complete tree.

Issue "Nothing lost, nothing silent": ``export --dir`` on a folder with foreign files and on its parent leaves
every foreign file intact; killing an export at any point — while writing, just before, inside and just after the
swap, while removing the old tree — leaves the old or the new tree complete at the target, and the next export
cleans up after it.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlsysim_sym.export import render, run_export
from mlsysim_sym.export.tree import ExportError, manifest_of

FILES = render()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def complete(folder: Path) -> str:
    """'new', 'old' or a reason why the tree at ``folder`` is not one complete export."""
    man = manifest_of(folder)
    if man is None:
        return "no manifest"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    if on_disk != set(man["files"]) | {"manifest.json"}:
        return f"files differ from the manifest: {sorted(on_disk ^ (set(man['files']) | {'manifest.json'}))[:5]}"
    for rel, digest in man["files"].items():
        if hashlib.sha256((folder / rel).read_bytes()).hexdigest() != digest:
            return f"{rel} does not match its manifest hash"
    return "new" if (folder / "values.tex").read_text(encoding="utf-8") == FILES["values.tex"] else "old"


def make_old_tree(folder: Path) -> None:
    """An earlier export that differs from today's (a changed values.tex, its manifest updated to match)."""
    assert run_export(str(folder)) == []
    vt = folder / "values.tex"
    vt.write_text(vt.read_text(encoding="utf-8") + "% an older export\n", encoding="utf-8")
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    man["files"]["values.tex"] = hashlib.sha256(vt.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(man, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert complete(folder) == "old"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if ".export-" in p.name)


def test_foreign_files_in_the_target_and_its_parent_survive(tmp_path):
    (tmp_path / "top.txt").write_text("top", encoding="utf-8")
    target = tmp_path / "work" / "out"
    target.mkdir(parents=True)
    (target / "notes.md").write_text("my notes", encoding="utf-8")
    (tmp_path / "work" / "draft.tex").write_text("draft", encoding="utf-8")
    before = snapshot(tmp_path)
    for where in (target, target.parent, tmp_path):
        with pytest.raises(ExportError, match="not empty and was not written by"):
            run_export(str(where))
    assert snapshot(tmp_path) == before


def test_cli_refuses_parent_and_dot_and_a_file(tmp_path):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    (tmp_path / "a" / "b" / "keep.txt").write_text("keep", encoding="utf-8")
    (tmp_path / "a" / "file.txt").write_text("a file", encoding="utf-8")
    before = snapshot(tmp_path)
    for arg in ("..", "../..", str(tmp_path / "a" / "file.txt")):
        r = subprocess.run([sys.executable, "-m", "mlsysim_sym", "export", "--dir", arg], cwd=work,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 2, r.stderr
    assert snapshot(tmp_path) == before
    r = subprocess.run([sys.executable, "-m", "mlsysim_sym", "export", "--dir", "."], cwd=work, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert complete(work) == "new"
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("a/b/c/")} == before


def test_foreign_file_inside_an_owned_export_is_kept_and_reported(tmp_path):
    out = tmp_path / "book"
    assert run_export(str(out)) == []
    (out / "equations" / "mine.tex").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match=r"equations/mine.tex"):
        run_export(str(out))
    assert (out / "equations" / "mine.tex").read_text(encoding="utf-8") == "mine"
    problems = run_export(str(out), check=True)
    assert problems == ["unexpected: book/equations/mine.tex"]


def test_check_compares_the_given_directory(tmp_path):
    out = tmp_path / "elsewhere"
    assert run_export(str(out), check=True) == [f"missing: {out} does not exist"]
    assert run_export(str(out)) == []
    assert run_export(str(out), check=True) == []
    (out / "values.tex").write_text("stale\n", encoding="utf-8")
    assert run_export(str(out), check=True) == ["differs: elsewhere/values.tex"]


# ---- kills at every stage ---------------------------------------------------------------------------------------
STAGES = ["write", "before-swap", "after-swap", "removing-old"]


def _die_at(target: str, stage: str, nth: int) -> None:
    """Child process: export into ``target`` and die (os._exit, like SIGKILL: no cleanup runs) at ``stage``."""
    from mlsysim_sym.export import tree

    calls = {"n": 0}

    def die() -> None:
        os._exit(9)

    if stage == "write":
        real = Path.write_text

        def write_text(self, *a, **k):
            calls["n"] += 1
            if calls["n"] == nth:
                die()
            return real(self, *a, **k)
        Path.write_text = write_text  # type: ignore[method-assign]
    elif stage in ("before-swap", "after-swap"):
        real_swap = tree._swap

        def swap(new, out):
            if stage == "before-swap":
                die()
            real_swap(new, out)
            die()
        tree._swap = swap
    elif stage == "removing-old":
        real_unlink = Path.unlink

        def unlink(self, *a, **k):
            calls["n"] += 1
            if calls["n"] == nth:
                die()
            return real_unlink(self, *a, **k)
        Path.unlink = unlink  # type: ignore[method-assign]
    tree.write_tree(Path(target), FILES)
    os._exit(0)


@pytest.mark.parametrize("stage", STAGES)
def test_a_kill_at_any_stage_leaves_a_complete_tree_and_the_next_export_cleans_up(tmp_path, stage):
    out = tmp_path / "book"
    make_old_tree(out)
    rng = random.Random(stage)
    ctx = multiprocessing.get_context("fork")
    for _ in range(3):
        nth = rng.randint(1, len(FILES))
        p = ctx.Process(target=_die_at, args=(str(out), stage, nth))
        p.start()
        p.join(60)
        assert p.exitcode in (0, 9)
        state = complete(out)
        assert state in ("old", "new"), (stage, nth, state)
        assert run_export(str(out)) == []  # the next export succeeds, cleans up, and is complete
        assert complete(out) == "new" and leftovers(out) == []
        _rewind(out)


def _rewind(out: Path) -> None:
    """Turn the fresh export back into an 'old' one for the next trial (same trick as make_old_tree)."""
    vt = out / "values.tex"
    if not vt.read_text(encoding="utf-8").endswith("% an older export\n"):
        vt.write_text(vt.read_text(encoding="utf-8") + "% an older export\n", encoding="utf-8")
        man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        man["files"]["values.tex"] = hashlib.sha256(vt.read_bytes()).hexdigest()
        (out / "manifest.json").write_text(json.dumps(man, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def test_sigkill_at_random_times_leaves_old_or_new(tmp_path):
    """Real processes killed with SIGKILL at random instants of a whole `mlsysim-sym export` run."""
    out = tmp_path / "book"
    make_old_tree(out)
    rng = random.Random(20261202)
    seen = set()
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-m", "mlsysim_sym", "export", "--dir", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        state = complete(out)
        assert state in ("old", "new"), state
        seen.add(state)
        _rewind(out)
    assert run_export(str(out)) == [] and leftovers(out) == []
