"""``rutsim report RUN_FOLDER``: rebuild a run's tables, figures and HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rutsim.cli._common import status_lines
from rutsim.cli._position import Beta, Currency, Notional, Side
from rutsim.errors import ConfigError
from rutsim.status import shown


def _parse_weights(items: list[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise ConfigError(
                f"--weight '{item}' is not NAME=NUMBER. To fix: write e.g. --weight base=0.5"
            )
    return weights


def report(
    run_folder: Annotated[Path, typer.Argument(help="A run folder, e.g. outputs/<run-id>.")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the report files that already exist.")
    ] = False,
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="Blend weight override NAME=NUMBER (repeatable)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No status lines.")] = False,
    notional: Notional = None,
    side: Side = None,
    currency: Currency = None,
    beta: Beta = None,
) -> None:
    """Rebuild metrics, summary.json, figures and report.html from a saved run.

    The position options change the run's [portfolio] for this report only (the run's
    config.toml keeps what was simulated; summary.json records the position used).
    """
    from rutsim.report import build_report, describe

    changes = {
        k: v
        for k, v in {"notional": notional, "side": side, "currency": currency, "beta": beta}.items()
        if v is not None
    }
    with status_lines(quiet):
        files = build_report(
            run_folder,
            overwrite_report=overwrite,
            weights=_parse_weights(weight or []) or None,
            position=changes or None,
        )
    typer.echo(describe(files))


def export(
    run_folder: Annotated[Path, typer.Argument(help="A run folder, e.g. outputs/<run-id>.")],
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="parquet|csv|xlsx", help="File format of the tables."),
    ] = "parquet",
    paths: Annotated[
        int | None,
        typer.Option(
            "--paths",
            help="Paths per scenario, spread over the posterior draws (default 1000, or "
            "every kept path if fewer).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Export folder (default: RUN_FOLDER/export)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing export folder.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No status lines.")] = False,
) -> None:
    """Export scenario return vectors (paths with weights) and metrics for a risk system.

    Writes paths and metrics tables (Parquet, CSV or one Excel workbook), a README that
    defines every column, and manifest.json with the run's provenance and file hashes.
    """
    from rutsim.report import export_run

    with status_lines(quiet):
        files = export_run(run_folder, out=out, fmt=fmt, paths=paths, overwrite=overwrite)
    for p in files.files:
        typer.echo(shown(p))
    worst = max((abs(c["difference_in_se"]) for c in files.check.values()), default=0.0)
    typer.echo(
        f"{files.paths_per_scenario:,} paths per scenario; their VaR 95 at 4 quarters is "
        f"within {worst:.1f} Monte Carlo standard errors of metrics.parquet"
    )


def register(root: typer.Typer) -> None:
    """Attach the ``report`` and ``export`` commands to the root app."""
    root.command("report")(report)
    root.command("export")(export)
