"""Monte Carlo noise: how much of each number is path sampling, and the bands without it.

Two kinds of numbers carry Monte Carlo error.

**Per-draw metrics and their across-draw band.** A draw's metric ``m_d`` is computed from
that draw's ``n`` paths, so ``m_d = theta_d + e_d``: the metric of the draw's parameters
(what the band should describe) plus path-sampling noise with variance ``v_d``, estimated
per draw by sectioning (:func:`rutsim.risk.draw_reducer.reduce_draws`: the draw's paths split in
two halves). Across draws ``Var(m) = Var(theta) + mean(v)``, so the noise share of the
raw band is ``s = mean(v) / Var(m)``. The corrected band shrinks every draw's deviation
from the across-draw mean by ``k = sqrt(max(0, 1 - s))`` (moment-matching deconvolution:
exact for the variance, and for the quantiles when theta and the noise are close to
normal): ``draw_q05 = mean + k (raw_q05 - mean)``, the same for the median and ``q95``.
``draw_q05_raw``/``draw_q95_raw`` keep the uncorrected band, ``mc_noise_share`` is ``s``.

A metric whose per-draw estimate rests on fewer than :data:`MIN_TAIL_PATHS` paths in
its tail (``n min(p, 1 - p)``; e.g. CVaR 99 with 100 paths rests on one path) is flagged
``few_tail_paths`` on every row: its ``draw_*`` statistics then describe little but
noise, and the sectioning estimate of that noise (halves of a handful of paths) is
itself unreliable. Its pooled value, over every path of every draw, is not affected.

**Pooled (predictive) numbers.** ``mc_se`` is the standard error from path sampling,
given the posterior draws:

* means and probabilities (the pooled value is the mean over draws of the per-draw
  values): ``sqrt(mean(v) / N)`` over the ``N`` draws, exact under sectioning;
* quantiles, VaR and drawdown quantiles: ``sqrt(p (1 - p) / n) / f(q)`` over all ``n``
  pooled paths, the density ``f`` from the binned paths with the Hall-Sheather bandwidth;
* CVaR: ``sd((L - VaR)^+) / ((1 - level) sqrt(n))`` from the binned losses;
* the standard deviation: ``sqrt((m4 - sd^4) / (4 sd^2 n))``.

The last three treat the pooled paths as independent draws from the predictive
distribution; paths of one draw share its parameters, so the path-only error is smaller
and these are upper bounds. With stratified paths (``rutsim.simulate._strata``) they are
far above the actual error; the sectioning estimates stay valid there (the halves are
stratified independently), so means and probabilities show the gain. The tail
attribution has no pooled ``mc_se`` (NaN): the bins keep the mean of each part per return
bin but not its spread.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from rutsim.risk._array import sort_sample, sorted_quantile
from rutsim.risk._names import DRAWDOWN_QUANTILES, LEVELS, QUANTILES, pct, tail_probability

#: Fewest paths a per-draw quantile-type metric may rest on to be given per draw.
MIN_TAIL_PATHS = 10
#: Flag of metrics whose per-draw values rest on too few paths.
FEW_TAIL_PATHS = "few_tail_paths"

FloatArray = NDArray[np.float64]


def few_tail_paths(name: str, n_paths: int) -> bool:
    """Whether a metric's per-draw estimate rests on fewer than :data:`MIN_TAIL_PATHS` paths."""
    p = tail_probability(name)
    return p is not None and n_paths * p < MIN_TAIL_PATHS


