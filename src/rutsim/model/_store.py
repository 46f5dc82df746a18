"""``models/<model-id>/``: the model id, the manifest, the claim, quarantine, save and load.

A saved model describes itself (resolved config, hashes, versions, seed, timings,
diagnostics) and is refused on load when anything no longer matches: the folder name,
the recorded id, the config, the data hash, or the bytes of any file it lists.
:class:`ModelSlot` is the one owner of an id's place in a models folder.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.util
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from pydantic import ValidationError

from rutsim.config import PARAMETER_NAMES, DataConfig, FrozenModel, ModelConfig, SamplerConfig
from rutsim.errors import FitDiagnosticsError, ModelStoreError
from rutsim.files import (
    Claim,
    atomic_dir,
    canonical_json,
    check_writable,
    clear_stale,
    read_text,
    sha256_file,
    sha256_json,
    wait_for_claim,
)
from rutsim.model._gate import Diagnostics, gate_message
from rutsim.status import announce, shown

MANIFEST = "manifest.json"
#: Folder of a model's figures: hashed in the manifest, not needed to simulate.
PLOTS_DIR = "plots"
POSTERIOR = "posterior.nc"
_REFIT_FIX = "refit with `rutsim fit CONFIG --refit` (the manifest was edited or corrupted)"
#: Sampler fields that do not change the posterior draws, so not part of the id.
_NOT_IN_ID = {"allow_unconverged", "cores"}


class FitConfig(FrozenModel):
    """The config sections that determine a fit."""

    data: DataConfig
    model: ModelConfig
    sampler: SamplerConfig


class Manifest(FrozenModel):
    """``manifest.json`` of a fitted model (Contract 5)."""

    model_id: str
    created_utc: str
    config: FitConfig
    config_hash: str
    data_hash: str
    versions: dict[str, str]
    seed: int
    backend: str
    timings_s: dict[str, float]
    diagnostics: Diagnostics
    allow_unconverged: bool
    as_of: str
    initial: dict[str, float]
    ppc_coverage: dict[str, float]
    prior_driven: tuple[str, ...]
    sensitivity: dict[str, float]
    files: dict[str, str]
    integrity: str = ""
    #: SHA-256 of the posterior draws' values (:func:`posterior_hash`); empty in models
    #: saved before it was recorded.
    posterior_hash: str = ""
    #: :func:`model_code_hash` of the code that fitted it; empty in older models.
    model_code_hash: str = ""
    #: :func:`compile_target` of the machine that fitted it; empty in older models.
    compile_target: str = ""


def config_hash(fit: FitConfig) -> str:
    """SHA-256 of the fit-determining config, without the sampler's non-fit fields."""
    record = fit.model_dump(mode="json")
    record["sampler"] = {k: v for k, v in record["sampler"].items() if k not in _NOT_IN_ID}
    return sha256_json(record)


def model_id(fit: FitConfig, data_hash: str) -> str:
    """Return the model id: 12 hex digits of SHA-256 over config hash and data hash."""
    return sha256_json({"config": config_hash(fit), "data_hash": data_hash})[:12]


def _integrity(manifest: Manifest) -> str:
    record = manifest.model_copy(update={"integrity": ""}).model_dump(mode="json")
    for key in ("posterior_hash", "model_code_hash", "compile_target"):
        if not record[key]:
            del record[key]  # models sealed before the field existed stay valid
    if not record["diagnostics"].get("bfmi"):
        record["diagnostics"].pop("bfmi", None)  # likewise for BFMI
    return sha256_json(record)


#: The modules whose code defines the posterior of a fit: equations, parameters and
#: priors, the PyMC graph, the marginal likelihood, the data preparation, the sampler
#: call and the latent paths drawn after it, and the priced-in fed funds change the
#: policy equation is fitted on.
MODEL_CODE = (
    "rutsim.equations",
    "rutsim.data._priced",
    "rutsim.config._registry",
    "rutsim.model._build",
    "rutsim.model._marginal",
    "rutsim.model._data",
    "rutsim.model._sample",
    "rutsim.model._posterior",
)


