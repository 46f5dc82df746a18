"""Posterior post-processing and the hand-off to the JAX simulation.

:func:`posterior_to_pytree` is the only place where PyMC output becomes JAX arrays.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from rutsim.config import ModelConfig
from rutsim.model._build import PARAMETERS
from rutsim.model._data import ModelData
from rutsim.model._marginal import draw_q_paths
from rutsim.model._prep import mu_gs
from rutsim.types import InitialState, PosteriorParams, ShockSpec


def stacked(posterior: xr.Dataset, name: str) -> np.ndarray:
    """Posterior samples of ``name`` stacked chain-major: shape (chain*draw, ...)."""
    values = posterior[name].transpose("chain", "draw", ...).to_numpy()
    return values.reshape((-1, *values.shape[2:]))


def add_latent_paths(
    posterior: xr.Dataset, cfg: ModelConfig, data: ModelData, seed: int
) -> xr.Dataset:
    """Add ``q``, ``mS``, ``mS_ttm`` and ``eS`` (chain, draw, quarter) to a posterior.

    ``mS`` is the small-cap log multiple on smoothed earnings, ``mS_ttm`` the trailing
    one (what the anchors observe), ``eS`` small-cap log smoothed earnings.

    For ``q_parameterisation = "marginal"`` the path is drawn from its exact Gaussian
    conditional given each posterior draw; otherwise the sampler already produced it
    and only ``mS`` and ``eS`` are (re)computed.
    """
    nc, nd = posterior.sizes["chain"], posterior.sizes["draw"]
    if "q" in posterior:
        q = stacked(posterior, "q")
    else:
        theta = {k: stacked(posterior, k) for k in PARAMETERS}
        rng = np.random.default_rng(seed)
        q = draw_q_paths(theta, mu_gs(theta, data), cfg, data, rng)
    dims = ("chain", "draw", "quarter")
    coords = {
        "chain": posterior["chain"],
        "draw": posterior["draw"],
        "quarter": list(data.eq_quarters),
    }

    def arr(x: np.ndarray) -> xr.DataArray:
        return xr.DataArray(x.reshape(nc, nd, -1), dims=dims, coords=coords)

    return posterior.assign(
        q=arr(q),
        mS=arr(data.ml[None, :] + q),
        mS_ttm=arr(data.ml_ttm[None, :] + q),
        eS=arr(data.ps[None, :] - data.ml[None, :] - q),
    )


def even_indices(n: int, max_draws: int | None) -> np.ndarray:
    """Evenly spaced sample indices thinning ``n`` samples to at most ``max_draws``."""
    if max_draws is None or max_draws >= n:
        return np.arange(n)
    if max_draws < 1:
        raise ValueError(f"max_draws must be >= 1, got {max_draws}")
    return np.unique(np.round(np.linspace(0, n - 1, max_draws)).astype(int))


def posterior_to_pytree(
    posterior: xr.DataTree | xr.Dataset,
    *,
    max_draws: int | None = None,
) -> PosteriorParams:
    """Turn the posterior into the pytree the JAX simulation consumes.

    Parameters
    ----------
    posterior : DataTree or Dataset
        A fitted model's posterior (the DataTree's ``posterior`` group is used).
    max_draws : int, optional
        Thin to at most this many samples, evenly spaced over the chain-major stack.

    Returns
    -------
    PosteriorParams
        Every field a float64 NumPy array of shape ``(sample,)``, ``sample`` = chain x
        draw stacked chain-major (then thinned); ``q_last`` is ``q`` at the last observed
        quarter. The simulation casts to its own dtype, so a float64 run simulates the
        posterior exactly, not float32-rounded parameters.
    """
    ds = posterior["posterior"].to_dataset() if isinstance(posterior, xr.DataTree) else posterior
    n = ds.sizes["chain"] * ds.sizes["draw"]
    idx = even_indices(n, max_draws)
    values = {k: stacked(ds, k)[idx] for k in PARAMETERS}
    values["q_last"] = stacked(ds, "q")[idx, -1]
    return PosteriorParams(
        **{k: np.asarray(values[k], dtype=np.float64) for k in PosteriorParams._fields}
    )


def initial_state(data: ModelData) -> InitialState:
    """Return the last observed quarter of the estimation sample (float64 host scalars)."""
    last = {
        "ff": data.f[-1],
        "df": data.df[-1],
        "dn": data.dn[-1],
        "slope": data.s[-1],
        "spread": data.c[-1],
        "un": data.u[-1],
        "dun": data.du[-1],
        "rr": data.rr[-1],
        "gl": data.gl[-1],
        "ml": data.ml[-1],
        "carry": data.carry,
    }
    return InitialState(**{k: np.float64(v) for k, v in last.items()})


def shock_spec(cfg: ModelConfig) -> ShockSpec:
    """Return the static shock families of a model config."""
    return ShockSpec(
        macro=cfg.macro_shocks,
        macro_nu=float(cfg.macro_nu),
        equity=cfg.equity_shocks,
        equity_nu=float(cfg.equity_nu),
    )
