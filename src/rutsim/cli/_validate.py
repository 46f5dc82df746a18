"""``rutsim backtest CONFIG`` and ``rutsim study easing``: parsing and printing only."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from rutsim.cli._common import checked_name
from rutsim.cli._run import SeedOption, SetOption, overrides_from
from rutsim.errors import ConfigError

study_app = typer.Typer(help="Historical studies of the data rutsim ships.", no_args_is_help=True)


def _ints(text: str | None, option: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ConfigError(
            f"{option} '{text}' is not a list of whole numbers. To fix: write e.g. {option} 1,2,4,8"
        ) from None


def _check_arguments(given: Mapping[str, tuple[str, object]]) -> None:
    """Check the options against the ``[backtest]`` schema before the config is read.

    A wrong option is named as the option (``--workers``), not as a config key, and before
    anything in the config can fail first.
    """
    from pydantic import ValidationError

    from rutsim.config import BacktestConfig

    values = {key: value for key, value in given.values() if value is not None}
    try:
        BacktestConfig.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0])
        option = next(opt for opt, (k, _) in given.items() if k == key)
        message = str(err["msg"]).removeprefix("Value error, ").replace(f"{key} = ", "")
        if "To fix" not in message:
            message += f". To fix: see `rutsim backtest --help` for {option}"
        raise ConfigError(f"{option}: {message}") from None


def backtest(
    config: Annotated[Path, typer.Argument(help="Run config TOML, e.g. configs/default.toml.")],
    origins: Annotated[
        str | None,
        typer.Option(
            "--origins",
            help="Origins: a range '1998Q4:2024Q4' (stepped by --every) and/or quarters "
            "'2007Q2,2019Q2'. Default: the config's backtest.origins.",
        ),
    ] = None,
    every: Annotated[
        int | None, typer.Option("--every", help="Quarters between origins in a range.")
    ] = None,
    horizons: Annotated[
        str | None, typer.Option("--horizons", help="Scored horizons in quarters, e.g. 1,2,4,8.")
    ] = None,
    condition: Annotated[
        str | None,
        typer.Option(
            "--condition",
            help="Conditioning modes, comma-separated: realized, none, or variables joined "
            "by '+' (fedfunds, fedfunds+spread).",
        ),
    ] = None,
    exclude_failed: Annotated[
        bool,
        typer.Option(
            "--exclude-failed",
            help="Leave origins whose fit fails the diagnostics gate out of the aggregates "
            "(default: score them with a flag).",
        ),
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Origins run at once, one process each.")
    ] = None,
    save_samples: Annotated[
        bool,
        typer.Option(
            "--save-samples", help="Also write every forecast's draws to forecasts/<origin>.npz."
        ),
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Folder outputs/backtest-<name>/.")
    ] = None,
    sets: SetOption = None,
    seed: SeedOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="Only the result table.")] = False,
) -> None:
    """Fit at every origin on what was known then, simulate, and score against history.

    Costly: it fits one model per origin (the default 1998Q4:2024Q4 every 4 quarters is
    27 fits: about 50-60 minutes on 2 cores with --workers 2, docs/validation.md). Fits
    are saved and reused by model id, so a rerun with the same data and sampler settings
    takes about a minute.
    """
    from rutsim.validate import backtest as run_backtest

    name = checked_name(name)
    modes = None if condition is None else tuple(c for c in condition.split(",") if c.strip())
    ints = _ints(horizons, "--horizons")
    given = {
        "--origins": ("origins", origins),
        "--every": ("every", every),
        "--horizons": ("horizons", ints),
        "--condition": ("condition", modes),
        "--workers": ("workers", workers),
    }
    _check_arguments(given)
    progress = (lambda s: None) if quiet else typer.echo
    result = run_backtest(
        config,
        origins=origins,
        every=every,
        horizons=ints,
        condition=modes,
        failed_fits="exclude" if exclude_failed else None,
        workers=workers,
        save_samples=save_samples or None,
        config_overrides=overrides_from(sets, seed, None, None, False),
        name=name,
        echo=progress,
    )
    if quiet:
        from rutsim.validate import headline_text

        model_fcs = [f for f in result.manifest["forecasters"] if f.startswith("rutsim:")]
        typer.echo(headline_text(result.summary, model_fcs, result.folder))


def easing(
    config: Annotated[
        Path, typer.Argument(help="Run config TOML (data, model and sampler of the replay).")
    ] = Path("configs/default.toml"),
    replay: Annotated[
        bool,
        typer.Option(
            "--replay/--no-replay",
            help="Fit the model before each cycle and compare its forecast with history.",
        ),
    ] = True,
    name: Annotated[
        str | None, typer.Option("--name", help="Folder outputs/study-easing-<name>/.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="Only the result table.")] = False,
) -> None:
    """Every Fed easing cycle since 1954: what small caps did after the first cut."""
    from rutsim.validate import study_easing

    study_easing(
        config,
        replay=replay,
        name=checked_name(name),
        echo=(lambda s: None) if quiet else typer.echo,
    )


def fomc(
    config: Annotated[
        Path, typer.Argument(help="Run config TOML (the model whose response is shown).")
    ] = Path("configs/default.toml"),
    model: Annotated[
        bool,
        typer.Option(
            "--model/--no-model",
            help="Fit (or reuse) the config's model and print its response to a 100bp surprise.",
        ),
    ] = True,
    name: Annotated[
        str | None, typer.Option("--name", help="Folder outputs/study-fomc-<name>/.")
    ] = None,
) -> None:
    """FOMC announcement days 1988-2024: small and large caps on policy surprises."""
    from rutsim.validate import study_fomc

    study_fomc(config, model=model, name=checked_name(name), echo=typer.echo)


def register(root: typer.Typer) -> None:
    """Attach ``backtest`` and the ``study`` group to the root app."""
    root.command("backtest")(backtest)
    study_app.command("easing")(easing)
    study_app.command("fomc")(fomc)
    root.add_typer(study_app, name="study")
