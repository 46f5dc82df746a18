"""The run's per-draw risk reducer, jitted: every metric of every draw, and its MC noise.

The one module of :mod:`rutsim.risk` that imports JAX, so ``rutsim.risk`` itself does not
import it: reading and reporting a run stay JAX-free (the exception is stated in the
import contract of ``pyproject.toml``). The simulation driver takes a :class:`DrawReducer`
as any other :data:`rutsim.types.Reducer` and knows nothing of metrics.

The same metrics as the NumPy reference :func:`rutsim.risk.path_metrics` (the conventions
of :mod:`rutsim.risk._array`: simple cumulative returns, inverted-CDF quantiles, exact
discrete CVaR with the boundary atom weighted fractionally, log attribution), computed on
the kernel's output in the kernel's precision, in two stages:

1. **jitted** (:func:`_prepare`): cumulative parts, returns, running drawdowns and the
   non-finite check; then every mean-type metric (means, probabilities, the mean
   attribution) of the whole draw and of each half, as matrix products over paths;
2. **sorted in NumPy**: XLA's CPU sort was measured at about 90 ns per element against
   NumPy's 21 ns, so the returns and drawdowns are ordered with ``np.argsort``/``np.sort``.
   One sort per (scenario, draw, quarter) serves the whole draw and both halves (a half's
   sorted order is the full order with the other half's paths dropped), and with equal
   path weights every quantile and CVaR weight sits at a position known in advance.

**The blend** mixes a draw's paths of all scenarios with weights ``w_s``. Its mean-type
metrics are the ``w_s``-weighted sums of the scenarios' (exact). Its quantiles use integer
path weights ``round(w_s * 2**b)`` (``b`` as large as int64 sums allow, at least 2**15
per unit of weight) with exact cumulative sums; a cumulative weight within the summed
rounding of the target counts as reaching it, as exact arithmetic would (a blend tail of
exactly 1% of the weight).

**Monte Carlo noise (sectioning).** Each draw's paths are split into two halves that
share no antithetic pair, and every metric is computed on the whole draw and on each
half. For an estimator whose variance scales as ``c / n`` (every metric here,
asymptotically), ``E[(m_A - m_B)^2] = c / n_A + c / n_B``, so

    mc_var = (m_A - m_B)^2 * (1 / n) / (1 / n_A + 1 / n_B)

is an unbiased one-degree-of-freedom estimate of the path-sampling variance of the draw's
metric ``m`` (``(m_A - m_B)^2 / 4`` for equal halves). One draw's estimate is noisy;
averaged over a run's draws it measures how much of the across-draw spread of a metric is
Monte Carlo noise rather than parameter uncertainty (see :mod:`rutsim.risk._noise`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from rutsim.errors import ScenarioError
from rutsim.risk._names import (
    COMPONENTS,
    DRAWDOWN_QUANTILES,
    LEVELS,
    LOSS_THRESHOLDS,
    MC_VAR_SUFFIX,
    QUANTILES,
    loss_name,
    metric_names,
    pct,
)
from rutsim.types import ChunkInfo, SimPaths

#: Relative tolerance of a quantile's target weight (as :mod:`rutsim.risk._array`).
_CDF_TOL = 1e-10
#: Largest total integer weight of one blend row.
_MAX_TOTAL = 2**40
#: Mean-type quantities averaged over paths, in the order of :func:`_prepare`'s output.
_MEANS: tuple[str, ...] = (
    "return_mean",
    "return_sq",
    *(loss_name(t) for t in LOSS_THRESHOLDS),
    "prob_beat_largecap",
    *(f"attr_mean_{c}" for c in COMPONENTS),
    "attr_mean_total",
    "max_drawdown_mean",
)
_RETURN_PROBS: tuple[float, ...] = (0.5, *QUANTILES)


@dataclass(frozen=True)
class DrawReducer:
    """The run's per-draw reducer: a picklable :data:`rutsim.types.Reducer` of the driver.

    Attributes
    ----------
    blend_weights : tuple of float, optional
        One weight per scenario (summing to one): the per-draw blend is appended as one
        more entry along the scenario axis.
    antithetic : bool
        Whether path ``p`` and ``p + ceil(P / 2)`` are antithetic partners (the halves of
        the noise estimate then keep partners together).
    """

    blend_weights: tuple[float, ...] | None = None
    antithetic: bool = False

    def __call__(self, paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
        """Reduce one chunk of the driver: :func:`reduce_draws` on the kernel's output.

        Runs where the paths are (``chunk.kernel_paths``, quarter-major and padded to the
        chunk size); without them, on ``paths`` moved to that layout. The padding is cut.
        """
        out = chunk.kernel_paths
        if out is None:
            out = SimPaths(*(jnp.asarray(np.moveaxis(np.asarray(f), -1, 0)) for f in paths))
        reduced = reduce_draws(out, self, chunk.scenario_names)
        return {k: v[:, : chunk.stop - chunk.start] for k, v in reduced.items()}


def half_masks(n_paths: int, antithetic: bool) -> np.ndarray:
    """Path masks ``(3, n_paths)``: all paths, half A, half B (partners never split).

    With fewer than two independent units (paths, or antithetic pairs) the halves are
    empty and the noise estimate is NaN.
    """
    p = np.arange(n_paths)
    half = -(-n_paths // 2) if antithetic else n_paths
    unit = p % half  # antithetic partners share their unit
    a = unit < half // 2
    return np.stack([np.ones(n_paths, bool), a, ~a])


class _Plan(NamedTuple):
    """Per-mask totals and quantile targets of one block (static, hashable numbers)."""

    totals: tuple[float, float, float]  # total weight of all paths, half A, half B
    targets: tuple[tuple[float, tuple[int, int, int]], ...]  # (probability, per-mask)


def _plan(masked: np.ndarray, exact: np.ndarray | None = None) -> _Plan:
    """Plan of integer weights ``masked`` ``(3, n)``: all paths, half A, half B.

    ``exact`` holds the real weights (in the same units) that ``masked`` rounds; a
    cumulative weight within the summed rounding of the target then counts as reaching
    it, as it would in exact arithmetic (e.g. a blend tail of exactly 1% of the weight).
    """
    real = masked.astype(np.float64) if exact is None else exact
    totals = tuple(float(t) for t in real.sum(axis=1))
    slack = np.abs(masked - real).sum(axis=1)
    probs = sorted({0.5, *QUANTILES, *LEVELS, *DRAWDOWN_QUANTILES})
    # cw < p W (1 - tol) - slack <=> cw < ceil(...) for integer cumulative weights cw
    targets = tuple(
        (
            p,
            tuple(
                math.ceil(p * t * (1 - _CDF_TOL) - e) for t, e in zip(totals, slack, strict=True)
            ),
        )
        for p in probs
    )
    return _Plan(totals, targets)  # type: ignore[arg-type]


def _blend_bits(n_paths: int) -> int:
    """Binary digits of the blend's integer weights: as many as int64 sums allow."""
    return max(15, int(math.floor(math.log2(_MAX_TOTAL / max(n_paths, 1)))))


