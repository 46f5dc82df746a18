"""A first run from the command line: every phase announced in order, and a fit that
fails the diagnostics gate kept in quarantine and accepted later without refitting.

A deliberately short fit (2 chains x 40 draws: too few for the ESS the gate asks) that is
expected to fail the gate: the first ``rutsim run`` announces each fitting phase, keeps the
fit in ``models/quarantine/<id>`` and exits 2; a second run of the same config is refused
at once (no refit gives other draws); ``--allow-unconverged`` accepts the kept fit without
sampling again and announces each run phase.

Everything but the NUTS call is the product's: the sampler hands back the first 40 draws
of each chain of the shared small fit (a real posterior of the same model and data), so
that this test costs no second compile and sampling; the fast tier's one real NUTS fit is
that shared fit (``conftest.small_fit``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import xarray as xr

import rutsim.model._api
from helpers import STATUS_LINE

ROOT = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]

CONFIG = """
[data]
start = "2012Q1"
end = "2025Q3"
[sampler]
chains = 2
draws = 40
tune = 200
seed = 5
[simulation]
paths_per_draw = 8
horizon = 8
max_draws = 20
chunk_size = 10
keep_paths = 4
[scenarios]
names = ["base", "delayed_pivot"]
[outputs]
figures = true
report = true
"""

#: The phases of a first fit, in order, up to the gate.
FIT_PHASES = (
    "loading data and scenarios",
    "fitting model",
    "compiling the model, then sampling 2 chains x 200 tuning + 40 draws",
    "checking convergence",
    "identification, prior sensitivity and posterior predictive checks",
    "drawing the model's figures",
    "saving models/quarantine/",
)
#: The phases of the run that accepts the kept fit, in order.
ACCEPT_PHASES = (
    "loading data and scenarios",
    "accepting the fit kept in models/quarantine/",
    "simulating 2 scenarios x 20 posterior draws x 8 paths x 8 quarters",
    "computing the metrics over every path",
    "computing the metrics table",
    "drawing the figures",
    "writing report.html",
    "writing outputs/accepted",
)


def _phases(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if STATUS_LINE.match(ln)]


def _in_order(lines: list[str], phases: tuple[str, ...]) -> None:
    found = [next(i for i, ln in enumerate(lines) if phase in ln) for phase in phases]
    assert found == sorted(found), lines
    assert len(lines) == len(phases), lines  # each phase once, nothing else


@pytest.fixture(autouse=True)
def short_sampler(small_fit, monkeypatch: pytest.MonkeyPatch) -> None:
    """NUTS replaced by the first draws of the shared fit (same model, data and chains)."""

    def sample(model: object, sampler, *, progress: bool = True) -> tuple[xr.DataTree, float]:
        saved = small_fit.posterior
        assert saved["posterior"].sizes["chain"] == sampler.chains
        head = {"draw": slice(0, sampler.draws)}
        groups = {g: saved[g].to_dataset().isel(head) for g in ("posterior", "sample_stats")}
        return xr.DataTree.from_dict(groups), 0.0

    monkeypatch.setattr(rutsim.model._api, "sample", sample)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("first-run")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    (root / "configs").mkdir()
    (root / "configs" / "short.toml").write_text(CONFIG)
    return root


def test_first_run_announces_each_phase_and_quarantines_a_failed_fit(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, err = cli("run", "configs/short.toml", "--name", "refused")
    assert code == 2, err
    _in_order(_phases(err), FIT_PHASES)
    assert "the fit failed the diagnostics gate" in err
    assert (
        "pass --allow-unconverged (rutsim run or rutsim fit) to accept it without refitting" in err
    )
    held = list((project / "models" / "quarantine").iterdir())
    assert len(held) == 1 and (held[0] / "posterior.nc").is_file()
    assert not (project / "models" / held[0].name).exists()
    assert not (project / "outputs" / "refused").exists()
    # The same config again: refused at once, without sampling (same seed, same draws).
    monkeypatch.setattr(rutsim.model._api, "fit_data", _no_refit)
    code, _, err = cli("run", "configs/short.toml", "--name", "again", "--quiet")
    assert code == 2 and "fitted before" in err and "--allow-unconverged" in err


def _no_refit(*args: object, **kwargs: object) -> None:
    raise AssertionError("a quarantined fit was sampled again")


def test_allow_unconverged_accepts_the_kept_fit_without_refitting(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    held = next((project / "models" / "quarantine").iterdir())
    posterior = (held / "posterior.nc").read_bytes()
    monkeypatch.setattr(rutsim.model._api, "fit_data", _no_refit)
    code, out, err = cli("run", "configs/short.toml", "--name", "accepted", "--allow-unconverged")
    assert code == 0, err
    _in_order(_phases(err), ACCEPT_PHASES)
    model = project / "models" / held.name
    assert (model / "posterior.nc").read_bytes() == posterior
    assert not (project / "models" / "quarantine").exists()
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["allow_unconverged"] is True and manifest["diagnostics"]["passed"] is False
    assert "gate FAILED" in out and "run accepted -> outputs/accepted" in out
    run = json.loads((project / "outputs" / "accepted" / "manifest.json").read_text())
    assert run["overrides"] == ["sampler.allow_unconverged=true"]
    assert run["posterior_hash"] == manifest["posterior_hash"]
