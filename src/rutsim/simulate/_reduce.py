"""The per-draw risk reducer, jitted: every metric of every draw, and its Monte Carlo noise.

The same metrics as the NumPy reference :func:`rutsim.risk.path_metrics` (the conventions
of :mod:`rutsim.risk._array`: simple cumulative returns, inverted-CDF quantiles, exact
discrete CVaR with the boundary atom weighted fractionally, log attribution), computed
where the kernel's output already is, in the kernel's precision. One sort of the returns
per (scenario, draw, quarter) serves the quantiles, VaR, CVaR and the tail attribution;
one more sorts the drawdowns.

**Weights are integers.** A scenario's paths weigh 1 each; the blend's paths weigh
``round(w_s * 2**b)`` (``b`` as large as int32 cumulative sums allow, at least 2**15 per
unit of weight). Cumulative weights are then exact, so the order statistic a quantile
picks is the one exact arithmetic picks (``ceil(n p)``-th of ``n`` equal paths), never
one off by a float32 rounding; the blend's weights are represented to 2**-b.

**Monte Carlo noise (sectioning).** Each draw's paths are split into two halves that
share no antithetic pair, and every metric is computed on the whole draw and on each
half, with the same sort (a half is the sample with the other half's weights set to
zero). For an estimator whose variance scales as ``c / n`` (every metric here,
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
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from rutsim.errors import ScenarioError
from rutsim.measures import (
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
from rutsim.types import SimPaths

#: Relative tolerance of a quantile's target weight (as :mod:`rutsim.risk._array`).
_CDF_TOL = 1e-10
#: Largest total integer weight of one row (cumulative sums stay exact in int32).
_MAX_TOTAL = 2**30


class DrawReducer(NamedTuple):
    """What the jitted per-draw reducer computes (static: hashable, part of the compile key).

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
    """Binary digits of the blend's integer weights: as many as int32 sums allow."""
    return max(15, int(math.floor(math.log2(_MAX_TOTAL / max(n_paths, 1)))))


def _blend_units(weights: Sequence[float], bits: int) -> np.ndarray:
    """Integer weight of one path of each scenario: ``round(w_s * 2**bits)``."""
    return np.round(np.asarray(weights, dtype=np.float64) * 2.0**bits).astype(np.int64)


def _count_below(cw: jax.Array, target: jax.Array) -> jax.Array:
    """Index of the first sorted atom whose cumulative weight reaches the target."""
    return jnp.sum(cw < target.reshape((3,) + (1,) * (cw.ndim - 1)), axis=-1)


def _pick(sorted_values: jax.Array, idx: jax.Array) -> jax.Array:
    """``sorted_values[..., idx]`` per mask: values ``(..., n)``, indices ``(3, ...)``."""
    n = sorted_values.shape[-1]
    at = jnp.moveaxis(jnp.minimum(idx, n - 1), 0, -1)  # (..., 3): gather 3 per row
    return jnp.moveaxis(jnp.take_along_axis(sorted_values, at, axis=-1), -1, 0)


