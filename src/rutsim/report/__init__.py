"""Presentation: the tables, summary, figures and HTML page of a run folder.

The report reads a run only through :func:`rutsim.runs.load_run` and adds its files beside
the simulation's; it never writes the simulation files themselves.
"""

from rutsim.report._compare import compare_runs, scenario_differences
from rutsim.report._drawing import figure_helper
from rutsim.report._export import export_run
from rutsim.report._figures import figure_png
from rutsim.report._files import REPORT_ENTRIES, build_report, describe, write_report_files
from rutsim.report._html import escape, figures_html
from rutsim.report._page import html_page
from rutsim.report._position import format_position
from rutsim.report._summary import summary_json
from rutsim.report._terminal import describe_model, format_headline, headline_table

__all__ = [
    "export_run",
    "compare_runs",
    "scenario_differences",
    "REPORT_ENTRIES",
    "build_report",
    "describe",
    "describe_model",
    "escape",
    "html_page",
    "figure_helper",
    "figure_png",
    "figures_html",
    "format_headline",
    "format_position",
    "summary_json",
    "headline_table",
    "write_report_files",
]
