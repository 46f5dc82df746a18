"""Exceptions for rutsim's domain failures.

Every error that reaches a user names what went wrong, where (file, key, line) and the
fix. The CLI turns any :class:`RutsimError` into one message and a non-zero exit code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class RutsimError(Exception):
    """Base class for all errors rutsim reports to a user (exit code 2)."""

    exit_code: int = 2


class ConfigError(RutsimError):
    """A run config or a prior specification is invalid."""


class DataError(RutsimError):
    """An input data file is missing, malformed or implausible."""


class ScenarioError(RutsimError):
    """A scenario file is invalid or inconsistent with the run config."""

    @classmethod
    def overflowed(cls, scenario: str, field: str, count: int) -> ScenarioError:
        """Return the error for simulated values that are not finite (one wording)."""
        return cls(
            f"scenario '{scenario}': the simulation overflowed ({field} is not finite in "
            f"{count} values). The scenario's paths are outside what the model can "
            "extrapolate. Nothing was written. To fix: check its values and uncertainty "
            "against scenarios/README.md."
        )

    @classmethod
    def exploded(cls, scenario: str, count: int) -> ScenarioError:
        """Return the error for cumulative returns that compound past what metrics hold."""
        return cls(
            f"scenario '{scenario}': {count} simulated cumulative returns compound past "
            "1e18 (explosive dynamics: posterior draws from a fit that did not converge, "
            "or paths far outside history). Nothing was written. To fix: refit until the "
            "diagnostics gate passes (raise [sampler] tune and draws), or check the "
            "scenario's values and uncertainty against scenarios/README.md."
        )


class FitDiagnosticsError(RutsimError):
    """A fit failed the convergence gate (R-hat, ESS, divergences)."""


class ModelStoreError(RutsimError):
    """A saved model is missing, tampered with, or does not match the config or data."""


class RunOutputError(RutsimError):
    """A run folder is missing, corrupt, or would be overwritten."""


class ClusterError(RutsimError):
    """The Dask cluster cannot be reached or used (or the ``scale`` extra is missing)."""
