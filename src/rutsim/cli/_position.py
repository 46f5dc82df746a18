"""The position options shared by ``rutsim run`` and ``rutsim report``."""

from __future__ import annotations

import json
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
    given = {"notional": notional, "side": side, "currency": currency, "beta": beta}
    # json.dumps writes a TOML-compatible number or quoted string.
    return [f"portfolio.{k}={json.dumps(v)}" for k, v in given.items() if v is not None]
