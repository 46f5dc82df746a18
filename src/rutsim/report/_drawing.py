"""A report's figures, drawn in two processes: the caller and one spawned helper.

Matplotlib holds the GIL while it lays out and renders a figure, so threads cannot share
the drawing; a second process can: on two cores the default run's figures took 3.2 s
instead of 5.7 s (``benchmarks/README.md``). The helper is started before the caller's
last other work (writing the NetCDF files, or loading a run), so its imports overlap it.
It is spawned, not forked: the caller may hold JAX's thread pools, which a fork copies in
an unknown state.

Every figure is drawn by the same function in either process, and the PNG bytes do not
depend on which (``tests/test_report_build.py``). When the helper cannot start, dies or
fails, the caller draws its share itself: the result is the same, only slower, and an
error in a figure is raised by the caller as without a helper.

Hand-written rather than a ``concurrent.futures`` pool: one long-lived process with one
request is all this needs, and a stopped run must be able to kill it mid-figure (a pool
waits for running work, or needs its private process table to terminate it).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, NamedTuple

import pandas as pd

from rutsim import signals
from rutsim.report._figures import (
    attribution_chart,
    distribution_chart,
    fan_chart,
    horizon_label,
    risk_by_horizon,
    scenario_colours,
    var_cvar_chart,
)
from rutsim.report._history import History
from rutsim.risk import BLEND
from rutsim.runs import RunData

__all__ = ["FigureHelper", "FigureJob", "draw_figures", "figure_helper", "figure_jobs"]

#: Set to "0" to draw every figure in the calling process.
HELPER_ENV = "RUTSIM_FIGURE_HELPER"
#: The extra time of a fresh process's first figure (fonts, caches), in units of a fan
#: chart's drawing time: the split gives the helper that much less to draw.
HELPER_HEAD_START = 0.7
#: Seconds to wait for the helper's figures before drawing them here instead (a helper
#: draws its share in seconds; this only bounds a helper that stopped answering).
HELPER_TIMEOUT_S = 600.0


class FigureJob(NamedTuple):
    """One figure of the report: caption, relative drawing cost, and how to draw it."""

    caption: str
    #: Drawing time relative to a fan chart (measured on the default run: a fan chart
    #: 0.75 s, VaR/CVaR 0.69, attribution 0.48, a distribution 0.43, risk by horizon 0.29).
    cost: float
    draw: Callable[[], bytes]


def _slug(name: str, taken: set[str]) -> str:
    # Scenario names are free text; file names are not.
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "scenario"
    base, i = slug, 1
    while slug in taken:
        i += 1
        slug = f"{base}_{i}"
    taken.add(slug)
    return slug


def figure_jobs(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    n_h: int,
    history: History | None,
) -> dict[str, FigureJob]:
    """Return the report's figures by file stem, in the order the report shows them."""
    colours = scenario_colours(run.scenarios)
    entities = [*run.scenarios, BLEND]
    one_year = min(4, n_h)
    marked = sorted({one_year, n_h})
    jobs: dict[str, FigureJob] = {}
    for h in marked:
        jobs[f"distribution_{h}q"] = FigureJob(
            f"Return distributions at {horizon_label(h)}, VaR 95 marked",
            0.57,
            partial(distribution_chart, run, table, weights, h, colours),
        )
    jobs["attribution"] = FigureJob(
        "Attribution of the mean and the CVaR-95 tail to earnings, multiple and carry",
        0.64,
        partial(attribution_chart, table, entities, marked),
    )
    taken: set[str] = set()
    for name in run.scenarios:
        jobs[f"fan_{_slug(name, taken)}"] = FigureJob(
            f"Scenario '{name}': total-return index, implied P/E, earnings and macro paths",
            1.0,
            partial(fan_chart, run, name, colours[name], history),
        )
    jobs["var_cvar"] = FigureJob(
        "VaR and CVaR at 95% and 99%, with 90% credible intervals",
        0.92,
        partial(var_cvar_chart, table, entities, marked, colours),
    )
    jobs["risk_by_horizon"] = FigureJob(
        "CVaR 95% and probability of loss at every horizon",
        0.39,
        partial(risk_by_horizon, table, entities, colours, marked),
    )
    return jobs


