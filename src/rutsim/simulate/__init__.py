"""The JAX simulation: a pure kernel (``simulate_chunk``) and a chunked driver.

See ``rutsim.simulate._kernel`` for the key derivation and how float64 is enabled.
"""

from rutsim.simulate._driver import (
    ChunkInfo,
    ChunkJob,
    ChunkOutput,
    ChunkPlan,
    KeepSink,
    Progress,
    Reducer,
    SimulationResult,
    compute_chunk,
    plan_chunks,
    run_simulation,
    select_samples,
)
from rutsim.simulate._kernel import (
    scenario_keys,
    simulate_chunk,
    trace_count,
    use_compilation_cache,
    use_precision,
)
from rutsim.simulate._reduce import DrawReducer, half_masks, reduce_draws
from rutsim.simulate._synthetic import synthetic_initial, synthetic_posterior
from rutsim.types import MACRO_VARIABLES, ScenarioArrays, SimPaths

__all__ = [
    "MACRO_VARIABLES",
    "ChunkInfo",
    "ChunkJob",
    "ChunkOutput",
    "ChunkPlan",
    "DrawReducer",
    "KeepSink",
    "Progress",
    "Reducer",
    "ScenarioArrays",
    "SimPaths",
    "SimulationResult",
    "compute_chunk",
    "half_masks",
    "plan_chunks",
    "reduce_draws",
    "run_simulation",
    "scenario_keys",
    "select_samples",
    "simulate_chunk",
    "synthetic_initial",
    "trace_count",
    "synthetic_posterior",
    "use_precision",
    "use_compilation_cache",
]
