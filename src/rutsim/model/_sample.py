"""Run NUTS with the configured backend and return the posterior DataTree."""

from __future__ import annotations

import importlib.util
import os
import time
import warnings

import pymc as pm
import xarray as xr

from rutsim import signals
from rutsim.config import SamplerConfig
from rutsim.errors import ConfigError

#: Stack of nutpie's sampler threads. Rust gives spawned threads 2 MiB unless
#: RUST_MIN_STACK says otherwise, and the Numba-compiled gradient of the marginal
#: likelihood needs stack in proportion to the square of the number of valuation
#: observations: a 138-quarter user P/E series overflowed 2 MiB (SIGSEGV). 256 MiB is
#: address space, not memory: pages are committed only when touched.
NUTPIE_THREAD_STACK = 256 * 1024 * 1024


def _reserve_thread_stack() -> None:
    """Give nutpie's threads a large stack, unless the user set RUST_MIN_STACK.

    Rust reads the variable once, at the first thread it spawns, so it must be set
    before the first nutpie sample of the process.
    """
    os.environ.setdefault("RUST_MIN_STACK", str(NUTPIE_THREAD_STACK))


#: The package each backend needs (the extra that installs it is in pyproject.toml).
_BACKEND_PACKAGES = {
    "nutpie": "nutpie",
    "pymc": "pymc",
    "numpyro": "numpyro",
    "blackjax": "blackjax",
}


def check_backend(sampler: SamplerConfig) -> None:
    """Refuse a backend whose package is not installed, before any work."""
    package = _BACKEND_PACKAGES[sampler.backend]
    if importlib.util.find_spec(package) is None:
        raise ConfigError(
            f"key 'sampler.backend' = \"{sampler.backend}\" needs the package '{package}', "
            f"which is not installed. To fix: pip install {package} (into this "
            'environment), or set sampler.backend = "nutpie" (the default).'
        )


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
    if sampler.backend == "nutpie":
        _reserve_thread_stack()
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
    # nutpie turns Ctrl-C (and SIGTERM, see rutsim.signals) into "return the draws so
    # far"; a stopped fit must stop the command instead.
    signals.check()
    return posterior, time.perf_counter() - start
