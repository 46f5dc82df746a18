"""Self-contained HTML pages for validation folders (inline CSS, base64 PNGs, no scripts).

Every string from a config, a file or the data is escaped (the report layer's
:func:`rutsim.report.escape`); only this module's fixed markup is written raw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rutsim.report import escape as esc
from rutsim.report import figures_html, html_page

__all__ = ["esc", "figures_html", "page", "table_html"]


def _fmt(value: object, pct: bool) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(value)
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "n/a"
        return f"{100 * value:.1f}%" if pct else f"{value:.3f}"
    return esc(value)


def table_html(frame: pd.DataFrame, pct: Sequence[str] = (), left: Sequence[str] = ()) -> str:
    """Render a DataFrame (index ignored) as an escaped HTML table.

    ``pct`` columns print as percentages; ``left`` columns are left-aligned text.
    """
    head = "".join(f"<th class='{'l' if c in left else ''}'>{esc(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='{'l' if c in left else ''}'>{_fmt(v, c in pct)}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<div class='wrap'><table><tr>{head}</tr>{body}</table></div>"


def page(title: str, sections: Sequence[str]) -> str:
    """Return a whole self-contained page; ``sections`` are already-escaped HTML fragments."""
    return html_page(title, f"<h1>{esc(title)}</h1>" + "\n".join(sections), wide=True)
