"""Aggregate per-origin scores into the backtest's summary table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rutsim.validate._baselines import BASELINES
from rutsim.validate._scores import coverage, overlap_lag, pit_uniformity, skill

__all__ = ["UNCONDITIONAL", "summarise"]

#: The model forecaster every conditioned forecast is compared with.
UNCONDITIONAL = "rutsim:none"


def _skill_columns(
    prefix: str, model: pd.DataFrame, base: pd.DataFrame, lag: int
) -> dict[str, Any]:
    both = (
        model.set_index("origin")["crps"]
        .to_frame("m")
        .join(base.set_index("origin")["crps"].to_frame("b"), how="inner")
    )
    if both.empty:
        return {}
    s = skill(both["m"], both["b"], lag)
    out: dict[str, Any] = {
        f"skill_vs_{prefix}": s.skill,
        f"se_vs_{prefix}": s.se,
        f"dm_vs_{prefix}": s.dm,
    }
    if prefix == "random_walk" and len(both) > 1:
        # Robustness: drop the origin where the model gained most over the baseline.
        gain = both["b"] - both["m"]
        best = gain.idxmax()
        rest = both.drop(index=best)
        out["skill_vs_random_walk_ex_best"] = skill(rest["m"], rest["b"], lag).skill
        out["ex_best_origin"] = str(best)
    return out


def summarise(scores: pd.DataFrame, every: int) -> pd.DataFrame:
    """One row per forecaster x target x horizon over the origins in ``scores``.

    Columns: ``n``, ``mean_pit``, ``pit_uniform_p`` (overlap-aware, see
    :func:`rutsim.validate.pit_uniformity`) and ``pit_subsets``, ``cover_50``/``cover_90``
    with 95% Wilson bounds, ``mean_crps``, ``mean_log_score``, ``mean_error``,
    ``mean_abs_error``, and CRPS skill (``skill_vs_*``, standard error ``se_vs_*``,
    Diebold-Mariano ``dm_vs_*``) against each baseline and, for conditioned model
    forecasts, against the model's own unconditional forecast.
    """
    rows = []
    for (fc, target, h), g in scores.groupby(["forecaster", "target", "horizon"], sort=False):
        g = g.sort_values("origin")
        lag = overlap_lag(int(h), every)
        c50, c90 = coverage(g["in_50"]), coverage(g["in_90"])
        p_unif, k = pit_uniformity(g["pit"], int(h), every)
        row: dict[str, Any] = {
            "forecaster": fc,
            "target": target,
            "horizon": int(h),
            "n": len(g),
            "mean_pit": float(g["pit"].mean()),
            "pit_uniform_p": p_unif,
            "pit_subsets": k,
            "cover_50": c50.rate,
            "cover_50_lo": c50.low,
            "cover_50_hi": c50.high,
            "cover_90": c90.rate,
            "cover_90_lo": c90.low,
            "cover_90_hi": c90.high,
            "mean_crps": float(g["crps"].mean()),
            "mean_log_score": float(g["log_score"].mean()),
            "mean_error": float(g["error"].mean()),
            "mean_abs_error": float(g["error"].abs().mean()),
        }
        same = scores[(scores.target == target) & (scores.horizon == h)]
        for base in BASELINES:
            if fc != base:
                row |= _skill_columns(base, g, same[same.forecaster == base], lag)
        if fc.startswith("rutsim:") and fc != UNCONDITIONAL:
            row |= _skill_columns("unconditional", g, same[same.forecaster == UNCONDITIONAL], lag)
        rows.append(row)
    out = pd.DataFrame(rows)
    order = {"price": 0, "total": 1}
    return out.sort_values(
        ["target", "horizon", "forecaster"], key=lambda s: s.map(order) if s.name == "target" else s
    ).reset_index(drop=True)
