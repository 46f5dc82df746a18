"""Builders shared by several test modules."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from rutsim.cli import main
from rutsim.config import RunConfig
from rutsim.risk import draw_metrics
from rutsim.runs import (
    DRAW_METRICS_FILE,
    RunManifest,
    RunSizes,
    ScenarioEntry,
    draw_metrics_dataset,
    sample_coords,
    simulation_dataset,
    write_run,
)
from rutsim.simulate import synthetic_initial, synthetic_posterior
from rutsim.types import PosteriorParams, ShockSpec, SimPaths, SimulationResult

#: The Fed's first cuts of each easing cycle since 1987 (FOMC decision months).
FIRST_CUTS_SINCE_1987 = (
    "1989-06",
    "1995-07",
    "1998-09",
    "2001-01",
    "2007-09",
    "2019-07",
    "2024-09",
)


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run ``rutsim ARGS`` in-process through the real entry point; (exit code, out, err)."""
    monkeypatch.setattr(sys, "argv", ["rutsim", *args])
    monkeypatch.setenv("COLUMNS", "160")
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


#: A status line on stderr (``rutsim.cli._common.status_lines``): ``[m:ss] phase``.
STATUS_LINE = re.compile(r"\[\d+:\d\d\] ")


def without_status(err: str) -> str:
    """Stderr without the status lines that announce phases before an error."""
    return "".join(ln for ln in err.splitlines(keepends=True) if not STATUS_LINE.match(ln))


