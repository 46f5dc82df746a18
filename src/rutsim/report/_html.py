"""``report.html``: one self-contained page, the answer first (inline CSS, base64 images).

Order, for a reader with one minute: the question and the answer (headline table at
one, two and three years and the distributions at one year, VaR marked); then why
(drivers, attribution, the implied P/E, earnings and macro paths); then each scenario
against the base; then risk detail; the model and provenance last, collapsed. Every
string that comes from a user or a file goes through :func:`html.escape`; only the
fixed markup of this module is written raw. No scripts, no network.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rutsim.config import PortfolioConfig
from rutsim.report._compare import (
    COMPARED,
    DRIVER_PARTS,
    base_scenario,
    driver_reason,
    scenario_differences,
)
from rutsim.report._page import html_page
from rutsim.report._position import position_headline, position_html
from rutsim.report._summary import HEADLINE_METRICS, MACRO_SHOWN, table_cell, table_row
from rutsim.risk import BLEND, COMPONENTS, CONVENTION_ATTRS, FEW_TAIL_PATHS, quantile
from rutsim.runs import RunData


@dataclass(frozen=True)
class ModelInfo:
    """What the report shows about the fitted model (all optional).

    Attributes
    ----------
    folder : the model folder as the reader should see it (relative to the project).
    manifest_json : the model's manifest text.
    identification, effects : its identification and long-run effects tables.
    plots : (caption, link relative to the report) of each of the model's figures.
    """

    folder: str = ""
    manifest_json: str = ""
    identification: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    plots: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def escape(text: object) -> str:
    """HTML-escape any value's string form (quotes included): every user or file string."""
    return html.escape(str(text), quote=True)


def _figure(caption: str, png: bytes, anchor: str = "") -> str:
    ident = f" id='{escape(anchor)}'" if anchor else ""
    data = base64.b64encode(png).decode("ascii")
    return (
        f"<figure{ident}><img alt='{escape(caption)}' src='data:image/png;base64,{data}'>"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def figures_html(figures: Mapping[str, bytes]) -> str:
    """Embed PNGs (caption -> bytes) as base64 ``<figure>`` elements, in order."""
    return "".join(_figure(cap, png) for cap, png in figures.items())


def _pct(v: float, signed: bool = False) -> str:
    if np.isnan(v):
        return "n/a"
    return f"{100 * v:+.1f}%" if signed else f"{100 * v:.1f}%"


def _pts(v: float) -> str:
    return "n/a" if np.isnan(v) else f"{100 * v:+.1f}"


def _value(table: pd.DataFrame, entity: str, h: int, metric: str) -> dict[str, float]:
    values = table["value"].to_numpy()
    return {s: float(values[i]) for s, i in table_cell(table, entity, h, metric).items()}


def _years(h: int) -> str:
    if h % 4 == 0:
        return f"{h // 4} year{'s' if h > 4 else ''}"
    return f"{h} quarter{'s' if h > 1 else ''}"


def relative(path: str | Path | None, root: Path | None) -> str:
    """Return a path as the reader sees it: relative to the project root when inside it."""
    if not path:
        return ""
    p = Path(path)
    if root is None or not p.is_absolute():
        return str(p)
    rel = os.path.relpath(p, root)
    return str(p.name) if rel.startswith("..") else rel


# ------------------------------------------------------------------ the answer


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]


def _question(run: RunData, weights: Mapping[str, float]) -> str:
    described = {e.name: e.description for e in run.manifest.scenarios}
    items = "".join(
        f"<li><b>{escape(n)}</b> ({weights[n]:.0%}): "
        f"{escape(_first_sentence(described.get(n, '')))}</li>"
        for n in run.scenarios
    )
    return (
        "<p><b>Question.</b> If the Fed takes each path below, what distribution of Russell "
        f"2000 total returns should we expect from {escape(run.manifest.as_of)} on, and why? "
        "The blend mixes the scenarios with the weights in brackets.</p>"
        f"<ul class='q'>{items}</ul>"
    )


