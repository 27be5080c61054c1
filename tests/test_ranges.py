"""Uncertainty ranges (mlsysim_sym.analysis.ranges): every result's field as an interval over its inputs' ranges.

The catalogue's own ranges are being added row by row, so these tests build their ranges themselves: catalogue
overlays (``with_overrides`` with ``range``/``range_basis``) and ranges given by symbol, with every shipped row's
range hidden (``only_ranges``) so that a range added to the data elsewhere cannot change what is tested here.
Brute force is independent of the code under test: it solves the facade again at each grid point (overlay
catalogues and arguments), not the interval module's re-evaluation.
"""
from __future__ import annotations

import importlib
import itertools
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlsysim_sym
from mlsysim_sym.analysis.ranges import Interval, interval, intervals
from mlsysim_sym.catalog import catalog, with_overrides
from mlsysim_sym.engine import Engine
from mlsysim_sym.errors import InputError
from mlsysim_sym.objects import HardwareNode

BIB, LOC = "mlsysim2026registry", "ranges test"
catalog_module = importlib.import_module("mlsysim_sym.catalog")  # the module (the package attribute is a function)


@pytest.fixture
def only_ranges(monkeypatch):
    """Hide every shipped row's range: only overlay rows (``<id>@<tag>``, built here) and rows whose id starts with
    one of the returned set's prefixes keep theirs."""
    keep: set[str] = set()
    real = catalog_module.constant_by_id

    def patched(cid):
        c = real(cid)
        if c is None or c.range is None or "@" in cid or any(cid.startswith(k) for k in keep):
            return c
        return replace(c, range=None, range_basis="")

    monkeypatch.setattr(catalog_module, "constant_by_id", patched)
    return keep


def device(key: str, **rows):
    """The device ``key`` on an overlay whose rows (``memory.bandwidth=(si, unit, (lo, hi))``) carry ranges."""
    cat = catalog()
    over = {}
    for fld, (si, unit, rng) in rows.items():
        spec = {"si": si, "unit": unit}
        if rng is not None:
            spec.update(range=rng, range_basis=f"test spread of {fld}")
        over[f"hardware.{key}.{fld.replace('__', '.')}"] = spec
    cat = with_overrides(cat, over, bibkey=BIB, locator=LOC)
    return HardwareNode(cat.entity("hardware", key), cat)


def peak_field(key: str) -> str:
    ent = catalog().entity("hardware", key)
    return "peak.fp16" if "peak.fp16" in ent.values else "peak.bf16"


# ---- (a), (b): exact bounds of a monotone wall equal brute force over a dense grid ------------------------------------
#: memory-bound, memory-bound at a large batch, compute-bound, the ridge inside the box, the weights on the host link
PAIRS = [("Llama3_8B", "H100", 1), ("Llama3_8B", "H100", 256), ("ResNet50", "A100", 32), ("ResNet50", "H100", 1),
         ("Llama3_70B", "H100", 8)]
FIELDS = ("latency", "latency_compute", "latency_memory", "throughput", "mfu", "energy")


