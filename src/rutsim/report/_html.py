"""``report.html``: one self-contained page (inline CSS, base64 images, no scripts, no URLs).

Every string that comes from a user or a file (scenario names and descriptions, manifest,
config, diagnostics) goes through :func:`html.escape`; only the fixed markup of this
module is written raw.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rutsim.report._summary import HEADLINE_METRICS
from rutsim.risk import BLEND, COMPONENTS, CONVENTION_ATTRS, quantile
from rutsim.runs import RunData

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1200px;color:#222;padding:0 1em}
h1{border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f0f0f0}td.l,th.l{text-align:left}
td.desc{white-space:pre-wrap;max-width:40em;font-size:0.9em}
img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}
pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:0.85em}
.ci{color:#666;font-size:0.85em}
"""


@dataclass(frozen=True)
class ModelInfo:
    """What the report shows about the fitted model (all optional)."""

    folder: str = ""
    manifest_json: str = ""
    identification: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None


def escape(text: object) -> str:
    """HTML-escape any value's string form (quotes included): every user or file string."""
    return html.escape(str(text), quote=True)


def figures_html(figures: Mapping[str, bytes]) -> str:
    """Embed PNGs (caption -> bytes) as base64 ``<figure>`` elements, in order."""
    return "".join(
        f"<figure><img alt='{escape(cap)}' src='data:image/png;base64,"
        f"{base64.b64encode(png).decode('ascii')}'><figcaption>{escape(cap)}</figcaption></figure>"
        for cap, png in figures.items()
    )


def _pct(v: float) -> str:
    return "n/a" if np.isnan(v) else f"{100 * v:.1f}%"


def _cell(table: pd.DataFrame, entity: str, h: int, metric: str) -> str:
    sel = table[(table.scenario == entity) & (table.horizon == h) & (table.metric == metric)]
    v = dict(zip(sel.statistic, sel.value, strict=True))
    if np.isnan(v["pooled"]):
        return "<td>n/a</td>"
    return (
        f"<td>{_pct(v['pooled'])}<br><span class='ci'>[{_pct(v['draw_q05'])}, "
        f"{_pct(v['draw_q95'])}]</span></td>"
    )


