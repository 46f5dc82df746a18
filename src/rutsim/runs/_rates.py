"""Measured speeds of this machine, remembered between runs for honest time estimates.

A run's time estimate first comes from the benchmark rate (``runs._budget``), which is a
rounded-up figure for a quiet 2-core machine; after one run the estimate uses what this
machine measured: the simulation's seconds per path-step (on the cores it used) and the
first chunk's compile time. They are kept in ``timings.json`` in rutsim's cache folder:
``$RUTSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/rutsim``, else ``~/.cache/rutsim``.
Reading or writing it never fails a run: a missing or unreadable file means no
measurement, and a folder that cannot be written is skipped.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from rutsim.errors import RutsimError
from rutsim.files import atomic_write_text

#: Environment variable naming rutsim's cache folder (tests point it at a temporary one).
CACHE_ENV = "RUTSIM_CACHE_DIR"
_FILE = "timings.json"
#: Key of the simulation's CPU-seconds per path-step (wall seconds x cores used).
SIMULATE_RATE = "simulate_core_s_per_path_step"
#: Key of the first chunk's time, compile included.
FIRST_CHUNK = "first_chunk_s"
#: What a first chunk may take before anything was measured (JAX compiling, cold caches).
FIRST_CHUNK_GUESS = 20.0


def cache_dir() -> Path:
    """Return rutsim's cache folder (not created)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rutsim"


def _read() -> dict[str, float]:
    try:
        data = json.loads((cache_dir() / _FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and math.isfinite(v) and v > 0
    }


def measured(key: str) -> float | None:
    """Return the last measured value of ``key`` on this machine, or None."""
    return _read().get(key)


def remember(values: dict[str, float]) -> None:
    """Record measured values (best effort: a cache that cannot be written is skipped)."""
    clean = {k: float(v) for k, v in values.items() if math.isfinite(v) and v > 0}
    if not clean:
        return
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / _FILE, json.dumps(_read() | clean, indent=2) + "\n")
    except (OSError, RutsimError):  # an estimate's cache never fails a finished run
        return
