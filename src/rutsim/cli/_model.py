"""``rutsim fit CONFIG`` and ``rutsim plot posterior MODEL``: parsing and printing only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rutsim.cli._common import status_lines
from rutsim.cli._paths import in_project
from rutsim.status import shown

plot_app = typer.Typer(help="Draw figures of fitted models.", no_args_is_help=True)
_out = Console()


def _identification_table(path: Path) -> Table:
    import pandas as pd

    df = pd.read_csv(path, index_col=0)
    table = Table(
        title="What each parameter learned from the data (ratio = posterior sd / prior sd; "
        "shift = change of the posterior mean under priors twice as wide, in posterior sds)"
    )
    for col in (
        "parameter",
        "prior sd",
        "post mean",
        "post sd",
        "ratio",
        "learned",
        "wide-prior shift",
    ):
        text = col in ("parameter", "learned")
        table.add_column(col, justify="left" if text else "right", no_wrap=text)
    for name, row in df.iterrows():
        style = "bold yellow" if row["learned"] == "prior-driven" else None
        table.add_row(
            str(name),
            f"{row['prior_sd']:.3g}",
            f"{row['post_mean']:.3g}",
            f"{row['post_sd']:.3g}",
            f"{row['sd_ratio']:.2f}",
            str(row["learned"]),
            f"{row['wide_prior_shift_sd']:+.2f}",
            style=style,
        )
    return table


def _effects_table(fitted) -> Table:  # noqa: ANN001 - a rutsim.model.FittedModel
    import pandas as pd

    from rutsim.model import EFFECTS, long_run_effects, theta_of

    path = fitted.path / EFFECTS
    df = pd.read_csv(path) if path.is_file() else long_run_effects(theta_of(fitted.posterior))
    table = Table(
        title="Long-run effects of a permanent +1 pp step in one driver (log points; "
        "median and 90% interval; others held; theory: the sign economics expects)"
    )
    for col, width in (
        ("driver", 12),
        ("outcome", 14),
        ("median", 6),
        ("90% interval", 16),
        ("theory", 6),
        ("agrees", 7),
    ):
        # numbers never wrap or truncate; labels fold onto a second line in a narrow terminal
        number = col in ("median", "90% interval")
        table.add_column(
            col, justify="right" if number else "left", no_wrap=number, min_width=width
        )
    for _, row in df.iterrows():
        if not row["in_model"]:
            continue
        agrees = str(row["agrees"]) if isinstance(row["agrees"], str) else ""
        style = "bold red" if agrees == "no" else None
        table.add_row(
            str(row["driver"]),
            str(row["outcome"]),
            f"{row['median']:+.3f}",
            f"[{row['lower']:+.3f}, {row['upper']:+.3f}]",
            row["theory"] if isinstance(row["theory"], str) else "",
            agrees,
            style=style,
        )
    return table


def fit(
    config: Annotated[Path, typer.Argument(help="Run config TOML, e.g. configs/default.toml")],
    refit: Annotated[
        bool, typer.Option("--refit", help="Fit even if a matching model exists.")
    ] = False,
    allow_unconverged: Annotated[
        bool,
        typer.Option(
            "--allow-unconverged",
            help="Keep a fit that fails the gate (recorded); a failed fit kept in "
            "models/quarantine/ is accepted without refitting.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No status lines or sampler progress.")
    ] = False,
) -> None:
    """Fit the model (or reuse the saved one with the same id) and report diagnostics."""
    import rutsim

    # Same path resolution as `rutsim run`, so both find the same models/ folder.
    with status_lines(quiet):
        fitted = rutsim.fit(
            config, refit=refit, allow_unconverged=allow_unconverged or None, progress=not quiet
        )
    m = fitted.manifest
    d = m.diagnostics
    _out.print(f"model [bold]{m.model_id}[/bold] in {shown(fitted.path)} (data as of {m.as_of})")
    _out.print(
        f"gate: {'PASSED' if d.passed else 'FAILED (kept with --allow-unconverged)'}; "
        f"divergences {d.divergences}, max R-hat {d.max_r_hat:.3f}, min bulk ESS "
        f"{d.min_ess_bulk:.0f}, min tail ESS {d.min_ess_tail:.0f}; sampling "
        f"{m.timings_s.get('sample', 0):.0f} s"
    )
    from rutsim.model import bfmi_line, bfmi_per_chain

    # Manifests written before BFMI was recorded: computed from the saved energy.
    _out.print(bfmi_line(d.bfmi or bfmi_per_chain(fitted.posterior)), markup=False)
    _out.print(_identification_table(fitted.path / "identification.csv"))
    _out.print(_effects_table(fitted))
    cov = m.ppc_coverage
    _out.print(
        "in-sample posterior predictive coverage of small-cap quarterly returns: "
        f"50%: {cov['small_cap_return_50']:.0%}, 90%: {cov['small_cap_return_90']:.0%}"
    )
    _out.print(
        "prior-driven (report them as assumptions, not findings): "
        + (", ".join(m.prior_driven) or "none")
    )
    _out.print(
        f"prior sensitivity (priors twice as wide, PSIS reweighting): largest mean shift "
        f"{m.sensitivity['max_abs_shift_sd']:.2f} posterior sd, k-hat {m.sensitivity['khat']:.2f}"
    )


@plot_app.command("posterior")
def plot_posterior(
    model: Annotated[str, typer.Argument(help="A model folder, or a model id under models/.")],
    models_dir: Annotated[
        Path | None,
        typer.Option(help="Where model ids are looked up (default: models/ of the project root)."),
    ] = None,
) -> None:
    """Redraw the posterior figures of a saved model into its plots_redrawn/ folder.

    The model's own plots/ are sealed in its manifest and stay as they were.
    """
    from rutsim.model import redraw_plots

    folder = Path(model) if Path(model).is_dir() else in_project(models_dir, "models") / model
    target, paths = redraw_plots(folder)
    _out.print(f"wrote {len(paths)} figures to {target}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Attach ``fit`` and the ``plot`` group to the root app."""
    app.command("fit")(fit)
    app.add_typer(plot_app, name="plot")