def headline_table(
    table: pd.DataFrame,
    entities: Sequence[str],
    horizons: Sequence[int],
    weights: Mapping[str, float],
) -> str:
    """Render the answer: median, P(loss) and VaR 95 per scenario at each headline horizon."""
    cols = (("return_median", "median"), ("prob_loss", "P(loss)"), ("var_95", "VaR 95"))
    top = "".join(f"<th colspan='{len(cols)}'>{escape(_years(h))}</th>" for h in horizons)
    sub = "".join(f"<th>{label}</th>" for _ in horizons for _, label in cols)
    rows = []
    for e in entities:
        cells = "".join(
            f"<td>{_pct(_value(table, e, h, m)['pooled'], signed=m == 'return_median')}</td>"
            for h in horizons
            for m, _ in cols
        )
        w = "" if e == BLEND else f"{weights[e]:.0%}"
        cls = " class='blend'" if e == BLEND else ""
        rows.append(f"<tr{cls}><td class='l'>{escape(e)}</td><td>{w}</td>{cells}</tr>")
    return (
        "<div class='wrap'><table id='headline'>"
        f"<tr><th class='l' rowspan='2'>scenario</th><th rowspan='2'>weight</th>{top}</tr>"
        f"<tr>{sub}</tr>" + "".join(rows) + "</table></div>"
    )


# ------------------------------------------------------------------ why


def drivers_section(run: RunData, horizons: Sequence[int]) -> str:
    """Per scenario, the deterministic skeleton of the small-cap log price split by driver."""
    path = run.folder / "drivers.csv"
    if not path.is_file():
        return "<p>This run folder has no drivers.csv (runs written before model v2 lack it).</p>"
    df = pd.read_csv(path)
    parts = {k: v for k, v in DRIVER_PARTS.items() if k in df.columns}
    parts["total"] = "skeleton total"
    head = "".join(f"<th>{escape(p)}</th>" for p in parts.values())
    rows = []
    for h in horizons:
        for name in run.scenarios:
            one = df[(df["scenario"] == name) & (df["quarter"] == h)]
            if one.empty:
                continue
            cells = "".join(f"<td>{100 * float(one[p].iloc[0]):+.1f}</td>" for p in parts)
            rows.append(
                f"<tr><td class='l'>{escape(_years(h))}</td><td class='l'>{escape(name)}</td>"
                f"{cells}</tr>"
            )
    return (
        "<p>The model's deterministic skeleton (every shock at zero, posterior mean, along "
        "each scenario's median macro path) of the cumulative small-cap log price return, "
        "in log points (about % for small values). <b>Valuation reversion</b> and "
        "<b>earnings trend</b> are where the multiple and earnings go with every driver "
        "held at its last observed value; <b>rates</b> (fed funds, slope, real yield, read "
        "as history associates them), <b>policy surprise</b> (what the part of the fed "
        "funds path that markets had not priced in adds as a pure policy surprise, with "
        "the effects FOMC announcement days show), <b>credit</b> and <b>activity</b> "
        "(unemployment) are what the scenario's changes add. The parts add up to the "
        "skeleton total, which sits near, not at, the simulated median (shocks are "
        "skewed and fat-tailed).</p>"
        "<div class='wrap'><table><tr><th class='l'>horizon</th><th class='l'>scenario</th>"
        f"{head}</tr>" + "".join(rows) + "</table></div>"
    )


