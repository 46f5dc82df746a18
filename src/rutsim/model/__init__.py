"""The Bayesian model: priors as data, PyMC fit, diagnostics gate, store, hand-off.

Public API: :func:`fit_or_load` (fit once, reuse after), :func:`load_model`,
:class:`FittedModel`, :func:`posterior_to_pytree` (the only PyMC-to-JAX hand-off) and
the contract types :class:`PosteriorParams`, :class:`InitialState`, :class:`ShockSpec`.

The contract types import eagerly; everything that needs PyMC is imported on first use,
so the simulation layer can import ``rutsim.model`` without paying for PyMC.
"""

from importlib import import_module

from rutsim.model._params import InitialState, PosteriorParams, ShockSpec

_LAZY = {
    "FittedModel": "rutsim.model._api",
    "fit_data": "rutsim.model._api",
    "fit_or_load": "rutsim.model._api",
    "load_model": "rutsim.model._api",
    "PARAMETERS": "rutsim.model._build",
    "build_model": "rutsim.model._build",
    "ModelData": "rutsim.model._data",
    "model_data": "rutsim.model._data",
    "posterior_to_pytree": "rutsim.model._posterior",
    "long_run_effects": "rutsim.model._effects",
    "decompose": "rutsim.model._effects",
    "driver_table": "rutsim.model._effects",
}

__all__ = [
    "PARAMETERS",
    "FittedModel",
    "InitialState",
    "ModelData",
    "PosteriorParams",
    "ShockSpec",
    "build_model",
    "decompose",
    "driver_table",
    "fit_data",
    "fit_or_load",
    "load_model",
    "long_run_effects",
    "model_data",
    "posterior_to_pytree",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rutsim.model' has no attribute {name!r}")
