"""`rutsim backtest` and `rutsim study easing` through the real command line (no fitting)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import FIRST_CUTS_SINCE_1987, run_cli
from rutsim.data import load_panel

CONFIG = """
[outputs]
dir = "outputs"
models_dir = "models"
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "c.toml").write_text(CONFIG)
    return tmp_path


def _run(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, *args)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--origins", "2026Q1"], "origin 2026Q1 (--origins / [backtest] origins) is outside"),
        (
            ["--origins", "1989Q4"],
            "has 8 quarters of data since data.start 1988Q1; the model needs at least 24",
        ),
        (
            ["--origins", "2008Q4", "--condition", "realized,fedfund"],
            "unknown conditioning mode 'fedfund' (--condition). To fix",
        ),
        (
            ["--origins", "2024Q4", "--horizons", "4"],
            "horizon 4 ends after the last realized quarter 2025Q3",
        ),
        (["--origins", "2008Q4", "--horizons", "1,x"], "--horizons '1,x' is not a list"),
        (["--origins", "2008Q4", "--horizons", "0"], "--horizons: must be distinct horizons"),
        (["--origins", "2008Q9"], "is not a list of quarters"),
    ],
)
def test_bad_options_fail_before_any_work(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    code, _, err = _run(
        ["backtest", str(project / "configs" / "c.toml"), *options], monkeypatch, capsys
    )
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err
    assert message in " ".join(err.split())
    assert "To fix" in err
    assert not (project / "outputs").exists() and not (project / "models").exists()


def test_an_existing_backtest_folder_is_never_overwritten(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "outputs" / "backtest-x").mkdir(parents=True)
    (project / "outputs" / "backtest-x" / "keep").write_text("mine")
    code, _, err = _run(
        ["backtest", str(project / "configs" / "c.toml"), "--origins", "2008Q4", "--name", "x"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "already exists" in err
    assert (project / "outputs" / "backtest-x" / "keep").read_text() == "mine"
    assert not (project / "models").exists()


def test_study_easing_without_replay_end_to_end(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["study", "easing", str(project / "configs" / "c.toml"), "--no-replay", "--name", "h"],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    folder = project / "outputs" / "study-easing-h"
    assert "12 months after the first cut" in out and str(folder) in out
    cycles = pd.read_csv(folder / "cycles.csv")
    since_1987 = cycles[cycles.first_cut >= "1987-01"].first_cut.tolist()
    assert tuple(since_1987) == FIRST_CUTS_SINCE_1987
    # Earlier cycles come from the effective rate (1954 on); French returns reach 1926.
    assert {"1957-12", "1974-08", "1984-09"} <= set(cycles.first_cut)
    # Russell 2000 12-month returns by hand from the shipped month-end closes.
    rut = load_panel(freq="M")["rut_end"]
    for cut, before, after in (
        ("1995-07", "1995-06", "1996-06"),
        ("2007-09", "2007-08", "2008-08"),
    ):
        hand = rut[pd.Period(after, "M")] / rut[pd.Period(before, "M")] - 1
        got = cycles.set_index("first_cut").at[cut, "rut_12m"]
        assert abs(got - hand) < 0.001
    regimes = cycles.set_index("first_cut").regime
    assert regimes["2007-09"] == "recession" and regimes["1995-07"] == "soft landing"
    assert regimes["2001-01"] == "recession" and regimes["1998-09"] == "soft landing"
    assert (folder / "figures" / "cycle_paths.png").is_file()
    assert (folder / "report.html").is_file() and (folder / "manifest.json").is_file()
    assert not (project / "models").exists()


def test_nber_dates_load_and_bad_rows_are_named(tmp_path: Path) -> None:
    from rutsim.data import in_recession, load_nber_dates
    from rutsim.errors import DataError

    cycles = load_nber_dates()
    assert str(cycles.peak.iloc[-1]) == "2020-02" and str(cycles.trough.iloc[-1]) == "2020-04"
    months = pd.period_range("2007-11", "2009-07", freq="M")
    flags = in_recession(months, cycles)
    assert not flags.iloc[0] and not flags.iloc[1] and flags.iloc[2] and flags.iloc[-2]
    assert not flags.iloc[-1]  # after the 2009-06 trough
    bad = tmp_path / "nber.csv"
    bad.write_text("peak_month,trough_month\n2001-03,2001-01\n")
    with pytest.raises(DataError, match=r"nber.csv: line 2, column 'trough_month'.*To fix"):
        load_nber_dates(bad)
    bad.write_text("peak_month,trough_month\n2001-3,2001-11\n")
    with pytest.raises(DataError, match="is not a month"):
        load_nber_dates(bad)


def test_backtest_takes_set_and_seed_and_its_help_states_the_cost(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(project / "configs" / "c.toml")
    code, _, err = _run(
        ["backtest", config, "--origins", "2008Q4", "--set", "sampler.draw=500"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "sampler.draw" in err and "did you mean" in err.lower()
    assert not (project / "models").exists()
    # A valid --set and --seed reach the config: the run gets as far as the name check.
    (project / "outputs" / "backtest-y").mkdir(parents=True)
    code, _, err = _run(
        ["backtest", config, "--origins", "2008Q4", "--set", "sampler.draws=500", "--seed", "3"]
        + ["--name", "y"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "already exists" in err
    code, out, _ = _run(["backtest", "--help"], monkeypatch, capsys)
    flat = " ".join(out.split())
    assert code == 0 and "fits one model per origin" in flat and "--set" in flat
