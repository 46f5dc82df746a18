"""The chunked driver: all scenarios, all posterior samples, bounded memory.

Posterior samples are simulated ``chunk`` at a time by :func:`compute_chunk`, a pure
function of the run's :class:`ChunkJob` and the chunk's first position: it keeps the first
``keep_paths`` full paths of every sample and hands the whole chunk (all paths) to a
reducer, whose per-draw outputs are concatenated along the sample axis. Chunks run on a
:class:`rutsim.cluster.Runner` (threads here, or Dask workers) and come back in chunk
order, so nothing depends on where or when they ran. Peak memory is one chunk per
worker plus the kept paths (or none, with a ``keep_sink`` that streams them to disk)
plus the reductions, whatever the number of samples. The last chunk is padded to the
full chunk size (and the padding dropped) so the kernel compiles once per process.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import jax
import numpy as np

from rutsim.cluster import Runner, thread_runner
from rutsim.config import SimulationConfig
from rutsim.errors import ScenarioError
from rutsim.simulate._kernel import scenario_keys, simulate_chunk, use_precision
from rutsim.types import (
    ChunkInfo,
    InitialState,
    PosteriorParams,
    Reducer,
    ScenarioArrays,
    ShockSpec,
    SimPaths,
    SimulationResult,
    select_samples,
)

#: Called after each chunk with (samples done, samples in total).
Progress = Callable[[int, int], None]


def _stack_scenarios(
    scenarios: Sequence[tuple[str, ScenarioArrays]], horizon: int
) -> tuple[tuple[str, ...], ScenarioArrays]:
    names = tuple(name for name, _ in scenarios)
    if not names:
        raise ScenarioError(
            "no scenarios to simulate. To fix: list scenario files under [scenarios] names."
        )
    if len(set(names)) != len(names):
        raise ScenarioError(
            f"scenario names repeat: {list(names)}. To fix: list each scenario once."
        )
    for name, arr in scenarios:
        rows = np.shape(arr.values)[0]
        if rows < horizon:
            raise ScenarioError(
                f"scenario '{name}' covers {rows} quarters but simulation.horizon is "
                f"{horizon}. To fix: extend the scenario's path or shorten the horizon."
            )
        pinned = np.asarray(arr.pinned[:horizon], dtype=bool)
        if not np.all(np.isfinite(np.asarray(arr.values[:horizon])[pinned])):
            raise ScenarioError(
                f"scenario '{name}' pins a variable to a missing (NaN) value. To fix: give "
                "every pinned quarter a number, or leave that variable unpinned."
            )
    stacked = ScenarioArrays(
        values=np.stack([np.nan_to_num(np.asarray(a.values[:horizon])) for _, a in scenarios]),
        pinned=np.stack([np.asarray(a.pinned[:horizon], dtype=bool) for _, a in scenarios]),
        path_sd=np.stack([np.asarray(a.path_sd) for _, a in scenarios]),
        priced_in=np.stack([np.asarray(a.priced_in[:horizon]) for _, a in scenarios]),
    )
    return names, stacked


class ChunkPlan(NamedTuple):
    """How a run is cut: the samples simulated, samples per chunk, kept paths per draw."""

    sample_index: np.ndarray
    chunk: int
    keep: int


def plan_chunks(sim_config: SimulationConfig, n_scenarios: int, n_posterior: int) -> ChunkPlan:
    """Choose the samples a run simulates from ``n_posterior`` draws, and its chunks.

    A chunk holds ``chunk_size`` samples, fewer when ``chunk_path_steps`` asks for it.
    """
    chosen = select_samples(n_posterior, sim_config.max_draws)
    per_sample = n_scenarios * sim_config.paths_per_draw * sim_config.horizon
    chunk = max(
        1, min(sim_config.chunk_size, sim_config.chunk_path_steps // per_sample, len(chosen))
    )
    return ChunkPlan(chosen, chunk, min(sim_config.keep_paths, sim_config.paths_per_draw))


class ChunkJob(NamedTuple):
    """Everything a chunk needs, as plain NumPy (picklable): sent to each Dask worker once.

    ``params`` holds only the simulated samples (``sample_index`` gives their posterior
    indices); a chunk is named by its first position on the run's ``sample`` axis.
    """

    seed: int
    names: tuple[str, ...]
    params: PosteriorParams
    sample_index: np.ndarray
    initial: InitialState
    scenarios: ScenarioArrays
    n_paths: int
    horizon: int
    keep: int
    chunk: int
    shocks: ShockSpec
    dtype: str
    reducer: Reducer
    pooler: Reducer | None
    antithetic: bool = False
    strata: tuple[int, ...] = ()


class ChunkOutput(NamedTuple):
    """What one chunk sends back: its first ``keep`` paths and its reductions."""

    start: int
    stop: int
    kept: SimPaths
    metrics: Mapping[str, np.ndarray]
    pooled: Mapping[str, np.ndarray]


@functools.lru_cache(maxsize=64)
def _keys(seed: int, names: tuple[str, ...]) -> jax.Array:
    return scenario_keys(seed, names)


_FIRST_CALL = threading.Lock()
_COMPILED: set[tuple[object, ...]] = set()


def compute_chunk(job: ChunkJob, start: int) -> ChunkOutput:
    """Simulate and reduce the chunk of samples at positions ``start:start + job.chunk``.

    A pure function of ``job`` and ``start``: the same output in any process, thread or
    order. The last chunk is padded to the full chunk size (and the padding dropped) so
    the kernel compiles once per process; the first call of a shape holds a lock so that
    concurrent threads of one worker do not compile it twice.
    """
    if job.dtype == "float64" and not jax.config.jax_enable_x64:
        use_precision(job.dtype)  # a fresh worker process: before any array is made
    n = len(job.sample_index)
    stop = min(start + job.chunk, n)
    positions = np.arange(start, stop)
    padded = np.concatenate([positions, np.full(job.chunk - len(positions), stop - 1)])
    signature = (
        job.chunk,
        job.n_paths,
        job.horizon,
        len(job.names),
        job.shocks,
        job.dtype,
        job.antithetic,
        job.strata,
    )
    first = signature not in _COMPILED
    with _FIRST_CALL if first else contextlib.nullcontext():
        out = simulate_chunk(
            _keys(job.seed, job.names),
            PosteriorParams(*(a[padded] for a in job.params)),
            job.initial,
            job.scenarios,
            n_paths=job.n_paths,
            horizon=job.horizon,
            shocks=job.shocks,
            dtype=job.dtype,  # type: ignore[arg-type]
            sample_index=job.sample_index[padded].astype(np.uint32),
            quarter_major=True,
            antithetic=job.antithetic,
            strata=job.strata,
        )
        # (horizon, S, N, P) -> a (S, N, P, horizon) view: no copy
        out_np = SimPaths(*(np.moveaxis(a, 0, -1)[:, : stop - start] for a in jax.device_get(out)))
        info = ChunkInfo(start, stop, job.sample_index[start:stop], job.names, out)
        # before the pooler: the run's reducer refuses non-finite paths before any are binned
        metrics = dict(job.reducer(out_np, info))
        _COMPILED.add(signature)
    kept = SimPaths(*(np.ascontiguousarray(f[:, :, : job.keep]) for f in out_np))
    pooled = {} if job.pooler is None else job.pooler(out_np, info)
    return ChunkOutput(start, stop, kept, metrics, pooled)


#: Called with (start, stop, kept paths of samples ``start:stop``), in sample order.
KeepSink = Callable[[int, int, SimPaths], None]


def run_simulation(
    key_seed: int,
    params: PosteriorParams,
    initial: InitialState,
    scenarios: Sequence[tuple[str, ScenarioArrays]],
    sim_config: SimulationConfig,
    shocks: ShockSpec,
    reducer: Reducer,
    progress: Progress | None = None,
    pooler: Reducer | None = None,
    runner: Runner | None = None,
    keep_sink: KeepSink | None = None,
) -> SimulationResult:
    """Simulate every scenario for (up to ``max_draws``) posterior samples, chunk by chunk.

    Parameters
    ----------
    key_seed : int
        Seed of every PRNG key (usually ``sim_config.seed``).
    params : PosteriorParams
        Full posterior, each field ``(sample,)``; ``max_draws`` of them are used.
    initial : InitialState
        Last observed quarter.
    scenarios : sequence of (name, ScenarioArrays)
        Each scenario's arrays, ``values``/``pinned`` of shape ``(>= horizon, 3)``.
    sim_config : SimulationConfig
        Sizes, dtype, chunking.
    shocks : ShockSpec
        Shock families of the fitted model.
    reducer : rutsim.types.Reducer
        ``(SimPaths as numpy, ChunkInfo) -> mapping of arrays`` with leading axes
        ``(scenario, sample)``; sees every path of the chunk (and, in
        ``ChunkInfo.kernel_paths``, the kernel's own output). Runs where the chunk runs
        (a Dask worker), so it must be picklable: e.g. the run's jitted per-draw risk
        reducer :class:`rutsim.risk.draw_reducer.DrawReducer`.
    progress : callable, optional
        ``(done, total)`` after each chunk.
    pooler : callable, optional
        Like ``reducer``, but its outputs (any shape, the same for every chunk) are summed
        over chunks, in chunk order: e.g. :func:`rutsim.risk.bin_paths`, whose sums pool
        every path of every draw.
    runner : rutsim.cluster.Runner, optional
        Where chunks run: default :func:`rutsim.cluster.thread_runner` with
        ``sim_config.workers`` threads; :func:`rutsim.cluster.dask_runner` for a cluster.
        Results are handed back in chunk order either way, so they never depend on it.
    keep_sink : callable, optional
        Receives each chunk's kept paths (in chunk order) instead of the driver holding
        them all: e.g. a region writer of ``simulation.zarr``. ``paths`` of the result is
        then None.

    Returns
    -------
    SimulationResult
        Kept paths, concatenated reductions, summed pooled outputs and timings.
    """
    horizon, n_paths = sim_config.horizon, sim_config.paths_per_draw
    names, stacked = _stack_scenarios(scenarios, horizon)
    chosen, chunk, keep = plan_chunks(sim_config, len(names), int(np.shape(params.ff_a)[0]))
    n = len(chosen)
    np_dtype = np.dtype(sim_config.dtype)
    job = ChunkJob(
        seed=key_seed,
        names=names,
        params=PosteriorParams(*(np.asarray(a)[chosen] for a in params)),
        sample_index=chosen,
        initial=InitialState(*(np.asarray(a) for a in initial)),
        scenarios=stacked,
        n_paths=n_paths,
        horizon=horizon,
        keep=keep,
        chunk=chunk,
        shocks=shocks,
        dtype=sim_config.dtype,
        reducer=reducer,
        pooler=pooler,
        antithetic=sim_config.antithetic,
        strata=sim_config.strata,
    )
    kept = (
        None
        if keep_sink is not None
        else SimPaths(
            *(np.empty((len(names), n, keep, horizon), np_dtype) for _ in SimPaths._fields)
        )
    )
    pieces: dict[str, list[np.ndarray]] = {}
    pooled: dict[str, np.ndarray] = {}
    timings: dict[str, float] = {}

    def collect(out: ChunkOutput) -> None:
        if kept is None:
            keep_sink(out.start, out.stop, out.kept)  # type: ignore[misc]
        else:
            for field, dst in zip(out.kept, kept, strict=True):
                dst[:, out.start : out.stop] = field
        for name, value in out.metrics.items():
            pieces.setdefault(name, []).append(np.asarray(value))
        for name, value in out.pooled.items():
            # In chunk order, so the float sums do not depend on thread or worker timing.
            pooled[name] = pooled[name] + value if name in pooled else np.array(value)
        timings.setdefault("first_chunk_s", time.perf_counter() - t0)
        if progress is not None:
            progress(out.stop, n)

    t0 = time.perf_counter()
    (runner or thread_runner(sim_config.workers))(
        compute_chunk, job, list(range(0, n, chunk)), collect
    )
    metrics = {name: np.concatenate(parts, axis=1) for name, parts in pieces.items()}
    return SimulationResult(
        scenario_names=names,
        sample_index=chosen,
        paths=kept,
        metrics=metrics,
        n_paths=n_paths,
        horizon=horizon,
        dtype=sim_config.dtype,
        chunk_size=chunk,
        pooled=pooled,
        timings={**timings, "simulate_s": time.perf_counter() - t0},
    )
