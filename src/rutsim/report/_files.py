"""Writing the report files of a run folder, and rebuilding them from a saved run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from rutsim.config import PortfolioConfig, validate_model
from rutsim.errors import RunOutputError
from rutsim.files import atomic_dir, atomic_write_bytes, atomic_write_text, clear_stale
from rutsim.report._drawing import FigureHelper, draw_figures, figure_helper
from rutsim.report._history import load_history
from rutsim.report._html import ModelInfo, relative, render_html
from rutsim.report._position import position_horizons, position_summary
from rutsim.report._summary import headline_horizons, summary_json
from rutsim.runs import (
    RunData,
    load_run,
    output_config,
    portfolio_config,
    record_report_files,
    resolve_weights,
    run_metrics,
)
from rutsim.status import announce, shown

#: Everything the report layer adds to a run folder (and replaces on a rebuild).
REPORT_ENTRIES: tuple[str, ...] = (
    "metrics.parquet",
    "metrics.csv",
    "summary.json",
    "figures",
    "report.html",
)


class ReportFiles(NamedTuple):
    """Paths of the report files of one run folder, and the table they were made from."""

    metrics_parquet: Path
    metrics_csv: Path
    summary_json: Path
    figures: tuple[Path, ...]
    report_html: Path | None
    table: pd.DataFrame
    horizons: tuple[int, ...]
    portfolio: PortfolioConfig = PortfolioConfig()
    position_horizons: tuple[int, ...] = ()


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


#: Captions of the model's own figures, by file-name prefix.
MODEL_FIGURES: dict[str, str] = {
    "trace_": "Traces and marginal posteriors",
    "trace_rank_": "Traces and rank histograms",
    "rank_": "Rank plots (flat within the band = chains agree)",
    "prior_posterior_": "Prior against posterior",
    "forest_": "Macro sensitivities, posterior intervals (forest)",
    "forest_sensitivities": "Macro sensitivities of earnings, multiple and q (posterior intervals)",
    "pair_q": "Joint posterior of the weakly identified q parameters (pair plot)",
    "energy": "Energy: marginal against transition, with BFMI per chain",
    "ppc": "Posterior predictive check of every observed series",
    "decomposition": "Small-cap earnings x multiple split (model output)",
}


def model_figure_caption(stem: str) -> str:
    """Return a reader's caption for a model figure file (``trace_small_cap`` -> ...)."""
    for prefix, caption in sorted(MODEL_FIGURES.items(), key=lambda kv: -len(kv[0])):
        if stem.startswith(prefix):
            rest = stem[len(prefix) :].replace("_", " ").strip()
            return f"{caption}: {rest} parameters" if rest else caption
    return stem.replace("_", " ")


#: Where a run folder keeps its copies of the model's figures (the report links them).
MODEL_FIGURES_DIR = Path("figures") / "model"


def _copy_model_figures(folder: Path | None, run_folder: Path) -> list[Path]:
    """Copy (hard-link when possible) the model's figures into the run folder.

    The report then links only files inside its own folder, so it works when the folder
    is moved, zipped or sent on its own.
    """
    if folder is None:
        return []
    out = []
    for png in sorted((folder / "plots").glob("*.png")):
        target = run_folder / MODEL_FIGURES_DIR / png.name
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(png, target)
        out.append(target)
    return out


def _model_info(folder: Path | None, copies: Sequence[Path], shown_as: str) -> ModelInfo | None:
    if folder is None:
        return None
    man = folder / "manifest.json"
    ident = folder / "identification.csv"
    effects = folder / "effects.csv"
    plots = tuple(
        (model_figure_caption(p.stem), (MODEL_FIGURES_DIR / p.name).as_posix()) for p in copies
    )
    return ModelInfo(
        folder=shown_as,
        manifest_json=man.read_text(encoding="utf-8") if man.is_file() else "",
        identification=pd.read_csv(ident) if ident.is_file() else None,
        effects=pd.read_csv(effects) if effects.is_file() else None,
        plots=plots,
    )


