"""A synthetic run folder that follows Contract 4 (docs/architecture.md), for the risk and
report tests, and checks that it does (so the other tests test against the contract).

Other test modules import :func:`make_run_folder` from here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from rutsim.risk import draw_metrics, draw_metrics_dataset

SCENARIOS = {
    "base": ("SEP median path: 3.6% end-2025, 3.4% end-2026", 0.5, 0.012, 3.6),
    "delayed_pivot": ("Fed holds near 4.25% into 2026; spreads widen", 0.3, -0.004, 4.3),
    "aggressive_easing": ("Cuts toward 2.75% by end-2026; bull steepener", 0.2, 0.02, 2.9),
}
RETURN_UNITS = "1 (quarterly log return)"


def make_paths(
    n_sample: int, n_path: int, n_horizon: int, seed: int, scenarios: dict = SCENARIOS
) -> dict[str, np.ndarray]:
    """SimPaths-like float32 arrays ``(scenario, sample, path, horizon)``."""
    rng = np.random.default_rng(seed)
    shape = (len(scenarios), n_sample, n_path, n_horizon)
    drift = np.array([v[2] for v in scenarios.values()])[:, None, None, None]
    draw_mu = drift + 0.01 * rng.standard_normal(shape[:2] + (1, 1))
    draw_sd = 0.05 * np.exp(0.2 * rng.standard_normal(shape[:2] + (1, 1)))
    z = rng.standard_normal(shape)
    eg = draw_mu + draw_sd * z
    mc = -0.003 + 0.07 * (0.5 * z + 0.87 * rng.standard_normal(shape))
    carry = 0.004 + 0.0005 * rng.standard_normal(shape)
    lc = 0.015 + 0.06 * (0.6 * z + 0.8 * rng.standard_normal(shape))
    level = np.array([v[3] for v in scenarios.values()])[:, None, None, None]
    ff = level + np.cumsum(0.15 * rng.standard_normal(shape), axis=-1)
    slope = 0.5 + np.cumsum(0.1 * rng.standard_normal(shape), axis=-1)
    spread = 2.0 + np.cumsum(0.1 * rng.standard_normal(shape), axis=-1)
    log_mult = 2.8 + np.cumsum(mc, axis=-1)
    out = {
        "fedfunds": ff,
        "slope": slope,
        "spread": spread,
        "earnings_growth": eg,
        "log_multiple": log_mult,
        "multiple_change": mc,
        "carry": carry,
    }
    out = {k: v.astype(np.float32) for k, v in out.items()}
    out["price_return"] = out["earnings_growth"] + out["multiple_change"]
    out["total_return"] = out["price_return"] + out["carry"]
    out["largecap_return"] = lc.astype(np.float32)
    return out


class _Paths:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.__dict__.update(arrays)


def make_run_folder(
    root: Path,
    *,
    n_sample: int = 30,
    n_path: int = 40,
    n_horizon: int = 12,
    seed: int = 3,
    scenarios: dict = SCENARIOS,
    with_draw_metrics: bool = True,
    with_model: bool = True,
) -> Path:
    """Write ``root/outputs/<run-id>/`` as ``rutsim run`` does (Contract 4); return it."""
    run_id = "20250918-synthetic"
    folder = root / "outputs" / run_id
    folder.mkdir(parents=True)
    names = list(scenarios)
    arrays = make_paths(n_sample, n_path, n_horizon, seed, scenarios)
    quarters = [f"{2025 + (3 + h) // 4}Q{(3 + h) % 4 + 1}" for h in range(n_horizon)]
    coords = {
        "scenario": names,
        "sample": np.arange(n_sample),
        "chain": ("sample", np.arange(n_sample) // max(1, n_sample // 2)),
        "draw": ("sample", np.arange(n_sample) % max(1, n_sample // 2)),
        "path": np.arange(n_path),
        "horizon": np.arange(1, n_horizon + 1),
        "quarter": ("horizon", quarters),
    }
    dims = ("scenario", "sample", "path", "horizon")
    units = {"fedfunds": "%", "slope": "pp", "spread": "pp", "log_multiple": "log P/E"}
    ds = xr.Dataset(
        {
            k: (dims, v, {"units": units.get(k, RETURN_UNITS), "long_name": k.replace("_", " ")})
            for k, v in arrays.items()
        },
        coords=coords,
        attrs={
            "run_id": run_id,
            "config_json": "{}",
            "config_hash": "c0ffee",
            "model_id": "m123",
            "data_hash": "d4t4",
            "seed": 7,
            "versions_json": "{}",
            "as_of": "2025Q3",
        },
    )
    ds.to_netcdf(folder / "simulation.nc", engine="h5netcdf")
    if with_draw_metrics:
        dm = draw_metrics(_Paths(arrays))
        dmc = {k: coords[k] for k in ("scenario", "sample", "horizon", "chain", "draw", "quarter")}
        draw_metrics_dataset(dm, coords=dmc, attrs={"run_id": run_id}).to_netcdf(
            folder / "draw_metrics.nc", engine="h5netcdf"
        )
    manifest = {
        "run_id": run_id,
        "config_hash": "c0ffee",
        "model_id": "m123",
        "data_hash": "d4t4",
        "seed": 7,
        "as_of": "2025Q3",
        "versions": {"rutsim": "0.1.0"},
        "timings": {"simulate_s": 1.0},
        "scenarios": [
            {"name": n, "description": d, "weight": w, "file": f"scenarios/{n}.toml"}
            for n, (d, w, _, _) in scenarios.items()
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (folder / "config.toml").write_text(
        "[simulation]\nseed = 7\n\n[outputs]\nheadline_horizons = [4, 8, 12]\n"
    )
    _write_drivers(folder, names, n_horizon)
    if with_model:
        _make_model(root / "models" / "m123")
    return folder


def _write_drivers(folder: Path, names: list[str], n_horizon: int) -> None:
    """drivers.csv as ``rutsim run`` writes it, from synthetic draws and ramped paths."""
    from rutsim.model import driver_table
    from rutsim.simulate import synthetic_initial, synthetic_posterior

    init = synthetic_initial()
    start = {"fedfunds": init.ff, "slope": init.slope, "spread": init.spread}
    start |= {"real_yield": init.rr, "unemployment": init.un}
    ramp = np.linspace(0, 1, n_horizon)
    central = {
        name: {k: float(v) + (i - 1) * 0.5 * ramp for k, v in start.items()}
        for i, name in enumerate(names)
    }
    params = synthetic_posterior(20, seed=2)._asdict()
    table = driver_table(params, init._asdict(), central)
    table.to_csv(folder / "drivers.csv", index=False)


def _make_model(folder: Path) -> None:
    from matplotlib.figure import Figure

    (folder / "plots").mkdir(parents=True)
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot(np.sin(np.linspace(0, 6, 50)))
    ax.set_title("trace")
    fig.savefig(folder / "plots" / "trace.png")
    (folder / "manifest.json").write_text(json.dumps({"diagnostics": {"max_rhat": 1.004}}))
    (folder / "identification.csv").write_text(
        "parameter,prior_sd,posterior_sd,shrinkage\ngs_b_df,0.5,0.1,0.96\n"
    )
    from rutsim.model import long_run_effects
    from rutsim.simulate import synthetic_posterior

    theta = synthetic_posterior(50, seed=1)._asdict()
    theta.pop("q_last")
    long_run_effects(theta).to_csv(folder / "effects.csv", index=False)


def test_synthetic_run_folder_follows_contract_4(tmp_path: Path) -> None:
    folder = make_run_folder(tmp_path, n_sample=4, n_path=5, n_horizon=6)
    with xr.open_dataset(folder / "simulation.nc", engine="h5netcdf") as ds:
        assert tuple(ds["total_return"].dims) == ("scenario", "sample", "path", "horizon")
        assert list(ds["horizon"].values) == [1, 2, 3, 4, 5, 6]
        assert str(ds["quarter"].values[0]) == "2025Q4"
        np.testing.assert_allclose(
            ds["total_return"].values,
            ds["earnings_growth"] + ds["multiple_change"] + ds["carry"],
            rtol=1e-5,
            atol=1e-6,
        )
        for key in (
            "run_id",
            "config_json",
            "config_hash",
            "model_id",
            "data_hash",
            "seed",
            "versions_json",
            "as_of",
        ):
            assert key in ds.attrs
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [s["name"] for s in manifest["scenarios"]] == list(SCENARIOS)
