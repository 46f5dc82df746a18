"""Stratified shocks along the directions that move the cumulative return (variance reduction).

Each path's normal shocks over the whole horizon form one vector ``z`` of ``H x N_NORMALS``
standard normals. For every (scenario, posterior sample) the kernel linearises the
cumulative log total return at the chosen horizons around the path with zero shocks
(reverse-mode autodiff through the same :func:`rutsim.simulate._step.step`), which gives
one gradient vector per horizon. Each path scales them by its own Student-t factors
``1/sqrt(w)`` (:func:`shock_scales`): the return's gradient with respect to *its* normals
(measured: without this, the stratified horizon's VaR 95 gained 2.3x over antithetic
paths; with it 4.1x). Gram-Schmidt turns them into ``d <= 2`` orthonormal directions
``U`` (``d x H*N_NORMALS``, per path). Along them the paths are *stratified*: each path
gets a target ``Y`` in R^d from a randomly shifted rank-1 lattice, mapped to normals by
the inverse normal CDF, and its shocks become

    z' = z + U^T (Y - U z),

the conditional law of ``z`` given ``U z = Y``. With ``Y ~ N(0, I_d)`` (each lattice
point, after its uniform random shift, is uniform on the unit cube) and ``U`` a function
of the mixing weights only (independent of ``z``), ``z'`` is exactly ``N(0, I)``, so
**every path is an exact draw of the model** and every metric keeps its plain definition
and its equal path weights; only the paths' joint layout changes. A lattice puts exactly
one path in each of ``m`` equal-probability slices of its axes, so the part of a metric's
noise explained by the linear direction cancels: the tail quantiles, VaR and CVaR as well
as the median (unlike antithetic pairs, which cancel only odd, central noise). The tails
gain once the slices are finer than the tail: ``m`` of 25 (200 paths per draw) gives
slices of 4%, as wide as the 5% tail; ``m`` of 125 resolves it (``benchmarks/README.md``).

Why not importance sampling: likelihood-ratio weights would change every metric into its
weighted form (the run reducer's quantile positions are fixed in advance because path
weights are equal), widen the blend's integer-weight scheme, and raise the variance of
everything outside the tilted tail; stratification keeps equal weights and helps the
centre and both tails at once (measured in ``benchmarks/README.md``).

**Halves and groups.** The run reducer's Monte Carlo noise estimate compares two halves of
each draw's paths (:func:`rutsim.risk.draw_reducer.half_masks`). Each half gets its own
lattices with their own shifts and permutations, so the halves stay independent given the
draw and the sectioning estimate stays valid: unbiased when a metric's variance falls as
``1/n``, and an overstatement (by ``2^(a - 1)`` for a variance falling as ``n^-a``) where
stratification makes it fall faster; measured 0.85-1.04x the observed spread
(``tests/test_strata.py``). With two horizons each half is split again into two groups,
one lattice each, the first stratified along the first horizon's direction first and the
second along the second's (:func:`groups`).

**Antithetic pairs.** Stratification is applied to the independent paths; an antithetic
partner then negates the stratified shocks (``Y -> -Y``, the mirrored slice), so a pair
stays a pair and each path stays exact.

The lattice is hand-written (a two-dimensional rank-1 lattice with a golden-ratio
generator, randomly shifted and permuted): SciPy's ``qmc`` samplers are NumPy-only and
could not run inside the jitted kernel on the device.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtri

from rutsim.simulate._step import N_GAMMAS, N_NORMALS, PathState, StepInput, step
from rutsim.types import PosteriorParams, ShockSpec

#: At most this many stratified directions (one per stratified horizon).
MAX_DIRECTIONS = 2
#: ``fold_in`` data of a sample's lattice key: beyond any quarter index, which the quarter
#: keys use, so the lattice never reuses a quarter's random numbers.
LATTICE_KEY = 0xFFFFFFFF
_GOLDEN = (1 + math.sqrt(5)) / 2


def lattice_generator(m: int) -> int:
    """Second coordinate's generator of an ``m``-point rank-1 lattice, coprime to ``m``.

    The integer nearest ``m / golden ratio`` (a Fibonacci lattice when ``m`` is a
    Fibonacci number), moved to the nearest value coprime to ``m`` so that the second
    coordinate also visits each of the ``m`` slices exactly once.
    """
    if m <= 2:
        return 1
    g0 = max(1, round(m / _GOLDEN))
    for step_ in range(m):
        for g in (g0 - step_, g0 + step_):
            if 1 <= g < m and math.gcd(g, m) == 1:
                return g
    return 1


def lattice_uniforms(key: jax.Array, m: int, d: int, dtype: jnp.dtype) -> jax.Array:
    """``m`` points of a randomly shifted, randomly ordered rank-1 lattice: ``(d, m)``.

    The lattice ``(i / m, i g / m) mod 1`` (``g`` from :func:`lattice_generator`) puts
    exactly one point in each of ``m`` equal slices of every axis; one uniform shift of
    the whole lattice makes each point uniform on the cube, and handing the points out in
    a random order makes any subset of the paths (such as the kept ones) a random sample.
    """
    if m == 0:
        return jnp.zeros((d, 0), dtype)
    k_shift, k_perm = jax.random.split(key)
    # integer lattice coordinates, exact for any m (i * g would overflow float32 and int32)
    coords = np.stack([np.arange(m), (np.arange(m, dtype=np.int64) * lattice_generator(m)) % m])
    perm = jax.random.permutation(k_perm, m)
    c = jnp.asarray(coords[:d], jnp.int32)[:, perm].astype(dtype)
    shift = jax.random.uniform(k_shift, (d, 1), dtype)
    return jnp.mod(c / m + shift, 1.0)


def lattice_normals(key: jax.Array, m: int, d: int, dtype: jnp.dtype) -> jax.Array:
    """:func:`lattice_uniforms` mapped to standard normals by the inverse normal CDF."""
    u = lattice_uniforms(key, m, d, dtype)
    tiny = jnp.finfo(dtype).eps
    return ndtri(jnp.clip(u, tiny, 1 - tiny))


def groups(n_units: int, d: int) -> tuple[tuple[int, int, bool], ...]:
    """Lattice segments of a (scenario, sample)'s independent paths: ``(start, size, flip)``.

    Units ``0 .. n_units // 2 - 1`` are half A of the reducer's noise estimate and the rest
    half B (as :func:`rutsim.risk.draw_reducer.half_masks` splits them); each half has its
    own lattices, so the halves stay independent. With two directions each half is split
    again: the first group is stratified with the first horizon's direction first, the
    second (``flip``) with the second horizon's first, because a lattice stratifies its
    first axis exactly and an oblique direction only partly (measured: the first axis's
    horizon gains 4-6x in standard error over antithetic paths, the other 1.5-2.5x).
    """
    m_a = n_units // 2
    out: list[tuple[int, int, bool]] = []
    for start, size in ((0, m_a), (m_a, n_units - m_a)):
        if d < 2:
            out.append((start, size, False))
        else:
            first = -(-size // 2)
            out += [(start, first, False), (start + first, size - first, True)]
    return tuple((a, n, f) for a, n, f in out if n > 0)


def unit_targets(key: jax.Array, n_units: int, d: int, dtype: jnp.dtype) -> jax.Array:
    """Targets ``Y`` of one (scenario, sample)'s independent paths: ``(d, n_units)``.

    One lattice per segment of :func:`groups`, in the segment's own axis order.
    """
    segments = groups(n_units, d)
    keys = jax.random.split(key, len(segments))
    return jnp.concatenate(
        [
            lattice_normals(k, size, d, dtype)
            for k, (_, size, _) in zip(keys, segments, strict=True)
        ],
        axis=1,
    )


def flipped(n_units: int, d: int) -> np.ndarray:
    """Which units take their directions in reverse order (static, ``(n_units,)``)."""
    out = np.zeros(n_units, bool)
    for start, size, flip in groups(n_units, d):
        out[start : start + size] = flip
    return out


def neutral_gammas(shocks: ShockSpec, dtype: jnp.dtype) -> jax.Array:
    """Mixing weights that scale every Student-t shock by one (the linearisation point)."""
    macro = shocks.macro_nu / 2
    equity = shocks.equity_nu / 2
    rows = (macro, macro, equity, equity, equity, macro, macro)
    assert len(rows) == N_GAMMAS
    return jnp.asarray(rows, dtype)


def return_gradients(
    p: PosteriorParams,
    carry_rate: jax.Array,
    path_sd: jax.Array,
    shocks: ShockSpec,
    start: PathState,
    xs: tuple[jax.Array, jax.Array, jax.Array],
    horizons: tuple[int, ...],
) -> jax.Array:
    """Gradient of the cumulative log total return at each of ``horizons`` (1-based).

    For one (scenario, sample): ``start`` is its initial state, ``xs`` its
    ``(values (H, V), pinned (H, V), priced_in (H,))``. Returns ``(d, H, N_NORMALS)``.
    """
    values, pinned, priced = xs
    horizon = values.shape[0]
    gam = neutral_gammas(shocks, values.dtype)

    def cumulative(z: jax.Array) -> jax.Array:
        def body(state: PathState, x: tuple) -> tuple:
            v, pin, pr, zt = x
            new, out = step(p, carry_rate, path_sd, shocks, state, StepInput(v, pin, pr, zt, gam))
            return new, out.total_return

        returns: jax.Array
        _, returns = jax.lax.scan(body, start, (values, pinned, priced, z))
        return jnp.cumsum(returns)[jnp.asarray(horizons) - 1]

    zero = jnp.zeros((horizon, N_NORMALS), values.dtype)
    return jax.jacrev(cumulative)(zero)


#: The Gamma row that scales each normal row of a step (``_step.py``); None: always normal.
_GAMMA_OF_NORMAL: tuple[int | None, ...] = (0, 1, 1, 2, 2, 3, 4, None, None, None, 5, 6, None)
_EQUITY_GAMMAS = frozenset({2, 3, 4})


def shock_scales(gammas: jax.Array, shocks: ShockSpec) -> jax.Array | None:
    """Scale ``1 / sqrt(w)`` of every normal row from its path's mixing weight.

    ``gammas`` is ``(..., N_GAMMAS, P)``; returns ``(..., N_NORMALS, P)``, ones for normal
    families and for the random-walk deviations, or None when every family is normal
    (nothing to scale). The slope/spread pair takes the rate of neither being pinned
    (the exact rate of a pinned pair depends on the path; this only sets where the
    stratified direction points, not the law of the shocks).
    """
    if shocks.macro != "student_t" and shocks.equity != "student_t":
        return None
    one = jnp.ones_like(gammas[..., 0, :])
    rows = []
    for g in _GAMMA_OF_NORMAL:
        equity = g in _EQUITY_GAMMAS
        student_t = (shocks.equity if equity else shocks.macro) == "student_t"
        if g is None or not student_t:
            rows.append(one)
            continue
        rate = (shocks.equity_nu if equity else shocks.macro_nu) / 2
        rows.append(jnp.sqrt(rate / gammas[..., g, :]))
    return jnp.stack(rows, axis=-2)


class Sums(NamedTuple):
    """Per-path sums over the horizon's shocks: projections ``V z`` and Gram ``V V^T``.

    ``proj`` is ``(d, ..., P)``; ``gram`` is ``(d (d + 1) / 2, ..., P)`` as ``(11,)`` or
    ``(11, 22, 12)``.
    """

    proj: jax.Array
    gram: jax.Array


def quarter_sums(
    z: jax.Array, gradients: jax.Array, scales: jax.Array | None, axes: tuple[int, ...]
) -> Sums:
    """One quarter's (or all quarters') contribution to :class:`Sums`, summed over ``axes``.

    ``z`` and ``scales`` are shaped like each other (paths last); ``gradients`` has a
    leading ``d`` axis and broadcasts against them. Each path's directions are
    ``V = gradients * scales``.
    """
    d = gradients.shape[0]
    sz = z if scales is None else scales * z
    s2 = None if scales is None else scales * scales

    def gram(i: int, j: int) -> jax.Array:
        aa = gradients[i] * gradients[j]
        return (aa if s2 is None else aa * s2).sum(axis=axes)

    pairs = [(0, 0)] if d == 1 else [(0, 0), (1, 1), (0, 1)]
    return Sums(
        jnp.stack([(gradients[i] * sz).sum(axis=axes) for i in range(d)]),
        jnp.stack([gram(i, j) for i, j in pairs]),
    )


def coefficients(sums: Sums, targets: jax.Array, flip: np.ndarray) -> jax.Array:
    """Per-path coefficients ``c = L^-T (Y - L^-1 V z)`` of the move ``z' = z + V^T c``.

    ``U`` are the Gram-Schmidt rows of ``V`` in the path's order (reversed where ``flip``,
    see :func:`groups`): with the Gram matrix's Cholesky factor ``L`` (``V V^T = L L^T``)
    ``U = L^-1 V``, so ``U^T (Y - U z) = V^T L^-T (Y - L^-1 V z)``. A direction with
    nothing new (zero, or the first one again) is dropped. Returns ``(d, ..., P)``.
    """
    proj, g = sums
    tiny = jnp.finfo(proj.dtype).tiny
    if proj.shape[0] == 1:
        keep = g[0] > tiny
        l11 = jnp.sqrt(jnp.where(keep, g[0], 1))
        return jnp.where(keep, (targets[0] - proj[0] / l11) / l11, 0)[None]
    fl = jnp.asarray(flip)
    g11, g22, g12 = g[0], g[1], g[2]
    # (first, second) in the path's order
    ga, gb = jnp.where(fl, g22, g11), jnp.where(fl, g11, g22)
    pa, pb = jnp.where(fl, proj[1], proj[0]), jnp.where(fl, proj[0], proj[1])
    ya, yb = jnp.where(fl, targets[1], targets[0]), jnp.where(fl, targets[0], targets[1])
    keep_a = ga > tiny
    l11 = jnp.sqrt(jnp.where(keep_a, ga, 1))
    l21 = jnp.where(keep_a, g12 / l11, 0)
    rest = jnp.maximum(gb - l21 * l21, 0)
    keep_b = (gb > tiny) & (rest > 1e-8 * gb)  # |new part| > 1e-4 |second direction|
    l22 = jnp.sqrt(jnp.where(keep_b, rest, 1))
    ra = jnp.where(keep_a, ya - pa / l11, 0)
    rb = jnp.where(keep_b, yb - (pb - l21 * (pa / l11)) / l22, 0)
    cb = rb / l22
    ca = jnp.where(keep_a, (ra - l21 * cb) / l11, 0)
    return jnp.stack([jnp.where(fl, cb, ca), jnp.where(fl, ca, cb)])


def move(
    z: jax.Array, gradients: jax.Array, scales: jax.Array | None, coef: jax.Array
) -> jax.Array:
    """``z + V^T c``: the shocks on their targets (``coef`` broadcast like ``z``)."""
    step_ = sum(gradients[i] * coef[i] for i in range(gradients.shape[0]))
    return z + (step_ if scales is None else scales * step_)


def stratify(
    z: jax.Array,
    gradients: jax.Array,
    scales: jax.Array | None,
    targets: jax.Array,
    flip: np.ndarray,
) -> jax.Array:
    """Move each path's whole-horizon shocks onto its targets: ``z' = z + U^T (Y - U z)``.

    The kernel does the same in two passes (:func:`quarter_sums` while drawing,
    :func:`move` inside its scan); this one-call form is its reference.

    Parameters
    ----------
    z : array ``(H, ..., K, P)``
        Standard normal shocks: quarters, any batch axes, shock rows, paths.
    gradients : array ``(d, H, ..., K, 1)``
        The return's gradients at the stratified horizons (broadcast over paths).
    scales : array ``(H, ..., K, P)`` or None
        Each path's shock scales (:func:`shock_scales`): its directions are
        ``V = gradients * scales``, the return's gradient with respect to *its* normals.
        They depend on the path's mixing weights only, which are independent of ``z``,
        so given them ``z'`` is still exactly ``N(0, I)``.
    targets : array ``(d, ..., P)``
        ``Y``, standard normal (stratified) per path.
    flip : bool array ``(P,)``
        Paths that orthonormalise the directions in reverse order (see :func:`groups`).
    """
    sums = quarter_sums(z, gradients, scales, axes=(0, z.ndim - 2))
    coef = coefficients(sums, targets, flip)
    return move(z, gradients, scales, jnp.expand_dims(coef, (1, coef.ndim)))
