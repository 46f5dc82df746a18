"""Runs on a Dask cluster (2 worker processes): bit-identical to local, one compile per
worker, a killed worker survived, Zarr streaming, and every bad input named.

The driver-level tests share one ``LocalCluster`` (2 processes x 1 thread); the
pipeline tests start their own through the config, as ``rutsim run`` does.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rutsim.pipeline
from helpers import TINY, fake_fit
from rutsim.cluster import dask_runner, thread_runner
from rutsim.config import SimulationConfig
from rutsim.errors import ClusterError, ConfigError, RunOutputError, ScenarioError
from rutsim.files import write_netcdf
from rutsim.pipeline import run
from rutsim.risk import bin_paths, draw_metrics
from rutsim.runs import load_run
from rutsim.simulate import (
    ScenarioArrays,
    SimPaths,
    run_simulation,
    synthetic_initial,
    synthetic_posterior,
    trace_count,
)
from rutsim.status import reporting
from rutsim.types import ChunkInfo, ShockSpec

distributed = pytest.importorskip("distributed", reason="the scale extra is not installed")

ROOT = Path(__file__).resolve().parents[1]
H = 6


def _scenario(level: float, pinned: bool) -> ScenarioArrays:
    values = np.zeros((H, 4))
    values[:, 0] = np.linspace(level, level - 1.0, H)
    mask = np.zeros((H, 4), dtype=bool)
    mask[:, 0] = pinned
    return ScenarioArrays(values, mask, np.zeros(4), np.zeros(values.shape[0]))


SCENARIOS = [("base", _scenario(4.0, True)), ("free", _scenario(4.0, False))]


def reduce(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
    return draw_metrics(paths)


def slow_reduce(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
    time.sleep(0.3)  # keeps tasks in flight long enough to kill a worker under them
    return draw_metrics(paths)


def pool(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
    return bin_paths(paths)


SIM = SimulationConfig(
    paths_per_draw=40, horizon=H, max_draws=24, chunk_size=3, keep_paths=4, workers=2
)


def _run(runner, reducer=reduce, progress=None):
    return run_simulation(
        13,
        synthetic_posterior(30, seed=2),
        synthetic_initial(),
        SCENARIOS,
        SIM,
        ShockSpec(),
        reducer,
        progress=progress,
        pooler=pool,
        runner=runner,
    )


def _assert_identical(a, b) -> None:
    np.testing.assert_array_equal(a.sample_index, b.sample_index)
    for field in SimPaths._fields:
        np.testing.assert_array_equal(getattr(a.paths, field), getattr(b.paths, field))
    assert a.metrics.keys() == b.metrics.keys()
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name], err_msg=name)
    assert a.pooled.keys() == b.pooled.keys() and a.pooled
    for name in a.pooled:
        np.testing.assert_array_equal(a.pooled[name], b.pooled[name], err_msg=name)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def local():
    return _run(thread_runner(2))


def test_dask_run_is_bit_identical_and_compiles_once_per_worker(
    client, local, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = client.run(trace_count)
    progress: list[int] = []
    scattered: list[object] = []
    scatter = client.scatter

    def counting_scatter(data, **kwargs):
        scattered.append(data)
        return scatter(data, **kwargs)

    monkeypatch.setattr(client, "scatter", counting_scatter)
    on_dask = _run(dask_runner(client), progress=lambda done, total: progress.append(done))
    monkeypatch.undo()
    # The posterior and scenarios went to the workers once, not with each of 8 tasks.
    assert len(scattered) == 1 and type(scattered[0][0]).__name__ == "ChunkJob"
    _assert_identical(local, on_dask)
    assert progress == sorted(progress) and progress[-1] == SIM.max_draws
    first = client.run(trace_count)
    ran = {w: first[w] - before.get(w, 0) for w in first}
    # 8 chunks over 2 workers: each worker traced the kernel exactly once.
    assert sorted(ran.values()) == [1, 1]
    again = _run(dask_runner(client))
    _assert_identical(local, again)
    assert client.run(trace_count) == first, "a second run recompiled the kernel"


def test_a_killed_worker_is_survived_and_the_run_is_identical(client, local) -> None:
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if not killed:  # after the first chunk, with others running on both workers
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    pids_before = set(client.run(os.getpid).values())
    again = _run(dask_runner(client), reducer=slow_reduce, progress=kill_one)
    assert killed and killed[0] in pids_before
    _assert_identical(local, again)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the worker process
    assert killed[0] not in set(client.run(os.getpid).values())


def test_a_task_error_reaches_the_caller_as_itself(client) -> None:
    def boom(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
        raise ScenarioError(f"scenario 'free': overflow in chunk {chunk.start}")

    with pytest.raises(ScenarioError, match="overflow in chunk"):
        _run(dask_runner(client), reducer=boom)


def test_a_worker_writes_netcdf_as_a_backtest_origin_saves_its_fit(client, tmp_path) -> None:
    # xarray inside a worker would take a cluster-wide lock named after the in-memory file.
    ds = xr.Dataset({"x": ("n", np.arange(5.0))})
    client.submit(write_netcdf, ds, tmp_path / "fit.nc", compress=True, pure=False).result()
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "fit.nc", engine="h5netcdf"), ds)


# ---- the pipeline: rutsim run with executor = "dask" ------------------------------------


DASK = [
    "simulation.executor=dask",
    "dask.n_workers=2",
    'dask.dashboard_address=":0"',
    "outputs.stream_above_mb=0",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "tiny.toml").write_text(TINY.format(scenarios=ROOT / "scenarios"))
    monkeypatch.setattr(rutsim.pipeline, "fit_or_load", fake_fit)
    return tmp_path


def test_a_dask_run_streams_zarr_identical_to_a_local_netcdf_run(project: Path, cli) -> None:
    config = project / "configs" / "tiny.toml"
    lines: list[str] = []
    local = run(config, name="local", progress=False, echo=None, fit=fake_fit)
    with reporting(lines.append):
        on_dask = run(config, name="dask", progress=False, echo=None, fit=fake_fit, overrides=DASK)
    assert any(line.startswith("starting a local Dask cluster: 2 worker") for line in lines)
    assert any(line.startswith("Dask dashboard: http://") for line in lines)
    assert (local.folder / "simulation.nc").is_file()
    assert not (on_dask.folder / "simulation.nc").exists()
    assert (on_dask.folder / "simulation.zarr").is_dir()
    assert on_dask.manifest.executor == "dask" and local.manifest.executor == "local"

    # Plain xarray, no rutsim: the same stored values as the NetCDF run.
    nc = xr.open_dataset(local.folder / "simulation.nc", engine="h5netcdf")
    zarr = xr.open_zarr(on_dask.folder / "simulation.zarr")
    assert set(nc.data_vars) == set(zarr.data_vars)
    for v in nc.data_vars:
        np.testing.assert_array_equal(nc[v].values, zarr[v].values, err_msg=v)
    for coord in ("scenario", "sample", "chain", "draw", "quarter"):
        np.testing.assert_array_equal(nc[coord].values, zarr[coord].values)
    assert zarr.attrs["seed"] == nc.attrs["seed"] and zarr.attrs["model_id"]
    for name in ("draw_metrics.nc", "pooled.nc"):
        a = xr.open_dataset(local.folder / name, engine="h5netcdf")
        b = xr.open_dataset(on_dask.folder / name, engine="h5netcdf")
        for v in a.data_vars:
            np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=f"{name}: {v}")

    # rutsim's reader (the report) reads either, with the derived returns added back.
    read_nc, read_zarr = load_run(local.folder), load_run(on_dask.folder)
    for v in ("price_return", "total_return", "fedfunds"):
        np.testing.assert_array_equal(read_nc.simulation[v].values, read_zarr.simulation[v].values)
    assert not list(project.joinpath("outputs").glob("*.tmp"))

    # `rutsim report` rebuilds the tables and the page of a streamed run.
    code, _, err = cli("report", str(on_dask.folder), "--overwrite", "--quiet")
    assert code == 0, err
    assert (on_dask.folder / "report.html").is_file()
    rebuilt = pd.read_parquet(on_dask.folder / "metrics.parquet")
    pd.testing.assert_frame_equal(rebuilt, pd.read_parquet(local.folder / "metrics.parquet"))


def test_an_unreachable_scheduler_fails_within_its_timeout_and_writes_nothing(
    project: Path,
) -> None:
    def never(config, **kwargs):
        raise AssertionError("the fit ran although the cluster was unreachable")

    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:9 within 3 s") as err:
        run(
            project / "configs" / "tiny.toml",
            name="x",
            progress=False,
            echo=None,
            fit=never,
            overrides=[
                "simulation.executor=dask",
                'dask.scheduler="tcp://127.0.0.1:9"',
                "dask.timeout_s=3",
            ],
        )
    assert time.perf_counter() - t0 < 3 + 10
    assert "To fix" in str(err.value) and "Nothing was written" in str(err.value)
    assert list((project / "outputs").iterdir()) == []


def test_zero_workers_is_a_config_error_naming_the_key(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"dask\.n_workers.*must be at least 1"):
        run(
            project / "configs" / "tiny.toml",
            name="x",
            progress=False,
            echo=None,
            fit=fake_fit,
            overrides=["simulation.executor=dask", "dask.n_workers=0"],
        )


def test_a_dask_section_with_the_local_executor_is_a_note(project: Path) -> None:
    echoed: list[str] = []
    res = run(
        project / "configs" / "tiny.toml",
        name="x",
        progress=False,
        echo=echoed.append,
        fit=fake_fit,
        overrides=["dask.n_workers=4"],
    )
    assert any("[dask] section but simulation.executor" in line for line in echoed)
    assert any("[dask] section" in note for note in res.manifest.scenario_notes)
    assert res.manifest.executor == "local"


@pytest.mark.parametrize(
    ("missing", "overrides", "error"),
    [
        ("distributed", ["simulation.executor=dask"], ClusterError),
        ("zarr", ["outputs.stream_above_mb=0"], RunOutputError),
    ],
)
def test_without_the_scale_extra_one_error_names_it_before_any_work(
    project: Path, monkeypatch: pytest.MonkeyPatch, missing, overrides, error
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # import now raises ImportError

    def never(config, **kwargs):
        raise AssertionError("the fit ran before the missing extra was reported")

    with pytest.raises(error, match=r'pip install -e "\.\[scale\]"'):
        run(
            project / "configs" / "tiny.toml",
            name="x",
            progress=False,
            echo=None,
            fit=never,
            overrides=overrides,
        )
    assert list((project / "outputs").iterdir()) == []
