"""The ``rutsim`` command line: argument parsing and error reporting only, no logic.

Each command group lives in its own module and registers a Typer sub-app here.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.text import Text

from rutsim.errors import RutsimError

app = typer.Typer(
    name="rutsim",
    help="Monte Carlo scenario engine for U.S. small caps: Fed paths to return distributions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_err = Console(stderr=True)


_COMMAND_MODULES = ("_data", "_model", "_scenario", "_run", "_report", "_validate")


def _register() -> None:
    # Each command module exposes ``register(app)``; imported lazily so that ``--help``
    # and light commands do not pay for importing PyMC or JAX.
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"rutsim.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"rutsim.cli.{name}":
                raise
            continue
        module.register(app)


def main() -> None:
    """Entry point of the ``rutsim`` console script: one clear message per user error."""
    _register()
    try:
        # Standalone mode: click reports usage errors itself (exit 2) and raises
        # SystemExit(0) on success, which we turn into a plain return for callers.
        app()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    except RutsimError as exc:
        # Text, not markup: user strings may contain square brackets.
        _err.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err.print("aborted")
        sys.exit(130)
