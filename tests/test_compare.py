"""``rutsim compare``: scenarios of one run against its base, or two runs, with intervals."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import rutsim.pipeline
from helpers import TINY, fake_fit, make_run_folder
from rutsim.report import compare_runs
from rutsim.risk import quantile
from rutsim.runs import load_run, run_metrics

ROOT = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = make_run_folder(tmp_path, n_sample=20, n_path=30)
    monkeypatch.chdir(tmp_path)
    return folder


def test_scenarios_against_base_known_answer(synthetic: Path) -> None:
    result = compare_runs(synthetic)
    run = load_run(synthetic)
    table = run_metrics(run).set_index(["scenario", "horizon", "metric", "statistic"]).value
    d = next(
        x
        for x in result.differences
        if (x.a, x.horizon, x.metric) == ("delayed_pivot", 12, "var_95")
    )
    assert d.b == "base" and d.paired
    want = (
        table[("delayed_pivot", 12, "var_95", "pooled")] - table[("base", 12, "var_95", "pooled")]
    )
    assert d.difference == pytest.approx(want, abs=1e-15)
    var = run.draw_metrics["var_95"].sel(horizon=12).astype(np.float64)
    per_draw = (var.sel(scenario="delayed_pivot") - var.sel(scenario="base")).values
    lo, hi = quantile(per_draw, [0.05, 0.95])
    assert (d.lower, d.upper) == pytest.approx((lo, hi), abs=1e-15)
    assert d.prob_positive == pytest.approx(np.mean(per_draw > 0))
    # Every other scenario and the blend, at every headline horizon, for every metric.
    assert {x.a for x in result.differences} == {"delayed_pivot", "aggressive_easing", "blend"}
    assert {x.horizon for x in result.differences} == {4, 8, 12}
    assert "each scenario minus base" in result.text and "90% interval" in result.text
    assert result.html == synthetic.parent / f"compare-{run.manifest.run_id}.html"
    page = result.html.read_text()
    assert page.startswith("<!DOCTYPE html>") and "delayed_pivot" in page


def test_cli_compare_never_overwrites_silently(synthetic: Path, cli: Cli) -> None:
    code, out, err = cli("compare", str(synthetic), "--base", "aggressive_easing", "--quiet")
    assert code == 0, err
    assert "minus aggressive_easing" in out and "wrote " in out
    page = next(synthetic.parent.glob("compare-*.html"))
    before = page.read_bytes()
    # A second compare still answers (the table is printed), and leaves the page alone.
    code, out, err = cli("compare", str(synthetic), "--base", "aggressive_easing", "--quiet")
    assert code == 0, err
    assert "minus aggressive_easing" in out and "90% interval" in out
    assert f"not written: {page.name}" in out.replace(str(page.parent) + "/", "")
    assert "--overwrite" in out and page.read_bytes() == before
    assert cli("compare", str(synthetic), "--overwrite", "--quiet")[0] == 0
    code, _, err = cli("compare", str(synthetic), "--base", "basse", "--html", "x.html")
    assert code == 2 and "--base 'basse'" in err and not Path("x.html").exists()


@pytest.fixture
def two_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "tiny.toml"
    config.write_text(TINY.format(scenarios="scenarios"))
    monkeypatch.setattr(rutsim.pipeline, "fit_or_load", fake_fit)
    monkeypatch.chdir(tmp_path)
    a = rutsim.pipeline.run(config, name="a", progress=False, echo=None).folder
    b = rutsim.pipeline.run(
        config, name="b", progress=False, echo=None, overrides=["simulation.seed=99"]
    ).folder
    return a, b


def test_two_runs_of_one_posterior_are_paired(two_runs: tuple[Path, Path], cli: Cli) -> None:
    a, b = two_runs
    same = compare_runs(a, a, html=a.parent / "same.html")
    assert all(d.paired for d in same.differences)
    assert all(d.difference == 0 and d.lower == 0 == d.upper for d in same.differences)
    code, out, err = cli("compare", str(a), str(b), "--quiet")
    assert code == 0, err
    assert "a (A) minus b (B)" in out and "same posterior draws" in out
    assert (a.parent / "compare-a-vs-b.html").is_file()


def test_identical_draws_say_so_and_zero_is_never_negative(two_runs: tuple[Path, Path]) -> None:
    a, _ = two_runs
    same = compare_runs(a, a, html=a.parent / "same.html")
    assert "identical" in same.text and "0.00" not in same.text
    assert "-0.0" not in same.text


def test_scenarios_in_one_run_only_and_other_blends_are_named(
    two_runs: tuple[Path, Path], tmp_path: Path
) -> None:
    a, _ = two_runs
    config = tmp_path / "configs" / "tiny.toml"
    c = rutsim.pipeline.run(
        config, name="c", progress=False, echo=None, overrides=['scenarios.names=["base"]']
    ).folder
    result = compare_runs(a, c)
    assert "Not compared (only in A: delayed_pivot)" in result.text
    assert {d.a for d in result.differences} == {"base", "blend"}
    # the blends: A mixes base and delayed_pivot, C is base alone
    assert "The two blends are different mixtures" in result.text
    same = compare_runs(a, a, html=a.parent / "same2.html")
    assert "Not compared" not in same.text and "different mixtures" not in same.text


def test_two_runs_of_other_posteriors_are_independent(two_runs: tuple[Path, Path]) -> None:
    a, b = two_runs
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["posterior_hash"] = "1" * 64
    (b / "manifest.json").write_text(json.dumps(manifest))
    result = compare_runs(a, b)
    assert not any(d.paired for d in result.differences)
    assert "independent" in result.text