@pytest.mark.parametrize("model,hw,batch", PAIRS)
def test_monotone_interval_equals_brute_force_grid(only_ranges, model, hw, batch):
    ent = catalog().entity("hardware", hw)
    bw, pk = ent.values["memory.bandwidth"].si, ent.values[peak_field(hw)].si
    bw_r, pk_r, eta_r = (0.7 * bw, 1.05 * bw), (0.6 * pk, pk), (0.2, 0.8)
    node = device(hw, memory__bandwidth=(bw, "B/s", bw_r), **{peak_field(hw).replace(".", "__"): (pk, "FLOP/s", pk_r)})
    p = Engine.solve(model, node, batch_size=batch, efficiency=0.5)
    ivs = intervals(p, FIELDS, ranges={"eta_hw": eta_r})
    grid = {f: [] for f in FIELDS}
    axis = lambda r: np.linspace(r[0], r[1], 7)  # noqa: E731
    for b, k in itertools.product(axis(bw_r), axis(pk_r)):
        n = device(hw, memory__bandwidth=(float(b), "B/s", None),
                   **{peak_field(hw).replace(".", "__"): (float(k), "FLOP/s", None)})
        for e in axis(eta_r):
            q = Engine.solve(model, n, batch_size=batch, efficiency=float(e))
            for f in FIELDS:
                grid[f].append(q._plain(q.field(f))[0])
    for f in FIELDS:
        iv = ivs[f]
        assert iv.method == "exact: monotone", (f, iv)
        assert iv.low == pytest.approx(min(grid[f]), rel=1e-12, abs=0), f
        assert iv.high == pytest.approx(max(grid[f]), rel=1e-12, abs=0), f
        assert iv.low <= iv.nominal <= iv.high                                   # (b)
        assert iv.low_si <= iv.nominal_si <= iv.high_si
        assert {i.symbol for i in iv.inputs} <= {"BW_mem", "R_peak", "eta_hw"}
        for i in iv.inputs:  # each input's own band lies inside the whole band
            assert iv.low - 1e-12 * abs(iv.low) <= i.band[0] <= i.band[1] <= iv.high + 1e-12 * abs(iv.high)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([("Llama3_8B", "H100"), ("ResNet50", "A100"), ("ResNet50", "H100"), ("Llama3_70B", "H200"),
                        ("BERT_Base", "T4")]),
       st.integers(1, 1024), st.floats(0.05, 0.95), st.floats(0.01, 0.6), st.floats(0.01, 0.6),
       st.floats(0.01, 0.45))
def test_property_exact_bounds_are_the_extremes_of_a_dense_grid(only_ranges, pair, batch, eta, w_bw, w_pk, w_eta):
    """Any box around any operating point: an exact interval's bounds are the min and max of a 9×9×9 grid of the
    box evaluated by the generated code (the corners are grid points, so they agree to rounding)."""
    from mlsysim_sym.evaluate import run

    p = Engine.solve(*pair, batch_size=batch, efficiency=eta)
    v = p.result.values
    box = {"BW_mem": (v["BW_mem"] * (1 - w_bw), v["BW_mem"] * (1 + w_bw)),
           "R_peak": (v["R_peak"] * (1 - w_pk), v["R_peak"]),
           "eta_hw": (max(0.01, eta - w_eta), min(1.0, eta + w_eta))}
    ivs = intervals(p.result, ["T", "X", "MFU", "E"], ranges=box)
    grid = {k: [] for k in ivs}
    for point in itertools.product(*(np.linspace(lo, hi, 9) for lo, hi in box.values())):
        vals = {**v, **dict(zip(box, map(float, point)))}
        out = run("engine.step", vals)[0]
        for k in grid:
            grid[k].append(out[k])
    for k, iv in ivs.items():
        assert iv.low_si <= iv.nominal_si <= iv.high_si
        assert iv.exact, (k, iv)  # bandwidth, peak rate and efficiency move the roofline monotonically
        assert iv.low_si == pytest.approx(min(grid[k]), rel=1e-12), k
        assert iv.high_si == pytest.approx(max(grid[k]), rel=1e-12), k


def test_declared_monotonicity_agrees_with_the_corners_chosen(only_ranges):
    """Every monotonicity a wall declares, for an output and a bound input of the roofline result: the interval's
    high end sits at the input's high end when declared non-decreasing, at its low end when non-increasing."""
    from mlsysim_sym.walls import WALLS, load_all

    load_all()
    p = Engine.solve("Llama3_8B", "H100", batch_size=512, efficiency=0.5)
    v, steps = p.result.values, p.result.steps
    from mlsysim_sym._generated.numeric import COMPUTATIONS

    computed = {o for st in steps for o in COMPUTATIONS[st][2]}
    checked = 0
    for w in WALLS.values():
        for out, inp, sign in w.monotonic:
            if out not in computed or inp not in v or inp in computed or isinstance(v[inp], bool) or v[inp] <= 0:
                continue
            x = float(v[inp])
            iv = interval(p.result, out, ranges={inp: (0.5 * x, 1.5 * x)})
            if not iv.band:
                continue
            assert iv.exact, (out, inp)
            assert iv.at_high[inp] == (1.5 * x if sign > 0 else 0.5 * x), (w.number, out, inp, sign)
            assert iv.at_low[inp] == (0.5 * x if sign > 0 else 1.5 * x), (w.number, out, inp, sign)
            checked += 1
    assert checked >= 4


