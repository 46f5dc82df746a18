"""What a backtest folder shows: tables, figures, the HTML page and the terminal summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rutsim.config import BacktestConfig
from rutsim.runs import ValidationFolder
from rutsim.validate._baselines import BASELINES
from rutsim.validate._figures import coverage_chart, fan_chart, pit_histograms, skill_chart
from rutsim.validate._html import esc, figures_html, page, table_html
from rutsim.validate._origin import FAN_PROBS, OriginResult

__all__ = ["backtest_content", "headline_table", "headline_text", "summary_markdown"]

_PCT = (
    "cover_50",
    "cover_90",
    "skill_vs_random_walk",
    "se_vs_random_walk",
    "skill_vs_random_walk_ex_best",
    "skill_vs_bootstrap",
    "skill_vs_unconditional",
    "mean_crps",
    "mean_error",
    "median",
    "q05",
    "q95",
    "realized",
    "crps",
    "error",
)


# Short column headings for the HTML summary (the files keep the full names).
_LABELS = {
    "mean_pit": "mean PIT",
    "pit_uniform_p": "PIT uniform p",
    "cover_50": "cover 50%",
    "cover_90": "cover 90%",
    "mean_crps": "CRPS",
    "mean_log_score": "log score",
    "mean_error": "mean error",
    "skill_vs_random_walk": "skill vs RW",
    "se_vs_random_walk": "+- se",
    "skill_vs_random_walk_ex_best": "skill vs RW w/o best",
    "ex_best_origin": "best origin",
    "skill_vs_bootstrap": "skill vs bootstrap",
    "skill_vs_unconditional": "skill vs unconditional",
}


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Return the columns a reader needs first, for the price-return target."""
    cols = [
        "forecaster",
        "horizon",
        "n",
        "mean_pit",
        "pit_uniform_p",
        "cover_50",
        "cover_90",
        "mean_crps",
        "mean_log_score",
        "mean_error",
        "skill_vs_random_walk",
        "se_vs_random_walk",
        "skill_vs_random_walk_ex_best",
        "ex_best_origin",
        "skill_vs_bootstrap",
        "skill_vs_unconditional",
    ]
    price = summary[summary.target == "price"]
    return price[[c for c in cols if c in price.columns]].reset_index(drop=True)


def headline_text(summary: pd.DataFrame, model_fcs: Sequence[str], folder: Path) -> str:
    """Terminal summary: per model forecaster and horizon, coverage, mean PIT and skill."""
    t = headline_table(summary)
    lines = [
        f"backtest -> {folder}",
        f"{'forecaster':<24}{'h':>3}{'n':>4}{'PIT':>6}{'cov50':>7}{'cov90':>7}"
        f"{'CRPS':>8}{'skill RW':>10}{'+-se':>7}{'ex best':>9}{'vs uncond':>10}",
    ]

    def pc(v: Any) -> str:
        return "n/a" if pd.isna(v) else f"{100 * v:.1f}%"

    for _, r in t[t.forecaster.isin([*model_fcs, *BASELINES])].iterrows():
        lines.append(
            f"{r.forecaster:<24}{r.horizon:>3}{r.n:>4}{r.mean_pit:>6.2f}{pc(r.cover_50):>7}"
            f"{pc(r.cover_90):>7}{r.mean_crps:>8.4f}{pc(r.get('skill_vs_random_walk')):>10}"
            f"{pc(r.get('se_vs_random_walk')):>7}{pc(r.get('skill_vs_random_walk_ex_best')):>9}"
            f"{pc(r.get('skill_vs_unconditional')):>10}"
        )
    return "\n".join(lines)


