"""CPU cost per chunk of the run's reducers: per-draw metrics, the per-draw blend, binning.

One default chunk (4 scenarios x 250 draws x 100 paths x 12 quarters, float32), one
thread for BLAS/OpenMP, best of three, CPU seconds (``time.process_time``)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_pooled_reducer.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from rutsim.risk import bin_paths, draw_metrics
from rutsim.risk.draw_reducer import DrawReducer, reduce_draws
from rutsim.types import SimPaths


def _cpu(fn: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    """Print the CPU seconds of each reducer on one chunk."""
    rng = np.random.default_rng(0)
    shape = (4, 250, 100, 12)
    paths = SimPaths(**{k: rng.normal(0, 0.05, shape).astype(np.float32) for k in SimPaths._fields})
    weights = [0.5, 0.2, 0.3, 0.0]
    old = _cpu(lambda: draw_metrics(paths))
    blend = _cpu(lambda: draw_metrics(paths, blend_weights=weights))
    binned = _cpu(lambda: bin_paths(paths))
    device = SimPaths(*(jnp.asarray(np.ascontiguousarray(np.moveaxis(a, -1, 0))) for a in paths))
    jitted = DrawReducer(blend_weights=tuple(weights))
    reduce_draws(device, jitted, list("abcd"))  # compile
    fast = _cpu(lambda: jax.block_until_ready(reduce_draws(device, jitted, list("abcd"))))
    steps = np.prod(shape)
    print(
        f"jitted reducer (every metric, the blend, and each one's Monte Carlo variance): "
        f"{fast:.2f} CPU s ({fast / steps * 1e9:.0f} ns per path-step); NumPy per-draw "
        f"metrics with the blend {blend / steps * 1e9:.0f} ns per path-step"
    )
    print(
        f"CPU s per chunk: per-draw metrics {old:.2f}; with the per-draw blend {blend:.2f}; "
        f"bin_paths {binned:.2f}; run reducer now {blend + binned:.2f} "
        f"({(blend + binned) / old:.2f}x the per-draw metrics alone)"
    )


if __name__ == "__main__":
    main()
