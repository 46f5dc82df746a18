"""Kernel benchmark: JAX vs a vectorised NumPy version of the same step vs the RNG floor.

Run from the project root (float32, all cores the machine gives JAX)::

    .venv/bin/python benchmarks/bench_kernel.py --samples 250 --paths 200 --repeats 3

Three timings at the same sizes (scenario x sample x path x horizon), best of
``--repeats`` after a warm-up call (compile time reported separately):

- ``jax``: :func:`rutsim.simulate.simulate_chunk` on the samples split into ``--workers``
  chunks run concurrently, as the driver runs them (also reported: one single call);
- ``numpy``: the same equations vectorised over (scenario, sample, path) with NumPy,
  looping over quarters, same shock families (normals; Gamma mixing weights for t);
- ``floor``: JAX only drawing the same number of standard normals the kernel draws
  (``N_NORMALS`` per path-step plus the squared normals of the Student-t weights);
- ``numpy floor``: NumPy drawing as many float32 normals (its ziggurat), one thread.

The fair comparison is per CPU-second (``time.process_time`` of each side): the JAX
side runs ``--workers`` chunk threads, NumPy one. Also printed: one JAX call (about one
core) against NumPy in wall time, and both random-number floors.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import jax
import numpy as np

from rutsim import equations as eq
from rutsim.simulate import (
    ScenarioArrays,
    SimPaths,
    scenario_keys,
    simulate_chunk,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.simulate._draws import random_words
from rutsim.simulate._kernel import PRNG_IMPL
from rutsim.simulate._step import N_NORMALS
from rutsim.types import InitialState, PosteriorParams, ShockSpec


def make_scenarios(n_scen: int, horizon: int) -> ScenarioArrays:
    """Fed funds pinned in the first scenario, slope in the second, nothing in the rest."""
    values = np.zeros((n_scen, horizon, 4))
    values[..., 0] = np.linspace(4.1, 3.1, horizon)
    values[..., 1] = 0.8
    values[..., 3] = np.linspace(4.3, 4.6, horizon)
    pinned = np.zeros((n_scen, horizon, 4), dtype=bool)
    pinned[0, :, 0] = pinned[0, :, 3] = True
    if n_scen > 1:
        pinned[1, :, 1] = True
    return ScenarioArrays(values, pinned, np.full((n_scen, 4), 0.05), np.zeros(values.shape[:2]))


def numpy_simulate(
    rng: np.random.Generator,
    p: PosteriorParams,
    init: InitialState,
    scen: ScenarioArrays,
    n_paths: int,
    shocks: ShockSpec,
) -> dict[str, np.ndarray]:
    """The kernel's step in vectorised NumPy float32; outputs ``(S, N, P, H)``.

    The equation means are the shared ones (:mod:`rutsim.equations`); shocks,
    pinning and the conditional Student-t of the slope/spread pair are written here.
    """
    f32 = np.float32
    n_scen, horizon = scen.values.shape[:2]
    size = (n_scen, len(p.ff_a), n_paths)
    q = {k: np.asarray(v, f32)[None, :, None] for k, v in p._asdict().items()}
    ff, dn = np.full(size, init.ff, f32), np.full(size, init.dn, f32)
    s, c = np.full(size, init.slope, f32), np.full(size, init.spread, f32)
    un, dun, rr = (np.full(size, v, f32) for v in (init.un, init.dun, init.rr))
    gl, ml = np.full(size, init.gl, f32), np.full(size, init.ml, f32)
    qq = np.broadcast_to(q["q_last"], size).astype(f32)
    dev = np.zeros((4, *size), f32)
    sd = np.asarray(scen.path_sd, f32).T[:, :, None, None]
    names = SimPaths._fields
    # quarter-major storage, as the JAX kernel's; views in (S, N, P, H) order at the end
    out = {k: np.empty((horizon, *size), f32) for k in names}
    mnu, enu = f32(shocks.macro_nu), f32(shocks.equity_nu)
    carry = f32(init.carry)

    def weight(family: str) -> np.ndarray | np.float32:
        kind, nu = (shocks.macro, mnu) if family == "macro" else (shocks.equity, enu)
        if kind != "student_t":
            return f32(1)
        return rng.standard_gamma(nu / 2, size, dtype=f32) / (nu / 2)

    for t in range(horizon):
        z = rng.standard_normal((N_NORMALS, *size), dtype=f32)
        pin = np.asarray(scen.pinned[:, t], bool)[:, None, None, :]
        target = np.asarray(scen.values[:, t], f32)[:, None, None, :]
        dev = dev + sd * z[[7, 8, 9, 12]]
        tf, ts, tc, tu = (target[..., j] + dev[j] for j in range(4))
        pf, ps, pc, pu = (pin[..., j] for j in range(4))
        mean_du = eq.unemployment(q, dun, un)
        un_new = np.where(pu, tu, un + mean_du + q["un_sigma"] * z[10] / np.sqrt(weight("macro")))
        dun_new = un_new - un
        priced = np.asarray(scen.priced_in[:, t], f32)[:, None, None]
        mean_df = eq.policy(q, dn, dun_new, priced)
        ff_new = np.where(pf, tf, ff + mean_df + q["ff_sigma"] * z[0] / np.sqrt(weight("macro")))
        df_new = ff_new - ff
        mp = np.where(pf, df_new - mean_df, f32(0))
        dn_new = df_new - mp
        one = np.logical_xor(ps, pc)
        if shocks.macro == "student_t":
            g_sc = rng.standard_gamma(np.where(one, (mnu + 1) / 2, mnu / 2)).astype(f32)
        else:
            g_sc = None
        mu_s, mu_c = eq.slope(q, s, dn_new, mp, dun_new), eq.spread(q, c, dn_new, mp, dun_new)
        xs, xc = (ts - mu_s) / q["sl_sigma"], (tc - mu_c) / q["cs_sigma"]
        x_obs = np.where(ps, xs, xc)
        inv_w = np.sqrt((mnu + np.where(one, x_obs**2, 0)) / 2 / g_sc) if g_sc is not None else 1
        rho = q["sc_corr"]
        rc = np.sqrt(1 - rho * rho)
        s_new = np.where(
            ps,
            ts,
            np.where(
                pc,
                mu_s + q["sl_sigma"] * (rho * xc + rc * z[1] * inv_w),
                mu_s + q["sl_sigma"] * z[1] * inv_w,
            ),
        )
        c_new = np.where(
            pc,
            tc,
            np.where(
                ps,
                mu_c + q["cs_sigma"] * (rho * xs + rc * z[2] * inv_w),
                mu_c + q["cs_sigma"] * (rho * z[1] + rc * z[2]) * inv_w,
            ),
        )
        dc = c_new - c
        rr_new = eq.real_rate(q, rr, dn_new, dun_new) + q["rr_sigma"] * z[11] / np.sqrt(
            weight("macro")
        )
        we = [weight("equity") for _ in range(3)]
        r = q["glml_corr"]
        gap = eq.valuation_gap(q, ml, rr, c, ff)
        gl_new = eq.earnings(q, gl, dun_new, dn, s, dc, gap) + q["gl_sigma"] * z[3] / np.sqrt(we[0])
        news = eq.multiple_news(q, dc, dun_new - mean_du, mp)
        ml_new = eq.multiple(q, ml, rr_new, c_new, ff_new, news) + q["ml_sigma"] * (
            r * z[3] + np.sqrt(1 - r * r) * z[4]
        ) / np.sqrt(we[0])
        q_new = eq.relative_multiple(q, qq, dc, mp) + q["q_sigma"] * z[5] / np.sqrt(we[1])
        gs = eq.small_earnings(q, gl_new, dn, s) + q["gs_sigma"] * z[6] / np.sqrt(we[2])
        dm = (ml_new + q_new) - (ml + qq)
        vals = {
            "fedfunds": ff_new,
            "slope": s_new,
            "spread": c_new,
            "unemployment": un_new,
            "real_yield": rr_new,
            "earnings_growth": gs,
            "log_multiple": ml_new + q_new,
            "multiple_change": dm,
            "carry": carry,
            "price_return": gs + dm,
            "total_return": gs + dm + carry,
            "largecap_return": gl_new + ml_new - ml,
        }
        for k in names:
            out[k][t] = vals[k]
        ff, dn, s, c, un, dun, rr = ff_new, dn_new, s_new, c_new, un_new, dun_new, rr_new
        gl, ml, qq = gl_new, ml_new, q_new
    return {k: np.moveaxis(v, 0, -1) for k, v in out.items()}


def _best(fn, repeats: int) -> tuple[float, float]:
    """Best wall time and the CPU time of that repeat (CPU time is robust to a busy box)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - t0, time.process_time() - c0))
    return best


