"""The GPU path: path-steps per second with every metric reduced on the device.

Runs the kernel and :func:`rutsim.risk.draw_reducer.device_metrics` chunk after chunk on
the default JAX device (a GPU when ``pip install -e ".[gpu]"`` found one, else the CPU);
the paths stay on the device and only ``(horizon, scenario, draw)`` numbers per metric
come back. It compares the rate with the random-number floor of the same device (one
flat ``jax.random.normal`` call drawing the kernel's words per path-step)::

    PYTHONPATH=src python benchmarks/bench_gpu.py --draws 1000 --paths 10000 --chunk 50

It imports only NumPy, JAX and rutsim's kernel and device reducer (no PyMC, ArviZ,
pydantic or matplotlib), on a synthetic posterior, so it runs from a checkout's ``src/``
on a device image that has nothing else; ``--json PATH`` writes the figures. Try it on
the CPU first with small sizes (``tests/test_gpu_path.py`` does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def _scenarios(n_scen: int, horizon: int):  # -> ScenarioArrays
    from rutsim.types import ScenarioArrays

    values = np.zeros((n_scen, horizon, 4))
    values[..., 0] = np.linspace(4.2, 3.2, horizon)  # a path of cuts
    values[..., 3] = np.linspace(4.3, 4.6, horizon)
    pinned = np.zeros((n_scen, horizon, 4), dtype=bool)
    pinned[0, :, 0] = True  # the first scenario pins fed funds; the others simulate all
    priced = np.tile(np.linspace(-0.25, 0.0, horizon), (n_scen, 1))
    return ScenarioArrays(values, pinned, np.zeros((n_scen, 4)), priced)


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Measure and print; return the figures."""
    import jax
    import jax.numpy as jnp

    from rutsim.risk.draw_reducer import device_metrics
    from rutsim.simulate._draws import random_words
    from rutsim.simulate._kernel import PRNG_IMPL, scenario_keys, simulate_chunk
    from rutsim.simulate._synthetic import synthetic_initial, synthetic_posterior
    from rutsim.types import PosteriorParams, ShockSpec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=20, help="draws per device call")
    parser.add_argument("--scenarios", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--strata", type=int, nargs="*", default=[4, 12])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.draws % args.chunk:
        parser.error("--draws must be a multiple of --chunk")
    device = jax.devices()[0]
    shocks = ShockSpec()
    params = synthetic_posterior(args.draws, seed=1)
    initial = synthetic_initial()
    scen = _scenarios(args.scenarios, args.horizon)
    names = [f"s{i}" for i in range(args.scenarios)]
    keys = scenario_keys(7, names)
    strata = tuple(h for h in args.strata if h <= args.horizon)
    chunks = [np.arange(s, s + args.chunk) for s in range(0, args.draws, args.chunk)]
    steps = args.scenarios * args.draws * args.paths * args.horizon

    def chunk_params(idx: np.ndarray) -> PosteriorParams:
        return PosteriorParams(*(jnp.asarray(np.asarray(a)[idx]) for a in params))

    on_device = [chunk_params(idx) for idx in chunks]

    def simulate(i: int):  # -> SimPaths on the device, quarter-major
        return simulate_chunk(
            keys, on_device[i], initial, scen, n_paths=args.paths, horizon=args.horizon,
            shocks=shocks, sample_index=chunks[i].astype(np.uint32), quarter_major=True,
            antithetic=True, strata=strata,
        )  # fmt: skip

    def kernel_only() -> None:
        for i in range(len(chunks)):
            jax.block_until_ready(simulate(i).total_return)

    def with_metrics() -> dict[str, np.ndarray]:
        # One chunk in flight while the previous one's numbers come back.
        out: list[dict[str, jax.Array]] = []
        for i in range(len(chunks)):
            out.append(device_metrics(simulate(i)))
        return {k: np.concatenate([np.asarray(o[k]) for o in out], axis=-1) for k in out[0]}

    normals, uniforms = random_words(shocks)
    words = (normals + uniforms) * args.scenarios * args.chunk * args.paths * args.horizon
    words = words // 2  # antithetic paths draw half the words
    floor_key = jax.random.key(0, impl=PRNG_IMPL)
    floor_fn = jax.jit(lambda k: jax.random.normal(k, (words,), jnp.float32).sum())

    def floor() -> None:
        for i in range(len(chunks)):
            jax.block_until_ready(floor_fn(jax.random.fold_in(floor_key, i)))

    t0 = time.perf_counter()
    with_metrics()  # compile both programs
    floor()
    compile_s = time.perf_counter() - t0
    t_floor = _best(floor, args.repeats)
    t_kernel = _best(kernel_only, args.repeats)
    t_all = _best(with_metrics, args.repeats)
    metrics = with_metrics()
    result = {
        "device": f"{device.platform}: {device.device_kind}",
        "jax": jax.__version__,
        "path_steps": steps,
        "sizes": vars(args) | {"json": str(args.json) if args.json else None},
        "compile_s": round(compile_s, 2),
        "rng_floor_s": round(t_floor, 4),
        "kernel_s": round(t_kernel, 4),
        "kernel_and_every_metric_s": round(t_all, 4),
        "path_steps_per_s": steps / t_all,
        "kernel_over_floor": t_kernel / t_floor,
        "all_over_floor": t_all / t_floor,
        "all_over_kernel": t_all / t_kernel,
        "metrics": len(metrics),
        "finite": bool(all(np.isfinite(v).any() for v in metrics.values())),
        "seconds_for_1e10_path_steps": 1e10 / (steps / t_all),
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
