"""One backtest origin: fit on what was known then, simulate each mode, score against history.

:func:`run_origin` is a plain top-level function of picklable arguments, so the backtest
can run origins in worker processes; it returns only small tables and quantiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rutsim.config import RunConfig
from rutsim.errors import ModelStoreError
from rutsim.validate._baselines import BASELINES, baseline_samples
from rutsim.validate._origins import PRICE, TOTAL, Mode, mode_arrays, realtime_panel
from rutsim.validate._scores import crps_sample, in_interval, log_score_kde, pit

__all__ = ["FAN_PROBS", "OriginResult", "model_forecaster", "origin_config", "run_origin"]

#: Quantiles of the fan chart bands, per quarter.
FAN_PROBS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)

#: ``phase(origin, what)``: called as an origin moves through fitting, simulating, scoring.
Phase = Callable[[str, str], None]


def model_forecaster(mode: str) -> str:
    """Label of the model's forecast under a conditioning mode (``rutsim:realized``)."""
    return f"rutsim:{mode}"


class OriginResult(NamedTuple):
    """What one origin hands back (small; the forecast samples stay in the worker).

    Attributes
    ----------
    origin : str
    info : dict
        Model id, gate result and diagnostics, anchors used, timings.
    scores : pandas.DataFrame
        One row per forecaster x target x horizon (see :func:`score_rows`).
    fan : dict of str to (len(FAN_PROBS), H) array
        Per forecaster, quantiles of the cumulative simple price return at quarters 1..H.
    realized : (H,) array
        Realized cumulative simple price return at quarters 1..H (NaN beyond the data).
    samples : dict of str to (n, H) array, optional
        With ``keep_samples``: every forecaster's cumulative log price return draws
        (``"<forecaster>__total"`` for the model's total return) and the realized log
        returns (``realized__price``, ``realized__total``), as saved in
        ``forecasts/<origin>.npz``.
    """

    origin: str
    info: dict[str, Any]
    scores: pd.DataFrame
    fan: dict[str, np.ndarray]
    realized: np.ndarray
    samples: dict[str, np.ndarray] | None = None


def origin_config(cfg: RunConfig, origin: pd.Period, horizon: int) -> RunConfig:
    """Return the run config of one origin: data through the origin, anchors only if known then."""
    anchors = cfg.model.anchors
    known = pd.Period(anchors.trailing_pe_quarter, "Q") <= origin
    model = cfg.model.model_copy(
        update={"anchors": anchors.model_copy(update={"enabled": anchors.enabled and known})}
    )
    return cfg.model_copy(
        update={
            "data": cfg.data.model_copy(update={"end": str(origin)}),
            "model": model,
            "simulation": cfg.simulation.model_copy(update={"horizon": horizon, "keep_paths": 0}),
            "outputs": cfg.outputs.model_copy(update={"figures": False}),
        }
    )


def _cum_reducer(paths: Any, chunk: Any) -> dict[str, np.ndarray]:
    # Cumulative log returns over every path (scenario, sample, path, quarter).
    return {
        "price": np.cumsum(np.asarray(paths.price_return, dtype=np.float64), axis=-1),
        "total": np.cumsum(np.asarray(paths.total_return, dtype=np.float64), axis=-1),
    }


def _realized(panel: pd.DataFrame, column: str, origin: pd.Period, horizon: int) -> np.ndarray:
    if column not in panel.columns:
        return np.full(horizon, np.nan)
    quarters = pd.period_range(origin + 1, periods=horizon, freq="Q")
    base = panel[column].get(origin, np.nan)
    return np.log(panel[column].reindex(quarters).to_numpy(dtype=np.float64) / base)


