"""``rutsim scenario ...``: list, show and import scenario files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rutsim.cli._paths import PATHS_HELP, in_project
from rutsim.errors import ConfigError, ScenarioError
from rutsim.files import atomic_write_bytes
from rutsim.status import shown

app = typer.Typer(help=f"List, show and import scenario files. {PATHS_HELP}", no_args_is_help=True)
_out = Console()

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Folder of scenario files (default: scenarios/ of the project root).",
        show_default=False,
    ),
]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")]


def register(root: typer.Typer) -> None:
    """Attach the ``scenario`` command group to the root app."""
    root.add_typer(app, name="scenario")


def _calendar_note(csv_file: Path) -> str:
    """Say which of the Fed's quarters a run on the embedded data skips and holds."""
    from rutsim.config import DataConfig
    from rutsim.data import load_fed_stress_table, load_panel
    from rutsim.scenario import anchor_from_panel, horizon_quarters

    fed = [str(q) for q in load_fed_stress_table(csv_file).index]
    data = DataConfig()
    start = anchor_from_panel(load_panel(data), data).first_quarter
    first_sim = str(start)
    skipped = [q for q in fed if q < first_sim]
    run = horizon_quarters(start, 12)
    held = [q for q in run if q > fed[-1]]
    parts = [f"note: align = calendar keeps the Fed's quarters {fed[0]}..{fed[-1]}."]
    if skipped:
        parts.append(
            f"With the embedded data a run starts at {first_sim}, so {skipped[0]}..{skipped[-1]} "
            "are skipped (history by then)."
        )
    if held:
        parts.append(
            f"A 12-quarter run holds the last value for {held[0]}..{held[-1]} "
            "(hold_after_end = true in the file)."
        )
    return " ".join(parts)


#: Headers of the macro columns in a narrow terminal.
_SHORT = {"unemployment": "unempl."}


@app.command("list")
def list_command(scenario_dir: DirOption = None) -> None:
    """List the scenario files with their weights and given paths."""
    from rutsim.scenario import list_scenarios, load_scenario
    from rutsim.types import MACRO_VARIABLES

    scenario_dir = in_project(scenario_dir, "scenarios")
    names = list_scenarios(scenario_dir)
    if not names:
        raise ScenarioError(
            f"no scenario files (*.toml) in {scenario_dir}. To fix: pass --dir, or write one "
            "(see scenarios/README.md)."
        )
    # Under 110 columns the date and summary go (`scenario show` has them) and a header
    # shortens, so that every column keeps its width in an 80-column terminal.
    wide = _out.width >= 110
    table = Table(title=f"Scenarios in {shown(scenario_dir)}", box=box.SIMPLE_HEAD)
    table.add_column("name", no_wrap=True, min_width=13, max_width=None if wide else 20)
    table.add_column("weight", no_wrap=True, min_width=6, justify="right")
    for col in MACRO_VARIABLES:
        table.add_column(col if wide else _SHORT.get(col, col), no_wrap=True, min_width=8)
    if wide:
        table.add_column("as of", no_wrap=True, overflow="ellipsis", max_width=12)
        table.add_column("summary", no_wrap=True, overflow="ellipsis", max_width=40)
    invalid = []
    for name in names:
        try:
            s = load_scenario(name, scenario_dir)
        except ScenarioError as exc:
            invalid.append(str(exc))
            blank = [""] * (len(MACRO_VARIABLES) + 2 * wide)
            table.add_row(name, *blank, Text("invalid (see below)", style="red"))
            continue
        forms = [p.form if (p := s.path(v)) is not None else "model" for v in MACRO_VARIABLES]
        summary = " ".join(s.description.split())
        table.add_row(s.name, f"{s.weight:g}", *forms, *([s.as_of or "", summary] * wide))
    _out.print(table)
    if not wide:
        _out.print("dates and summaries: `rutsim scenario show NAME` (or 110+ columns)")
    if invalid:
        raise ScenarioError("\n".join(invalid))


