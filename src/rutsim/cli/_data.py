"""``rutsim data ...``: build, show, validate and fetch the dataset."""

from __future__ import annotations

import typer

app = typer.Typer(help="Build, inspect, validate and refresh the dataset.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Attach the ``data`` command group to the root app."""
    root.add_typer(app, name="data")
