"""Priors as data: validation messages name the key; defaults and default.toml agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.config import RunConfig, load_run_config, validate_model
from rutsim.config._model import ModelConfig, PriorSpec
from rutsim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def _model(priors: dict) -> ModelConfig:
    return validate_model(ModelConfig, {"priors": priors}, "run.toml")


def test_default_toml_matches_code_defaults() -> None:
    assert load_run_config(ROOT / "configs" / "default.toml") == RunConfig()


def test_unknown_distribution_names_key_and_choices() -> None:
    with pytest.raises(ConfigError) as exc:
        _model({"ff_phi": {"dist": "Cauchy", "alpha": 0.0, "beta": 1.0}})
    msg = str(exc.value)
    assert "run.toml" in msg and "priors.ff_phi" in msg
    assert "unknown distribution 'Cauchy'" in msg and "HalfNormal" in msg


def test_non_positive_scale_names_argument() -> None:
    with pytest.raises(ConfigError) as exc:
        _model({"gl_b_df": {"dist": "Normal", "mu": 0.0, "sigma": -0.1}})
    msg = str(exc.value)
    assert "priors.gl_b_df" in msg and "'sigma'" in msg and "must be > 0" in msg


def test_wrong_shape_names_argument() -> None:
    with pytest.raises(ConfigError) as exc:
        _model({"q_mu": {"dist": "Normal", "mu": [0.0, 1.0], "sigma": 0.3}})
    msg = str(exc.value)
    assert "priors.q_mu" in msg and "wrong shape" in msg and "'mu'" in msg


def test_missing_and_unknown_arguments() -> None:
    with pytest.raises(ConfigError, match="missing: sigma"):
        _model({"ff_a": {"dist": "Normal", "mu": 0.0}})
    with pytest.raises(ConfigError, match="unknown: scale"):
        _model({"ff_a": {"dist": "Normal", "mu": 0.0, "sigma": 1.0, "scale": 2.0}})


def test_unknown_parameter_is_rejected() -> None:
    with pytest.raises(ConfigError) as exc:
        _model({"not_a_param": {"dist": "Normal", "mu": 0.0, "sigma": 1.0}})
    assert "priors.not_a_param" in str(exc.value) and "unknown key" in str(exc.value)


def test_scale_and_correlation_supports_are_checked() -> None:
    with pytest.raises(ConfigError, match="'q_sigma' is a standard deviation"):
        _model({"q_sigma": {"dist": "Normal", "mu": 0.02, "sigma": 0.01}})
    with pytest.raises(ConfigError, match="'sc_corr' is a correlation"):
        _model({"sc_corr": {"dist": "Normal", "mu": 0.0, "sigma": 0.5}})
    with pytest.raises(ConfigError, match="'q_phi'"):
        _model({"q_phi": {"dist": "Normal", "mu": 0.9, "sigma": 0.1}})


def test_marginal_q_needs_normal_equity_shocks() -> None:
    with pytest.raises(ConfigError, match="q_parameterisation"):
        validate_model(ModelConfig, {"equity_shocks": "student_t"}, "run.toml")
    cfg = validate_model(
        ModelConfig, {"equity_shocks": "student_t", "q_parameterisation": "centred"}, "x"
    )
    assert cfg.equity_shocks == "student_t"


def test_partial_override_keeps_other_defaults() -> None:
    cfg = _model({"q_sigma": {"dist": "HalfNormal", "sigma": 0.03}})
    assert cfg.priors.q_sigma.dist == "HalfNormal" and cfg.priors.q_sigma.args == {"sigma": 0.03}
    assert cfg.priors.gs_sigma == ModelConfig().priors.gs_sigma


@given(
    mu=st.floats(-10, 10, allow_nan=False),
    sigma=st.floats(1e-6, 10, allow_nan=False),
)
def test_prior_spec_round_trips_through_json_and_toml_form(mu: float, sigma: float) -> None:
    spec = PriorSpec.model_validate({"dist": "Normal", "mu": mu, "sigma": sigma})
    assert PriorSpec.model_validate(spec.model_dump()) == spec
    assert PriorSpec.model_validate(spec.to_toml_dict()) == spec


def test_posterior_params_fields_are_the_registry_then_the_last_latent_state() -> None:
    # PosteriorParams is written out for the type checker; the registry stays the source.
    from rutsim.config import PARAMETER_NAMES
    from rutsim.types import PosteriorParams

    assert PosteriorParams._fields == (*PARAMETER_NAMES, "q_last")
