"""The jitted kernel: ``lax.scan`` over quarters of a step vmapped over scenario x sample x path.

Keys are derived from *what* is simulated, never from the order of work:
``fold_in(fold_in(key(seed), crc32(scenario name)), global sample index)``, then
``fold_in(.., quarter)`` for each quarter's shocks of all paths. A scenario's draws
therefore do not depend on which other scenarios run, in which order, or how the
posterior samples are chunked; a longer horizon extends the same paths. Shocks are drawn
one quarter at a time inside the scan (memory of one quarter, paths on the minor axis;
see ``_draws.py``).

Precision: float32 by default. float64 needs JAX's process-global ``jax_enable_x64``
flag, which must be set before arrays are created: set the environment variable
``JAX_ENABLE_X64=1`` (or call ``jax.config.update("jax_enable_x64", True)`` first thing);
``rutsim run`` sets it itself when the config asks for ``dtype = "float64"``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from rutsim.errors import ConfigError, ScenarioError
from rutsim.simulate._draws import draw_step
from rutsim.simulate._step import PathState, StepInput, init_state, step
from rutsim.simulate._strata import (
    LATTICE_KEY,
    MAX_DIRECTIONS,
    Sums,
    coefficients,
    flipped,
    move,
    quarter_sums,
    return_gradients,
    shock_scales,
    unit_targets,
)
from rutsim.types import (
    MACRO_VARIABLES,
    InitialState,
    PosteriorParams,
    ScenarioArrays,
    ShockSpec,
    SimPaths,
)

DType = Literal["float32", "float64"]
_DEFAULT_SHOCKS = ShockSpec()

#: Philox (Random123, as in cuRAND and NumPy's ``Philox``): counter-based like JAX's
#: default threefry but measured about 4x faster per normal on these CPUs (2.2 vs 20 ns
#: per 32-bit word), and the kernel is bound by its random numbers.
PRNG_IMPL = "philox2x32"

# Incremented only while JAX traces the kernel: tests read it to prove one compile per shape.
_TRACE_COUNT = [0]


def use_precision(dtype: str) -> None:
    """Enable JAX's float64 mode when ``dtype == "float64"`` (process-global, see above).

    Call it before any JAX array is created; float32 leaves the process as it is.
    """
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)


#: Compiled kernels smaller than this are not worth a disk round trip; larger ones (the
#: whole simulate-and-reduce step of a run takes seconds to compile) are cached.
CACHE_MIN_COMPILE_S = 0.5
#: Largest size of the persistent compilation cache; JAX evicts least-recently-used entries.
CACHE_MAX_BYTES = 2 * 2**30


def use_compilation_cache(folder: Path) -> None:
    """Keep compiled kernels in ``folder`` between processes (JAX's persistent cache).

    Invalidation is JAX's own: an entry's key hashes the compiled program (so the kernel's
    code, the chunk shapes, the dtype and the shock layout), the JAX and jaxlib versions,
    the backend and the compile options; anything that changes the program misses and
    compiles afresh, and a stale entry is never used, only evicted (least recently used,
    beyond :data:`CACHE_MAX_BYTES`). A user's own ``JAX_COMPILATION_CACHE_DIR`` wins.
    """
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", CACHE_MIN_COMPILE_S)
    jax.config.update("jax_compilation_cache_max_size", CACHE_MAX_BYTES)


def trace_count() -> int:
    """Return how many times the kernel has been traced (compiled) in this process."""
    return _TRACE_COUNT[0]


def scenario_keys(seed: int, names: Sequence[str]) -> jax.Array:
    """Per-scenario root keys, shape ``(scenario,)``: ``fold_in(key(seed), crc32(name))``.

    Parameters
    ----------
    seed : int
        The run's seed (``simulation.seed``), 0 <= seed < 2**32.
    names : sequence of str
        Scenario names, in the order of the scenario axis.

    Returns
    -------
    jax.Array
        Typed PRNG key array of shape ``(scenario,)``.
    """
    root = jax.random.key(np.uint32(seed), impl=PRNG_IMPL)
    keys = [jax.random.fold_in(root, np.uint32(zlib.crc32(n.encode("utf-8")))) for n in names]
    return jnp.stack(keys)


def _pairs(z: jax.Array, g: jax.Array, n_paths: int) -> tuple[jax.Array, jax.Array]:
    """Antithetic pairs on the last axis: path ``p + ceil(n / 2)`` is ``p`` negated."""
    z = jnp.concatenate([z, -z], axis=-1)[..., :n_paths]
    return z, jnp.concatenate([g, g], axis=-1)[..., :n_paths]


def _draw_all(
    keys: jax.Array,
    pinned_t: jax.Array,
    t: jax.Array,
    n_paths: int,
    shocks: ShockSpec,
    dtype: jnp.dtype,
    antithetic: bool = False,
) -> tuple[jax.Array, jax.Array]:
    """One quarter's shocks for every (scenario, sample): ``(S, N, K, path)`` arrays.

    Antithetic: ``ceil(n_paths / 2)`` paths are drawn; path ``p + ceil(n_paths / 2)`` takes
    path ``p``'s normals negated and its mixing weights (``z -> -z`` leaves a normal, and
    the normal-variance mixture ``z / sqrt(w)``, unchanged in law, so each path is exact).
    """
    half = -(-n_paths // 2)

    def one(key: jax.Array, pin: jax.Array) -> tuple[jax.Array, jax.Array]:
        k = jax.random.fold_in(key, t)
        if not antithetic:
            return draw_step(k, n_paths, pin, shocks, dtype)
        return _pairs(*draw_step(k, half, pin, shocks, dtype), n_paths)

    return jax.vmap(jax.vmap(one, in_axes=(0, None)))(keys, pinned_t)


class _Strata(NamedTuple):
    """What the scan needs to stratify each quarter's shocks (see ``_strata.py``)."""

    normals: jax.Array  # (H, S, N, K, units): the independent paths' drawn shocks
    gammas: jax.Array  # (H, S, N, N_GAMMAS, units)
    gradients: jax.Array  # (H, d, S, N, K, 1): the return's gradients, quarter by quarter
    coef: jax.Array  # (d, S, N, 1, units): each path's move along its directions


