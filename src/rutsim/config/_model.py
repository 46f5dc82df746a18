"""``[model]`` and ``[sampler]`` sections of a run config (owned by the model layer)."""

from __future__ import annotations

from typing import Literal

from rutsim.config._base import FrozenModel


class ModelConfig(FrozenModel):
    """Model structure and priors (priors are data; see docs/model.md)."""

    macro_shocks: Literal["normal", "student_t"] = "student_t"
    macro_nu: float = 5.0
    equity_shocks: Literal["normal", "student_t"] = "normal"
    equity_nu: float = 7.0


class SamplerConfig(FrozenModel):
    """NUTS settings and the diagnostics gate."""

    backend: Literal["nutpie", "pymc", "numpyro", "blackjax"] = "nutpie"
    chains: int = 4
    draws: int = 1000
    tune: int = 1000
    target_accept: float = 0.9
    cores: int = 2
    seed: int = 20250918
    allow_unconverged: bool = False
