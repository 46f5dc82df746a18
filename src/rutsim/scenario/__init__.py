"""Scenario files: schema, path construction and the Fed stress-test import."""

from rutsim.scenario._anchor import Anchor, anchor_from_panel
from rutsim.scenario._calendar import fomc_meeting_dates
from rutsim.scenario._fed import import_fed_file, import_fed_table
from rutsim.scenario._load import ScenarioSet, list_scenarios, load_scenario, load_scenarios
from rutsim.scenario._paths import (
    horizon_quarters,
    meetings_path,
    priced_in_changes,
    scenario_arrays,
    table_path,
    year_end_path,
)
from rutsim.scenario._plausible import check_plausible
from rutsim.scenario._plot import plot_scenario
from rutsim.scenario._schema import Scenario, VariablePath
from rutsim.scenario._toml import scenario_to_toml, write_scenario

__all__ = [
    "Anchor",
    "Scenario",
    "ScenarioSet",
    "VariablePath",
    "anchor_from_panel",
    "check_plausible",
    "fomc_meeting_dates",
    "horizon_quarters",
    "import_fed_file",
    "import_fed_table",
    "list_scenarios",
    "load_scenario",
    "load_scenarios",
    "meetings_path",
    "plot_scenario",
    "priced_in_changes",
    "scenario_arrays",
    "scenario_to_toml",
    "table_path",
    "write_scenario",
    "year_end_path",
]