def write_report_files(
    run: RunData,
    folder: Path,
    *,
    weights: Mapping[str, float] | None = None,
    horizons: Sequence[int] | None = None,
    figures: bool = True,
    report: bool = True,
    portfolio: PortfolioConfig | None = None,
    helper: FigureHelper | None = None,
) -> ReportFiles:
    """Write metrics, summary, figures and the HTML report of ``run`` into ``folder``.

    Used inside an atomic folder build (``rutsim run``, :func:`build_report`): files are
    written in place, without checks for earlier ones. The metrics and summary are
    always written; figures and the page as asked.

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
    portfolio : PortfolioConfig, optional
        The position stated in currency; defaults to the config's ``[portfolio]``.
    helper : FigureHelper, optional
        A process that draws part of the figures at the same time (see
        :func:`figure_helper`).
    """
    folder = Path(folder)
    cfg = output_config(run)
    w = resolve_weights(run, weights)
    announce("computing the metrics table (pooled over every path, and per posterior draw)")
    position = portfolio or portfolio_config(run)
    table = run_metrics(run, w, position)
    n_h = run.simulation.sizes["horizon"]
    hs = headline_horizons(horizons or cfg.headline_horizons, n_h)
    pos_h = position_horizons(position, hs, n_h) if position.notional is not None else []
    pos_summary = position_summary(table, position, pos_h) if pos_h else None
    parquet, csv, summ = folder / "metrics.parquet", folder / "metrics.csv", folder / "summary.json"
    atomic_write_bytes(parquet, table.to_parquet(index=False))
    # Default float repr: the shortest text that reads back to the same double.
    atomic_write_text(csv, table.to_csv(index=False))
    atomic_write_text(summ, summary_json(run, table, w, hs, pos_summary))
    pngs: dict[str, tuple[str, bytes]] = {}
    root = folder.resolve().parent.parent
    if figures or report:
        announce("drawing the figures")
        pngs = draw_figures(run, table, w, n_h, load_history(run), helper)
    written: list[Path] = []
    if figures:
        for key, (_, png) in pngs.items():
            atomic_write_bytes(folder / "figures" / f"{key}.png", png)
            written.append(folder / "figures" / f"{key}.png")
    html_path = None
    if report:
        announce("writing report.html")
        model_folder = _model_folder(run, cfg.models_dir)
        copies = _copy_model_figures(model_folder, folder)
        written += copies
        # The manifest's model_dir is relative to the project (older runs: absolute).
        shown_as = relative(run.manifest.model_dir, root) if run.manifest.model_dir else ""
        model = _model_info(model_folder, copies, shown_as or f"models/{run.manifest.model_id}")
        html_path = folder / "report.html"
        page = render_html(run, table, w, hs, pngs, model, root, (position, pos_h))
        atomic_write_text(html_path, page)
    report_paths = [parquet, csv, summ, *written, *([html_path] if html_path else [])]
    record_report_files(folder, report_paths)
    return ReportFiles(
        parquet, csv, summ, tuple(written), html_path, table, tuple(hs), position, tuple(pos_h)
    )


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
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
    position: Mapping[str, object] | None = None,
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
    position : mapping, optional
        Keys of ``[portfolio]`` changed for this report (``rutsim report --notional``),
        validated like the config; the position is recorded in summary.json.

    Returns
    -------
    ReportFiles
        Paths inside ``run_folder``.
    """
    run_folder = Path(run_folder)
    with figure_helper() as helper:  # started first: its imports overlap the loading
        return _rebuild(run_folder, overwrite_report, weights, position, helper)


def _rebuild(
    run_folder: Path,
    overwrite_report: bool,
    weights: Mapping[str, float] | None,
    position: Mapping[str, object] | None,
    helper: FigureHelper | None,
) -> ReportFiles:
    # The temporary folders of an earlier rebuild that was killed (SIGKILL) go first.
    clear_stale(run_folder.parent)
    announce(f"loading {run_folder}")
    # The report files are rebuilt from the simulation files, which must be intact.
    run = load_run(run_folder, verify_report=False)
    portfolio = None
    if position:
        saved = portfolio_config(run).model_dump(mode="json")
        portfolio = validate_model(
            PortfolioConfig, saved | dict(position), "the position options [portfolio]"
        )
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
        files = write_report_files(run, tmp, weights=weights, portfolio=portfolio, helper=helper)

    def moved(p: Path) -> Path:
        return run_folder / p.relative_to(tmp)

    return ReportFiles(
        moved(files.metrics_parquet),
        moved(files.metrics_csv),
        moved(files.summary_json),
        tuple(moved(p) for p in files.figures),
        None if files.report_html is None else moved(files.report_html),
        files.table,
        files.horizons,
        files.portfolio,
        files.position_horizons,
    )


def describe(files: ReportFiles) -> str:
    """One line per written file (for the CLI), relative to the working folder."""
    paths = [files.metrics_parquet, files.metrics_csv, files.summary_json, *files.figures]
    if files.report_html is not None:
        paths.append(files.report_html)
    return "\n".join(shown(p) for p in paths)
