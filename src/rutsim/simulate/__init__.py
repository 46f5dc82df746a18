"""The JAX simulation: a pure kernel (``simulate_chunk``) and a chunked driver.

See ``rutsim.simulate._kernel`` for the key derivation and how float64 is enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rutsim.simulate._kernel import (
    scenario_keys,
    simulate_chunk,
    trace_count,
    use_compilation_cache,
    use_precision,
)
from rutsim.simulate._synthetic import synthetic_initial, synthetic_posterior
from rutsim.types import MACRO_VARIABLES, ScenarioArrays, SimPaths

if TYPE_CHECKING:
    from rutsim.simulate._driver import (
        ChunkJob,
        KeepSink,
        Progress,
        SimulationResult,
        plan_chunks,
        run_simulation,
    )

_DRIVER = ("ChunkJob", "KeepSink", "Progress", "SimulationResult", "plan_chunks", "run_simulation")


def __getattr__(name: str) -> object:
    # The chunked driver (with the config schema and the cluster runners behind it) is
    # imported on first use, so the kernel imports with JAX and NumPy alone: the GPU
    # benchmark runs it on a device image without the rest of the stack.
    if name in _DRIVER:
        from rutsim.simulate import _driver

        return getattr(_driver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MACRO_VARIABLES",
    "ChunkJob",
    "KeepSink",
    "Progress",
    "ScenarioArrays",
    "SimPaths",
    "SimulationResult",
    "plan_chunks",
    "run_simulation",
    "scenario_keys",
    "simulate_chunk",
    "synthetic_initial",
    "trace_count",
    "synthetic_posterior",
    "use_precision",
    "use_compilation_cache",
]
