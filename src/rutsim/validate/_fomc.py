"""``rutsim study fomc``: small and large caps on FOMC announcement days, and the model's view.

The event study regresses each announcement-day response (Russell 2000 and SPY log
returns, the changes of the 10y-2y slope and the Baa-10y spread) on the day's pure policy
and information surprises (the Jarociński-Karadi sign split, ``rutsim.data``), and
separately on the one-year path surprise (the fourth eurodollar contract, ``ED4``), by
period, with heteroskedasticity-robust (HC1) standard errors. Beside it the fitted model's
own response to a 100bp pure policy surprise: the impact quarter and four quarters on.

OLS with HC1 errors is written out here (a dozen lines of NumPy) rather than taken from a
statistics package: the project's stack has none that the run needs, and the formula is
the textbook one (White 1980 with the n / (n - k) correction, as Stata's ``robust``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rutsim.config import RunConfig, load_config
from rutsim.runs import folder_id, reserve_folder, write_folder

__all__ = ["FOMC_PERIODS", "FomcStudy", "event_study", "ols_hc1", "study_fomc"]

#: Periods of the event study: all announcements, before the zero lower bound, since.
FOMC_PERIODS: dict[str, tuple[str, str]] = {
    "1988-2024": ("1988-01-01", "2024-12-31"),
    "1988-2007": ("1988-01-01", "2007-12-31"),
    "2008-2024": ("2008-01-01", "2024-12-31"),
}
#: Responses, their labels and the scale that turns a coefficient into its reported unit.
RESPONSES: dict[str, tuple[str, float]] = {
    "rut_return": ("Russell 2000, % per 100bp", 100.0),
    "spy_return": ("S&P 500 (SPY), % per 100bp", 100.0),
    "slope_change": ("10y-2y slope, pp per pp", 1.0),
    "spread_change": ("Baa-10y spread, pp per pp", 1.0),
}
#: Quarters after a surprise at which the model's response is reported.
MODEL_QUARTERS: tuple[int, ...] = (1, 4)

Echo = Callable[[str], None]


def ols_hc1(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of ``y`` on a constant and the columns of ``x``, with HC1 standard errors.

    Parameters
    ----------
    y : ndarray, shape (n,)
    x : ndarray, shape (n, k)

    Returns
    -------
    (coef, se) : ndarrays of shape (k + 1,), the constant first.
    """
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    n, k = design.shape
    bread = np.linalg.inv(design.T @ design)
    meat = (design * resid[:, None] ** 2).T @ design
    cov = bread @ meat @ bread * n / (n - k)
    return coef, np.sqrt(np.diag(cov))


def event_study(announcements: pd.DataFrame) -> pd.DataFrame:
    """Announcement-day responses to policy, information and path surprises, by period.

    Parameters
    ----------
    announcements : DataFrame
        ``rutsim.data.load_announcements()``.

    Returns
    -------
    DataFrame
        One row per (period, response, surprise): ``period, response, label, surprise``
        (``policy``, ``information`` from the joint regression on both; ``path`` from the
        regression on ``ED4`` alone), ``estimate`` and ``se`` in the response's unit per
        100bp of surprise, ``n`` announcement days.
    """
    rows = []
    for period, (lo, hi) in FOMC_PERIODS.items():
        inside = announcements[(announcements.index >= lo) & (announcements.index <= hi)]
        for response, (label, scale) in RESPONSES.items():
            y = inside[response]
            ok = y.notna()
            coef, se = ols_hc1(
                y[ok].to_numpy(), inside.loc[ok, ["policy_surprise", "info_surprise"]].to_numpy()
            )
            for i, name in ((1, "policy"), (2, "information")):
                rows.append(_row(period, response, label, name, coef[i], se[i], scale, ok.sum()))
            ok = ok & inside["path_surprise"].notna()
            coef, se = ols_hc1(y[ok].to_numpy(), inside.loc[ok, ["path_surprise"]].to_numpy())
            rows.append(_row(period, response, label, "path", coef[1], se[1], scale, ok.sum()))
    return pd.DataFrame(rows)


def _row(
    period: str, response: str, label: str, surprise: str, b: float, se: float, scale: float, n: int
) -> dict[str, Any]:
    return {
        "period": period,
        "response": response,
        "label": label,
        "surprise": surprise,
        "estimate": float(b * scale),
        "se": float(se * scale),
        "n": int(n),
    }


