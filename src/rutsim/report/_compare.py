"""Differences between scenarios of one run, or between two runs, with credible intervals.

Within a run every scenario is simulated with the same posterior draws, so the
difference of a metric is computed draw by draw (``draw_metrics.nc``) and its 90%
credible interval is that of the paired differences. Two runs share their draws only
when they used the same posterior (same ``posterior_hash`` and draw indices); otherwise
their draws are independent, and the interval is that of the difference of two
independent draws (each draw of one run paired with a draw of the other at random,
with a fixed seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from rutsim.report._page import html_page
from rutsim.report._summary import table_value
from rutsim.risk import BLEND, quantile
from rutsim.runs import RunData, output_config, resolve_weights

#: Metrics compared, with their labels and the unit of a difference.
COMPARED: dict[str, str] = {
    "return_median": "median return",
    "return_mean": "mean return",
    "prob_loss": "P(loss)",
    "var_95": "VaR 95 (loss)",
}

#: Labels of the skeleton split in ``drivers.csv`` (see rutsim.model.decompose).
DRIVER_PARTS: dict[str, str] = {
    "valuation_reversion": "valuation reversion",
    "earnings_trend": "earnings trend",
    "rates": "rates",
    "policy_surprise": "policy surprise",
    "credit": "credit",
    "activity": "activity",
}


class Difference(NamedTuple):
    """One metric of ``a`` minus the same metric of ``b`` at one horizon (decimals)."""

    a: str
    b: str
    horizon: int
    metric: str
    value_a: float
    value_b: float
    difference: float
    lower: float
    upper: float
    prob_positive: float
    paired: bool


def base_scenario(run: RunData) -> str:
    """Return the scenario others are compared with: ``base`` if present, else the first."""
    return "base" if "base" in run.scenarios else run.scenarios[0]


def _draws(run: RunData, entity: str, metric: str, horizon: int) -> np.ndarray:
    if run.draw_metrics is None or entity not in run.draw_metrics["scenario"].values:
        return np.array([])
    return np.asarray(
        run.draw_metrics[metric].sel(scenario=entity, horizon=horizon).values, np.float64
    )


def _interval(diff: np.ndarray) -> tuple[float, float, float]:
    diff = diff[np.isfinite(diff)]
    if diff.size == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = quantile(diff, [0.05, 0.95])
    return float(lo), float(hi), float(np.mean(diff > 0))


def scenario_differences(
    run: RunData, table: pd.DataFrame, horizons: Sequence[int], base: str | None = None
) -> list[Difference]:
    """Every scenario (and the blend) minus the base scenario, paired draw by draw."""
    base = base or base_scenario(run)
    out = []
    for entity in [*run.scenarios, BLEND]:
        if entity == base:
            continue
        for h in horizons:
            for metric in COMPARED:
                a, b = table_value(table, entity, h, metric), table_value(table, base, h, metric)
                da, db = _draws(run, entity, metric, h), _draws(run, base, metric, h)
                paired = da.size == db.size and da.size > 0
                lo, hi, pp = _interval(da - db) if paired else (np.nan, np.nan, np.nan)
                out.append(Difference(entity, base, h, metric, a, b, a - b, lo, hi, pp, paired))
    return out


def _same_draws(a: RunData, b: RunData) -> bool:
    ma, mb = a.manifest, b.manifest
    if not ma.posterior_hash or ma.posterior_hash != mb.posterior_hash:
        return False
    sa, sb = a.simulation["sample"].values, b.simulation["sample"].values
    return bool(np.array_equal(sa, sb))


def run_differences(
    a: RunData,
    b: RunData,
    table_a: pd.DataFrame,
    table_b: pd.DataFrame,
    horizons: Sequence[int],
    seed: int = 0,
) -> list[Difference]:
    """Run ``a`` minus run ``b`` for every scenario both have (and the blend)."""
    shared = [s for s in a.scenarios if s in b.scenarios] + [BLEND]
    paired = _same_draws(a, b)
    rng = np.random.default_rng(seed)
    out = []
    for entity in shared:
        for h in horizons:
            for metric in COMPARED:
                va, vb = (
                    table_value(table_a, entity, h, metric),
                    table_value(table_b, entity, h, metric),
                )
                da, db = _draws(a, entity, metric, h), _draws(b, entity, metric, h)
                if da.size and db.size:
                    if not paired:
                        # Independent posteriors: a random pairing of the two sets of draws.
                        n = max(da.size, db.size)
                        da, db = rng.choice(da, n), rng.choice(db, n)
                    lo, hi, pp = _interval(da - db)
                else:
                    lo = hi = pp = float("nan")
                out.append(
                    Difference(entity, entity, h, metric, va, vb, va - vb, lo, hi, pp, paired)
                )
    return out


def driver_reason(folder: Path | None, scenario: str, base: str, horizon: int) -> str:
    """One line on why a scenario differs from the base: its two largest driver differences.

    From ``drivers.csv`` (the model's deterministic skeleton along each scenario's median
    macro path), in log points of the small-cap price.
    """
    path = None if folder is None else Path(folder) / "drivers.csv"
    if path is None or not path.is_file() or scenario == BLEND:
        return ""
    df = pd.read_csv(path)
    rows = df[df["quarter"] == horizon].set_index("scenario")
    if scenario not in rows.index or base not in rows.index:
        return ""
    diff = {
        k: 100 * float(rows.at[scenario, k] - rows.at[base, k])
        for k in DRIVER_PARTS
        if k in rows.columns  # runs of model v2 have no policy_surprise column
    }
    top = sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:2]
    parts = ", ".join(f"{DRIVER_PARTS[k]} {v:+.1f}" for k, v in top if abs(v) >= 0.05)
    total = 100 * float(rows.at[scenario, "total"] - rows.at[base, "total"])
    if not parts:
        return (
            f"the model's central path is the same as {base}'s (skeleton {total:+.1f} log points)"
        )
    return f"central path vs {base}: {parts} log points (skeleton total {total:+.1f})"


def differences_frame(diffs: Sequence[Difference]) -> pd.DataFrame:
    """Return the differences as a table (one row each), e.g. for CSV output."""
    return pd.DataFrame([d._asdict() for d in diffs])


class Comparison(NamedTuple):
    """What ``rutsim compare`` produced: the differences, their text table and the HTML file."""

    differences: list[Difference]
    text: str
    #: The HTML page written; None when one already existed there (never overwritten).
    html: Path | None


def _cell(v: float, signed: bool = False) -> str:
    if np.isnan(v):
        return "n/a"
    shown = round(100 * v, 1) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0
    return f"{shown:+.1f}" if signed else f"{shown:.1f}%"


def _identical(d: Difference) -> bool:
    """Paired draws that are equal draw by draw (a scenario against itself, a 100% blend)."""
    return d.paired and d.lower == 0.0 and d.upper == 0.0


def _rows(diffs: Sequence[Difference]) -> list[list[str]]:
    rows = []
    for d in diffs:
        interval = (
            "n/a" if np.isnan(d.lower) else f"[{_cell(d.lower, True)}, {_cell(d.upper, True)}]"
        )
        label = d.a if d.a == d.b else f"{d.a} - {d.b}"
        rows.append(
            [
                str(d.horizon),
                label,
                COMPARED[d.metric],
                _cell(d.value_a),
                _cell(d.value_b),
                _cell(d.difference, signed=True),
                interval,
                "identical"
                if _identical(d)
                else "n/a"
                if np.isnan(d.prob_positive)
                else f"{d.prob_positive:.2f}",
            ]
        )
    return rows


_HEAD = ["quarters", "scenario", "metric", "A", "B", "A-B (pts)", "90% interval", "P(A-B>0)"]


def format_comparison(diffs: Sequence[Difference], heading: str) -> str:
    """Render differences as an aligned text table under ``heading``."""
    rows = _rows(diffs)
    widths = [max(len(r[i]) for r in [_HEAD, *rows]) for i in range(len(_HEAD))]
    left = {1, 2}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([heading, line(_HEAD), *(line(r) for r in rows)])


_LEFT = " class='l'"


def comparison_html(diffs: Sequence[Difference], heading: str, note: str) -> str:
    """Render differences as a small self-contained HTML page."""
    import html as _html

    def esc(x: object) -> str:
        return _html.escape(str(x), quote=True)

    # the scenario and metric columns are text
    head = "".join(f"<th{_LEFT if i in (1, 2) else ''}>{esc(h)}</th>" for i, h in enumerate(_HEAD))
    body = "".join(
        "<tr>"
        + "".join(f"<td{_LEFT if i in (1, 2) else ''}>{esc(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in _rows(diffs)
    )
    return html_page(
        heading,
        f"<h1>{esc(heading)}</h1><p class='note'>{esc(note)}</p>"
        f"<div class='wrap'><table><tr>{head}</tr>{body}</table></div>",
    )


def compare_runs(
    run_a: Path,
    run_b: Path | None = None,
    *,
    base: str | None = None,
    html: Path | None = None,
    overwrite: bool = False,
) -> Comparison:
    """Compare two run folders (A minus B), or the scenarios of one run with its base.

    Parameters
    ----------
    run_a, run_b : Path
        Run folders; without ``run_b`` every scenario of ``run_a`` (and its blend) is
        compared with ``base``.
    base : str, optional
        The base scenario of a one-run comparison (default: ``base``, else the first).
    html : Path, optional
        Where the HTML page goes; default ``compare-<A>[-vs-<B>].html`` beside ``run_a``.
    overwrite : bool
        Replace an existing HTML file (otherwise an error: nothing is overwritten silently).

    Returns
    -------
    Comparison
    """
    from rutsim.errors import ConfigError
    from rutsim.files import atomic_write_text
    from rutsim.report._summary import headline_horizons
    from rutsim.runs import load_run, run_metrics
    from rutsim.status import announce

    announce(f"loading {run_a}" + (f" and {run_b}" if run_b is not None else ""))
    a = load_run(Path(run_a))
    horizons_cfg = output_config(a).headline_horizons
    n_h = a.simulation.sizes["horizon"]
    if run_b is None:
        if base is not None and base not in a.scenarios:
            raise ConfigError(
                f"--base '{base}' is not a scenario of {run_a} ({', '.join(a.scenarios)}). "
                "To fix: pass one of those."
            )
        horizons = headline_horizons(horizons_cfg, n_h)
        announce("computing the metrics and the paired differences")
        table = run_metrics(a)
        diffs = scenario_differences(a, table, horizons, base)
        chosen = base or base_scenario(a)
        heading = f"{a.manifest.run_id}: each scenario minus {chosen}"
        note = (
            "Same posterior draws in every scenario: intervals are those of the paired "
            "per-draw differences. Differences in percentage points."
        )
        default = Path(run_a).parent / f"compare-{a.manifest.run_id}.html"
    else:
        b = load_run(Path(run_b))
        horizons = [
            h for h in headline_horizons(horizons_cfg, n_h) if h <= b.simulation.sizes["horizon"]
        ]
        if not [s for s in a.scenarios if s in b.scenarios]:
            raise ConfigError(
                f"{run_a} and {run_b} share no scenario (A: {', '.join(a.scenarios)}; B: "
                f"{', '.join(b.scenarios)}); only their blends would compare. To fix: "
                "compare runs of the same scenarios."
            )
        announce("computing the metrics of both runs")
        table_a, table_b = run_metrics(a), run_metrics(b)
        diffs = run_differences(a, b, table_a, table_b, horizons)
        paired = bool(diffs) and diffs[0].paired
        heading = f"{a.manifest.run_id} (A) minus {b.manifest.run_id} (B)"
        note = (
            "Both runs used the same posterior draws: intervals are those of the paired "
            "per-draw differences."
            if paired
            else "The runs used different posteriors: intervals treat their draws as "
            "independent (random pairing, fixed seed)."
        ) + " Differences in percentage points."
        note += _unshared_note(a, b) + _blend_note(a, b)
        default = Path(run_a).parent / f"compare-{a.manifest.run_id}-vs-{b.manifest.run_id}.html"
    target = Path(html) if html is not None else default
    text = format_comparison(diffs, f"{heading}\n{note}")
    if target.exists() and not overwrite:
        # The table is the answer: print it; only the page is not replaced.
        return Comparison(
            diffs,
            f"{text}\nnot written: {target} exists and rutsim never overwrites it silently "
            "(pass --overwrite to replace it, or --html PATH)",
            None,
        )
    atomic_write_text(target, comparison_html(diffs, heading, note))
    return Comparison(diffs, f"{text}\nwrote {target}", target)


def _unshared_note(a: RunData, b: RunData) -> str:
    """Say which scenarios are in one run only (they are left out of the comparison)."""
    only_a = [s for s in a.scenarios if s not in b.scenarios]
    only_b = [s for s in b.scenarios if s not in a.scenarios]
    if not only_a and not only_b:
        return ""
    parts = [
        f"only in {side}: {', '.join(names)}"
        for side, names in (("A", only_a), ("B", only_b))
        if names
    ]
    return f" Not compared ({'; '.join(parts)})."


def _blend_note(a: RunData, b: RunData) -> str:
    """Say when the two blends mix their scenarios with different weights."""
    wa, wb = resolve_weights(a), resolve_weights(b)
    if set(wa) == set(wb) and all(abs(wa[k] - wb[k]) < 1e-9 for k in wa):
        return ""

    def shown(w: dict[str, float]) -> str:
        return ", ".join(f"{k} {100 * v:.0f}%" for k, v in w.items() if v > 0)

    return (
        f" The two blends are different mixtures (A: {shown(wa)}; B: {shown(wb)}): their "
        "row compares two portfolios of scenarios, not one."
    )
