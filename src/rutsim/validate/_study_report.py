"""What an easing-study folder shows: tables, figures, the HTML page and the terminal text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rutsim.runs import ValidationFolder
from rutsim.validate._cycles import HORIZONS_M
from rutsim.validate._figures import cycle_paths_chart, replay_chart
from rutsim.validate._html import esc, figures_html, page, table_html

__all__ = ["study_content", "study_text"]

_RET_COLS = tuple(
    f"{s}_{k}m" for s in ("rut", "ff_small", "ff_large", "small_minus_large") for k in HORIZONS_M
)
_REPLAY_PCT = ("model_median", "model_q05", "model_q95", "realized", "random_walk_median")


def _pc(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{100 * v:+.1f}%"


def study_text(regimes: pd.DataFrame, gap: Mapping[str, float], folder: Path) -> str:
    """Terminal summary: 12-month returns by regime, and the replay gap both ways."""
    lines = [f"easing study -> {folder}", "12 months after the first cut (mean, median, hit rate):"]
    r = regimes[regimes.months == 12]
    for _, row in r.iterrows():
        lines.append(
            f"  {row.regime:<13}{row.series:<19}n={row.n:<3} mean {_pc(row['mean']):>7} "
            f"median {_pc(row['median']):>7} up {100 * row.hit_rate:.0f}%"
        )
    if gap:
        lines.append(
            "replay, 4-quarter price return, soft landing minus recession: model "
            f"{_pc(gap['model_gap'])} ({_pc(gap['model_soft_landing'])} vs "
            f"{_pc(gap['model_recession'])}), history {_pc(gap['history_gap'])} "
            f"({_pc(gap['history_soft_landing'])} vs {_pc(gap['history_recession'])}); "
            f"{gap['cycles_soft_landing']} soft-landing and {gap['cycles_recession']} "
            "recession cycles"
        )
    return "\n".join(lines)


def _answer(regimes: pd.DataFrame) -> pd.DataFrame:
    """Mean 12-month return (count, hit rate) by regime and series: the first table."""
    r = regimes[regimes.months == 12]
    cells = {
        (row.regime, row.series): f"{_pc(row['mean'])} (n={row.n}, up {100 * row.hit_rate:.0f}%)"
        for _, row in r.iterrows()
    }
    names = {
        "rut": "Russell 2000 price (1987 on)",
        "ff_small": "French small caps",
        "ff_large": "French large caps",
        "small_minus_large": "small minus large",
    }
    return pd.DataFrame(
        [
            {"regime": reg, **{label: cells.get((reg, key), "n/a") for key, label in names.items()}}
            for reg in sorted(r.regime.unique(), reverse=True)
        ]
    )


def study_content(
    monthly: pd.DataFrame,
    cycles: pd.DataFrame,
    regimes: pd.DataFrame,
    replay: pd.DataFrame,
    gap: Mapping[str, float],
    manifest: Mapping[str, Any],
    horizon: int,
) -> ValidationFolder:
    """Tables, figures, summary JSON and the HTML page of an easing-study folder.

    ``horizon`` is the replay's horizon in quarters.
    """
    out = ValidationFolder()
    out.tables = {"cycles": cycles, "regimes": regimes}
    figs = {"cycle_paths": cycle_paths_chart(monthly, cycles)}
    if len(replay):
        out.tables["replay"] = replay
    if "model_median" in replay and replay["model_median"].notna().any():
        figs["replay"] = replay_chart(replay, horizon)
    out.figures = figs
    out.json["summary"] = {
        "first_cuts": list(cycles.first_cut),
        "regimes_12m": regimes[regimes.months == 12].to_dict(orient="records"),
        "replay_gap": dict(gap),
    }
    captions = {
        "cycle_paths": "Cumulative returns after each first cut (red: recession under way or "
        "within 24 months; blue: soft landing)",
        "replay": f"Model replay: {horizon}-quarter forecast before each first cut "
        "versus what happened",
    }
    gap_html = (
        f"<p>Soft-landing minus recession, mean {horizon}-quarter price return over "
        f"the replayed cycles: model <b>{esc(_pc(gap['model_gap']))}</b>, history "
        f"<b>{esc(_pc(gap['history_gap']))}</b>.</p>"
        if gap
        else "<p>No model replay in this study (--no-replay).</p>"
    )
    sections = [
        "<p>Every Fed easing cycle in the shipped data, detected by a fixed rule "
        "(docs/validation.md), with small- and large-cap returns after the first cut and "
        "whether a recession was under way or began within 24 months (NBER dates). Returns "
        "run from the close before the cut month.</p>",
        "<h2>The answer: 12 months after the first cut</h2>",
        table_html(_answer(regimes), left=("regime",)),
        gap_html,
        "<h2>By regime, every horizon</h2>",
        table_html(
            regimes, pct=("mean", "median", "sd", "hit_rate"), left=("regime", "series", "cycles")
        ),
        figures_html({captions["cycle_paths"]: figs["cycle_paths"]}),
        "<h2>Cycle by cycle</h2>",
        table_html(cycles, pct=_RET_COLS, left=("first_cut", "regime")),
        "<h2>Model replay</h2>",
        table_html(replay, pct=_REPLAY_PCT, left=("first_cut", "origin", "regime", "skipped"))
        if len(replay)
        else "",
        figures_html({captions["replay"]: figs["replay"]}) if "replay" in figs else "",
        "<h2>Manifest</h2><pre>"
        + esc(pd.Series(dict(manifest), dtype=object).to_json(indent=2, default_handler=str))
        + "</pre>",
    ]
    out.html = page(f"rutsim easing study {manifest['id']}", sections)
    return out
