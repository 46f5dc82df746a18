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
from rutsim.report._figures import figure_png
from rutsim.report._html import escape, figures_html, render_html
from rutsim.report._summary import HEADLINE_METRICS, summary_json
from rutsim.report._terminal import TABLE_HORIZONS, describe_model, format_table, summary_table

__all__ = [
    "HEADLINE_METRICS",
    "REPORT_ENTRIES",
    "TABLE_HORIZONS",
    "ReportFiles",
    "build_report",
    "describe",
    "describe_model",
    "escape",
    "figure_png",
    "figures_html",
    "format_table",
    "output_config",
    "render_html",
    "summary_json",
    "summary_table",
    "write_report_files",
]
