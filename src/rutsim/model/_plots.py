"""Posterior plots of a fitted model (ArviZ 1 PlotCollections and one matplotlib figure).

Every figure is written headless as PNG into ``models/<id>/plots/``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from rutsim.config import (  # noqa: E402
    REGISTRY,
    ModelConfig,  # noqa: E402
    names_in,
)
from rutsim.model._checks import Predictive, prior_draws  # noqa: E402
from rutsim.model._data import ModelData  # noqa: E402

#: Parameters per figure of the trace/rank and prior-vs-posterior plots: one per equity
#: block, the macro block in two (ArviZ draws at most 40 panels, two per parameter).
_MACRO_FIGURES = {"macro_activity_policy": ("du", "df"), "macro_rates_credit": ("s", "c", "rr")}
BLOCKS = {
    **{
        fig: [p.name for p in REGISTRY if p.block == "macro" and p.equation in eqs]
        for fig, eqs in _MACRO_FIGURES.items()
    },
    **{block: list(names_in(block)) for block in ("large_cap", "small_cap", "announcement")},
}
#: The macro sensitivities of each equity channel (earnings growth, multiple, q).
SENSITIVITIES = [
    p.name for p in REGISTRY if p.role == "effect" and p.block in ("large_cap", "small_cap")
]


_PARAMS = {p.name: p for p in REGISTRY}


def _grid(n: int, ncols: int, width: float, row_height: float) -> tuple[plt.Figure, np.ndarray]:
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width, row_height * nrows + 0.9), layout="constrained", squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _draws(tree: xr.DataTree, name: str) -> np.ndarray:
    """(chain, draw) samples of one scalar parameter."""
    return np.asarray(tree["posterior"][name].transpose("chain", "draw").values, np.float64)


def _title(name: str) -> str:
    p = _PARAMS.get(name)
    return name if p is None else f"{name}: {p.note}"


def trace_rank_figure(tree: xr.DataTree, names: list[str], block: str) -> plt.Figure:
    """Per parameter: the draws of each chain (trace) and their rank histograms.

    Rank histograms (Vehtari et al. 2021) are flat for every chain when the chains mix;
    a chain whose bars lean one way sampled another part of the posterior.
    """
    fig, axes = plt.subplots(
        len(names),
        2,
        figsize=(10, 1.35 * len(names) + 0.9),
        layout="constrained",
        squeeze=False,
        width_ratios=(2.2, 1),
    )
    for row, name in zip(axes, names, strict=True):
        x = _draws(tree, name)
        n_chain, n_draw = x.shape
        ranks = np.argsort(np.argsort(x.ravel())).reshape(x.shape)
        edges = np.linspace(0, x.size, 21)
        for c in range(n_chain):
            row[0].plot(x[c], lw=0.4, alpha=0.7, color=f"C{c}")
            counts, _ = np.histogram(ranks[c], bins=edges)
            row[1].stairs(counts, edges, color=f"C{c}", lw=1.2, baseline=None, label=f"chain {c}")
        row[1].axhline(n_draw / 20, color="black", lw=0.8, ls="--")
        row[1].set_ylim(0, 2.0 * n_draw / 20)
        row[0].set_ylabel(name, fontsize=8)
        row[0].set_title(_title(name), fontsize=8, loc="left")
        row[1].set_yticks([])
        for ax in row:
            ax.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("draw (after tuning)")
    axes[-1, 1].set_xlabel("rank of the draw among all chains")
    axes[0, 1].legend(fontsize=7, ncol=2, loc="lower right")
    fig.suptitle(
        f"Traces (left) and rank histograms (right; flat = chains agree), {block} parameters",
        fontsize=10,
    )
    return fig


def prior_posterior_figure(
    tree: xr.DataTree, prior: dict[str, np.ndarray], names: list[str], block: str
) -> plt.Figure:
    """Prior against posterior density of every parameter of a block."""
    fig, axes = _grid(len(names), 3, 10, 2.0)
    for ax, name in zip(axes.flat, names, strict=False):
        post = _draws(tree, name).ravel()
        pri = np.asarray(prior[name], np.float64)
        lo, hi = np.quantile(np.concatenate([pri, post]), [0.005, 0.995])
        edges = np.linspace(lo, hi, 61)
        ax.hist(pri, bins=edges, density=True, color="grey", alpha=0.35, label="prior")
        ax.hist(
            post, bins=edges, density=True, histtype="step", lw=1.6, color="C0", label="posterior"
        )
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    # An explicit place: "best" searches the data and warns (an error in tests) when slow.
    axes.flat[0].legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"Prior (grey) against posterior (blue), {block} parameters: a posterior as wide as "
        "its prior was not learned from the data",
        fontsize=10,
    )
    return fig


def sensitivity_figure(tree: xr.DataTree) -> plt.Figure:
    """Posterior intervals of the macro sensitivities, each block on its own scale."""
    by_eq: dict[str, list[str]] = {}
    for name in SENSITIVITIES:
        by_eq.setdefault(_PARAMS[name].equation, []).append(name)
    labels = {
        "gL": "large-cap earnings growth",
        "mL": "multiple (log P/E)",
        "gS": "small-cap earnings growth",
        "q": "small-cap relative multiple q",
    }
    fig, axes = plt.subplots(
        len(by_eq),
        1,
        figsize=(9, 0.9 + sum(0.42 * len(v) + 0.5 for v in by_eq.values())),
        layout="constrained",
        height_ratios=[len(v) for v in by_eq.values()],
        squeeze=False,
    )
    for ax, (eq, names) in zip(axes[:, 0], by_eq.items(), strict=True):
        y = np.arange(len(names))[::-1]
        for yi, name in zip(y, names, strict=True):
            d = _draws(tree, name).ravel()
            q05, q25, q50, q75, q95 = np.quantile(d, [0.05, 0.25, 0.5, 0.75, 0.95])
            ax.plot([q05, q95], [yi, yi], color="C0", lw=1.2)
            ax.plot([q25, q75], [yi, yi], color="C0", lw=3.5)
            ax.plot(q50, yi, "o", color="white", mec="C0", ms=5)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(
            y, [f"{n}  ({_PARAMS[n].theory or 'no sign'} expected)" for n in names], fontsize=8
        )
        ax.set_title(
            f"{labels.get(eq, eq)}: change per pp of the driver (log points per quarter)",
            fontsize=9,
            loc="left",
        )
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(
        "Macro sensitivities: median (dot), 50% (thick) and 90% (thin) posterior intervals",
        fontsize=10,
    )
    return fig


def ppc_figure(pred: Predictive) -> plt.Figure:
    """Observed against replicated distributions of the two observed equity series."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    for ax, rep, obs, title in (
        (axes[0], pred.small_cap, pred.small_cap_obs, "Russell 2000 quarterly log price return"),
        (axes[1], pred.large_cap_eps, pred.large_cap_eps_obs, "S&P 500 quarterly log EPS growth"),
    ):
        obs = np.asarray(obs, np.float64)
        rep = np.asarray(rep, np.float64)
        lo, hi = np.quantile(np.concatenate([obs, rep[:200].ravel()]), [0.005, 0.995])
        edges = np.linspace(lo, hi, 41)
        for i, r in enumerate(rep[: min(100, len(rep))]):
            ax.hist(
                r,
                bins=edges,
                density=True,
                histtype="step",
                color="C0",
                alpha=0.08,
                label="replicated (posterior predictive)" if i == 0 else None,
            )
        ax.hist(
            obs, bins=edges, density=True, histtype="step", color="black", lw=1.8, label="observed"
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("log change per quarter")
        ax.set_ylabel("density")
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(
        "Posterior predictive check: one-step-ahead replicated series against the observed",
        fontsize=10,
    )
    return fig


def _save(fig: plt.Figure, path: Path) -> None:
    fig.savefig(path, dpi=90)
    plt.close(fig)


def make_plots(
    tree: xr.DataTree, folder: Path, data: ModelData, cfg: ModelConfig, pred: Predictive
) -> list[Path]:
    """Write every posterior figure into ``folder`` and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    prior = prior_draws(cfg, 2000, 0)
    figures = {}
    for block, names in BLOCKS.items():
        figures[f"trace_rank_{block}"] = trace_rank_figure(tree, names, block.replace("_", " "))
        figures[f"prior_posterior_{block}"] = prior_posterior_figure(
            tree, prior, names, block.replace("_", " ")
        )
    figures["forest_sensitivities"] = sensitivity_figure(tree)
    figures["ppc"] = ppc_figure(pred)
    figures["decomposition"] = decomposition_figure(tree, data, cfg)
    out = []
    for name, fig in figures.items():
        _save(fig, folder / f"{name}.png")
        out.append(folder / f"{name}.png")
    return out


def decomposition_figure(tree: xr.DataTree, data: ModelData, cfg: ModelConfig) -> plt.Figure:
    """Estimated small-cap earnings and multiple (bands) against the observed price."""
    post = tree["posterior"].to_dataset()
    quarters = [str(q) for q in data.eq_quarters]
    x = np.arange(len(quarters))
    fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    axes[0].plot(x, np.exp(data.ps), color="black", lw=1.2, label="Russell 2000 price (observed)")
    axes[0].set_yscale("log")
    axes[0].legend(loc="upper left")
    for ax, name, label, transform in (
        (axes[1], "eS", "small-cap smoothed EPS, index points (model output)", np.exp),
        (axes[2], "mS_ttm", "small-cap trailing P/E (model output)", np.exp),
    ):
        vals = post[name].stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy()
        q05, q25, q50, q75, q95 = transform(
            np.quantile(vals, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        )
        ax.fill_between(x, q05, q95, alpha=0.2, color="C0", label="90% band")
        ax.fill_between(x, q25, q75, alpha=0.4, color="C0", label="50% band")
        ax.plot(x, q50, color="C0", lw=1.2, label="median")
        ax.set_ylabel(label.split(" (")[0])
        ax.set_title(label, fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
    axes[2].plot(
        x, np.exp(data.ml_ttm), color="grey", lw=1, label="S&P 500 trailing P/E (observed)"
    )
    if cfg.anchors.enabled and cfg.anchors.trailing_pe_quarter in quarters:
        i = quarters.index(cfg.anchors.trailing_pe_quarter)
        axes[2].scatter([i], [cfg.anchors.trailing_pe], color="red", zorder=5, label="seed anchor")
    axes[2].legend(loc="upper left", fontsize=8)
    axes[2].set_yscale("log")
    ticks = x[:: max(1, len(x) // 12)]
    axes[2].set_xticks(ticks, [quarters[i] for i in ticks], rotation=45)
    fig.suptitle(
        "Small-cap earnings x multiple split: MODEL OUTPUT, not history\n"
        "(no public Russell 2000 EPS/P/E history; anchored by the seed's valuation points)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig
