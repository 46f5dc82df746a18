"""Writing the report files of a run folder, and rebuilding them from a saved run."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from rutsim.config import OutputConfig, validate_model
from rutsim.errors import RunOutputError
from rutsim.fileio import atomic_dir, atomic_write_bytes, atomic_write_text
from rutsim.report._figures import (
    attribution_chart,
    fan_chart,
    risk_by_horizon,
    scenario_colours,
    terminal_distributions,
    var_cvar_chart,
)
from rutsim.report._html import ModelInfo, render_html
from rutsim.report._summary import headline_horizons, summary_json
from rutsim.risk import BLEND
from rutsim.runs import RunData, load_run, resolve_weights, run_metrics

#: Everything the report layer adds to a run folder (and replaces on a rebuild).
REPORT_ENTRIES: tuple[str, ...] = (
    "metrics.parquet",
    "metrics.csv",
    "summary.json",
    "figures",
    "report.html",
)


class ReportFiles(NamedTuple):
    """Paths of the report files of one run folder."""

    metrics_parquet: Path
    metrics_csv: Path
    summary_json: Path
    figures: tuple[Path, ...]
    report_html: Path | None


def _slug(name: str, taken: set[str]) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "scenario"
    base, i = slug, 1
    while slug in taken:
        i += 1
        slug = f"{base}_{i}"
    taken.add(slug)
    return slug


def output_config(run: RunData) -> OutputConfig:
    """Return the ``[outputs]`` section of the run's saved ``config.toml`` (defaults if absent)."""
    if not run.config_toml:
        return OutputConfig()
    source = str(run.folder / "config.toml") if run.folder else "config.toml"
    try:
        section = tomllib.loads(run.config_toml).get("outputs", {})
    except tomllib.TOMLDecodeError as exc:
        raise RunOutputError(f"{source}: not valid TOML ({exc}). To fix: rerun the run.") from None
    return validate_model(OutputConfig, section, f"{source} [outputs]")


def _model_folder(run: RunData, models_dir: Path) -> Path | None:
    man = run.manifest
    candidates: list[Path] = []
    if man.model_dir:
        candidates.append(Path(man.model_dir))
    if man.model_id:
        candidates.append(models_dir / man.model_id)
        if run.folder is not None:
            candidates.append(run.folder.resolve().parent.parent / models_dir / man.model_id)
    return next((c for c in candidates if c.is_dir()), None)


def _model_info(folder: Path | None) -> ModelInfo | None:
    if folder is None:
        return None
    man = folder / "manifest.json"
    ident = folder / "identification.csv"
    effects = folder / "effects.csv"
    return ModelInfo(
        folder=str(folder),
        manifest_json=man.read_text(encoding="utf-8") if man.is_file() else "",
        identification=pd.read_csv(ident) if ident.is_file() else None,
        effects=pd.read_csv(effects) if effects.is_file() else None,
    )


