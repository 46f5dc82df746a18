"""The Bayesian model: priors as data, PyMC fit, diagnostics gate, store, hand-off.

Public API: :func:`fit_or_load` (fit once, reuse after), :func:`load_model`,
:class:`FittedModel`, :func:`posterior_to_pytree` (the only PyMC-to-JAX hand-off), the
effects and driver tables, and the diagnostics/plot entry points the CLI calls. The
contract types it produces (:class:`~rutsim.types.PosteriorParams`,
:class:`~rutsim.types.InitialState`, :class:`~rutsim.types.ShockSpec`) live in
:mod:`rutsim.types`. Importing this package imports PyMC: callers that only need the
contract types import :mod:`rutsim.types` instead.
"""

from typing import TYPE_CHECKING

from rutsim.model._api import EFFECTS, FittedModel, fit_data, fit_or_load, load_model, theta_of
from rutsim.model._build import PARAMETERS, build_model
from rutsim.model._data import ModelData, model_data
from rutsim.model._effects import (
    DRIVERS,
    decompose,
    driver_table,
    long_run_effects,
    policy_surprise_path,
    surprise_response,
)
from rutsim.model._gate import bfmi_line, bfmi_per_chain
from rutsim.model._posterior import posterior_to_pytree, stacked
from rutsim.model._store import posterior_hash

if TYPE_CHECKING:
    from rutsim.model._checks import predictive
    from rutsim.model._redraw import redraw_plots

_LAZY = {
    "predictive": "rutsim.model._checks",
    "redraw_plots": "rutsim.model._redraw",
}


def __getattr__(name: str) -> object:
    # The checks (ArviZ stats) and the plots (arviz-plots, pyplot) are imported on first
    # use: loading a saved fit for a run needs neither (about 0.9 s of imports).
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "bfmi_line",
    "bfmi_per_chain",
    "DRIVERS",
    "EFFECTS",
    "PARAMETERS",
    "FittedModel",
    "ModelData",
    "build_model",
    "decompose",
    "driver_table",
    "fit_data",
    "fit_or_load",
    "load_model",
    "long_run_effects",
    "model_data",
    "posterior_hash",
    "posterior_to_pytree",
    "policy_surprise_path",
    "surprise_response",
    "predictive",
    "redraw_plots",
    "stacked",
    "theta_of",
]
