"""The one HTML page skeleton and style sheet of every page rutsim writes.

The run report, the comparison pages and the validation folders' pages are all
self-contained (inline CSS, base64 figures, no scripts) and share this skeleton, so they
look alike and a style fix lands everywhere.
"""

from __future__ import annotations

from html import escape

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0 auto;
max-width:1040px;color:#222;padding:0.6em 1em 3em;line-height:1.4}
h1{font-size:1.45em;margin:0.2em 0 0.1em}h2{margin-top:1.6em;border-bottom:1px solid #bbb;
font-size:1.2em}h3{font-size:1.02em;margin:1.2em 0 0.3em}
.meta{color:#555;font-size:0.85em;margin:0 0 0.5em}
nav{font-size:0.85em;margin:0.3em 0 0.6em}nav a{margin-right:0.9em}
.wrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:0.5em 0;font-size:0.84em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td.l,th.l{text-align:left}td.w{white-space:normal;min-width:14em}
tr.blend td{font-weight:600;background:#fafafa}
.ci{color:#666;font-size:0.85em}
.flag{color:#a40;font-size:0.8em;font-weight:600}
.q{margin:0.2em 0 0.4em;padding-left:1.2em}.q li{margin:0.1em 0}
figure{margin:0.6em 0}img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:0.85em;color:#444}
pre{background:#f7f7f7;padding:0.8em;overflow-x:auto;font-size:0.8em}
details{margin:0.5em 0}summary{cursor:pointer;font-weight:600}
.note{font-size:0.85em;color:#444}
@media (max-width:900px){body{padding:0.4em 0.5em 2em}table{font-size:0.74em}
th,td{padding:2px 3px}}
"""

#: Wide tables (the validation pages) get more room than the run report's reading width.
_WIDE = "body{max-width:1500px}"


def html_page(title: str, body: str, *, wide: bool = False) -> str:
    """Return a whole self-contained page: the shared head and style, then ``body``.

    ``title`` is escaped here; ``body`` is already-escaped HTML.
    """
    style = CSS + (_WIDE + "\n" if wide else "")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title, quote=True)}</title><style>{style}</style></head><body>"
        + body
        + "</body></html>\n"
    )
