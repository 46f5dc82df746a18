"""Posterior plots of a fitted model: arviz-plots figures, and one figure rutsim draws itself.

The diagnostics a PyMC user knows come from arviz-plots (trace and marginal densities,
rank plots, forest, prior against posterior, posterior predictive checks, the pair plot
of the weakly identified parameters, energy with BFMI), built from one DataTree
(:func:`plot_tree`) so that they can be drawn with any arviz-plots backend (tests use
``backend="none"``). The earnings x multiple decomposition is rutsim's own figure
(matplotlib). Every figure is written headless as PNG into ``models/<id>/plots/``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import arviz_plots as azp  # noqa: E402
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
from rutsim.model._gate import BFMI_WARN  # noqa: E402

#: Parameters per figure of the trace, rank and prior-vs-posterior plots: one per equity
#: block, the macro block in two.
_MACRO_FIGURES = {"macro_activity_policy": ("du", "df"), "macro_rates_credit": ("s", "c", "rr")}
BLOCKS = {
    **{
        fig: [p.name for p in REGISTRY if p.block == "macro" and p.equation in eqs]
        for fig, eqs in _MACRO_FIGURES.items()
    },
    "large_cap": list(names_in("large_cap")),
    "small_cap": list(names_in("small_cap")),
    "announcement": list(names_in("announcement")),
}
#: The macro sensitivities of each equity channel (earnings growth, multiple, q).
SENSITIVITIES = [
    p.name for p in REGISTRY if p.role == "effect" and p.block in ("large_cap", "small_cap")
]
#: The weakly identified, prior-driven parameters whose joint posterior is worth a look.
PAIR = ("q_phi", "q_sigma", "q_mu")
#: Observed series of the posterior predictive check: the model's observed variable, the
#: column of a paired variable, and a reader's name.
PPC_SERIES: tuple[tuple[str, int | None, str], ...] = (
    ("obs_du", None, "unemployment_change"),
    ("obs_df", None, "fedfunds_change"),
    ("obs_sc", 0, "slope"),
    ("obs_sc", 1, "spread"),
    ("obs_rr", None, "real_yield"),
    ("obs_glml", 0, "sp500_eps_growth"),
    ("obs_glml", 1, "sp500_log_pe"),
    ("obs_day_rut", None, "rut_fomc_day"),
    ("obs_day_spy", None, "spx_fomc_day"),
    ("obs_day_slope", None, "slope_fomc_day"),
    ("obs_day_spread", None, "spread_fomc_day"),
)
#: Posterior draws used for the predictive check (spread over all chains and draws).
PPC_DRAWS = 200

_PARAMS = {p.name: p for p in REGISTRY}
_EQUATIONS = {
    "gL": "large-cap earnings growth",
    "mL": "multiple (log P/E)",
    "gS": "small-cap earnings growth",
    "q": "small-cap relative multiple q",
}


def _predictive(
    tree: xr.DataTree, data: ModelData, cfg: ModelConfig, pred: Predictive, seed: int
) -> tuple[xr.Dataset, xr.Dataset]:
    """Replicated and observed values of every observed series, one variable each."""
    import pymc as pm

    from rutsim.model._build import build_model

    post = tree["posterior"].to_dataset()
    total = post.sizes["chain"] * post.sizes["draw"]
    pick = np.linspace(0, total - 1, min(total, PPC_DRAWS)).astype(int)
    thinned = post.stack(s=("chain", "draw")).isel(s=pick)
    thinned = thinned.drop_vars(["s", "chain", "draw"]).rename(s="draw").expand_dims("chain")
    model = build_model(data, cfg)
    observed = {v.name for v in model.observed_RVs}
    wanted = sorted({name for name, _, _ in PPC_SERIES if name in observed})
    # PyMC warns that Potentials are ignored: the one Potential (the marginalised small-cap
    # likelihood) shapes the posterior draws, which are given here; the series replicated
    # are observed variables that do not depend on it, so the warning does not apply.
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The effect of Potentials", category=UserWarning)
        quiet = logging.getLogger("pymc")
        level = quiet.level
        quiet.setLevel(logging.WARNING)
        try:
            pp = pm.sample_posterior_predictive(
                thinned, var_names=wanted, progressbar=False, random_seed=seed
            )["posterior_predictive"].to_dataset()
        finally:
            quiet.setLevel(level)
    obs = tree["observed_data"].to_dataset() if "observed_data" in tree.children else None
    rep_vars: dict[str, Any] = {}
    obs_vars: dict[str, Any] = {}
    for name, col, label in PPC_SERIES:
        if name not in pp or obs is None or name not in obs:
            continue
        r, o = pp[name], obs[name]
        if col is not None:
            r, o = r.isel({r.dims[-1]: col}), o.isel({o.dims[-1]: col})
        key = label
        rep_vars[key] = (("chain", "draw", f"{key}_t"), r.values)
        obs_vars[key] = ((f"{key}_t",), o.values)
    # The one-step checks were replicated from the same chain-major stacked draws.
    for key, rep, ob in (
        ("rut_price_return", pred.small_cap, pred.small_cap_obs),
        ("sp500_eps_growth_1step", pred.large_cap_eps, pred.large_cap_eps_obs),
    ):
        rep_vars[key] = (("chain", "draw", f"{key}_t"), np.asarray(rep)[pick][None])
        obs_vars[key] = ((f"{key}_t",), np.asarray(ob))
    return xr.Dataset(rep_vars), xr.Dataset(obs_vars)


def plot_tree(
    tree: xr.DataTree, data: ModelData, cfg: ModelConfig, pred: Predictive, seed: int = 0
) -> xr.DataTree:
    """Return the DataTree every arviz-plots figure reads.

    Groups: ``posterior`` and ``sample_stats`` of the fit, ``prior`` (2,000 draws of every
    parameter's prior, one chain), ``posterior_predictive`` and ``observed_data`` (one
    variable per observed series: the model's own likelihood terms replicated with
    :func:`pymc.sample_posterior_predictive` on thinned draws, and the small-cap return
    and S&P 500 EPS growth one step ahead from :func:`rutsim.model._checks.predictive`).
    """
    post = tree["posterior"].to_dataset()
    names = [p.name for p in REGISTRY if p.name in post]
    prior = prior_draws(cfg, 2000, seed)
    prior_ds = xr.Dataset(
        {k: (("chain", "draw"), np.asarray(prior[k])[None]) for k in names if k in prior}
    )
    rep, obs = _predictive(tree, data, cfg, pred, seed)
    return xr.DataTree.from_dict(
        {
            "posterior": post[names],
            "sample_stats": tree["sample_stats"].to_dataset()[["energy", "diverging"]],
            "prior": prior_ds,
            "posterior_predictive": rep,
            "observed_data": obs,
        }
    )


def _forest_groups(post: xr.Dataset) -> dict[str, list[str]]:
    """Sensitivities by equation, split where magnitudes differ tenfold (readable panels)."""
    groups: dict[str, list[str]] = {}
    for name in SENSITIVITIES:
        if name not in post:
            continue
        eq = _PARAMS[name].equation
        scale = float(abs(post[name]).median())
        big = scale > 0.1
        groups.setdefault(f"{eq}{'_loadings' if big else ''}", []).append(name)
    return groups


def figures(tree: xr.DataTree, backend: Any = "matplotlib") -> Iterator[tuple[str, Any]]:
    """Draw the arviz-plots figures of :func:`plot_tree`'s tree, one (name, collection) at a time.

    A generator, so that a caller saves and closes each figure before the next is drawn.
    ``backend`` is any arviz-plots backend name, or ``"none"`` (no drawing, for tests),
    which arviz-plots accepts but its type hints leave out (hence ``Any``).
    """
    post = tree["posterior"].to_dataset()
    mpl = backend == "matplotlib"

    def size(width: float, height: float) -> dict[str, Any]:
        # matplotlib: a size that fits the panels, and a layout that keeps titles clear.
        return (
            {"figure_kwargs": {"figsize": (width, height), "layout": "constrained"}} if mpl else {}
        )

    for block, names in BLOCKS.items():
        present = [n for n in names if n in post]
        if not present:
            continue
        grid = size(12, 2.4 * -(-len(present) // 4) + 0.4)
        yield f"trace_{block}", azp.plot_trace_dist(tree, var_names=present, backend=backend)
        yield f"rank_{block}", azp.plot_rank(tree, var_names=present, backend=backend, **grid)
        yield (
            f"prior_posterior_{block}",
            azp.plot_prior_posterior(tree, var_names=present, backend=backend, **grid),
        )
    for group, names in _forest_groups(post).items():
        yield (
            f"forest_{group}",
            azp.plot_forest(
                tree,
                var_names=names,
                combined=True,
                backend=backend,
                **size(9, 0.5 * len(names) + 1),
            ),
        )
    pair = [n for n in PAIR if n in post]
    if len(pair) >= 2:
        yield "pair_q", azp.plot_pair(tree, var_names=pair, backend=backend)
    yield "energy", azp.plot_energy(tree, threshold=BFMI_WARN, backend=backend)
    yield "ppc", azp.plot_ppc_dist(tree, backend=backend, col_wrap=3, **size(12, 14))


def make_plots(
    tree: xr.DataTree,
    folder: Path,
    data: ModelData,
    cfg: ModelConfig,
    pred: Predictive,
    seed: int = 0,
) -> list[Path]:
    """Write every posterior figure into ``folder`` and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, pc in figures(plot_tree(tree, data, cfg, pred, seed)):
        pc.savefig(folder / f"{name}.png", dpi=72)
        plt.close("all")
        out.append(folder / f"{name}.png")
    fig = decomposition_figure(tree, data, cfg)
    fig.savefig(folder / "decomposition.png", dpi=90)
    plt.close(fig)
    out.append(folder / "decomposition.png")
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
        (
            axes[2],
            "mS_ttm",
            "small-cap trailing P/E: price / last 4 quarters' EPS (model output; the run's "
            "fan charts show price / 12-quarter average EPS)",
            np.exp,
        ),
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
