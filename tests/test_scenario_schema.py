"""Scenario file schema, loading and the TOML writer: round trips and bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rutsim.config import ScenarioSelection
from rutsim.errors import ConfigError, ScenarioError
from rutsim.scenario import (
    Scenario,
    VariablePath,
    fomc_meeting_dates,
    list_scenarios,
    load_scenario,
    load_scenarios,
    scenario_arrays,
    scenario_to_toml,
    write_scenario,
)

HEADER = 'name = "t"\ndescription = "test"\nweight = 1.0\n'


def _write(folder: Path, body: str, name: str = "t") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _error(folder: Path, body: str) -> str:
    path = _write(folder, body)
    with pytest.raises(ScenarioError) as err:
        load_scenario("t", folder)
    assert str(path) in str(err.value)
    return str(err.value)


def test_unknown_variable_is_rejected_with_the_allowed_names(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[ust10y]\ntable = [4.0]\n")
    assert "key 'ust10y': unknown key" in msg
    assert "fedfunds, slope, spread, unemployment" in msg


def test_unknown_path_key_is_rejected(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[slope]\ntable = [0.5]\nuncertainity = 0.1\n")
    assert "key 'slope.uncertainity': unknown key" in msg
    assert "did you mean 'uncertainty'?" in msg


def test_two_path_forms_for_one_variable(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[spread]\ntable = [1.0]\n[spread.year_end]\n2026 = 2.0\n")
    assert "key 'spread': two path forms ('year_end' and 'table')" in msg
    assert "keep exactly one" in msg


def test_a_variable_table_without_a_path(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[slope]\nuncertainty = 0.1\n")
    assert "key 'slope': no path given" in msg and "remove this variable's table" in msg


def test_key_of_another_form(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[slope]\ntable = [0.5]\nlong_run = 0.3\n")
    assert "'long_run' belongs to the 'year_end' path form" in msg


def test_meetings_need_start_and_scheduled_dates(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[fedfunds.meetings]\n2025-10-29 = -25.0\n")
    assert "'meetings' needs 'start'" in msg
    msg = _error(
        tmp_path, HEADER + "[fedfunds]\nstart = 4.09\n[fedfunds.meetings]\n2025-10-30 = -25.0\n"
    )
    assert "2025-10-30 is not a scheduled FOMC decision date" in msg
    assert "2025-10-29" in msg  # the fix lists the year's dates


def test_relative_meetings_are_rejected(tmp_path) -> None:
    msg = _error(
        tmp_path, HEADER + "[fedfunds]\nstart = 4.0\nrelative = true\n[fedfunds.meetings]\n"
    )
    assert "'relative = true' cannot be used with 'meetings'" in msg


def test_gap_in_a_quarter_table(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[spread.table]\n2025Q4 = 1.0\n2026Q2 = 1.2\n")
    assert "'table' skips quarter 2026Q1" in msg


def test_missing_required_key_and_negative_weight(tmp_path) -> None:
    msg = _error(tmp_path, 'name = "t"\nweight = -1.0\n')
    assert "key 'description': required key is missing" in msg
    assert "key 'weight'" in msg and "greater than or equal to 0" in msg


def test_name_must_match_the_file(tmp_path) -> None:
    _write(tmp_path, HEADER.replace('"t"', '"other"'))
    with pytest.raises(ScenarioError, match=r"key 'name' is 'other' .* set name = \"t\""):
        load_scenario("t", tmp_path)


def test_missing_scenario_file_lists_what_exists(tmp_path) -> None:
    _write(tmp_path, HEADER)
    with pytest.raises(ScenarioError) as err:
        load_scenario("nope", tmp_path)
    msg = str(err.value)
    assert f"{tmp_path / 'nope.toml'} does not exist" in msg
    assert "Scenarios in" in msg and ": t." in msg and "scenarios/README.md" in msg


def test_invalid_toml_names_the_file(tmp_path) -> None:
    msg = _error(tmp_path, HEADER + "[slope\n")
    assert "not valid TOML" in msg


def test_load_by_path_and_list(tmp_path) -> None:
    path = _write(tmp_path, HEADER + "[slope]\ntable = [0.5]\n")
    assert load_scenario(path).slope.table == [0.5]
    assert list_scenarios(tmp_path) == ["t"]
    assert list_scenarios(tmp_path / "absent") == []


# --- weights -----------------------------------------------------------------------------


def _folder_with(tmp_path: Path, weights: dict[str, float]) -> Path:
    for name, w in weights.items():
        _write(tmp_path, f'name = "{name}"\ndescription = "x"\nweight = {w}\n', name)
    return tmp_path


def test_weights_renormalised_with_a_note(tmp_path) -> None:
    folder = _folder_with(tmp_path, {"a": 2.0, "b": 1.0, "c": 1.0})
    out = load_scenarios(ScenarioSelection(dir=folder, names=("a", "b", "c")))
    assert [s.name for s in out.scenarios] == ["a", "b", "c"]
    assert out.weights == pytest.approx((0.5, 0.25, 0.25))
    assert any("summed to 4; renormalised" in n for n in out.notes)


def test_weight_overrides(tmp_path) -> None:
    folder = _folder_with(tmp_path, {"a": 0.5, "b": 0.5})
    out = load_scenarios(ScenarioSelection(dir=folder, names=("a", "b"), weights={"b": 0.0}))
    assert out.weights == (1.0, 0.0)
    assert any("weight of 'b' set to 0 by the config" in n for n in out.notes)


def test_weight_errors(tmp_path) -> None:
    folder = _folder_with(tmp_path, {"a": 0.0, "b": 0.0})
    with pytest.raises(ConfigError, match="sum to zero"):
        load_scenarios(ScenarioSelection(dir=folder, names=("a", "b")))
    with pytest.raises(ConfigError, match="overrides zz, which 'scenarios.names' does not select"):
        load_scenarios(ScenarioSelection(dir=folder, names=("a",), weights={"zz": 1.0}))
    with pytest.raises(ConfigError, match="lists a more than once"):
        load_scenarios(ScenarioSelection(dir=folder, names=("a", "a")))
    with pytest.raises(ConfigError, match="'scenarios.names' is empty"):
        load_scenarios(ScenarioSelection(dir=folder, names=()))
    with pytest.raises(ValueError, match="finite and non-negative"):
        ScenarioSelection(weights={"a": -0.1})


def test_missing_scenario_in_selection(tmp_path) -> None:
    folder = _folder_with(tmp_path, {"a": 1.0})
    with pytest.raises(ScenarioError, match="scenario 'b' not found"):
        load_scenarios(ScenarioSelection(dir=folder, names=("a", "b")))


# --- TOML round trip ----------------------------------------------------------------------

finite = st.floats(-20, 20, allow_nan=False).map(lambda x: round(x, 6))
quarter_tables = st.integers(2024 * 4, 2026 * 4).flatmap(
    lambda start: st.lists(finite, min_size=1, max_size=16).map(
        lambda vals: {f"{(start + i) // 4}Q{(start + i) % 4 + 1}": v for i, v in enumerate(vals)}
    )
)
paths = st.one_of(
    st.builds(
        VariablePath,
        # Moves in basis points: 0 or at least 5 in absolute value (smaller is refused).
        meetings=st.dictionaries(
            st.sampled_from(fomc_meeting_dates()),
            st.sampled_from([0.0, 5.0, -10.0, 25.0, -25.0, 50.0, -75.0, 100.0, -12.5]),
            max_size=6,
        ),
        start=finite,
        uncertainty=st.floats(0, 1),
    ),
    st.builds(
        VariablePath,
        year_end=st.dictionaries(st.integers(2026, 2032), finite, min_size=1, max_size=5),
        long_run=st.none() | finite,
        relative=st.booleans(),
        uncertainty=st.floats(0, 1),
    ),
    st.builds(
        VariablePath,
        table=st.lists(finite, min_size=1, max_size=16) | quarter_tables,
        hold_after_end=st.booleans(),
        relative=st.booleans(),
        source=st.none() | st.text(max_size=40),
    ),
)
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    min_size=1,
    max_size=200,
).filter(lambda t: t.strip())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fedfunds=st.none() | paths,
    slope=st.none() | paths,
    spread=st.none() | paths,
    description=texts,
    weight=st.floats(0, 10),
)
def test_toml_round_trip(tmp_path_factory, fedfunds, slope, spread, description, weight) -> None:
    s = Scenario(
        name="rt",
        description=description,
        weight=weight,
        as_of="2025-09-18",
        fedfunds=fedfunds,
        slope=slope,
        spread=spread,
    )
    folder = tmp_path_factory.mktemp("rt")
    write_scenario(s, folder / "rt.toml")
    back = load_scenario("rt", folder)
    left, right = s.model_dump(), back.model_dump()
    assert " ".join(left.pop("description").split()) == " ".join(right.pop("description").split())
    assert left == right
    fq = pd.Period("2026Q4", freq="Q")
    observed = {"fedfunds": 4.0, "slope": 0.5, "spread": 1.7}
    try:
        a = scenario_arrays(s, first_quarter=fq, horizon=4, last_observed=observed)
    except ScenarioError:
        return  # e.g. a short table; the reloaded file must fail the same way
    b = scenario_arrays(back, first_quarter=fq, horizon=4, last_observed=observed)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_writer_never_overwrites_and_checks_the_name(tmp_path) -> None:
    s = Scenario(name="w", description="d", weight=1.0, slope=VariablePath(table=[0.1]))
    path = write_scenario(s, tmp_path / "w.toml")
    with pytest.raises(ScenarioError, match="already exists .* pass --overwrite"):
        write_scenario(s, path)
    write_scenario(s, path, overwrite=True)
    with pytest.raises(ScenarioError, match="must be named after its scenario, 'w.toml'"):
        write_scenario(s, tmp_path / "other.toml")
    assert "table = [\n  0.1,\n]" in scenario_to_toml(s)


def test_path_fields_are_the_macro_variables() -> None:
    from rutsim.types import MACRO_VARIABLES

    fields = [
        f
        for f in Scenario.model_fields
        if Scenario.model_fields[f].annotation == (VariablePath | None)
    ]
    assert tuple(fields) == MACRO_VARIABLES
    with pytest.raises(KeyError, match="not a macro variable"):
        Scenario(name="t", description="d", weight=1.0).path("name")
