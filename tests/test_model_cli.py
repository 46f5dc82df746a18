"""`rutsim fit` and `rutsim plot posterior` through the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from helpers import SMALL_FIT_TOML
from rutsim.cli import _register, app

ROOT = Path(__file__).resolve().parents[1]
_register()
runner = CliRunner()


def test_fit_reuses_model_and_prints_identification(small_fit, tmp_path: Path) -> None:
    # A copy of the shared fit's models folder: `rutsim fit` of the same config finds it.
    models = tmp_path / "models"
    shutil.copytree(small_fit.path, models / small_fit.model_id)
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL_FIT_TOML.format(models=models.as_posix()))
    first = runner.invoke(app, ["fit", str(cfg), "--allow-unconverged"])
    assert first.exit_code == 0, first.output
    assert f"model {small_fit.model_id}" in first.output
    assert "What each parameter learned" in first.output and "q_sigma" in first.output
    assert "coverage of small-cap quarterly returns" in first.output
    (folder,) = models.iterdir()
    manifest = (folder / "manifest.json").read_bytes()
    plotted = runner.invoke(app, ["plot", "posterior", str(folder)])
    assert plotted.exit_code == 0, plotted.output
    assert (folder / "plots_redrawn" / "decomposition.png").is_file()
    # The sealed model is untouched: same manifest, and it still loads.
    assert (folder / "manifest.json").read_bytes() == manifest
    again = runner.invoke(app, ["fit", str(cfg), "--allow-unconverged"])
    assert again.exit_code == 0, again.output


def test_bad_prior_in_config_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[model.priors.q_sigma]\ndist = "HalfCauchy"\nbeta = 1.0\n')
    result = runner.invoke(app, ["fit", str(cfg)])
    assert result.exit_code != 0
    assert "model.priors.q_sigma" in str(result.exception) and "HalfCauchy" in str(result.exception)


@pytest.mark.slow
def test_default_fit_passes_gate_with_calibrated_ppc(tmp_path: Path) -> None:
    text = (ROOT / "configs" / "default.toml").read_text()
    cfg = tmp_path / "default.toml"
    assert 'models_dir = "models"' in text
    cfg.write_text(
        text.replace('models_dir = "models"', f'models_dir = "{(tmp_path / "m").as_posix()}"')
    )
    result = runner.invoke(app, ["fit", str(cfg)])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "m").iterdir()
    m = json.loads((folder / "manifest.json").read_text())
    assert m["diagnostics"]["passed"] and m["diagnostics"]["divergences"] == 0
    assert 0.85 <= m["ppc_coverage"]["small_cap_return_90"] <= 0.95
    # docs/model.md: q_phi stays prior-driven; the data move q_sigma part of the way.
    assert m["prior_driven"] == ["q_phi"]
    ident = pd.read_csv(folder / "identification.csv", index_col="parameter")
    assert ident.loc["q_sigma", "learned"] == "partly"
