"""Config and scenario mistakes that used to end in a traceback or a message naming no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rutsim.config import RunConfig, read_toml, validate_model
from rutsim.errors import ConfigError, ScenarioError
from rutsim.scenario import load_scenario


def test_an_end_before_the_start_names_data_end() -> None:
    with pytest.raises(ConfigError, match=r"key 'data.end': 1800Q1 is before data.start 1988Q1"):
        validate_model(RunConfig, {"data": {"end": "1800Q1"}}, "c.toml")


@pytest.mark.parametrize("limit", ["1MiB", "200MB", "0B"])
def test_a_worker_memory_limit_too_small_to_start_is_refused(limit: str) -> None:
    with pytest.raises(ConfigError, match=r"key 'dask.memory_limit'.*256MiB.*To fix"):
        validate_model(RunConfig, {"dask": {"memory_limit": limit}}, "c.toml")


@pytest.mark.parametrize("limit", ["auto", "256MiB", "512MB", "4GiB", "1.5 GB"])
def test_usable_memory_limits_pass(limit: str) -> None:
    validate_model(RunConfig, {"dask": {"memory_limit": limit}}, "c.toml")


@pytest.mark.parametrize("address", ["not an address", "8787", ":99999", "host:"])
def test_a_dashboard_address_must_be_host_and_port(address: str) -> None:
    with pytest.raises(ConfigError, match=r"key 'dask.dashboard_address'.*To fix"):
        validate_model(RunConfig, {"dask": {"dashboard_address": address}}, "c.toml")


@pytest.mark.parametrize("address", ["", ":8787", ":0", "localhost:8787", "127.0.0.1:0"])
def test_dashboard_addresses_that_work_pass(address: str) -> None:
    validate_model(RunConfig, {"dask": {"dashboard_address": address}}, "c.toml")


def _deep(tmp_path: Path, name: str, head: str = "") -> Path:
    path = tmp_path / name
    path.write_text(f"{head}x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    return path


def test_deeply_nested_toml_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"c.toml: arrays or tables nested too deeply.*To fix"):
        read_toml(_deep(tmp_path, "c.toml"))
    scenario = _deep(tmp_path, "base.toml", 'name = "base"\n')
    with pytest.raises(ScenarioError, match=r"base.toml: arrays or tables nested too deeply"):
        load_scenario(scenario)


def test_a_path_typed_in_a_subfolder_names_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rutsim.config import read_toml
    from rutsim.errors import ConfigError, RunOutputError
    from rutsim.runs import load_run

    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "c.toml").write_text("")
    (tmp_path / "outputs" / "run1").mkdir(parents=True)
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path / "scenarios")
    with pytest.raises(ConfigError) as found:
        read_toml(Path("configs/c.toml"))
    assert f"a subfolder of the project root {tmp_path.resolve()}" in str(found.value)
    assert f"pass {tmp_path.resolve() / 'configs' / 'c.toml'}" in str(found.value)
    with pytest.raises(ConfigError, match="the project root is"):
        read_toml(Path("configs/other.toml"))
    with pytest.raises(RunOutputError, match="where outputs/run1 exists"):
        load_run(Path("outputs/run1"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as found:
        read_toml(Path("configs/other.toml"))
    assert "project root" not in str(found.value)
