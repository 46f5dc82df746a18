"""Figures of a run: fan charts, terminal distributions, VaR/CVaR and attribution.

Each function returns PNG bytes (rendered with the Agg canvas, no display, no global
pyplot state) so the caller decides where they go.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from rutsim.risk import BLEND, COMPONENTS, quantile
from rutsim.runs import RunData

_BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)
_MACRO = (
    ("fedfunds", "Fed funds rate", "%"),
    # Generic names: [data] chooses which slope and spread series drive the model.
    ("slope", "Treasury curve slope", "pp"),
    ("spread", "Credit spread", "pp"),
)
_COMPONENT_LABELS = {
    "earnings_growth": "earnings growth",
    "multiple_change": "multiple change",
    "carry": "carry",
}
_COMPONENT_COLOURS = {
    "earnings_growth": "#1b9e77",
    "multiple_change": "#d95f02",
    "carry": "#7570b3",
}


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One stable colour per scenario, black for the blend."""
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
    colours = {n: palette[i % len(palette)] for i, n in enumerate(names)}
    colours[BLEND] = "#222222"
    return colours


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes (Agg canvas, no pyplot state)."""
    buf = io.BytesIO()
    # The constrained layout already fits labels; "tight" bbox would render twice.
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _quarters(run: RunData) -> list[str]:
    sim = run.simulation
    if "quarter" in sim.coords:
        return [str(q) for q in sim["quarter"].values]
    return [f"+{int(h)}q" for h in sim["horizon"].values]


def _bands(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pooled quantiles ``(band, horizon)`` of ``(sample, path, horizon)`` values."""
    flat = values.reshape(-1, values.shape[-1])
    return np.moveaxis(quantile(flat, _BANDS, axis=0), -1, 0)


def _fan(ax: Axes, x: NDArray[np.int64], bands: NDArray[np.float64], colour: str) -> None:
    ax.fill_between(x, bands[0], bands[4], color=colour, alpha=0.18, lw=0, label="5-95%")
    ax.fill_between(x, bands[1], bands[3], color=colour, alpha=0.35, lw=0, label="25-75%")
    ax.plot(x, bands[2], color=colour, lw=2, label="median")


