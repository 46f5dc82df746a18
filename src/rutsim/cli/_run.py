"""``rutsim run CONFIG``: fit or reuse the model, simulate every scenario, write a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def run(
    config: Annotated[Path, typer.Argument(help="Run config TOML, e.g. configs/default.toml.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Run id (folder under outputs/); default: timestamp + hash."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress displays (the table is still printed).")
    ] = False,
) -> None:
    """Simulate every scenario of CONFIG and write outputs/<run-id>/ (never overwriting)."""
    from rutsim.pipeline import run as run_pipeline

    run_pipeline(config, name=name, progress=not quiet, echo=typer.echo)


def register(root: typer.Typer) -> None:
    """Attach the ``run`` command to the root app."""
    root.command("run")(run)
