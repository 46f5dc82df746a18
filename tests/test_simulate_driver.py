"""The chunked driver: chunking never changes draws, kept paths, reductions, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutsim.config import SimulationConfig
from rutsim.errors import ScenarioError
from rutsim.scenario import scenario_arrays
from rutsim.simulate import (
    ScenarioArrays,
    SimPaths,
    run_simulation,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.simulate._kernel import trace_count
from rutsim.types import MACRO_VARIABLES, ChunkInfo, ShockSpec, select_samples

H = 4


def _scenario(ff_pinned: bool) -> ScenarioArrays:
    values = np.zeros((H, 4))
    values[:, 0] = [4.0, 3.8, 3.6, 3.5]
    pinned = np.zeros((H, 4), dtype=bool)
    pinned[:, 0] = ff_pinned
    return ScenarioArrays(values, pinned, np.zeros(4), np.zeros(values.shape[0]))


SCENARIOS = [("base", _scenario(True)), ("free", _scenario(False))]


def _reducer(calls: list[ChunkInfo]):
    def reduce(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
        calls.append(chunk)
        assert isinstance(paths.total_return, np.ndarray)
        cum = paths.total_return.sum(axis=-1)  # (scenario, sample, path)
        return {"mean_cum": cum.mean(axis=2), "loss_prob": (cum < 0).mean(axis=2)}

    return reduce


def _simulate(scenarios=SCENARIOS, n_total: int = 7, **cfg):
    cfg = {"paths_per_draw": 6, "horizon": H, "keep_paths": 2, "chunk_size": 3} | cfg
    calls: list[ChunkInfo] = []
    progress: list[tuple[int, int]] = []
    res = run_simulation(
        11,
        synthetic_posterior(n_total),
        synthetic_initial(),
        scenarios,
        SimulationConfig(**cfg),
        ShockSpec(),
        _reducer(calls),
        progress=lambda done, total: progress.append((done, total)),
    )
    return res, calls, progress


def test_chunks_cover_all_samples_and_keep_the_first_paths() -> None:
    res, calls, progress = _simulate(workers=2)
    assert res.paths.total_return.shape == (2, 7, 2, H)
    assert res.metrics["mean_cum"].shape == (2, 7)
    # chunks may run concurrently, but results are collected (and reported) in order
    assert sorted((c.start, c.stop) for c in calls) == [(0, 3), (3, 6), (6, 7)]
    assert progress == [(3, 7), (6, 7), (7, 7)]
    assert res.scenario_names == ("base", "free")
    assert res.chunk_size == 3
    np.testing.assert_array_equal(res.sample_index, np.arange(7))
    assert np.isfinite(res.paths.total_return).all()


def test_chunk_size_and_workers_never_change_the_draws() -> None:
    a, _, _ = _simulate(chunk_size=3)
    b, _, _ = _simulate(chunk_size=7, workers=1)
    c, _, _ = _simulate(chunk_size=2, keep_paths=6, workers=3)
    for x, y in zip(a.paths, b.paths, strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(c.paths.total_return[:, :, :2], a.paths.total_return)
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])
        np.testing.assert_allclose(c.metrics[name], a.metrics[name], rtol=1e-6)


def test_scenario_set_never_changes_a_scenarios_draws() -> None:
    both, _, _ = _simulate()
    only_free, _, _ = _simulate(scenarios=[SCENARIOS[1]])
    np.testing.assert_array_equal(only_free.paths.fedfunds[0], both.paths.fedfunds[1])
    np.testing.assert_array_equal(only_free.metrics["mean_cum"][0], both.metrics["mean_cum"][1])


def test_last_partial_chunk_is_padded_not_recompiled() -> None:
    _simulate(chunk_size=4, n_total=8)  # warm the (2 scenarios, 4 samples) shape
    before = trace_count()
    _simulate(chunk_size=4, n_total=5)  # chunks of 4 and 1 (padded to 4)
    assert trace_count() == before


def test_path_step_cap_lowers_the_chunk_size() -> None:
    # 2 scenarios x 6 paths x 4 quarters = 48 path-steps per sample: a cap of 100 fits 2
    res, calls, _ = _simulate(chunk_path_steps=100)
    assert res.chunk_size == 2
    assert max(c.stop - c.start for c in calls) == 2


def test_max_draws_thins_evenly_across_the_posterior() -> None:
    np.testing.assert_array_equal(select_samples(10, 4), [0, 3, 6, 9])
    np.testing.assert_array_equal(select_samples(3, 4), [0, 1, 2])
    res, _, _ = _simulate(max_draws=4, n_total=10)
    np.testing.assert_array_equal(res.sample_index, [0, 3, 6, 9])
    full, _, _ = _simulate(n_total=10)
    np.testing.assert_array_equal(res.paths.slope, full.paths.slope[:, [0, 3, 6, 9]])


def test_bad_scenarios_give_one_clear_message() -> None:
    short = ScenarioArrays(np.zeros((2, 4)), np.zeros((2, 4), bool), np.zeros(4), np.zeros(2))
    with pytest.raises(ScenarioError, match="'short' covers 2 quarters but simulation.horizon"):
        _simulate(scenarios=[("short", short)])
    with pytest.raises(ScenarioError, match="repeat"):
        _simulate(scenarios=[SCENARIOS[0], SCENARIOS[0]])
    nan = _scenario(True)
    nan.values[1, 0] = np.nan
    with pytest.raises(ScenarioError, match="'gap' pins a variable to a missing"):
        _simulate(scenarios=[("gap", nan)])
    with pytest.raises(ScenarioError, match="no scenarios"):
        _simulate(scenarios=[])


def test_chunk_size_changes_at_most_the_last_bits_and_workers_nothing(small_fit) -> None:
    """The documented claim (docs/architecture.md, Contract 3), on the real model.

    One chunk size gives the same bytes whatever the worker count. Another chunk size
    selects the same random numbers, but XLA compiles one kernel per chunk shape and may
    order floating-point operations differently, so values agree to float32 rounding.
    """
    from rutsim.scenario import load_scenario

    base = load_scenario("base", Path(__file__).resolve().parents[1] / "scenarios")
    arrays = scenario_arrays(
        base,
        first_quarter=pd.Period("2025Q4", freq="Q"),
        horizon=12,
        last_observed=dict(zip(MACRO_VARIABLES, [4.3, 0.55, 1.8, 4.3], strict=True)),
    )

    def simulate(chunk_size: int, workers: int = 2) -> SimPaths:
        cfg = SimulationConfig(
            paths_per_draw=100,
            horizon=12,
            max_draws=24,
            chunk_size=chunk_size,
            keep_paths=100,
            workers=workers,
        )
        reduce = lambda paths, chunk: {"m": paths.total_return.sum(-1).mean(-1)}  # noqa: E731
        return run_simulation(
            7,
            small_fit.params,
            small_fit.initial,
            [("base", arrays)],
            cfg,
            small_fit.shocks,
            reduce,
        ).paths

    reference = simulate(6)
    for field, a, b in zip(SimPaths._fields, simulate(6, workers=1), reference, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=field)
    for size in (1, 2, 5, 24):
        for field, a, b in zip(SimPaths._fields, simulate(size), reference, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{field} @ {size}")