def split(jobs: Mapping[str, FigureJob]) -> tuple[list[str], list[str]]:
    """Split figure stems between the caller and the helper, dearest first to the lighter.

    Deterministic (ties go to the caller), so a rerun draws the same figures where it did.
    """
    mine: list[str] = []
    theirs: list[str] = []
    load = [0.0, HELPER_HEAD_START]
    for key in sorted(jobs, key=lambda k: -jobs[k].cost):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(key)
        load[side] += jobs[key].cost
    return mine, theirs


def _serve(conn: Connection) -> None:
    """Serve as the helper: receive one request, draw its figures, send the PNGs back."""
    # A Ctrl-C reaches the whole process group (SIGINT is blocked since the start, see
    # FigureHelper): the caller stops and kills the helper, which ignores both signals.
    signals.ignore()
    try:
        run, table, weights, n_h, history, keys = conn.recv()
    except (EOFError, OSError):
        return
    try:
        jobs = figure_jobs(run, table, weights, n_h, history)
        pngs: dict[str, bytes] | None = {k: jobs[k].draw() for k in keys}
    except Exception:  # noqa: BLE001 - the caller redraws and raises the error itself
        pngs = None
    with contextlib.suppress(OSError):
        conn.send(pngs)


class FigureHelper:
    """One spawned process that draws part of a report's figures beside the caller."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="rutsim-figures")
        # SIGINT blocked in the helper for life: a Ctrl-C to the process group is the
        # caller's to handle (it stops the helper).
        with signals.spawning():
            self._proc.start()
        child.close()
        #: Stems of the figures the helper drew and sent back (for tests and timings).
        self.drawn: tuple[str, ...] = ()

    @property
    def pid(self) -> int | None:
        """Process id of the helper."""
        return self._proc.pid

    def request(self, payload: tuple[Any, ...]) -> bool:
        """Send the run, table and figure stems; False when they cannot go (draw here)."""
        try:
            data = ForkingPickler.dumps(payload)
        except Exception:  # noqa: BLE001 - whatever cannot be pickled is drawn here
            return False
        try:
            self._conn.send_bytes(data)
        except (OSError, ValueError):  # the helper is gone
            return False
        return True

    def result(self) -> dict[str, bytes] | None:
        """Wait for the helper's PNG bytes; None when it failed or died."""
        try:
            if not self._conn.poll(HELPER_TIMEOUT_S):
                return None
            pngs = self._conn.recv()
        except (EOFError, OSError):
            return None
        if not isinstance(pngs, dict):
            return None
        self.drawn = tuple(pngs)
        return pngs

    def close(self) -> None:
        """Stop the helper (at once if it is still drawing) and release its pipe."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(timeout=10)
        self._conn.close()


@contextlib.contextmanager
def figure_helper(wanted: bool = True) -> Iterator[FigureHelper | None]:
    """Start a figure helper for the block, or yield None where one would not help.

    None on a single CPU, with ``RUTSIM_FIGURE_HELPER=0``, when ``wanted`` is False, or
    when the process cannot start; the helper is stopped when the block ends, however it
    ends.
    """
    usable = wanted and (os.cpu_count() or 1) >= 2 and os.environ.get(HELPER_ENV, "1") != "0"
    helper = None
    if usable:
        with contextlib.suppress(OSError):
            helper = FigureHelper()
    try:
        yield helper
    finally:
        if helper is not None:
            helper.close()


def draw_figures(
    run: RunData,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    n_h: int,
    history: History | None,
    helper: FigureHelper | None = None,
) -> dict[str, tuple[str, bytes]]:
    """Draw every figure of the report: ``{stem: (caption, PNG bytes)}`` in report order.

    With a helper, part of them are drawn there at the same time.
    """
    jobs = figure_jobs(run, table, weights, n_h, history)
    mine: list[str] = list(jobs)
    theirs: list[str] = []
    if helper is not None:
        mine, theirs = split(jobs)
        if not helper.request((run, table, dict(weights), n_h, history, theirs)):
            mine, theirs = list(jobs), []
    pngs = {k: jobs[k].draw() for k in mine}
    if theirs and helper is not None:
        drawn = helper.result() or {}
        for k in theirs:
            # A helper that died or failed: draw here (an error in a figure is raised here).
            pngs[k] = drawn[k] if k in drawn else jobs[k].draw()
    return {k: (job.caption, pngs[k]) for k, job in jobs.items()}