# ---- a regime change inside the box -----------------------------------------------------------------------------------
def test_latency_across_the_ridge_is_exact_and_reports_the_regime_change(only_ranges):
    """Efficiency's range crosses the ridge: the latency's binding branch differs at the two ends, yet the latency
    stays monotone (the max of non-increasing terms), so its bounds are exact — and the change is reported."""
    solve = lambda e: Engine.solve("ResNet50", "H100", batch_size=1, efficiency=float(e))  # noqa: E731
    p = solve(0.5)
    assert (solve(0.1).bottleneck, solve(0.9).bottleneck) == ("Compute", "Memory")  # the ridge lies inside
    iv = interval(p, "latency", ranges={"eta_hw": (0.1, 0.9)})
    assert iv.method == "exact: monotone"
    assert set(iv.regimes["T"]["seen"]) == {"Compute", "Memory"}
    assert (iv.regimes["T"]["low"], iv.regimes["T"]["high"]) == ("Memory", "Compute")
    brute = [solve(e).latency.m_as("ms") for e in np.linspace(0.1, 0.9, 401)]
    assert iv.low == pytest.approx(min(brute), rel=1e-12) and iv.high == pytest.approx(max(brute), rel=1e-12)
    assert "regime changes inside the box" in iv.explain_line()


def test_a_piecewise_jump_inside_the_box_is_sampled_and_contains_every_grid_value(only_ranges):
    """Memory capacity's range crosses the footprint: the weights stream from the host link below it (a Piecewise
    jump the derivatives cannot see), so the interval is sampled, reports the regimes, and holds every grid value."""
    p = Engine.solve("Llama3_70B", "H100", batch_size=1)
    assert p.memory_path == "host offload"
    iv = interval(p, "latency", ranges={"C_mem": (60e9, 200e9)})
    assert iv.method.startswith("sampled:")
    assert set(iv.regimes["BW"]["seen"]) == {"host offload", "main memory"}
    values = dict(p.result.values)
    grid = []
    for c in np.linspace(60e9, 200e9, 201):
        n = device("H100", memory__capacity=(float(c), "B", None))
        grid.append(Engine.solve("Llama3_70B", n, batch_size=1).latency.m_as("ms"))
    assert values["C_mem"] == 80e9
    assert iv.low <= min(grid) * (1 + 1e-12) and iv.high >= max(grid) * (1 - 1e-12)
    # a monotone jump: the sampled bounds (corners included) are the brute-force ones
    assert iv.low == pytest.approx(min(grid), rel=1e-12) and iv.high == pytest.approx(max(grid), rel=1e-12)


def _chinchilla():
    return mlsysim_sym.ScalingModel().solve("5.76e23 FLOP", target_model_size="70e9 param", allocation="parametric",
                                            fit="hoffmann2022")


