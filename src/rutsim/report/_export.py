"""``rutsim export RUN``: scenario return vectors for a risk system, with their definitions.

An export folder holds, for each scenario, ``N`` paths sampled from the run's kept paths
(spread over the posterior draws: the first kept path of every draw, then the second,
...), each with its probability weight in its scenario (``1 / N``) and in the blend
(``w_s / N``), so the blend is the union of all rows with ``blend_weight``. Horizons are
calendar quarters. Beside the paths: the run's metrics table, ``manifest.json`` (the
run's provenance, the export's options, each file's SHA-256, and a check of the exported
sample's VaR 95 against ``metrics.parquet`` within its Monte Carlo error) and a README
defining every column. Parquet and CSV write one file per table; Excel writes one
workbook (``export.xlsx``, sheets ``README``, ``paths``, ``metrics``) through openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from rutsim.errors import ConfigError, RunOutputError
from rutsim.files import atomic_dir, atomic_write_text, package_versions, sha256_file
from rutsim.risk import BLEND, quantile_se, value_at_risk
from rutsim.runs import RunData, load_run, portfolio_config, resolve_weights, run_metrics
from rutsim.status import announce
from rutsim.types import SIMULATED_MACRO

Format = Literal["parquet", "csv", "xlsx"]
FORMATS: tuple[str, ...] = ("parquet", "csv", "xlsx")
#: Paths per scenario exported unless asked otherwise.
DEFAULT_PATHS = 1000
#: Rows an Excel sheet holds, less the header.
EXCEL_ROWS = 1_048_575

#: Columns of the paths table: (name, unit, definition).
PATH_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("scenario", "", "scenario name (the run's scenario files)"),
    ("path_id", "", "path number within the scenario, 0..N-1"),
    ("draw", "", "posterior draw the path was simulated with (the run's 'sample' index)"),
    ("path", "", "path number within that draw (kept paths of simulation.nc)"),
    ("weight", "probability", "weight of the path within its scenario: 1/N"),
    (
        "blend_weight",
        "probability",
        "weight of the path in the blend: scenario weight / N (all rows sum to 1)",
    ),
    ("horizon", "quarters", "quarters after the last observed quarter (1 = next quarter)"),
    ("quarter", "", "calendar quarter the horizon ends in, e.g. 2026Q3"),
    (
        "total_return",
        "decimal",
        "cumulative simple total return of the Russell 2000 from the start to the end of "
        "the quarter (0.05 = +5%)",
    ),
    ("price_return", "decimal", "cumulative simple price return (total return less carry)"),
    (
        "earnings_growth",
        "log",
        "cumulative log growth of smoothed (12-quarter average) small-cap earnings",
    ),
    ("multiple_change", "log", "cumulative log change of price over smoothed earnings"),
    ("carry", "log", "cumulative log carry: dividends net of fees"),
    ("pe_smoothed", "ratio", "price over smoothed (12-quarter average) earnings, end of quarter"),
    ("largecap_return", "decimal", "cumulative simple price return of the S&P 500"),
    ("fedfunds", "percent", "effective fed funds rate, quarterly average"),
    ("slope", "percentage points", "Treasury curve slope (the run's [data] slope series)"),
    ("spread", "percentage points", "credit spread (the run's [data] spread series)"),
    ("unemployment", "percent", "unemployment rate, quarterly average"),
    ("real_yield", "percentage points", "real 10-year yield (10y minus trailing CPI inflation)"),
)
#: Columns of the metrics table: (name, definition).
METRIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scenario", "scenario name, or 'blend' (the probability-weighted mixture)"),
    ("horizon", "quarters after the last observed quarter"),
    ("metric", "metric name (docs/metrics.md); position_* in the position's currency"),
    ("statistic", "pooled (every path) or a summary across posterior draws"),
    ("value", "the metric's value, in 'unit'"),
    ("mc_se", "Monte Carlo standard error of pooled and draw_mean"),
    ("flag", "few_tail_paths where a per-draw value rests on < 10 paths"),
    ("quarter", "calendar quarter the horizon ends in"),
    ("unit", "decimal (returns, losses as positive decimals), probability, or a currency"),
)


class ExportFiles(NamedTuple):
    """What :func:`export_run` wrote."""

    folder: Path
    files: tuple[Path, ...]
    paths_per_scenario: int
    check: dict[str, dict[str, float]]


def _pick(n_sample: int, n_path: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Path-major over draws: every draw's first kept path, then every draw's second, ...
    flat = np.arange(n_sample * n_path)
    path, sample = np.divmod(flat, n_sample)
    return sample[:n], path[:n]


def paths_frame(run: RunData, weights: Mapping[str, float], n: int) -> pd.DataFrame:
    """Return ``n`` paths per scenario as a long table (columns of :data:`PATH_COLUMNS`).

    Raises
    ------
    ConfigError
        ``n`` is below 1 or above the kept paths per scenario.
    """
    sim = run.simulation.transpose("scenario", "sample", "path", "horizon")
    n_sample, n_path, n_h = sim.sizes["sample"], sim.sizes["path"], sim.sizes["horizon"]
    kept = n_sample * n_path
    if not 1 <= n <= kept:
        raise ConfigError(
            f"--paths {n}: the run keeps {kept:,} paths per scenario "
            f"({n_sample:,} draws x {n_path} paths). To fix: ask for 1 to {kept:,} paths, "
            "or rerun with more simulation.keep_paths."
        )
    samples, paths = _pick(n_sample, n_path, n)
    pick_sample, pick_path = xr.DataArray(samples, dims="k"), xr.DataArray(paths, dims="k")
    quarters = [str(q) for q in sim["quarter"].values]
    draw_ids = sim["sample"].values[samples]
    frames = []
    for name in run.scenarios:
        one = sim.sel(scenario=name)

        def take(var: str, one: xr.Dataset = one) -> np.ndarray:
            # Pointwise selection: only the exported paths are read (a streamed
            # simulation.zarr may hold far more kept paths than fit in memory).
            picked = one[var].isel(sample=pick_sample, path=pick_path)
            return np.asarray(picked.transpose("k", "horizon").values, dtype=np.float64)

        cum = {v: np.cumsum(take(v), axis=-1) for v in ("total_return", "price_return")}
        columns: dict[str, np.ndarray] = {
            "total_return": np.expm1(cum["total_return"]),
            "price_return": np.expm1(cum["price_return"]),
            "earnings_growth": np.cumsum(take("earnings_growth"), axis=-1),
            "multiple_change": np.cumsum(take("multiple_change"), axis=-1),
            "carry": np.cumsum(take("carry"), axis=-1),
            "pe_smoothed": np.exp(take("log_multiple")),
            "largecap_return": np.expm1(np.cumsum(take("largecap_return"), axis=-1)),
        }
        for macro in SIMULATED_MACRO:
            if macro in sim:
                columns[macro] = take(macro)
        frame = pd.DataFrame(
            {
                "scenario": name,
                "path_id": np.repeat(np.arange(n), n_h),
                "draw": np.repeat(draw_ids, n_h),
                "path": np.repeat(paths, n_h),
                "weight": 1.0 / n,
                "blend_weight": float(weights[name]) / n,
                "horizon": np.tile(np.arange(1, n_h + 1), n),
                "quarter": np.tile(quarters, n),
                **{k: v.reshape(-1) for k, v in columns.items()},
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _check(
    paths: pd.DataFrame, metrics: pd.DataFrame, horizon: int, entities: list[str]
) -> dict[str, dict[str, float]]:
    """Compare the exported sample's VaR 95 at ``horizon`` with metrics.parquet's."""
    at = paths[paths.horizon == horizon]
    out = {}
    for name in entities:
        rows = at if name == BLEND else at[at.scenario == name]
        weight_col = "blend_weight" if name == BLEND else "weight"
        loss = -rows.total_return.to_numpy()
        w = rows[weight_col].to_numpy()
        if w.sum() <= 0:
            continue
        n_eff = float(w.sum() ** 2 / np.sum(w**2))
        var = float(value_at_risk(loss, 0.95, weights=w))
        se = float(quantile_se(loss[None], w[None], 0.95, np.array([n_eff]))[0])
        ref = metrics[
            (metrics.scenario == name)
            & (metrics.horizon == horizon)
            & (metrics.metric == "var_95")
            & (metrics.statistic == "pooled")
        ].value
        out[name] = {
            "exported_var_95": var,
            "exported_mc_se": se,
            "metrics_var_95": float(ref.iloc[0]),
            "difference_in_se": (var - float(ref.iloc[0])) / se if se > 0 else float("nan"),
        }
    return out


def readme_frame() -> pd.DataFrame:
    """Return the column definitions of both tables (the README sheet / file)."""
    rows = [("paths", name, unit, text) for name, unit, text in PATH_COLUMNS]
    rows += [("metrics", name, "", text) for name, text in METRIC_COLUMNS]
    return pd.DataFrame(rows, columns=["table", "column", "unit", "definition"])


def _readme_text(run: RunData, n: int, fmt: str) -> str:
    man = run.manifest
    lines = [
        f"# rutsim export of run {man.run_id}",
        "",
        f"Model {man.model_id}, data to {man.as_of}, seed {man.seed}; {n:,} paths per scenario "
        f"sampled from the run's kept paths ({fmt}). Returns are cumulative from the last "
        "observed quarter. The blend is every row weighted by `blend_weight`. The exported "
        "paths are a sample: their quantiles differ from `metrics` (computed over every "
        "simulated path) by Monte Carlo error; manifest.json states it for VaR 95.",
        "",
    ]
    for table, cols in (("paths", PATH_COLUMNS), ("metrics", None)):
        lines += [f"## {table}", "", "| column | unit | definition |", "|---|---|---|"]
        if cols is not None:
            lines += [f"| {c} | {u} | {d} |" for c, u, d in cols]
        else:
            lines += [f"| {c} |  | {d} |" for c, d in METRIC_COLUMNS]
        lines.append("")
    return "\n".join(lines)


def export_run(
    run_folder: Path,
    *,
    out: Path | None = None,
    fmt: str = "parquet",
    paths: int | None = None,
    overwrite: bool = False,
) -> ExportFiles:
    """Export a run's scenario return vectors and metrics (see the module docstring).

    Parameters
    ----------
    run_folder : Path
        ``outputs/<run-id>``.
    out : Path, optional
        Export folder; default ``<run_folder>/export``. Written atomically; an existing
        folder is replaced only with ``overwrite``.
    fmt : {"parquet", "csv", "xlsx"}
    paths : int, optional
        Paths per scenario (at most the run's kept paths); default
        :data:`DEFAULT_PATHS` or all kept paths if fewer.
    overwrite : bool
        Replace an existing export folder.
    """
    if fmt not in FORMATS:
        raise ConfigError(
            f"--format {fmt!r} is not one of {', '.join(FORMATS)}. To fix: pass e.g. "
            "--format parquet"
        )
    run_folder = Path(run_folder)
    final = Path(out) if out is not None else run_folder / "export"
    if final.exists() and not overwrite:
        raise RunOutputError(
            f"{final} already exists and rutsim never overwrites earlier results. To fix: "
            "pass --overwrite, or --out another folder."
        )
    announce(f"loading {run_folder}")
    run = load_run(run_folder)
    weights = resolve_weights(run, None)
    if paths is None:
        paths = min(DEFAULT_PATHS, run.simulation.sizes["sample"] * run.simulation.sizes["path"])
    frame = paths_frame(run, weights, paths)
    if fmt == "xlsx" and len(frame) > EXCEL_ROWS:
        raise ConfigError(
            f"--paths {paths}: {len(frame):,} rows, more than an Excel sheet holds "
            f"({EXCEL_ROWS:,}). To fix: ask for fewer paths, or use --format parquet"
        )
    metrics = _metrics_table(run, run_folder, weights)
    n_h = run.simulation.sizes["horizon"]
    check = _check(frame, metrics, min(4, n_h), [*run.scenarios, BLEND])
    announce(f"writing {fmt} files")
    with atomic_dir(final, overwrite=overwrite) as tmp:
        written = _write_tables(tmp, fmt, frame, metrics)
        atomic_write_text(tmp / "README.md", _readme_text(run, paths, fmt))
        written.append(tmp / "README.md")
        man = run.manifest
        doc = {
            "export_of_run": man.run_id,
            "model_id": man.model_id,
            "config_hash": man.config_hash,
            "data_hash": man.data_hash,
            "seed": man.seed,
            "as_of": man.as_of,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": package_versions(),
            "options": {"format": fmt, "paths_per_scenario": paths},
            "blend_weights": dict(weights),
            "rows": {"paths": len(frame), "metrics": len(metrics)},
            "var_95_check": {
                "horizon_quarters": min(4, n_h),
                "note": "VaR 95 of the exported sample against metrics.parquet (every "
                "simulated path); the difference in units of the sample's Monte Carlo "
                "standard error",
                "entities": check,
            },
            "files": {p.name: sha256_file(p) for p in written},
            "run_manifest": json.loads(run.manifest_json),
        }
        atomic_write_text(tmp / "manifest.json", json.dumps(doc, indent=2) + "\n")
    files = tuple(final / p.name for p in [*written, tmp / "manifest.json"])
    return ExportFiles(final, files, paths, check)


def _metrics_table(run: RunData, folder: Path, weights: Mapping[str, float]) -> pd.DataFrame:
    """Return the run's own metrics.parquet (verified by load_run), or compute it."""
    saved = folder / "metrics.parquet"
    if saved.is_file():
        table = pd.read_parquet(saved)
        # Runs before issue 26 lack the calendar quarter and the unit: computed afresh.
        if {"quarter", "unit"} <= set(table.columns):
            return table
    announce("computing the metrics table")
    return run_metrics(run, weights, portfolio_config(run))


def _write_tables(tmp: Path, fmt: str, frame: pd.DataFrame, metrics: pd.DataFrame) -> list[Path]:
    if fmt == "xlsx":
        target = tmp / "export.xlsx"
        with pd.ExcelWriter(target, engine="openpyxl") as xl:
            readme_frame().to_excel(xl, sheet_name="README", index=False)
            frame.to_excel(xl, sheet_name="paths", index=False)
            metrics.to_excel(xl, sheet_name="metrics", index=False)
        return [target]
    out = []
    for name, table in (("paths", frame), ("metrics", metrics)):
        target = tmp / f"{name}.{fmt}"
        if fmt == "parquet":
            table.to_parquet(target, index=False)
        else:
            # Default float repr: the shortest text that reads back to the same double.
            table.to_csv(target, index=False)
        out.append(target)
    return out