def model_response(
    params: dict[str, np.ndarray], quarters: tuple[int, ...] = MODEL_QUARTERS
) -> pd.DataFrame:
    """Return the fitted model's response to a +100bp pure policy surprise (90% intervals).

    Parameters
    ----------
    params : mapping
        Posterior samples of every parameter (``PosteriorParams._asdict()``).
    quarters : tuple of int
        Quarters after the surprise (1 = the quarter it happens in).

    Returns
    -------
    DataFrame
        One row per (response, quarter): ``median, q05, q95`` in the event study's units
        (% of price, pp of slope or spread).
    """
    from rutsim.model import surprise_response

    theta = {k: np.asarray(v, np.float64) for k, v in params.items() if k != "q_last"}
    out = surprise_response(theta, horizon=max(quarters))
    names = {
        "small_price": ("rut_return", 100.0),
        "large_price": ("spy_return", 100.0),
        "slope": ("slope_change", 1.0),
        "spread": ("spread_change", 1.0),
    }
    rows = []
    for key, (response, scale) in names.items():
        for h in quarters:
            x = scale * np.asarray(out[key])[:, h - 1]
            med, lo, hi = np.quantile(x, [0.5, 0.05, 0.95])
            rows.append(
                {
                    "response": response,
                    "label": RESPONSES[response][0],
                    "quarter": h,
                    "median": float(med),
                    "q05": float(lo),
                    "q95": float(hi),
                }
            )
    return pd.DataFrame(rows)


class FomcStudy(NamedTuple):
    """What :func:`study_fomc` returns (everything is also saved in ``folder``).

    Attributes
    ----------
    folder : Path
    events : DataFrame
        :func:`event_study`.
    model : DataFrame
        :func:`model_response` of the config's fitted model (empty with ``model=False``).
    manifest : dict
    """

    folder: Path
    events: pd.DataFrame
    model: pd.DataFrame
    manifest: dict[str, Any]


def study_fomc(
    config: RunConfig | Path | str,
    *,
    model: bool = True,
    name: str | None = None,
    root: Path | None = None,
    echo: Echo | None = print,
    fit: Any = None,
) -> FomcStudy:
    """Build the FOMC event study and write ``outputs/study-fomc-<id>/``.

    Parameters
    ----------
    config : RunConfig or path
        Where outputs go, and the model whose response is set beside the event study.
    model : bool
        Fit (or reuse) the config's model and add its response to a 100bp surprise.
    name : str, optional
        Folder suffix; default a timestamp and hash.
    echo : callable, optional
        The result table (None for silence).
    fit : callable, optional
        Fitting function (default :func:`rutsim.model.fit_or_load`).
    """
    from rutsim.data import load_announcements, panel_hash

    cfg, config_hash = load_config(config, root)
    base = folder_id("study-fomc", {"config_hash": config_hash, "model": model}, name)
    with reserve_folder(Path(cfg.outputs.dir), base, explicit=name is not None) as final:
        t0 = time.perf_counter()
        days = load_announcements()
        events = event_study(days)
        response = pd.DataFrame(columns=["response", "label", "quarter", "median", "q05", "q95"])
        model_id = None
        if model:
            if fit is None:
                from rutsim.model import fit_or_load as fit
            fitted = fit(cfg)
            response = model_response(fitted.params._asdict())
            model_id = fitted.model_id
        manifest = {
            "kind": "study-fomc",
            "id": final.name,
            "config_hash": config_hash,
            "data_hash": panel_hash(cfg.data),
            "seed": cfg.simulation.seed,
            "model_id": model_id,
            "announcement_days": len(days),
            "first_day": str(days.index.min().date()),
            "last_day": str(days.index.max().date()),
            "method": "docs/validation.md (FOMC event study)",
            "wall_s": round(time.perf_counter() - t0, 1),
        }
        from rutsim.validate._fomc_report import fomc_content, fomc_text

        write_folder(final, fomc_content(days, events, response, manifest), cfg, manifest)
        if echo is not None:
            echo(fomc_text(events, response, final))
        return FomcStudy(final, events, response, manifest)