def _macro_paths(run: RunData, horizons: Sequence[int]) -> str:
    sim = run.simulation
    quarters = (
        [str(q) for q in sim["quarter"].values]
        if "quarter" in sim.coords
        else [f"+{int(h)}q" for h in sim["horizon"].values]
    )
    labels = {
        "fedfunds": "fed funds, %",
        "unemployment": "unemployment, %",
        "slope": "slope, pp",
        "spread": "spread, pp",
        "real_yield": "real 10y yield, pp",
    }
    variables = (*((v, labels[v]) for v in MACRO_SHOWN), ("log_multiple", "P/E on smoothed EPS"))
    head = "".join(f"<th>{escape(quarters[h - 1])}</th>" for h in horizons)
    n_h = sim.sizes["horizon"]
    priced = np.asarray(run.manifest.priced_in, dtype=np.float64)
    if priced.size:
        priced = np.concatenate([priced, np.full(max(0, n_h - priced.size), priced[-1])])

    def row(name: str, label: str, values: np.ndarray) -> str:
        cells = "".join(
            f"<td>{values[h - 1]:+.2f}</td>"
            if label.startswith("fed funds minus")
            else f"<td>{values[h - 1]:.2f}</td>"
            for h in horizons
        )
        return f"<tr><td class='l'>{escape(name)}</td><td class='l'>{label}</td>{cells}</tr>"

    rows = [row("(market)", "fed funds priced in, %", priced)] if priced.size else []
    for name in run.scenarios:
        for var, label in variables:
            if var not in sim:
                continue
            vals = sim[var].sel(scenario=name).values.astype(np.float64)
            med = quantile(vals.reshape(-1, vals.shape[-1]), 0.5, axis=0)
            if var == "log_multiple":
                med = np.exp(med)
            rows.append(row(name, label, med))
            if var == "fedfunds" and priced.size:
                rows.append(row(name, "fed funds minus priced in, pp", med - priced[:n_h]))
    return (
        "<p>Median simulated path at each headline horizon (a pinned variable follows its "
        "scenario; the others are simulated by the model given the pinned ones; the P/E is "
        "rutsim's one valuation measure, the small-cap price over smoothed (12-quarter "
        "average) earnings, which runs above the trailing P/E of the model's decomposition "
        "figure, price over the last 4 quarters' earnings, when earnings are growing). "
        "<b>Versus priced in</b>: the fed funds path markets priced in at the data end "
        "(from the 2-year and 3-month Treasury yields, docs/model.md) and each scenario's "
        "distance from it; a pinned path's move beyond what was priced in (and beyond the "
        "Fed's reaction to the scenario's unemployment path) is what the model reads as a "
        "policy surprise. "
        "The fan charts draw the same path as a dashed line.</p>"
        "<div class='wrap'><table><tr><th class='l'>scenario</th><th class='l'>variable</th>"
        f"{head}</tr>" + "".join(rows) + "</table></div>"
    )


# ------------------------------------------------------------------ versus base


def comparison_section(run: RunData, table: pd.DataFrame, horizons: Sequence[int]) -> str:
    """Each scenario (and the blend) minus the base: differences with 90% credible intervals."""
    base = base_scenario(run)
    diffs = scenario_differences(run, table, horizons, base)
    if not diffs:
        return "<p>The run has a single scenario: nothing to compare.</p>"
    head = "".join(f"<th>&Delta; {escape(label)}</th>" for label in COMPARED.values())
    rows = []
    by_key = {(d.a, d.horizon, d.metric): d for d in diffs}
    for entity in dict.fromkeys(d.a for d in diffs):
        for h in horizons:
            cells = []
            for m in COMPARED:
                d = by_key[(entity, h, m)]
                ci = (
                    ""
                    if np.isnan(d.lower)
                    else f"<br><span class='ci'>[{_pts(d.lower)}, {_pts(d.upper)}]</span>"
                )
                cells.append(f"<td>{_pts(d.difference)}{ci}</td>")
            reason = driver_reason(run.folder, entity, base, h)
            rows.append(
                f"<tr><td class='l'>{escape(entity)}</td><td class='l'>{escape(_years(h))}</td>"
                f"{''.join(cells)}<td class='l w'>{escape(reason)}</td></tr>"
            )
    return (
        f"<p>Each scenario minus <b>{escape(base)}</b>, in percentage points of the metric "
        "(returns and VaR as % of value, P(loss) as % probability). Below each difference, "
        "its 90% credible interval: the metric is computed per posterior draw in both "
        "scenarios with the same draws, and the interval is that of the paired "
        "differences. The last column says what moves the model's central path.</p>"
        "<div class='wrap'><table id='versus-base'><tr><th class='l'>scenario</th>"
        f"<th class='l'>horizon</th>{head}<th class='l'>why (model's central path)</th></tr>"
        + "".join(rows)
        + "</table></div>"
    )


# ------------------------------------------------------------------ risk detail


