"""TOML text for the files rutsim writes (the standard library reads TOML but cannot write it).

Whole machine-written documents (a run's resolved ``config.toml``) go through
:mod:`tomli_w`. The scalar writers below are hand-written for the one thing tomli_w does not
do: the human-facing scenario files of :mod:`rutsim.scenario`, laid out line by line with
comments and wrapped descriptions. Every writer that uses this module parses its text back
and compares before the text reaches the disk, so a value it cannot express is an error,
never a silent loss.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Mapping

import tomli_w


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


def _without_none(value: object) -> object:
    # TOML has no null: a key whose value is None is left out (it defaults to None).
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def toml_document(data: Mapping[str, object], header: str = "") -> str:
    """Render nested mappings as a whole TOML document (``None`` values are left out).

    Written by :mod:`tomli_w`, with ``header`` as a comment on the first line.
    """
    text = tomli_w.dumps(_without_none(data))  # type: ignore[arg-type]
    return f"# {header}\n\n{text}" if header else text
