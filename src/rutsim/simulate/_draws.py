"""The random numbers of one quarter for all paths of one (scenario, sample).

Normals come from ``jax.random.normal``. Student-t shocks need unit-rate Gamma mixing
weights (see ``_step.py``); for a whole-number ``nu`` (the default 5 and 7) they are drawn
exactly and cheaply from the identity

    Gamma(m + h/2) = -(log U_1 + ... + log U_m) + h * Z^2 / 2,   m = nu // 2, h = nu % 2,

(a sum of unit exponentials plus half a squared normal), several times faster on CPU
than ``jax.random.gamma``'s rejection sampler, which remains the fallback for other
``nu``. When exactly one of slope and spread is pinned, the pair's weight has shape
(nu + 1)/2 (its conditional given the pinned shock): one more ``Z^2 / 2`` is added.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from rutsim.simulate._step import N_GAMMAS, N_NORMALS
from rutsim.types import ShockSpec


class _Family(NamedTuple):
    """How one shock family's Gamma weights are drawn: ``m`` logs, ``h`` half-squares."""

    m: int
    h: int


def _family(kind: str, nu: float) -> _Family | None:
    """Exact exponential/normal recipe for whole-number ``nu``; None means fallback."""
    if kind != "student_t" or not float(nu).is_integer() or not 1 <= nu <= 64:
        return None
    return _Family(int(nu) // 2, int(nu) % 2)


#: Shock family of each Gamma row (see ``_step.py``): macro single, macro pair, equity.
_ROWS: tuple[str, ...] = ("macro", "pair", "equity", "equity", "equity", "macro", "macro")
assert len(_ROWS) == N_GAMMAS


def random_words(shocks: ShockSpec) -> tuple[int, int]:
    """Return (normals, uniforms) drawn per path-step for these shock families."""
    normals, uniforms = N_NORMALS, 0
    macro = _family(shocks.macro, shocks.macro_nu)
    equity = _family(shocks.equity, shocks.equity_nu)
    for row in _ROWS:
        f = equity if row == "equity" else macro
        if f is not None:
            # the pair's weight takes one more half-square when one of the two is pinned
            normals += f.h + (row == "pair")
            uniforms += f.m
    return normals, uniforms


def _open_uniform(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype) -> jax.Array:
    # 24 random bits centred in their cell: strictly inside (0, 1), so log() is finite.
    bits = jax.random.bits(key, shape, jnp.uint32) >> 8
    return (bits.astype(dtype) + 0.5) * jnp.asarray(2.0**-24, dtype)


def _gammas(f: _Family, neg_logs: jax.Array, z: jax.Array, extra: jax.Array | None) -> jax.Array:
    """Gamma(m + h/2 [+ 1/2 * extra]) from ``m`` rows of -log U and ``h`` rows of normals."""
    g = neg_logs.sum(axis=0) if f.m else jnp.zeros(neg_logs.shape[1:], z.dtype)
    if f.h:
        g = g + z[0] ** 2 / 2
    if extra is not None:
        g = g + extra * z[f.h] ** 2 / 2
    return g


def draw_step(
    key: jax.Array, n_paths: int, pinned_t: jax.Array, shocks: ShockSpec, dtype: jnp.dtype
) -> tuple[jax.Array, jax.Array]:
    """Draw one quarter's shocks for ``n_paths`` paths.

    Parameters
    ----------
    key : jax.Array
        This (scenario, sample, quarter)'s key.
    n_paths : int
        Paths.
    pinned_t : bool array, shape ``(len(MACRO_VARIABLES),)``
        This quarter's pinned mask (fed funds, slope, spread, unemployment).
    shocks : ShockSpec
        Shock families (static).
    dtype : jnp.dtype
        Float dtype.

    Returns
    -------
    normals : array, shape ``(N_NORMALS, path)``
    gammas : array, shape ``(N_GAMMAS, path)``
        Unit-rate Gamma mixing weights (ones for normal families).

    Paths are the minor (last) axis: XLA on CPU vectorises along it, and a short minor
    axis (e.g. ``(path, 10)``) was measured 7x slower per normal.
    """
    n_norm, n_unif = random_words(shocks)
    kz, ku, kg = jax.random.split(key, 3)
    z = jax.random.normal(kz, (n_norm, n_paths), dtype)
    u = -jnp.log(_open_uniform(ku, (n_unif, n_paths), dtype)) if n_unif else z[:0]
    one = jnp.logical_xor(pinned_t[1], pinned_t[2]).astype(dtype)
    zi, ui = N_NORMALS, 0
    rows: list[jax.Array] = []
    for i, row in enumerate(_ROWS):
        kind, nu = (
            (shocks.equity, shocks.equity_nu)
            if row == "equity"
            else (shocks.macro, shocks.macro_nu)
        )
        f = _family(kind, nu)
        extra = one if row == "pair" else None
        if f is not None:
            n_z = f.h + (row == "pair")
            rows.append(_gammas(f, u[ui : ui + f.m], z[zi : zi + n_z], extra))
            zi += n_z
            ui += f.m
        elif kind == "student_t":
            half = jnp.asarray(nu / 2, dtype)
            shape = half + one / 2 if extra is not None else half
            rows.append(jax.random.gamma(jax.random.fold_in(kg, i), shape, (n_paths,), dtype))
        else:
            rows.append(jnp.ones((n_paths,), dtype))
    return z[:N_NORMALS], jnp.stack(rows)
