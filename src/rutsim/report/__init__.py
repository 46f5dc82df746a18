"""Every file the report layer writes into a run folder: tables, summary, figures, HTML."""

from rutsim.report._build import (
    REPORT_ENTRIES,
    ReportFiles,
    build_report,
    output_config,
    write_report_files,
)
from rutsim.report._figures import figure_png
from rutsim.report._html import escape, figures_html, render_html
from rutsim.report._run_files import config_to_toml, write_simulation_files
from rutsim.report._summary import HEADLINE_METRICS, summary_json

__all__ = [
    "HEADLINE_METRICS",
    "REPORT_ENTRIES",
    "ReportFiles",
    "build_report",
    "config_to_toml",
    "escape",
    "figure_png",
    "figures_html",
    "output_config",
    "render_html",
    "summary_json",
    "write_report_files",
    "write_simulation_files",
]
