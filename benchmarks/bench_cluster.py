"""Scale-out benchmarks: the simulation on local threads vs Dask workers, and a backtest.

From the project root (needs ``pip install -e ".[scale]"``)::

    .venv/bin/python benchmarks/bench_cluster.py throughput --samples 400 --paths 1000 --chunk 25
    .venv/bin/python benchmarks/bench_cluster.py overhead --tasks 400
    .venv/bin/python benchmarks/bench_cluster.py backtest CONFIG --origins 2004Q4:2023Q4 --every 1

``throughput`` runs :func:`rutsim.simulate.run_simulation` with the run's own reducer
(``rutsim.risk.draw_reducer.DrawReducer``: every metric per draw, the blend and each
one's noise, antithetic paths; before issue 29 the NumPy ``draw_metrics``; and the
pooled bins) on the
same synthetic posterior (3 scenarios x samples x paths x 12 quarters) four ways: local
executor with 1 and 2 threads, Dask ``LocalCluster`` with 1 and 2 worker processes (one
thread each). It reports wall time, path-steps per second and per CPU-second (client and
workers together), each worker's peak resident memory, the cluster start-up, and checks
that every executor gave bit-identical metrics. ``overhead`` maps a task that does
nothing over ``--tasks`` items with the Dask runner (the posterior-sized payload
scattered once), giving the scheduler's cost per chunk, and then a task that returns
14 MB (one chunk's pooled bins) over a quarter as many. ``backtest`` runs
``rutsim backtest`` with 1 and then 2 Dask workers, each with an empty models folder, so
every origin is fitted for real both times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))


def _usage() -> dict[str, float]:
    """CPU seconds and peak RSS (GB) of the calling process (a worker, via client.run)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": r.ru_utime + r.ru_stime, "peak_rss_gb": r.ru_maxrss / 2**20}


def _reducer():
    # the run's own per-draw reducer: every metric, the blend, each one's noise
    from rutsim.risk.draw_reducer import DrawReducer

    return DrawReducer(blend_weights=(0.5, 0.3, 0.2), antithetic=True)


def _pool(paths, chunk):
    from rutsim.risk import bin_paths

    return bin_paths(paths)


def _cluster(n_workers: int):

    from rutsim.cluster import dask_client
    from rutsim.config import DaskConfig

    # rutsim's own LocalCluster, as `rutsim run` starts it.
    t0 = time.perf_counter()
    context = dask_client(DaskConfig(n_workers=n_workers, dashboard_address=""))
    client = context.__enter__()
    return context, client, time.perf_counter() - t0