def test_sampled_bounds_are_inner_and_converge_on_an_interior_minimum(only_ranges):
    """The predicted loss of a fixed model size under a fixed compute budget is U-shaped in the size (too small:
    under-parameterised; too large: too few tokens), so the minimum lies inside the box: the derivative changes
    sign, the interval is sampled, and sampled bounds are *inner* bounds — inside the true range, closing on it
    as the samples grow. The true minimum is analytic: N* = (a·A / (b·B·(6/C)^b))^(1/(a+b))."""
    r = _chinchilla()
    v = r.result.values
    A, B, a, b, E, C = (v[k] for k in ("A_fit", "B_fit", "a_fit", "b_fit", "E_fit", "C_bud"))
    loss = lambda n: A / n ** a + B / (C / (6 * n)) ** b + E  # noqa: E731 - the wall's form, to find the optimum
    n_star = (a * A / (b * B * (6 / C) ** b)) ** (1 / (a + b))
    box = (20e9, 200e9)
    assert box[0] < n_star < box[1]
    true_lo, true_hi = loss(n_star), max(loss(box[0]), loss(box[1]))
    grid = [loss(n) for n in np.linspace(*box, 4001)]
    gaps = []
    for samples in (0, 4, 16, 256):
        iv = interval(r, "predicted_loss", ranges={"N_fix": box}, samples=samples)
        assert iv.method.startswith("sampled:"), iv
        assert true_lo * (1 - 1e-12) <= iv.low and iv.high <= true_hi * (1 + 1e-12)  # inner bounds
        gaps.append(iv.low - true_lo)
        assert iv.high == pytest.approx(true_hi, rel=1e-12)                           # the high end is a corner
    assert gaps[-1] <= gaps[0] and gaps[-1] <= 1e-12 * true_lo                         # converged
    iv = interval(r, "predicted_loss", ranges={"N_fix": box})
    assert all(iv.low * (1 - 1e-12) <= g <= iv.high * (1 + 1e-12) for g in grid)      # every grid value inside
    assert iv.low <= min(grid)
    assert "inner bounds" in iv.explain_line()


# ---- (d) no ranged input -----------------------------------------------------------------------------------------------
def test_no_ranged_input_gives_a_zero_band_and_says_so(only_ranges):
    p = Engine.solve("Llama3_8B", "H100", batch_size=32)
    iv = p.interval("latency")
    assert isinstance(iv, Interval)
    assert iv.low == iv.nominal == iv.high == pytest.approx(p.latency.m_as("ms"))
    assert iv.method == "exact: no ranged input" and not iv.band and iv.dominant is None and iv.inputs == ()
    assert iv.relative() == (0.0, 0.0)
    assert p.explain() == p.result.explain()  # explain() gains nothing without a band
    assert "no ranged input" in str(iv)


# ---- catalogue rows with ranges --------------------------------------------------------------------------------------
def test_a_catalogue_range_is_found_scaled_and_named_in_explain(only_ranges):
    bw = catalog().get("hardware.H100.memory.bandwidth").si
    node = device("H100", memory__bandwidth=(bw, "B/s", (0.8 * bw, bw)))
    p = Engine.solve("Llama3_8B", node, batch_size=1)
    iv = p.interval("latency")
    assert iv.method == "exact: monotone" and iv.band
    dom = iv.dominant
    assert dom.symbol == "BW_mem" and dom.constant.startswith("hardware.H100.memory.bandwidth@")
    assert dom.basis == "test spread of memory__bandwidth"
    assert (dom.low, dom.high) == (0.8 * bw, bw)
    lo, hi = iv.relative()
    assert lo == 0.0 and hi > 0
    assert iv.at_high == {"BW_mem": 0.8 * bw}
    text = p.explain()
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("latency:"))
    assert "range [" in line and "dominated by BW_mem (hardware.H100.memory.bandwidth@" in line
    assert ": test spread of memory__bandwidth)" in line
    assert json.dumps(iv.to_dict())  # JSON-ready
    # the same through a bare Result (SI units) and the top-level function
    assert mlsysim_sym.interval(p.result, "T").high_si == pytest.approx(iv.high_si, rel=1e-15)