def _metric_table(
    table: pd.DataFrame,
    entities: Sequence[str],
    horizons: Sequence[int],
    metrics: Mapping[str, str],
) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for label in metrics.values())
    rows = []
    for h in horizons:
        for e in entities:
            cells = "".join(_cell(table, e, h, m) for m in metrics)
            label = f"{h} ({h // 4}y)" if h % 4 == 0 else str(h)
            rows.append(f"<tr><td>{label}</td><td class='l'>{escape(e)}</td>{cells}</tr>")
    return (
        f"<table><tr><th>quarters</th><th class='l'>scenario</th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def _scenario_section(run: RunData, weights: Mapping[str, float]) -> str:
    entries = {e.name: e for e in run.manifest.scenarios}
    rows = []
    for name in run.scenarios:
        entry = entries.get(name)
        extra = {} if entry is None else (entry.model_extra or {})
        details = "; ".join(f"{k} = {v}" for k, v in extra.items())
        rows.append(
            f"<tr><td class='l'><b>{escape(name)}</b></td><td>{weights[name]:.3f}</td>"
            f"<td class='l desc'>{escape(entry.description.strip() if entry else '')}</td>"
            f"<td class='l'>{escape(entry.file if entry and entry.file else '')}</td>"
            f"<td class='l'>{escape(details)}</td></tr>"
        )
    table = (
        "<table><tr><th class='l'>scenario</th><th>blend weight</th><th class='l'>"
        "description</th><th class='l'>file</th><th class='l'>other settings</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return table + _macro_paths(run)


def _macro_paths(run: RunData) -> str:
    sim = run.simulation
    quarters = (
        [str(q) for q in sim["quarter"].values]
        if "quarter" in sim.coords
        else [f"+{int(h)}q" for h in sim["horizon"].values]
    )
    head = "".join(f"<th>{escape(q)}</th>" for q in quarters)
    rows = []
    for name in run.scenarios:
        for var, label in (
            ("fedfunds", "fed funds %"),
            ("unemployment", "unemployment %"),
            ("slope", "slope pp"),
            ("spread", "spread pp"),
            ("real_yield", "real 10y yield pp"),
        ):
            if var not in sim:
                continue
            vals = sim[var].sel(scenario=name).values.astype(np.float64)
            med = quantile(vals.reshape(-1, vals.shape[-1]), 0.5, axis=0)
            cells = "".join(f"<td>{v:.2f}</td>" for v in med)
            rows.append(
                f"<tr><td class='l'>{escape(name)}</td><td class='l'>{label}</td>{cells}</tr>"
            )
    return (
        "<p>Median simulated macro path per quarter (pinned variables follow the "
        "scenario's path; the others are simulated conditionally):</p>"
        f"<table><tr><th class='l'>scenario</th><th class='l'>variable</th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def _attribution_table(
    table: pd.DataFrame, entities: Sequence[str], horizons: Sequence[int]
) -> str:
    metrics = {}
    for tag, label in (("mean", "mean"), ("cvar95", "CVaR-95 tail")):
        for c in (*COMPONENTS, "total"):
            metrics[f"attr_{tag}_{c}"] = f"{label}: {c.replace('_', ' ')}"
    return _metric_table(table, entities, horizons, metrics)


#: Labels of the skeleton split in ``drivers.csv`` (see rutsim.model.decompose).
DRIVER_PARTS = {
    "valuation_reversion": "valuation reversion",
    "earnings_trend": "earnings trend",
    "rates": "rates",
    "credit": "credit",
    "activity": "activity",
    "total": "skeleton total",
}


def drivers_section(run: RunData, horizons: Sequence[int]) -> str:
    """Per scenario, the deterministic skeleton of the small-cap log price split by driver."""
    path = run.folder / "drivers.csv"
    if not path.is_file():
        return "<p>This run folder has no drivers.csv (runs written before model v2 lack it).</p>"
    df = pd.read_csv(path)
    head = "".join(f"<th>{int(h)}q</th>" for h in horizons)
    rows = []
    for name in run.scenarios:
        one = df[df["scenario"] == name].set_index("quarter")
        for part, label in DRIVER_PARTS.items():
            cells = "".join(
                f"<td>{100 * float(one.at[h, part]):+.1f}</td>" if h in one.index else "<td></td>"
                for h in horizons
            )
            style = " style='font-weight:bold'" if part == "total" else ""
            first = f"<td class='l'>{escape(name)}</td><td class='l'>{label}</td>"
            rows.append(f"<tr{style}>{first}{cells}</tr>")
    return (
        "<p>Why the centre is where it is: the model's deterministic skeleton (every shock "
        "at zero, posterior mean, along the scenario's median macro path) of the small-cap "
        "cumulative log price return, in log points. <b>Valuation reversion</b> and "
        "<b>earnings trend</b> are where multiple and earnings go with every driver held at "
        "its last observed value; <b>rates</b> (fed funds, slope, real yield), "
        "<b>credit</b> and <b>activity</b> (unemployment) are what the scenario's changes "
        "in them add. The parts add up to the skeleton total, which sits near, not at, the "
        "simulated median (shocks are skewed and fat-tailed).</p>"
        f"<table><tr><th class='l'>scenario</th><th class='l'>part</th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def _model_section(model: ModelInfo | None) -> str:
    if model is None or not model.folder:
        return (
            "<p>The model folder named in the run manifest was not found, so its "
            "diagnostics and identification summary are not shown.</p>"
        )
    parts = [f"<p>Model folder: <code>{escape(model.folder)}</code></p>"]
    if model.manifest_json:
        parts.append(
            f"<h3>Fit manifest and diagnostics</h3><pre>{escape(model.manifest_json)}</pre>"
        )
    if model.effects is not None:
        parts.append(
            "<h3>Long-run effects</h3><p>A permanent +1 pp step in one driver, the others "
            "held, once the model has settled (log points: median and 90% interval; "
            "'theory' is the sign economics expects, 'agrees' whether the interval says "
            "so).</p>"
            + model.effects[model.effects["in_model"]]
            .drop(columns="in_model")
            .to_html(index=False, escape=True, na_rep="", float_format="{:+.3f}".format)
        )
    if model.identification is not None:
        parts.append(
            "<h3>Identification summary</h3>"
            + model.identification.to_html(index=False, escape=True, na_rep="n/a")
        )
    return "".join(parts)


def render_html(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    horizons: Sequence[int],
    figures: Mapping[str, bytes],
    model: ModelInfo | None,
) -> str:
    """Render the whole report as one HTML string.

    Parameters
    ----------
    figures : mapping of str to bytes
        Caption to PNG bytes, embedded in order.
    """
    entities = [*run.scenarios, BLEND]
    man = run.manifest
    sizes = run.simulation.sizes
    per_draw = "all simulated paths" if run.draw_metrics is not None else "the saved paths"
    as_of = man.as_of or run.simulation.attrs.get("as_of", "unknown")
    imgs = figures_html(figures)
    conv = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in CONVENTION_ATTRS.items())
    try:
        manifest_text = json.dumps(json.loads(run.manifest_json), indent=2)
    except json.JSONDecodeError:
        manifest_text = run.manifest_json
    headline = {
        k: HEADLINE_METRICS[k]
        for k in ("return_mean", "return_median", "prob_loss", "var_95", "cvar_95")
    }
    risk = {k: v for k, v in HEADLINE_METRICS.items() if k not in headline}
    sections = [
        f"<h1>rutsim run {escape(man.run_id)}</h1>",
        "<h2>The question asked</h2><p>Given each path for Fed policy below, what is the "
        "distribution of Russell 2000 total returns, and why? Blended results mix the "
        f"scenarios with the weights shown. Last observed quarter: <b>{escape(as_of)}</b>.</p>",
        _scenario_section(run, weights),
        "<h2>Headline numbers</h2><p>Cumulative simple total return from the last observed "
        "quarter. Each cell: the pooled predictive value over all posterior draws and paths, "
        "and below it the 90% credible interval of the same metric across posterior draws "
        f"({sizes['sample']} draws; {sizes['sample'] * sizes['path']} saved paths pooled per "
        f"scenario; per-draw metrics from {per_draw}).</p>",
        _metric_table(table, entities, horizons, headline),
        f"<h2>Figures</h2>{imgs}",
        "<h2>Risk table</h2><p>Losses are positive numbers; VaR and CVaR at confidence "
        "level 95% and 99%.</p>",
        _metric_table(table, entities, horizons, risk),
        "<h2>What drives the answer</h2>",
        drivers_section(run, horizons),
        "<h2>Attribution</h2><p>Cumulative log return split into earnings growth, multiple "
        "change and carry, for the mean outcome and for the worst 5% (the CVaR-95 tail). "
        "The parts add up to the total.</p>",
        _attribution_table(table, entities, horizons),
        "<h2>Model diagnostics and identification</h2>",
        _model_section(model),
        "<h2>Data vintage</h2><table>"
        + "".join(
            f"<tr><th class='l'>{escape(k)}</th><td class='l'>{escape(v)}</td></tr>"
            for k, v in (
                ("last observed quarter", as_of),
                ("data hash", man.data_hash),
                ("model id", man.model_id),
                ("config hash", man.config_hash),
                ("seed", man.seed),
            )
        )
        + "</table>",
        f"<h2>Conventions</h2><ul>{conv}</ul>",
        f"<h2>Run manifest</h2><pre>{escape(manifest_text)}</pre>",
        f"<h3>Resolved config</h3><pre>{escape(run.config_toml)}</pre>",
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>rutsim run {escape(man.run_id)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
