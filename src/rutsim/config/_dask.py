"""``[dask]`` section of a run config: which Dask cluster ``executor = "dask"`` uses."""

from __future__ import annotations

import re

from pydantic import Field, ValidationInfo, field_validator

from rutsim.config._base import FrozenModel

_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+$")
_BYTES = re.compile(r"^(auto|(\d+(\.\d+)?)\s*(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?)$")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "KiB": 2**10, "MB": 1e6, "MiB": 2**20}
_UNITS |= {"GB": 1e9, "GiB": 2**30, "TB": 1e12, "TiB": 2**40}
#: Smallest memory_limit a worker can start with.
_MIN_WORKER_BYTES = 256 * 2**20
#: A dashboard address: optional host, then a port.
_DASHBOARD = re.compile(r"[A-Za-z0-9.\-\[\]:]*:(\d{1,5})")


class DaskConfig(FrozenModel):
    """The Dask cluster of ``[simulation] executor = "dask"`` (``pip install rutsim[scale]``).

    Attributes
    ----------
    scheduler : str
        ``"local"`` starts a ``LocalCluster`` of worker processes on this machine for the
        run and closes it at the end; an address such as ``"tcp://10.0.0.5:8786"`` joins
        a running scheduler (started by ``dask scheduler``, dask-jobqueue or
        dask-kubernetes), whose workers must see the same ``models/`` folder.
    n_workers, threads_per_worker, memory_limit :
        Size of a local cluster (ignored when joining a scheduler): worker processes,
        threads in each, and the memory each may use (``"auto"``: the machine's memory
        shared equally; or e.g. ``"4GiB"``). One thread per worker suits the kernel, which
        runs on about one core per chunk.
    timeout_s : float
        Seconds to wait for a scheduler to answer and for its first worker.
    dashboard_address : str
        Where a local cluster serves its dashboard (``":8787"``; ``":0"`` any free port;
        ``""`` any free port, not announced).
    """

    scheduler: str = "local"
    n_workers: int = Field(default=2, le=1024)
    threads_per_worker: int = Field(default=1, le=256)
    memory_limit: str = "auto"
    timeout_s: float = Field(default=20.0, gt=0, le=3600)
    dashboard_address: str = ":8787"

    @field_validator("scheduler")
    @classmethod
    def _scheduler_form(cls, value: str) -> str:
        if value != "local" and not _ADDRESS.fullmatch(value):
            raise ValueError(
                f'must be "local" or a scheduler address such as "tcp://host:8786", got '
                f'{value!r}. To fix: set dask.scheduler = "local" to start a cluster on this '
                "machine, or to the address `dask scheduler` printed"
            )
        return value

    @field_validator("n_workers", "threads_per_worker")
    @classmethod
    def _at_least_one(cls, value: int, info: ValidationInfo) -> int:
        if value < 1:
            raise ValueError(
                f"must be at least 1, got {value}: a cluster without workers computes "
                f"nothing. To fix: set dask.{info.field_name} = 1 or more, or run without "
                'Dask (simulation.executor = "local")'
            )
        return value

    @field_validator("memory_limit")
    @classmethod
    def _memory_form(cls, value: str) -> str:
        match = _BYTES.fullmatch(value.strip())
        if not match:
            raise ValueError(
                f'must be "auto" or a size such as "4GiB" or "512MB", got {value!r}. To fix: '
                'set dask.memory_limit = "auto" or a size per worker'
            )
        if match.group(1) != "auto":
            size = float(match.group(2)) * _UNITS[match.group(4) or "B"]
            if size < _MIN_WORKER_BYTES:
                # A worker that has imported JAX, NumPy and the kernel holds about 220MiB
                # (measured, peak RSS) before any work; the nanny stops a worker over its
                # limit, so the cluster never comes up and the run times out.
                raise ValueError(
                    f"is {value!r}, less than the 256MiB a worker needs to start. To fix: "
                    'set dask.memory_limit = "auto" or a size of at least "256MiB"'
                )
        return value

    @field_validator("dashboard_address")
    @classmethod
    def _dashboard_form(cls, value: str) -> str:
        match = _DASHBOARD.fullmatch(value)
        if value and (match is None or int(match.group(1)) > 65535):
            raise ValueError(
                f'must be "" or "[host]:port" such as ":8787" (":0" any free port), got '
                f'{value!r}. To fix: set dask.dashboard_address = ":8787"'
            )
        return value