def _parse_observed(items: list[str]) -> dict[str, float]:
    observed = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            observed[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ConfigError(
                f"--last-observed '{item}' is not VARIABLE=VALUE. To fix: write e.g. "
                "--last-observed slope=0.55."
            )
    return observed


@app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a .toml file.")],
    scenario_dir: DirOption = None,
    first_quarter: Annotated[
        str | None,
        typer.Option(help="First simulated quarter, e.g. 2025Q4 (default: after the data)."),
    ] = None,
    horizon: Annotated[int, typer.Option(help="Quarters to show.")] = 12,
    last_observed: Annotated[
        list[str] | None,
        typer.Option(help="VARIABLE=VALUE in the last observed quarter (with --first-quarter)."),
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Also write a PNG of the paths here.")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Print a scenario's quarterly paths and optionally save a PNG of them."""
    from rutsim.scenario import horizon_quarters, load_scenario, plot_scenario, scenario_arrays
    from rutsim.types import MACRO_VARIABLES

    scenario = load_scenario(name, in_project(scenario_dir, "scenarios"))
    if first_quarter is None:
        from rutsim.config import DataConfig
        from rutsim.data import load_panel
        from rutsim.scenario import anchor_from_panel

        anchor = anchor_from_panel(load_panel(), DataConfig())
        start, observed, priced = anchor.first_quarter, anchor.last_observed, anchor.priced_in
    else:
        try:
            start = pd.Period(first_quarter, freq="Q")
        except ValueError:
            raise ConfigError(
                f"--first-quarter '{first_quarter}' is not a quarter. To fix: write e.g. 2025Q4."
            ) from None
        observed = _parse_observed(last_observed or [])
        priced = ()
    if png is not None and png.exists() and not overwrite:
        raise ScenarioError(
            f"{png} already exists and rutsim never overwrites it silently. To fix: pass "
            "--overwrite or choose another --png path."
        )
    arrays = scenario_arrays(
        scenario, first_quarter=start, horizon=horizon, last_observed=observed, priced_in=priced
    )
    quarters = horizon_quarters(start, horizon)
    _out.print(Text(f"{scenario.name}  (weight {scenario.weight:g}, as of {scenario.as_of})"))
    # Re-flow the file's hard-wrapped paragraphs to the terminal width.
    for paragraph in scenario.description.strip().split("\n\n"):
        _out.print(Text(" ".join(paragraph.split())), style="dim")
        _out.print()
    table = Table(title=f"Given paths from {quarters[0]} (model = simulated by the model)")
    table.add_column("quarter")
    for variable in MACRO_VARIABLES:
        path = scenario.path(variable)
        label = variable if path is None else f"{variable}\n{path.form}, sd {path.uncertainty:g}"
        table.add_column(label, justify="right")
    for h, quarter in enumerate(quarters):
        cells = [
            f"{arrays.values[h, j]:.3f}" if arrays.pinned[h, j] else "model"
            for j in range(len(MACRO_VARIABLES))
        ]
        table.add_row(quarter, *cells)
    _out.print(table)
    if png is not None:
        fig = plot_scenario(scenario, arrays, quarters, observed)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        atomic_write_bytes(png, buffer.getvalue())
        _out.print(f"wrote {png}", soft_wrap=True)  # a path is never broken


@app.command("import-fed")
def import_fed_command(
    csv_file: Annotated[Path, typer.Argument(help="Fed supervisory scenario table (CSV).")],
    name: Annotated[str | None, typer.Option(help="Scenario name (default from the file).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output file (default DIR/NAME.toml).")] = None,
    align: Annotated[
        str, typer.Option(help="'start': Fed quarter 1 = first simulated quarter; 'calendar'.")
    ] = "start",
    scenario_dir: DirOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Turn a Fed stress-test table into a scenario file (mapping written into it)."""
    from rutsim.scenario import import_fed_file

    if align not in ("start", "calendar"):
        raise ConfigError(f"--align '{align}' is not 'start' or 'calendar'. To fix: pick one.")
    mode: Literal["start", "calendar"] = "start" if align == "start" else "calendar"
    folder = in_project(scenario_dir, "scenarios")
    path = import_fed_file(
        csv_file, out, name=name, align=mode, scenario_dir=folder, overwrite=overwrite
    )
    _out.print(f"wrote {shown(path)}", soft_wrap=True)  # a path is never broken
    if mode == "calendar":
        _out.print(_calendar_note(csv_file), markup=False)
