"""Run NUTS with the configured backend and return the posterior DataTree."""

from __future__ import annotations

import time
import warnings

import pymc as pm
import xarray as xr

from rutsim.config import SamplerConfig


def sample(
    model: pm.Model, sampler: SamplerConfig, *, progress: bool = True
) -> tuple[xr.DataTree, float]:
    """Sample ``model`` with NUTS.

    Parameters
    ----------
    model : pm.Model
    sampler : SamplerConfig
        Backend, chains, draws, tune, target_accept, cores and seed.
    progress : bool
        Show the backend's progress display.

    Returns
    -------
    (DataTree, float)
        The posterior (groups ``posterior``, ``sample_stats``, ...) and wall seconds.
    """
    if sampler.backend in ("numpyro", "blackjax"):
        # pymc.sampling.jax sets XLA_FLAGS to fake 100 host devices unless JAX is
        # already initialised; initialise it first so the rest of rutsim sees the truth.
        import jax

        jax.devices()
    start = time.perf_counter()
    with model, warnings.catch_warnings():
        # Flat intercepts have no NumPy-free random draw; PyMC only uses it to build the
        # (jittered) initial point, so Numba's object-mode fallback there is harmless.
        warnings.filterwarnings(
            "ignore", message="Numba will use object mode", category=UserWarning
        )
        posterior = pm.sample(
            draws=sampler.draws,
            tune=sampler.tune,
            chains=sampler.chains,
            cores=min(sampler.cores, sampler.chains),
            target_accept=sampler.target_accept,
            random_seed=sampler.seed,
            nuts_sampler=sampler.backend,
            progressbar=progress,
            compute_convergence_checks=False,
        )
    return posterior, time.perf_counter() - start