def _block(
    cum: jax.Array,
    beat: jax.Array,
    mdd: jax.Array,
    masked: jax.Array,
    plan: _Plan,
    dtype: jnp.dtype,
) -> dict[str, jax.Array]:
    """Every metric of rows of paths: inputs ``(..., n)``, outputs ``(3, ...)`` per mask.

    ``cum`` is ``(component, ..., n)`` of cumulative log parts; ``beat`` the small-cap
    minus large-cap cumulative price return (NaN where large caps are not simulated);
    ``mdd`` the running maximum drawdown; ``masked`` the integer path weights ``(3, n)``
    of all paths and of each half.
    """
    lead = cum.shape[1:-1]
    w_int = masked.reshape((3,) + (1,) * len(lead) + masked.shape[-1:])
    total = jnp.asarray(plan.totals, dtype).reshape((3,) + (1,) * len(lead))
    w = w_int.astype(dtype)
    log_total = cum.sum(axis=0)
    ret = jnp.expm1(log_total)

    def mean(x: jax.Array) -> jax.Array:
        return jnp.sum(w * x[None], axis=-1) / total

    out: dict[str, jax.Array] = {"return_mean": mean(ret)}
    out["return_sd"] = jnp.sqrt(jnp.maximum(mean(ret * ret) - out["return_mean"] ** 2, 0))
    for t in LOSS_THRESHOLDS:
        out[loss_name(t)] = mean((ret < -t).astype(dtype))
    missing = jnp.isnan(beat).any(axis=-1)
    beat_p = mean((jnp.where(jnp.isnan(beat), 0, beat) > 0).astype(dtype))
    out["prob_beat_largecap"] = jnp.where(missing[None], jnp.nan, beat_p)
    for c_i, c in enumerate(COMPONENTS):
        out[f"attr_mean_{c}"] = mean(cum[c_i])
    out["attr_mean_total"] = mean(log_total)
    out["max_drawdown_mean"] = mean(mdd)

    targets = dict(plan.targets)

    def target(p: float) -> jax.Array:
        return jnp.asarray(targets[p], jnp.int32)

    # Returns, ascending, with each mask's integer weights in the same order.
    order = jnp.argsort(ret, axis=-1)
    rs = jnp.take_along_axis(ret, order, axis=-1)
    ws = jnp.take(masked, order, axis=1)  # (3, ..., n): a small table, gathered
    cw = jnp.cumsum(ws, axis=-1)
    out["return_median"] = _pick(rs, _count_below(cw, target(0.5)))
    for q in QUANTILES:
        out[f"return_q{pct(q)}"] = _pick(rs, _count_below(cw, target(q)))
    # Losses ascending: the returns reversed.
    ls = -rs[..., ::-1]
    wl = ws[..., ::-1]
    cwl = jnp.cumsum(wl, axis=-1)
    parts_s = jnp.take_along_axis(cum, order[None], axis=-1)[..., ::-1]  # (c, ..., n)
    for lv in LEVELS:
        var = _pick(ls, _count_below(cwl, target(lv)))
        beyond = ls[None] > var[..., None]
        at = ls[None] == var[..., None]
        wf = wl.astype(dtype)
        mass_beyond = jnp.sum(jnp.where(beyond, wf, 0), axis=-1, keepdims=True)
        mass_at = jnp.sum(jnp.where(at, wf, 0), axis=-1, keepdims=True)
        tail_mass = (1 - lv) * total[..., None]
        frac = jnp.clip((tail_mass - mass_beyond) / jnp.maximum(mass_at, 1e-30), 0, 1)
        tw = jnp.where(beyond, wf, 0) + jnp.where(at, wf * frac, 0)
        tw = tw / jnp.sum(tw, axis=-1, keepdims=True)
        out[f"var_{pct(lv)}"] = var
        out[f"cvar_{pct(lv)}"] = jnp.sum(tw * ls[None], axis=-1)
        tag = f"cvar{pct(lv)}"
        for c_i, c in enumerate(COMPONENTS):
            out[f"attr_{tag}_{c}"] = jnp.sum(tw * parts_s[c_i][None], axis=-1)
        out[f"attr_{tag}_total"] = jnp.sum(tw * parts_s.sum(axis=0)[None], axis=-1)
    d_order = jnp.argsort(mdd, axis=-1)
    ds = jnp.take_along_axis(mdd, d_order, axis=-1)
    dw = jnp.take(masked, d_order, axis=1)
    dcw = jnp.cumsum(dw, axis=-1)
    for q in DRAWDOWN_QUANTILES:
        out[f"max_drawdown_q{pct(q)}"] = _pick(ds, _count_below(dcw, target(q)))
    return out


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


