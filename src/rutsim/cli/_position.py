"""The position options shared by ``rutsim run`` and ``rutsim report``."""

from __future__ import annotations

from typing import Annotated

import typer

_PANEL = "Position (risk in currency)"

Notional = Annotated[
    float | None,
    typer.Option(
        "--notional",
        metavar="AMOUNT",
        help="Market value of a small-cap position, e.g. 10000000: VaR, CVaR, loss "
        "probabilities and drawdown are then stated in currency too (portfolio.notional).",
        rich_help_panel=_PANEL,
    ),
]
Side = Annotated[
    str | None,
    typer.Option("--side", metavar="long|short", help="portfolio.side.", rich_help_panel=_PANEL),
]
Currency = Annotated[
    str | None,
    typer.Option(
        "--currency", metavar="CODE", help="portfolio.currency (a label).", rich_help_panel=_PANEL
    ),
]
Beta = Annotated[
    float | None,
    typer.Option(
        "--beta",
        help="The position's beta to the Russell 2000 (portfolio.beta; 1 = the index).",
        rich_help_panel=_PANEL,
    ),
]


def position_overrides(
    notional: float | None, side: str | None, currency: str | None, beta: float | None
) -> list[str]:
    """Return the ``portfolio.*`` overrides of the position options that were given."""
    out = []
    if notional is not None:
        out.append(f"portfolio.notional={notional!r}")
    if side is not None:
        out.append(f'portfolio.side="{side}"')
    if currency is not None:
        out.append(f'portfolio.currency="{currency}"')
    if beta is not None:
        out.append(f"portfolio.beta={beta!r}")
    return out