def write_report_files(
    run: RunData,
    folder: Path,
    *,
    weights: Mapping[str, float] | None = None,
    horizons: Sequence[int] | None = None,
    figures: bool = True,
    report: bool = True,
) -> ReportFiles:
    """Write metrics, summary, figures and the HTML report of ``run`` into ``folder``.

    Used inside an atomic folder build (``rutsim run``, :func:`build_report`): files are
    written in place, without checks for earlier ones.

    Parameters
    ----------
    run : RunData
        The loaded run (see :func:`rutsim.runs.load_run`).
    folder : Path
        Where to write (normally the temporary run folder).
    weights : mapping, optional
        Blend weights overriding the manifest's.
    horizons : sequence of int, optional
        Horizons (quarters) called out in summary.json and the report; defaults to the
        config's ``[outputs].headline_horizons``.
    figures, report : bool
        Whether to write ``figures/*.png`` and ``report.html``.
    """
    folder = Path(folder)
    cfg = output_config(run)
    w = resolve_weights(run, weights)
    table = run_metrics(run, w)
    n_h = run.simulation.sizes["horizon"]
    hs = headline_horizons(horizons or cfg.headline_horizons, n_h)
    parquet, csv, summ = folder / "metrics.parquet", folder / "metrics.csv", folder / "summary.json"
    atomic_write_bytes(parquet, table.to_parquet(index=False))
    # Default float repr: the shortest text that reads back to the same double.
    atomic_write_text(csv, table.to_csv(index=False))
    atomic_write_text(summ, summary_json(run, table, w, hs))
    pngs: dict[str, tuple[str, bytes]] = {}
    model = _model_info(_model_folder(run, cfg.models_dir))
    if figures or report:
        colours = scenario_colours(run.scenarios)
        entities = [*run.scenarios, BLEND]
        taken: set[str] = set()
        for name in run.scenarios:
            pngs[f"fan_{_slug(name, taken)}.png"] = (
                f"Fan chart, scenario '{name}'",
                fan_chart(run, name, colours[name]),
            )
        pngs["terminal_distributions.png"] = (
            "Terminal return distributions",
            terminal_distributions(run, w, colours),
        )
        pngs["var_cvar.png"] = (
            f"VaR and CVaR at {n_h} quarters",
            var_cvar_chart(table, entities, n_h, colours),
        )
        pngs["risk_by_horizon.png"] = (
            "CVaR and probability of loss by horizon",
            risk_by_horizon(table, entities, colours),
        )
        pngs["attribution.png"] = (
            f"Attribution at {n_h} quarters",
            attribution_chart(table, entities, n_h),
        )
        if model is not None:
            for plot in sorted((Path(model.folder) / "plots").glob("*.png")):
                pngs[f"model_{plot.name}"] = (f"Model: {plot.stem}", plot.read_bytes())
    written: list[Path] = []
    if figures:
        for fname, (_, png) in pngs.items():
            atomic_write_bytes(folder / "figures" / fname, png)
            written.append(folder / "figures" / fname)
    html_path = None
    if report:
        html_path = folder / "report.html"
        captions = {cap: png for cap, png in pngs.values()}
        atomic_write_text(html_path, render_html(run, table, w, hs, captions, model))
    return ReportFiles(parquet, csv, summ, tuple(written), html_path)


def _link_or_copy(src: Path, dst: Path) -> None:
    # Hard links make the copy of a large simulation.nc instant; the file is never
    # modified in place, so sharing the inode with the old folder is safe.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def build_report(
    run_folder: Path,
    *,
    overwrite_report: bool = False,
    weights: Mapping[str, float] | None = None,
) -> ReportFiles:
    """Rebuild every report file of a saved run without simulating again.

    The run is loaded and validated first; the new files are then written into a
    temporary copy of the folder that replaces it atomically, so on any error the folder
    is left exactly as it was.

    Parameters
    ----------
    run_folder : Path
        ``outputs/<run-id>``.
    overwrite_report : bool, default False
        Replace report files that already exist. Without it an existing report is an
        error (results are never overwritten silently).
    weights : mapping, optional
        Blend weights overriding the manifest's.

    Returns
    -------
    ReportFiles
        Paths inside ``run_folder``.
    """
    run_folder = Path(run_folder)
    run = load_run(run_folder)
    existing = [n for n in REPORT_ENTRIES if (run_folder / n).exists()]
    if existing and not overwrite_report:
        raise RunOutputError(
            f"{run_folder} already has report files ({', '.join(existing)}). To fix: pass "
            "--overwrite (overwrite_report=True) to rebuild them."
        )
    with atomic_dir(run_folder, overwrite=True) as tmp:
        for entry in run_folder.iterdir():
            if entry.name in REPORT_ENTRIES:
                continue
            if entry.is_dir():
                shutil.copytree(entry, tmp / entry.name, copy_function=_link_or_copy)
            else:
                _link_or_copy(entry, tmp / entry.name)
        files = write_report_files(run, tmp, weights=weights)

    def moved(p: Path) -> Path:
        return run_folder / p.relative_to(tmp)

    return ReportFiles(
        moved(files.metrics_parquet),
        moved(files.metrics_csv),
        moved(files.summary_json),
        tuple(moved(p) for p in files.figures),
        None if files.report_html is None else moved(files.report_html),
    )


def describe(files: ReportFiles) -> str:
    """One line per written file (for the CLI)."""
    paths = [files.metrics_parquet, files.metrics_csv, files.summary_json, *files.figures]
    if files.report_html is not None:
        paths.append(files.report_html)
    return "\n".join(str(p) for p in paths)
