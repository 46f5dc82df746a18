"""``rutsim compare RUN_A [RUN_B]``: headline metrics side by side, differences, intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rutsim.cli._common import status_lines


def compare(
    run_a: Annotated[Path, typer.Argument(help="A run folder, e.g. outputs/<run-id>.")],
    run_b: Annotated[
        Path | None,
        typer.Argument(help="A second run folder; without it, scenarios of RUN_A are compared."),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="With one run: the scenario the others are compared with."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Where the HTML table goes (default: compare-<A>[-vs-<B>].html beside RUN_A).",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing HTML file.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No status lines.")] = False,
) -> None:
    """Compare two runs (A minus B), or the scenarios of one run with its base scenario.

    The table shows each headline metric of both sides at the headline horizons, their
    difference and its 90% credible interval, and writes the same as a small HTML page.
    """
    from rutsim.report import compare_runs

    with status_lines(quiet):
        result = compare_runs(run_a, run_b, base=base, html=html, overwrite=overwrite)
    typer.echo(result.text)


def register(root: typer.Typer) -> None:
    """Attach the ``compare`` command to the root app."""
    root.command("compare")(compare)
