"""SingleNodeModel: 0.3.0's resolver-class face of Engine.solve (walls 1 and 2)."""
from __future__ import annotations

from typing import Any

from ..engine import Engine, PerformanceProfile


class SingleNodeModel:
    """Roofline of one device; ``solve`` takes Engine.solve's arguments."""

    requires = ("workload", "hardware")
    produces = "PerformanceProfile"

    def solve(self, model: Any, hardware: Any, batch_size: int = 1, precision: str = "fp16",
              efficiency: float | None = None, raise_errors: bool = False, **kwargs: Any) -> PerformanceProfile:
        return Engine.solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency,
                            raise_errors=raise_errors, **kwargs)
