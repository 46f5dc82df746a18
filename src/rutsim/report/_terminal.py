"""What ``rutsim run`` prints: the model line and the per-scenario table."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from rutsim.risk import quantile
from rutsim.types import SimulationResult

#: Horizons (quarters) of the printed per-scenario table.
TABLE_HORIZONS: tuple[int, ...] = (4, 8)


# What the model line reads from a fitted model (rutsim.model.FittedModel), as read-only
# protocols so the report layer needs nothing from the model layer.
class _Diagnostics(Protocol):
    @property
    def passed(self) -> bool: ...
    @property
    def divergences(self) -> int: ...
    @property
    def max_r_hat(self) -> float: ...
    @property
    def min_ess_bulk(self) -> float: ...
    @property
    def min_ess_tail(self) -> float: ...


class _Manifest(Protocol):
    @property
    def model_id(self) -> str: ...
    @property
    def diagnostics(self) -> _Diagnostics: ...
    @property
    def prior_driven(self) -> tuple[str, ...]: ...


class _Fitted(Protocol):
    @property
    def manifest(self) -> _Manifest: ...
    @property
    def path(self) -> Path: ...


def describe_model(fitted: _Fitted) -> str:
    """One line on the model a run uses: id, gate, and which parameters are prior-driven."""
    m = fitted.manifest
    d = m.diagnostics
    gate = "passed" if d.passed else "FAILED (kept with allow_unconverged)"
    prior = ", ".join(m.prior_driven) or "none"
    return (
        f"model {m.model_id} ({fitted.path}): gate {gate}, {d.divergences} divergences, "
        f"max R-hat {d.max_r_hat:.3f}, min ESS {min(d.min_ess_bulk, d.min_ess_tail):.0f}; "
        f"prior-driven, not learned from data: {prior}"
    )


def summary_table(
    result: SimulationResult, horizons: tuple[int, ...] = TABLE_HORIZONS
) -> pd.DataFrame:
    """Per scenario: median, 5% and 95% of the cumulative total return, probability of loss.

    Computed from the kept paths (the first ``keep_paths`` of every posterior draw, an
    unbiased subsample of the predictive distribution). Returns are cumulative simple
    returns in decimals at each horizon of ``horizons`` that the run reaches (the last
    quarter if it reaches none).

    Returns
    -------
    pandas.DataFrame
        Index ``scenario``; columns ``q<h>_median``, ``q<h>_p05``, ``q<h>_p95``,
        ``q<h>_prob_loss`` for each horizon ``h``.
    """
    hs = [h for h in horizons if h <= result.horizon] or [result.horizon]
    log_ret = result.paths.total_return.astype(np.float64)
    cum = np.expm1(np.cumsum(log_ret, axis=-1))  # (scenario, sample, path, horizon)
    rows = {}
    for s, name in enumerate(result.scenario_names):
        row: dict[str, float] = {}
        for h in hs:
            x = cum[s, :, :, h - 1].ravel()
            if x.size == 0:
                row |= {f"q{h}_{k}": np.nan for k in ("median", "p05", "p95", "prob_loss")}
                continue
            # The risk layer's inverted-CDF quantile, so this table matches metrics.parquet.
            p05, med, p95 = quantile(x, [0.05, 0.5, 0.95])
            row |= {
                f"q{h}_median": med,
                f"q{h}_p05": p05,
                f"q{h}_p95": p95,
                f"q{h}_prob_loss": float(np.mean(x < 0)),
            }
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def format_table(table: pd.DataFrame, run_id: str, folder: Path) -> str:
    """Render the per-scenario table as aligned text (percentages)."""
    hs = sorted({int(c.split("_")[0][1:]) for c in table.columns})
    head = f"{'scenario':<22}" + "".join(
        f"{f'{h}q median':>11}{f'{h}q 5%':>9}{f'{h}q 95%':>9}{f'{h}q P(loss)':>12}" for h in hs
    )
    lines = [f"run {run_id} -> {folder}", "cumulative total return (kept paths):", head]
    for name, row in table.iterrows():
        cells = "".join(
            f"{row[f'q{h}_median']:>11.1%}{row[f'q{h}_p05']:>9.1%}{row[f'q{h}_p95']:>9.1%}"
            f"{row[f'q{h}_prob_loss']:>12.1%}"
            for h in hs
        )
        lines.append(f"{str(name):<22}{cells}")
    return "\n".join(lines)
