"""The loss's passes over the logits in DistributedModel (loss_kernel=, knobs.losses): a named loss kernel reads and
writes each of the V logits of every token ``c_lg`` times in a training step (FlashAttention's fused cross-entropy:
two reads in the forward, a read and a write in the backward, counted from its kernel), at the device memory's
bandwidth, beside the GEMMs; with no loss kernel named, or no vocabulary catalogued, the step is what it was."""
from __future__ import annotations

import pytest

import mlsysim_sym as mlsysim
from mlsysim_sym.catalog import catalog
from mlsysim_sym.errors import InputError

A100 = mlsysim.Fleet(name="8 A100", node="DGX_A100", count=1, fabric="InfiniBand_HDR")
KW = dict(batch_size=2048, precision="bf16", zero_stage=3, gradient_accumulation_steps=2, overlap_comm=True,
          seq_len=512, stack="fsdp", attention_kernel="flash_triton")
KEY = "knobs.losses.fused_xentropy.logit_passes"


def _model(vocab: int | None = 50368):
    return mlsysim.TransformerWorkload("125M-shaped decoder", parameters=124131840, layers=12, hidden_dim=768,
                                       heads=12, vocab_size=vocab)


def _solve(model=None, **extra):
    return mlsysim.DistributedModel().solve(model or _model(), A100, **{**KW, **extra})


def test_the_count_is_read_from_the_kernels_code_with_its_working():
    c = catalog().constants[KEY]
    assert c.si == 4 and c.kind == "estimate" and c.working and c.si_range == (3.0, 4.0)
    assert c.bibkey == "dao2023flashattnxentropy" and "cunn_SoftMaxXEntropyBackward" in c.locator


def test_a_named_loss_kernel_charges_its_passes_at_the_memorys_bandwidth():
    plain, fused = _solve(), _solve(loss_kernel="fused_xentropy")
    v = fused.result.values
    passes = v["c_lg"] * v["V_voc"] * v["b_w"] * v["n_tok"] * v["B_tot"] / (v["BW_mem"] * v["N_acc"])
    assert v["c_lg"] == 4 and v["V_voc"] == 50368 and v["T_lg_r"] == pytest.approx(passes, rel=1e-12) and passes > 0
    assert v["T_comp_r"] == pytest.approx(plain.result.values["T_comp_r"] + passes, rel=1e-12)
    assert fused.step_latency_total > plain.step_latency_total and fused.mfu < plain.mfu
    # the model and hardware FLOPs do not change: the passes are memory traffic
    assert fused.model_flops.m_as("FLOP") == pytest.approx(plain.model_flops.m_as("FLOP"), rel=1e-12)
    refs = {s.symbol: s for s in fused.sources}
    assert refs["c_lg"].ref == KEY and refs["V_voc"].kind == "user"


def test_without_a_loss_kernel_or_a_vocabulary_nothing_is_charged_and_the_trace_says_why():
    plain = _solve()
    refs = {s.symbol: s for s in plain.sources}
    assert plain.result.values["T_lg_r"] == 0
    assert refs["c_lg"].kind == "fixed" and "no loss kernel named" in refs["c_lg"].ref
    no_vocab = _solve(_model(None), loss_kernel="fused_xentropy")
    refs = {s.symbol: s for s in no_vocab.sources}
    assert no_vocab.result.values["T_lg_r"] == 0 and "no vocabulary catalogued" in refs["V_voc"].ref
    assert no_vocab.step_latency_total == _solve(_model(None)).step_latency_total


@pytest.mark.parametrize("passes", [1.0, 3.0, 8.0])
def test_a_given_count_replaces_the_kernels_and_the_time_is_linear_in_it(passes):
    base = _solve(loss_kernel="fused_xentropy").result.values["T_lg_r"]
    r = _solve(loss_kernel="fused_xentropy", logit_passes=passes)
    assert r.result.values["T_lg_r"] == pytest.approx(base * passes / 4, rel=1e-12)
    assert _solve(logit_passes=passes).result.values["T_lg_r"] == pytest.approx(base * passes / 4, rel=1e-12)


def test_the_interval_moves_the_count_over_its_range():
    r = _solve(loss_kernel="fused_xentropy")
    (lg,) = [i for i in r.interval("mfu").inputs if i.symbol == "c_lg"]
    assert lg.constant == KEY and (lg.low, lg.high) == (3.0, 4.0)
    assert lg.band[0] == pytest.approx(r.mfu, rel=1e-12) and lg.band[1] > r.mfu


def test_bad_names_and_counts_are_refused():
    with pytest.raises(InputError, match="loss_kernel 'torch' is not catalogued.*fused_xentropy"):
        _solve(loss_kernel="torch")
    for bad in (-1.0, 101.0, float("nan"), "four"):
        with pytest.raises(InputError, match="logit_passes"):
            _solve(loss_kernel="fused_xentropy", logit_passes=bad)
    with pytest.raises(InputError, match="vocab_size"):
        _model(0)
