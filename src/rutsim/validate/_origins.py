"""Which origins a backtest can score, what each forecast is told, and the real-time panel.

Everything here checks user input before any fitting, so a bad option fails in seconds
with one message naming the option and the fix.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from rutsim.config import CONDITION_KEYWORDS, BacktestConfig, DataConfig
from rutsim.data import priced_in_path
from rutsim.errors import ConfigError
from rutsim.scenario import priced_in_changes
from rutsim.simulate import MACRO_VARIABLES, ScenarioArrays

__all__ = [
    "EPS_COLUMNS",
    "Mode",
    "OriginPlan",
    "plan_origins",
    "parse_modes",
    "parse_origins",
    "realtime_panel",
    "mode_arrays",
]

#: Panel columns published with a delay (S&P 500 earnings: weeks after the quarter ends).
EPS_COLUMNS: tuple[str, ...] = (
    "sp500_op_eps",
    "sp500_rep_eps",
    "sp500_op_eps_ttm",
    "sp500_rep_eps_ttm",
)
#: Column of the scored target (Russell 2000 price) and its total-return proxy.
PRICE, TOTAL = "rut_end", "rut_tr_end"


class Mode(NamedTuple):
    """One conditioning mode: its label and the macro variables pinned to history."""

    name: str
    pinned: tuple[str, ...]


def parse_modes(condition: tuple[str, ...], option: str = "--condition") -> tuple[Mode, ...]:
    """Turn ``realized`` / ``none`` / ``var+var`` labels into modes, checking every name."""
    modes = []
    for label in condition:
        label = label.strip()
        if label == "realized":
            modes.append(Mode("realized", MACRO_VARIABLES))
        elif label == "none":
            modes.append(Mode("none", ()))
        else:
            names = tuple(v.strip() for v in label.split("+") if v.strip())
            bad = [v for v in names if v not in MACRO_VARIABLES]
            if bad or not names:
                raise ConfigError(
                    f"unknown conditioning mode '{label}' ({option}). To fix: use "
                    f"{' or '.join(repr(k) for k in CONDITION_KEYWORDS)}, or macro variables "
                    f"of the model joined by '+' ({', '.join(MACRO_VARIABLES)}), e.g. "
                    "'fedfunds' or 'fedfunds+spread'."
                )
            order = tuple(v for v in MACRO_VARIABLES if v in names)
            modes.append(Mode("+".join(order), order))
    if len({m.name for m in modes}) != len(modes):
        raise ConfigError(
            f"conditioning modes repeat ({option}: {list(condition)}). To fix: list each once."
        )
    return tuple(modes)


def parse_origins(spec: str, every: int, option: str = "--origins") -> tuple[pd.Period, ...]:
    """Expand ``"1998Q4:2024Q4"`` (stepped by ``every``) and ``"2007Q2,2019Q2"`` forms."""
    out: list[pd.Period] = []
    for part in spec.replace(" ", "").split(","):
        if ":" in part:
            a, b = (pd.Period(x, "Q") for x in part.split(":"))
            if b < a:
                raise ConfigError(
                    f"origin range '{part}' ({option}) ends before it starts. To fix: write "
                    "the earlier quarter first, e.g. 1998Q4:2024Q4."
                )
            out.extend(a + k for k in range(0, (b - a).n + 1, every))
        else:
            out.append(pd.Period(part, "Q"))
    return tuple(sorted(set(out)))


class OriginPlan(NamedTuple):
    """A checked origin: the quarters it is scored at (the rest lie beyond the data)."""

    origin: pd.Period
    horizons: tuple[int, ...]


def _last_valid(panel: pd.DataFrame, columns: list[str]) -> pd.Period:
    ok = panel[columns].notna().all(axis=1)
    return ok[ok].index.max()


def plan_origins(
    panel: pd.DataFrame, data: DataConfig, bt: BacktestConfig, origins: tuple[pd.Period, ...]
) -> tuple[OriginPlan, ...]:
    """Check origins and horizons against the data; say which horizons each origin scores.

    Raises
    ------
    ConfigError
        An origin outside the data, with too little history before it, or with no
        realized quarter after it; a horizon that no origin can score.
    """
    start = pd.Period(data.start, "Q")
    needed = [PRICE, *data.driver_columns().values()]
    last = _last_valid(panel, needed)
    plans = []
    for t in origins:
        if t > last or t < start:
            raise ConfigError(
                f"origin {t} (--origins / [backtest] origins) is outside the data, which "
                f"covers {start}..{last} for the Russell 2000 and the macro drivers. "
                f"To fix: choose origins between {start + bt.min_history - 1} and {last - 1}."
            )
        history = (t - start).n + 1
        if history < bt.min_history:
            raise ConfigError(
                f"origin {t} has {history} quarters of data since data.start {start}; the "
                f"model needs at least {bt.min_history} ([backtest] min_history). To fix: "
                f"start origins at {start + bt.min_history - 1} or later, or set an earlier "
                "data.start."
            )
        hs = tuple(h for h in bt.horizons if t + h <= last)
        if not hs:
            raise ConfigError(
                f"origin {t}: horizon {bt.horizons[0]} ends after the last realized quarter "
                f"{last}, so nothing can be scored (--horizons / [backtest] horizons). To fix: "
                f"end origins at {last - bt.horizons[0]} or earlier."
            )
        plans.append(OriginPlan(t, hs))
    for h in bt.horizons:
        if not any(h in p.horizons for p in plans):
            raise ConfigError(
                f"horizon {h} (--horizons / [backtest] horizons) ends after the last realized "
                f"quarter {last} for every origin. To fix: drop it, or add origins at "
                f"{last - h} or earlier."
            )
    return tuple(plans)


def realtime_panel(panel: pd.DataFrame, origin: pd.Period, eps_lag: int) -> pd.DataFrame:
    """Return the panel as a forecaster at the end of ``origin`` could see it.

    Rows after the origin are dropped and S&P 500 EPS of the last ``eps_lag`` quarters
    (not yet published when the origin quarter ends) is blanked. Data revisions are out of
    scope: every value is the current vintage.
    """
    seen = panel.loc[panel.index <= origin].copy()
    late = seen.index > origin - eps_lag
    for col in EPS_COLUMNS:
        if col in seen.columns:
            seen.loc[late, col] = np.nan
    return seen


def mode_arrays(
    panel: pd.DataFrame, data: DataConfig, origin: pd.Period, horizon: int, mode: Mode
) -> ScenarioArrays:
    """Return the mode's scenario: realized drivers after ``origin``, pinned as the mode says.

    Quarters past the end of the data are left free (simulated), never pinned to NaN.
    """
    columns = data.driver_columns()
    quarters = pd.period_range(origin + 1, periods=horizon, freq="Q")
    values = np.column_stack(
        [panel[columns[v]].reindex(quarters).to_numpy(dtype=np.float64) for v in MACRO_VARIABLES]
    )
    pinned = np.isfinite(values) & np.array([v in mode.pinned for v in MACRO_VARIABLES])
    # What markets priced in at the origin, from yields known then (no look-ahead).
    seen = panel.loc[panel.index <= origin]
    priced = priced_in_path(seen, origin, horizon)
    return ScenarioArrays(
        values=np.nan_to_num(values),
        pinned=pinned,
        path_sd=np.zeros(len(MACRO_VARIABLES)),
        priced_in=priced_in_changes(
            priced, {"fedfunds": float(seen[columns["fedfunds"]].iloc[-1])}, horizon
        ),
    )
