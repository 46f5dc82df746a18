"""The contracts that cross layers: array containers, their field names and dims.

Every layer imports these from here and nothing sideways: the model produces
:class:`PosteriorParams`, :class:`InitialState` and :class:`ShockSpec`; the scenario layer
produces :class:`ScenarioArrays`; the simulation consumes all of them and produces
:class:`SimPaths` and :class:`SimulationResult`; the run folder names their axes with
:data:`SIM_DIMS`. This module imports neither JAX nor PyMC at run time, so listing
scenarios or reading a run folder never pays for them.

Array fields hold NumPy arrays on the host and JAX arrays inside the kernel; they are
annotated as ``jax.Array | numpy.ndarray`` for the type checker only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import jax

    #: NumPy on the host, JAX inside the kernel (annotation only: no JAX import at run time).
    Array = jax.Array | np.ndarray
else:
    Array = Any

#: Order of the macro variables on the last axis of :class:`ScenarioArrays` arrays.
MACRO_VARIABLES: tuple[str, ...] = ("fedfunds", "slope", "spread", "unemployment")

#: The simulated macro variables, in :class:`SimPaths` order (the scenario's four and the
#: real yield the model derives).
SIMULATED_MACRO: tuple[str, ...] = ("fedfunds", "slope", "spread", "unemployment", "real_yield")

#: Dimension names of every simulated variable, in axis order (``simulation.nc``).
SIM_DIMS: tuple[str, str, str, str] = ("scenario", "sample", "path", "horizon")


def select_samples(n_total: int, max_draws: int) -> np.ndarray:
    """Return the posterior samples a consumer with a draw budget uses, in order.

    All of them, or ``max_draws`` evenly spread over all chains (the first and the last
    included). The one thinning rule of the simulation and the effects tables.
    """
    if n_total <= max_draws:
        return np.arange(n_total)
    return np.round(np.linspace(0, n_total - 1, max_draws)).astype(np.int64)


class PosteriorParams(NamedTuple):
    """Posterior samples of every model parameter, each shape ``(sample,)``.

    Fields: the parameters of :data:`rutsim.config.REGISTRY` in registry order, in the
    natural form of the equations of :mod:`rutsim.equations` (``docs/model.md``), then
    ``q_last``, the latent relative multiple at the last observed quarter. Arrays are float64
    host (NumPy) arrays as :func:`rutsim.model.posterior_to_pytree` returns them; the
    simulation casts them to its own dtype.

    Shock scales: with ``ShockSpec.macro == "student_t"`` the macro shocks (unemployment,
    policy, real yield, and the slope/spread pair as ONE bivariate Student-t sharing a mixing
    draw) are Student-t(``macro_nu``) with the ``*_sigma`` as scales, not sds; with "normal"
    they are sds. Equity shocks (``gL, mL`` pair, ``q``, ``gS``) follow ``ShockSpec.equity``.

    Small-cap price (the observation identity): ``pS_t - pS_{t-1} = gS_t + (mL_t - mL_{t-1})
    + (q_t - q_{t-1})``; the small-cap log multiple on smoothed earnings is ``mS = mL + q``.

    The fields are written out so that the type checker sees them; a test keeps them equal
    to the registry's names (``tests/test_model_config.py``).
    """

    un_a: Array
    un_rho: Array
    un_kappa: Array
    un_sigma: Array
    ff_a: Array
    ff_b_pi: Array
    ff_phi: Array
    ff_b_du: Array
    ff_sigma: Array
    sl_a: Array
    sl_phi: Array
    sl_beta_df: Array
    sl_beta_mp: Array
    sl_beta_du: Array
    sl_sigma: Array
    cs_a: Array
    cs_phi: Array
    cs_beta_df: Array
    cs_beta_mp: Array
    cs_beta_du: Array
    cs_sigma: Array
    sc_corr: Array
    rr_a: Array
    rr_phi: Array
    rr_beta_df: Array
    rr_beta_du: Array
    rr_sigma: Array
    gl_a: Array
    gl_rho: Array
    gl_b_du: Array
    gl_b_df: Array
    gl_b_slope: Array
    gl_b_dspread: Array
    gl_ec: Array
    gl_sigma: Array
    ml_a: Array
    ml_phi: Array
    ml_d_rr: Array
    ml_d_spread: Array
    ml_d_ff: Array
    ml_n_dc: Array
    ml_n_du: Array
    ml_b_mp: Array
    ml_sigma: Array
    glml_corr: Array
    gs_a: Array
    gs_beta_gl: Array
    gs_b_df: Array
    gs_b_slope: Array
    gs_sigma: Array
    q_mu: Array
    q_phi: Array
    q_lambda_dspread: Array
    q_b_mp: Array
    q_sigma: Array
    ev_a_rut: Array
    ev_c_rut: Array
    ev_s_rut: Array
    ev_a_spy: Array
    ev_c_spy: Array
    ev_s_spy: Array
    ev_a_sl: Array
    ev_c_sl: Array
    ev_s_sl: Array
    ev_a_cs: Array
    ev_c_cs: Array
    ev_s_cs: Array
    q_last: Array


class InitialState(NamedTuple):
    """The last observed quarter, where every simulated path starts (scalars).

    Attributes
    ----------
    ff : fed funds, quarterly average, % (f_T)
    df : fed funds change in the last quarter, pp (f_T - f_{T-1})
    dn : the part of it that was not a policy surprise, pp (df_T - mp_T)
    slope : 10y-2y slope, pp (s_T)
    spread : Baa-10y spread, pp (c_T)
    un : unemployment rate, quarterly average, % (u_T)
    dun : unemployment change in the last quarter, pp (u_T - u_{T-1})
    rr : real 10-year yield, pp (rr_T)
    gl : large-cap log growth of smoothed earnings, last quarter (gL_T)
    ml : large-cap log multiple on smoothed earnings (mL_T)
    carry : small-cap quarterly log carry (dividend yield net of fees), from IWM vs ^RUT
    """

    ff: Array
    df: Array
    dn: Array
    slope: Array
    spread: Array
    un: Array
    dun: Array
    rr: Array
    gl: Array
    ml: Array
    carry: Array


class ShockSpec(NamedTuple):
    """Static (hashable) choices that change the kernel's code path, not its values.

    Attributes
    ----------
    macro : "normal" or "student_t" shocks for the macro block.
    macro_nu : degrees of freedom when ``macro == "student_t"`` (fixed, not estimated).
    equity : "normal" or "student_t" shocks for gL, mL, gS and q.
    equity_nu : degrees of freedom when ``equity == "student_t"``.
    """

    macro: str = "student_t"
    macro_nu: float = 5.0
    equity: str = "normal"
    equity_nu: float = 7.0


class ScenarioArrays(NamedTuple):
    """One scenario as arrays over the horizon (stack a leading ``scenario`` axis to vmap).

    Attributes
    ----------
    values : float array, shape ``(horizon, 4)``
        Given path of (fedfunds %, slope pp, spread pp, unemployment %); ignored where not
        pinned.
    pinned : bool array, shape ``(horizon, 4)``
        True where the scenario fixes the variable; False where the macro block simulates
        it conditionally on the pinned ones.
    path_sd : float array, shape ``(4,)``
        Per-quarter standard deviation of a random-walk deviation around each pinned path
        (the scenario's own uncertainty). Zero reproduces the path exactly.
    priced_in : float array, shape ``(horizon,)``
        The change of fed funds (pp) that markets priced in for each quarter at the data
        end (``rutsim.data.priced_in_path``, differenced from the last observed rate). A
        pinned fed funds path's move beyond this and the Fed's reaction to activity is a
        pure policy surprise (docs/model.md).
    """

    values: Array
    pinned: Array
    path_sd: Array
    priced_in: Array


class SimPaths(NamedTuple):
    """Simulated quarterly paths; every field has shape ``(..., horizon)``.

    The leading axes are ``(scenario, sample, path)`` out of the vmapped kernel. Returns
    are quarterly log returns; rates and spreads are levels in % / pp.

    Attributes
    ----------
    fedfunds, slope, spread, unemployment, real_yield : macro levels (%, pp, pp, %, pp).
    earnings_growth : small-cap log growth of smoothed earnings gS_t.
    log_multiple : small-cap log multiple on smoothed (12-quarter average) earnings,
        mS_t = mL_t + q_t (model output, not history).
    multiple_change : mS_t - mS_{t-1}.
    carry : small-cap quarterly log carry (dividends net of fees).
    price_return : small-cap log price return = earnings_growth + multiple_change.
    total_return : price_return + carry.
    largecap_return : large-cap log price return gL_t + mL_t - mL_{t-1}.
    """

    fedfunds: Array
    slope: Array
    spread: Array
    unemployment: Array
    real_yield: Array
    earnings_growth: Array
    log_multiple: Array
    multiple_change: Array
    carry: Array
    price_return: Array
    total_return: Array
    largecap_return: Array


class SimulationResult(NamedTuple):
    """Everything a run keeps from the simulation (NumPy arrays, no named dims yet).

    Attributes
    ----------
    scenario_names : tuple of str
        Names along the ``scenario`` axis.
    sample_index : int array, shape ``(sample,)``
        Posterior index of each simulated sample.
    paths : SimPaths or None
        Kept full paths, each field ``(scenario, sample, path, horizon)`` with
        ``path < keep_paths``; None when they were streamed to disk chunk by chunk.
    metrics : mapping of str to array
        Reducer outputs over all paths, leading axes ``(scenario, sample)``.
    n_paths : int
        Paths simulated per (scenario, sample) (all of them reduced).
    horizon : int
        Quarters simulated.
    dtype : str
        "float32" or "float64".
    chunk_size : int
        Samples per chunk actually used.
    timings : mapping of str to float
        Seconds: ``first_chunk_s`` (includes compilation), ``simulate_s`` (total).
    pooled : mapping of str to array
        The pooler's outputs summed over all chunks (empty without a pooler).
    """

    scenario_names: tuple[str, ...]
    sample_index: np.ndarray
    paths: SimPaths | None
    metrics: Mapping[str, np.ndarray]
    n_paths: int
    horizon: int
    dtype: str
    chunk_size: int
    timings: Mapping[str, float]
    pooled: Mapping[str, np.ndarray] = {}


class ChunkInfo(NamedTuple):
    """Where a chunk sits: run sample positions ``start:stop`` and their posterior indices.

    Attributes
    ----------
    start, stop : int
        Positions of the chunk on the run's ``sample`` axis.
    sample_index : int array, shape ``(stop - start,)``
        Index of each sample in the full posterior (chain-major ``chain x draw``).
    scenario_names : tuple of str
        Names along the scenario axis.
    kernel_paths : SimPaths, optional
        The kernel's own output for the chunk, left where the kernel put it (on its device):
        every field ``(horizon, scenario, chunk_size, path)``, the last chunk padded to the
        chunk size. A reducer that runs jitted reads these instead of the host copy; its
        outputs are cut to ``stop - start`` samples like any reducer's.
    """

    start: int
    stop: int
    sample_index: np.ndarray
    scenario_names: tuple[str, ...]
    kernel_paths: SimPaths | None = None


#: What the simulation driver calls on every chunk: ``(paths, chunk) -> arrays`` with
#: leading axes ``(scenario, sample)``. ``paths`` is the chunk's paths as NumPy, every field
#: ``(scenario, sample, path, horizon)``; ``chunk`` says where it sits and carries the
#: kernel's own output. It runs where the chunk runs (a Dask worker), so it must pickle.
Reducer = Callable[[SimPaths, ChunkInfo], Mapping[str, np.ndarray]]


__all__ = [
    "MACRO_VARIABLES",
    "SIMULATED_MACRO",
    "ChunkInfo",
    "Reducer",
    "SIM_DIMS",
    "Array",
    "InitialState",
    "PosteriorParams",
    "ScenarioArrays",
    "ShockSpec",
    "SimPaths",
    "SimulationResult",
    "select_samples",
]
