"""Posterior plots of a fitted model (ArviZ 1 PlotCollections and one matplotlib figure).

Every figure is written headless as PNG into ``models/<id>/plots/``.
"""

from __future__ import annotations

from pathlib import Path

import arviz as az
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
    **{block: list(names_in(block)) for block in ("large_cap", "small_cap")},
}
#: The macro sensitivities of each equity channel (earnings growth, multiple, q).
SENSITIVITIES = [p.name for p in REGISTRY if p.role == "effect" and p.block != "macro"]


def _save(pc, path: Path) -> None:
    pc.savefig(path, dpi=90)
    plt.close("all")


def make_plots(
    tree: xr.DataTree, folder: Path, data: ModelData, cfg: ModelConfig, pred: Predictive
) -> list[Path]:
    """Write every posterior figure into ``folder`` and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for block, names in BLOCKS.items():
        path = folder / f"trace_rank_{block}.png"
        _save(az.plot_trace_dist(tree, var_names=names, compact=False), path)
        out.append(path)
    path = folder / "forest_sensitivities.png"
    _save(az.plot_forest(tree, var_names=SENSITIVITIES, combined=True), path)
    out.append(path)
    prior = prior_draws(cfg, 2000, 0)
    prior_ds = xr.Dataset({k: (("chain", "draw"), v[None, :]) for k, v in prior.items()})
    both = xr.DataTree.from_dict(
        {"posterior": tree["posterior"].to_dataset()[list(prior)], "prior": prior_ds}
    )
    for block, names in BLOCKS.items():
        path = folder / f"prior_posterior_{block}.png"
        _save(az.plot_prior_posterior(both, var_names=names), path)
        out.append(path)
    path = folder / "ppc.png"
    _save(az.plot_ppc_dist(_ppc_tree(pred), num_samples=min(100, len(pred.small_cap))), path)
    out.append(path)
    path = folder / "decomposition.png"
    decomposition_figure(tree, data, cfg).savefig(path, dpi=90)
    plt.close("all")
    out.append(path)
    return out


def _ppc_tree(pred: Predictive) -> xr.DataTree:
    # The two series cover different quarters, so each has its own observation dim.
    rep = xr.Dataset(
        {
            "small_cap_quarterly_log_return": (
                ("chain", "draw", "quarter_r"),
                pred.small_cap[None],
            ),
            "large_cap_eps_log_growth": (("chain", "draw", "quarter_g"), pred.large_cap_eps[None]),
        }
    )
    obs = xr.Dataset(
        {
            "small_cap_quarterly_log_return": ("quarter_r", pred.small_cap_obs),
            "large_cap_eps_log_growth": ("quarter_g", pred.large_cap_eps_obs),
        }
    )
    return xr.DataTree.from_dict({"posterior_predictive": rep, "observed_data": obs})


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