def _tail_vector(n: int, level: float) -> np.ndarray:
    """CVaR weights of ``n`` equally weighted losses sorted ascending (static numbers).

    The atoms beyond VaR count fully and the VaR atom with the fraction completing the
    tail mass ``(1 - level) n``. Tied losses share one value, so which of them takes the
    fraction does not change the CVaR.
    """
    j = min(math.ceil(level * n * (1 - _CDF_TOL)) - 1, n - 1)  # VaR's position
    t = np.zeros(n)
    t[j + 1 :] = 1.0
    t[j] = min(max((1 - level) * n - (n - 1 - j), 0.0), 1.0)
    return t / t.sum()


def _running_drawdown(log_total: jax.Array) -> jax.Array:
    """Maximum drawdown up to each quarter; quarters on axis 0 (as the kernel stacks them)."""
    peak = jnp.maximum(jax.lax.cummax(log_total, axis=0), 0)  # W_0 = 1 is a peak too
    drawdown = jnp.maximum(-jnp.expm1(log_total - peak), 0)
    return jax.lax.cummax(drawdown, axis=0)


#: Largest cumulative simple return whose square a float32 metric can hold.
_MAX_RETURN = 1e18


@jax.jit
def _prepare(out: SimPaths) -> tuple[jax.Array, ...]:
    """Return the elementwise work of the reducer, jitted.

    Cumulative parts ``(c, H, S, N, P)``; returns, drawdowns and the small-cap minus
    large-cap cumulative price return ``(H, S, N, P)``.
    """
    parts = jnp.stack([getattr(out, c) for c in COMPONENTS])
    cum = jnp.cumsum(parts, axis=1)
    log_total = cum.sum(axis=0)
    ret = jnp.expm1(log_total)
    mdd = _running_drawdown(log_total)
    beat = jnp.cumsum(out.earnings_growth + out.multiple_change - out.largecap_return, axis=0)
    return cum, ret, mdd, beat