SCENARIOS = {
    "base": ("SEP median path: 3.6% end-2025, 3.4% end-2026", 0.5, 0.012, 3.6),
    "delayed_pivot": ("Fed holds near 4.25% into 2026; spreads widen", 0.3, -0.004, 4.3),
    "aggressive_easing": ("Cuts toward 2.75% by end-2026; bull steepener", 0.2, 0.02, 2.9),
}
RETURN_UNITS = "1 (quarterly log return)"
#: The fed funds path a synthetic run folder records as priced in (8 quarters, then held).
PRICED_IN = (4.1, 4.0, 3.9, 3.8, 3.7, 3.6, 3.5, 3.4)


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
    unemployment = 4.3 + np.cumsum(0.1 * rng.standard_normal(shape), axis=-1)
    real_yield = 1.8 + np.cumsum(0.1 * rng.standard_normal(shape), axis=-1)
    out = {
        "fedfunds": ff,
        "slope": slope,
        "spread": spread,
        "unemployment": unemployment,
        "real_yield": real_yield,
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
    """Write ``root/outputs/<run-id>/`` with rutsim's own run-folder writer; return it.

    Synthetic paths (:func:`make_paths`) stand in for a simulation: every kept path is
    also a simulated one (``paths_per_draw == keep_paths``).
    """
    run_id = "20250918-synthetic"
    folder = root / "outputs" / run_id
    folder.mkdir(parents=True)
    names = tuple(scenarios)
    arrays = make_paths(n_sample, n_path, n_horizon, seed, scenarios)
    paths = SimPaths(**{k: arrays[k] for k in SimPaths._fields})
    result = SimulationResult(
        scenario_names=names,
        sample_index=np.arange(n_sample),
        paths=paths,
        metrics=draw_metrics(paths),
        n_paths=n_path,
        horizon=n_horizon,
        dtype="float32",
        chunk_size=n_sample,
        timings={"first_chunk_s": 0.5, "simulate_s": 1.0},
    )
    quarters = [f"{2025 + (3 + h) // 4}Q{(3 + h) % 4 + 1}" for h in range(n_horizon)]
    per_chain = max(1, n_sample // 2)
    provenance = {
        "run_id": run_id,
        "config_hash": "c0ffee",
        "model_id": "m123",
        "data_hash": "d4t4",
        "seed": 7,
        "as_of": "2025Q3",
    }
    sim = simulation_dataset(
        result,
        quarters=quarters,
        draws_per_chain=per_chain,
        attrs={**provenance, "config_json": "{}", "versions_json": "{}"},
    )
    dm = draw_metrics_dataset(
        result.metrics, coords=sample_coords(result, quarters, per_chain), attrs=provenance
    )
    manifest = RunManifest(
        **provenance,
        created_utc="2025-09-18T00:00:00+00:00",
        model_dir=str(root / "models" / "m123"),
        first_quarter=quarters[0],
        versions={"rutsim": "0.1.0"},
        sizes=RunSizes(
            scenarios=len(names),
            samples=n_sample,
            paths_per_draw=n_path,
            kept_paths=n_path,
            horizon=n_horizon,
            chunk_size=n_sample,
            dtype="float32",
        ),
        scenarios=tuple(
            ScenarioEntry(name=n, description=d, weight=w, file=f"scenarios/{n}.toml")
            for n, (d, w, _, _) in scenarios.items()
        ),
        timings_s={"simulate": 1.0},
        priced_in=PRICED_IN,
    )
    config = RunConfig.model_validate(
        {"simulation": {"seed": 7}, "outputs": {"headline_horizons": [4, 8, 12]}}
    )
    write_run(
        folder,
        simulation=sim,
        draw_metrics=dm,
        config=config,
        manifest=manifest,
        drivers=_drivers(list(names), n_horizon),
    )
    if not with_draw_metrics:
        # A run folder of the format before draw_metrics.nc (and before file hashes).
        (folder / DRAW_METRICS_FILE).unlink()
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["files"] = {}
        (folder / "manifest.json").write_text(json.dumps(manifest))
    if with_model:
        _make_model(root / "models" / "m123")
    return folder


def _drivers(names: list[str], n_horizon: int) -> pd.DataFrame:
    """drivers.csv as ``rutsim run`` computes it, from synthetic draws and ramped paths."""
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
    return driver_table(params, init._asdict(), central)


def _make_model(folder: Path) -> None:
    """A stand-in model folder with the files the report shows (plots, tables)."""
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


#: The one real NUTS fit of the fast tier: a short window, two short chains. It is the
#: integration test of PyMC, nutpie and the model store; tests that need a real posterior
#: share it (full-size fits run under ``-m slow``).
SMALL_FIT = {
    "data": {"start": "2012Q1", "end": "2025Q3"},
    "sampler": {"chains": 2, "draws": 150, "tune": 150, "seed": 11},
}

SMALL_FIT_TOML = """
[data]
start = "2012Q1"
end = "2025Q3"
[sampler]
chains = 2
draws = 150
tune = 150
seed = 11
[outputs]
models_dir = "{models}"
figures = false
"""


def small_fit_config(models_dir: Path, figures: bool = True, **sections: dict) -> RunConfig:
    """The config of the shared small fit, saved under ``models_dir``; sections add keys."""
    raw = {k: dict(v) for k, v in SMALL_FIT.items()}
    for k, v in sections.items():
        raw.setdefault(k, {}).update(v)
    raw["outputs"] = {"models_dir": str(models_dir), "figures": figures}
    return RunConfig.model_validate(raw)


TINY = """
[simulation]
paths_per_draw = 8
horizon = 8
max_draws = 6
chunk_size = 4
keep_paths = 5
# Plain paths: the stand-in runs of the fast tier test the run folder, not the paths;
# stratified paths cost each test process a longer trace and are tested in
# tests/test_strata.py and by the real small fit, which keeps the default.
stratify_horizons = []

[scenarios]
dir = "{scenarios}"
names = ["base", "delayed_pivot"]

[outputs]
dir = "outputs"
models_dir = "models"
figures = false
report = false
"""


def fake_fitted(n_chains: int = 2, n_draws: int = 5) -> SimpleNamespace:
    n = n_chains * n_draws
    posterior = xr.DataTree.from_dict(
        {"posterior": xr.Dataset({"ff_a": (("chain", "draw"), np.zeros((n_chains, n_draws)))})}
    )
    return SimpleNamespace(
        model_id="synthetic0001",
        path=Path("/nonexistent/models/synthetic0001"),
        posterior=posterior,
        manifest=SimpleNamespace(
            model_id="synthetic0001",
            data_hash="f" * 64,
            as_of="2025Q3",
            diagnostics=SimpleNamespace(
                passed=True, divergences=0, max_r_hat=1.002, min_ess_bulk=900.0, min_ess_tail=800.0
            ),
            prior_driven=("q_phi", "q_sigma"),
        ),
        params=synthetic_posterior(n, seed=1),
        initial=synthetic_initial(),
        shocks=ShockSpec(),
        posterior_hash="0" * 64,
    )


def fake_fit(config: RunConfig, **kwargs: object) -> SimpleNamespace:
    """Stand-in for fit_or_load: synthetic posterior draws, no sampling."""
    return fake_fitted()


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file (hidden ones too) under ``folders``: relative path -> SHA-256."""
    import hashlib

    out: dict[str, str] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")):
            key = f"{folder.name}/{path.relative_to(folder)}"
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def one_shock_params(gs_sigma: float) -> PosteriorParams:
    """One parameter set whose only shock is small-cap earnings noise (normal, iid).

    Its cumulative return is the deterministic path plus ``gs_sigma`` times a sum of
    independent normals: the known answer of the Monte Carlo tests.
    """
    one = synthetic_posterior(1, seed=4)._asdict()
    for name in one:
        if name.endswith("_sigma"):
            one[name] = np.zeros(1)
    one["gs_sigma"] = np.full(1, gs_sigma)
    return PosteriorParams(**one)
