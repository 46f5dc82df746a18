"""TOML text for the files rutsim writes (the standard library reads TOML but cannot write it).

Only the subset of TOML that rutsim's own files use: strings, numbers, booleans, arrays
and tables. Every writer that uses this parses its text back and compares before the text
reaches the disk, so a value this module cannot express is an error, never a silent loss.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Mapping

__all__ = ["toml_document", "toml_key", "toml_multiline", "toml_string", "toml_value"]


def _escape(text: str, keep: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in keep:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(text: str) -> str:
    """Quote ``text`` as a one-line TOML basic string."""
    return '"' + _escape(text, keep="") + '"'


def toml_multiline(text: str, width: int = 88) -> str:
    """Quote ``text`` as a multi-line string, paragraphs re-wrapped to ``width``."""
    paragraphs = [
        textwrap.fill(p, width=width, break_on_hyphens=False) for p in text.strip().split("\n\n")
    ]
    return '"""\n' + _escape("\n\n".join(paragraphs), keep="\n\t") + '"""'


def toml_key(key: str) -> str:
    """Write ``key`` bare when TOML allows it, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def toml_value(value: object, *, finite: bool = False) -> str:
    """One TOML value: bool, int, float (``repr``, exact), str, list/tuple or inline table.

    ``finite=True`` refuses NaN and infinities (scenario files must not hold them).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            if finite:
                raise ValueError(f"cannot write non-finite value {value!r}")
            return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v, finite=finite) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_leaf(value: object) -> bool:
    # Small tables of scalars (e.g. a prior's args) read best inline.
    return isinstance(value, dict) and not any(isinstance(v, dict) for v in value.values())


def _table(prefix: str, table: Mapping[str, object], lines: list[str]) -> None:
    depth = prefix.count(".") + 1 if prefix else 0
    inline = {
        k: v
        for k, v in table.items()
        if v is not None and (not isinstance(v, dict) or (depth >= 2 and _is_leaf(v)) or not v)
    }
    tables = {k: v for k, v in table.items() if isinstance(v, dict) and v and k not in inline}
    if prefix and (inline or not tables):
        lines.append(f"\n[{prefix}]")
    for key, value in inline.items():
        lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in tables.items():
        _table(f"{prefix}.{toml_key(key)}" if prefix else toml_key(key), value, lines)


def toml_document(data: Mapping[str, object], header: str = "") -> str:
    """Render nested mappings as a whole TOML document (``None`` values are left out).

    Tables nested two levels or more whose values are all scalars are written inline.
    """
    lines = [f"# {header}"] if header else []
    _table("", data, lines)
    return "\n".join(lines) + "\n"