def test_a_per_direction_link_half_scales_its_range(only_ranges):
    """A bidirectional total bound per direction is halved: so is its range."""
    from mlsysim_sym.analysis.ranges import _row_range
    from mlsysim_sym.provenance import Row

    cat = with_overrides(catalog(), {"hardware.H100.memory.bandwidth": {"si": 4e12, "unit": "B/s",
                                                                          "range": (3e12, 5e12), "range_basis": "x"}},
                         bibkey=BIB, locator=LOC)
    row = cat.entity("hardware", "H100").values["memory.bandwidth"]
    only_ranges.add(row.id)

    class R:
        refs = {"BW_link": Row(row.id, half=True)}
        values = {"BW_link": 2e12}

    assert _row_range(R, "BW_link") == (row.id, "x", 1.5e12, 2.5e12, 0.5)


# ---- (f) ranges given by symbol ----------------------------------------------------------------------------------------
def test_ranges_by_symbol_override_and_apply_to_arguments(only_ranges):
    p = Engine.solve("ResNet50", "A100", batch_size=32)  # compute-bound: the efficiency moves the latency
    assert p.bottleneck == "Compute"
    iv = p.interval("latency", ranges={"eta_hw": (0.3, 0.5)})
    assert iv.dominant.symbol == "eta_hw" and iv.dominant.constant == "" and "given" in iv.dominant.basis
    slow = Engine.solve("ResNet50", "A100", batch_size=32, efficiency=0.3).latency.m_as("ms")
    assert iv.high == pytest.approx(slow, rel=1e-12) and iv.low == pytest.approx(iv.nominal, rel=1e-15)
    # Quantities are converted to the symbol's SI unit
    bw = p.result.values["BW_mem"]
    q = mlsysim_sym.Q_
    a = p.interval("latency_memory", ranges={"BW_mem": (q(0.5 * bw / 1e9, "GB/s"), q(bw / 1e9, "GB/s"))})
    b = p.interval("latency_memory", ranges={"BW_mem": (0.5 * bw, bw)})
    assert (a.low, a.high) == pytest.approx((b.low, b.high), rel=1e-12)
    with pytest.raises(InputError, match="not an input"):
        p.interval("latency", ranges={"nope": (1, 2)})
    with pytest.raises(InputError, match="computed by this result"):
        p.interval("latency", ranges={"T_comp": (1, 2)})
    with pytest.raises(InputError, match="does not contain its value"):
        p.interval("latency", ranges={"eta_hw": (0.6, 0.8)})
    with pytest.raises(InputError, match="low <= high"):
        p.interval("latency", ranges={"eta_hw": (0.6, 0.4)})
    with pytest.raises(InputError, match="not a field"):
        p.interval("nope")
    with pytest.raises(InputError, match="flag"):
        p.interval("feasible")


def test_interval_is_lazy_and_solving_imports_nothing_of_it():
    code = ("import sys, mlsysim_sym as m\n"
            "p = m.Engine.solve(m.Models.Llama3_8B, m.Hardware.H100, batch_size=32)\n"
            "print('mlsysim_sym.analysis.ranges' in sys.modules)\n"
            "p.interval('latency')\n"
            "print('mlsysim_sym.analysis.ranges' in sys.modules, 'sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "True", "False"], out.stderr


# ---- (e) the CLI ---------------------------------------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlsysim_sym", *args], capture_output=True, text=True, timeout=120)


def test_cli_eval_ranges_text_and_markdown():
    r = cli("eval", "ResNet50", "A100", "-b", "32", "--range", "eta_hw=0.3:0.5")
    assert r.returncode == 0, r.stderr
    assert "value [low, high]" in r.stdout and "dominant input" in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("latency "))
    assert "[" in line and "(" in line.split("ms", 1)[1]  # nominal [low, high] unit dominant-input (its source)
    md = cli("eval", "ResNet50", "A100", "-b", "32", "--range", "eta_hw=0.3:0.5", "-o", "markdown")
    assert md.returncode == 0 and "| metric | value [low, high] | unit | dominant input |" in md.stdout
    bad = cli("eval", "Llama3_8B", "H100", "--range", "eta_hw=0.3")
    assert bad.returncode == 2 and "SYMBOL=LOW:HIGH" in bad.stderr


