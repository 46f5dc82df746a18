"""rutsim: a Monte Carlo scenario engine for U.S. small-cap equities (Russell 2000)."""

from importlib import metadata as _metadata

__version__ = _metadata.version("rutsim")

__all__ = ["__version__"]
