"""The ``rutsim`` command line: argument parsing and error reporting only, no logic.

Each command group lives in its own module and registers a Typer sub-app here.
"""

from __future__ import annotations

import functools
import sys
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from rutsim import signals
from rutsim.cli._paths import PATHS_HELP
from rutsim.errors import RutsimError

app = typer.Typer(
    name="rutsim",
    help=(
        "Monte Carlo scenario engine for U.S. small caps: Fed paths to return "
        f"distributions. {PATHS_HELP}"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"rutsim {version('rutsim')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    """Monte Carlo scenario engine for U.S. small caps: Fed paths to return distributions."""


@functools.cache
def _flags_without_metavar() -> None:
    # Typer's rich help prints a "<bool>" value column for on/off flags, which take no
    # value; show nothing there, as click's plain help does.
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display(self: TyperOption, ctx: object) -> str | None:
        return None if self.is_flag else shown(self, ctx)  # type: ignore[arg-type]

    TyperOption.display_type_rich = display  # type: ignore[method-assign]


_COMMAND_MODULES = ("_data", "_model", "_scenario", "_run", "_compare", "_report", "_validate")


@functools.cache
def _register() -> None:
    # Each command module exposes ``register(app)``; imported lazily so that ``--help``
    # and light commands do not pay for importing PyMC or JAX. Once per process: the app
    # is global, and registering again on every ``main()`` (tests call it hundreds of
    # times) would pile up duplicate commands and slow every call down.
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
    # First, before the command modules are imported: a Ctrl-C from here on is ours.
    signals.install()
    code: object = 0
    try:
        # Inside the handlers below: a stop signal while the commands load is an abort.
        _flags_without_metavar()
        _register()
        # Not standalone: click raises usage errors instead of printing its usage block,
        # so they get the house style below (one "error:" line with the fix, exit 2).
        code = app(standalone_mode=False, prog_name="rutsim")
    except _USAGE_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # `rutsim` alone: the help, as the framework prints it
            sys.exit(exc.exit_code)
        _error(usage_message(exc), 2)
    except typer.Abort:
        _abort(signals.Interrupted(signals.received() or 2))
    except SystemExit as exc:
        signum = signals.received()
        if signum is not None:
            _abort(signals.Interrupted(signum))
        if exc.code not in (0, None):
            raise
    except RutsimError as exc:
        _error(str(exc), exc.exit_code)
    except signals.Interrupted as exc:
        _abort(exc)
    except KeyboardInterrupt:
        _abort(signals.Interrupted(2))
    except Exception as exc:
        # A library that caught the interrupt and carried on (nutpie returns partial
        # draws) may fail on the way out: after a stop signal, that is the abort.
        signum = signals.received()
        if signum is not None:
            _abort(signals.Interrupted(signum))
        if not isinstance(exc, OSError):
            raise  # a bug in rutsim: keep its traceback
        # A file-system failure no layer anticipated: still one line, never a traceback.
        where = f" ({exc.filename})" if exc.filename else ""
        _error(
            f"{exc.strerror or exc}{where}. To fix: check that path, its permissions and "
            "the free disk space, then run again.",
            2,
        )
    # Outside the try: the exit raised here must not be caught by the handlers above.
    # Typer turns a KeyboardInterrupt (so also our Interrupted) into the return code 130.
    signum = signals.received()
    if signum is not None:
        _abort(signals.Interrupted(signum))
    if isinstance(code, int) and code != 0:
        sys.exit(code)


#: The CLI framework's usage error (Typer ships its own copy of click; this is the base
#: of its public ``BadParameter``, so no private module is imported).
_USAGE_ERROR: Any = typer.BadParameter.__mro__[1]


def usage_message(exc: Exception) -> str:
    """One line for a command-line mistake: the command, what is wrong, and the fix."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "rutsim"
    what = str(getattr(exc, "format_message", exc.__str__)()).rstrip(".")
    return f"{path}: {what}. To fix: see `{path} --help` for its arguments and options."


def _error(message: str, code: int) -> NoReturn:
    # Text, not markup: user strings may contain square brackets.
    _err.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    sys.exit(code)


def _abort(exc: signals.Interrupted) -> NoReturn:
    # Every atomic folder and claim has unwound by now: nothing half-written is left. A
    # second stop signal during the interpreter's shutdown would kill it with the
    # signal's default action (exit -15, not 143): we are stopping already, so ignore it.
    signals.ignore()
    _err.print(f"aborted ({exc}): nothing was written")
    sys.exit(exc.exit_code)