def throughput(args: argparse.Namespace) -> dict[str, object]:
    from bench_kernel import make_scenarios

    from rutsim.cluster import dask_runner, thread_runner
    from rutsim.config import SimulationConfig
    from rutsim.simulate import run_simulation, synthetic_initial, synthetic_posterior
    from rutsim.types import ShockSpec

    scen = make_scenarios(3, args.horizon)
    scenarios = [(f"s{i}", type(scen)(*(a[i] for a in scen))) for i in range(3)]
    posterior = synthetic_posterior(args.samples, seed=3)
    steps = 3 * args.samples * args.paths * args.horizon

    def simulate(runner, workers: int):
        cfg = SimulationConfig(
            paths_per_draw=args.paths,
            horizon=args.horizon,
            max_draws=args.samples,
            chunk_size=args.chunk,
            chunk_path_steps=2**31 - 1,
            keep_paths=10,
            workers=workers,
        )
        return run_simulation(
            5,
            posterior,
            synthetic_initial(),
            scenarios,
            cfg,
            ShockSpec(),
            _reducer(),
            pooler=_pool,
            runner=runner,
        )

    rows, reference = [], None
    for kind, n in [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]:
        start_s, context, client = 0.0, None, None
        if kind == "dask":
            context, client, start_s = _cluster(n)
        # Twice: "cold" includes starting the workers' Python and compiling the kernel
        # (once per process), "warm" is what every further chunk of a long run costs.
        for phase in ("cold", "warm"):
            before = client.run(_usage) if client is not None else {}
            cpu0, t0 = time.process_time(), time.perf_counter()
            res = simulate(dask_runner(client) if client else thread_runner(n), n)
            wall = time.perf_counter() - t0
            cpu = client_cpu = time.process_time() - cpu0
            worker_usage = {}
            if client is not None:
                after = client.run(_usage)
                worker_usage = {
                    w: {
                        "cpu_s": round(after[w]["cpu_s"] - before.get(w, {"cpu_s": 0})["cpu_s"], 2),
                        "peak_rss_gb": round(after[w]["peak_rss_gb"], 3),
                    }
                    for w in after
                }
                cpu += sum(u["cpu_s"] for u in worker_usage.values())
            if reference is None:
                reference = res
            identical = all(
                np.array_equal(reference.metrics[k], res.metrics[k], equal_nan=True)
                for k in reference.metrics
            ) and all(np.array_equal(a, b) for a, b in zip(reference.paths, res.paths, strict=True))
            rows.append(
                {
                    "executor": f"{kind} x{n}",
                    "phase": phase,
                    "wall_s": round(wall, 2),
                    "first_chunk_s": round(res.timings["first_chunk_s"], 2),
                    "cpu_s": round(cpu, 2),
                    "client_cpu_s": round(client_cpu, 2),
                    "Mpath_steps_per_s": round(steps / wall / 1e6, 3),
                    "Mpath_steps_per_cpu_s": round(steps / cpu / 1e6, 3),
                    "cluster_start_s": round(start_s, 2),
                    "workers": worker_usage,
                    "identical_to_local_x1": bool(identical),
                    "load_avg_after": round(os.getloadavg()[0], 2),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        if context is not None:
            context.__exit__(None, None, None)
    return {"path_steps": steps, "chunks": -(-args.samples // args.chunk), "rows": rows}


def _noop(shared, item):
    return item


def _bins(shared, item):
    return np.zeros(14_000_000 // 8)  # the size of one chunk's pooled bins


def overhead(args: argparse.Namespace) -> dict[str, object]:
    from rutsim.cluster import dask_runner, thread_runner
    from rutsim.simulate import synthetic_posterior

    payload = synthetic_posterior(args.payload_draws, seed=1)  # what a run scatters
    out: dict[str, object] = {}
    for n in (1, 2):
        cluster, client, start_s = _cluster(n)
        got: list[int] = []
        dask_runner(client)(_noop, payload, range(20), got.append)  # warm the workers
        got.clear()
        t0 = time.perf_counter()
        dask_runner(client)(_noop, payload, range(args.tasks), got.append)
        wall = time.perf_counter() - t0
        assert got == list(range(args.tasks))
        t0 = time.perf_counter()
        dask_runner(client)(_bins, payload, range(args.tasks // 4), got.append)
        bins_wall = time.perf_counter() - t0
        out[f"dask x{n}"] = {
            "per_task_ms": round(wall / args.tasks * 1e3, 3),
            "per_task_returning_14MB_ms": round(bins_wall / (args.tasks // 4) * 1e3, 3),
            "cluster_start_s": round(start_s, 2),
        }
        cluster.__exit__(None, None, None)
    got = []
    t0 = time.perf_counter()
    thread_runner(2)(_noop, payload, range(args.tasks), got.append)
    out["local x2"] = {"per_task_ms": round((time.perf_counter() - t0) / args.tasks * 1e3, 4)}
    return out


def backtest_bench(args: argparse.Namespace) -> dict[str, object]:
    from rutsim.status import reporting
    from rutsim.validate import backtest

    out: dict[str, object] = {}
    for n in args.workers:
        work = Path(tempfile.mkdtemp(prefix=f"bench-bt-{n}-"))
        (work / "configs").mkdir()
        text = Path(args.config).read_text()
        text += f'\n[dask]\nn_workers = {n}\nthreads_per_worker = 1\ndashboard_address = ""\n'
        if "[simulation]" in text:
            text = text.replace("[simulation]\n", '[simulation]\nexecutor = "dask"\n', 1)
        else:
            text += '\n[simulation]\nexecutor = "dask"\n'
        (work / "configs" / "bench.toml").write_text(text)
        t0 = time.perf_counter()
        with reporting(lambda line: print("  >", line, flush=True)):
            res = backtest(
                work / "configs" / "bench.toml",
                origins=args.origins,
                every=args.every,
                name=f"bench-{n}",
                echo=lambda line: print(line, flush=True),
            )
        wall = time.perf_counter() - t0
        fits = res.origins["fit_s"].astype(float)
        out[f"dask x{n}"] = {
            "origins": len(res.origins),
            "wall_s": round(wall, 1),
            "sum_fit_s": round(float(fits.sum()), 1),
            "median_fit_s": round(float(fits.median()), 1),
            "load_avg_after": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(out[f"dask x{n}"]), flush=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--samples", type=int, default=400)
    t.add_argument("--paths", type=int, default=1000)
    t.add_argument("--horizon", type=int, default=12)
    t.add_argument("--chunk", type=int, default=25)
    o = sub.add_parser("overhead")
    o.add_argument("--tasks", type=int, default=400)
    o.add_argument("--payload-draws", type=int, default=4000)
    b = sub.add_parser("backtest")
    b.add_argument("config")
    b.add_argument("--origins", default="2004Q4:2023Q4")
    b.add_argument("--every", type=int, default=1)
    b.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    b.add_argument("--keep", action="store_true", help="keep the work folders")
    args = parser.parse_args()
    print(f"load avg {os.getloadavg()[0]:.2f}, cpus {os.cpu_count()}", flush=True)
    fn = {"throughput": throughput, "overhead": overhead, "backtest": backtest_bench}[args.what]
    print(json.dumps(fn(args), indent=2, default=str))
    print(f"load avg after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
