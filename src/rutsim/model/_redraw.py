"""Redraw a saved model's figures (``rutsim plot posterior``) without touching the model."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rutsim.data import load_panel
from rutsim.model._api import load_model, theta_of
from rutsim.model._checks import predictive
from rutsim.model._data import model_data
from rutsim.model._plots import make_plots
from rutsim.model._posterior import stacked

#: Where redrawn figures go inside a model folder.
REDRAWN = "plots_redrawn"


def redraw_plots(folder: Path) -> tuple[Path, list[Path]]:
    """Redraw every posterior figure of the model in ``folder`` into ``plots_redrawn/``.

    The model's own ``plots/`` are listed (hashed) in its sealed manifest, so redrawn
    figures go beside them and never invalidate the model. They are drawn into a scratch
    folder first, so a failure leaves any earlier ``plots_redrawn/`` as it was.

    Returns
    -------
    (Path, list of Path)
        The ``plots_redrawn`` folder and the figures written into it.
    """
    fitted = load_model(Path(folder))
    cfg = fitted.manifest.config
    data = model_data(load_panel(cfg.data), cfg.data, cfg.model)
    theta = theta_of(fitted.posterior)
    q = stacked(fitted.posterior["posterior"].to_dataset(), "q")
    pred = predictive(theta, q, data, cfg.sampler.seed)
    target = fitted.path / REDRAWN
    with tempfile.TemporaryDirectory(dir=fitted.path) as tmp:
        paths = make_plots(fitted.posterior, Path(tmp), data, cfg.model, pred, cfg.sampler.seed)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(tmp, target)
    return target, [target / p.name for p in paths]
