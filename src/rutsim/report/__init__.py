"""Presentation: the tables, summary, figures and HTML page of a run folder.

The report reads a run only through :func:`rutsim.runs.load_run` and adds its files beside
the simulation's; it never writes the simulation files themselves.
"""

from rutsim.report._build import (
    REPORT_ENTRIES,
    ReportFiles,
    build_report,
    describe,
    output_config,
    write_report_files,
)
from rutsim.report._compare import (
    COMPARED,
    Comparison,
    Difference,
    base_scenario,
    compare_runs,
    differences_frame,
    driver_reason,
    run_differences,
    scenario_differences,
)
from rutsim.report._export import export_run
from rutsim.report._figures import figure_png, horizon_label
from rutsim.report._history import History, load_history
from rutsim.report._html import escape, figures_html, render_html
from rutsim.report._position import format_position
from rutsim.report._summary import HEADLINE_METRICS, headline_horizons, summary_json
from rutsim.report._terminal import (
    HEADLINE_COLUMNS,
    describe_model,
    format_headline,
    headline_table,
)

__all__ = [
    "export_run",
    "COMPARED",
    "Difference",
    "History",
    "Comparison",
    "base_scenario",
    "compare_runs",
    "differences_frame",
    "driver_reason",
    "horizon_label",
    "load_history",
    "run_differences",
    "scenario_differences",
    "HEADLINE_METRICS",
    "REPORT_ENTRIES",
    "HEADLINE_COLUMNS",
    "ReportFiles",
    "build_report",
    "describe",
    "describe_model",
    "escape",
    "figure_png",
    "figures_html",
    "format_headline",
    "format_position",
    "output_config",
    "render_html",
    "summary_json",
    "headline_horizons",
    "headline_table",
    "write_report_files",
]
