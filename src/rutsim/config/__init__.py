"""Frozen, validated configuration objects and TOML loading."""

from rutsim.config._base import FrozenModel, load_toml_model, read_toml, validate_model

__all__ = ["FrozenModel", "load_toml_model", "read_toml", "validate_model"]
