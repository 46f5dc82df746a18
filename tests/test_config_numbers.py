"""Every number in a config or scenario is finite and in range before any work starts.

The schemas are walked, not listed: a numeric key added later is covered without a new
test. Each key gets ``inf``, ``nan``, a wrong type and (as a property) any number; the
answer is either a valid config or one ``ConfigError`` that names the key, never another
exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rutsim.config import RunConfig, validate_model
from rutsim.config._base import _model_in, _scalar_kind
from rutsim.errors import ConfigError
from rutsim.scenario import Scenario


def numeric_keys(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple]:
    """Yield ``(path, kind)`` for every int or float field below ``model``."""
    for name, field in model.model_fields.items():
        kind = _scalar_kind(field.annotation)
        nested = _model_in(field.annotation)
        if kind in (int, float):
            yield (*prefix, name), kind
        elif nested is not None and nested is not model and field.annotation is nested:
            yield from numeric_keys(nested, (*prefix, name))


def nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = value
    for part in reversed(path):
        out = {part: out}
    return out


CONFIG_KEYS = sorted(numeric_keys(RunConfig))


def test_the_walk_finds_the_keys_users_set() -> None:
    keys = {".".join(p) for p, _ in CONFIG_KEYS}
    for key in (
        "simulation.paths_per_draw",
        "simulation.chunk_size",
        "model.anchors.trailing_pe",
        "sampler.target_accept",
        "outputs.stream_above_mb",
    ):
        assert key in keys, key
    assert len(keys) >= 25


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize(
    ("path", "kind"), CONFIG_KEYS, ids=lambda x: ".".join(x) if isinstance(x, tuple) else x.__name__
)
def test_non_finite_numbers_are_refused_naming_the_key(path, kind, bad) -> None:
    key = ".".join(path)
    with pytest.raises(ConfigError, match=rf"key '{key}'") as info:
        validate_model(RunConfig, nest(path, bad), "c.toml")
    assert "To fix" in str(info.value)
    if kind is float:
        assert "finite" in str(info.value)


@pytest.mark.parametrize(
    ("path", "kind"), CONFIG_KEYS, ids=lambda x: ".".join(x) if isinstance(x, tuple) else x.__name__
)
def test_wrong_types_are_refused_naming_the_key(path, kind) -> None:
    with pytest.raises(ConfigError, match=rf"key '{'.'.join(path)}'.*To fix"):
        validate_model(RunConfig, nest(path, "abc"), "c.toml")


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(CONFIG_KEYS),
    st.one_of(
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0, -1, 0.0, -0.0, 1e300, -1e300, 10**12]),
    ),
)
def test_any_number_gives_a_config_or_one_clear_error(key, value) -> None:
    path, kind = key
    if kind is int and isinstance(value, float):
        value = value if not value.is_integer() else value + 0.5  # stay a float
    try:
        cfg = validate_model(RunConfig, nest(path, value), "c.toml")
    except ConfigError as exc:
        assert f"key '{'.'.join(path)}'" in str(exc) or "c.toml" in str(exc)
        return
    # accepted: the value is what was written, and finite
    got: Any = cfg
    for part in path:
        got = getattr(got, part)
    assert math.isfinite(got)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_non_finite_numbers_inside_tables_and_lists_are_refused(bad) -> None:
    with pytest.raises(ConfigError, match=r"key 'scenarios.weights'.*finite"):
        validate_model(RunConfig, {"scenarios": {"weights": {"base": bad}}}, "c.toml")
    prior = {
        "model": {"priors": {"ml_b_mp": {"dist": "Normal", "args": {"mu": 0.0, "sigma": bad}}}}
    }
    with pytest.raises(ConfigError, match=r"finite"):
        validate_model(RunConfig, prior, "c.toml")


def _scenario(fedfunds: dict[str, Any]) -> dict[str, Any]:
    return {"name": "x", "description": "test", "weight": 1.0, "fedfunds": fedfunds}


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize(
    "fedfunds",
    [
        {"start": "BAD", "meetings": {"2025-10-29": -25.0}},
        {"start": 4.0, "meetings": {"2025-10-29": "BAD"}},
        {"year_end": {2026: "BAD"}},
        {"table": [4.0, "BAD"]},
        {"year_end": {2026: 3.5}, "uncertainty": "BAD"},
    ],
)
def test_scenario_numbers_are_finite(fedfunds, bad) -> None:
    def put(x: Any) -> Any:
        if x == "BAD":
            return bad
        if isinstance(x, dict):
            return {k: put(v) for k, v in x.items()}
        if isinstance(x, list):
            return [put(v) for v in x]
        return x

    with pytest.raises(ConfigError, match=r"finite"):
        validate_model(Scenario, _scenario(put(fedfunds)), "s.toml")


def test_empty_paths_repeated_horizons_and_huge_chunks_are_refused() -> None:
    cases = {
        "outputs.dir": {"outputs": {"dir": ""}},
        "outputs.models_dir": {"outputs": {"models_dir": "  "}},
        "outputs.headline_horizons": {"outputs": {"headline_horizons": [4, 4]}},
        "simulation.chunk_size": {"simulation": {"chunk_size": 10**12}},
    }
    for key, data in cases.items():
        with pytest.raises(ConfigError, match=rf"key '{key}'.*To fix"):
            validate_model(RunConfig, data, "c.toml")
