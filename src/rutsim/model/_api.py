"""Fit once, simulate many: :func:`fit_or_load` and :class:`FittedModel`."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from rutsim.config import DataConfig, ModelConfig, RunConfig, SamplerConfig
from rutsim.errors import DataError, FitDiagnosticsError, ModelStoreError
from rutsim.files import (
    Claim,
    package_versions,
    sha256_file,
    write_netcdf,
)
from rutsim.model._build import PARAMETERS, build_model
from rutsim.model._data import ModelData, model_data
from rutsim.model._effects import long_run_effects
from rutsim.model._gate import Diagnostics, bfmi_line, diagnose, enforce, gate_message
from rutsim.model._posterior import (
    add_latent_paths,
    initial_state,
    posterior_to_pytree,
    shock_spec,
    stacked,
)
from rutsim.model._sample import check_backend, sample
from rutsim.model._store import (
    PLOTS_DIR,
    POSTERIOR,
    FitConfig,
    Manifest,
    ModelSlot,
    check_matches,
    compile_target,
    config_hash,
    model_code_hash,
    open_posterior,
    posterior_hash,
    read_manifest,
    write_manifest,
)
from rutsim.status import announce, shown
from rutsim.types import InitialState, PosteriorParams, ShockSpec

if TYPE_CHECKING:
    from rutsim.model._checks import Identification

IDENTIFICATION = "identification.csv"
EFFECTS = "effects.csv"


@dataclass(frozen=True)
class FittedModel:
    """A fitted, verified model as the rest of rutsim sees it.

    Attributes
    ----------
    model_id : the 12-hex-digit id (folder name under ``models/``).
    posterior_hash : SHA-256 of the posterior draws (:func:`rutsim.model.posterior_hash`).
    path : the model folder.
    posterior : the posterior DataTree (``posterior`` group has every parameter and
        the paths ``q``, ``mS``, ``eS`` over dim ``quarter``).
    manifest : the verified manifest.
    params : every posterior sample as the simulation pytree (float64 host arrays).
    initial : the last observed quarter.
    shocks : the static shock families.
    """

    model_id: str
    path: Path
    posterior: xr.DataTree
    manifest: Manifest
    params: PosteriorParams
    initial: InitialState
    shocks: ShockSpec
    posterior_hash: str


class FitResult(NamedTuple):
    """An in-memory fit (not saved): posterior, diagnostics and seconds spent."""

    posterior: xr.DataTree
    diagnostics: Diagnostics
    sample_s: float
    post_s: float


def fit_data(
    data: ModelData,
    model: ModelConfig,
    sampler: SamplerConfig,
    *,
    allow_unconverged: bool = False,
    progress: bool = True,
) -> FitResult:
    """Sample the model on prepared data and apply the diagnostics gate (nothing saved).

    Raises
    ------
    FitDiagnosticsError
        When the gate fails and ``allow_unconverged`` is False.
    """
    pm_model = build_model(data, model)
    announce(
        f"compiling the model, then sampling {sampler.chains} chains x {sampler.tune} tuning "
        f"+ {sampler.draws} draws with {sampler.backend} (compiling takes about "
        f"{COMPILE_NOTE} before the sampler shows progress)"
    )
    tree, sample_s = sample(pm_model, sampler, progress=progress)
    start = time.perf_counter()
    announce("checking convergence (R-hat, ESS, divergences, BFMI), adding the latent paths")
    post = tree["posterior"].to_dataset()
    tree["posterior"] = xr.DataTree(add_latent_paths(post, model, data, sampler.seed))
    checked = list(PARAMETERS) + ([] if model.q_parameterisation == "marginal" else ["q"])
    diag = diagnose(tree, checked, sampler)
    if diag.low_bfmi:
        announce(bfmi_line(diag.bfmi))
    enforce(diag, sampler, allow_unconverged)
    return FitResult(tree, diag, sample_s, time.perf_counter() - start)


def theta_of(posterior: xr.DataTree) -> dict[str, np.ndarray]:
    """Every scalar parameter's samples, stacked chain-major, shape (sample,)."""
    ds = posterior["posterior"].to_dataset()
    return {k: stacked(ds, k) for k in PARAMETERS}


