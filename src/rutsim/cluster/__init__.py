"""Where work runs: threads in this process or a Dask cluster, one interface for both.

:func:`thread_runner` and :func:`dask_runner` map a task over items and hand the results
back in item order (see :data:`Runner`); :func:`dask_client` opens the cluster of a
``[dask]`` config section. Dask is imported only when a Dask runner or client is used,
so the package works without the ``scale`` extra.
"""

from rutsim.cluster._client import dask_client, import_distributed
from rutsim.cluster._map import Runner, dask_runner, thread_runner

__all__ = [
    "Runner",
    "dask_client",
    "dask_runner",
    "import_distributed",
    "thread_runner",
]
