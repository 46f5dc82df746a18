"""The position in currency: its definition, the CLI block, summary.json and the report table."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from html import escape

import pandas as pd

from rutsim.config import MONTHS_PER_STEP, PortfolioConfig
from rutsim.report._summary import table_row
from rutsim.risk import BLEND, FEW_TAIL_PATHS, loss_metric

#: The position figures shown in the CLI block and the report: (metric, label).
POSITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("position_pnl_mean", "mean P&L"),
    ("position_var_95", "VaR 95"),
    ("position_cvar_95", "CVaR 95"),
    ("position_var_99", "VaR 99"),
    ("position_cvar_99", "CVaR 99"),
    ("position_max_drawdown_q95", "drawdown 95%"),
)
#: The CLI block leaves out VaR 99 (in the report and the tables) to stay near 80 columns.
_CLI_SHORT = {"position_var_99": None, "position_max_drawdown_q95": "DD 95%"}


def position_definition(portfolio: PortfolioConfig) -> str:
    """State what the position figures are, in one paragraph (CLI, report, summary.json)."""
    cur = portfolio.currency
    return (
        f"Position: {portfolio.describe()} in U.S. small caps, held without trading. "
        f"P&L = {'+' if portfolio.side == 'long' else '-'}notional x beta x R, R the "
        "simulated cumulative total return of the Russell 2000. VaR and CVaR are losses in "
        f"{cur} (positive = loss) of the predictive distribution pooled over every "
        "simulated path (the same paths as the percentage table; within one 0.1% return "
        "bin); drawdown 95% (DD 95%) is the 95% quantile of the largest fall of the position's "
        "value from its running peak, over the kept paths. Only the systematic small-cap "
        "exposure is modelled, not the holding's own risk. Horizons are whole quarters: "
        "the model steps one quarter at a time, so it gives no monthly figure."
    )


def _months(h: int) -> str:
    return f"{h * MONTHS_PER_STEP} months"


def money(value: float) -> str:
    """Compact amount: ``2.65m``, ``815.2k``, ``1.20bn`` (sign kept)."""
    if math.isnan(value):
        return "n/a"
    a = abs(value)
    for scale, tag, digits in ((1e9, "bn", 2), (1e6, "m", 2), (1e3, "k", 1)):
        if a >= scale:
            return f"{value / scale:.{digits}f}{tag}"
    return f"{value:.0f}"


def format_position(
    table: pd.DataFrame,
    portfolio: PortfolioConfig,
    horizons: Sequence[int],
    quarters: Sequence[str],
) -> str:
    """Render the position block printed under the headline table (amounts in the currency)."""
    names = list(dict.fromkeys(table.scenario))
    width = max(len("scenario"), *(len(n) for n in names)) + 2
    lines = textwrap.wrap(position_definition(portfolio), 88)
    thresholds = portfolio.thresholds()
    shown = [(m, _CLI_SHORT.get(m, label)) for m, label in POSITION_COLUMNS]
    shown = [(m, label) for m, label in shown if label is not None]
    heads = [label for _, label in shown] + [f"P>{money(x)}" for x in thresholds]
    metrics = [m for m, _ in shown] + [loss_metric(x) for x in thresholds]
    for h in horizons:
        lines.append(
            f"{_months(h)} ({h} quarter{'s' * (h != 1)}, to {quarters[h - 1]}), "
            f"{portfolio.currency}"
        )
        lines.append(f"  {'scenario':<{width}}" + "".join(f"{c:>9}" for c in heads))
        for name in names:
            cells = []
            for m in metrics:
                row = table_row(table, name, h, m)
                if row is None:
                    text = "n/a"
                elif m.startswith("position_prob_"):
                    text = f"{row.value:.1%}"
                else:
                    text = money(row.value) + ("*" if row.flag == FEW_TAIL_PATHS else "")
                cells.append(f"{text:>9}")
            lines.append(f"  {name:<{width}}" + "".join(cells))
    if (table.metric.str.startswith("position_") & (table.flag == FEW_TAIL_PATHS)).any():
        lines.append("* rests on fewer than 10 paths in its tail: Monte Carlo noise dominates")
    return "\n".join(lines)


def position_summary(
    table: pd.DataFrame, portfolio: PortfolioConfig, horizons: Sequence[int]
) -> dict[str, object]:
    """Return the ``position`` block of summary.json: definition, and values with ``mc_se``."""
    sub = table[table.metric.str.startswith("position_") & table.horizon.isin(list(horizons))]
    entities: dict[str, object] = {}
    for entity in dict.fromkeys(sub.scenario):
        per_h: dict[str, object] = {}
        for h in horizons:
            at = sub[(sub.scenario == entity) & (sub.horizon == h)]
            per_h[str(h)] = {
                r.metric: {"value": _clean(r.value), "mc_se": _clean(r.mc_se), "flag": r.flag}
                for r in at.itertuples()
            }
        entities[entity] = per_h
    return {
        "definition": position_definition(portfolio),
        "notional": portfolio.notional,
        "side": portfolio.side,
        "currency": portfolio.currency,
        "beta": portfolio.beta,
        "exposure": portfolio.exposure,
        "loss_thresholds": list(portfolio.thresholds()),
        "horizons_quarters": list(horizons),
        "entities": entities,
    }


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def position_horizons(
    portfolio: PortfolioConfig, headline: Sequence[int], n_horizon: int
) -> list[int]:
    """Return the position's horizons the run covers (the asked months and the headline ones)."""
    return [h for h in portfolio.horizons(tuple(headline)) if h <= n_horizon]


