"""The shared small real fit end to end: gate, save, reuse, load, ids, tampering, hand-off."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import small_fit_config
from rutsim.errors import FitDiagnosticsError, ModelStoreError
from rutsim.model import PARAMETERS, fit_or_load, load_model, posterior_to_pytree
from rutsim.model._gate import Diagnostics, ParameterDiagnostics, enforce, gate_message
from rutsim.model._store import FitConfig, model_id


@pytest.fixture(scope="module")
def fitted(small_fit):
    return small_fit


def test_fit_saves_a_complete_model_folder(fitted) -> None:
    names = {p.name for p in fitted.path.iterdir()}
    assert {"posterior.nc", "manifest.json", "identification.csv", "plots"} <= names
    plots = {p.name for p in (fitted.path / "plots").iterdir()}
    assert {"decomposition.png", "ppc.png", "energy.png", "pair_q.png"} <= plots
    for kind in ("trace_", "rank_", "prior_posterior_", "forest_"):
        assert any(n.startswith(kind) for n in plots), kind
    # BFMI per chain, recorded in the sealed manifest.
    assert len(fitted.manifest.diagnostics.bfmi) == 2
    assert all(b > 0 for b in fitted.manifest.diagnostics.bfmi)
    m = fitted.manifest
    assert m.model_id == fitted.path.name and len(m.model_id) == 12
    assert m.as_of == "2025Q3" and m.backend == "nutpie" and m.seed == 11
    assert set(m.ppc_coverage) >= {"small_cap_return_50", "small_cap_return_90"}
    assert 0.0 <= m.ppc_coverage["small_cap_return_90"] <= 1.0
    assert isinstance(m.diagnostics.divergences, int) and m.versions["pymc"] != "not installed"


def test_reuse_returns_the_saved_model_without_refitting(fitted) -> None:
    cfg = small_fit_config(fitted.path.parent)
    again = fit_or_load(cfg, allow_unconverged=True, progress=False)
    assert again.model_id == fitted.model_id
    assert again.manifest.created_utc == fitted.manifest.created_utc
    np.testing.assert_array_equal(np.asarray(again.params.q_last), np.asarray(fitted.params.q_last))


def test_load_round_trip_matches(fitted) -> None:
    loaded = load_model(fitted.path)
    for name in PARAMETERS:
        np.testing.assert_allclose(
            loaded.posterior["posterior"][name].to_numpy(),
            fitted.posterior["posterior"][name].to_numpy(),
        )
    assert loaded.initial == fitted.initial


def test_handoff_matches_pymc_values(fitted) -> None:
    post = fitted.posterior["posterior"]
    params = posterior_to_pytree(fitted.posterior)
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    for name in PARAMETERS:
        expected = post[name].transpose("chain", "draw").to_numpy().reshape(-1)
        got = getattr(params, name)
        # float64 host arrays, bit for bit: the kernel casts to the run's dtype itself
        assert isinstance(got, np.ndarray) and got.dtype == np.float64
        assert got.shape == (n_chain * n_draw,)
        np.testing.assert_array_equal(got, expected)
    # chain-major: sample k*n_draw is chain k's first draw
    np.testing.assert_allclose(
        np.asarray(params.gs_beta_gl)[n_draw],
        float(post["gs_beta_gl"].isel(chain=1, draw=0)),
        rtol=1e-6,
    )
    q_last = post["q"].isel(quarter=-1).transpose("chain", "draw").to_numpy().reshape(-1)
    np.testing.assert_allclose(np.asarray(params.q_last), q_last, rtol=1e-6, atol=1e-7)
    thin = posterior_to_pytree(fitted.posterior, max_draws=7)
    assert thin.ff_phi.shape == (7,)
    idx = np.round(np.linspace(0, n_chain * n_draw - 1, 7)).astype(int)
    np.testing.assert_allclose(
        np.asarray(thin.ff_phi),
        expected_ff := post["ff_phi"].to_numpy().reshape(-1)[idx],
        rtol=1e-6,
    )
    assert expected_ff.shape == (7,)


def test_initial_state_is_the_last_observed_quarter(fitted) -> None:
    from rutsim.data import load_panel

    panel = load_panel(fitted.manifest.config.data)
    last, prev = panel.loc["2025Q3"], panel.loc["2025Q2"]
    init = fitted.initial
    assert np.isclose(float(init.ff), last["fedfunds_avg"], rtol=1e-6)
    assert np.isclose(float(init.df), last["fedfunds_avg"] - prev["fedfunds_avg"], atol=1e-6)
    # Real-time multiple: quarter-end price over the 12-quarter EPS base public then
    # (trailing sums through 2025Q2, 2024Q2 and 2023Q2).
    eps = panel["sp500_op_eps_ttm"]
    base = (eps["2025Q2"] + eps["2024Q2"] + eps["2023Q2"]) / 3
    assert np.isclose(float(init.ml), np.log(last["sp500_end"] / base), atol=1e-9)
    assert np.isclose(float(init.un), last["unrate"]) and np.isclose(
        float(init.dun), last["unrate"] - prev["unrate"]
    )
    assert all(isinstance(v, np.float64) for v in init)
    assert 0.0 < float(init.carry) < 0.01  # dividends net of fees, per quarter


def test_model_id_changes_with_config_and_data(fitted) -> None:
    fit = fitted.manifest.config
    base = model_id(fit, fitted.manifest.data_hash)
    assert base == fitted.model_id
    other_prior = fit.model.model_copy(
        update={
            "priors": fit.model.priors.model_copy(update={"q_sigma": fit.model.priors.gs_sigma})
        }
    )
    assert (
        model_id(
            FitConfig(data=fit.data, model=other_prior, sampler=fit.sampler),
            fitted.manifest.data_hash,
        )
        != base
    )
    more = fit.sampler.model_copy(update={"draws": 151})
    assert (
        model_id(FitConfig(data=fit.data, model=fit.model, sampler=more), fitted.manifest.data_hash)
        != base
    )
    assert model_id(fit, "0" * 64) != base
    # cores and allow_unconverged do not change the draws, so not the id
    same = fit.sampler.model_copy(update={"cores": 1, "allow_unconverged": True})
    assert (
        model_id(FitConfig(data=fit.data, model=fit.model, sampler=same), fitted.manifest.data_hash)
        == base
    )


def _copy(fitted, tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / fitted.model_id
    shutil.copytree(fitted.path, dest)
    return dest


def test_tampered_manifest_is_refused(fitted, tmp_path: Path) -> None:
    dest = _copy(fitted, tmp_path)
    manifest = json.loads((dest / "manifest.json").read_text())
    manifest["config"]["sampler"]["draws"] = 5000
    (dest / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelStoreError, match="manifest was modified after the fit"):
        load_model(dest)


def test_changed_posterior_file_is_refused(fitted, tmp_path: Path) -> None:
    dest = _copy(fitted, tmp_path)
    with (dest / "identification.csv").open("a") as fh:
        fh.write("extra,row\n")
    with pytest.raises(ModelStoreError, match="identification.csv: missing or changed"):
        load_model(dest)


def test_missing_or_changed_figures_are_a_note_not_a_refusal(fitted, tmp_path: Path) -> None:
    # The figures are not needed to simulate: the posterior loads, and the note says what
    # is missing and how to redraw it.
    import shutil

    from rutsim.status import reporting

    dest = _copy(fitted, tmp_path)
    plots = sorted((dest / "plots").glob("*.png"))
    assert plots
    plots[0].write_bytes(b"not a png")
    shutil.rmtree(dest / "plots") if len(plots) == 1 else plots[1].unlink()
    lines: list[str] = []
    with reporting(lines.append):
        loaded = load_model(dest)
    assert loaded.model_id == fitted.model_id
    assert any("figure(s) of model" in x and "rutsim plot posterior" in x for x in lines)


def test_data_hash_mismatch_is_refused(fitted, tmp_path: Path, monkeypatch) -> None:
    dest = _copy(fitted, tmp_path)
    import rutsim.data

    monkeypatch.setattr(rutsim.data, "panel_hash", lambda config=None: "f" * 64)
    with pytest.raises(ModelStoreError, match="The dataset changed since the fit"):
        load_model(dest)


def test_folder_under_wrong_id_is_refused(fitted, tmp_path: Path) -> None:
    import shutil

    dest = tmp_path / "0123456789ab"
    shutil.copytree(fitted.path, dest)
    with pytest.raises(ModelStoreError, match="model id mismatch"):
        load_model(dest)


def test_gate_failure_names_worst_parameters_and_knobs() -> None:
    from rutsim.config import SamplerConfig

    bad = Diagnostics(
        passed=False,
        divergences=3,
        max_r_hat=1.08,
        min_ess_bulk=40.0,
        min_ess_tail=55.0,
        worst=(ParameterDiagnostics(name="q_sigma", r_hat=1.08, ess_bulk=40.0, ess_tail=55.0),),
        thresholds={"max_rhat": 1.01, "min_ess": 400.0},
    )
    sampler = SamplerConfig()
    with pytest.raises(FitDiagnosticsError) as exc:
        enforce(bad, sampler, allow_unconverged=False)
    msg = str(exc.value)
    assert "q_sigma: R-hat 1.080, bulk ESS 40" in msg and "3 divergences" in msg
    assert "tune" in msg and "target_accept" in msg and "q_parameterisation" in msg
    assert "--allow-unconverged" in msg
    enforce(bad, sampler, allow_unconverged=True)  # allowed: no error
    assert gate_message(bad, sampler) == msg


@pytest.mark.slow
def test_a_fit_with_cold_compile_caches_gives_the_same_posterior(small_fit, tmp_path) -> None:
    """A new user's first fit (empty PyTensor and Numba caches, a new process) reproduces
    the draws of a fit with warm caches: the same posterior hash."""
    import os
    import subprocess
    import sys

    from helpers import SMALL_FIT_TOML

    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "s.toml"
    config.write_text(
        SMALL_FIT_TOML.format(models="models").replace(
            "seed = 11", "seed = 11\nallow_unconverged = true"
        )
    )
    env = {
        **os.environ,
        "PYTENSOR_FLAGS": f"compiledir={tmp_path / 'pytensor'}",
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
        "MPLBACKEND": "Agg",
    }
    rutsim = str(Path(sys.executable).parent / "rutsim")
    res = subprocess.run(
        [rutsim, "fit", str(config)], env=env, capture_output=True, text=True, timeout=1200
    )
    assert res.returncode == 0, res.stderr[-2000:]
    manifest = json.loads((tmp_path / "models" / small_fit.model_id / "manifest.json").read_text())
    assert manifest["posterior_hash"] == small_fit.posterior_hash


def test_a_fit_by_other_model_code_is_not_reused(fitted, tmp_path) -> None:
    import shutil

    from rutsim.model._store import compile_target, model_code_hash, read_manifest, write_manifest

    assert fitted.manifest.model_code_hash == model_code_hash()
    # the CPU the log density was compiled for: draws reproduce on one target, not across
    assert fitted.manifest.compile_target == compile_target() != ""
    folder = tmp_path / "models" / fitted.model_id
    shutil.copytree(fitted.path, folder)
    other = read_manifest(folder).model_copy(update={"model_code_hash": "0" * 64})
    write_manifest(folder, other)  # sealed again: only the code hash differs
    with pytest.raises(ModelStoreError, match="another version of the model code"):
        fit_or_load(small_fit_config(tmp_path / "models"), allow_unconverged=True, progress=False)
    # the hash ignores comments and docstrings, not code
    from rutsim.model._store import normalised_code

    plain = normalised_code("def f(x):\n    return x + 1\n")
    assert normalised_code('def f(x):\n    """Doc."""\n    return x + 1  # why\n') == plain
    assert normalised_code("def f(x):\n    return x + 2\n") != plain


def test_posterior_figures_on_arviz_plots_cover_every_observed_series(fitted) -> None:
    """The figures as arviz-plots builds them, with no drawing backend (``backend="none"``)."""
    from rutsim.data import load_panel
    from rutsim.model import model_data, predictive, stacked, theta_of
    from rutsim.model._plots import BLOCKS, PPC_SERIES, figures, plot_tree

    cfg = fitted.manifest.config
    data = model_data(load_panel(cfg.data), cfg.data, cfg.model)
    q = stacked(fitted.posterior["posterior"].to_dataset(), "q")
    pred = predictive(theta_of(fitted.posterior), q, data, 1)
    tree = plot_tree(fitted.posterior, data, cfg.model, pred, seed=1)
    # Every observed series of the likelihood is replicated, and the two one-step checks.
    series = set(tree["posterior_predictive"].to_dataset().data_vars)
    assert {label for _, _, label in PPC_SERIES} | {"rut_price_return"} <= series
    for name in series:
        rep = tree["posterior_predictive"][name]
        obs = tree["observed_data"][name]
        assert rep.shape[-1] == obs.shape[-1] and np.isfinite(rep.values).all()
    # The prior group holds the same parameters as the posterior.
    assert set(tree["prior"].to_dataset().data_vars) == set(
        tree["posterior"].to_dataset().data_vars
    )
    drawn = dict(figures(tree, backend="none"))
    expected = {"energy", "ppc", "pair_q"} | {
        f"{kind}_{block}" for block in BLOCKS for kind in ("trace", "rank", "prior_posterior")
    }
    assert expected <= set(drawn)
    assert any(k.startswith("forest_") for k in drawn)