def _metric_rows(
    table: pd.DataFrame, entities: Sequence[str], h: int, metrics: Mapping[str, str]
) -> str:
    head = "".join(f"<th>{escape(e)}</th>" for e in entities)
    rows = []
    for m, label in metrics.items():
        cells = []
        for e in entities:
            v = _value(table, e, h, m)
            if np.isnan(v["pooled"]):
                cells.append("<td>n/a</td>")
                continue
            thin = _flagged(table, e, h, m)
            cells.append(
                f"<td>{_pct(v['pooled'])}{_THIN if thin else ''}<br><span class='ci'>"
                + (
                    "per-draw band not shown"
                    if thin
                    else f"[{_pct(v['draw_q05'])}, {_pct(v['draw_q95'])}]"
                )
                + "</span></td>"
            )
        rows.append(f"<tr><td class='l'>{escape(label)}</td>{''.join(cells)}</tr>")
    return (
        f"<h3>{escape(_years(h))}</h3><div class='wrap'><table><tr><th class='l'>metric</th>"
        f"{head}</tr>" + "".join(rows) + "</table></div>"
    )


_THIN = " <span class='flag' title='fewer than 10 paths per draw in the tail'>thin tail</span>"


def _flagged(table: pd.DataFrame, entity: str, h: int, metric: str) -> bool:
    row = table_row(table, entity, h, metric)
    return row is not None and row.flag == FEW_TAIL_PATHS


def _monte_carlo_note(table: pd.DataFrame) -> str:
    """One paragraph on Monte Carlo noise: what the intervals hold, and the thin tails."""
    pooled = table[(table.statistic == "pooled") & table.metric.isin(list(HEADLINE_METRICS))]
    se = pooled.mc_se.dropna()
    worst = f" (at most {100 * se.max():.2f} points here)" if len(se) else ""
    thin = sorted(set(pooled.metric[pooled.flag == FEW_TAIL_PATHS]))
    named = ", ".join(HEADLINE_METRICS.get(m, m) for m in thin)
    return (
        "<p class='note'><b>Monte Carlo noise.</b> The intervals are posterior (parameter) "
        "uncertainty with the path-sampling noise of each draw's value taken out; the "
        "pooled values carry their own Monte Carlo standard error, in "
        f"<code>metrics.parquet</code> (<code>mc_se</code>){worst}. "
        + (
            f"Marked <i>thin tail</i>: {escape(named)}, whose value per posterior draw "
            "rests on fewer than 10 paths, so their per-draw bands would be mostly noise "
            "and are not shown; the pooled value, over every path, is not affected."
            if thin
            else "No metric shown rests on fewer than 10 paths per draw in its tail."
        )
        + "</p>"
    )


def _attribution_labels() -> dict[str, str]:
    labels = {}
    for tag, name in (("mean", "mean"), ("cvar95", "CVaR-95 tail")):
        for c in (*COMPONENTS, "total"):
            labels[f"attr_{tag}_{c}"] = f"{name}: {c.replace('_', ' ')}"
    return labels


# ------------------------------------------------------------------ model and provenance