def position_headline(
    table: pd.DataFrame, portfolio: PortfolioConfig, horizons: Sequence[int]
) -> str:
    """Render the one line of the first screen: the blend's VaR and CVaR 95 in currency."""
    h = next((h for h in horizons if h >= 4), horizons[-1])
    var, cvar = (table_row(table, BLEND, h, f"position_{k}_95") for k in ("var", "cvar"))
    if var is None or cvar is None:
        return ""
    return (
        f"<p><b>Position</b> ({escape(portfolio.describe())}): over {_months(h)} the blend's "
        f"VaR 95 is {escape(portfolio.currency)} {var.value:,.0f} and its CVaR 95 "
        f"{cvar.value:,.0f} (<a href='#position'>every scenario and horizon</a>).</p>"
    )


def position_html(table: pd.DataFrame, portfolio: PortfolioConfig, horizons: Sequence[int]) -> str:
    """Render the report's position section: the definition and one table per horizon."""
    thresholds = portfolio.thresholds()
    cols = [*POSITION_COLUMNS, *((loss_metric(x), f"P(loss &gt; {money(x)})") for x in thresholds)]
    names = list(dict.fromkeys(table.scenario[table.metric.str.startswith("position_")]))
    parts = [
        f"<p>{escape(position_definition(portfolio))} Each cell: the value, and below it "
        "its Monte Carlo standard error (&plusmn;).</p>"
    ]
    for h in horizons:
        head = "".join(f"<th>{label}</th>" for _, label in cols)
        rows = []
        for name in names:
            cells = []
            for m, _ in cols:
                row = table_row(table, name, h, m)
                if row is None:
                    cells.append("<td>n/a</td>")
                    continue
                prob = m.startswith("position_prob_")
                text = f"{row.value:.1%}" if prob else f"{row.value:,.0f}"
                se = f"{row.mc_se:.2%}" if prob else f"{row.mc_se:,.0f}"
                mark = (
                    " <span class='flag' title='fewer than 10 paths in the tail'>thin tail</span>"
                    if row.flag == FEW_TAIL_PATHS
                    else ""
                )
                cells.append(f"<td>{text}{mark}<br><span class='ci'>&plusmn;{se}</span></td>")
            cls = " class='blend'" if name == BLEND else ""
            rows.append(f"<tr{cls}><td class='l'>{escape(name)}</td>{''.join(cells)}</tr>")
        parts.append(
            f"<h3>{_months(h)} ({h} quarter{'s' * (h != 1)}), {escape(portfolio.currency)}</h3>"
            f"<div class='wrap'><table class='position'><tr><th class='l'>scenario</th>{head}"
            "</tr>" + "".join(rows) + "</table></div>"
        )
    return "".join(parts)