def _path_means(
    cum: np.ndarray, ret: np.ndarray, mdd: np.ndarray, beat: np.ndarray, masks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Averages over paths of every mean-type quantity (order of ``_MEANS``) per mask.

    One matrix product per quantity with the mask weights ``(path, 3)`` (19 ms for a
    default chunk; inside the jitted computation they took it from 92 to 386 ms of CPU).
    Returns the means
    ``(quantity, ..., 3)`` and whether large caps are missing ``(...)``.
    """
    n = ret.shape[-1]
    # an empty half (one path, or one antithetic pair) averages to NaN, not a warning
    w = (masks / np.maximum(masks.sum(axis=1, keepdims=True), 1)).T.astype(ret.dtype)
    w[:, masks.sum(axis=1) == 0] = np.nan

    def avg(x: np.ndarray) -> np.ndarray:
        return (x.reshape(-1, n) @ w).reshape(*x.shape[:-1], 3)

    missing = np.isnan(beat).any(axis=-1)
    quantities = [avg(ret), avg(ret * ret)]
    quantities += [avg((ret < -t).astype(ret.dtype)) for t in LOSS_THRESHOLDS]
    quantities += [avg((beat > 0).astype(ret.dtype))]  # NaN > 0 is False; masked below
    quantities += [avg(cum[i]) for i in range(len(COMPONENTS))]
    quantities += [avg(cum.sum(axis=0)), avg(mdd)]
    return np.stack(quantities), missing


def _position(p: float, n: int) -> int:
    """0-based position of the inverted-CDF ``p``-quantile among ``n`` equal atoms."""
    return min(max(math.ceil(p * n * (1 - _CDF_TOL)) - 1, 0), n - 1)


def _equal_sorted(
    ret: np.ndarray, cum: np.ndarray, mdd: np.ndarray, halves: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """Sort-based metrics of equally weighted rows ``(..., n)``: whole draw, half A, half B."""
    order = np.argsort(ret, axis=-1)
    out = []
    for keep in (None, halves, ~halves)[: 3 if halves.any() and not halves.all() else 1]:
        if keep is None:
            o = order
        else:
            # the half's paths in the full sort order: drop the other half's (same count per row)
            o = order[keep[order]].reshape(*order.shape[:-1], int(keep.sum()))
        n = o.shape[-1]
        rs = np.take_along_axis(ret, o, axis=-1)
        m = {"return_median": rs[..., _position(0.5, n)]}
        for q in QUANTILES:
            m[f"return_q{pct(q)}"] = rs[..., _position(q, n)]
        for lv in LEVELS:
            # losses ascending are the returns descending; the tail is the lowest returns
            m[f"var_{pct(lv)}"] = -rs[..., n - 1 - _position(lv, n)]
            tv = _tail_vector(n, lv)[::-1]
            k = int(np.flatnonzero(tv)[-1]) + 1
            tv = tv[:k].astype(ret.dtype)
            m[f"cvar_{pct(lv)}"] = -(rs[..., :k] @ tv)
            tail_parts = np.take_along_axis(cum, o[None, ..., :k], axis=-1) @ tv  # (c, ...)
            tag = f"cvar{pct(lv)}"
            for i, c in enumerate(COMPONENTS):
                m[f"attr_{tag}_{c}"] = tail_parts[i]
            m[f"attr_{tag}_total"] = tail_parts.sum(axis=0)
        ds = np.sort(mdd if keep is None else mdd[..., keep], axis=-1)
        for q in DRAWDOWN_QUANTILES:
            m[f"max_drawdown_q{pct(q)}"] = ds[..., _position(q, n)]
        out.append(m)
    return out


def _first_reaching(cw: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    """Per row of ``cw`` (``(..., n)``, non-decreasing), ``count(cw < t)`` for each target.

    One binary search over all rows at once: row ``r`` is offset by ``r * span`` so the
    flattened rows are non-decreasing. Returns ``(..., len(targets))``, clipped to n - 1.
    """
    n = cw.shape[-1]
    rows = cw.reshape(-1, n)
    span = int(rows[:, -1].max()) + 1
    offset = np.arange(rows.shape[0], dtype=np.int64)[:, None] * span
    found = np.searchsorted((rows + offset).ravel(), (np.asarray(targets)[None] + offset).ravel())
    idx = found.reshape(rows.shape[0], -1) - np.arange(rows.shape[0])[:, None] * n
    return np.minimum(idx, n - 1).reshape(*cw.shape[:-1], -1)


def _weighted_sorted(
    ret: np.ndarray, cum: np.ndarray, mdd: np.ndarray, masked: np.ndarray, plan: _Plan
) -> list[dict[str, np.ndarray]]:
    """Sort-based metrics of rows ``(..., n)`` with integer path weights ``masked`` ``(3, n)``."""
    targets = dict(plan.targets)
    n = ret.shape[-1]
    order = np.argsort(ret, axis=-1)
    rs = np.take_along_axis(ret, order, axis=-1)
    d_order = np.argsort(mdd, axis=-1)
    ds = np.take_along_axis(mdd, d_order, axis=-1)
    out = []
    for j in range(3 if masked[1].any() and masked[2].any() else 1):
        ws = masked[j][order]
        m: dict[str, np.ndarray] = {}
        idx = _first_reaching(np.cumsum(ws, axis=-1), [targets[p][j] for p in _RETURN_PROBS])
        picked = np.take_along_axis(rs, idx, axis=-1)
        for i, p in enumerate(_RETURN_PROBS):
            m["return_median" if p == 0.5 else f"return_q{pct(p)}"] = picked[..., i]
        # Losses ascending are the returns reversed: loss position i is return n - 1 - i.
        cwl = np.cumsum(ws[..., ::-1], axis=-1)
        var_idx = _first_reaching(cwl, [targets[lv][j] for lv in LEVELS])
        for i, lv in enumerate(LEVELS):
            # the tail: losses from VaR's position on, i.e. the K lowest returns
            k = int(n - var_idx[..., i].min())
            low = order[..., :k]
            ls = -rs[..., :k][..., ::-1]  # the tail's losses, ascending
            wf = ws[..., :k][..., ::-1].astype(np.float64)
            var = -np.take_along_axis(rs, (n - 1 - var_idx[..., i])[..., None], axis=-1)[..., 0]
            beyond = ls > var[..., None]
            at = ls == var[..., None]
            mass_beyond = np.where(beyond, wf, 0).sum(axis=-1, keepdims=True)
            mass_at = np.where(at, wf, 0).sum(axis=-1, keepdims=True)
            frac = np.clip(((1 - lv) * plan.totals[j] - mass_beyond) / mass_at, 0, 1)
            tw = np.where(beyond, wf, 0) + np.where(at, wf * frac, 0)
            tw /= tw.sum(axis=-1, keepdims=True)
            m[f"var_{pct(lv)}"] = var
            m[f"cvar_{pct(lv)}"] = (tw * ls).sum(axis=-1)
            parts = np.take_along_axis(cum, low[None], axis=-1)[..., ::-1]
            tail_parts = (tw[None] * parts).sum(axis=-1)
            tag = f"cvar{pct(lv)}"
            for c_i, c in enumerate(COMPONENTS):
                m[f"attr_{tag}_{c}"] = tail_parts[c_i]
            m[f"attr_{tag}_total"] = tail_parts.sum(axis=0)
        d_idx = _first_reaching(
            np.cumsum(masked[j][d_order], axis=-1), [targets[q][j] for q in DRAWDOWN_QUANTILES]
        )
        d_picked = np.take_along_axis(ds, d_idx, axis=-1)
        for i, q in enumerate(DRAWDOWN_QUANTILES):
            m[f"max_drawdown_q{pct(q)}"] = d_picked[..., i]
        out.append(m)
    return out


def _mean_metrics(means: np.ndarray, missing: np.ndarray) -> dict[str, np.ndarray]:
    """Mean-type metrics ``(3, ...)`` from the path averages ``(quantity, ..., 3)``."""
    m = {name: np.moveaxis(means[i], -1, 0) for i, name in enumerate(_MEANS)}
    sq = m.pop("return_sq")
    m["return_sd"] = np.sqrt(np.maximum(sq - m["return_mean"] ** 2, 0))
    m["prob_beat_largecap"] = np.where(missing[None], np.nan, m["prob_beat_largecap"])
    return m


def _noise_scale(totals: Sequence[float]) -> float:
    # (1/n) / (1/n_A + 1/n_B); NaN when a half is empty (nothing to compare)
    if totals[1] <= 0 or totals[2] <= 0:
        return float("nan")
    return float((1 / totals[0]) / (1 / totals[1] + 1 / totals[2]))


def _mix(x: np.ndarray) -> np.ndarray:
    """``(..., H, S, N, P)`` -> ``(..., H, N, S * P)``: a draw's paths of every scenario."""
    moved = np.moveaxis(x, -3, -2)
    return moved.reshape(*moved.shape[:-2], -1)


def reduce_draws(
    out: SimPaths, reducer: DrawReducer, scenario_names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Reduce a chunk's kernel output (quarter-major, on device) to per-draw metrics.

    Parameters
    ----------
    out : SimPaths
        The kernel's output, every field ``(horizon, scenario, sample, path)``.
    reducer : DrawReducer
        Blend weights and path layout.
    scenario_names : sequence of str
        Names along the scenario axis (for the error message).

    Returns
    -------
    dict of str to ndarray
        For every name of :func:`rutsim.risk.metric_names`, its per-draw value and
        (``name + MC_VAR_SUFFIX``) the estimated path-sampling variance of that value,
        each ``(entity, sample, horizon)``; entities are the scenarios, then the blend.

    Raises
    ------
    ScenarioError
        When a simulated value is not finite, naming the scenario and the variable.
    """
    _, n_s, _, n_p = np.shape(out.carry)
    masks = half_masks(n_p, reducer.antithetic)
    # The finiteness check in NumPy: in the same XLA computation as the rest it was
    # measured 8x slower than both apart.
    if not all(np.isfinite(f).all() for f in jax.device_get(out)):
        _refuse_nonfinite(out, scenario_names)
    cum, ret, mdd, beat = jax.device_get(_prepare(out))
    # Finite log returns can still compound past what the metrics can square (an
    # explosive posterior draw): refuse them by name rather than average infinities.
    if not np.abs(ret).max(initial=0.0) < _MAX_RETURN:
        bad = ~(np.abs(ret) < _MAX_RETURN)  # (H, S, N, P)
        scen = scenario_names[int(np.argwhere(bad)[0][1])]
        raise ScenarioError.exploded(scen, int(bad.sum()))
    means, missing = _path_means(cum, ret, mdd, beat, masks)
    scen_mean = _mean_metrics(means, missing)  # each (3, H, S, N)
    sorted_ = _equal_sorted(ret, cum, mdd, masks[1])
    entities = [{**scen_mean, **{k: np.stack([s[k] for s in sorted_]) for k in sorted_[0]}}]
    if reducer.blend_weights is not None:
        w = np.asarray(reducer.blend_weights, dtype=np.float64)
        if len(w) != n_s:
            raise ValueError(f"{len(w)} blend weights for {n_s} scenarios")
        # mean-type metrics of a mixture: the weighted means of the scenarios' (exact)
        blend_means = np.einsum("qhsnm,s->qhnm", means.astype(np.float64), w)[:, :, None]
        blend = _mean_metrics(blend_means, missing.any(axis=1, keepdims=True))
        masked, plan = _blend_plan(w, masks)
        b_sorted = _weighted_sorted(_mix(ret), _mix(cum), _mix(mdd), masked, plan)
        blend |= {k: np.stack([s[k] for s in b_sorted])[:, :, None] for k in b_sorted[0]}
        entities.append(blend)
    scale = _noise_scale([float(m.sum()) for m in masks])
    result = {}
    for name in metric_names():
        # (mask, H, entity, N) -> (entity, N, H); without two halves the noise is NaN
        v = np.concatenate([_three(e[name]) for e in entities], axis=2).astype(ret.dtype)
        v = np.moveaxis(v, 1, -1)
        result[name] = v[0]
        result[name + MC_VAR_SUFFIX] = (v[1] - v[2]) ** 2 * np.asarray(scale, ret.dtype)
    return result


def _refuse_nonfinite(out: SimPaths, scenario_names: Sequence[str]) -> None:
    """Raise naming the first scenario and variable with a non-finite value."""
    for field, values in zip(SimPaths._fields, jax.device_get(out), strict=True):
        bad = ~np.isfinite(values)  # (H, S, N, P)
        if bad.any():
            scen = scenario_names[int(np.argwhere(bad)[0][1])]
            raise ScenarioError.overflowed(scen, field, int(bad.sum()))


def _three(v: np.ndarray) -> np.ndarray:
    """Pad a metric computed on the whole draw only with NaN halves: ``(3, ...)``."""
    if v.shape[0] == 3:
        return v
    return np.concatenate([v, np.full((2, *v.shape[1:]), np.nan, v.dtype)])


def _blend_plan(weights: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, _Plan]:
    """Integer path weights ``(3, S * P)`` of the blend per mask, and their plan."""
    n_s, n_p = len(weights), masks.shape[1]
    bits = _blend_bits(n_p * n_s)
    real = np.repeat(weights * 2.0**bits, n_p)
    k = np.round(real).astype(np.int64)
    tiled = np.tile(masks, (1, n_s))
    return tiled * k[None], _plan(tiled * k[None], tiled * real[None])


def _device_tail(sorted_ret: jax.Array, level: float) -> tuple[jax.Array, np.ndarray, int]:
    """VaR and the static CVaR weights of equally weighted sorted returns (last axis)."""
    n = sorted_ret.shape[-1]
    tv = _tail_vector(n, level)[::-1]
    k = int(np.flatnonzero(tv)[-1]) + 1
    return -sorted_ret[..., n - 1 - _position(level, n)], tv[:k], k


@jax.jit
def device_metrics(out: SimPaths) -> dict[str, jax.Array]:
    """Every metric of every scenario and draw, computed where the paths are (GPU path).

    The whole-draw values of :func:`reduce_draws` (the scenarios; not the blend, not the
    halves' noise), as one jitted computation on the kernel's quarter-major output, so
    that a large run on a device sends back ``(horizon, scenario, sample)`` numbers per
    metric and never its paths. Sorting runs on the device (XLA's sort; on a CPU, NumPy's
    is faster, which is why the run's reducer sorts on the host). Equal to the host
    reducer's whole-draw values to float32 rounding (``tests/test_mc_noise.py``).

    Returns
    -------
    dict of str to jax.Array
        For every name of :func:`rutsim.risk.metric_names`, ``(horizon, scenario, sample)``.
    """
    cum, ret, mdd, beat = _prepare(out)
    n = ret.shape[-1]
    order = jnp.argsort(ret, axis=-1)
    rs = jnp.take_along_axis(ret, order, axis=-1)
    m: dict[str, jax.Array] = {
        "return_mean": ret.mean(axis=-1),
        "return_sd": jnp.sqrt(jnp.maximum((ret * ret).mean(axis=-1) - ret.mean(axis=-1) ** 2, 0)),
        "return_median": rs[..., _position(0.5, n)],
    }
    for q in QUANTILES:
        m[f"return_q{pct(q)}"] = rs[..., _position(q, n)]
    for lv in LEVELS:
        var, tv, k = _device_tail(rs, lv)
        weights = jnp.asarray(tv, ret.dtype)
        m[f"var_{pct(lv)}"] = var
        m[f"cvar_{pct(lv)}"] = -(rs[..., :k] @ weights)
        low = order[..., :k]
        parts = jnp.take_along_axis(cum, jnp.broadcast_to(low, cum.shape[:-1] + (k,)), axis=-1)
        tail_parts = parts @ weights  # (c, H, S, N)
        tag = f"cvar{pct(lv)}"
        for i, c in enumerate(COMPONENTS):
            m[f"attr_{tag}_{c}"] = tail_parts[i]
        m[f"attr_{tag}_total"] = tail_parts.sum(axis=0)
    for t in LOSS_THRESHOLDS:
        m[loss_name(t)] = (ret < -t).mean(axis=-1, dtype=ret.dtype)
    ds = jnp.sort(mdd, axis=-1)
    m["max_drawdown_mean"] = mdd.mean(axis=-1)
    for q in DRAWDOWN_QUANTILES:
        m[f"max_drawdown_q{pct(q)}"] = ds[..., _position(q, n)]
    for i, c in enumerate(COMPONENTS):
        m[f"attr_mean_{c}"] = cum[i].mean(axis=-1)
    m["attr_mean_total"] = cum.sum(axis=0).mean(axis=-1)
    m["prob_beat_largecap"] = jnp.where(
        jnp.isnan(beat).any(axis=-1), jnp.nan, (beat > 0).mean(axis=-1, dtype=ret.dtype)
    )
    return m