def _fitted(folder: Path, tree: xr.DataTree, manifest: Manifest, data: ModelData) -> FittedModel:
    digest = posterior_hash(tree)
    if manifest.posterior_hash and digest != manifest.posterior_hash:
        raise ModelStoreError(
            f"{folder}: the posterior read from {POSTERIOR} differs from the draws recorded "
            "at the fit (posterior_hash), so the model cannot be trusted. To fix: refit with "
            "`rutsim fit CONFIG --refit`."
        )
    return FittedModel(
        model_id=manifest.model_id,
        path=folder,
        posterior=tree,
        manifest=manifest,
        params=posterior_to_pytree(tree),
        initial=initial_state(data),
        shocks=shock_spec(manifest.config.model),
        posterior_hash=digest,
    )


def fit_or_load(
    config: RunConfig,
    *,
    refit: bool = False,
    allow_unconverged: bool | None = None,
    progress: bool = True,
    panel: pd.DataFrame | None = None,
) -> FittedModel:
    """Reuse ``models/<id>/`` when it matches, else fit, check, save and return.

    Parameters
    ----------
    config : RunConfig
        ``[data]``, ``[model]``, ``[sampler]`` determine the fit (and the id);
        ``[outputs].models_dir`` is where models live; ``[outputs].figures`` adds plots.
    refit : bool
        Fit even when a model with this id exists, replacing it (same id, so never a
        different model).
    allow_unconverged : bool, optional
        Keep a fit that fails the gate (recorded in the manifest). Default: the
        config's ``[sampler].allow_unconverged``.
    progress : bool
        Show the sampler's progress display.
    panel : pandas.DataFrame, optional
        The quarterly panel to fit on instead of loading ``[data].panel``: the backtest
        passes the panel as it stood at an origin. It must be a cut of the configured
        panel (the model id keeps that panel's hash).

    Raises
    ------
    FitDiagnosticsError
        The fit (or a saved unconverged fit) fails the gate and it is not allowed.
    ModelStoreError
        A saved model under this id is tampered with or does not match.
    """
    allow = config.sampler.allow_unconverged if allow_unconverged is None else allow_unconverged
    fit = FitConfig(data=config.data, model=config.model, sampler=config.sampler)
    from rutsim.data import load_panel, panel_hash

    own_sample = panel is None
    panel = load_panel(config.data) if panel is None else panel
    data = model_data(panel, config.data, config.model)
    if own_sample:  # a backtest origin may precede a user series; the user's sample not
        check_user_series(config.data, data)
    slot = ModelSlot(Path(config.outputs.models_dir), fit, panel_hash(config.data), allow)
    folder = None if refit else slot.reuse(claimed=False)
    if folder is None:
        if refit or not slot.held.exists():
            announce(
                f"fitting model {slot.model_id} (first run with this config and data: about "
                f"{FIT_NOTE}); later runs reuse {shown(slot.folder)}"
            )
        check_backend(config.sampler)
        # One fit per model id at a time: a second process waits for the first and then
        # reuses its model instead of fitting the same thing again.
        with slot.claim(on_wait=partial(_say_waiting, slot.model_id)):
            folder = None if refit else slot.reuse(claimed=True)
            if folder is None:
                folder = _fit_and_save(config, slot, data, progress)
    # Read back what was saved, so that the run that fits and every later run that reuses
    # the model start from the same bytes.
    return _fitted(folder, open_posterior(folder), read_manifest(folder), data)


#: How long compiling and a whole first fit of the default model take on 2 cores: 40 s
#: to 2.5 minutes of compiling (warm caches in benchmarks/README.md, "First run, phase by
#: phase"; 150 s on a new user's machine with cold caches, issue 26), 2.5-5 minutes in all.
COMPILE_NOTE = "40 s to 2.5 minutes: longest on a machine's first fit, while caches fill,"
FIT_NOTE = "2.5-5 minutes on 2 cores"


def check_user_series(cfg: DataConfig, data: ModelData) -> None:
    """Refuse a configured user series with no usable quarter inside the sample.

    Without this it would fit as if absent, and the user would believe it was used.
    """
    for spec in cfg.user_series:
        values = data.pe_user if spec.kind == "pe" else data.eps_user
        if not np.isfinite(values).any():
            raise DataError(
                f"{spec.path}: the user {spec.kind} series (column '{spec.column}') has no "
                f"positive value in the equity quarters of the sample {cfg.start} .. "
                f"{cfg.end}, so the model could not use it. To fix: widen data.start / "
                "data.end to cover it, check the column and its dates, or remove the "
                "[[data.user_series]] entry."
            )


def _say_waiting(mid: str, holder: Claim) -> None:
    print(
        f"waiting for process {holder.pid}, which is fitting model {mid}; its model will be "
        "reused when it finishes",
        file=sys.stderr,
        flush=True,
    )


