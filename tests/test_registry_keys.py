"""Every key of mlsysim 0.3.0's hardware and model registries (recorded as data by
tools/parity/gen_mlsysim_parity.py, mlsysim 0.3.0) exists here, in the same category, with a flat alias."""
from __future__ import annotations

import pytest

from mlsysim_sym import Hardware, Models
from parity_support import load

CATEGORIES = load("registry_keys.json")["categories"]

CASES = [("Hardware", c) for c in ("Cloud", "Workstation", "Edge", "Mobile", "Tiny")] + \
        [("Models", c) for c in ("Language", "Vision", "Tiny", "Recommendation", "StateSpace", "GenerativeVision",
                                 "Embodied")]


@pytest.mark.parametrize("label,category", CASES, ids=[f"mlsysim-0.3.0-{a}.{b}" for a, b in CASES])
def test_every_0_3_0_key_is_catalogued(label, category):
    registry = Hardware if label == "Hardware" else Models
    expected = sorted(CATEGORIES[f"{label}.{category}"]["entry_types"])
    assert expected
    got = set(getattr(registry, category).list())
    assert not sorted(set(expected) - got), f"{label}.{category} lacks {sorted(set(expected) - got)}"
    for key in expected:
        assert getattr(registry, key) is getattr(getattr(registry, category), key)
