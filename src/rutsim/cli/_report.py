"""``rutsim report RUN_FOLDER``: rebuild a run's tables, figures and HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rutsim.cli._common import status_lines
from rutsim.errors import ConfigError


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
) -> None:
    """Rebuild metrics, summary.json, figures and report.html from a saved run."""
    from rutsim.report import build_report, describe

    with status_lines(quiet):
        files = build_report(
            run_folder, overwrite_report=overwrite, weights=_parse_weights(weight or []) or None
        )
    typer.echo(describe(files))


def register(root: typer.Typer) -> None:
    """Attach the ``report`` command to the root app."""
    root.command("report")(report)
