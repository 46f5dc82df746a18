"""The JAX simulation: a pure kernel (``simulate_chunk``) and a chunked driver.

See ``rutsim.simulate._kernel`` for the key derivation and how float64 is enabled.
"""

from rutsim.simulate._driver import (
    ChunkJob,
    KeepSink,
    Progress,
    SimulationResult,
    plan_chunks,
    run_simulation,
)
from rutsim.simulate._kernel import (
    scenario_keys,
    simulate_chunk,
    trace_count,
    use_compilation_cache,
    use_precision,
)
from rutsim.simulate._synthetic import synthetic_initial, synthetic_posterior
from rutsim.types import MACRO_VARIABLES, ScenarioArrays, SimPaths

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