@functools.cache
def model_code_hash() -> str:
    """SHA-256 of the code in :data:`MODEL_CODE`, ignoring comments and docstrings.

    The model id keys a fit on its config and data; two versions of the model code with
    the same config would share an id but not their draws (a draft of model v2 and the
    released one: same id, a different posterior). Recorded in every manifest and checked
    on reuse, so a fit is only reused by the code that made it.
    """
    digest = hashlib.sha256()
    for name in MODEL_CODE:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModelStoreError(f"cannot find the source of {name}; reinstall rutsim.")
        source = Path(spec.origin).read_text(encoding="utf-8")
        digest.update(name.encode() + b"\0" + normalised_code(source).encode())
    return digest.hexdigest()


def compile_target() -> str:
    """Return the CPU that the sampler's log density is compiled for (Numba's target).

    NUTS trajectories are chaotic: a last-bit change in the log density's gradient sends
    a chain elsewhere within the warm-up. PyTensor's Numba backend (nutpie's) compiles
    with fast-math for the host CPU, or for ``NUMBA_CPU_NAME``, and the vector width sets
    the order of floating-point sums. So the same code, data and seed give the same draws
    on one CPU target and a different, equally valid posterior sample on another
    (``docs/validation.md``, "Why refits differ"). The manifest records the target so that
    two fits of one model id can be told apart.
    """
    from numba.core import config

    # numba sets its config attributes at import, from the environment
    name = getattr(config, "CPU_NAME", None)
    if name:
        return str(name)
    import llvmlite.binding as llvm

    return str(llvm.get_host_cpu_name())


