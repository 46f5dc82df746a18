"""Backtest figures: PIT histograms, coverage and CRPS skill by horizon, fan charts per origin.

Each function returns PNG bytes rendered on an Agg canvas (no pyplot state).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rutsim.report import figure_png

__all__ = ["coverage_chart", "fan_chart", "pit_histograms", "png", "skill_chart"]

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#7f7f7f")


def png(fig: Figure) -> bytes:
    """Render a validation figure to PNG bytes (100 dpi: these pages hold many figures)."""
    return figure_png(fig, dpi=100)


def _colours(names: Sequence[str]) -> dict[str, str]:
    return {n: _PALETTE[i % len(_PALETTE)] for i, n in enumerate(names)}


def pit_histograms(
    scores: pd.DataFrame, forecasters: Sequence[str], horizons: Sequence[int]
) -> bytes:
    """PIT histograms (10 bins) of the price-return forecasts: forecasters x horizons."""
    price = scores[scores.target == "price"]
    fig = Figure(
        figsize=(2.4 * len(horizons) + 1, 1.9 * len(forecasters) + 0.6), layout="constrained"
    )
    axes = fig.subplots(len(forecasters), len(horizons), squeeze=False, sharex=True)
    for i, fc in enumerate(forecasters):
        for j, h in enumerate(horizons):
            ax = axes[i][j]
            v = price[(price.forecaster == fc) & (price.horizon == h)]["pit"].to_numpy()
            ax.hist(v, bins=np.linspace(0, 1, 11), color="#4c72b0", edgecolor="white")
            if v.size:
                ax.axhline(v.size / 10, color="k", lw=0.8, ls="--")
            ax.set_title(f"{fc}, {h}q (n={v.size})", fontsize=8)
            if j == 0:
                ax.set_ylabel("origins")
            if i == len(forecasters) - 1:
                ax.set_xlabel("PIT")
    fig.suptitle("PIT of the realized Russell 2000 price return (flat = calibrated)")
    return png(fig)


def coverage_chart(summary: pd.DataFrame, forecasters: Sequence[str]) -> bytes:
    """Empirical coverage of the central 50% and 90% intervals by horizon, Wilson bounds."""
    price = summary[summary.target == "price"]
    colours = _colours(forecasters)
    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    width = 0.8 / max(len(forecasters), 1)
    for ax, level in zip(axes, (50, 90), strict=True):
        hs = sorted(price.horizon.unique())
        for k, fc in enumerate(forecasters):
            g = price[price.forecaster == fc].set_index("horizon").reindex(hs)
            x = np.arange(len(hs)) + (k - (len(forecasters) - 1) / 2) * width
            rate = g[f"cover_{level}"].to_numpy()
            # Clip: at 0% or 100% coverage a bound equals the rate up to rounding.
            err = np.clip(
                np.vstack([rate - g[f"cover_{level}_lo"], g[f"cover_{level}_hi"] - rate]), 0, None
            )
            ax.errorbar(x, rate, yerr=err, fmt="o", color=colours[fc], label=fc, ms=4, capsize=2)
        ax.axhline(level / 100, color="k", lw=0.8, ls="--")
        ax.set_xticks(np.arange(len(hs)), [f"{h}q" for h in hs])
        ax.set_xlabel("horizon")
        ax.set_title(f"central {level}% interval")
    axes[0].set_ylabel("share of origins inside (95% Wilson bounds)")
    axes[1].legend(fontsize=7, loc="lower right")
    return png(fig)


def skill_chart(summary: pd.DataFrame, forecasters: Sequence[str], baseline: str) -> bytes:
    """CRPS skill over ``baseline`` by horizon with +-2 overlap-aware standard errors."""
    price = summary[(summary.target == "price") & summary.forecaster.isin(forecasters)]
    colours = _colours(forecasters)
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    hs = sorted(price.horizon.unique())
    width = 0.8 / max(len(forecasters), 1)
    for k, fc in enumerate(forecasters):
        g = price[price.forecaster == fc].set_index("horizon").reindex(hs)
        if f"skill_vs_{baseline}" not in g:
            continue
        x = np.arange(len(hs)) + (k - (len(forecasters) - 1) / 2) * width
        ax.errorbar(
            x,
            g[f"skill_vs_{baseline}"],
            yerr=2 * g[f"se_vs_{baseline}"],
            fmt="o",
            color=colours[fc],
            label=fc,
            capsize=2,
        )
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(np.arange(len(hs)), [f"{h}q" for h in hs])
    ax.set_xlabel("horizon")
    ax.set_ylabel(f"CRPS skill vs {baseline} (1 - ratio)")
    ax.set_title("Above 0: better than the baseline (bars: +-2 Newey-West s.e.)")
    ax.legend(fontsize=8, loc="lower left")
    return png(fig)


def fan_chart(
    origin: str,
    fans: Mapping[str, np.ndarray],
    realized: np.ndarray,
    forecasters: Sequence[str],
    probs: Sequence[float],
) -> bytes:
    """One origin: 5-95% and 25-75% bands and median per forecaster, realized path on top."""
    colours = _colours(forecasters)
    h = realized.size
    x = np.arange(0, h + 1)
    fig = Figure(figsize=(3.2 * len(forecasters), 3.0), layout="constrained")
    axes = fig.subplots(1, len(forecasters), sharey=True, squeeze=False)[0]
    p = list(probs)
    for ax, fc in zip(axes, forecasters, strict=True):
        q = np.hstack([np.zeros((len(p), 1)), fans[fc]])
        c = colours[fc]
        ax.fill_between(x, q[p.index(0.05)], q[p.index(0.95)], color=c, alpha=0.18, lw=0)
        ax.fill_between(x, q[p.index(0.25)], q[p.index(0.75)], color=c, alpha=0.35, lw=0)
        ax.plot(x, q[p.index(0.5)], color=c, lw=1.2, label="median")
        ax.plot(x, np.r_[0.0, realized], color="k", lw=1.6, marker="o", ms=3, label="realized")
        ax.axhline(0, color="#888", lw=0.6)
        ax.set_title(fc, fontsize=9)
        ax.set_xlabel(f"quarters after {origin}")
    axes[0].set_ylabel("cumulative price return")
    axes[0].yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Forecasts from {origin} (bands 5-95% and 25-75%) and the realized path")
    return png(fig)


def cycle_paths_chart(monthly: pd.DataFrame, cycles: pd.DataFrame, months: int = 24) -> bytes:
    """Cumulative returns after each first cut: Russell 2000 price (1987 on), French small caps.

    Each line starts at 0 at the close before the cut month; red lines are cycles with a
    recession under way or starting within 24 months, blue ones soft landings.
    """
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    colour = {"recession": "#d62728", "soft landing": "#1f77b4"}
    x = np.arange(months + 1)
    for _, c in cycles.iterrows():
        m = pd.Period(c.first_cut, "M")
        months_idx = pd.period_range(m - 1, periods=months + 1, freq="M")
        rut = monthly["rut_end"].reindex(months_idx).to_numpy()
        if np.isfinite(rut[0]):
            axes[0].plot(x, rut / rut[0] - 1, color=colour[c.regime], lw=1.2)
            last = np.flatnonzero(np.isfinite(rut))[-1]
            axes[0].annotate(c.first_cut, (last, rut[last] / rut[0] - 1), fontsize=7)
        ret = monthly["ff_small_ret"].reindex(months_idx[1:]).to_numpy()
        path = np.r_[0.0, np.cumprod(1 + ret) - 1]
        axes[1].plot(x, path, color=colour[c.regime], lw=1.0, alpha=0.8)
        ok = np.flatnonzero(np.isfinite(path))
        if ok.size > 1:
            axes[1].annotate(c.first_cut[:4], (ok[-1], path[ok[-1]]), fontsize=6)
    for ax, title in zip(
        axes,
        ("Russell 2000 price (1987 on)", "French small caps, total return (Lo 30, 1926 on)"),
        strict=True,
    ):
        ax.axhline(0, color="#888", lw=0.6)
        ax.set_xlabel("months after the close before the first cut")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("cumulative return")
    axes[0].yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    handles = [axes[0].plot([], [], color=v, label=k)[0] for k, v in colour.items()]
    axes[1].legend(handles=handles, fontsize=8, loc="upper left")
    return png(fig)


def replay_chart(replay: pd.DataFrame, horizon: int) -> bytes:
    """Model median and 90% interval of the return after each first cut, and what happened."""
    done = replay.dropna(subset=["model_median"]).reset_index(drop=True)
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    colour = {"recession": "#d62728", "soft landing": "#1f77b4"}
    x = np.arange(len(done))
    for i, r in done.iterrows():
        c = colour[r.regime]
        ax.vlines(i, r.model_q05, r.model_q95, color=c, lw=6, alpha=0.3)
        ax.plot(i, r.model_median, "o", color=c, mfc="white")
        ax.plot(i, r.realized, "k*", ms=9)
    ax.plot([], [], "o", color="#555", mfc="white", label="model median (90% band)")
    ax.plot([], [], "k*", label="realized")
    ax.axhline(0, color="#888", lw=0.6)
    ax.set_xticks(x, [f"{r.first_cut}\n({r.regime})" for _, r in done.iterrows()], fontsize=7)
    ax.set_ylabel(f"{horizon}-quarter price return")
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_title("Model replay: fitted before each first cut, given the realized macro path")
    ax.legend(fontsize=8, loc="upper left")
    return png(fig)
