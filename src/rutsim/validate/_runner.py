"""Run backtest origins one after another, in worker processes or on Dask, with an ETA."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing as mp
import queue
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing.managers import SyncManager
from typing import Any

from rutsim.cluster import dask_client, dask_runner
from rutsim.config import DaskConfig
from rutsim.validate._origin import OriginResult, run_origin

__all__ = ["run_origins"]

Echo = Callable[[str], None]


class _Clock:
    """Per-origin progress lines with elapsed time and an ETA from finished origins."""

    def __init__(self, total: int, echo: Echo | None) -> None:
        self.total, self.echo, self.done = total, echo, 0
        self.start = time.perf_counter()

    def phase(self, origin: str, what: str) -> None:
        if self.echo is not None:
            self.echo(f"[{self.done}/{self.total}] {origin}: {what} ({self._times()})")

    def finished(self, origin: str, info: dict[str, Any]) -> None:
        self.done += 1
        gate = "gate passed" if info["gate_passed"] else "GATE FAILED"
        self.phase(origin, f"done, {gate}, fit {info['fit_s']:.0f}s")

    def _times(self) -> str:
        el = time.perf_counter() - self.start
        if not self.done:
            return f"elapsed {el:.0f}s"
        eta = el / self.done * (self.total - self.done)
        return f"elapsed {el:.0f}s, ETA {eta:.0f}s"


def _serial(tasks: list[dict[str, Any]], clock: _Clock, fit: Any) -> list[OriginResult]:
    out = []
    for task in tasks:
        res = run_origin(**task, fit=fit, phase=clock.phase)
        clock.finished(res.origin, res.info)
        out.append(res)
    return out


def _report_to(q: Any) -> Callable[[str, str], None]:
    return lambda origin, what: q.put((origin, what))


def _worker(task: dict[str, Any], q: Any, fit: Any) -> OriginResult:
    return run_origin(**task, fit=fit, phase=_report_to(q))


#: ``prctl`` option asking Linux to signal this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel send SIGTERM to this process when its parent process dies.

    Worker and manager processes of a backtest run minutes-long fits; if the parent is
    killed (SIGTERM or SIGKILL skip the pool's clean-up) they would otherwise keep
    fitting as orphans and hold both cores. Linux only; elsewhere a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _parallel(
    tasks: list[dict[str, Any]], workers: int, clock: _Clock, fit: Any
) -> list[OriginResult]:
    ctx = mp.get_context("spawn")
    manager = SyncManager(ctx=ctx)
    manager.start(die_with_parent)
    with (
        manager,
        ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent) as pool,
    ):
        q = manager.Queue()
        pending = {pool.submit(_worker, t, q, fit) for t in tasks}
        results = []
        try:
            while pending:
                done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                while True:
                    try:
                        clock.phase(*q.get_nowait())
                    except queue.Empty:
                        break
                for fut in done:
                    res = fut.result()
                    clock.finished(res.origin, res.info)
                    results.append(res)
        except BaseException:
            _stop(pool)
            raise
    return sorted(results, key=lambda r: r.origin)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (an interrupt or a failed origin), not after their fits.

    Leaving the ``with`` block would wait for every running fit (minutes). The workers'
    temporary model folders are cleared by the next command that writes to ``models/``
    (:func:`rutsim.files.clear_stale`: their pids are dead).
    """
    pool.shutdown(wait=False, cancel_futures=True)
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        proc.terminate()


def _origin_task(fit: Any, task: dict[str, Any]) -> OriginResult:
    return run_origin(**task, fit=fit)


def _on_dask(
    tasks: list[dict[str, Any]], dask: DaskConfig, clock: _Clock, fit: Any
) -> list[OriginResult]:
    results: list[OriginResult] = []

    def done(res: OriginResult) -> None:
        clock.finished(res.origin, res.info)
        results.append(res)

    with dask_client(dask) as client:
        if clock.echo is not None:
            clock.echo(
                f"{len(tasks)} origins as tasks on the Dask cluster "
                f"({sum(client.nthreads().values())} worker threads); each line below is one "
                "finished origin, in origin order"
            )
        # One origin per task; all may run at once (each holds one fit's memory).
        dask_runner(client, window=len(tasks))(_origin_task, fit, tasks, done)
    return results


def run_origins(
    tasks: Sequence[dict[str, Any]],
    workers: int,
    echo: Echo | None,
    fit: Any = None,
    dask: DaskConfig | None = None,
) -> list[OriginResult]:
    """Run :func:`rutsim.validate._origin.run_origin` for each task, in origin order.

    With ``dask`` (``simulation.executor = "dask"``) each origin is one task on that
    cluster, whose workers must share the ``models/`` folder; otherwise with
    ``workers > 1`` each origin runs in its own spawned process (JAX and the samplers'
    thread pools do not survive fork), progress lines coming back through a queue.
    """
    clock = _Clock(len(tasks), echo)
    if dask is not None:
        return _on_dask(list(tasks), dask, clock, fit)
    if workers > 1 and len(tasks) > 1:
        return _parallel(list(tasks), min(workers, len(tasks)), clock, fit)
    return _serial(list(tasks), clock, fit)
