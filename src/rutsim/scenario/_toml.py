"""Write a :class:`Scenario` back to a TOML scenario file (no third-party TOML writer).

The writer emits only the subset of TOML the schema uses: strings, floats, booleans,
float arrays and tables keyed by dates, years or quarter labels. Every written text is
parsed back and compared with the scenario before it reaches the disk.
"""

from __future__ import annotations

import textwrap
import tomllib
from collections.abc import Sequence
from pathlib import Path

from rutsim.errors import ScenarioError
from rutsim.files import atomic_write_text, toml_multiline, toml_string, toml_value
from rutsim.scenario._schema import Scenario, VariablePath
from rutsim.types import MACRO_VARIABLES

__all__ = ["scenario_to_toml", "write_scenario"]

_SCALAR_KEYS = (
    "start",
    "long_run",
    "long_run_half_life",
    "hold_after_end",
    "relative",
    "uncertainty",
    "source",
)


def _float(value: float) -> str:
    # repr round-trips a float exactly; callers round where they want short numbers.
    return toml_value(float(value), finite=True)


def _value(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _float(value)
    if isinstance(value, bool | str):
        return toml_value(value)
    raise TypeError(f"unsupported TOML value {value!r}")


def _variable_lines(
    variable: str, path: VariablePath, row_labels: Sequence[str] | None
) -> list[str]:
    lines = [f"[{variable}]"]
    for key in _SCALAR_KEYS:
        value = getattr(path, key)
        default = VariablePath.model_fields[key].default
        if value is not None and (value != default or key == "uncertainty"):
            lines.append(f"{key} = {_value(value)}")
    if isinstance(path.table, list):
        lines.append("table = [")
        for i, v in enumerate(path.table):
            note = f"  # {row_labels[i]}" if row_labels and i < len(row_labels) else ""
            lines.append(f"  {_float(v)},{note}")
        lines.append("]")
    mapping: dict[str, float] | None = None
    key_name = path.form
    if path.meetings is not None:
        mapping = {d.isoformat(): v for d, v in sorted(path.meetings.items())}
    elif path.year_end is not None:
        mapping = {str(y): v for y, v in sorted(path.year_end.items())}
    elif isinstance(path.table, dict):
        mapping = dict(sorted(path.table.items()))
    if mapping is not None:
        lines.append("")
        lines.append(f"[{variable}.{key_name}]")
        lines.extend(f"{k} = {_float(v)}" for k, v in mapping.items())
    return lines


def scenario_to_toml(scenario: Scenario, *, row_labels: Sequence[str] | None = None) -> str:
    """Render ``scenario`` as the text of a scenario file.

    Parameters
    ----------
    scenario : Scenario
        The scenario to write.
    row_labels : sequence of str, optional
        Comments written beside the rows of list tables (e.g. the source quarters).

    Returns
    -------
    str
        TOML text that :func:`rutsim.scenario.load_scenario` reads back to an equal
        scenario.
    """
    lines = [
        f"name = {toml_string(scenario.name)}",
        f"weight = {_float(scenario.weight)}",
    ]
    if scenario.as_of is not None:
        lines.append(f"as_of = {toml_string(scenario.as_of)}")
    lines.append(f"description = {toml_multiline(scenario.description)}")
    for variable in MACRO_VARIABLES:
        path = scenario.path(variable)
        if path is not None:
            lines.append("")
            lines.extend(_variable_lines(variable, path, row_labels))
    text = "\n".join(lines) + "\n"
    parsed = Scenario.model_validate(tomllib.loads(text))
    if parsed.model_dump() != _rewrapped(scenario).model_dump():
        raise AssertionError(f"TOML writer lost information for scenario '{scenario.name}'")
    return text


def _rewrapped(scenario: Scenario) -> Scenario:
    # The description is re-wrapped on output; compare against the same wrapping.
    text = "\n\n".join(
        textwrap.fill(p, width=88, break_on_hyphens=False)
        for p in scenario.description.strip().split("\n\n")
    )
    return scenario.model_copy(update={"description": text})


def write_scenario(
    scenario: Scenario,
    path: Path,
    *,
    overwrite: bool = False,
    row_labels: Sequence[str] | None = None,
) -> Path:
    """Write ``scenario`` to ``path`` atomically, never replacing a file silently.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its name must equal the file stem of ``path``.
    path : Path
        Destination ``.toml`` file.
    overwrite : bool
        Replace an existing file.
    row_labels : sequence of str, optional
        Comments beside the rows of list tables (see :func:`scenario_to_toml`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ScenarioError
        If the file exists (without ``overwrite``) or its stem is not the scenario's name.
    """
    path = Path(path)
    if path.suffix != ".toml" or path.stem != scenario.name:
        raise ScenarioError(
            f"{path}: a scenario file must be named after its scenario, "
            f"'{scenario.name}.toml'. To fix: write to {path.with_name(scenario.name + '.toml')} "
            "or choose the name with --name."
        )
    if path.exists() and not overwrite:
        raise ScenarioError(
            f"{path} already exists and rutsim never overwrites a scenario file silently. "
            "To fix: pass --overwrite to replace it, or choose another --name or --out."
        )
    atomic_write_text(path, scenario_to_toml(scenario, row_labels=row_labels))
    return path