def summary_markdown(summary: pd.DataFrame, model_fcs: Sequence[str]) -> str:
    """Render the price-return summary as Markdown (``summary.md``, for docs and notes)."""

    def pc(v: Any, signed: bool = False) -> str:
        if pd.isna(v):
            return "n/a"
        return f"{100 * v:+.1f}%" if signed else f"{100 * v:.1f}%"

    t = headline_table(summary)
    lines = [
        "| forecaster | h | n | mean PIT | cover 50% | cover 90% | mean CRPS | skill vs RW "
        "(+-se) | without best origin | skill vs bootstrap | skill vs unconditional |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in t[t.forecaster.isin([*model_fcs, *BASELINES])].iterrows():
        skill_rw = (
            "n/a"
            if pd.isna(r.get("skill_vs_random_walk"))
            else f"{pc(r.skill_vs_random_walk, True)} ({pc(r.se_vs_random_walk)})"
        )
        ex = r.get("skill_vs_random_walk_ex_best")
        ex_text = "n/a" if pd.isna(ex) else f"{pc(ex, True)} (drops {r.ex_best_origin})"
        lines.append(
            f"| {r.forecaster} | {r.horizon} | {r.n} | {r.mean_pit:.2f} | {pc(r.cover_50)} | "
            f"{pc(r.cover_90)} | {r.mean_crps:.4f} | {skill_rw} | {ex_text} | "
            f"{pc(r.get('skill_vs_bootstrap'), True)} | "
            f"{pc(r.get('skill_vs_unconditional'), True)} |"
        )
    return "\n".join(lines) + "\n"


def backtest_content(
    scores: pd.DataFrame,
    origins: pd.DataFrame,
    summary: pd.DataFrame,
    results: Sequence[OriginResult],
    model_fcs: Sequence[str],
    bt: BacktestConfig,
    manifest: Mapping[str, Any],
) -> ValidationFolder:
    """Tables, figures, summary JSON and the HTML page of a backtest folder."""
    out = ValidationFolder()
    out.tables = {"scores": scores, "origins": origins, "summary": summary}
    out.json["summary"] = {
        "origins": manifest["origins"],
        "failed_gate": manifest["failed_gate"],
        "excluded": manifest["excluded"],
        "rows": summary.to_dict(orient="records"),
    }
    forecasters = [*model_fcs, *BASELINES]
    horizons = sorted(scores.horizon.unique())
    figs: dict[str, bytes] = {
        "pit_histogram": pit_histograms(scores, forecasters, horizons),
        "coverage_by_horizon": coverage_chart(summary, forecasters),
        "crps_skill_random_walk": skill_chart(summary, [*model_fcs, "bootstrap"], "random_walk"),
    }
    fans = {
        f"fan_{r.origin}": fan_chart(r.origin, r.fan, r.realized, forecasters, FAN_PROBS)
        for r in results
    }
    out.figures = {**figs, **fans}
    out.texts["summary.md"] = summary_markdown(summary, model_fcs)
    out.arrays = {r.origin: r.samples for r in results if r.samples is not None}
    captions = {
        "pit_histogram": "PIT histograms by forecaster and horizon (dashed: a flat histogram)",
        "coverage_by_horizon": "Coverage of the central 50% and 90% intervals by horizon",
        "crps_skill_random_walk": "CRPS skill against the Gaussian random walk by horizon",
    }
    failed = origins[~origins.gate_passed]
    gate_note = (
        "<p>Every origin's fit passed the diagnostics gate.</p>"
        if failed.empty
        else f"<p class='flag'>{len(failed)} origin(s) failed the diagnostics gate: "
        f"{esc(', '.join(failed.origin))}; policy <b>{esc(bt.failed_fits)}</b> "
        f"({'scored and flagged' if bt.failed_fits == 'flag' else 'left out of the aggregates'})."
        "</p>"
    )
    sections = [
        "<p>Rolling-origin backtest: at each origin the model is fitted only on what was "
        "known then, simulated under each conditioning mode, and the realized Russell 2000 "
        "cumulative price return is scored; two baselines fitted on the same window are "
        "scored alike. CRPS skill = 1 - CRPS(model)/CRPS(baseline) (above 0 is better), "
        "with a Newey-West (Diebold-Mariano) standard error over overlapping horizons. "
        "Conventions and look-ahead rules: docs/validation.md.</p>",
        gate_note,
        "<h2>Summary (price return)</h2>",
        table_html(
            headline_table(summary).rename(columns=_LABELS),
            pct=[_LABELS.get(c, c) for c in _PCT],
            left=("forecaster", _LABELS["ex_best_origin"]),
        ),
        figures_html({captions[k]: v for k, v in figs.items()}),
        "<h2>Origins</h2>",
        table_html(origins, left=("origin", "model_id", "eps_through", "horizons")),
        "<h2>Fan charts per origin</h2>",
        figures_html({f"origin {k[4:]}": v for k, v in fans.items()}),
        "<h2>Total return (model only, where IWM data exist)</h2>",
        table_html(
            summary[summary.target == "total"][
                ["forecaster", "horizon", "n", "mean_pit", "cover_50", "cover_90", "mean_crps"]
            ],
            pct=_PCT,
            left=("forecaster",),
        ),
        "<h2>Manifest</h2><pre>"
        + esc(pd.Series(manifest, dtype=object).to_json(indent=2, default_handler=str))
        + "</pre>",
    ]
    out.html = page(f"rutsim backtest {manifest['id']}", sections)
    return out
