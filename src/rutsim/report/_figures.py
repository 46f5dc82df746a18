"""Figures of a run: return distributions, fan charts with history, risk and attribution.

Each function returns PNG bytes (rendered with the Agg canvas, no display, no global
pyplot state) so the caller decides where they go. Every axis carries a title, a unit
and series names; figures are sized to stay legible at the report's 1000 px width.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from rutsim.report._history import History
from rutsim.report._summary import MACRO_SHOWN, table_value
from rutsim.risk import BLEND, COMPONENTS, RETURN_BIN_WIDTH, RETURN_RANGE, quantile
from rutsim.runs import RunData

_BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)
_COMPONENT_LABELS = {
    "earnings_growth": "earnings growth",
    "multiple_change": "multiple change",
    "carry": "carry (dividends net of fees)",
}
_COMPONENT_COLOURS = {
    "earnings_growth": "#1b9e77",
    "multiple_change": "#d95f02",
    "carry": "#7570b3",
}


def _total(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """Sum of arrays in order, as the built-in ``sum`` adds them (but typed as an array)."""
    it = iter(arrays)
    out = next(it)
    for a in it:
        out = out + a
    return out


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One stable colour per scenario, black for the blend."""
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
    colours = {n: palette[i % len(palette)] for i, n in enumerate(names)}
    colours[BLEND] = "#222222"
    return colours


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes (Agg canvas, no pyplot state)."""
    buf = io.BytesIO()
    # The constrained layout already fits labels; "tight" bbox would render twice.
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def horizon_label(h: int) -> str:
    """``4`` -> ``"4 quarters (1 year)"``."""
    if h % 4 == 0:
        years = h // 4
        return f"{h} quarters ({years} year{'s' if years > 1 else ''})"
    return f"{h} quarter{'s' if h > 1 else ''}"


# ---------------------------------------------------------------- return distributions


#: Bars of a distribution figure group whole return bins (so they never alias them):
#: 8 per bar (about 0.8% in log return) or more, to show at most about 100 bars.
_MIN_BINS_PER_BAR = 8
_MAX_BARS = 100


def _log_mass(run: RunData, scenario: str, horizon: int) -> NDArray[np.float64]:
    """Probability mass of the cumulative log return in each inner return bin.

    From the binned sums over every path or, for runs without them, the kept paths.
    """
    lo, hi = RETURN_RANGE
    n_inner = round((hi - lo) / RETURN_BIN_WIDTH)
    if run.pooled is not None:
        count = run.pooled["count"].sel(scenario=scenario, horizon=horizon).values
        # The open end bins hold the far tails, beyond any figure.
        return count[1:-1] / count.sum()
    sim = run.simulation.sel(scenario=scenario)
    parts = _total(sim[c].values.astype(np.float64) for c in COMPONENTS)
    x = parts[..., :horizon].sum(axis=-1).ravel()
    mass, _ = np.histogram(x, bins=lo + RETURN_BIN_WIDTH * np.arange(n_inner + 1))
    return mass / x.size


def distribution_chart(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    horizon: int,
    colours: Mapping[str, str],
) -> bytes:
    """One panel per scenario (and the blend): the return distribution, median and VaR 95.

    Bars are equally wide in log return (0.8% or more), drawn at the simple returns they
    cover, with heights as probability per percentage point of simple return; they count every
    simulated path (the binned sums of ``pooled.nc``; the kept paths for runs without it).
    """
    entities = [*run.scenarios, BLEND]
    fine = {s: _log_mass(run, s, horizon) for s in run.scenarios}
    fine[BLEND] = _total(weights[s] * fine[s] for s in run.scenarios)
    # Show the range between the 0.2% and 99.5% points of every entity.
    cums = [np.cumsum(m) / max(m.sum(), 1e-300) for m in fine.values()]
    first = min(int(np.searchsorted(c, 0.002)) for c in cums)
    last = max(int(np.searchsorted(c, 0.995)) for c in cums) + 1
    per_bar = _MIN_BINS_PER_BAR
    while (last - first) / per_bar > _MAX_BARS and per_bar < 512:
        per_bar *= 2
    mass = {e: m.reshape(-1, per_bar).sum(axis=1) for e, m in fine.items()}
    lo, _ = RETURN_RANGE
    log_edges = lo + RETURN_BIN_WIDTH * per_bar * np.arange(len(mass[BLEND]) + 1)
    edges = 100 * np.expm1(log_edges)
    widths = np.diff(edges)
    first, last = first // per_bar, min(len(widths), last // per_bar + 1)
    fig = Figure(figsize=(10, 1.15 + 1.45 * len(entities)), layout="constrained")
    axes = fig.subplots(len(entities), 1, sharex=True, squeeze=False)[:, 0]
    for ax, e in zip(axes, entities, strict=True):
        dens = mass[e] / widths
        ax.stairs(dens, edges, fill=True, color=colours[e], alpha=0.35)
        ax.stairs(dens, edges, color=colours[e], lw=1.2)
        med = 100 * table_value(table, e, horizon, "return_median", "pooled")
        var = 100 * table_value(table, e, horizon, "var_95", "pooled")
        ax.axvline(0, color="grey", lw=0.8)
        ax.axvline(med, color="black", lw=1.4)
        ax.axvline(-var, color="#b2182b", lw=1.6, ls="--")
        # Labels above each panel (axes titles), clear of the histogram.
        ax.set_title(
            f"{e}" + ("" if e == BLEND else f" (weight {weights[e]:.0%})"),
            loc="left",
            fontsize=9.5,
            fontweight="bold",
            pad=3,
        )
        ax.set_title(f"median {med:+.1f}%   VaR 95 {var:.1f}% loss", loc="right", fontsize=9, pad=3)
        ax.set_yticks([])
        ax.set_ylabel("density", fontsize=8)
        ax.grid(alpha=0.25, axis="x")
    axes[-1].set_xlim(edges[first], edges[last])
    axes[-1].set_xlabel(
        f"cumulative total return over {horizon_label(horizon)}, simple, % "
        "(solid: median; dashed red: VaR 95, the 5% worst outcome)"
    )
    fig.suptitle(
        f"Return distributions at {horizon_label(horizon)}: every simulated path, "
        "parameter and shock uncertainty together",
        fontsize=11,
    )
    return figure_png(fig)


# ---------------------------------------------------------------- fan charts


def _bands(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pooled quantiles ``(band, step)`` of ``(sample, path, step)`` values."""
    flat = values.reshape(-1, values.shape[-1])
    return np.moveaxis(quantile(flat, _BANDS, axis=0), -1, 0)


