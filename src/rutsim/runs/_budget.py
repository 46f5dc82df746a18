"""What a run will cost before it starts: memory, disk and time, checked against the machine.

Sizes come from the config alone (scenarios, draws, paths, horizon), so an impossible
run is refused in a second with the numbers and the setting to change, not after an
allocation fails (MemoryError, the OOM killer, an abort inside XLA) or after a long
simulation fills the disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rutsim.config import SimulationConfig
from rutsim.errors import ConfigError
from rutsim.files import check_free_space
from rutsim.runs._rates import FIRST_CHUNK, FIRST_CHUNK_GUESS, SIMULATE_RATE, measured

__all__ = ["RunBudget", "check_budget", "estimate_budget"]

#: Arrays per simulated path-quarter: the fields of ``rutsim.types.SimPaths``.
_FIELDS = 12
#: Per-draw metrics (about 50) as float64, per scenario, draw and quarter.
_METRIC_BYTES = 60 * 8
#: Copies of a chunk alive at once: the kernel's output, the host copy, the reducer's
#: sorted and float64 temporaries (measured peak about 3x the chunk's paths).
_CHUNK_COPIES = 4
#: Seconds per path-step for the kernel and the full reducer on one core, rounded up
#: from benchmarks/README.md (used for the time estimate only).
_SECONDS_PER_PATH_STEP = 1.5e-6
#: Binned sums over every path (rutsim.risk.bin_paths), per scenario and quarter, float64:
#: five return sums over about 8,200 bins and two drawdown sums over 4,096.
_POOLED_BYTES = (5 * 8194 + 2 * 4096) * 8
#: Longest run started without asking: a day.
MAX_HOURS = 24.0


@dataclass(frozen=True)
class RunBudget:
    """The estimated cost of a run.

    Attributes
    ----------
    memory_bytes : peak resident memory of the simulation and the datasets.
    disk_bytes : size of the run folder (kept paths, metrics, report).
    seconds : simulation wall time on ``workers`` cores.
    path_steps : scenarios x draws x paths x quarters.
    kept_bytes : the kept paths in memory (their size in ``simulation.nc`` or ``.zarr``).
    streams : the kept paths are streamed to ``simulation.zarr`` (above
        ``outputs.stream_above_mb``), never all in memory.
    """

    memory_bytes: int
    disk_bytes: int
    seconds: float
    path_steps: int
    kept_bytes: int = 0
    streams: bool = False
    measured: bool = False
    compile_seconds: float = FIRST_CHUNK_GUESS

    def describe_time(self) -> str:
        """Say how long simulating takes and where the figure comes from."""
        if self.measured:
            return (
                f"about {_duration(self.seconds)} at the rate this machine measured in its "
                f"last run, plus about {_duration(self.compile_seconds)} compiling"
            )
        return (
            f"about {_duration(self.seconds)} at the benchmark rate for 2 cores, plus up to "
            f"{_duration(self.compile_seconds)} compiling on a first run"
        )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{seconds / 60:.0f} min"


def estimate_budget(
    sim: SimulationConfig,
    n_scenarios: int,
    n_draws: int,
    stream_above_mb: float = float("inf"),
    workers: int | None = None,
) -> RunBudget:
    """Estimate memory, disk and time of simulating ``n_draws`` posterior draws.

    Parameters
    ----------
    sim : SimulationConfig
    n_scenarios : int
    n_draws : int
        Posterior draws available (chains x draws); at most ``sim.max_draws`` are used.
    stream_above_mb : float
        ``outputs.stream_above_mb``: kept paths larger than this are streamed to disk.
    workers : int, optional
        Cores simulating (default ``sim.workers``; a Dask cluster's worker threads). Dask
        workers hold their chunks in their own processes, so only the local executor's
        chunks count against this process's memory.
    """
    draws = min(n_draws, sim.max_draws)
    item = 4 if sim.dtype == "float32" else 8
    per_draw = n_scenarios * sim.paths_per_draw * sim.horizon
    chunk = max(1, min(sim.chunk_size, sim.chunk_path_steps // per_draw, draws))
    keep = min(sim.keep_paths, sim.paths_per_draw)
    kept = n_scenarios * draws * keep * sim.horizon * _FIELDS * item
    # Per-draw metrics of every scenario and of the blend.
    metrics = (n_scenarios + 1) * draws * sim.horizon * _METRIC_BYTES
    chunk_bytes = chunk * per_draw * _FIELDS * item * _CHUNK_COPIES
    # Each chunk in flight bins its paths into a full set of sums, added to the total.
    pooled = n_scenarios * sim.horizon * _POOLED_BYTES
    # Kept paths exist three times at the peak: the driver's arrays, the dataset handed
    # to the writer and the NetCDF bytes built in memory (rutsim.files.write_netcdf).
    # Streamed, they are in memory one chunk at a time, as the writer takes them.
    streams = kept > stream_above_mb * 1e6
    in_memory = (3 * kept) if not streams else 0
    local = sim.executor == "local"
    memory = in_memory + metrics + ((sim.workers + 1) * chunk_bytes if local else 0)
    memory += (sim.workers + 2) * pooled
    path_steps = draws * per_draw
    cores = workers or sim.workers
    if local:
        cores = min(cores, os.cpu_count() or 1)
    rate = measured(SIMULATE_RATE)
    seconds = path_steps * (rate or _SECONDS_PER_PATH_STEP) / max(1, cores)
    compile_s = measured(FIRST_CHUNK) or FIRST_CHUNK_GUESS
    return RunBudget(
        memory_bytes=int(memory),
        disk_bytes=int(kept + metrics + pooled + 16 * 2**20),
        seconds=float(seconds),
        path_steps=int(path_steps),
        kept_bytes=int(kept),
        streams=bool(streams),
        measured=rate is not None,
        compile_seconds=float(compile_s),
    )


def _available_memory() -> int | None:
    """Memory this process may still use: MemAvailable, or the cgroup limit if lower."""
    limits: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for cgroup in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(cgroup).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            limits.append(int(text))
    return min(limits) if limits else None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def check_budget(
    budget: RunBudget,
    *,
    outputs_dir: Path,
    source: str,
    available_memory: int | None = None,
) -> list[str]:
    """Refuse a run that cannot fit in memory, on disk or in a day; return notes.

    Parameters
    ----------
    budget : RunBudget
    outputs_dir : Path
        Where the run folder goes (its disk is checked).
    source : str
        The config file, for messages.
    available_memory : int, optional
        Override of the detected available memory (tests).

    Returns
    -------
    list of str
        Notes for the user (a long run's estimated time).

    Raises
    ------
    ConfigError
        Memory or time over the limits, naming the numbers and the settings to lower.
    RunOutputError
        Not enough free disk.
    """
    knobs = (
        "simulation.paths_per_draw, simulation.keep_paths, simulation.horizon, "
        "simulation.max_draws or simulation.chunk_path_steps"
    )
    avail = _available_memory() if available_memory is None else available_memory
    if avail is not None and budget.memory_bytes > 0.8 * avail:
        raise ConfigError(
            f"{source}: this run needs about {_gib(budget.memory_bytes)} of memory "
            f"({budget.path_steps:.3g} path-steps) but about {_gib(avail)} is available. "
            f"Nothing was done. To fix: lower {knobs}."
        )
    hours = budget.seconds / 3600
    if hours > MAX_HOURS:
        raise ConfigError(
            f"{source}: this run would simulate {budget.path_steps:.3g} path-steps, about "
            f"{hours:.0f} hours on this machine (limit {MAX_HOURS:.0f} h). Nothing was done. "
            f"To fix: lower {knobs}, or split the run."
        )
    check_free_space(outputs_dir, budget.disk_bytes, "outputs.dir")
    if budget.seconds > 600:
        return [
            f"large run: {budget.path_steps:.3g} path-steps, about "
            f"{budget.seconds / 60:.0f} minutes to simulate and {_gib(budget.memory_bytes)} "
            "of memory"
        ]
    return []
