"""``rutsim study easing``: what small caps did after every Fed first cut, and the model's replay.

The historical table comes from the shipped monthly panel and NBER dates alone; the replay
fits the model at the quarter before each first cut (on what was known then, as in the
backtest), simulates conditional on the realized macro path, and sets its 4-quarter
forecast beside what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rutsim.config import RunConfig, load_config
from rutsim.runs import folder_id, reserve_folder, write_folder
from rutsim.simulate import MACRO_VARIABLES
from rutsim.validate._cycles import (
    cycle_table,
    detect_easing_starts,
    policy_rate,
    regime_summary,
)
from rutsim.validate._origins import Mode, plan_origins
from rutsim.validate._runner import run_origins

__all__ = ["REPLAY_HORIZON", "StudyResult", "study_easing"]

#: Quarters after the origin at which the replay compares model and history.
REPLAY_HORIZON = 4

Echo = Callable[[str], None]


class StudyResult(NamedTuple):
    """What :func:`study_easing` returns (everything is also saved in ``folder``).

    Attributes
    ----------
    folder : Path
    cycles : pandas.DataFrame
        One row per detected easing cycle (see :func:`rutsim.validate.cycle_table`).
    regimes : pandas.DataFrame
        Summary by regime (soft landing / recession), series and horizon.
    replay : pandas.DataFrame
        Per replayable cycle: origin, model median and 90% interval of the 4-quarter
        price return given the realized macro path, what happened, and the regime; cycles
        that cannot be replayed are listed with the reason.
    gap : dict
        Soft-landing minus recession mean 4-quarter return, as the model sees it and as
        history had it, over the replayed cycles.
    manifest : dict
    """

    folder: Path
    cycles: pd.DataFrame
    regimes: pd.DataFrame
    replay: pd.DataFrame
    gap: dict[str, float]
    manifest: dict[str, Any]


def _replay_plan(
    cycles: pd.DataFrame, cfg: RunConfig, panel: pd.DataFrame
) -> tuple[list[tuple[str, pd.Period]], list[dict[str, Any]]]:
    from rutsim.errors import ConfigError

    ok, skipped = [], []
    bt = cfg.backtest.model_copy(update={"horizons": (REPLAY_HORIZON,)})
    for cut in cycles["first_cut"]:
        origin = pd.Period(cut, "M").asfreq("Q") - 1
        try:
            plan_origins(panel, cfg.data, bt, (origin,))
        except ConfigError as exc:
            skipped.append({"first_cut": cut, "origin": str(origin), "skipped": str(exc)})
            continue
        ok.append((cut, origin))
    return ok, skipped


def _gap(replay: pd.DataFrame) -> dict[str, float]:
    done = replay.dropna(subset=["model_median"])
    by = done.groupby("regime")
    out: dict[str, float] = {}
    for col, key in (("model_median", "model"), ("realized", "history")):
        means = by[col].mean()
        soft, rec = means.get("soft landing", np.nan), means.get("recession", np.nan)
        out[f"{key}_soft_landing"] = float(soft)
        out[f"{key}_recession"] = float(rec)
        out[f"{key}_gap"] = float(soft - rec)
    out["cycles_soft_landing"] = int((done.regime == "soft landing").sum())
    out["cycles_recession"] = int((done.regime == "recession").sum())
    return out


def study_easing(
    config: RunConfig | Path | str,
    *,
    replay: bool = True,
    name: str | None = None,
    root: Path | None = None,
    echo: Echo | None = print,
    fit: Any = None,
) -> StudyResult:
    """Build the easing-cycle study and write ``outputs/study-easing-<id>/``.

    Parameters
    ----------
    config : RunConfig or path
        Data, model and sampler of the replay fits (and where outputs and models go).
    replay : bool
        Fit and simulate the model before each cycle (minutes per new fit; fits are
        reused from ``models/`` by id).
    name : str, optional
        Folder suffix; default a timestamp and hash.
    echo : callable, optional
        Progress lines and the result (None for silence).
    fit : callable, optional
        Fitting function for the replay (default :func:`rutsim.model.fit_or_load`).
    """
    from rutsim.data import load_nber_dates, load_panel, panel_hash

    cfg, config_hash = load_config(config, root)
    monthly = load_panel(cfg.data, freq="M")
    settings = {"config_hash": config_hash, "replay": replay}
    base = folder_id("study-easing", settings, name)
    with reserve_folder(Path(cfg.outputs.dir), base, explicit=name is not None) as final:
        t0 = time.perf_counter()
        starts = detect_easing_starts(policy_rate(monthly))
        cycles = cycle_table(monthly, starts, load_nber_dates())
        regimes = regime_summary(cycles)
        if echo is not None:
            echo(f"easing study: {len(cycles)} first cuts detected: {', '.join(cycles.first_cut)}")

        replay_table = pd.DataFrame(columns=["first_cut", "origin", "regime"])
        model_ids: dict[str, str] = {}
        if replay:
            panel = load_panel(cfg.data)
            planned, skipped = _replay_plan(cycles, cfg, panel)
            if echo is not None:
                echo(
                    f"model replay: {len(planned)} cycles ({len(skipped)} without enough data: "
                    + ", ".join(s["first_cut"] for s in skipped)
                    + ")"
                )
            tasks = [
                {
                    "cfg": cfg,
                    "origin": str(o),
                    "horizons": (REPLAY_HORIZON,),
                    # Every macro variable, as the backtest's "realized" mode: the
                    # replay is told the whole realized macro path (unemployment too).
                    "modes": (Mode("realized", MACRO_VARIABLES),),
                    "baseline_n": cfg.backtest.baseline_samples,
                }
                for _, o in planned
            ]
            dask = cfg.dask if cfg.simulation.executor == "dask" else None
            results = run_origins(tasks, cfg.backtest.workers, echo, fit, dask)
            rows = []
            regime = dict(zip(cycles.first_cut, cycles.regime, strict=True))
            for (cut, _), res in zip(planned, results, strict=True):
                s = res.scores
                model = s[(s.forecaster == "rutsim:realized") & (s.target == "price")].iloc[0]
                rw = s[(s.forecaster == "random_walk") & (s.target == "price")].iloc[0]
                model_ids[res.origin] = res.info["model_id"]
                rows.append(
                    {
                        "first_cut": cut,
                        "origin": res.origin,
                        "regime": regime[cut],
                        "model_median": model["median"],
                        "model_q05": model["q05"],
                        "model_q95": model["q95"],
                        "realized": model["realized"],
                        "pit": model["pit"],
                        "random_walk_median": rw["median"],
                        "gate_passed": res.info["gate_passed"],
                        "model_id": res.info["model_id"],
                    }
                )
            replay_table = pd.concat([pd.DataFrame(rows), pd.DataFrame(skipped)], ignore_index=True)
        gap = _gap(replay_table) if replay and "model_median" in replay_table else {}

        manifest = {
            "kind": "study-easing",
            "id": final.name,
            "config_hash": config_hash,
            "data_hash": panel_hash(cfg.data),
            "seed": cfg.simulation.seed,
            "sampler_seed": cfg.sampler.seed,
            "first_cuts": list(cycles.first_cut),
            "replay": replay,
            "model_ids": model_ids,
            "rule": "see docs/validation.md (easing-cycle detection)",
            "wall_s": round(time.perf_counter() - t0, 1),
        }
        from rutsim.validate._study_report import study_content

        content = study_content(
            monthly, cycles, regimes, replay_table, gap, manifest, REPLAY_HORIZON
        )
        write_folder(final, content, cfg, manifest)
        if echo is not None:
            from rutsim.validate._study_report import study_text

            echo(study_text(regimes, gap, final))
        return StudyResult(final, cycles, regimes, replay_table, gap, manifest)