def bench(args: argparse.Namespace, shocks: ShockSpec) -> dict[str, float]:
    """Time the three implementations at one size; returns seconds and ratios."""
    params, init = synthetic_posterior(args.samples), synthetic_initial()
    scen = make_scenarios(args.scenarios, args.horizon)
    names = [f"s{i}" for i in range(args.scenarios)]
    keys = scenario_keys(7, names)
    # quarter-major output as the driver uses it (the (S, N, P, H) view is free in NumPy)
    kw = {"n_paths": args.paths, "horizon": args.horizon, "shocks": shocks, "quarter_major": True}

    def run_jax_one() -> None:
        jax.block_until_ready(simulate_chunk(keys, params, init, scen, **kw))

    # As the driver runs it: the samples in `workers` chunks simulated concurrently
    # (one XLA execution uses about one core). Same draws: keys fold in sample indices.
    bounds = np.linspace(0, args.samples, args.workers + 1).astype(int)
    parts = [
        (PosteriorParams(*(a[lo:hi] for a in params)), np.arange(lo, hi, dtype=np.uint32))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    pool = ThreadPoolExecutor(max_workers=args.workers)

    def run_part(part: tuple[PosteriorParams, np.ndarray]) -> None:
        jax.block_until_ready(simulate_chunk(keys, part[0], init, scen, sample_index=part[1], **kw))

    def run_jax() -> None:
        list(pool.map(run_part, parts))

    n_norm = sum(random_words(shocks))  # uniforms counted as normals: a stricter floor
    # One flat draw with the kernel's PRNG: the fastest way JAX draws this many normals.
    shape = (args.scenarios * args.samples * args.paths * args.horizon * n_norm,)
    floor = jax.jit(lambda k: jax.random.normal(k, shape, "float32"))

    def run_floor() -> None:
        jax.block_until_ready(floor(jax.random.key(3, impl=PRNG_IMPL)))

    n_total = shape[0]
    numpy_rng = np.random.default_rng(1)

    def run_numpy_floor() -> None:
        # NumPy's floor: its ziggurat float32 normals, as many words as the kernel draws
        numpy_rng.standard_normal(n_total, dtype=np.float32)

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    run_jax()
    compile_s = time.perf_counter() - t0
    run_floor()
    run_jax()  # compile the part shape
    t_jax, c_jax = _best(run_jax, args.repeats)
    t_one, _ = _best(run_jax_one, args.repeats)
    pool.shutdown()
    t_floor, c_floor = _best(run_floor, args.repeats)
    t_np, c_np = _best(lambda: numpy_simulate(rng, params, init, scen, args.paths, shocks), 1)
    t_npf, c_npf = _best(run_numpy_floor, args.repeats)
    steps = args.scenarios * args.samples * args.paths * args.horizon
    normals, uniforms = random_words(shocks)
    return {
        "path_steps": steps,
        "normals_per_step": n_norm,
        "random_words_per_step": {"normals": normals, "uniforms": uniforms},
        "numpy_floor_s": t_npf,
        "numpy_floor_cpu_s": c_npf,
        # the fair ratios: CPU seconds on both sides (threads differ in wall time)
        "numpy_over_jax_per_cpu_s": c_np / c_jax,
        "numpy_over_jax_one_thread_wall": t_np / t_one,
        "jax_over_jax_floor_cpu": c_jax / c_floor,
        "numpy_over_numpy_floor_cpu": c_np / c_npf,
        "jax_floor_over_numpy_floor_cpu": c_floor / c_npf,
        "first_call_s": compile_s,
        "jax_s": t_jax,
        "jax_one_call_s": t_one,
        "numpy_s": t_np,
        "floor_s": t_floor,
        "jax_Mpath_steps_per_s": steps / t_jax / 1e6,
        "numpy_Mpath_steps_per_s": steps / t_np / 1e6,
        "numpy_over_jax": t_np / t_jax,
        "jax_over_floor": t_jax / t_floor,
        "jax_cpu_s": c_jax,
        "numpy_cpu_s": c_np,
        "floor_cpu_s": c_floor,
    }


def main() -> None:
    """Parse sizes, run both shock families, print a table and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=3)
    parser.add_argument("--samples", type=int, default=250)
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="concurrent chunks (threads)")
    args = parser.parse_args()
    print(
        f"jax {jax.__version__} on {jax.devices()[0].platform}, cpus={os.cpu_count()}, "
        f"load avg {os.getloadavg()[0]:.2f}"
    )
    results = {}
    for label, shocks in [
        ("student_t macro (default)", ShockSpec()),
        ("all normal", ShockSpec(macro="normal")),
    ]:
        r = bench(args, shocks)
        results[label] = r
        print(f"\n{label}: {r['path_steps']:,} path-steps, {r['normals_per_step']} normals/step")
        print(f"  first call (compile) {r['first_call_s']:.2f} s")
        print(
            f"  jax   {r['jax_s']:.3f} s  {r['jax_Mpath_steps_per_s']:.1f} M path-steps/s"
            f"  ({args.workers} concurrent chunks; one call: {r['jax_one_call_s']:.3f} s)"
        )
        print(
            f"  numpy {r['numpy_s']:.3f} s  {r['numpy_Mpath_steps_per_s']:.1f} M path-steps/s"
            f"  -> jax is {r['numpy_over_jax']:.1f}x faster (need >= 3)"
        )
        print(
            f"  floor {r['floor_s']:.3f} s  -> jax / floor = {r['jax_over_floor']:.2f} (need <= 2)"
        )
        w = r["random_words_per_step"]
        print(f"  random words per path-step: {w['normals']} normals + {w['uniforms']} uniforms")
        print(
            f"  per CPU-second: numpy / jax = {r['numpy_over_jax_per_cpu_s']:.2f}x; one thread "
            f"each (wall): {r['numpy_over_jax_one_thread_wall']:.2f}x"
        )
        print(
            f"  floors (CPU s): jax philox {r['floor_cpu_s']:.3f}, numpy ziggurat "
            f"{r['numpy_floor_cpu_s']:.3f}; kernel / jax floor {r['jax_over_jax_floor_cpu']:.2f}, "
            f"numpy step / numpy floor {r['numpy_over_numpy_floor_cpu']:.2f}"
        )
    print(f"load avg after {os.getloadavg()[0]:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
