"""The posterior pytree: the one hand-off from PyMC to the JAX simulation.

All fields of :class:`PosteriorParams` are arrays of shape ``(sample,)`` where ``sample``
stacks ``chain x draw`` (chain-major). Parameters are in the *natural* form of the
equations in ``docs/model.md`` (any centring or reparameterisation used for sampling is
undone by :func:`rutsim.model.posterior_to_pytree`). :class:`InitialState` holds the
last observed quarter of the data (scalars), from which every simulated path starts.
"""

from __future__ import annotations

from typing import NamedTuple

import jax

from rutsim.config._registry import PARAMETER_NAMES

# The fields are derived from the parameter registry, so adding a parameter there adds it
# to the pytree, the priors and the plots; ``q_last`` is the latent state at the data end.
PosteriorParams = NamedTuple(  # type: ignore[misc]
    "PosteriorParams",
    [(name, jax.Array) for name in PARAMETER_NAMES] + [("q_last", jax.Array)],
)
PosteriorParams.__doc__ = """Posterior samples of every model parameter, each shape ``(sample,)``.

Fields: the parameters of :data:`rutsim.config._registry.REGISTRY` in registry order, in
the natural form of the equations of :mod:`rutsim.model._equations` (``docs/model.md``),
then ``q_last``, the latent relative multiple at the last observed quarter. Arrays are
float64 host (NumPy) arrays as :func:`rutsim.model.posterior_to_pytree` returns them; the
simulation casts them to its own dtype.

Shock scales: with ``ShockSpec.macro == "student_t"`` the macro shocks (unemployment,
policy, real yield, and the slope/spread pair as ONE bivariate Student-t sharing a mixing
draw) are Student-t(``macro_nu``) with the ``*_sigma`` as scales, not sds; with "normal"
they are sds. Equity shocks (``gL, mL`` pair, ``q``, ``gS``) follow ``ShockSpec.equity``.

Small-cap price (the observation identity): ``pS_t - pS_{t-1} = gS_t + (mL_t - mL_{t-1})
+ (q_t - q_{t-1})``; the small-cap log multiple on smoothed earnings is ``mS = mL + q``.
"""


class InitialState(NamedTuple):
    """The last observed quarter, where every simulated path starts (scalars).

    Attributes
    ----------
    ff : fed funds, quarterly average, % (f_T)
    df : fed funds change in the last quarter, pp (f_T - f_{T-1})
    slope : 10y-2y slope, pp (s_T)
    spread : Baa-10y spread, pp (c_T)
    un : unemployment rate, quarterly average, % (u_T)
    dun : unemployment change in the last quarter, pp (u_T - u_{T-1})
    rr : real 10-year yield, pp (rr_T)
    gl : large-cap log growth of smoothed earnings, last quarter (gL_T)
    ml : large-cap log multiple on smoothed earnings (mL_T)
    carry : small-cap quarterly log carry (dividend yield net of fees), from IWM vs ^RUT
    """

    ff: jax.Array
    df: jax.Array
    slope: jax.Array
    spread: jax.Array
    un: jax.Array
    dun: jax.Array
    rr: jax.Array
    gl: jax.Array
    ml: jax.Array
    carry: jax.Array


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
