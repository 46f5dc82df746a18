"""Find, read and validate scenario files; select and weight the scenarios of a run."""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from rutsim.config import MAX_TOML_BYTES, ScenarioSelection, parse_toml
from rutsim.errors import ConfigError, ScenarioError
from rutsim.files import read_text
from rutsim.scenario._schema import Scenario, VariablePath

__all__ = ["ScenarioSet", "list_scenarios", "load_scenario", "load_scenarios"]

_TOP_KEYS = tuple(Scenario.model_fields)
_PATH_KEYS = tuple(VariablePath.model_fields)


class ScenarioSet(NamedTuple):
    """The scenarios of one run with their blend weights.

    Attributes
    ----------
    scenarios : tuple of Scenario
        In the order the config names them.
    weights : tuple of float
        Blend weights, non-negative and summing to 1 (same order).
    notes : tuple of str
        What was adjusted (overrides applied, renormalisation), for logs and manifests.
    """

    scenarios: tuple[Scenario, ...]
    weights: tuple[float, ...]
    notes: tuple[str, ...]


def _key(loc: tuple[object, ...]) -> str:
    # Drop pydantic's union-branch markers ("list[float]", "dict[str,float]") from keys.
    parts = [str(p) for p in loc if not re.match(r"^(list|dict)\[", str(p))]
    return ".".join(parts) or "(top level)"


def _format_errors(source: str, exc: ValidationError) -> str:
    errors = exc.errors()
    keys = [_key(e["loc"]) for e in errors]
    lines = [f"{source}: invalid scenario file"]
    for err, key in zip(errors, keys, strict=True):
        if err["type"] in ("dict_type", "list_type") and any(
            k != key and k.startswith(key) for k in keys
        ):
            continue  # the other union branch explains the problem better
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("dict_type", "list_type"):
            both = {e["type"] for e, k in zip(errors, keys, strict=True) if k == key}
            if {"dict_type", "list_type"} <= both:
                if err["type"] == "dict_type":
                    continue
                msg = (
                    "must be a list of quarterly values or a table keyed by quarter. To fix: "
                    "write e.g. table = [1.0, 1.2] or [<variable>.table] with 2026Q1 = 1.0"
                )
        if err["type"] == "extra_forbidden":
            where = "a variable's path" if len(err["loc"]) > 1 else "the top level"
            allowed = _PATH_KEYS if len(err["loc"]) > 1 else _TOP_KEYS
            close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=2, cutoff=0.6)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            msg = (
                f"unknown key. {hint}To fix: remove it or check its spelling; keys allowed "
                f"at {where}: {', '.join(allowed)}"
            )
        elif err["type"] == "missing":
            msg = "required key is missing. To fix: add it"
        elif "To fix" not in msg:
            msg += ". To fix: correct the value (the format is in scenarios/README.md)"
        lines.append(f"  - key '{key}': {msg}")
    return "\n".join(lines)


def _resolve(name_or_path: str | Path, scenario_dir: Path) -> Path:
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return Path(text)
    return Path(scenario_dir) / f"{text}.toml"


def load_scenario(name_or_path: str | Path, scenario_dir: Path = Path("scenarios")) -> Scenario:
    """Load and validate one scenario file.

    Parameters
    ----------
    name_or_path : str or Path
        A scenario name (looked up as ``<scenario_dir>/<name>.toml``) or a path to a
        ``.toml`` file.
    scenario_dir : Path
        Folder of scenario files.

    Returns
    -------
    Scenario
        The frozen scenario; its ``name`` equals the file stem.

    Raises
    ------
    ScenarioError
        If the file is missing, is not TOML, or breaks the schema (the message names the
        file, the key and the fix).
    """
    path = _resolve(name_or_path, scenario_dir)
    if not path.is_file():
        known = list_scenarios(path.parent)
        close = difflib.get_close_matches(path.stem, known, n=3, cutoff=0.6)
        hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ScenarioError(
            f"scenario '{name_or_path}' not found: {path} does not exist. {hint}Scenarios in "
            f"{path.parent}: {', '.join(known) or 'none'}. To fix: check the name, or write "
            f"{path} (see scenarios/README.md for the format)."
        )
    text = read_text(path, error=ScenarioError, what="scenario file", max_bytes=MAX_TOML_BYTES)
    data = parse_toml(text, path, ScenarioError)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_errors(str(path), exc)) from None
    if scenario.name != path.stem:
        raise ScenarioError(
            f"{path}: key 'name' is '{scenario.name}' but the file is named "
            f"'{path.name}'. To fix: set name = \"{path.stem}\" or rename the file to "
            f"'{scenario.name}.toml' (random draws are keyed by the name)."
        )
    scenario._source = str(path)
    return scenario


def list_scenarios(scenario_dir: Path = Path("scenarios")) -> list[str]:
    """Return the names of the scenario files (``*.toml``) in ``scenario_dir``, sorted."""
    folder = Path(scenario_dir)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml") if not p.name.startswith("."))


def load_scenarios(selection: ScenarioSelection) -> ScenarioSet:
    """Load the scenarios a run config selects and compute their blend weights.

    Parameters
    ----------
    selection : ScenarioSelection
        The ``[scenarios]`` section: folder, names, optional weight overrides.

    Returns
    -------
    ScenarioSet
        Scenarios in config order, with weights renormalised to sum to 1 (a note says so
        when the given weights did not).

    Raises
    ------
    ConfigError
        If no scenario is named, a name repeats, an override names a scenario that is not
        selected, or the weights sum to zero.
    ScenarioError
        If a scenario file is missing or invalid.
    """
    names = selection.names
    if not names:
        raise ConfigError(
            "key 'scenarios.names' is empty. To fix: name at least one scenario, e.g. "
            'names = ["base"].'
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(
            f"key 'scenarios.names' lists {', '.join(repeated)} more than once. To fix: "
            "name each scenario once."
        )
    unknown = sorted(set(selection.weights) - set(names))
    if unknown:
        raise ConfigError(
            f"key 'scenarios.weights' overrides {', '.join(unknown)}, which "
            f"'scenarios.names' does not select ({', '.join(names)}). To fix: add them to "
            "names or remove the overrides."
        )
    scenarios = tuple(load_scenario(n, selection.dir) for n in names)
    notes: list[str] = []
    raw: list[float] = []
    for s in scenarios:
        override = selection.weights.get(s.name)
        if override is not None and override != s.weight:
            notes.append(
                f"weight of '{s.name}' set to {override:g} by the config (file: {s.weight:g})"
            )
        raw.append(s.weight if override is None else override)
    total = math.fsum(raw)
    if total <= 0:
        raise ConfigError(
            f"the weights of the selected scenarios ({', '.join(names)}) sum to zero, so "
            "there is no blend. To fix: give at least one a positive weight in "
            "'scenarios.weights' or in its file."
        )
    if not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-9):
        notes.append(f"weights summed to {total:g}; renormalised to sum to 1")
    return ScenarioSet(
        scenarios=scenarios, weights=tuple(w / total for w in raw), notes=tuple(notes)
    )