def _model_section(model: ModelInfo | None) -> str:
    if model is None or not model.folder:
        return (
            "<p>The model folder named in the run manifest was not found, so its "
            "diagnostics and identification summary are not shown.</p>"
        )
    parts = [f"<p>Model folder: <code>{escape(model.folder)}</code></p>"]
    try:
        man = json.loads(model.manifest_json) if model.manifest_json else {}
    except json.JSONDecodeError:
        man = {}
    diag = man.get("diagnostics", {})
    if diag:
        gate = "passed" if diag.get("passed") else "FAILED (accepted with --allow-unconverged)"
        parts.append(
            f"<p><b>Diagnostics gate {gate}</b>: {diag.get('divergences')} divergences, max "
            f"R-hat {diag.get('max_r_hat', float('nan')):.3f}, min bulk ESS "
            f"{diag.get('min_ess_bulk', float('nan')):.0f}, min tail ESS "
            f"{diag.get('min_ess_tail', float('nan')):.0f}. Prior-driven, not learned from "
            f"the data: {escape(', '.join(man.get('prior_driven', [])) or 'none')}.</p>"
        )
    if model.effects is not None:
        parts.append(
            "<h3>Long-run effects</h3><p>A permanent +1 pp step in one driver, the others "
            "held, once the model has settled (log points: median and 90% interval; "
            "'theory' is the sign economics expects, 'agrees' whether the interval says "
            "so).</p><div class='wrap'>"
            + model.effects[model.effects["in_model"]]
            .drop(columns="in_model")
            .to_html(index=False, escape=True, na_rep="", float_format="{:+.3f}".format)
            + "</div>"
        )
    if model.identification is not None:
        parts.append(
            "<h3>Identification summary</h3><div class='wrap'>"
            + model.identification.to_html(index=False, escape=True, na_rep="n/a")
            + "</div>"
        )
    if model.plots:
        links = "".join(
            f"<li><a href='{escape(href)}'>{escape(cap)}</a></li>" for cap, href in model.plots
        )
        parts.append(
            "<h3>The model's figures</h3><p class='note'>Copies of the model folder's "
            f"figures, kept in this run's <code>figures/model/</code>:</p><ul>{links}</ul>"
        )
    if model.manifest_json:
        parts.append(
            "<details><summary>Fit manifest</summary>"
            f"<pre>{escape(model.manifest_json)}</pre></details>"
        )
    return "".join(parts)


def _provenance(run: RunData, root: Path | None) -> str:
    man = run.manifest
    entries = {e.name: e for e in man.scenarios}
    files = "".join(
        f"<tr><th class='l'>scenario {escape(n)}</th><td class='l'>"
        f"{escape(relative(entries[n].file, root) if n in entries else '')}</td></tr>"
        for n in run.scenarios
    )
    rows = (
        ("last observed quarter", man.as_of),
        ("data hash", man.data_hash),
        ("model id", man.model_id),
        ("posterior hash", man.posterior_hash),
        ("config hash", man.config_hash),
        ("seed", man.seed),
        ("overrides (--set)", ", ".join(man.overrides) or "none"),
        ("created (UTC)", man.created_utc),
    )
    conv = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in CONVENTION_ATTRS.items())
    try:
        shown = json.loads(run.manifest_json)
        shown["model_dir"] = relative(shown.get("model_dir"), root)
        for s in shown.get("scenarios", []):
            s["file"] = relative(s.get("file"), root)
        manifest_text = json.dumps(shown, indent=2)
    except (json.JSONDecodeError, AttributeError, TypeError):
        manifest_text = run.manifest_json
    return (
        "<div class='wrap'><table>"
        + "".join(
            f"<tr><th class='l'>{escape(k)}</th><td class='l'>{escape(v)}</td></tr>"
            for k, v in rows
        )
        + files
        + "</table></div>"
        + f"<h3>Conventions</h3><ul class='note'>{conv}</ul>"
        + f"<details><summary>Run manifest</summary><pre>{escape(manifest_text)}</pre></details>"
        + f"<details><summary>Resolved config</summary><pre>{escape(run.config_toml)}</pre>"
        "</details>"
    )


# ------------------------------------------------------------------ the page


