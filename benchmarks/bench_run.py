"""Run-level benchmarks: peak memory of a 10^9 path-step simulation, and `run` end to end.

From the project root, each in a fresh process (peak RSS is per process)::

    .venv/bin/python benchmarks/bench_run.py memory --samples 1000 --paths 27778
    .venv/bin/python benchmarks/bench_run.py e2e CONFIG [--name NAME]

``memory`` drives :func:`rutsim.simulate.run_simulation` with synthetic posterior draws
(3 scenarios x samples x paths x 12 quarters; the defaults give 1.0e9 path-steps), a
per-draw reducer over all paths (``--reducer light``, the default; the NumPy
``rutsim.risk.draw_metrics`` with ``--reducer risk``; or ``--reducer run``, the run's own:
every metric of every scenario and the blend with its Monte Carlo noise,
:mod:`rutsim.risk.draw_reducer`, plus the pooled bins), keeping 10 full paths per
draw, and reports wall and CPU time, path-steps per second and peak resident memory.

``e2e`` times :func:`rutsim.pipeline.run` on a config whose model is already fitted
(``models/<id>`` exists), including the report, and reports peak memory and the size of
the run folder, file by file (``--set section.key=value`` as on the command line)::

    .venv/bin/python benchmarks/bench_run.py e2e configs/default.toml --name size-default

``phases`` does the same and splits the wall time by phase: the imports, then every
phase function of the pipeline and of the report, each wrapped with a timer in place
(nested phases are shown indented; their time is part of the enclosing one)::

    .venv/bin/python benchmarks/bench_run.py phases configs/default.toml --name ph1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np


def _peak_rss_gb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def light_reducer(paths: object, chunk: object) -> dict[str, np.ndarray]:
    """Per-draw mean, sd, 5/50/95% quantiles and P(loss) of the cumulative total return.

    Over all paths of each (scenario, sample, horizon), like the risk reducer but with
    fewer statistics: ``rutsim.risk.draw_metrics`` computes ~50 metrics and costs about
    1 us per path-step on these CPUs, which would make a 10^9 path-step run take ~16 min.
    """
    cum = np.expm1(np.cumsum(paths.total_return, axis=-1, dtype=np.float64))
    q = np.quantile(cum, [0.05, 0.5, 0.95], axis=2)
    return {
        "mean": cum.mean(axis=2),
        "sd": cum.std(axis=2),
        "q05": q[0],
        "median": q[1],
        "q95": q[2],
        "prob_loss": (cum < 0).mean(axis=2),
    }


def memory(args: argparse.Namespace) -> dict[str, float]:
    """Simulate ``3 x samples x paths x horizon`` path-steps chunk by chunk."""
    from rutsim.config import SimulationConfig
    from rutsim.risk import bin_paths, draw_metrics
    from rutsim.risk.draw_reducer import DrawReducer
    from rutsim.simulate import (
        run_simulation,
        synthetic_initial,
        synthetic_posterior,
    )
    from rutsim.types import ShockSpec

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_kernel import make_scenarios

    scen = make_scenarios(3, args.horizon)
    scenarios = [(f"s{i}", type(scen)(*(a[i] for a in scen))) for i in range(3)]
    cfg = SimulationConfig(
        paths_per_draw=args.paths,
        horizon=args.horizon,
        max_draws=args.samples,
        chunk_size=args.samples,
        keep_paths=args.keep,
        stratify_horizons=tuple(args.strata),
    )
    steps = 3 * args.samples * args.paths * args.horizon
    reducer = {
        "risk": lambda paths, chunk: draw_metrics(paths),
        "light": light_reducer,
        "run": DrawReducer(blend_weights=(0.5, 0.3, 0.2), antithetic=cfg.antithetic),
    }[args.reducer]
    done: list[float] = []
    t0, c0 = time.perf_counter(), time.process_time()

    def progress(n_done: int, total: int) -> None:
        done.append(n_done)
        print(
            f"  {n_done}/{total} draws, {time.perf_counter() - t0:.0f} s, "
            f"peak RSS {_peak_rss_gb():.2f} GB",
            flush=True,
        )

    res = run_simulation(
        7,
        synthetic_posterior(args.samples),
        synthetic_initial(),
        scenarios,
        cfg,
        ShockSpec(),
        reducer,
        progress=progress,
        pooler=bin_paths if args.reducer == "run" else None,
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if not all(np.isfinite(a).all() for a in res.paths):
        raise RuntimeError("non-finite simulated paths")
    return {
        "path_steps": steps,
        "chunk_size": res.chunk_size,
        "wall_s": wall,
        "cpu_s": cpu,
        "Mpath_steps_per_s": steps / wall / 1e6,
        "peak_rss_gb": _peak_rss_gb(),
        "kept_paths_gb": sum(a.nbytes for a in res.paths) / 2**30,
        "metrics_gb": sum(a.nbytes for a in res.metrics.values()) / 2**30,
    }


def e2e(args: argparse.Namespace) -> dict[str, float]:
    """Time ``rutsim.pipeline.run`` (model already fitted)."""
    from rutsim.pipeline import run

    t0 = time.perf_counter()
    res = run(Path(args.config), name=args.name, progress=False, overrides=args.set or ())
    wall = time.perf_counter() - t0
    files = {
        str(p.relative_to(res.folder)): p.stat().st_size
        for p in sorted(res.folder.rglob("*"))
        if p.is_file()
    }
    sizes = res.manifest.sizes.model_dump()
    steps = sizes["scenarios"] * sizes["samples"] * sizes["paths_per_draw"] * sizes["horizon"]
    return {
        "path_steps": steps,
        "wall_s": wall,
        "timings_s": res.manifest.timings_s,
        "peak_rss_gb": _peak_rss_gb(),
        "folder": str(res.folder),
        "folder_mb": sum(files.values()) / 1e6,
        "files_mb": {k: round(v / 1e6, 3) for k, v in files.items() if v > 100_000},
    }


#: (module, function) pairs timed by ``phases``, outermost first; one level of nesting.
PHASES = (
    ("rutsim.pipeline", "prepare"),
    ("rutsim.pipeline", "fit_or_load"),
    ("rutsim.pipeline", "_simulate"),
    ("rutsim.pipeline", "_datasets"),
    ("rutsim.pipeline", "central_drivers"),
    ("rutsim.pipeline", "write_run"),
    ("rutsim.pipeline", "written_run"),
    ("rutsim.pipeline", "write_report_files"),
    ("rutsim.report._files", "run_metrics"),
    ("rutsim.report._files", "draw_figures"),
    ("rutsim.report._files", "_figures"),  # before the figure helper (d7bb4ea and older)
    ("rutsim.report._files", "render_html"),
    # drawn in this process; those the figure helper draws are not timed one by one
    ("rutsim.report._drawing", "distribution_chart"),
    ("rutsim.report._drawing", "attribution_chart"),
    ("rutsim.report._drawing", "fan_chart"),
    ("rutsim.report._drawing", "var_cvar_chart"),
    ("rutsim.report._drawing", "risk_by_horizon"),
)


def phases(args: argparse.Namespace) -> dict[str, object]:
    """Time ``rutsim.pipeline.run`` phase by phase (model already fitted)."""
    import functools
    import importlib

    t0 = time.perf_counter()
    import rutsim.pipeline

    imports = time.perf_counter() - t0
    spent: dict[str, list[float]] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        @functools.wraps(fn)
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent.setdefault(name, []).append(time.perf_counter() - start)

        return wrapper

    for module, name in PHASES:
        # older code (a baseline run from a git worktree) may lack some of them
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        if hasattr(mod, name):
            setattr(mod, name, timed(name, getattr(mod, name)))
    t1 = time.perf_counter()
    rutsim.pipeline.run(
        Path(args.config), name=args.name, progress=False, echo=None, overrides=args.set or ()
    )
    run_s = time.perf_counter() - t1
    cpu = time.process_time()
    return {
        "wall_s": round(imports + run_s, 2),
        "cpu_s_incl_imports": round(cpu, 2),
        "imports_s": round(imports, 2),
        "phases_s": {k: [round(x, 3) for x in v] for k, v in spent.items()},
        "unaccounted_s": round(run_s - sum(sum(spent.get(n, [])) for _, n in PHASES[:8]), 2),
    }


def main() -> None:
    """Parse the sub-command and print the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("memory")
    m.add_argument("--samples", type=int, default=1000)
    m.add_argument("--paths", type=int, default=27778)
    m.add_argument("--horizon", type=int, default=12)
    m.add_argument("--keep", type=int, default=10)
    m.add_argument("--reducer", choices=["light", "risk", "run"], default="light")
    m.add_argument("--strata", type=int, nargs="*", default=[], help="stratify_horizons")
    e = sub.add_parser("e2e")
    e.add_argument("config")
    e.add_argument("--name", default=None)
    e.add_argument("--set", action="append", help="section.key=value override (repeatable)")
    ph = sub.add_parser("phases")
    ph.add_argument("config")
    ph.add_argument("--name", default=None)
    ph.add_argument("--set", action="append", help="section.key=value override (repeatable)")
    args = parser.parse_args()
    print(f"load avg {os.getloadavg()[0]:.2f}, cpus {os.cpu_count()}", flush=True)
    out = {"memory": memory, "e2e": e2e, "phases": phases}[args.cmd](args)
    print(json.dumps(out, indent=2, default=str))
    print(f"load avg after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