def normalised_code(source: str) -> str:
    """Return the syntax tree of ``source`` as text, without comments and docstrings."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def posterior_hash(tree: xr.DataTree) -> str:
    """SHA-256 of the posterior group's values: names, dtypes, shapes and bytes.

    Two fits with the same id but different draws (another library version, another
    machine) get different hashes; the same draws always the same hash, whatever the
    file's metadata (creation time, attributes).
    """
    ds = tree["posterior"].to_dataset()
    digest = hashlib.sha256()
    for name in sorted(map(str, ds.data_vars)):
        values = np.ascontiguousarray(ds[name].values)
        digest.update(f"{name}|{values.dtype.str}|{values.shape}|".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def seal(manifest: Manifest) -> Manifest:
    """Return the manifest with its integrity hash filled in."""
    return manifest.model_copy(update={"integrity": _integrity(manifest)})


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the sealed manifest as pretty JSON (inside an atomic folder)."""
    text = json.dumps(json.loads(canonical_json(seal(manifest).model_dump(mode="json"))), indent=2)
    (Path(folder) / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _check_model_version(path: Path, text: str) -> None:
    """Refuse a model fitted with another parameter set (an earlier model version).

    Its recorded priors name other parameters; read with this version's defaults its
    config would change and fail the integrity check with a misleading message.
    """
    try:
        priors = json.loads(text)["config"]["model"]["priors"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return  # malformed: the validation below says so
    if not isinstance(priors, dict) or set(priors) == set(PARAMETER_NAMES):
        return
    missing = sorted(set(PARAMETER_NAMES) - set(priors))
    raise ModelStoreError(
        f"{path}: this model was fitted by another version of the rutsim model (its "
        f"parameters differ from this version's; e.g. it lacks {', '.join(missing[:3]) or 'none'}"
        f"{' ...' if len(missing) > 3 else ''}), so it cannot be loaded. To fix: fit the "
        "current model with `rutsim fit CONFIG` (a new model id; the old folder is left as "
        "it is)."
    )


def read_manifest(folder: Path) -> Manifest:
    """Read and check a manifest: parseable, sealed, and consistent with its folder."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelStoreError(
            f"{folder}: no {MANIFEST}, so this is not a fitted model (or it is incomplete). "
            "To fix: point at a folder under models/ or run `rutsim fit CONFIG`."
        )
    text = read_text(path, error=ModelStoreError, what="model manifest", fix=_REFIT_FIX)
    _check_model_version(path, text)
    try:
        manifest = Manifest.model_validate_json(text)
    except ValidationError as exc:
        raise ModelStoreError(
            f"{path}: the manifest is malformed ({exc.error_count()} problems, first: "
            f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}). It was edited or "
            "corrupted. To fix: refit with `rutsim fit CONFIG --refit`."
        ) from None
    if manifest.integrity != _integrity(manifest):
        raise ModelStoreError(
            f"{path}: the manifest was modified after the fit (its integrity hash does not "
            "match its content), so the saved model cannot be trusted. To fix: refit with "
            "`rutsim fit CONFIG --refit`."
        )
    fit = manifest.config
    if manifest.config_hash != config_hash(fit):
        raise ModelStoreError(
            f"{path}: config_hash does not match the recorded config. To fix: refit."
        )
    expected = model_id(fit, manifest.data_hash)
    if manifest.model_id != expected or folder.name != manifest.model_id:
        raise ModelStoreError(
            f"{path}: model id mismatch (folder '{folder.name}', manifest "
            f"'{manifest.model_id}', recomputed '{expected}'). To fix: refit."
        )
    figures = []
    for name, digest in manifest.files.items():
        f = folder / name
        if not f.is_file() or sha256_file(f) != digest:
            if name.startswith(f"{PLOTS_DIR}/"):
                figures.append(name)  # not needed to simulate: a note, not an error
                continue
            raise ModelStoreError(
                f"{f}: missing or changed since the fit (SHA-256 differs from the manifest). "
                "To fix: refit with `rutsim fit CONFIG --refit`."
            )
    if figures:
        announce(
            f"note: {len(figures)} figure(s) of model {folder.name} are missing or changed "
            f"since the fit (first: {figures[0]}); the posterior is intact, so the run goes "
            f"on, and a report shows no such figure. To redraw them (into plots_redrawn/): "
            f"rutsim plot posterior {folder}"
        )
    return manifest


def check_matches(manifest: Manifest, fit: FitConfig, data_hash: str, folder: Path) -> None:
    """Refuse a saved model whose config, data hash or model code differs from the current."""
    if manifest.model_code_hash and manifest.model_code_hash != model_code_hash():
        raise ModelStoreError(
            f"{folder}: fitted by another version of the model code (model_code_hash "
            f"{manifest.model_code_hash[:12]}, this rutsim {model_code_hash()[:12]}), so a fit "
            "now would not reproduce its draws. To fix: refit with `rutsim fit CONFIG "
            "--refit` (the same model id is replaced), or use the rutsim version that "
            "fitted it."
        )
    if manifest.data_hash != data_hash:
        raise ModelStoreError(
            f"{folder}: fitted on data with hash {manifest.data_hash[:12]}, but the current "
            f"panel hashes to {data_hash[:12]}. The dataset changed since the fit. To fix: "
            "refit (`rutsim fit CONFIG`) on the current data."
        )
    if config_hash(manifest.config) != config_hash(fit):
        mine, theirs = fit.model_dump(mode="json"), manifest.config.model_dump(mode="json")
        diff = [k for k in mine if mine[k] != theirs[k]]
        raise ModelStoreError(
            f"{folder}: fitted with a different config (sections differ: {', '.join(diff)}). "
            "To fix: refit with `rutsim fit CONFIG`."
        )


def open_posterior(folder: Path) -> xr.DataTree:
    """Load the posterior DataTree fully into memory (the file is closed afterwards)."""
    with xr.open_datatree(Path(folder) / POSTERIOR, engine="h5netcdf") as tree:
        return tree.load()


#: Folder under ``[outputs].models_dir`` where fits that failed the gate are kept.
QUARANTINE = "quarantine"


@dataclass(frozen=True)
class ModelSlot:
    """One model id's place in a models folder: the one owner of a saved model.

    ``<models>/<id>/`` holds the model, ``<models>/quarantine/<id>/`` a fit that failed the
    diagnostics gate (kept, so that accepting it later costs no second fit). Everything the
    store decides about the id lives here: whether a saved model can be reused
    (:meth:`reuse`), the claim that makes one process fit an id at a time (:meth:`claim`),
    and where a new fit is saved (:meth:`saving`).

    Attributes
    ----------
    root : Path
        The models folder (``[outputs].models_dir``).
    fit : FitConfig
        What determines the fit.
    data_hash : str
        Hash of the panel the fit is on.
    allow : bool
        Whether a fit that failed the gate may be used (``--allow-unconverged``).
    """

    root: Path
    fit: FitConfig
    data_hash: str
    allow: bool

    @functools.cached_property
    def model_id(self) -> str:
        """The id: a hash of the fit config and the data (computed once per slot)."""
        return model_id(self.fit, self.data_hash)

    @property
    def folder(self) -> Path:
        """``<models>/<id>/``."""
        return self.root / self.model_id

    @property
    def held(self) -> Path:
        """``<models>/quarantine/<id>/``: where a fit that failed the gate is kept."""
        return self.root / QUARANTINE / self.model_id

    def reuse(self, *, claimed: bool) -> Path | None:
        """Return the folder of a usable saved model for this id, or None to fit one.

        A saved model is verified against the config, the data and the model code; one
        that failed the gate is refused unless allowed. A kept (quarantined) fit is refused
        at once unless allowed, since fitting again would give the same draws; allowed, it
        is moved into place, which needs the claim (``claimed``; without it, None).

        Raises
        ------
        ModelStoreError
            A saved model does not match (tampered with, or another config, data or code).
        FitDiagnosticsError
            The saved or kept fit failed the gate and is not allowed.
        """
        if self.folder.exists():
            manifest = read_manifest(self.folder)
            check_matches(manifest, self.fit, self.data_hash, self.folder)
            announce(
                f"reusing model {manifest.model_id} ({shown(self.folder)}, "
                f"fitted {manifest.created_utc})"
            )
            if not manifest.diagnostics.passed and not self.allow:
                raise FitDiagnosticsError(
                    f"{self.folder}: the saved model failed the diagnostics gate and was kept "
                    "only with --allow-unconverged. To fix: pass --allow-unconverged to use "
                    "it, or refit with more tuning (`rutsim fit CONFIG --refit`)."
                )
            return self.folder
        if not self.held.exists():
            return None
        manifest = read_manifest(self.held)
        check_matches(manifest, self.fit, self.data_hash, self.held)
        if not self.allow:
            raise FitDiagnosticsError(
                "this config was fitted before and "
                + gate_message(manifest.diagnostics, self.fit.sampler).removeprefix("the fit ")
                + self.quarantine_note(self.held)
            )
        return self._accept(manifest) if claimed else None

    def _accept(self, manifest: Manifest) -> Path:
        """Move the kept fit to ``<models>/<id>/``, recording that it was accepted."""
        announce(
            f"accepting the fit kept in {shown(self.held)} (it failed the diagnostics gate; "
            "--allow-unconverged): no refit"
        )
        with atomic_dir(self.folder, overwrite=self.folder.exists()) as tmp:
            for entry in self.held.iterdir():
                if entry.is_dir():
                    shutil.copytree(entry, tmp / entry.name)
                else:
                    shutil.copy2(entry, tmp / entry.name)
            write_manifest(tmp, manifest.model_copy(update={"allow_unconverged": True}))
        shutil.rmtree(self.held, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.held.parent.rmdir()  # only when no other fit is kept there
        return self.folder

    @contextlib.contextmanager
    def claim(self, on_wait: Callable[[Claim], None]) -> Iterator[None]:
        """Hold this id for a fit: a second process waits here, then reuses the model.

        Clears what dead processes left in the models folder and refuses an unwritable one
        first, so that a fit is never sampled only to be lost.
        """
        clear_stale(self.root)
        check_writable(self.root, "outputs.models_dir")
        with wait_for_claim(self.folder, on_wait=on_wait):
            yield

    def target(self, passed: bool) -> Path:
        """Where a new fit is saved: ``<id>/`` if usable, else the quarantine's folder."""
        return self.folder if passed or self.allow else self.held

    def saving(self, target: Path) -> contextlib.AbstractContextManager[Path]:
        """Build the folder of a new fit at ``target`` (:meth:`target`), atomically."""
        if target == self.held:
            target.parent.mkdir(exist_ok=True)
            clear_stale(target.parent)
        return atomic_dir(target, overwrite=target.exists())

    @staticmethod
    def quarantine_note(held: Path) -> str:
        """Return the sentence that says where a failed fit is kept and what to do."""
        return (
            f"\n  The fit is kept in {held}: pass --allow-unconverged (rutsim run or rutsim "
            "fit) to accept it without refitting, or --refit after changing [sampler]."
        )