def render_html(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    horizons: Sequence[int],
    figures: Mapping[str, tuple[str, bytes]],
    model: ModelInfo | None,
    root: Path | None = None,
    position: tuple[PortfolioConfig, Sequence[int]] | None = None,
) -> str:
    """Render the whole report as one HTML string.

    Parameters
    ----------
    figures : mapping of str to (str, bytes)
        Figure key to (caption, PNG bytes). Keys the page places: ``distribution_<h>``,
        ``attribution``, ``fan_<scenario>``, ``var_cvar``, ``risk_by_horizon``.
    root : Path, optional
        The project root: paths inside it are shown relative to it.
    position : (PortfolioConfig, horizons), optional
        A position and the horizons of its section (none when the horizons are empty).
    """
    entities = [*run.scenarios, BLEND]
    man = run.manifest
    sizes = man.sizes
    answer_h = [h for h in horizons if h in (4, 8, 12)] or list(horizons)
    as_of = man.as_of or run.simulation.attrs.get("as_of", "unknown")
    pooled_paths = sizes.samples * (
        sizes.paths_per_draw if run.pooled is not None else sizes.kept_paths
    )

    def fig(key: str, anchor: str = "") -> str:
        if key not in figures:
            return ""
        caption, png = figures[key]
        return _figure(caption, png, anchor)

    dist = [k for k in figures if k.startswith("distribution_")]
    fans = [k for k in figures if k.startswith("fan_")]
    fan_html = "".join(
        f"<details{' open' if i == 0 else ''}><summary>{escape(figures[k][0])}</summary>"
        f"{fig(k)}</details>"
        for i, k in enumerate(fans)
    )
    risk = {k: v for k, v in HEADLINE_METRICS.items()}
    sections = [
        f"<h1>Russell 2000 scenarios &middot; run {escape(man.run_id)}</h1>",
        f"<p class='meta'>Data to {escape(as_of)} &middot; model {escape(man.model_id)} "
        f"&middot; {sizes.scenarios} scenarios &times; {sizes.samples:,} posterior draws "
        f"&times; {sizes.paths_per_draw:,} paths &times; {sizes.horizon} quarters &middot; "
        f"seed {escape(man.seed)} &middot; {escape(man.created_utc)}</p>",
        "<nav><a href='#answer'>Answer</a><a href='#why'>Why</a>"
        "<a href='#versus'>Versus base</a>"
        + ("<a href='#position'>Position</a>" if position and position[1] else "")
        + "<a href='#risk'>Risk detail</a>"
        "<a href='#model'>Model &amp; provenance</a></nav>",
        "<section id='answer'>",
        _question(run, weights),
        "<p><b>Answer.</b> Cumulative total return from "
        f"{escape(as_of)}, simple (not log), pooled over every simulated path "
        f"({pooled_paths:,} per scenario: parameter and shock uncertainty together). "
        "P(loss) is the probability of any loss; VaR 95 is the loss exceeded in 5% of "
        "outcomes.</p>",
        headline_table(table, entities, answer_h, weights),
        position_headline(table, position[0], position[1]) if position and position[1] else "",
        fig(dist[0], "distribution") if dist else "",
        "</section>",
        "<section id='why'><h2>Why</h2>",
        "<h3>What moves the model's central path</h3>",
        drivers_section(run, answer_h),
        "<h3>Where the return comes from</h3>",
        fig("attribution"),
        "<h3>Paths: returns, implied P/E, earnings and the macro drivers</h3>",
        fan_html,
        _macro_paths(run, answer_h),
        "</section>",
        "<section id='versus'><h2>Versus base</h2>",
        comparison_section(run, table, answer_h),
        "</section>",
        (
            "<section id='position'><h2>Position</h2>"
            + position_html(table, position[0], position[1])
            + "</section>"
            if position and position[1]
            else ""
        ),
        "<section id='risk'><h2>Risk detail</h2>",
        "<p>Each cell: the pooled value over every path, and below it the 90% credible "
        "interval of the same metric across posterior draws (the parameter uncertainty "
        "about it). Returns are simple; losses, VaR and CVaR are positive numbers. The "
        "attribution is in log terms, where its parts add up (its total is the mean log "
        "return, below the mean simple return by Jensen's inequality).</p>",
        _monte_carlo_note(table),
        *(fig(k) for k in dist[1:]),
        fig("var_cvar"),
        fig("risk_by_horizon"),
        *(_metric_rows(table, entities, h, risk) for h in horizons),
        "<details><summary>Attribution tables</summary>",
        *(_metric_rows(table, entities, h, _attribution_labels()) for h in horizons),
        "</details>",
        "</section>",
        "<section id='model'><h2>Model &amp; provenance</h2>",
        "<details><summary>Model: diagnostics, effects, identification, figures</summary>",
        _model_section(model),
        "</details>",
        "<details><summary>Provenance: data, hashes, seed, files, conventions</summary>",
        _provenance(run, root),
        "</details>",
        "</section>",
    ]
    return html_page(f"rutsim run {man.run_id}", "\n".join(s for s in sections if s))
