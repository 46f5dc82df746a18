"""``rutsim data ...``: build, show, validate and fetch the dataset."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from rutsim.data import CoverageRow

app = typer.Typer(help="Build, inspect, validate and refresh the dataset.", no_args_is_help=True)

_out = Console()


def _print_coverage(title: str, rows: Sequence[CoverageRow]) -> None:
    # The title goes on its own line so that long paths never wrap inside the table.
    _out.print(title, soft_wrap=True, highlight=False, markup=False)
    table = Table()
    for name, justify in (
        ("series", "left"),
        ("units", "left"),
        ("first", "left"),
        ("last", "left"),
        ("count", "right"),
        ("missing", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row.name, row.units, row.first, row.last, str(row.count), str(row.missing))
    _out.print(table)


@app.command("build")
def build(
    raw: Annotated[Path, typer.Option(help="Folder of the publishers' raw files.")],
    out: Annotated[
        Path | None,
        typer.Option(help="Dataset folder to write (default: the package's embedded dataset)."),
    ] = None,
    fetched: Annotated[
        Path | None,
        typer.Option(help="Folder of FRED downloads from `rutsim data fetch` to splice in."),
    ] = None,
) -> None:
    """Build the quarterly and monthly panels from raw files (atomically, reproducibly)."""
    from rutsim.data import build_dataset
    from rutsim.files import sha256_file

    result = build_dataset(raw, out, fetched=fetched)
    q, m = result.quarterly, result.monthly
    _out.print(
        f"wrote {result.out}\n"
        f"  quarterly panel: {len(q)} quarters {q.index[0]}..{q.index[-1]}, "
        f"{q.shape[1]} series, sha256 {sha256_file(result.out / 'panel_quarterly.csv')[:16]}\n"
        f"  monthly panel:   {len(m)} months {m.index[0]}..{m.index[-1]}, {m.shape[1]} series\n"
        f"  from {len(result.sources)} raw files (listed with their sha256 in sources.csv)",
        soft_wrap=True,
    )


@app.command("show")
def show(
    monthly: Annotated[bool, typer.Option("--monthly", help="Show the monthly panel.")] = False,
    panel: Annotated[
        Path | None,
        typer.Option(help="A dataset folder from `rutsim data build --out` (default: embedded)."),
    ] = None,
) -> None:
    """Print the coverage of every series: units, first, last, count, missing."""
    from rutsim.config import DataConfig
    from rutsim.data import coverage, load_panel, load_provenance, panel_hash, panel_path

    config = DataConfig() if panel is None else DataConfig(panel=panel)
    freq: Literal["Q", "M"] = "M" if monthly else "Q"
    frame = load_panel(config, freq=freq)
    prov = load_provenance(config)
    prov = prov[prov["panel"] == ("monthly" if monthly else "quarterly")]
    units = dict(zip(prov["name"], prov["units"], strict=True))
    path = panel_path(config, freq=freq)
    title = (
        f"{path} ({len(frame)} {'months' if monthly else 'quarters'} "
        f"{frame.index[0]}..{frame.index[-1]}; sha256 {panel_hash(config)[:16]})"
    )
    _print_coverage(title, coverage(frame, units))
    _out.print("missing = periods without a value between a series' first and last.")


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="A raw publisher file or your own CSV.")],
    kind: Annotated[
        str | None,
        typer.Option(
            help="Force the format (fred, yahoo, french, shiller, spdji, fed-stress, "
            "gz-ebp, nyfed-effr, fomc-meetings, fomc-sep, user)."
        ),
    ] = None,
) -> None:
    """Check a data file and report what it holds (exit 2 with the reason if invalid)."""
    from rutsim.data import FORMATS, validate_file
    from rutsim.errors import DataError

    if kind is not None and kind not in FORMATS:
        raise DataError(
            f"--kind '{kind}' is not a known format. To fix: use one of {', '.join(FORMATS)}."
        )
    report = validate_file(file, kind)  # type: ignore[arg-type]
    title = f"{report.path}: valid {report.kind} file, frequency {report.freq}"
    _print_coverage(title, report.columns)


@app.command("fetch")
def fetch(
    series: Annotated[
        list[str] | None,
        typer.Option(
            "--series",
            help="FRED series id (repeat for several; default: all FRED series the panel uses).",
        ),
    ] = None,
    cache: Annotated[Path, typer.Option(help="Folder for the downloads.")] = Path(".cache/fred"),
    raw: Annotated[
        Path | None,
        typer.Option(
            help="Raw folder for the non-FRED files; when given, rebuild after downloading."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Dataset folder the rebuild writes (default: embedded).")
    ] = None,
) -> None:
    """Download FRED series (public CSV endpoint, no key) into a cache, then rebuild."""
    from rutsim.data import DEFAULT_SERIES, build_dataset, fetch_fred

    paths = fetch_fred(tuple(series) if series else DEFAULT_SERIES, cache)
    for path in paths:
        _out.print(f"downloaded {path}")
    if raw is None:
        _out.print(
            f"to rebuild with these downloads: rutsim data build --raw DIR --fetched {cache}"
        )
        return
    result = build_dataset(raw, out, fetched=cache)
    _out.print(f"rebuilt {result.out} ({len(result.quarterly)} quarters)")


def register(root: typer.Typer) -> None:
    """Attach the ``data`` command group to the root app."""
    root.add_typer(app, name="data")
