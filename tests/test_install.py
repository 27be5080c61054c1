"""A non-editable install works like the checkout: `pip install .` into a fresh environment, then
`mlsysim-sym export --dir X` writes exactly the committed book_exports/ (derivations and data travel in the wheel)."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    wheels = base / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {r.stderr.strip()[-300:]}")
    env = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    # the dependencies come from this environment (its site-packages as plain paths: .pth files there, such as
    # an editable install of this checkout, are not processed), the package from the wheel
    site_dir = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site_dir) / "zz_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    wheel = next(wheels.glob("mlsysim_sym-*.whl"))
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return py, base


def test_export_from_the_wheel_equals_the_committed_tree(installed):
    py, base = installed
    out = base / "exported"
    r = subprocess.run([str(py), "-m", "mlsysim_sym", "export", "--dir", str(out)], cwd=base, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    committed = {p.relative_to(ROOT / "book_exports").as_posix(): p.read_bytes()
                 for p in (ROOT / "book_exports").rglob("*") if p.is_file()}
    assert ours == committed
    r = subprocess.run([str(py), "-c", "import mlsysim_sym, pathlib; print(pathlib.Path(mlsysim_sym.__file__).parent)"],
                       cwd=base, capture_output=True, text=True, timeout=60)
    assert str(ROOT) not in r.stdout, "the test must run the installed copy, not the checkout"


def test_installed_package_refuses_to_rewrite_itself(installed):
    py, base = installed
    for args in (["codegen"], ["check", "--update-lock"]):
        r = subprocess.run([str(py), "-m", "mlsysim_sym", *args], cwd=base, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 1 and "installed package" in r.stderr, (args, r.stderr)


def test_editions_ship_in_the_wheel(installed):
    py, base = installed
    code = ("import mlsysim_sym as m\n"
            "with m.edition('mlsysim-0.3.0'):\n"
            "    p = m.Engine.solve('ResNet50', 'H100')\n"
            "print(p.stamp['edition'], round(p.latency.m_as('ms'), 6))\n")
    r = subprocess.run([str(py), "-c", code], cwd=base, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("mlsysim-0.3.0 ")
