"""Test configuration. Hypothesis' built-in ``ci`` profile loads itself when CI is set (derandomized, no
deadline); we only add a ``dev`` profile for local runs with more examples."""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=200, deadline=None)
if not os.environ.get("CI"):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
