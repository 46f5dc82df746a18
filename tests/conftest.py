"""Shared test settings: strict JAX, headless plots, hypothesis profiles, the shared fit."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("MPLBACKEND", "Agg")
# rutsim's cache of measured speeds (rutsim.runs.cache_dir) goes to a scratch folder, never
# into the user's home; subprocesses of the tests inherit it.
if "RUTSIM_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["RUTSIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="rutsim-test-cache-")

# Reports draw every figure in the test process: the fast tier already runs one pytest
# worker per core, and a helper process per report would only contend with them. The
# tests of the helper (test_report_build, test_pipeline, the signal matrix) turn it on.
os.environ.setdefault("RUTSIM_FIGURE_HELPER", "0")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from helpers import run_cli, small_fit_config  # noqa: E402

if TYPE_CHECKING:
    from rutsim.model import FittedModel

jax.config.update("jax_numpy_rank_promotion", "raise")
# Mixed dtypes must be cast on purpose (the kernel runs in float32 unless asked otherwise).
jax.config.update("jax_numpy_dtype_promotion", "strict")

settings.register_profile("fast", deadline=None, max_examples=25)
settings.register_profile("ci", deadline=None, max_examples=60)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "fast"))

#: The real public data beside the project, when present (never required).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``cli(*args)`` runs ``rutsim ARGS`` in-process: (exit code, stdout, stderr)."""
    return lambda *args: run_cli(monkeypatch, capsys, *args)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of raw public data; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} not present (only needed for real-file tests)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_fit(tmp_path_factory: pytest.TempPathFactory) -> FittedModel:
    """The shared real fit (saved with its figures in a session models folder).

    The fast tier's one real NUTS fit. Under pytest-xdist every worker asks for it in one
    models folder shared by the workers: the model store's claim makes the first fit it
    and the others wait and load it (the product's own behaviour for concurrent fits).
    """
    from rutsim.model import fit_or_load

    if os.environ.get("PYTEST_XDIST_WORKER"):
        models = tmp_path_factory.getbasetemp().parent / "shared-models"
    else:
        models = tmp_path_factory.mktemp("models")
    return fit_or_load(small_fit_config(models), allow_unconverged=True, progress=False)
