"""The historical record of Fed easing cycles, from the monthly panel rutsim ships.

Detection rule (``docs/validation.md``): the policy rate is the FOMC target as decided by
each month's end (the upper limit of the range since 2008-12) from 1982-10, and the
monthly average effective fed funds rate before. A month starts an easing cycle when

1. the rate falls from the month before (by more than 0.25 pp on the effective rate,
   whose monthly averages are noisy; by any amount on the target),
2. the rate before the fall is the highest of the previous 12 months (less the same
   0.25 pp tolerance on the effective rate): the cut follows hikes or a hold,
3. six months later the rate is at least 0.5 pp below where it was before the cut
   (a cycle, not a one-off move), and
4. the previous start is at least 12 months earlier.

Returns after a first cut in month ``m`` run from the close of month ``m - 1`` (the last
close before the cut month) to the close of month ``m - 1 + k``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "HORIZONS_M",
    "TARGET_FROM",
    "cycle_table",
    "detect_easing_starts",
    "policy_rate",
    "regime_summary",
]

#: First month the target replaces the effective rate as the policy rate.
TARGET_FROM = pd.Period("1982-10", "M")
#: Months after the first cut at which returns are measured.
HORIZONS_M: tuple[int, ...] = (3, 6, 12, 24)
_EFFECTIVE_TOL = 0.25
_CONFIRM_MONTHS, _CONFIRM_PP, _GAP_MONTHS = 6, 0.5, 12


def policy_rate(monthly: pd.DataFrame) -> pd.Series:
    """Return the monthly policy rate (%): target from :data:`TARGET_FROM`, effective before."""
    target = monthly["fed_target_upper_end"].where(monthly.index >= TARGET_FROM)
    return target.combine_first(monthly["fedfunds"]).dropna().rename("policy_rate")


def detect_easing_starts(rate: pd.Series) -> pd.PeriodIndex:
    """Months that start a Fed easing cycle under the module's rule."""
    values = rate.to_numpy(dtype=np.float64)
    months = rate.index
    starts: list[pd.Period] = []
    for i in range(12, len(values)):
        tol = 0.0 if months[i] >= TARGET_FROM else _EFFECTIVE_TOL
        before = values[i - 1]
        if not values[i] < before - tol - 1e-9:
            continue
        if before < values[i - 12 : i].max() - tol:
            continue
        if starts and (months[i] - starts[-1]).n < _GAP_MONTHS:
            continue
        later = values[min(i + _CONFIRM_MONTHS, len(values) - 1)]
        if i + _CONFIRM_MONTHS < len(values) and before - later < _CONFIRM_PP:
            continue
        starts.append(months[i])
    return pd.PeriodIndex(starts, freq="M", name="first_cut")


def _level_return(level: pd.Series, base: pd.Period, k: int) -> float:
    a, b = level.get(base, np.nan), level.get(base + k, np.nan)
    return float(b / a - 1.0) if np.isfinite(a) and np.isfinite(b) else np.nan


def _compound(returns: pd.Series, first: pd.Period, k: int) -> float:
    window = returns.reindex(pd.period_range(first, periods=k, freq="M"))
    return float(np.prod(1.0 + window.to_numpy()) - 1.0) if window.notna().all() else np.nan


def cycle_table(
    monthly: pd.DataFrame, starts: pd.PeriodIndex, recessions: pd.DataFrame
) -> pd.DataFrame:
    """One row per easing cycle: returns after the first cut, cuts, and the recession flag.

    Columns: ``first_cut``, ``rate_before``, ``cuts_12m`` (months with a cut in the 12
    from the first), ``change_12m_pp``; for each ``k`` in :data:`HORIZONS_M`:
    ``rut_<k>m`` (Russell 2000 price), ``ff_small_<k>m`` / ``ff_large_<k>m`` (French
    Lo 30 / Hi 30 value-weighted total returns) and ``small_minus_large_<k>m``;
    ``recession`` (an NBER recession under way in the cut month or starting within 24
    months), ``recession_window_complete`` (24 months observed) and ``regime``.
    """
    rate = policy_rate(monthly)
    rows = []
    last = monthly.index.max()
    for m in starts:
        base = m - 1
        window = rate.reindex(pd.period_range(m - 1, periods=13, freq="M"))
        cuts = int((window.diff().iloc[1:] < -1e-9).sum())
        under_way = bool(((recessions["peak"] < m) & (recessions["trough"] >= m)).any())
        begins = bool(((recessions["peak"] + 1 >= m) & (recessions["peak"] + 1 <= m + 24)).any())
        row: dict[str, object] = {
            "first_cut": str(m),
            "rate_before": float(rate[base]),
            "cuts_12m": cuts,
            "change_12m_pp": float(window.iloc[-1] - window.iloc[0]),
        }
        for k in HORIZONS_M:
            small = _compound(monthly["ff_small_ret"], m, k)
            large = _compound(monthly["ff_large_ret"], m, k)
            row |= {
                f"rut_{k}m": _level_return(monthly["rut_end"], base, k),
                f"ff_small_{k}m": small,
                f"ff_large_{k}m": large,
                f"small_minus_large_{k}m": small - large,
            }
        recession = under_way or begins
        row |= {
            "recession": recession,
            "recession_window_complete": bool(m + 24 <= last),
            "regime": "recession" if recession else "soft landing",
        }
        rows.append(row)
    return pd.DataFrame(rows)


def regime_summary(cycles: pd.DataFrame) -> pd.DataFrame:
    """Mean, median, sd, hit rate (share above 0) and count by regime, series and horizon."""
    rows = []
    series = ("rut", "ff_small", "ff_large", "small_minus_large")
    for regime, g in cycles.groupby("regime"):
        for s in series:
            for k in HORIZONS_M:
                v = g[f"{s}_{k}m"].dropna()
                rows.append(
                    {
                        "regime": regime,
                        "series": s,
                        "months": k,
                        "n": len(v),
                        "mean": float(v.mean()) if len(v) else np.nan,
                        "median": float(v.median()) if len(v) else np.nan,
                        "sd": float(v.std(ddof=1)) if len(v) > 1 else np.nan,
                        "hit_rate": float((v > 0).mean()) if len(v) else np.nan,
                        "cycles": ", ".join(g.loc[v.index, "first_cut"]),
                    }
                )
    return pd.DataFrame(rows)