def _fan(ax: Axes, x: NDArray[np.int64], bands: NDArray[np.float64], colour: str) -> None:
    ax.fill_between(x, bands[0], bands[4], color=colour, alpha=0.16, lw=0, label="5-95%")
    ax.fill_between(x, bands[1], bands[3], color=colour, alpha=0.34, lw=0, label="25-75%")
    ax.plot(x, bands[2], color=colour, lw=2, label="median")


def _quarters(run: RunData) -> list[str]:
    sim = run.simulation
    if "quarter" in sim.coords:
        return [str(q) for q in sim["quarter"].values]
    return [f"+{int(h)}q" for h in sim["horizon"].values]


#: Title of the fan chart's fed funds panel (it also shows the priced-in path).
FED_FUNDS_PANEL = "Fed funds rate"


def fan_panels(run: RunData, scenario: str, history: History | None) -> list[tuple]:
    """Return the panels of a scenario's fan chart: (title, unit, paths, history or None).

    Every series starts at the last observed quarter: the index and earnings at 100,
    the P/E at the model's estimate of it then (a distribution: it is not observed),
    the macro variables at their observed values.
    """
    sim = run.simulation.sel(scenario=scenario)
    arr = {v: sim[v].values.astype(np.float64) for v in sim.data_vars}
    parts = _total(arr[c] for c in COMPONENTS)
    zero = np.zeros(parts.shape[:-1] + (1,))

    def with_start(start: NDArray[np.float64], paths: NDArray[np.float64]) -> NDArray:
        return np.concatenate([start, paths], axis=-1)

    index = 100.0 * np.exp(with_start(zero, np.cumsum(parts, axis=-1)))
    earnings = 100.0 * np.exp(with_start(zero, np.cumsum(arr["earnings_growth"], axis=-1)))
    lm0 = arr["log_multiple"][..., :1] - arr["multiple_change"][..., :1]
    pe = np.exp(with_start(lm0, arr["log_multiple"]))
    h = history.series if history is not None else {}
    slope_name = history.slope_label if history is not None else "slope"
    spread_name = history.spread_label if history is not None else "spread"
    panels = [
        ("Russell 2000 total-return index", "index, last observed = 100", index, h.get("index")),
        (
            "Small-cap P/E on smoothed earnings (model output)",
            "price / 12-quarter average EPS (not trailing)",
            pe,
            None,
        ),
        (
            "Small-cap smoothed earnings (model output)",
            "index, last observed = 100",
            earnings,
            None,
        ),
        (FED_FUNDS_PANEL, "% per year", None, h.get("fedfunds")),
        ("Unemployment rate", "% of labour force", None, h.get("unemployment")),
        (f"Treasury curve slope ({slope_name})", "percentage points", None, h.get("slope")),
        (f"Credit spread ({spread_name})", "percentage points", None, h.get("spread")),
        ("Real 10-year yield", "percentage points", None, h.get("real_yield")),
    ]
    out = []
    for (title, unit, paths, hist), var in zip(
        panels, (None, None, None, *MACRO_SHOWN), strict=True
    ):
        if paths is None:
            if var not in arr:
                continue
            if hist is not None and len(hist):
                start = np.full(zero.shape, float(hist[-1]))
                paths = with_start(start, arr[var])
            else:
                paths = arr[var]
        out.append((title, unit, paths, hist))
    return out


