"""``[model]`` and ``[sampler]`` sections of a run config (owned by the model layer).

Priors are data: every parameter of the model (see ``docs/model.md``) has one
:class:`PriorSpec` under ``[model.priors.<name>]`` with a default here, so a run config
can override any of them and the resolved config (hence the model id) records them all.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model, field_validator, model_validator

from rutsim.config._base import FrozenModel
from rutsim.config._registry import REGISTRY, names_with
from rutsim.config._simulation import check_seed

#: Arguments of each supported prior distribution, in PyMC's own names.
PRIOR_ARGS: dict[str, tuple[str, ...]] = {
    "Normal": ("mu", "sigma"),
    "HalfNormal": ("sigma",),
    "TruncatedNormal": ("mu", "sigma", "lower", "upper"),
    "Beta": ("alpha", "beta"),
    "Uniform": ("lower", "upper"),
    "Gamma": ("alpha", "beta"),
    "Exponential": ("lam",),
    "LogNormal": ("mu", "sigma"),
}
#: Arguments that are scales or shapes and must be strictly positive.
_POSITIVE_ARGS = frozenset({"sigma", "alpha", "beta", "lam"})


def prior_support(dist: str, args: dict[str, float]) -> tuple[float, float]:
    """Return the (lower, upper) support of a prior distribution."""
    if dist in ("HalfNormal", "Gamma", "Exponential", "LogNormal"):
        return (0.0, math.inf)
    if dist == "Beta":
        return (0.0, 1.0)
    if dist in ("Uniform", "TruncatedNormal"):
        return (args["lower"], args["upper"])
    return (-math.inf, math.inf)


class PriorSpec(FrozenModel):
    """One scalar prior, e.g. ``{dist = "Normal", mu = 0.0, sigma = 0.1}``.

    Attributes
    ----------
    dist : one of the keys of :data:`PRIOR_ARGS`.
    args : the distribution's arguments (filled from the flat TOML keys).
    """

    dist: str
    args: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        # TOML writes a prior as a flat table; gather everything but ``dist`` into args
        # and check names, shapes and signs here so the message names the argument.
        if not isinstance(data, dict) or "args" in data:
            return data
        if "dist" not in data:
            raise ValueError(
                "missing 'dist'. To fix: write e.g. {dist = \"Normal\", mu = 0.0, sigma = 1.0}"
            )
        dist = data["dist"]
        if dist not in PRIOR_ARGS:
            raise ValueError(
                f"unknown distribution {dist!r}. To fix: use one of {', '.join(PRIOR_ARGS)}"
            )
        expected = PRIOR_ARGS[dist]
        args = {k: v for k, v in data.items() if k != "dist"}
        unknown = sorted(set(args) - set(expected))
        missing = [k for k in expected if k not in args]
        if unknown or missing:
            raise ValueError(
                f"{dist} takes exactly the arguments {', '.join(expected)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        clean: dict[str, float] = {}
        for name in expected:
            value = args[name]
            if isinstance(value, list | tuple | dict):
                raise ValueError(
                    f"argument '{name}' has the wrong shape: every model parameter is a "
                    f"scalar, so '{name}' must be one number, not {value!r}"
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"argument '{name}' must be a number, got {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"argument '{name}' must be finite, got {value!r}")
            if name in _POSITIVE_ARGS and value <= 0:
                raise ValueError(
                    f"argument '{name}' is a scale or shape and must be > 0, got {value}. "
                    "To fix: give a positive value"
                )
            clean[name] = value
        if "lower" in clean and clean["lower"] >= clean["upper"]:
            raise ValueError(f"lower ({clean['lower']}) must be below upper ({clean['upper']})")
        return {"dist": dist, "args": clean}

    def to_toml_dict(self) -> dict[str, object]:
        """Return the flat TOML form (``dist`` plus the arguments)."""
        return {"dist": self.dist, **self.args}


def _p(dist: str, **args: float) -> PriorSpec:
    return PriorSpec.model_validate({"dist": dist, **args})


#: Parameters that are standard deviations (prior must live on (0, inf)).
SCALE_PARAMETERS = frozenset(names_with("scale"))
#: Parameters that are correlations (prior must live inside [-1, 1]).
CORRELATION_PARAMETERS = frozenset(names_with("correlation"))
#: Persistences of stationary AR(1) levels that must stay inside [0, 1].
_UNIT_PARAMETERS = ("q_phi",)


class _PriorsBase(FrozenModel):
    """One prior per model parameter (fields derived from the parameter registry)."""

    @model_validator(mode="after")
    def _check_support(self) -> _PriorsBase:
        for name in SCALE_PARAMETERS:
            spec: PriorSpec = getattr(self, name)
            lo, _ = prior_support(spec.dist, spec.args)
            if lo < 0:
                raise ValueError(
                    f"prior '{name}' is a standard deviation but {spec.dist} allows negative "
                    "values. To fix: use HalfNormal, Exponential, Gamma, LogNormal, or a "
                    "TruncatedNormal with lower >= 0"
                )
        for name in _UNIT_PARAMETERS:
            spec = getattr(self, name)
            lo, hi = prior_support(spec.dist, spec.args)
            if lo < 0 or hi > 1:
                raise ValueError(
                    f"prior '{name}' is the persistence of the stationary path q but "
                    f"{spec.dist} reaches outside [0, 1]. To fix: use Beta, or Uniform / "
                    "TruncatedNormal with 0 <= lower < upper <= 1"
                )
        for name in CORRELATION_PARAMETERS:
            spec = getattr(self, name)
            lo, hi = prior_support(spec.dist, spec.args)
            if lo < -1 or hi > 1:
                raise ValueError(
                    f"prior '{name}' is a correlation but {spec.dist} reaches outside "
                    "[-1, 1]. To fix: use Uniform or TruncatedNormal with -1 <= lower < "
                    "upper <= 1"
                )
        return self

    def items(self) -> list[tuple[str, PriorSpec]]:
        """Return ``(parameter name, prior)`` pairs in declaration order."""
        return [(name, getattr(self, name)) for name in type(self).model_fields]


#: ``[model.priors]``: one :class:`PriorSpec` field per registry parameter, defaulting to
#: the registry's prior, in registry order (so the resolved config lists them all).
if TYPE_CHECKING:
    # The type checker sees the base (validation, items()); the fields come from the registry.
    Priors = _PriorsBase
else:
    Priors = create_model(
        "Priors",
        __base__=_PriorsBase,
        __module__=__name__,
        **{
            p.name: (PriorSpec, Field(default_factory=partial(_p, p.prior[0], **p.prior[1])))
            for p in REGISTRY
        },
    )


class Anchors(FrozenModel):
    """The seed's small-cap valuation anchors, as soft observations on ``mS = mL + q``.

    All three are dated ``trailing_pe_quarter`` (the seed's as-of quarter): the averages
    are over the quarters ending there. A sample that ends before that quarter uses none
    of them (they were not known then); the fit's manifest lists the anchors it used.
    All standard deviations are on the log scale; their rationale is in docs/model.md.
    """

    enabled: bool = True
    #: Russell 2000 trailing P/E at ``trailing_pe_quarter`` (seed, 2025-09-18).
    trailing_pe: float = Field(default=18.51, gt=0)
    trailing_pe_quarter: str = "2025Q3"
    trailing_pe_sd: float = Field(default=0.05, gt=0)
    #: Average trailing P/E over the last ``avg_quarters`` quarters (range 13.65-17.15).
    avg_pe: float = Field(default=15.4, gt=0)
    avg_quarters: int = Field(default=20, ge=2)
    avg_pe_sd: float = Field(default=0.115, gt=0)
    #: Forward P/E now vs its ``ratio_quarters`` average (15.4 vs 16.5): log ratio.
    forward_pe: float = Field(default=15.4, gt=0)
    forward_pe_avg: float = Field(default=16.5, gt=0)
    ratio_quarters: int = Field(default=40, ge=2)
    ratio_sd: float = Field(default=0.15, gt=0)


class UserObservations(FrozenModel):
    """How a user's own small-cap series (``[[data.user_series]]``) enters the model.

    The data layer puts them in the panel as ``user_pe`` (observes ``mS``, log scale)
    and ``user_eps`` (observes ``eS = pS - mS``); ``sd`` is their measurement sd (log).
    """

    sd: float = Field(default=0.05, gt=0)


class ModelConfig(FrozenModel):
    """Model structure and priors (priors are data; see docs/model.md)."""

    macro_shocks: Literal["normal", "student_t"] = "student_t"
    macro_nu: float = Field(default=5.0, gt=2)
    equity_shocks: Literal["normal", "student_t"] = "normal"
    equity_nu: float = Field(default=7.0, gt=2)
    #: How the latent relative valuation ``q`` is handled by the sampler; the equations
    #: do not change. "marginal" integrates it out exactly (needs normal equity shocks).
    q_parameterisation: Literal["marginal", "centred", "noncentred"] = "marginal"
    priors: Priors = Field(default_factory=Priors)
    anchors: Anchors = Field(default_factory=Anchors)
    user_observations: UserObservations = Field(default_factory=UserObservations)

    @model_validator(mode="after")
    def _check_marginal(self) -> ModelConfig:
        if self.q_parameterisation == "marginal" and self.equity_shocks != "normal":
            raise ValueError(
                "q_parameterisation = 'marginal' integrates q out analytically, which needs "
                "equity_shocks = 'normal'. To fix: set q_parameterisation = 'centred' (or "
                "'noncentred') for Student-t equity shocks"
            )
        return self


class SamplerConfig(FrozenModel):
    """NUTS settings and the diagnostics gate."""

    backend: Literal["nutpie", "pymc", "numpyro", "blackjax"] = "nutpie"
    chains: int = Field(default=4, ge=1, le=64)
    draws: int = Field(default=1000, ge=10, le=1_000_000)
    tune: int = Field(default=1500, ge=10, le=1_000_000)
    target_accept: float = Field(default=0.98, gt=0, lt=1)
    cores: int = Field(default=2, ge=1, le=1024)
    seed: int = 20250918
    allow_unconverged: bool = False
    #: Diagnostics gate thresholds.
    max_rhat: float = Field(default=1.01, gt=1)
    min_ess: float = Field(default=400, gt=0)

    @field_validator("seed")
    @classmethod
    def _seed_range(cls, value: int) -> int:
        return check_seed(value, "sampler.seed")