def _fit_and_save(config: RunConfig, slot: ModelSlot, data: ModelData, progress: bool) -> Path:
    """Fit, check and save under the slot's claim; return the folder of a usable model.

    Every fit is saved: one that fails the gate goes to quarantine (and raises), so that
    accepting it later (--allow-unconverged) does not cost another fit.
    """
    fit, mid = slot.fit, slot.model_id
    result = fit_data(data, config.model, config.sampler, allow_unconverged=True, progress=progress)
    announce("identification, prior sensitivity and posterior predictive checks")
    # ArviZ's stats only where a fit is checked: loading a saved fit stays light
    from rutsim.model._checks import coverage_summary, identification, predictive

    theta = theta_of(result.posterior)
    ident = identification(theta, config.model, seed=config.sampler.seed)
    q = stacked(result.posterior["posterior"].to_dataset(), "q")
    pred = predictive(theta, q, data, config.sampler.seed)
    target = slot.target(result.diagnostics.passed)
    with slot.saving(target) as tmp:
        start = time.perf_counter()
        tree = result.posterior.copy()
        tree.attrs.update(
            model_id=mid,
            config_json=json.dumps(fit.model_dump(mode="json")),
            config_hash=config_hash(fit),
            data_hash=slot.data_hash,
            seed=config.sampler.seed,
            versions_json=json.dumps(package_versions()),
        )
        write_netcdf(tree, tmp / POSTERIOR)
        ident.table.to_csv(tmp / IDENTIFICATION, float_format="%.6g")
        long_run_effects(theta).to_csv(tmp / EFFECTS, index=False, float_format="%.6g")
        if config.outputs.figures:
            from rutsim.model._plots import make_plots

            announce("drawing the model's figures (traces, priors against posteriors, checks)")
            make_plots(tree, tmp / PLOTS_DIR, data, config.model, pred, config.sampler.seed)
        announce(f"saving {shown(target)}")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = _manifest(
            mid,
            fit,
            slot.data_hash,
            data,
            result,
            ident,
            coverage_summary(pred),
            slot.allow,
            {str(p.relative_to(tmp)): sha256_file(p) for p in files},
            write_s=time.perf_counter() - start,
        )
        write_manifest(tmp, manifest)
    if target == slot.held:
        raise FitDiagnosticsError(
            gate_message(result.diagnostics, config.sampler) + slot.quarantine_note(target)
        )
    return target


def _manifest(
    mid: str,
    fit: FitConfig,
    data_hash: str,
    data: ModelData,
    result: FitResult,
    ident: Identification,
    ppc: dict[str, float],
    allow: bool,
    files: dict[str, str],
    *,
    write_s: float,
) -> Manifest:
    init = initial_state(data)
    table = ident.table
    return Manifest(
        model_id=mid,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        config=fit,
        config_hash=config_hash(fit),
        data_hash=data_hash,
        versions=package_versions(),
        seed=fit.sampler.seed,
        backend=fit.sampler.backend,
        timings_s={
            "sample": round(result.sample_s, 2),
            "postprocess": round(result.post_s, 2),
            "write": round(write_s, 2),
        },
        diagnostics=result.diagnostics,
        allow_unconverged=allow and not result.diagnostics.passed,
        as_of=str(data.quarters[-1]),
        initial={k: float(v) for k, v in init._asdict().items()},
        ppc_coverage=ppc,
        prior_driven=tuple(table.index[table["learned"] == "prior-driven"]),
        sensitivity={
            "khat": ident.khat,
            "max_abs_shift_sd": float(table["wide_prior_shift_sd"].abs().max()),
        },
        files=files,
        posterior_hash=posterior_hash(result.posterior),
        model_code_hash=model_code_hash(),
        compile_target=compile_target(),
    )


def load_model(folder: Path, *, check_data: bool = True) -> FittedModel:
    """Load a saved model folder, verifying its manifest, files and (optionally) data.

    Raises
    ------
    ModelStoreError
        Tampered manifest or files, or data that changed since the fit.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelStoreError(
            f"{folder}: no such model folder. To fix: give a folder under models/ or a "
            "model id listed there."
        )
    manifest = read_manifest(folder)
    from rutsim.data import load_panel, panel_hash

    cfg = manifest.config
    if check_data:
        check_matches(manifest, cfg, panel_hash(cfg.data), folder)
    data = model_data(load_panel(cfg.data), cfg.data, cfg.model)
    return _fitted(folder, open_posterior(folder), manifest, data)