def fan_chart(run: RunData, scenario: str, colour: str) -> bytes:
    """Fan chart of one scenario: the total-return index and the three macro paths."""
    sim = run.simulation.sel(scenario=scenario)
    labels = _quarters(run)
    x = np.arange(1, len(labels) + 1)
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    axes = fig.subplots(2, 2)
    parts = sum(sim[c].values.astype(np.float64) for c in COMPONENTS)
    index = 100.0 * np.exp(np.cumsum(parts, axis=-1))
    ax = axes[0, 0]
    _fan(ax, x, _bands(index), colour)
    ax.axhline(100.0, color="grey", lw=0.8, ls="--")
    ax.set(title="Russell 2000 total-return index", ylabel="index (start = 100)")
    ax.legend(loc="upper left", fontsize=8)
    for ax, (var, title, unit) in zip(axes.flat[1:], _MACRO, strict=True):
        _fan(ax, x, _bands(sim[var].values.astype(np.float64)), colour)
        ax.set(title=title, ylabel=str(sim[var].attrs.get("units", unit)))
    step = max(1, len(labels) // 6)
    for ax in axes.flat:
        ax.set_xticks(x[::step], labels[::step])
        ax.set_xlabel("quarter")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Scenario '{scenario}': pooled predictive paths (all draws and paths)")
    return figure_png(fig)


def terminal_distributions(
    run: RunData, weights: Mapping[str, float], colours: Mapping[str, str]
) -> bytes:
    """Overlaid densities of the cumulative return at the last horizon, and the blend."""
    parts = sum(run.simulation[c].values.astype(np.float64) for c in COMPONENTS)
    terminal = 100.0 * np.expm1(parts.sum(axis=-1))  # (scenario, sample, path), percent
    # The simple return is right-skewed; the far right tail would squash the body.
    lo, hi = np.quantile(terminal, [0.005, 0.99])
    edges = np.linspace(lo, hi, 61)
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    for i, name in enumerate(run.scenarios):
        ax.hist(
            terminal[i].ravel(),
            bins=edges,
            density=True,
            histtype="step",
            lw=1.8,
            color=colours[name],
            label=name,
        )
    mix_w = np.concatenate(
        [
            np.full(terminal[i].size, weights[n] / terminal[i].size)
            for i, n in enumerate(run.scenarios)
        ]
    )
    ax.hist(
        terminal.ravel(),
        bins=edges,
        weights=mix_w,
        density=True,
        histtype="step",
        lw=2.4,
        ls="--",
        color=colours[BLEND],
        label=f"{BLEND} (weighted mixture)",
    )
    ax.axvline(0.0, color="grey", lw=0.8)
    n_h = run.simulation.sizes["horizon"]
    ax.set(
        title=f"Distribution of the cumulative total return over {n_h} quarters "
        "(0.5%-99% of outcomes shown)",
        xlabel="cumulative total return (%)",
        ylabel="density (per % point)",
    )
    ax.legend()
    ax.grid(alpha=0.3)
    return figure_png(fig)


def _scenario_ticks(ax: Axes, entities: Sequence[str]) -> None:
    # Long scenario names (imported stress tests) overlap unless slanted.
    slant = sum(len(e) for e in entities) > 60
    ax.set_xticks(
        range(len(entities)),
        entities,
        rotation=20 if slant else 0,
        ha="right" if slant else "center",
    )


def _stat(table: pd.DataFrame, entity: str, horizon: int, metric: str, stat: str) -> float:
    sel = table[
        (table.scenario == entity)
        & (table.horizon == horizon)
        & (table.metric == metric)
        & (table.statistic == stat)
    ]
    return float(sel.value.iloc[0])


_MEASURE_LABELS = {
    "var_95": "VaR 95%",
    "cvar_95": "CVaR 95%",
    "var_99": "VaR 99%",
    "cvar_99": "CVaR 99%",
}


def var_cvar_chart(
    table: pd.DataFrame, entities: Sequence[str], horizon: int, colours: Mapping[str, str]
) -> bytes:
    """VaR and CVaR at 95% and 99% per scenario: pooled value and 90% credible interval."""
    measures = ("var_95", "cvar_95", "var_99", "cvar_99")
    markers = ("o", "s", "^", "D")
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    width = 0.18
    for j, (m, mk) in enumerate(zip(measures, markers, strict=True)):
        for i, e in enumerate(entities):
            x = i + (j - 1.5) * width
            pooled = 100 * _stat(table, e, horizon, m, "pooled")
            lo = 100 * _stat(table, e, horizon, m, "draw_q05")
            hi = 100 * _stat(table, e, horizon, m, "draw_q95")
            ax.plot([x, x], [lo, hi], color=colours[e], lw=2)
            ax.plot(
                x,
                pooled,
                marker=mk,
                color=colours[e],
                ms=8,
                mfc="white" if j % 2 else None,
                ls="none",
                label=_MEASURE_LABELS[m] if i == 0 else None,
            )
    _scenario_ticks(ax, entities)
    ax.set(
        title=f"Loss measures at {horizon} quarters: pooled (marker) and 90% credible "
        "interval across posterior draws (line)",
        xlabel="scenario",
        ylabel="loss (% of value, positive = loss)",
    )
    leg = ax.legend(title="measure (marker)", loc="upper left", bbox_to_anchor=(1.01, 1))
    for h in leg.legend_handles:
        h.set_color("black")
    ax.grid(alpha=0.3, axis="y")
    return figure_png(fig)


def attribution_chart(table: pd.DataFrame, entities: Sequence[str], horizon: int) -> bytes:
    """Stacked contributions of earnings, multiple and carry to the mean and CVaR-95 tail."""
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (tag, title) in zip(
        axes, (("mean", "Mean outcome"), ("cvar95", "Worst 5% (CVaR-95 tail)")), strict=True
    ):
        x = np.arange(len(entities))
        pos = np.zeros(len(entities))
        neg = np.zeros(len(entities))
        for c in COMPONENTS:
            vals = np.array(
                [100 * _stat(table, e, horizon, f"attr_{tag}_{c}", "pooled") for e in entities]
            )
            base = np.where(vals >= 0, pos, neg)
            ax.bar(
                x, vals, 0.6, bottom=base, color=_COMPONENT_COLOURS[c], label=_COMPONENT_LABELS[c]
            )
            pos += np.where(vals >= 0, vals, 0)
            neg += np.where(vals < 0, vals, 0)
        totals = [100 * _stat(table, e, horizon, f"attr_{tag}_total", "pooled") for e in entities]
        ax.plot(x, totals, "k_", ms=30, mew=3, label="total")
        ax.axhline(0, color="grey", lw=0.8)
        _scenario_ticks(ax, entities)
        ax.set(title=title, xlabel="scenario")
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("cumulative log return (% points)")
    axes[1].legend()
    fig.suptitle(f"Return attribution at {horizon} quarters (log terms; parts add to the total)")
    return figure_png(fig)


def risk_by_horizon(
    table: pd.DataFrame, entities: Sequence[str], colours: Mapping[str, str]
) -> bytes:
    """CVaR-95 and probability of loss per quarter: pooled line, 90% credible band."""
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, (metric, title, unit) in zip(
        axes,
        (
            ("cvar_95", "CVaR 95% by horizon", "loss (%, positive = loss)"),
            ("prob_loss", "Probability of a loss by horizon", "probability (%)"),
        ),
        strict=True,
    ):
        for e in entities:
            sel = table[(table.scenario == e) & (table.metric == metric)]
            wide = sel.pivot(index="horizon", columns="statistic", values="value")
            h = wide.index.to_numpy()
            ax.fill_between(
                h,
                100 * wide["draw_q05"],
                100 * wide["draw_q95"],
                color=colours[e],
                alpha=0.12,
                lw=0,
            )
            ax.plot(
                h,
                100 * wide["pooled"],
                color=colours[e],
                lw=2.2 if e == BLEND else 1.6,
                ls="--" if e == BLEND else "-",
                label=e,
            )
        ax.set(title=title, xlabel="horizon (quarters ahead)", ylabel=unit)
        ax.grid(alpha=0.3)
    axes[0].legend(title="line: pooled; band: 90% credible")
    return figure_png(fig)