def _prepare_strata(
    sample_keys: jax.Array,
    params: PosteriorParams,
    carry_rate: jax.Array,
    path_sd: jax.Array,
    one_path: PathState,
    xs: tuple[jax.Array, ...],
    n_paths: int,
    shocks: ShockSpec,
    strata: tuple[int, ...],
    antithetic: bool,
) -> _Strata:
    """Draw every quarter's shocks and each path's move onto its lattice targets.

    The independent paths' shocks are drawn from the same per-quarter keys as without
    stratification, in a scan over quarters that also sums each path's projections and
    Gram entries while the quarter's shocks are in cache; the move itself is applied
    inside the simulation's own scan (:func:`_shocks_at`), and only then are pairs formed.
    """
    values_q, pinned_q, priced_q, quarters = xs  # (H, S, V), (H, S, V), (H, S), (H,)
    dtype = values_q.dtype
    units = -(-n_paths // 2) if antithetic else n_paths
    d = len(strata)

    def gradients(p: PosteriorParams, q0: jax.Array, sd: jax.Array, scen: tuple) -> jax.Array:
        start = one_path._replace(q=q0)
        return return_gradients(p, carry_rate, sd, shocks, start, scen, strata)

    scen_xs = (jnp.swapaxes(values_q, 0, 1), jnp.swapaxes(pinned_q, 0, 1), priced_q.T)
    per_sample = jax.vmap(gradients, in_axes=(0, 0, None, None))
    grads = jax.vmap(per_sample, in_axes=(None, None, 0, 0))(params, one_path.q, path_sd, scen_xs)
    grads = jnp.moveaxis(grads, (2, 3), (1, 0))[..., None]  # (S, N, d, H, K) -> (H, d, S, N, K, 1)

    def draw(sums: Sums, x: tuple) -> tuple[Sums, tuple[jax.Array, jax.Array]]:
        pinned_t, t, a_t = x

        def one(key: jax.Array, pin: jax.Array) -> tuple[jax.Array, jax.Array]:
            return draw_step(jax.random.fold_in(key, t), units, pin, shocks, dtype)

        z, g = jax.vmap(jax.vmap(one, in_axes=(0, None)))(sample_keys, pinned_t)
        add = quarter_sums(z, a_t, shock_scales(g, shocks), axes=(-2,))
        return Sums(*(s + a for s, a in zip(sums, add, strict=True))), (z, g)

    n_s, n_n = sample_keys.shape
    zero = Sums(
        jnp.zeros((d, n_s, n_n, units), dtype),
        jnp.zeros((1 if d == 1 else 3, n_s, n_n, units), dtype),
    )
    sums, (z, g) = jax.lax.scan(draw, zero, (pinned_q, quarters, grads))
    targets = jax.vmap(
        jax.vmap(lambda k: unit_targets(jax.random.fold_in(k, LATTICE_KEY), units, d, dtype))
    )(sample_keys)  # (S, N, d, units)
    coef = coefficients(sums, jnp.moveaxis(targets, 2, 0), flipped(units, d))
    return _Strata(z, g, grads, coef[:, :, :, None])


def _shocks_at(
    strata: _Strata, t: jax.Array, n_paths: int, shocks: ShockSpec, antithetic: bool
) -> tuple[jax.Array, jax.Array]:
    """Quarter ``t``'s stratified shocks of every path, ``(S, N, K, path)``, pairs formed."""
    z, g, a = strata.normals[t], strata.gammas[t], strata.gradients[t]
    z = move(z, a, shock_scales(g, shocks), strata.coef)
    return _pairs(z, g, n_paths) if antithetic else (z, g)


@partial(jax.jit, static_argnames=("n_paths", "shocks", "dtype", "antithetic", "strata"))
def _simulate(
    keys: jax.Array,
    params: PosteriorParams,
    initial: InitialState,
    values: jax.Array,
    pinned: jax.Array,
    path_sd: jax.Array,
    priced_in: jax.Array,
    sample_index: jax.Array,
    *,
    n_paths: int,
    shocks: ShockSpec,
    dtype: str,
    antithetic: bool = False,
    strata: tuple[int, ...] = (),
) -> SimPaths:
    """Scan the horizon; each quarter's step is vmapped over scenario x sample x path."""
    _TRACE_COUNT[0] += 1
    jdtype = jnp.dtype(dtype)
    n_scen, horizon = values.shape[:2]
    n_samp = sample_index.shape[0]
    # (scenario, sample) keys: fold_in(scenario key, global sample index)
    sample_keys = jax.vmap(lambda k: jax.vmap(lambda i: jax.random.fold_in(k, i))(sample_index))(
        keys
    )
    carry_rate = jnp.asarray(initial.carry, jdtype)

    def path_step(
        p: PosteriorParams, sd: jax.Array, state: PathState, x: StepInput
    ) -> tuple[PathState, SimPaths]:
        return step(p, carry_rate, sd, shocks, state, x)

    # paths are the minor axis of the shocks, (K, path): see _draws.draw_step
    over_paths = jax.vmap(
        path_step,
        in_axes=(
            None,
            None,
            0,
            StepInput._make((None, None, None, 1, 1)),  # in_axes: an axis per field,
        ),
    )
    no = StepInput._make((None, None, None, 0, 0))
    over_samples = jax.vmap(over_paths, in_axes=(0, None, 0, no))
    over_all = jax.vmap(
        over_samples,
        in_axes=(None, 0, 0, StepInput._make((0, 0, 0, 0, 0))),
    )

    def body(state: PathState, xs: tuple[jax.Array, ...]) -> tuple:
        values_t, pinned_t, priced_t, t = xs  # (S, V), (S, V), (S,), ()
        if prepared is not None:
            normals, gammas = _shocks_at(prepared, t, n_paths, shocks, antithetic)
        else:
            normals, gammas = _draw_all(
                sample_keys, pinned_t, t, n_paths, shocks, jdtype, antithetic
            )
        x = StepInput(values_t, pinned_t, priced_t, normals, gammas)
        return over_all(params, path_sd, state, x)

    one_path = init_state(params, initial, jdtype)  # fields () or (sample,) for q
    shape = (n_scen, n_samp, n_paths)
    start = PathState(
        **{
            k: jnp.broadcast_to(jnp.asarray(v), shape)
            for k, v in one_path._asdict().items()
            if k != "q"
        },
        q=jnp.broadcast_to(one_path.q[None, :, None], shape),
    )
    quarters = jnp.arange(horizon, dtype=jnp.uint32)
    xs = (jnp.swapaxes(values, 0, 1), jnp.swapaxes(pinned, 0, 1), priced_in.T, quarters)
    prepared = (
        _prepare_strata(
            sample_keys,
            params,
            carry_rate,
            path_sd,
            one_path,
            xs,
            n_paths,
            shocks,
            strata,
            antithetic,
        )  # fmt: skip
        if strata
        else None
    )
    out: SimPaths
    _, out = jax.lax.scan(body, start, xs)
    # Quarter-major (horizon, S, N, P) as scan stacks it: moving the axis here would copy
    # every output (measured ~40% of the kernel's time on CPU); simulate_chunk moves it
    # unless the caller asks for quarter-major output.
    return out


def _check_inputs(
    key: jax.Array, params: PosteriorParams, scenarios: ScenarioArrays, n_paths: int, horizon: int
) -> int:
    if n_paths < 1:
        raise ConfigError(
            f"n_paths is {n_paths}; at least one path per draw is needed. "
            "To fix: set simulation.paths_per_draw to a positive number."
        )
    if horizon < 1:
        raise ConfigError(
            f"horizon is {horizon}; at least one quarter is needed. "
            "To fix: set simulation.horizon to a positive number of quarters."
        )
    values = np.shape(scenarios.values)
    n_var = len(MACRO_VARIABLES)
    if len(values) != 3 or values[2] != n_var or np.shape(scenarios.pinned) != values:
        raise ScenarioError(
            f"scenario arrays have shapes values {values}, pinned {np.shape(scenarios.pinned)}; "
            f"expected (scenario, horizon, {n_var}) for both. To fix: stack ScenarioArrays "
            "built by rutsim.scenario.scenario_arrays along a leading scenario axis."
        )
    if values[1] < horizon:
        raise ScenarioError(
            f"scenario paths cover {values[1]} quarters but the horizon is {horizon}. "
            "To fix: extend the scenario paths or shorten simulation.horizon."
        )
    if np.shape(scenarios.priced_in)[:1] != values[:1] or np.shape(scenarios.priced_in)[1:] != (
        values[1],
    ):
        raise ScenarioError(
            f"scenario arrays have priced_in of shape {np.shape(scenarios.priced_in)}; "
            f"expected (scenario, horizon) = {values[:2]}. To fix: build them with "
            "rutsim.scenario.scenario_arrays."
        )
    if np.shape(scenarios.path_sd) != (values[0], n_var) or np.shape(key) != (values[0],):
        raise ScenarioError(
            f"{values[0]} scenarios but path_sd has shape {np.shape(scenarios.path_sd)} and "
            f"the keys shape {np.shape(key)}. To fix: pass one key (scenario_keys) and one "
            "path_sd row per scenario."
        )
    n_samples = {np.shape(leaf) for leaf in params}
    if len(n_samples) != 1 or len(next(iter(n_samples))) != 1:
        raise ConfigError(
            f"posterior parameters must all have shape (sample,), got {sorted(n_samples)}. "
            "To fix: build them with rutsim.model.posterior_to_pytree."
        )
    return next(iter(n_samples))[0]


def _check_strata(strata: Sequence[int], horizon: int) -> None:
    if (
        len(strata) > MAX_DIRECTIONS
        or len(set(strata)) != len(strata)
        or not all(1 <= int(h) <= horizon for h in strata)
    ):
        raise ConfigError(
            f"stratified horizons {list(strata)} with a horizon of {horizon}: at most "
            f"{MAX_DIRECTIONS} distinct quarters between 1 and the horizon. To fix: set "
            "simulation.stratify_horizons to e.g. [4, 12], or [] for plain paths."
        )


def simulate_chunk(
    key: jax.Array,
    params: PosteriorParams,
    initial: InitialState,
    scenarios: ScenarioArrays,
    *,
    n_paths: int,
    horizon: int,
    shocks: ShockSpec = _DEFAULT_SHOCKS,
    dtype: DType = "float32",
    sample_index: jax.Array | np.ndarray | None = None,
    quarter_major: bool = False,
    antithetic: bool = False,
    strata: tuple[int, ...] = (),
) -> SimPaths:
    """Simulate every scenario for a block of posterior samples.

    Pure and jit-compiled once per shape (scenario count, sample count, ``n_paths``,
    ``horizon``, ``shocks``, ``dtype``).

    Parameters
    ----------
    key : jax.Array
        Per-scenario keys, shape ``(scenario,)``, from :func:`scenario_keys`.
    params : PosteriorParams
        Posterior samples, each field shape ``(sample,)``.
    initial : InitialState
        Last observed quarter (scalars).
    scenarios : ScenarioArrays
        Stacked scenarios: ``values`` and ``pinned`` ``(scenario, >= horizon, V)``,
        ``path_sd`` ``(scenario, V)``, ``V = len(MACRO_VARIABLES)``.
    n_paths : int
        Paths per (scenario, sample).
    horizon : int
        Quarters to simulate.
    shocks : ShockSpec
        Shock families (static).
    dtype : {"float32", "float64"}
        Precision; float64 needs ``jax_enable_x64`` (see the module docstring).
    sample_index : int array, shape ``(sample,)``, optional
        Global posterior-sample index of each sample (keys are folded with it so that
        chunking never changes the draws). Defaults to ``0..sample-1``.
    quarter_major : bool, default False
        Return fields shaped ``(horizon, scenario, sample, path)``, as the scan produces
        them, skipping a device-side transpose; the chunked driver uses this and takes a
        free NumPy view with the axes in the standard order.
    antithetic : bool, default False
        Draw half the paths' shocks and give path ``p + ceil(n_paths / 2)`` the negated
        normals (same mixing weights) of path ``p``: antithetic pairs (see ``_draw_all``).
    strata : tuple of int, default ()
        Horizons (1-based quarters, at most two) whose cumulative return the paths are
        stratified along (see ``_strata.py``); empty draws plain (or antithetic) paths,
        bit-identical to a kernel without stratification.

    Returns
    -------
    SimPaths
        Every field shape ``(scenario, sample, path, horizon)`` (see ``quarter_major``).
    """
    n_samples = _check_inputs(key, params, scenarios, n_paths, horizon)
    if dtype == "float64" and not jax.config.jax_enable_x64:
        raise ConfigError(
            'dtype "float64" needs JAX 64-bit mode, which is off in this process. To fix: '
            "set the environment variable JAX_ENABLE_X64=1 before starting Python, or call "
            'jax.config.update("jax_enable_x64", True) before any JAX arrays are created.'
        )
    if dtype not in ("float32", "float64"):
        raise ConfigError(f'dtype is "{dtype}". To fix: use "float32" or "float64".')
    _check_strata(strata, horizon)
    jdtype = jnp.dtype(dtype)
    if sample_index is None:
        sample_index = np.arange(n_samples, dtype=np.uint32)
    if np.shape(sample_index) != (n_samples,):
        raise ConfigError(
            f"sample_index has shape {np.shape(sample_index)} but there are {n_samples} "
            "samples. To fix: pass one global index per sample."
        )
    cast = partial(jnp.asarray, dtype=jdtype)
    out = _simulate(
        key,
        PosteriorParams(*map(cast, params)),
        InitialState(*map(cast, initial)),
        cast(scenarios.values[:, :horizon]),
        jnp.asarray(scenarios.pinned[:, :horizon], dtype=bool),
        cast(scenarios.path_sd),
        cast(scenarios.priced_in[:, :horizon]),
        jnp.asarray(sample_index, dtype=jnp.uint32),
        n_paths=n_paths,
        shocks=shocks,
        dtype=dtype,
        antithetic=antithetic,
        strata=tuple(int(h) for h in strata),
    )
    if quarter_major:
        return out
    return SimPaths(*(jnp.moveaxis(a, 0, -1) for a in out))