class BandNoise:
    """Across-draw summaries of per-draw metrics, with and without Monte Carlo noise.

    Parameters
    ----------
    values : ndarray, shape ``(sample, ...)``
        Per-draw metric values.
    mc_var : ndarray, shape ``(sample, ...)``, optional
        Their estimated path-sampling variances; without them no correction is made
        (share NaN, corrected band = raw band).
    """

    def __init__(self, values: FloatArray, mc_var: FloatArray | None) -> None:
        self.n = values.shape[0]
        self.mean = values.mean(axis=0)
        self.total_var = values.var(axis=0, ddof=1) if self.n > 1 else np.zeros(values.shape[1:])
        if mc_var is None:
            self.noise_var = np.full(values.shape[1:], np.nan)
        else:
            self.noise_var = np.nanmean(mc_var, axis=0)

    @property
    def share(self) -> FloatArray:
        """Noise share of the across-draw variance (NaN when not estimated)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            s = self.noise_var / self.total_var
        return np.where(self.total_var > 0, s, np.where(np.isnan(self.noise_var), np.nan, 1.0))

    @property
    def shrink(self) -> FloatArray:
        """Factor ``k`` applied to deviations from the mean (1 where not estimated)."""
        s = self.share
        return np.where(np.isnan(s), 1.0, np.sqrt(np.clip(1.0 - s, 0.0, 1.0)))

    def corrected(self, raw: FloatArray) -> FloatArray:
        """Shrink raw across-draw quantiles towards the mean by :attr:`shrink`."""
        return self.mean + self.shrink * (raw - self.mean)

    @property
    def mean_se(self) -> FloatArray:
        """Path-sampling standard error of the across-draw mean."""
        return np.sqrt(self.noise_var / self.n)


def _hall_sheather(p: float, n: float) -> float:
    # Bandwidth (in probability) of the sparsity estimate of a quantile's density.
    from statistics import NormalDist

    z = NormalDist().inv_cdf(min(max(p, 1e-6), 1 - 1e-6))
    phi = NormalDist().pdf(z)
    h = n ** (-1 / 3) * 1.959964 ** (2 / 3) * (1.5 * phi**2 / (2 * z * z + 1)) ** (1 / 3)
    return float(min(h, 0.9 * min(p, 1 - p)))


def quantile_se(atoms: FloatArray, weights: FloatArray, p: float, n: FloatArray) -> FloatArray:
    """``sqrt(p(1-p)/n) / f(q)`` with ``1/f`` from quantiles at ``p -/+ h`` (per row)."""
    s = sort_sample(atoms, weights=weights)
    out = np.empty(atoms.shape[:-1])
    for idx in np.ndindex(out.shape):
        h = _hall_sheather(p, float(n[idx]))
        row = type(s)(s.values[idx], s.weights[idx], s.order[idx])
        lo, hi = sorted_quantile(row, (p - h, p + h))
        out[idx] = np.sqrt(p * (1 - p) / n[idx]) * (hi - lo) / (2 * h)
    return out


def cvar_se(
    losses: FloatArray, weights: FloatArray, var: FloatArray, level: float, n: FloatArray
) -> FloatArray:
    """``sd((L - VaR)^+) / ((1 - level) sqrt(n))`` per row of weighted ``losses``."""
    w = weights / weights.sum(axis=-1, keepdims=True)
    excess = np.maximum(losses - var[..., None], 0.0)
    e_mean = (w * excess).sum(axis=-1, keepdims=True)
    e_sd = np.sqrt((w * (excess - e_mean) ** 2).sum(axis=-1))
    return e_sd / ((1 - level) * np.sqrt(n))


def pooled_mc_se(
    names: tuple[str, ...],
    ret_atoms: FloatArray,
    counts: FloatArray,
    dd_atoms: FloatArray,
    dd_counts: FloatArray,
    n_eff: FloatArray,
    pooled: Mapping[str, FloatArray],
    draw_noise: Mapping[str, FloatArray],
) -> dict[str, FloatArray]:
    """Path-sampling standard error of every pooled metric (see the module docstring).

    Parameters
    ----------
    names : tuple of str
        Metric names.
    ret_atoms, counts : ndarray, shape ``(entity, horizon, bin)``
        Simple-return atom and weight of every return bin (the blend's weights mixed).
    dd_atoms, dd_counts : ndarray, shape ``(entity, horizon, bin)``
        The same for the maximum drawdown.
    n_eff : ndarray, shape ``(entity,)``
        Paths per entity (Kish effective size ``1 / sum(w_s^2 / n_s)`` for the blend).
    pooled : mapping
        The pooled values ``(entity, horizon)`` of each metric.
    draw_noise : mapping
        ``mean(v) / N`` per metric, ``(entity, horizon)``: the variance of a mean over draws.

    Returns
    -------
    dict of str to ndarray
        ``(entity, horizon)`` per name.
    """
    n = np.broadcast_to(n_eff[:, None], ret_atoms.shape[:-1])
    w = counts / counts.sum(axis=-1, keepdims=True)
    out: dict[str, FloatArray] = {}
    mean = (w * ret_atoms).sum(axis=-1)
    sd = np.sqrt(np.maximum((w * (ret_atoms - mean[..., None]) ** 2).sum(axis=-1), 0.0))
    m4 = (w * (ret_atoms - mean[..., None]) ** 4).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["return_sd"] = np.sqrt(np.maximum(m4 - sd**4, 0.0) / (4 * sd**2 * n))
    for q, name in [(0.5, "return_median"), *((q, f"return_q{pct(q)}") for q in QUANTILES)]:
        out[name] = quantile_se(ret_atoms, counts, q, n)
    for lv in LEVELS:
        out[f"var_{pct(lv)}"] = quantile_se(-ret_atoms, counts, lv, n)
        out[f"cvar_{pct(lv)}"] = cvar_se(-ret_atoms, counts, pooled[f"var_{pct(lv)}"], lv, n)
    n_dd = np.broadcast_to(n_eff[:, None], dd_atoms.shape[:-1])
    for q in DRAWDOWN_QUANTILES:
        out[f"max_drawdown_q{pct(q)}"] = quantile_se(dd_atoms, dd_counts, q, n_dd)
    for name in names:
        if name in out:
            continue
        if name.startswith("attr_cvar"):
            out[name] = np.full(n.shape, np.nan)
        else:  # means and probabilities: the mean over draws of the per-draw values
            out[name] = np.sqrt(draw_noise[name])
    return out
