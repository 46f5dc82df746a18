"""Monte Carlo precision per CPU-second: the run pipeline before and after issue 13.

The figure of merit is the standard error of the headline pooled metrics (median, VaR 95,
CVaR 95, P(loss) of the cumulative return at 4 and 12 quarters) reached per CPU-second
of the whole simulate step (kernel, per-draw reducer, pooled bins), not path-steps per
second. Both pipelines run on the same posterior draws (synthetic, varying), scenarios
and sizes, ``--reps`` times each with different seeds; the across-replicate standard
deviation of each pooled metric is its Monte Carlo standard error::

    .venv/bin/python benchmarks/bench_precision.py --draws 100 --paths 200 --reps 20

* ``before``: independent paths, the NumPy reducer with the per-draw blend
  (the NumPy reference :func:`rutsim.risk.draw_metrics` after a finiteness check, the
  run's reducer before issue 13);
* ``after``: antithetic paths, the reducer of :mod:`rutsim.risk.draw_reducer`
  (which also estimates every metric's noise).

Reported per metric: ``SE_before / SE_after`` at equal paths, and at equal CPU time
``(SE_before / SE_after) * sqrt(CPU_before / CPU_after)``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from bench_kernel import make_scenarios  # noqa: I001  (benchmarks/ is the script's folder)

from rutsim.config import SimulationConfig
from rutsim.risk import bin_paths, check_finite, draw_metrics, path_metrics
from rutsim.risk._reducer import ReturnArrays
from rutsim.risk.draw_reducer import DrawReducer
from rutsim.simulate import run_simulation, synthetic_initial, synthetic_posterior
from rutsim.types import ChunkInfo, ShockSpec, SimPaths

HEADLINE = ("return_median", "var_95", "cvar_95", "prob_loss", "var_99", "cvar_99")


def one_run(
    args: argparse.Namespace, seed: int, after: bool, strata: tuple[int, ...] = ()
) -> tuple[float, dict[str, list]]:
    """Simulate once; return the CPU seconds and the pooled headline metrics per horizon."""
    params = synthetic_posterior(args.draws, seed=1)
    scen = make_scenarios(3, 12)
    scenarios = [(f"s{i}", type(scen)(*(a[i] for a in scen))) for i in range(3)]
    cfg = SimulationConfig(
        paths_per_draw=args.paths,
        horizon=12,
        max_draws=args.draws,
        chunk_size=args.chunk,
        keep_paths=args.paths,
        seed=seed,
        workers=args.workers,
        antithetic=after,
        stratify_horizons=strata,
    )
    weights = (0.5, 0.3, 0.2)

    def before(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
        check_finite(paths, chunk.scenario_names)
        return draw_metrics(paths, blend_weights=weights)

    reducer = DrawReducer(blend_weights=weights, antithetic=True) if after else before
    c0 = time.process_time()
    result = run_simulation(
        seed, params, synthetic_initial(), scenarios, cfg, ShockSpec(), reducer, pooler=bin_paths
    )
    cpu = time.process_time() - c0
    kept = result.paths
    assert kept is not None
    metrics = {}
    for s in range(3):  # pooled over every path of every draw, exact (not timed)
        flat = ReturnArrays(
            *(
                np.asarray(getattr(kept, f)[s], np.float64).reshape(-1, 12)
                for f in ReturnArrays._fields
            )
        )
        pm = path_metrics(flat)
        for m in HEADLINE:
            metrics[f"s{s}:{m}"] = [float(pm[m][3]), float(pm[m][11])]
    return cpu, metrics


def main() -> None:
    """Run both pipelines ``--reps`` times and print the precision per CPU-second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--strata",
        type=int,
        nargs="*",
        default=[4, 12],
        help="stratified horizons of a third pipeline (antithetic + stratified); none: skip it",
    )
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()}, load avg {os.getloadavg()[0]:.2f}")
    out = {}
    strata = tuple(args.strata)
    pipelines = [("before", False, ()), ("after", True, ())]
    if strata:
        pipelines.append(("stratified", True, strata))
    for label, after, st in pipelines:
        one_run(args, 999, after, st)  # compile
        cpus, values = [], {}
        for r in range(args.reps):
            cpu, m = one_run(args, 1000 + r, after, st)
            cpus.append(cpu)
            for k, v in m.items():
                values.setdefault(k, []).append(v)
        out[label] = {
            "cpu_s": float(np.median(cpus)),
            "se": {k: np.std(v, axis=0, ddof=1).tolist() for k, v in values.items()},
            "mean": {k: np.mean(v, axis=0).tolist() for k, v in values.items()},
        }
    steps = 3 * args.draws * args.paths * 12
    print(
        f"{steps:,} path-steps per run; CPU s per run: "
        + ", ".join(f"{k} {v['cpu_s']:.2f}" for k, v in out.items())
    )
    summary: dict[str, dict[str, float]] = {}
    for label in [k for k in out if k != "before"]:
        cpu_ratio = out["before"]["cpu_s"] / out[label]["cpu_s"]
        print(f"{label} against before (CPU before / {label} = {cpu_ratio:.2f}):")
        print("metric (3 scenarios averaged)  horizon  SE before  SE now    equal paths  equal CPU")
        for m in HEADLINE:
            for hi, h in enumerate((4, 12)):
                se_b = np.mean([out["before"]["se"][f"s{s}:{m}"][hi] for s in range(3)])
                se_a = np.mean([out[label]["se"][f"s{s}:{m}"][hi] for s in range(3)])
                equal_cpu = se_b / se_a * np.sqrt(cpu_ratio)
                summary[f"{label}:{m}@{h}"] = {
                    "se_before": se_b,
                    "se_after": se_a,
                    "equal_cpu": equal_cpu,
                }
                print(
                    f"{m:<30} {h:>7}  {se_b:9.5f}  {se_a:8.5f}  {se_b / se_a:10.2f}x  "
                    f"{equal_cpu:8.2f}x"
                )
    print(f"load avg after {os.getloadavg()[0]:.2f}")
    print(json.dumps({"cpu_s": {k: v["cpu_s"] for k, v in out.items()}, "metrics": summary}))


if __name__ == "__main__":
    main()
