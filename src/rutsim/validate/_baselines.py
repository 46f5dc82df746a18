"""Benchmark forecasts every model forecast is scored against, from returns up to the origin.

Both baselines see exactly the model's estimation window (``data.start`` through the
origin) of Russell 2000 quarterly log price returns, and draw from a NumPy Philox
generator keyed by the seed and the origin, so a rerun gives the same draws.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BASELINES", "baseline_samples"]

#: Baseline names, in report order.
BASELINES: tuple[str, ...] = ("random_walk", "bootstrap")


def baseline_samples(
    name: str,
    history: NDArray[np.float64],
    horizons: NDArray[np.int64],
    n: int,
    seed: tuple[int, ...],
) -> NDArray[np.float64]:
    """Draws of the cumulative log price return at each horizon.

    Parameters
    ----------
    name : "random_walk" or "bootstrap"
        ``random_walk``: Gaussian random walk of the log price with drift and volatility
        estimated (sample mean and sd) from ``history``; ``bootstrap``: i.i.d. resampling
        of the quarterly log returns in ``history``, summed along a path.
    history : (T,) float
        Quarterly log price returns up to the origin.
    horizons : (H,) int
        Quarters after the origin, increasing.
    n : int
        Draws per horizon.
    seed : tuple of int
        Entropy of the generator (e.g. (seed, origin ordinal)).

    Returns
    -------
    (n, H) float
        Cumulative log returns; along a row the same path is read at each horizon.
    """
    h_max = int(horizons[-1])
    rng = np.random.Generator(np.random.Philox(np.random.SeedSequence(list(seed))))
    if name == "random_walk":
        mu, sd = float(np.mean(history)), float(np.std(history, ddof=1))
        steps = mu + sd * rng.standard_normal((n, h_max))
    elif name == "bootstrap":
        steps = rng.choice(history, size=(n, h_max), replace=True)
    else:
        raise ValueError(f"unknown baseline {name!r}; expected one of {BASELINES}")
    return np.cumsum(steps, axis=1)[:, np.asarray(horizons) - 1]
