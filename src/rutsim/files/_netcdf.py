"""NetCDF files built in memory and written as plain bytes (xarray, h5netcdf)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from rutsim import signals


def _local_locks() -> contextlib.AbstractContextManager[object]:
    """Have xarray lock with threads, not Dask's, while it writes a file.

    Inside a Dask worker (a backtest origin saving its fit) xarray takes a cluster-wide
    ``distributed.Lock`` named after the target, which fails for an in-memory target
    ("Semaphore or Lock <BytesIO> not known"). The synchronous scheduler makes xarray use
    a plain process-local lock; without Dask imported there is nothing to change.
    """
    dask = sys.modules.get("dask")
    if dask is None:
        return contextlib.nullcontext()
    return dask.config.set(scheduler="synchronous")


def write_netcdf(
    obj: Any, path: Path, *, compress: bool = False, single_precision: bool = False
) -> None:
    """Write an xarray ``Dataset`` or ``DataTree`` as NetCDF-4 (h5netcdf) to ``path``.

    With ``compress`` (Datasets only) every numeric variable is stored deflated
    (zlib level 4 with byte shuffle); any NetCDF-4 reader decompresses it transparently.
    With ``single_precision`` float variables are stored as float32 (7 significant
    digits), for summaries whose last digits carry no information.

    The file is built in memory and written as plain bytes: HDF5 writing straight to a
    full disk once crashed the interpreter (SIGSEGV at exit), where a plain write gives an
    ``OSError`` that :func:`atomic_dir` reports. Signals wait for the serialisation to
    finish (:func:`rutsim.signals.deferred`), so an interrupt never leaves half-built HDF5
    objects behind. The in-memory copy costs the file's size in memory once more.
    """
    encoding = (
        {
            name: {
                "zlib": True,
                "complevel": 4,
                "shuffle": True,
                **({"dtype": "float32"} if single_precision and var.dtype.kind == "f" else {}),
            }
            for name, var in obj.data_vars.items()
            if var.dtype.kind in "fiu" and var.ndim > 0
        }
        if compress
        else None
    )
    with signals.deferred(), _local_locks():
        data = memoryview(obj.to_netcdf(engine="h5netcdf", encoding=encoding))
    try:
        with Path(path).open("wb") as fh:
            fh.write(data)
    finally:
        # The view pins xarray's in-memory file; a traceback that kept it alive until
        # exit made CPython free them in the wrong order (SystemError, then SIGSEGV).
        data.release()