def _equal_metrics(
    cum: jax.Array, beat: jax.Array, mdd: jax.Array, dtype: jnp.dtype
) -> dict[str, jax.Array]:
    """Every metric of rows of equally weighted paths (``(..., n)`` inputs): static picks.

    With equal weights the order statistic of each quantile and the CVaR weights are
    known before the data, so one sort of the returns (and one of the drawdowns) and
    fixed positions serve every metric.
    """
    n = cum.shape[-1]
    log_total = cum.sum(axis=0)
    ret = jnp.expm1(log_total)
    out: dict[str, jax.Array] = {"return_mean": ret.mean(axis=-1)}
    out["return_sd"] = jnp.sqrt(jnp.maximum((ret * ret).mean(axis=-1) - out["return_mean"] ** 2, 0))
    for t in LOSS_THRESHOLDS:
        out[loss_name(t)] = (ret < -t).astype(dtype).mean(axis=-1)
    missing = jnp.isnan(beat).any(axis=-1)
    beat_p = (jnp.where(jnp.isnan(beat), 0, beat) > 0).astype(dtype).mean(axis=-1)
    out["prob_beat_largecap"] = jnp.where(missing, jnp.nan, beat_p)
    for c_i, c in enumerate(COMPONENTS):
        out[f"attr_mean_{c}"] = cum[c_i].mean(axis=-1)
    out["attr_mean_total"] = log_total.mean(axis=-1)
    out["max_drawdown_mean"] = mdd.mean(axis=-1)

    def position(p: float) -> int:
        return min(max(math.ceil(p * n * (1 - _CDF_TOL)) - 1, 0), n - 1)

    order = jnp.argsort(ret, axis=-1)
    rs = jnp.take_along_axis(ret, order, axis=-1)
    out["return_median"] = rs[..., position(0.5)]
    for q in QUANTILES:
        out[f"return_q{pct(q)}"] = rs[..., position(q)]
    parts_s = jnp.take_along_axis(cum, order[None], axis=-1)  # (c, ..., n) ascending return
    for lv in LEVELS:
        # losses ascending are the returns descending: position j of losses is n - 1 - j
        out[f"var_{pct(lv)}"] = -rs[..., n - 1 - position(lv)]
        tw = jnp.asarray(_tail_vector(n, lv)[::-1].copy(), dtype)  # in ascending-return order
        out[f"cvar_{pct(lv)}"] = -(rs @ tw)
        tag = f"cvar{pct(lv)}"
        for c_i, c in enumerate(COMPONENTS):
            out[f"attr_{tag}_{c}"] = parts_s[c_i] @ tw
        out[f"attr_{tag}_total"] = parts_s.sum(axis=0) @ tw
    ds = jnp.sort(mdd, axis=-1)
    for q in DRAWDOWN_QUANTILES:
        out[f"max_drawdown_q{pct(q)}"] = ds[..., position(q)]
    return out


def _equal_block(
    cum: jax.Array, beat: jax.Array, mdd: jax.Array, halves: tuple, dtype: jnp.dtype
) -> dict[str, jax.Array]:
    """:func:`_equal_metrics` of all paths and of each half, stacked ``(3, ...)``."""
    full = _equal_metrics(cum, beat, mdd, dtype)
    if not all(halves):
        return {k: jnp.stack([v, v * jnp.nan, v * jnp.nan]) for k, v in full.items()}
    sub = [
        _equal_metrics(
            jnp.take(cum, jnp.asarray(h), axis=-1),
            jnp.take(beat, jnp.asarray(h), axis=-1),
            jnp.take(mdd, jnp.asarray(h), axis=-1),
            dtype,
        )
        for h in halves
    ]
    return {k: jnp.stack([full[k], sub[0][k], sub[1][k]]) for k in full}


def _running_drawdown(log_total: jax.Array) -> jax.Array:
    """Maximum drawdown up to each quarter; quarters on axis 0 (as the kernel stacks them)."""
    peak = jnp.maximum(jax.lax.cummax(log_total, axis=0), 0)  # W_0 = 1 is a peak too
    drawdown = jnp.maximum(-jnp.expm1(log_total - peak), 0)
    return jax.lax.cummax(drawdown, axis=0)


class _Spec(NamedTuple):
    """Static part of a reduction: the plans of the scenario rows and of the blend."""

    halves: tuple[tuple[int, ...], tuple[int, ...]]
    blend: _Plan | None
    noise_scale: float