def test_cli_eval_ranges_json_adds_a_range_per_metric():
    r = cli("-o", "json", "eval", "ResNet50", "A100", "-b", "32", "--range", "eta_hw=0.3:0.5")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    lat = doc["results"]["latency"]
    assert lat["unit"] == "ms" and lat["range"]["method"] == "exact: monotone"
    assert lat["range"]["low"] <= lat["value"] <= lat["range"]["high"]
    slow = json.loads(cli("-o", "json", "eval", "ResNet50", "A100", "-b", "32", "-e", "0.3").stdout)
    assert lat["range"]["high"] >= slow["results"]["latency"]["value"] * (1 - 1e-12)  # eta_hw = 0.3 is in the box
    assert isinstance(lat["range"]["dominant"]["symbol"], str)
    assert doc["results"]["mfu"]["range"]["high"] >= doc["results"]["mfu"]["value"]
    assert "range" not in json.dumps(doc["results"]["bottleneck"])
    plain = json.loads(cli("-o", "json", "eval", "ResNet50", "A100", "-b", "32").stdout)
    assert "range" not in plain["results"]["latency"]  # only with --ranges


def test_cli_eval_ranges_json_imports_no_sympy():
    probe = ("import sys\nfrom mlsysim_sym.cli import main\nrc = main(['eval', 'Llama3_8B', 'H100', '-o', 'json', "
             "'--ranges'])\nsys.stderr.write('MODULES %s\\n' % ('sympy' in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert "MODULES False" in r.stderr, r.stderr


# ---- exports ---------------------------------------------------------------------------------------------------------
def test_book_values_record_a_range_only_when_a_band_exists(only_ranges):
    from mlsysim_sym.export.valuefiles import _range_macros, value_range
    from mlsysim_sym.export.values import BookValue, engine

    bv = BookValue("TestLatency", "a latency", engine("Llama3_8B", "H100", batch_size=1), "latency", "ms", 3)
    value, _, view = bv.evaluate()
    assert value_range(bv, view, value) is None
    assert _range_macros({"name": "TestLatency"})["low_macro"] == ""
    only_ranges.add("hardware.H100.memory.bandwidth")
    real = catalog_module.constant_by_id

    def ranged(cid):
        c = real(cid)
        if cid == "hardware.H100.memory.bandwidth":
            return replace(c, range=(0.9 * c.value, c.value), range_basis="measured vs datasheet")
        return c

    import unittest.mock as mock

    with mock.patch.object(catalog_module, "constant_by_id", ranged):
        rng = value_range(bv, view, value)
    assert rng["method"] == "exact: monotone" and rng["low"] == pytest.approx(value) and rng["high"] > value
    assert rng["dominant"]["symbol"] == "BW_mem" and rng["dominant"]["constant"] == "hardware.H100.memory.bandwidth"
    macros = _range_macros({"name": "TestLatency", "range": rng})
    assert str(macros["low_macro"]) == "MlsysTestLatencyLow" and str(macros["high_macro"]) == "MlsysTestLatencyHigh"
    assert str(macros["high"]) == rng["high_printed"]


def test_values_template_writes_range_macros_only_with_a_band():
    from mlsysim_sym.export import _env

    tpl = _env(True).get_template("values.tex.j2")
    common = {"version": "v", "catalog_hash": "h", "revision": "r", "edition": "default"}
    base = {"macro": "MlsysA", "printed": "1", "source": "s"}
    empty = {"low_macro": "", "high_macro": "", "low": "", "high": "", "range_source": ""}
    plain = tpl.render(**common, values=[{**base, **empty}])
    assert plain.count("\\newcommand") == 1 and "Low" not in plain
    banded = tpl.render(**common, values=[{**base, "low_macro": "MlsysALow", "high_macro": "MlsysAHigh", "low": "0.9",
                                           "high": "1.1", "range_source": "exact: monotone"}])
    assert "\\newcommand{\\MlsysALow}{0.9}" in banded and "\\newcommand{\\MlsysAHigh}{1.1}" in banded
    assert banded.replace(plain, "") != banded  # the value's own line is unchanged


# ---- one catalogue row is one dimension; sub-results ----------------------------------------------------------------
def test_symbols_bound_from_one_row_move_together(only_ranges):
    """Two symbols bound from one ranged row (here the host link bound as half the memory row, a constructed
    case) are one dimension of the box: they move together, each scaled as it was bound."""
    from mlsysim_sym.evaluate import Result, RefMap, run
    from mlsysim_sym.provenance import Row

    cid = "hardware.H100.memory.bandwidth"
    real = catalog_module.constant_by_id
    only_ranges.add(cid)
    p = Engine.solve("Llama3_70B", "H100", batch_size=1)  # the weights stream from the host link
    res = p.result
    bw = res.values["BW_mem"]
    values = {**res.values, "BW_host": bw / 2}
    refs = dict(res.refs.items())
    refs["BW_host"] = Row(cid, half=True)
    values.update(run("engine.step", values)[0])
    r = Result(values, RefMap(refs), res.steps, res.regimes, res.report, "test")

    def ranged(c_id):
        c = real(c_id)
        return replace(c, range=(0.5 * c.value, c.value), range_basis="test") if c_id == cid else c

    import unittest.mock as mock

    with mock.patch.object(catalog_module, "constant_by_id", ranged):
        iv = interval(r, "T")
    assert len(iv.inputs) == 1 and iv.inputs[0].symbol == "BW_mem" and iv.inputs[0].also == ("BW_host",)
    grid = []
    for x in np.linspace(0.5 * bw, bw, 101):
        grid.append(run("engine.step", {**values, "BW_mem": float(x), "BW_host": float(x) / 2})[0]["T"])
    assert iv.exact and iv.low_si == pytest.approx(min(grid), rel=1e-12)
    assert iv.high_si == pytest.approx(max(grid), rel=1e-12) and iv.high_si > iv.nominal_si


def test_a_range_inside_a_sub_result_moves_the_result(only_ranges):
    """A draft model's row is bound inside the draft's sub-result; its range moves the sub-result's output and,
    through it, the decode step."""
    from mlsysim_sym.objects import Workload
    from mlsysim_sym.resolvers.serving import ServingModel

    cid = "model.Llama3_8B.layers"
    only_ranges.add(cid)
    real = catalog_module.constant_by_id

    def ranged(c_id):
        c = real(c_id)
        return replace(c, range=(24.0, 40.0), range_basis="test") if c_id == cid else c

    import unittest.mock as mock

    kw = dict(seq_len=2048, batch_size=8)
    s = ServingModel().solve("Llama3_70B", "H200", draft_model="Llama3_8B", **kw)
    with mock.patch.object(catalog_module, "constant_by_id", ranged):
        iv = s.interval("itl")
    assert iv.exact and iv.dominant.sub and iv.dominant.constant == cid
    ends = []
    for layers in (24.0, 40.0):
        cat = with_overrides(catalog(), {cid: {"si": layers, "unit": ""}}, bibkey=BIB, locator=LOC)
        d = Workload(cat.entity("model", "Llama3_8B"), cat)
        ends.append(ServingModel().solve("Llama3_70B", "H200", draft_model=d, **kw).itl.m_as("ms"))
    assert (iv.low, iv.high) == pytest.approx((min(ends), max(ends)), rel=1e-12)


def test_cli_trace_keeps_its_derivation_and_appends_ranges_only_when_asked():
    plain = cli("trace", "ResNet50", "A100")
    assert plain.returncode == 0 and "Ranges (over" not in plain.stdout  # trace stays a fast command
    ranged = cli("trace", "ResNet50", "A100", "--ranges")
    assert ranged.returncode == 0, ranged.stderr
    assert ranged.stdout.startswith(plain.stdout.split("note:")[0].rstrip()[:200])
