"""Command-line overrides of a run config: ``--set section.key=value``.

An override is applied to the TOML data *before* validation, so it is checked exactly
like the file (unknown keys get "did you mean", bad values name the key and the fix),
and it becomes part of the resolved config, its hash and the run's manifest.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from typing import Any

from rutsim.errors import ConfigError

_EXAMPLE = "--set simulation.paths_per_draw=2000"


def parse_value(text: str) -> Any:
    """Read an override value as TOML (``2000``, ``true``, ``0.5``, ``["a", "b"]``).

    Bare words are strings (``--set outputs.run_name=test``), and a bracketed list of
    bare words is a list of strings (``--set scenarios.names=[base,delayed_pivot]``).
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        stripped = text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            return [w.strip().strip("'\"") for w in stripped[1:-1].split(",") if w.strip()]
        return stripped


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Split ``section.key=value`` into the key path and the parsed value."""
    key, sep, value = text.partition("=")
    parts = tuple(p.strip() for p in key.split("."))
    if not sep or len(parts) < 2 or not all(parts):
        raise ConfigError(
            f"--set {text!r}: expected section.key=value. To fix: write e.g. {_EXAMPLE} "
            "(keys as in configs/README.md)."
        )
    return parts, parse_value(value)


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Return a copy of TOML ``data`` with every ``section.key=value`` override applied.

    Raises
    ------
    ConfigError
        An override is malformed or sets a key inside a value that is not a table.
    """
    out = _copy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise ConfigError(
                    f"--set {text!r}: '{where}' is a value, not a section. To fix: set "
                    f"'{where}' itself, e.g. --set {where}=..."
                )
            node = child
        node[parts[-1]] = value
    return out


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in data.items()}
