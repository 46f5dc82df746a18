"""``summary.json``: headline numbers per scenario and for the blend, as plain JSON."""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Mapping, Sequence

import pandas as pd

from rutsim.risk import BLEND, CONVENTION_ATTRS
from rutsim.runs import RunData

#: The simulated macro variables in the order the report shows them: policy and activity
#: first (the same set as :data:`rutsim.types.SIMULATED_MACRO`, checked by a test).
MACRO_SHOWN: tuple[str, ...] = ("fedfunds", "unemployment", "slope", "spread", "real_yield")

#: Metrics in the headline table, summary.json and the report, with their labels.
HEADLINE_METRICS: dict[str, str] = {
    "return_mean": "mean return",
    "return_median": "median return",
    "return_q05": "5% quantile of return",
    "return_q95": "95% quantile of return",
    "prob_loss": "P(loss)",
    "prob_loss_gt_10pct": "P(loss > 10%)",
    "prob_loss_gt_20pct": "P(loss > 20%)",
    "var_95": "VaR 95%",
    "cvar_95": "CVaR 95%",
    "var_99": "VaR 99%",
    "cvar_99": "CVaR 99%",
    "max_drawdown_q50": "median max drawdown",
    "prob_beat_largecap": "P(beat large caps)",
}


#: Per long table (by ``id``, with a weak reference to tell a reused id apart): its rows'
#: positions by (scenario, horizon, metric) and statistic.
_CELLS: dict[int, tuple[weakref.ref[pd.DataFrame], int, dict[tuple, dict[str, int]]]] = {}


def _cells(table: pd.DataFrame) -> dict[tuple, dict[str, int]]:
    # The report looks up hundreds of cells of a table of about 20,000 rows; a boolean
    # mask per lookup cost about 1 s a report. The table is built once and only gains
    # columns afterwards, so the key columns are indexed once (rebuilt if rows change).
    key = id(table)
    hit = _CELLS.get(key)
    rows = int(table.shape[0])
    if hit is not None and hit[0]() is table and hit[1] == rows:
        return hit[2]
    index: dict[tuple, dict[str, int]] = {}
    columns = (table.scenario, table.horizon, table.metric, table.statistic)
    keys = zip(*(c.to_numpy() for c in columns), strict=True)
    for i, (entity, h, metric, stat) in enumerate(keys):
        index.setdefault((str(entity), int(h), str(metric)), {}).setdefault(str(stat), i)
    _CELLS[key] = (weakref.ref(table, lambda _: _CELLS.pop(key, None)), rows, index)
    return index


def table_cell(table: pd.DataFrame, entity: str, horizon: int, metric: str) -> dict[str, int]:
    """Row positions of one metric of one entity at one horizon, by statistic."""
    return _cells(table).get((entity, int(horizon), metric), {})


def table_row(
    table: pd.DataFrame, entity: str, horizon: int, metric: str, statistic: str = "pooled"
) -> pd.Series | None:
    """One row of the long metrics table (value, mc_se, flag, ...), or None."""
    pos = table_cell(table, entity, horizon, metric).get(statistic)
    return None if pos is None else table.iloc[pos]


def table_value(
    table: pd.DataFrame, entity: str, horizon: int, metric: str, statistic: str = "pooled"
) -> float:
    """One cell of the long metrics table (NaN when the table lacks it)."""
    pos = table_cell(table, entity, horizon, metric).get(statistic)
    return float("nan") if pos is None else float(table["value"].iat[pos])


def headline_horizons(requested: Sequence[int], n_horizon: int) -> list[int]:
    """Return the requested call-out horizons the run covers, plus the last quarter."""
    hs = sorted({h for h in requested if 1 <= h <= n_horizon} | {n_horizon})
    return hs


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


def _entity_block(table: pd.DataFrame, entity: str, horizons: Sequence[int]) -> dict[str, object]:
    sub = table[(table.scenario == entity) & table.metric.isin(list(HEADLINE_METRICS))]
    out: dict[str, object] = {}
    for h in horizons:
        at_h = sub[sub.horizon == h]
        out[str(h)] = {
            m: {s: _clean(float(v)) for s, v in zip(g.statistic, g.value, strict=True)}
            | {"pooled_mc_se": _clean(float(g.mc_se[g.statistic == "pooled"].iloc[0]))}
            for m, g in at_h.groupby("metric", sort=False)
        }
    return out


def summary_json(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    horizons: Sequence[int],
    position: Mapping[str, object] | None = None,
) -> str:
    """Render ``summary.json``.

    Structure: run provenance, the conventions, blend weights, and for each scenario and
    the blend ``horizons -> metric -> statistic -> value`` (decimals; null where not
    defined, e.g. large caps not simulated). With a position, ``position`` holds its
    definition and figures in currency (:func:`rutsim.report._position.position_summary`).
    """
    described = {e.name: e.description for e in run.manifest.scenarios}
    doc: dict[str, object] = {
        "run_id": run.manifest.run_id,
        "model_id": run.manifest.model_id,
        "data_hash": run.manifest.data_hash,
        "config_hash": run.manifest.config_hash,
        "as_of": run.manifest.as_of or run.simulation.attrs.get("as_of"),
        "conventions": CONVENTION_ATTRS,
        "statistics": {
            "pooled": "predictive value over all posterior draws and paths",
            "draw_mean/draw_median/draw_q05/draw_q95": "summaries across posterior draws of "
            "the metric computed per draw (90% credible interval: draw_q05..draw_q95), with "
            "the Monte Carlo noise of the per-draw values taken out",
            "draw_q05_raw/draw_q95_raw": "the band before the noise correction",
            "mc_noise_share": "share of the across-draw variance that is path-sampling noise",
            "mc_se": "column: Monte Carlo standard error of pooled and draw_mean",
            "flag": "column: few_tail_paths where a per-draw value rests on < 10 paths",
        },
        "pooled_paths_per_scenario": int(
            run.pooled["count"].isel(scenario=0, horizon=0).sum()
            if run.pooled is not None
            else run.simulation.sizes["sample"] * run.simulation.sizes["path"]
        ),
        "pooled_from": (
            "pooled.nc (every simulated path, binned)"
            if run.pooled is not None
            else "simulation.nc (the kept paths)"
        ),
        "per_draw_metrics_from": (
            "draw_metrics.nc (every simulated path of each draw)"
            if run.draw_metrics is not None
            else "simulation.nc (the saved paths of each draw)"
        ),
        "headline_horizons_quarters": list(horizons),
        "blend_weights": dict(weights),
        "scenarios": {
            name: {
                "description": described.get(name, ""),
                "weight": weights[name],
                "horizons": _entity_block(table, name, horizons),
            }
            for name in run.scenarios
        },
        BLEND: {"horizons": _entity_block(table, BLEND, horizons)},
    }
    if position is not None:
        doc["position"] = dict(position)
    return json.dumps(doc, indent=2, allow_nan=False)
