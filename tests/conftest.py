"""Shared test settings: strict JAX, headless plots, hypothesis profiles, slow tests."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", "raise")

settings.register_profile("fast", deadline=None, max_examples=25)
settings.register_profile("ci", deadline=None, max_examples=60)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "fast"))

#: The real public data beside the project, when present (never required).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of raw public data; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} not present (only needed for real-file tests)")
    return SHARED_DATA
