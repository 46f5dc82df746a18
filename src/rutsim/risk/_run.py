"""The reducer a run hands the simulation driver: checks each chunk, then reduces it.

A picklable object of this light module (NumPy only), so a Dask worker that runs a chunk
imports the risk functions and the kernel, never PyMC or the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from rutsim.errors import ScenarioError
from rutsim.risk._reducer import draw_metrics
from rutsim.types import SimPaths


def check_finite(paths: SimPaths, scenario_names: Sequence[str]) -> None:
    """Refuse simulated paths with non-finite values, naming the scenario and the variable.

    The scenario checks catch impossible inputs before the run; this catches a model
    pushed past what it can extrapolate, at the first chunk where it happens.
    """
    for field, values in zip(SimPaths._fields, paths, strict=True):
        bad = ~np.isfinite(values)
        if bad.any():
            scenario = scenario_names[int(np.argwhere(bad)[0][0])]
            raise ScenarioError.overflowed(scenario, field, int(bad.sum()))


class _Chunk(Protocol):
    @property
    def scenario_names(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class RunReducer:
    """``(paths, chunk) -> per-draw metrics`` of every scenario and of the blend.

    Attributes
    ----------
    blend_weights : tuple of float
        One weight per scenario (summing to one) for the per-draw blend.
    """

    blend_weights: tuple[float, ...]

    def __call__(self, paths: SimPaths, chunk: _Chunk) -> dict[str, NDArray[np.float64]]:
        """Check the chunk's paths are finite, then reduce them (:func:`draw_metrics`)."""
        check_finite(paths, chunk.scenario_names)
        return draw_metrics(paths, blend_weights=self.blend_weights)