@partial(jax.jit, static_argnames=("spec",))
def _reduce(
    out: SimPaths, w_blend: jax.Array | None, spec: _Spec
) -> tuple[dict[str, jax.Array], jax.Array]:
    parts = jnp.stack([getattr(out, c) for c in COMPONENTS])  # (c, H, S, N, P)
    dtype = parts.dtype
    cum = jnp.cumsum(parts, axis=1)
    log_total = cum.sum(axis=0)
    beat = jnp.cumsum(
        out.earnings_growth + out.multiple_change - out.largecap_return, axis=0
    )  # small minus large price return
    mdd = _running_drawdown(log_total)
    nonfinite = jnp.stack(
        [jnp.sum(~jnp.isfinite(f), axis=(0, 2, 3)) for f in out]
    )  # (field, scenario)
    blocks = [_equal_block(cum, beat, mdd, spec.halves, dtype)]
    if spec.blend is not None and w_blend is not None:
        # (c, H, S, N, P) -> (c, H, 1, N, S * P): every scenario's paths of a draw, mixed
        def mix(x: jax.Array) -> jax.Array:
            moved = jnp.moveaxis(x, -3, -2)
            return moved.reshape(*moved.shape[:-2], 1, -1).swapaxes(-2, -3)

        blocks.append(_block(mix(cum), mix(beat), mix(mdd), w_blend, spec.blend, dtype))
    result = {}
    for name in metric_names():
        # (mask, H, entity, N) -> (entity, N, H)
        v = jnp.concatenate([b[name] for b in blocks], axis=2)
        v = jnp.moveaxis(v, 1, -1)
        result[name] = v[0]
        result[name + MC_VAR_SUFFIX] = (v[1] - v[2]) ** 2 * jnp.asarray(spec.noise_scale, dtype)
    return result, nonfinite


def _noise_scale(totals: np.ndarray) -> float:
    # (1/n) / (1/n_A + 1/n_B); NaN when a half is empty (nothing to compare)
    if totals[1] <= 0 or totals[2] <= 0:
        return float("nan")
    return float((1 / totals[0]) / (1 / totals[1] + 1 / totals[2]))


def _weights(
    n_scenarios: int, n_paths: int, reducer: DrawReducer
) -> tuple[np.ndarray, np.ndarray | None, _Spec]:
    """Masked integer weights of the scenario rows and the blend, and the static spec."""
    masks = half_masks(n_paths, reducer.antithetic).astype(np.int64)
    scen = masks
    blend = None
    if reducer.blend_weights is not None:
        if len(reducer.blend_weights) != n_scenarios:
            raise ValueError(
                f"{len(reducer.blend_weights)} blend weights for {n_scenarios} scenarios"
            )
        bits = _blend_bits(n_paths)
        k = np.repeat(_blend_units(reducer.blend_weights, bits), n_paths)
        real = np.repeat(np.asarray(reducer.blend_weights, np.float64) * 2.0**bits, n_paths)
        blend = np.tile(masks, (1, n_scenarios)) * k[None]
        blend_exact = np.tile(masks, (1, n_scenarios)) * real[None]
    scen_plan = _plan(scen)
    half_a, half_b = (tuple(np.flatnonzero(m).tolist()) for m in masks[1:])
    spec = _Spec(
        (half_a, half_b),
        None if blend is None else _plan(blend, blend_exact),
        _noise_scale(np.asarray(scen_plan.totals)),
    )
    return (
        scen.astype(np.int32),
        None if blend is None else blend.astype(np.int32),
        spec,
    )


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
        For every name of :func:`rutsim.measures.metric_names`, its per-draw value and
        (``name + MC_VAR_SUFFIX``) the estimated path-sampling variance of that value,
        each ``(entity, sample, horizon)``; entities are the scenarios, then the blend.

    Raises
    ------
    ScenarioError
        When a simulated value is not finite, naming the scenario and the variable.
    """
    n_h, n_s, _, n_p = np.shape(out.carry)
    _, w_blend, spec = _weights(n_s, n_p, reducer)
    result, nonfinite = _reduce(out, w_blend, spec)
    bad = np.asarray(nonfinite)
    if bad.any():
        field_i, scen_i = (int(i) for i in np.argwhere(bad)[0])
        field = SimPaths._fields[field_i]
        raise ScenarioError(
            f"scenario '{scenario_names[scen_i]}': the simulation overflowed ({field} is not "
            f"finite in {int(bad[field_i].sum())} values). The scenario's paths are outside "
            "what the model can extrapolate. Nothing was written. To fix: check its values "
            "and uncertainty against scenarios/README.md."
        )
    return {k: np.asarray(v) for k, v in jax.device_get(result).items()}


def metric_and_noise_names() -> tuple[str, ...]:
    """Names :func:`reduce_draws` returns: every metric, then every metric's noise."""
    names = metric_names()
    return names + tuple(n + MC_VAR_SUFFIX for n in names)
