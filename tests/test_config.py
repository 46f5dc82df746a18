from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.config import RunConfig, load_run_config
from rutsim.errors import ConfigError


def write(tmp_path, text, name="run.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_load_from_empty_file(tmp_path):
    cfg = load_run_config(write(tmp_path, ""))
    assert cfg == RunConfig()


def test_unknown_key_names_file_key_and_fix(tmp_path):
    path = write(tmp_path, "[simulation]\npaths_per_drw = 10\n")
    with pytest.raises(ConfigError) as info:
        load_run_config(path)
    msg = str(info.value)
    assert str(path) in msg
    assert "simulation.paths_per_drw" in msg
    assert "unknown key" in msg and "To fix" in msg


def test_wrong_type_names_key(tmp_path):
    path = write(tmp_path, '[sampler]\nchains = "four"\n')
    with pytest.raises(ConfigError, match=r"sampler\.chains"):
        load_run_config(path)


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_run_config(write(tmp_path, "[simulation\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_run_config(tmp_path / "nope.toml")


def test_config_is_frozen():
    cfg = RunConfig()
    with pytest.raises(Exception, match="frozen"):
        cfg.simulation = None  # type: ignore[misc]


@given(seed=st.integers(0, 2**31 - 1), horizon=st.integers(1, 40))
def test_hash_is_a_function_of_content(tmp_path_factory, seed, horizon):
    tmp_path = tmp_path_factory.mktemp("cfg")
    text = f"[simulation]\nseed = {seed}\nhorizon = {horizon}\n"
    a = load_run_config(write(tmp_path, text, "a.toml"))
    b = load_run_config(write(tmp_path, text, "b.toml"))
    assert a.config_hash() == b.config_hash()
    other = load_run_config(write(tmp_path, f"[simulation]\nseed = {seed + 1}\n", "c.toml"))
    assert other.config_hash() != a.config_hash()
