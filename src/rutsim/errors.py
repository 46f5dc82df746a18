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


class FitDiagnosticsError(RutsimError):
    """A fit failed the convergence gate (R-hat, ESS, divergences)."""


class ModelStoreError(RutsimError):
    """A saved model is missing, tampered with, or does not match the config or data."""


class RunOutputError(RutsimError):
    """A run folder is missing, corrupt, or would be overwritten."""


class ClusterError(RutsimError):
    """The Dask cluster cannot be reached or used (or the ``scale`` extra is missing)."""
