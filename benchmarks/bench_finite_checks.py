"""Cost of the non-finite checks in the risk reducer (issue 14), per CPU-second.

``OMP_NUM_THREADS=1 python benchmarks/bench_finite_checks.py``: the reducer on one chunk
of 288k path-steps with the run reducer's ``check_finite`` and the risk functions' NaN/inf
refusal, against the same reducer with the checks replaced by identity; best of 5, CPU
seconds of this process, one thread on both sides.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import rutsim.risk._array as risk_array
from rutsim.risk import check_finite, draw_metrics
from rutsim.types import SimPaths

SHAPE = (3, 40, 200, 12)  # scenarios, draws, paths, quarters: 288k path-steps


def best_cpu_seconds(work: Callable[[], object], repeats: int = 5) -> float:
    """Return the smallest CPU time of ``repeats`` calls of ``work``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    """Print the reducer's CPU seconds with and without the checks."""
    rng = np.random.default_rng(0)
    paths = SimPaths(*(rng.normal(0, 0.05, SHAPE).astype(np.float32) for _ in SimPaths._fields))
    names = ("a", "b", "c")
    checked = best_cpu_seconds(lambda: (check_finite(paths, names), draw_metrics(paths)))
    real = risk_array._finite
    risk_array._finite = lambda x, what="x": x  # type: ignore[assignment]
    try:
        unchecked = best_cpu_seconds(lambda: draw_metrics(paths))
    finally:
        risk_array._finite = real
    n = float(np.prod(SHAPE))
    print(
        f"reducer with finite checks {checked:.3f} CPU-s ({checked / n * 1e9:.0f} ns per "
        f"path-step), without {unchecked:.3f} CPU-s ({unchecked / n * 1e9:.0f} ns), "
        f"difference {(checked / unchecked - 1) * 100:+.1f}%"
    )


if __name__ == "__main__":
    main()