def score_rows(
    forecaster: str, target: str, log_samples: np.ndarray, log_real: np.ndarray, hs: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Score one forecaster's samples ``(n, H)`` of cumulative log returns at horizons ``hs``.

    Scores are on the simple return ``exp(log) - 1`` (decimals); the log score on the log
    return. Horizons whose realized value is missing are skipped.
    """
    rows = []
    for h in hs:
        y_log = float(log_real[h - 1])
        if not np.isfinite(y_log):
            continue
        x = np.expm1(log_samples[:, h - 1])
        y = float(np.expm1(y_log))
        q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95], method="inverted_cdf")
        rows.append(
            {
                "forecaster": forecaster,
                "target": target,
                "horizon": h,
                "realized": y,
                "mean": float(x.mean()),
                "median": float(q50),
                "q05": float(q05),
                "q95": float(q95),
                "pit": pit(x, y),
                "in_50": in_interval(x, y, 0.5),
                "in_90": in_interval(x, y, 0.9),
                "crps": crps_sample(x, y),
                "log_score": log_score_kde(x, y),
                "error": float(x.mean()) - y,
            }
        )
    return rows


def _fan(log_samples: np.ndarray) -> np.ndarray:
    return np.quantile(np.expm1(log_samples), FAN_PROBS, axis=0, method="inverted_cdf")


def run_origin(
    cfg: RunConfig,
    origin: str,
    horizons: tuple[int, ...],
    modes: tuple[Mode, ...],
    baseline_n: int,
    *,
    fit: Callable[..., Any] | None = None,
    phase: Phase | None = None,
    keep_samples: bool = False,
) -> OriginResult:
    """Fit at ``origin`` on the real-time panel, simulate every mode, score every forecaster.

    Parameters
    ----------
    cfg : RunConfig
        The backtest's resolved config; ``data.end`` is replaced by the origin.
    origin : str
        Last quarter the forecaster may see, e.g. "2007Q2".
    horizons : tuple of int
        Scored horizons (all within the data after the origin).
    modes : tuple of Mode
        Conditioning modes, simulated together as scenarios of one run.
    baseline_n : int
        Draws of each baseline.
    fit : callable, optional
        ``fit(config, *, panel, allow_unconverged, progress) -> FittedModel``; default
        :func:`rutsim.model.fit_or_load` (the store reuses fits by model id).
    phase : callable, optional
        Progress hook, ``phase(origin, "fitting" | "simulating" | "scoring")``.
    keep_samples : bool
        Return every forecaster's draws too (``OriginResult.samples``).
    """
    from rutsim.data import load_panel
    from rutsim.simulate import run_simulation

    if fit is None:
        from rutsim.model import fit_or_load

        fit = fit_or_load
    say = phase or (lambda o, p: None)
    t = pd.Period(origin, "Q")
    h_max = max(horizons)
    ocfg = origin_config(cfg, t, h_max)
    full = load_panel(cfg.data)
    seen = realtime_panel(full, t, cfg.data.eps_lag)

    say(origin, "fitting")
    t0 = time.perf_counter()
    fitted = fit(ocfg, panel=seen, allow_unconverged=True, progress=False)
    if fitted.manifest.as_of != str(origin):
        # A model that saw quarters after the origin would leak the future into the score.
        raise ModelStoreError(
            f"{fitted.path}: fitted on data through {fitted.manifest.as_of}, but the backtest "
            f"origin is {origin}; scoring it would look ahead. To fix: remove that model "
            "folder and run the backtest again (it refits)."
        )
    t1 = time.perf_counter()

    say(origin, "simulating")
    arrays = [(m.name, mode_arrays(full, cfg.data, t, h_max, m)) for m in modes]
    sim = run_simulation(
        ocfg.simulation.seed,
        fitted.params,
        fitted.initial,
        arrays,
        ocfg.simulation,
        fitted.shocks,
        _cum_reducer,
    )
    t2 = time.perf_counter()

    say(origin, "scoring")
    real = {"price": _realized(full, PRICE, t, h_max), "total": _realized(full, TOTAL, t, h_max)}
    rows: list[dict[str, Any]] = []
    fan: dict[str, np.ndarray] = {}
    kept: dict[str, np.ndarray] = {}
    for i, m in enumerate(modes):
        name = model_forecaster(m.name)
        for target in ("price", "total"):
            samples = sim.metrics[target][i].reshape(-1, h_max)
            rows += score_rows(name, target, samples, real[target], horizons)
            kept[name if target == "price" else f"{name}__total"] = samples
            if target == "price":
                fan[name] = _fan(samples)
    start = pd.Period(cfg.data.start, "Q")
    prices = seen[PRICE].loc[(seen.index >= start - 1)].to_numpy(dtype=np.float64)
    history = np.diff(np.log(prices))
    for b, name in enumerate(BASELINES):
        samples = baseline_samples(
            name, history, np.arange(1, h_max + 1), baseline_n, (cfg.simulation.seed, t.ordinal, b)
        )
        rows += score_rows(name, "price", samples, real["price"], horizons)
        fan[name] = _fan(samples)
        kept[name] = samples
    scores = pd.DataFrame(rows)
    scores.insert(0, "origin", origin)
    d = fitted.manifest.diagnostics
    info = {
        "origin": origin,
        "model_id": fitted.model_id,
        "gate_passed": bool(d.passed),
        "divergences": int(d.divergences),
        "max_r_hat": float(d.max_r_hat),
        "min_ess_bulk": float(d.min_ess_bulk),
        "min_ess_tail": float(d.min_ess_tail),
        "anchors_used": bool(ocfg.model.anchors.enabled),
        "history_quarters": int(len(history)),
        "eps_through": str(t - cfg.data.eps_lag),
        "horizons": list(horizons),
        "fit_s": round(t1 - t0, 2),
        "simulate_s": round(t2 - t1, 2),
        "score_s": round(time.perf_counter() - t2, 2),
    }
    kept |= {"realized__price": real["price"], "realized__total": real["total"]}
    return OriginResult(
        origin, info, scores, fan, np.expm1(real["price"]), kept if keep_samples else None
    )
