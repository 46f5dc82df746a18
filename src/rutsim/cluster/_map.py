"""Map a task over items on local threads or on Dask, delivering results in item order.

Both runners have one signature, :data:`Runner`: ``runner(fn, shared, items, on_result)``
calls ``fn(shared, item)`` for every item and ``on_result(result)`` in the order of
``items`` (whatever order the work finishes in), so anything folded over the results
(sums, concatenations, file regions) does not depend on timing, threads or workers.
At most a window of results is held at a time.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from rutsim.errors import ClusterError

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")


class Runner(Protocol):
    """``(fn, shared, items, on_result) -> None``, results handed over in item order."""

    def __call__(
        self,
        fn: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        on_result: Callable[[Any], None],
    ) -> None:
        """Run ``fn(shared, item)`` for every item; ``on_result`` in item order."""
        ...


def thread_runner(workers: int) -> Runner:
    """Run in this process: the first item alone, then up to ``workers`` in threads.

    The first item runs alone so that a jit-compiled ``fn`` compiles once before the
    threads start; XLA on CPU runs one execution on about one core, and JAX and NumPy
    release the GIL, so threads give the cores work.
    """

    def run(
        fn: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        on_result: Callable[[Any], None],
    ) -> None:
        items = list(items)
        if not items:
            return
        on_result(fn(shared, items[0]))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[Future[Any]] = deque()
            for item in items[1:]:
                if len(pending) >= workers:
                    on_result(pending.popleft().result())
                pending.append(pool.submit(fn, shared, item))
            while pending:
                on_result(pending.popleft().result())

    return run


def dask_runner(client: Any, window: int | None = None) -> Runner:
    """Run on the workers of a ``distributed.Client``.

    ``shared`` is scattered to every worker once (never re-sent per task) and each item
    is one task; at most ``window`` tasks (default twice the cluster's threads) are in
    flight, so finished results wait on the client for at most that many. A task whose
    worker dies is recomputed elsewhere by Dask's scheduler; a task that kills every
    worker it runs on ends the run with a :class:`ClusterError`.
    """

    def run(
        fn: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        on_result: Callable[[Any], None],
    ) -> None:
        from distributed import KilledWorker, as_completed

        items = list(items)
        if not items:
            return
        limit = window or max(2, 2 * sum(client.nthreads().values()))
        [shared_future] = client.scatter([shared], broadcast=True, hash=False)
        tag = f"{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex[:8]}"
        finished = as_completed(loop=client.loop)
        live: dict[str, Any] = {}
        position: dict[str, int] = {}
        waiting: dict[int, Any] = {}
        submitted = handed = 0

        def submit() -> None:
            nonlocal submitted
            fut = client.submit(fn, shared_future, items[submitted], key=f"{tag}-{submitted}")
            position[fut.key] = submitted
            live[fut.key] = fut
            finished.add(fut)
            submitted += 1

        try:
            while submitted < min(limit, len(items)):
                submit()
            for fut in finished:
                index = position.pop(fut.key)
                del live[fut.key]
                try:
                    waiting[index] = fut.result()
                except KilledWorker as exc:
                    raise ClusterError(
                        f"Dask task {fut.key} killed every worker it ran on ({exc}); most "
                        "often a worker ran out of memory. To fix: raise dask.memory_limit, "
                        "or lower simulation.chunk_size / chunk_path_steps."
                    ) from None
                fut.release()
                if submitted < len(items):
                    submit()
                while handed in waiting:
                    on_result(waiting.pop(handed))
                    handed += 1
        finally:
            # On an error or interrupt nothing more runs for this map on the cluster.
            if live:
                client.cancel(list(live.values()))
            client.cancel([shared_future])

    return run