def fan_chart(run: RunData, scenario: str, colour: str, history: History | None) -> bytes:
    """Fan chart of one scenario: returns, valuation, earnings and the macro paths.

    Bands are pooled over every posterior draw and kept path; up to three years of
    observed history lead into the last observed quarter, where every fan starts.
    """
    labels = _quarters(run)
    panels = fan_panels(run, scenario, history)
    n_rows = (len(panels) + 1) // 2
    fig = Figure(figsize=(10, 2.5 * n_rows + 0.6), layout="constrained")
    axes = fig.subplots(n_rows, 2, squeeze=False)
    hist_q = history.quarters if history is not None else []
    last = run.manifest.as_of or "last observed"
    for ax, (title, unit, paths, hist) in zip(axes.flat, panels, strict=False):
        n = paths.shape[-1]
        has_start = n == len(labels) + 1
        x = np.arange(0 if has_start else 1, len(labels) + 1)
        _fan(ax, x, _bands(paths), colour)
        if hist is not None and len(hist):
            hx = np.arange(-len(hist) + 1, 1)
            ax.plot(hx, hist, color="black", lw=1.4, label="observed")
        if title == FED_FUNDS_PANEL and run.manifest.priced_in:
            # What markets priced in at the data end: a scenario's distance from this
            # line is what the model reads as policy surprise.
            priced = np.asarray(run.manifest.priced_in, dtype=np.float64)[: len(labels)]
            priced = np.concatenate([priced, np.full(len(labels) - len(priced), priced[-1])])
            ax.plot(
                np.arange(1, len(labels) + 1),
                priced,
                color="black",
                lw=1.2,
                ls="--",
                label="priced in at the data end",
            )
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit, fontsize=9)
        ax.grid(alpha=0.3)
        ticks = list(range(-len(hist_q) + 1 if hist_q else 0, len(labels) + 1))
        names = [*hist_q[:-1], last, *labels] if hist_q else [last, *labels]
        step = max(1, len(ticks) // 6)
        ax.set_xticks(ticks[::step], [str(n) for n in names[::step]], fontsize=8)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    handles, names = [], []
    for ax in axes.flat:  # one legend entry per label, from whichever panel has it
        for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
            if name not in names:
                handles.append(handle)
                names.append(name)
    fig.legend(handles, names, loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(
        f"Scenario '{scenario}': paths from the last observed quarter ({last}); bands pool "
        "every posterior draw and kept path",
        fontsize=11,
    )
    return figure_png(fig)


# ---------------------------------------------------------------- risk and attribution


def _scenario_ticks(ax: Axes, entities: Sequence[str]) -> None:
    # Long scenario names (imported stress tests) overlap unless slanted.
    slant = sum(len(e) for e in entities) > 50
    ax.set_xticks(
        range(len(entities)),
        entities,
        rotation=20 if slant else 0,
        ha="right" if slant else "center",
        fontsize=9,
    )


_MEASURES = (
    ("var_95", "VaR 95%", "o"),
    ("cvar_95", "CVaR 95%", "s"),
    ("var_99", "VaR 99%", "^"),
    ("cvar_99", "CVaR 99%", "D"),
)


def var_cvar_chart(
    table: pd.DataFrame,
    entities: Sequence[str],
    horizons: Sequence[int],
    colours: Mapping[str, str],
) -> bytes:
    """VaR and CVaR at 95% and 99% per scenario and horizon: pooled and 90% credible interval."""
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    axes = fig.subplots(1, len(horizons), sharey=True, squeeze=False)[0]
    width = 0.18
    for ax, horizon in zip(axes, horizons, strict=True):
        for j, (m, label, mk) in enumerate(_MEASURES):
            for i, e in enumerate(entities):
                x = i + (j - 1.5) * width
                lo = 100 * table_value(table, e, horizon, m, "draw_q05")
                hi = 100 * table_value(table, e, horizon, m, "draw_q95")
                ax.plot([x, x], [lo, hi], color=colours[e], lw=2)
                ax.plot(
                    x,
                    100 * table_value(table, e, horizon, m, "pooled"),
                    marker=mk,
                    color=colours[e],
                    mec="black",
                    ms=7,
                    mfc="white" if j % 2 else colours[e],
                    ls="none",
                    label=label if i == 0 else None,
                )
        _scenario_ticks(ax, entities)
        ax.set_title(f"at {horizon_label(horizon)}", fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("loss, % of value (positive = loss)")
    handles, names = axes[0].get_legend_handles_labels()
    for hnd in handles:
        hnd.set_color("black")
    fig.legend(handles, names, loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(
        "Loss measures: pooled value (marker) and 90% credible interval across posterior "
        "draws (line)",
        fontsize=11,
    )
    return figure_png(fig)


def attribution_chart(
    table: pd.DataFrame, entities: Sequence[str], horizons: Sequence[int]
) -> bytes:
    """Stacked contributions of earnings, multiple and carry: mean and CVaR-95 tail."""
    fig = Figure(figsize=(10, 3.3 * len(horizons) + 0.7), layout="constrained")
    axes = fig.subplots(len(horizons), 2, sharey="row", squeeze=False)
    for row, horizon in zip(axes, horizons, strict=True):
        for ax, (tag, title) in zip(
            row, (("mean", "mean outcome"), ("cvar95", "worst 5% (CVaR-95 tail)")), strict=True
        ):
            x = np.arange(len(entities))
            pos = np.zeros(len(entities))
            neg = np.zeros(len(entities))
            for c in COMPONENTS:
                vals = np.array(
                    [
                        100 * table_value(table, e, horizon, f"attr_{tag}_{c}", "pooled")
                        for e in entities
                    ]
                )
                base = np.where(vals >= 0, pos, neg)
                ax.bar(
                    x,
                    vals,
                    0.6,
                    bottom=base,
                    color=_COMPONENT_COLOURS[c],
                    label=_COMPONENT_LABELS[c],
                )
                pos += np.where(vals >= 0, vals, 0)
                neg += np.where(vals < 0, vals, 0)
            totals = [
                100 * table_value(table, e, horizon, f"attr_{tag}_total", "pooled")
                for e in entities
            ]
            ax.plot(x, totals, "k_", ms=26, mew=3, label="total")
            ax.axhline(0, color="grey", lw=0.8)
            _scenario_ticks(ax, entities)
            ax.set_title(f"{title}, {horizon_label(horizon)}", fontsize=10)
            ax.grid(alpha=0.3, axis="y")
        row[0].set_ylabel("cumulative log return, % points")
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(
        "Where the return comes from (log terms, so the parts add up to the total)", fontsize=11
    )
    return figure_png(fig)


def risk_by_horizon(
    table: pd.DataFrame,
    entities: Sequence[str],
    colours: Mapping[str, str],
    marked: Sequence[int],
) -> bytes:
    """CVaR-95 and probability of loss per quarter: pooled lines, 90% intervals at ``marked``.

    Intervals are drawn as error bars at the marked horizons only (offset per scenario),
    so that overlapping bands do not blur the lines into one mass.
    """
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    offsets = np.linspace(-0.25, 0.25, len(entities))
    for ax, (metric, title, unit) in zip(
        axes,
        (
            ("cvar_95", "CVaR 95% by horizon", "loss, % of value (positive = loss)"),
            ("prob_loss", "Probability of a loss by horizon", "probability, %"),
        ),
        strict=True,
    ):
        for e, off in zip(entities, offsets, strict=True):
            sel = table[(table.scenario == e) & (table.metric == metric)]
            wide = sel.pivot(index="horizon", columns="statistic", values="value")
            h = wide.index.to_numpy()
            ax.plot(
                h,
                100 * wide["pooled"],
                color=colours[e],
                lw=2.2 if e == BLEND else 1.5,
                ls="--" if e == BLEND else "-",
                label=e,
            )
            at = [m for m in marked if m in wide.index]
            mid = 100 * wide.loc[at, "pooled"].to_numpy()
            err = np.abs(
                np.stack(
                    [
                        mid - 100 * wide.loc[at, "draw_q05"].to_numpy(),
                        100 * wide.loc[at, "draw_q95"].to_numpy() - mid,
                    ]
                )
            )
            ax.errorbar(
                np.asarray(at) + off, mid, yerr=err, fmt="none", ecolor=colours[e], capsize=2
            )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("horizon, quarters ahead")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(5, len(names)), fontsize=9)
    fig.suptitle(
        "Risk by horizon: pooled (line); 90% credible interval across posterior draws (bars)",
        fontsize=11,
    )
    return figure_png(fig)
