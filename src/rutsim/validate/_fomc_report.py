"""What a FOMC-study folder shows: tables, the scatter figure, the HTML page, the terminal text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rutsim.runs import ValidationFolder
from rutsim.validate._figures import png
from rutsim.validate._html import esc, figures_html, page, table_html

__all__ = ["fomc_content", "fomc_text"]

#: The period whose figures the answer quotes.
_HEADLINE = "1988-2024"


def _cell(estimate: float, se: float) -> str:
    return f"{estimate:+.2f} ({se:.2f})"


def _answer(events: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Return one row per response: event study and model side by side.

    The event study's policy, information and path coefficients in the headline period,
    and the model's impact and 4-quarter response to a 100bp surprise.
    """
    head = events[events.period == _HEADLINE]
    rows = []
    for response, one in head.groupby("response", sort=False):
        by = one.set_index("surprise")
        row: dict[str, Any] = {"response": one["label"].iloc[0], "days": int(by.at["policy", "n"])}
        for surprise in ("policy", "information", "path"):
            row[surprise] = _cell(by.at[surprise, "estimate"], by.at[surprise, "se"])
        for h in (1, 4):
            m = model[(model.response == response) & (model.quarter == h)]
            row[f"model_q{h}"] = (
                f"{m['median'].iloc[0]:+.2f} [{m['q05'].iloc[0]:+.2f}, {m['q95'].iloc[0]:+.2f}]"
                if len(m)
                else "n/a"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def scatter_chart(days: pd.DataFrame) -> bytes:
    """Russell 2000 and SPY day returns against the pure policy surprise, with OLS lines."""
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, column, title in zip(
        axes, ("rut_return", "spy_return"), ("Russell 2000", "S&P 500 (SPY)"), strict=True
    ):
        ok = days[column].notna() & (days["policy_surprise"] != 0)
        x = 100 * days.loc[ok, "policy_surprise"].to_numpy()
        y = 100 * days.loc[ok, column].to_numpy()
        ax.scatter(x, y, s=10, alpha=0.6, color="#1f77b4")
        if len(x) > 2:
            slope, intercept = np.polyfit(x, y, 1)
            grid = np.linspace(x.min(), x.max(), 2)
            ax.plot(grid, intercept + slope * grid, color="#d62728", lw=1.2)
        ax.axhline(0, color="#888", lw=0.6)
        ax.axvline(0, color="#888", lw=0.6)
        ax.set_title(f"{title}: {int(ok.sum())} days with a policy surprise", fontsize=9)
        ax.set_xlabel("pure policy surprise (bp, hawkish > 0)")
    axes[0].set_ylabel("announcement-day log return (%)")
    return png(fig)


def fomc_content(
    days: pd.DataFrame,
    events: pd.DataFrame,
    model: pd.DataFrame,
    manifest: Mapping[str, Any],
) -> ValidationFolder:
    """Tables, figure, summary JSON and the HTML page of a FOMC-study folder."""
    out = ValidationFolder()
    out.tables = {"event_study": events, "announcements": days.reset_index()}
    if len(model):
        out.tables["model_response"] = model
    out.figures = {"policy_surprise_scatter": scatter_chart(days)}
    answer = _answer(events, model)
    out.json["summary"] = {
        "headline_period": _HEADLINE,
        "event_study": events[events.period == _HEADLINE].to_dict(orient="records"),
        "model_response": model.to_dict(orient="records"),
    }
    sections = [
        "<p>Every FOMC announcement day from February 1988 to January 2024 "
        f"({manifest['announcement_days']} days) with the Jarociński-Karadi 30-minute market "
        "surprises. The rate surprise (current-meeting fed funds futures, the first eurodollar "
        "contract where missing) is split by the sign of the S&amp;P 500's move in the same "
        "30 minutes: a <b>pure policy</b> surprise moves rates and stocks in opposite "
        "directions, an <b>information</b> surprise moves them together. Each response is "
        "regressed on both (and, separately, on the one-year path surprise ED4); OLS, HC1 "
        "standard errors in brackets, per 100bp of hawkish surprise.</p>",
        "<h2>The answer</h2>",
        table_html(answer, left=("response",)),
        "<p>model_q1 and model_q4: the fitted model's response to a +100bp pure policy "
        "surprise in the quarter it happens and four quarters on (median [90% interval]): "
        "small- and large-cap log price in %, slope and spread in pp. The model's impact is "
        "tied to these announcement days inside the fit (docs/model.md).</p>"
        if len(model)
        else "<p>No model response in this study (--no-model).</p>",
        figures_html(
            {
                "Announcement-day returns against the pure policy surprise": out.figures[
                    "policy_surprise_scatter"
                ]
            }
        ),
        "<h2>By period</h2>",
        table_html(events, left=("period", "response", "label", "surprise")),
        "<h2>Manifest</h2><pre>"
        + esc(pd.Series(dict(manifest), dtype=object).to_json(indent=2, default_handler=str))
        + "</pre>",
    ]
    out.html = page(f"rutsim FOMC study {manifest['id']}", sections)
    return out


def fomc_text(events: pd.DataFrame, model: pd.DataFrame, folder: Path) -> str:
    """Terminal summary: the headline period's coefficients and the model's response."""
    lines = [
        f"FOMC study -> {folder}",
        f"announcement days {_HEADLINE}, per 100bp hawkish surprise (OLS, HC1 se):",
        f"  {'response':<30}{'policy':>16}{'information':>16}{'path (ED4)':>16}"
        f"{'model q1':>10}{'model q4':>10}",
    ]
    answer = _answer(events, model)
    for row in answer.itertuples(index=False):
        q1 = row.model_q1.split(" ")[0]
        q4 = row.model_q4.split(" ")[0]
        lines.append(
            f"  {row.response:<30}{row.policy:>16}{row.information:>16}{row.path:>16}"
            f"{q1:>10}{q4:>10}"
        )
    return "\n".join(lines)
