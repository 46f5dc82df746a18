"""Turn a Fed supervisory stress-test table into a scenario.

Mapping (each an approximation, written into the scenario file):

- ``fedfunds`` <- ``3-month Treasury rate``: the policy-rate proxy (the bill prices the
  expected policy rate over its three months, so it tracks effective fed funds closely
  except around expected moves).
- ``slope`` <- ``10-year Treasury yield`` minus ``3-month Treasury rate``: the model's
  slope is 10y-2y, but the Fed tables carry no 2-year yield. 10y-3m differs from 10y-2y
  by the 2y-3m gap: in the embedded quarterly panel (1990Q1-2025Q1) it averaged about
  0.5pp above 10y-2y (sd of the gap about 0.5pp, correlation about 0.93), and it falls
  below 10y-2y when markets price cuts. Running with ``[data] slope = "10y3m"`` makes
  the mapping exact.
- ``spread`` <- ``BBB corporate yield`` minus ``10-year Treasury yield``: a proxy for
  Moody's Baa minus 10y.
- ``unemployment`` <- ``Unemployment rate``: the same BLS civilian rate (quarterly
  average) the model is fitted on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from rutsim.data import load_fed_stress_table
from rutsim.errors import DataError, ScenarioError
from rutsim.scenario._schema import Scenario, VariablePath
from rutsim.scenario._toml import write_scenario

__all__ = ["FED_COLUMNS", "import_fed_file", "import_fed_table"]

#: The stress-table columns the import needs, by role.
FED_COLUMNS: dict[str, str] = {
    "short": "3-month Treasury rate",
    "long": "10-year Treasury yield",
    "bbb": "BBB corporate yield",
    "unemployment": "Unemployment rate",
}

_SOURCES = {
    "fedfunds": (
        "Fed column '3-month Treasury rate' (policy-rate proxy for the quarterly average "
        "effective fed funds rate)"
    ),
    "slope": (
        "Fed columns '10-year Treasury yield' minus '3-month Treasury rate' (10y-3m; "
        "stands in for the model's default 10y-2y slope: the Fed table has no 2y yield; "
        "1990Q1-2025Q1 quarterly, 10y-3m averaged about 0.5pp above 10y-2y, gap sd about "
        "0.5pp; exact with [data] slope = '10y3m')"
    ),
    "spread": (
        "Fed columns 'BBB corporate yield' minus '10-year Treasury yield' (proxy for "
        "Moody's Baa minus 10y)"
    ),
    "unemployment": "Fed column 'Unemployment rate' (BLS civilian rate, quarterly average)",
}


#: ``Scenario Name`` values of the Fed's tables of history (Table 1A), not scenarios.
HISTORY_LABELS = frozenset({"actual", "historical", "history"})


def _normalise(column: str) -> str:
    return re.sub(r"\s+", " ", column).strip().lower()


def _slug(text: str) -> str:
    text = re.sub(r"(?i)\bsupervisory\b", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "scenario"


def _columns(frame: pd.DataFrame, csv_path: Path) -> dict[str, np.ndarray]:
    by_name = {_normalise(str(c)): c for c in frame.columns}
    missing = [c for c in FED_COLUMNS.values() if _normalise(c) not in by_name]
    if missing:
        found = ", ".join(f"'{c}'" for c in frame.columns) or "none"
        raise DataError(
            f"{csv_path}: missing column(s) {', '.join(repr(c) for c in missing)} needed to "
            f"build a scenario (found: {found}). To fix: use a Fed supervisory scenario "
            "table with the 3-month Treasury rate, 10-year Treasury yield, BBB "
            "corporate yield and unemployment rate columns (e.g. the 2025 Table 2A or 3A "
            "domestic variables)."
        )
    out = {}
    for role, name in FED_COLUMNS.items():
        values = frame[by_name[_normalise(name)]].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise DataError(
                f"{csv_path}: column '{name}' has no value for {frame.index[bad[0]]}. To fix: "
                "fill in the quarter or cut the table before it."
            )
        out[role] = values
    return out


def import_fed_table(
    csv_path: Path,
    *,
    name: str | None = None,
    align: Literal["start", "calendar"] = "start",
    weight: float = 0.0,
) -> Scenario:
    """Build a scenario from a Fed supervisory stress-test table.

    Parameters
    ----------
    csv_path : Path
        A Fed scenario CSV (``Scenario Name``, ``Date`` like ``2025 Q1``, one column per
        variable, read by name).
    name : str, optional
        Scenario name; default ``fed_<first year>_<scenario>`` (e.g.
        ``fed_2025_severely_adverse``).
    align : {"start", "calendar"}
        ``"start"`` applies the Fed's first quarter at the first simulated quarter (the
        stress path as if it began now; tables are lists); ``"calendar"`` keeps the
        Fed's calendar quarters (tables keyed by quarter).
    weight : float
        Blend weight written into the file (default 0: stress scenarios stay out of the
        blend unless a run config gives them a weight).

    Returns
    -------
    Scenario
        Tables for ``fedfunds``, ``slope`` and ``spread`` with zero uncertainty and the
        mapping in each variable's ``source`` and in the description.

    Raises
    ------
    DataError
        If the file lacks a needed column or a value (the message names them).
    ScenarioError
        If ``name`` is not a valid scenario name.
    """
    csv_path = Path(csv_path)
    frame = load_fed_stress_table(csv_path)
    label = str(frame.attrs.get("scenario", "")).strip() or csv_path.stem
    if label.lower() in HISTORY_LABELS:
        raise DataError(
            f"{csv_path}: this is the Fed's table of history ('Scenario Name' = '{label}', "
            f"{frame.index[0]}..{frame.index[-1]}; Table 1A of the stress-test release), not "
            "a scenario: there is no path to import. To fix: import a scenario table, e.g. "
            "Table 2A (baseline) or Table 3A (severely adverse) domestic variables."
        )
    cols = _columns(frame, csv_path)
    quarters = [str(q) for q in frame.index]
    first, last = quarters[0], quarters[-1]
    name = name or f"fed_{first[:4]}_{_slug(label)}"
    series = {
        "fedfunds": cols["short"],
        "slope": cols["long"] - cols["short"],
        "spread": cols["bbb"] - cols["long"],
        "unemployment": cols["unemployment"],
    }
    paths = {}
    for variable, values in series.items():
        # Rounded to the table's own precision so the file shows 1.3, not 1.2999999.
        rounded = [round(float(v), 4) for v in values]
        table: list[float] | dict[str, float] = (
            rounded if align == "start" else dict(zip(quarters, rounded, strict=True))
        )
        # Calendar tables end at the Fed's last quarter, which a run's horizon usually
        # passes; the last value is held after it (stated in the description).
        paths[variable] = VariablePath(
            table=table,
            uncertainty=0.0,
            source=_SOURCES[variable],
            hold_after_end=align == "calendar",
        )
    timing = (
        f"Timing (align = start): the Fed's first quarter {first} is placed at the first "
        f"simulated quarter and its {len(quarters)} quarters follow in order, so the stress "
        "path is applied as if it began now."
        if align == "start"
        else f"Timing (align = calendar): the Fed's calendar quarters {first}..{last} are "
        "kept. Its quarters before a run's first simulated quarter are history by then and "
        f"are skipped; after {last} the last value is held (hold_after_end), so a run of "
        "any horizon accepts the file: the held quarters are rutsim's assumption, not the "
        "Fed's."
    )
    description = (
        f"Imported by 'rutsim scenario import-fed' from the Federal Reserve supervisory "
        f"stress-test table {csv_path.name} (scenario '{label}', {first}..{last}).\n\n"
        "Mapping (approximations): fedfunds = 3-month Treasury rate (policy-rate proxy); "
        "slope = 10-year Treasury yield minus 3-month Treasury rate (10y-3m, standing in "
        "for the model's default 10y-2y slope because the Fed tables have no 2-year "
        "yield; in quarterly data 1990Q1-2025Q1 10y-3m averaged about 0.5pp above 10y-2y "
        "with a gap sd of about 0.5pp and correlation about 0.93, and it falls below "
        '10y-2y when markets price cuts; a run config with [data] slope = "10y3m" makes '
        "this exact); "
        "spread = BBB corporate yield minus 10-year Treasury yield (proxy for "
        "Moody's Baa minus 10y); unemployment = the table's unemployment rate (the same "
        "BLS series the model is fitted on). All four are pinned (no uncertainty around "
        "the path).\n\n"
        f"{timing}\n\n"
        "Weight: a stress scenario, outside the probability blend unless a run config "
        "gives it a weight."
    )
    try:
        return Scenario(
            name=name,
            description=description,
            weight=weight,
            as_of=f"Federal Reserve {first[:4]} supervisory scenario ({label})",
            **paths,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ScenarioError(
            f"cannot build a scenario from {csv_path}: {problems}. To fix: pass --name with "
            "lower-case letters, digits, '_' or '-' (e.g. --name fed_2025_baseline)."
        ) from None


def import_fed_file(
    csv_path: Path,
    out: Path | None = None,
    *,
    name: str | None = None,
    align: Literal["start", "calendar"] = "start",
    scenario_dir: Path = Path("scenarios"),
    overwrite: bool = False,
) -> Path:
    """Import a Fed stress-test table and write it as a scenario file.

    Parameters
    ----------
    csv_path : Path
        The Fed table (see :func:`import_fed_table`).
    out : Path, optional
        Destination file; default ``<scenario_dir>/<name>.toml``.
    name, align
        As in :func:`import_fed_table`.
    scenario_dir : Path
        Folder for the default destination.
    overwrite : bool
        Replace an existing file (otherwise an existing file is an error).

    Returns
    -------
    Path
        The written file; list tables carry the Fed quarter of each row as a comment.
    """
    scenario = import_fed_table(csv_path, name=name, align=align)
    out = Path(out) if out is not None else Path(scenario_dir) / f"{scenario.name}.toml"
    labels = None
    if align == "start":
        quarters = [str(q) for q in load_fed_stress_table(Path(csv_path)).index]
        labels = [f"Fed {q}" for q in quarters]
    return write_scenario(scenario, out, overwrite=overwrite, row_labels=labels)
