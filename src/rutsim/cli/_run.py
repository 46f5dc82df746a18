"""``rutsim run CONFIG``: fit or reuse the model, simulate every scenario, write a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rutsim.cli._common import checked_name, status_lines
from rutsim.cli._paths import PATHS_HELP
from rutsim.cli._position import Beta, Currency, Notional, Side, position_overrides


def overrides_from(
    sets: list[str] | None,
    seed: int | None,
    scenarios: str | None,
    horizon: int | None,
    allow_unconverged: bool,
) -> list[str]:
    """Return the ``section.key=value`` overrides of the short options, then the --set ones."""
    out = []
    if seed is not None:
        out.append(f"simulation.seed={seed}")
    if horizon is not None:
        out.append(f"simulation.horizon={horizon}")
    if scenarios is not None:
        names = [n.strip() for n in scenarios.split(",") if n.strip()]
        out.append("scenarios.names=[" + ", ".join(f'"{n}"' for n in names) + "]")
    if allow_unconverged:
        out.append("sampler.allow_unconverged=true")
    return out + list(sets or [])


#: ``--set`` and ``--seed``, shared by ``run`` and ``backtest``.
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Change one config key without editing the file, e.g. --set "
        "simulation.paths_per_draw=2000 (repeatable; validated like the file, recorded "
        "in the manifest and the run's hash).",
    ),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", help="Simulation seed (simulation.seed).")
]


def run(
    config: Annotated[Path, typer.Argument(help="Run config TOML, e.g. configs/default.toml.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Run id (folder under outputs/); default: timestamp + hash."),
    ] = None,
    sets: SetOption = None,
    seed: SeedOption = None,
    scenarios: Annotated[
        str | None,
        typer.Option(
            "--scenarios",
            metavar="NAMES",
            help="Comma-separated scenario names (scenarios.names), e.g. base,delayed_pivot.",
        ),
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Quarters simulated (simulation.horizon).")
    ] = None,
    allow_unconverged: Annotated[
        bool,
        typer.Option(
            "--allow-unconverged",
            help="Use a fit that fails the diagnostics gate (recorded in the manifest); a "
            "failed fit kept in models/quarantine/ is accepted without refitting.",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", help="Only the result: no status lines or progress bars."),
    ] = False,
    notional: Notional = None,
    side: Side = None,
    currency: Currency = None,
    beta: Beta = None,
) -> None:
    """Simulate every scenario of CONFIG and write outputs/<run-id>/ (never overwriting).

    Each phase is announced on stderr; the result table goes to stdout.
    """
    from rutsim.pipeline import run as run_pipeline

    name = checked_name(name)
    overrides = overrides_from(sets, seed, scenarios, horizon, allow_unconverged)
    overrides = position_overrides(notional, side, currency, beta) + overrides
    with status_lines(quiet):
        run_pipeline(config, name=name, progress=not quiet, echo=typer.echo, overrides=overrides)


run.__doc__ = f"{run.__doc__}\n\n{PATHS_HELP}"


def register(root: typer.Typer) -> None:
    """Attach the ``run`` command to the root app."""
    root.command("run")(run)
