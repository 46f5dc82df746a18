"""Open a Dask client: start a ``LocalCluster`` for the run, or join a running scheduler."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from rutsim.config import DaskConfig
from rutsim.errors import ClusterError
from rutsim.status import announce

#: What to install for ``executor = "dask"`` (named by every error about it).
EXTRA = 'pip install -e ".[scale]"  (or: pip install "rutsim[scale]")'


#: Dask sets this glibc variable in its worker processes (64 KiB) so they hand freed memory
#: back to the OS at once; a chunk allocates and frees arrays of megabytes, which then
#: cost fresh page faults every time (measured: a chunk took 35% longer). Local clusters
#: start without it, leaving glibc's own adaptive threshold.
_TRIM = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


def import_distributed() -> ModuleType:
    """Return ``dask.distributed``, or one clear error naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            'simulation.executor = "dask" needs Dask distributed, which is not installed. '
            f'To fix: {EXTRA}, or set simulation.executor = "local".'
        ) from None
    return distributed


@contextlib.contextmanager
def dask_client(cfg: DaskConfig) -> Iterator[Any]:
    """Yield a connected ``distributed.Client`` for the duration of the block.

    ``cfg.scheduler == "local"`` starts a ``LocalCluster`` of worker processes (closed on
    exit) and announces its dashboard; an address joins that scheduler and waits up to
    ``cfg.timeout_s`` for it and for one worker.

    Raises
    ------
    ClusterError
        The extra is missing, the scheduler does not answer in time, or it has no worker.
    """
    distributed = import_distributed()
    import dask

    cluster = None
    if cfg.scheduler == "local":
        announce(
            f"starting a local Dask cluster: {cfg.n_workers} worker processes x "
            f"{cfg.threads_per_worker} thread(s), memory limit {cfg.memory_limit} each"
        )
        try:
            with dask.config.set({_TRIM: None}):
                cluster = distributed.LocalCluster(
                    n_workers=cfg.n_workers,
                    threads_per_worker=cfg.threads_per_worker,
                    memory_limit=cfg.memory_limit,
                    processes=True,
                    # Dask serves its HTTP endpoint even "without" a dashboard, on port
                    # 8787 when given None (warning when that is taken): any free port.
                    dashboard_address=cfg.dashboard_address or ":0",
                    silence_logs=logging.ERROR,
                )
        except (RuntimeError, OSError, TimeoutError) as exc:
            raise ClusterError(
                f"the local Dask cluster did not start ({exc}). Worker processes start by "
                "importing the script that started them: a Python script calling rutsim "
                'with executor = "dask" must guard its work with '
                '`if __name__ == "__main__":`. To fix: add that guard, or check '
                "dask.memory_limit and dask.n_workers against this machine."
            ) from None
        client = distributed.Client(cluster, timeout=cfg.timeout_s, set_as_default=False)
        if cfg.dashboard_address:
            announce(f"Dask dashboard: {client.dashboard_link}")
    else:
        announce(
            f"joining the Dask scheduler at {cfg.scheduler} (waiting up to {cfg.timeout_s:g} s)"
        )
        client = _join(distributed, cfg)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _join(distributed: ModuleType, cfg: DaskConfig) -> Any:
    fix = (
        "To fix: start it (`dask scheduler`, then `dask worker ADDRESS` on each machine, or "
        "dask-jobqueue / dask-kubernetes), check dask.scheduler's host and port, or set "
        'dask.scheduler = "local" to start a cluster on this machine.'
    )
    try:
        client = distributed.Client(cfg.scheduler, timeout=cfg.timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {cfg.scheduler} within {cfg.timeout_s:g} s "
            f"(dask.timeout_s): {exc}. Nothing was written. {fix}"
        ) from None
    try:
        client.wait_for_workers(1, timeout=cfg.timeout_s)
    except (OSError, TimeoutError):
        client.close()
        raise ClusterError(
            f"the Dask scheduler at {cfg.scheduler} has no worker after {cfg.timeout_s:g} s "
            f"(dask.timeout_s). Nothing was written. {fix}"
        ) from None
    workers = len(client.scheduler_info().get("workers", {}))
    announce(f"joined {cfg.scheduler}: {workers} workers, dashboard {client.dashboard_link}")
    return client
