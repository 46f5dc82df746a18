"""Cost of the non-finite checks in the risk reducer (issue 14), per CPU-second.

``python benchmarks/bench_finite_checks.py`` (one thread: ``OMP_NUM_THREADS=1``): the
reducer on one chunk of 288k path-steps with the pipeline's ``check_finite`` and the risk
functions' ``_finite`` checks, against the same reducer with the checks replaced by
identity; best of 5, CPU seconds of this process.
"""

import time

import numpy as np

import rutsim.risk._array as A
from rutsim.pipeline import check_finite
from rutsim.risk import draw_metrics
from rutsim.types import SimPaths

rng = np.random.default_rng(0)
shape = (3, 40, 200, 12)  # 288k path-steps
paths = SimPaths(*(rng.normal(0, 0.05, shape).astype(np.float32) for _ in SimPaths._fields))


def t(f, k=5):
    best = 1e9
    for _ in range(k):
        s = time.process_time()
        f()
        best = min(best, time.process_time() - s)
    return best


with_checks = t(lambda: (check_finite(paths, ("a", "b", "c")), draw_metrics(paths)))
real = A._finite
A._finite = lambda x, what="x": x
without = t(lambda: draw_metrics(paths))
A._finite = real
n = np.prod(shape)
print(
    f"reducer with finite checks {with_checks:.3f} CPU-s, without {without:.3f} CPU-s "
    f"({with_checks / n * 1e9:.0f} vs {without / n * 1e9:.0f} ns per path-step, +{(with_checks / without - 1) * 100:.1f}%)"
)
