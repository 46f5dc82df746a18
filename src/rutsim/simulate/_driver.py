"""The chunked driver: all scenarios, all posterior samples, bounded memory.

Posterior samples are simulated ``chunk`` at a time. From each chunk the driver keeps the
first ``keep_paths`` full paths of every sample and hands the whole chunk (all paths) to
a reducer, whose per-draw outputs are concatenated along the sample axis. Peak memory is
therefore one chunk plus the kept paths plus the reductions, whatever the number of
samples (times ``workers``, the chunks simulated concurrently). The last chunk is padded
to the full chunk size (and the padding dropped) so the kernel compiles once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

import jax
import numpy as np

from rutsim.config import SimulationConfig
from rutsim.errors import ScenarioError
from rutsim.simulate._kernel import scenario_keys, simulate_chunk
from rutsim.types import (
    InitialState,
    PosteriorParams,
    ScenarioArrays,
    ShockSpec,
    SimPaths,
    SimulationResult,
)


class ChunkInfo(NamedTuple):
    """Where a chunk sits: run sample positions ``start:stop`` and their posterior indices.

    Attributes
    ----------
    start, stop : int
        Positions of the chunk on the run's ``sample`` axis.
    sample_index : int array, shape ``(stop - start,)``
        Index of each sample in the full posterior (chain-major ``chain x draw``).
    scenario_names : tuple of str
        Names along the scenario axis.
    """

    start: int
    stop: int
    sample_index: np.ndarray
    scenario_names: tuple[str, ...]


#: ``(paths as numpy, each field (scenario, sample, path, horizon), chunk) -> arrays``
#: with leading axes ``(scenario, sample)``.
Reducer = Callable[[SimPaths, ChunkInfo], Mapping[str, np.ndarray]]

#: Called after each chunk with (samples done, samples in total).
Progress = Callable[[int, int], None]


def select_samples(n_total: int, max_draws: int) -> np.ndarray:
    """Posterior indices to simulate: all, or ``max_draws`` evenly spread over all chains."""
    if n_total <= max_draws:
        return np.arange(n_total)
    return np.round(np.linspace(0, n_total - 1, max_draws)).astype(np.int64)


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
    )
    return names, stacked


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
    reducer : callable
        ``(SimPaths as numpy, ChunkInfo) -> mapping of arrays`` with leading axes
        ``(scenario, sample)``; sees every path of the chunk.
    progress : callable, optional
        ``(done, total)`` after each chunk.
    pooler : callable, optional
        Like ``reducer``, but its outputs (any shape, the same for every chunk) are summed
        over chunks, in chunk order: e.g. :func:`rutsim.risk.bin_paths`, whose sums pool
        every path of every draw.

    Returns
    -------
    SimulationResult
        Kept paths, concatenated reductions, summed pooled outputs and timings.
    """
    horizon, n_paths = sim_config.horizon, sim_config.paths_per_draw
    names, stacked = _stack_scenarios(scenarios, horizon)
    keys = scenario_keys(key_seed, names)
    chosen = select_samples(int(np.shape(params.ff_a)[0]), sim_config.max_draws)
    n = len(chosen)
    per_sample = len(names) * n_paths * horizon
    chunk = max(1, min(sim_config.chunk_size, sim_config.chunk_path_steps // per_sample, n))
    keep = min(sim_config.keep_paths, n_paths)
    np_dtype = np.dtype(sim_config.dtype)
    kept = SimPaths(*(np.empty((len(names), n, keep, horizon), np_dtype) for _ in SimPaths._fields))
    pieces: dict[str, list[np.ndarray]] = {}
    pooled: dict[str, np.ndarray] = {}
    host_params = PosteriorParams(*(np.asarray(a) for a in params))

    def one_chunk(start: int) -> tuple[int, Mapping[str, np.ndarray], Mapping[str, np.ndarray]]:
        stop = min(start + chunk, n)
        index = chosen[start:stop]
        padded = np.concatenate([index, np.full(chunk - len(index), index[-1])])
        out = simulate_chunk(
            keys,
            PosteriorParams(*(a[padded] for a in host_params)),
            initial,
            stacked,
            n_paths=n_paths,
            horizon=horizon,
            shocks=shocks,
            dtype=sim_config.dtype,
            sample_index=padded.astype(np.uint32),
            quarter_major=True,
        )
        # (horizon, S, N, P) -> a (S, N, P, horizon) view: no copy
        out_np = SimPaths(*(np.moveaxis(a, 0, -1)[:, : stop - start] for a in jax.device_get(out)))
        for field, dst in zip(out_np, kept, strict=True):
            dst[:, start:stop] = field[:, :, :keep]  # disjoint slices: safe across threads
        info = ChunkInfo(start, stop, index, names)
        return stop, reducer(out_np, info), ({} if pooler is None else pooler(out_np, info))

    def collect(
        stop: int, reduced: Mapping[str, np.ndarray], sums: Mapping[str, np.ndarray]
    ) -> None:
        for name, value in reduced.items():
            pieces.setdefault(name, []).append(np.asarray(value))
        for name, value in sums.items():
            # In chunk order, so the float sums do not depend on thread timing.
            pooled[name] = pooled[name] + value if name in pooled else np.array(value)
        if progress is not None:
            progress(stop, n)

    t0 = time.perf_counter()
    starts = list(range(0, n, chunk))
    collect(*one_chunk(starts[0]))  # alone: compiles once before the threads start
    first_chunk_s = time.perf_counter() - t0
    # XLA on CPU runs one execution on about one core, so chunks run concurrently in
    # threads (JAX and NumPy release the GIL); at most `workers` chunks are in memory and
    # results are collected in order, so the output never depends on the thread timing.
    with ThreadPoolExecutor(max_workers=sim_config.workers) as pool:
        pending: deque[Future[tuple[int, Mapping[str, np.ndarray], Mapping[str, np.ndarray]]]]
        pending = deque()
        for start in starts[1:]:
            if len(pending) >= sim_config.workers:
                collect(*pending.popleft().result())
            pending.append(pool.submit(one_chunk, start))
        while pending:
            collect(*pending.popleft().result())
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
        timings={"first_chunk_s": first_chunk_s, "simulate_s": time.perf_counter() - t0},
    )
