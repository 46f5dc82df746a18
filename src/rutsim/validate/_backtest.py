"""``rutsim backtest``: rolling-origin forecasts of the Russell 2000, scored against baselines.

For each origin T the model is fitted on the data a forecaster had at the end of T (rows
through T; S&P EPS through T - ``data.eps_lag``; the seed's 2025 valuation anchors only
from their quarter on), the realized macro path after T becomes each conditioning mode's
scenario, and the realized cumulative price return is scored at every horizon, as are two
baselines fitted on the same window. Fitted models land in ``models/`` by id, so a rerun
or an extra origin costs only what is new.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from rutsim.config import RunConfig, load_config
from rutsim.runs import folder_id, reserve_folder, write_folder
from rutsim.validate._baselines import BASELINES
from rutsim.validate._origin import model_forecaster
from rutsim.validate._origins import Mode, parse_modes, parse_origins, plan_origins
from rutsim.validate._runner import run_origins
from rutsim.validate._summary import summarise

__all__ = ["BacktestResult", "backtest"]

Echo = Callable[[str], None]


class BacktestResult(NamedTuple):
    """What :func:`backtest` returns (everything is also saved in ``folder``).

    Attributes
    ----------
    folder : Path
        ``outputs/backtest-<id>/``.
    scores : pandas.DataFrame
        One row per origin x forecaster x target x horizon.
    origins : pandas.DataFrame
        One row per origin: model id, gate result, diagnostics, timings, ``included``.
    summary : pandas.DataFrame
        Aggregates over the included origins (see :func:`rutsim.validate.summarise`).
    manifest : dict
    """

    folder: Path
    scores: pd.DataFrame
    origins: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]


def backtest(
    config: RunConfig | Path | str,
    *,
    origins: str | None = None,
    every: int | None = None,
    horizons: tuple[int, ...] | None = None,
    condition: tuple[str, ...] | None = None,
    failed_fits: str | None = None,
    workers: int | None = None,
    save_samples: bool | None = None,
    name: str | None = None,
    root: Path | None = None,
    echo: Echo | None = print,
    fit: Any = None,
    config_overrides: Sequence[str] = (),
) -> BacktestResult:
    """Run a rolling-origin backtest of a config and write ``outputs/backtest-<id>/``.

    Parameters
    ----------
    config : RunConfig or path
        The run config; its ``[backtest]`` section gives the defaults of every option below.
    origins, every, horizons, condition, failed_fits, workers, save_samples
        Override ``[backtest]`` (see :class:`rutsim.config.BacktestConfig`).
    name : str, optional
        Folder name suffix (``backtest-<name>``); default a timestamp and hash.
    root : Path, optional
        Base of relative paths when ``config`` is a ``RunConfig``.
    echo : callable, optional
        Progress lines and the result table (None for silence).
    fit : callable, optional
        Fitting function (default :func:`rutsim.model.fit_or_load`); it is given the
        origin's config and its real-time panel (``panel=``).
    config_overrides : sequence of str
        ``section.key=value`` changes to the config (``rutsim backtest --set``), validated
        like the file, part of its hash and recorded in the manifest.

    Returns
    -------
    BacktestResult
    """
    from rutsim.config import BacktestConfig, validate_model
    from rutsim.data import load_panel, panel_hash

    cfg, config_hash = load_config(config, root, config_overrides)
    overrides = {
        k: v
        for k, v in {
            "origins": origins,
            "every": every,
            "horizons": horizons,
            "condition": condition,
            "failed_fits": failed_fits,
            "workers": workers,
            "save_samples": save_samples,
        }.items()
        if v is not None
    }
    bt = validate_model(
        BacktestConfig, {**cfg.backtest.model_dump(), **overrides}, "backtest options"
    )
    cfg = cfg.model_copy(update={"backtest": bt})
    modes: tuple[Mode, ...] = parse_modes(bt.condition)
    panel = load_panel(cfg.data)
    plans = plan_origins(panel, cfg.data, bt, parse_origins(bt.origins, bt.every))
    settings = {"config_hash": config_hash, "backtest": bt.model_dump(mode="json")}
    base = folder_id("backtest", settings, name)
    with reserve_folder(Path(cfg.outputs.dir), base, explicit=name is not None) as final:
        tasks = [
            {
                "cfg": cfg,
                "origin": str(p.origin),
                "horizons": p.horizons,
                "modes": modes,
                "baseline_n": bt.baseline_samples,
                "keep_samples": bt.save_samples,
            }
            for p in plans
        ]
        if echo is not None:
            echo(
                f"backtest: {len(tasks)} origins {tasks[0]['origin']}..{tasks[-1]['origin']}, "
                f"horizons {list(bt.horizons)}, conditioning {[m.name for m in modes]}; "
                f"fits are reused from {cfg.outputs.models_dir} by model id"
            )
        t0 = time.perf_counter()
        dask = cfg.dask if cfg.simulation.executor == "dask" else None
        results = run_origins(tasks, bt.workers, echo, fit, dask)
        wall = time.perf_counter() - t0

        origin_table = pd.DataFrame([r.info for r in results])
        origin_table["included"] = origin_table["gate_passed"] | (bt.failed_fits == "flag")
        scores = pd.concat([r.scores for r in results], ignore_index=True)
        flags = origin_table.set_index("origin")["gate_passed"]
        scores.insert(1, "gate_passed", scores["origin"].map(flags).astype(bool))
        kept = scores[scores.origin.isin(origin_table.loc[origin_table.included, "origin"])]
        summary = summarise(kept, bt.every)
        failed = origin_table.loc[~origin_table.gate_passed, "origin"].tolist()

        model_fcs = [model_forecaster(m.name) for m in modes]
        manifest = {
            "kind": "backtest",
            "id": final.name,
            "config_hash": config_hash,
            "data_hash": panel_hash(cfg.data),
            "seed": cfg.simulation.seed,
            "sampler_seed": cfg.sampler.seed,
            "overrides": list(config_overrides),
            "backtest": bt.model_dump(mode="json"),
            "origins": [r.origin for r in results],
            "model_ids": {r.origin: r.info["model_id"] for r in results},
            "failed_gate": failed,
            "failed_fits_policy": bt.failed_fits,
            "excluded": origin_table.loc[~origin_table.included, "origin"].tolist(),
            "anchors_dropped_at": origin_table.loc[~origin_table.anchors_used, "origin"].tolist(),
            "lookahead_rules": {
                "rows": "panel rows after the origin are dropped",
                "eps_lag_quarters": cfg.data.eps_lag,
                "anchors": f"the seed's anchors dated {cfg.model.anchors.trailing_pe_quarter} "
                "enter only at origins on or after that quarter",
                "revisions": "not modelled: every value is the current vintage",
            },
            "forecasters": [*model_fcs, *BASELINES],
            "wall_s": round(wall, 1),
            "executor": cfg.simulation.executor,
        }
        from rutsim.validate._report import backtest_content

        content = backtest_content(scores, origin_table, summary, results, model_fcs, bt, manifest)
        write_folder(final, content, cfg, manifest)
        if echo is not None:
            from rutsim.validate._report import headline_text

            echo(headline_text(summary, model_fcs, final))
        return BacktestResult(final, scores, origin_table, summary, manifest)
