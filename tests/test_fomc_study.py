"""FOMC announcements: the derived dataset, the event study and ``rutsim study fomc``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.helpers import run_cli

from rutsim.data import (
    announcement_table,
    load_announcements,
    load_jk_surprises,
    quarterly_surprises,
)
from rutsim.errors import DataError
from rutsim.validate import event_study, ols_hc1

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

#: The event-study figures of issue 25 (Russell 2000 announcement-day log return on the
#: Jarociński-Karadi split, 355 announcements, HC1): estimate and se, % per 100bp.
ISSUE_FIGURES = {
    ("rut_return", "policy"): (-3.5, 1.7),
    ("spy_return", "policy"): (-7.3, 2.2),
    ("rut_return", "information"): (0.2, 3.7),
    ("rut_return", "path"): (-4.0, 1.6),
}


def test_event_study_reproduces_the_published_figures_within_their_errors() -> None:
    days = load_announcements()
    table = event_study(days).set_index(["period", "response", "surprise"])
    for (response, surprise), (estimate, se) in ISSUE_FIGURES.items():
        row = table.loc[("1988-2024", response, surprise)]
        assert abs(row["estimate"] - estimate) < se, (response, surprise, row["estimate"])
        assert row["se"] == pytest.approx(se, rel=0.15)
    # the derived table covers February 1988 to January 2024, one row per day
    assert days.index.min() == pd.Timestamp("1988-02-04")
    assert days.index.max() == pd.Timestamp("2024-01-31")
    assert days.index.is_unique and len(days) == 347


def test_ols_hc1_known_answer() -> None:
    # Exact line: zero residuals, zero robust errors; one regressor with a known slope.
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    coef, se = ols_hc1(1.0 + 2.0 * x[:, 0], x)
    np.testing.assert_allclose(coef, [1.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(se, 0.0, atol=1e-12)
    # HC1 against the sandwich written out for a two-point design
    y = np.array([0.0, 1.0, 1.0, 3.0])
    coef, se = ols_hc1(y, x)
    design = np.column_stack([np.ones(4), x])
    e = y - design @ coef
    bread = np.linalg.inv(design.T @ design)
    want = np.sqrt(np.diag(bread @ (design.T * e**2) @ design @ bread) * 4 / 2)
    np.testing.assert_allclose(se, want)


def _jk(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    index = pd.DatetimeIndex([pd.Timestamp(d) for d, _, _ in rows], name="date")
    return pd.DataFrame(
        {
            "scheduled": True,
            "MP1": [r for _, r, _ in rows],
            "ED1": np.nan,
            "ED4": [r for _, r, _ in rows],
            "SP500": [s for _, _, s in rows],
        },
        index=index,
    )


def test_the_sign_split_and_same_day_announcements() -> None:
    jk = _jk(
        [
            ("2001-01-03", -0.40, 5.0),  # cut, stocks up: pure policy
            ("2001-01-31", -0.10, -1.0),  # cut, stocks down: information
            ("2001-03-20", 0.05, -0.5),  # hike, stocks down: pure policy
            ("2001-03-20", 0.05, 0.5),  # same day, information
        ]
    )
    days = pd.date_range("2000-12-29", "2001-04-02", freq="B")
    level = pd.Series(np.exp(np.linspace(0, 0.1, len(days))), index=days)
    out = announcement_table(jk, rut=level, spy=level, slope=level, spread=level)
    assert list(out.index.strftime("%Y-%m-%d")) == ["2001-01-03", "2001-01-31", "2001-03-20"]
    np.testing.assert_allclose(out["policy_surprise"], [-0.40, 0.0, 0.05])
    np.testing.assert_allclose(out["info_surprise"], [0.0, -0.10, 0.05])
    np.testing.assert_allclose(out["rate_surprise"], [-0.40, -0.10, 0.10])
    step = 0.1 / (len(days) - 1)
    np.testing.assert_allclose(out["rut_return"], step, rtol=1e-9)
    quarters = quarterly_surprises(out)
    assert list(quarters.index.astype(str)) == ["2001Q1"]
    assert quarters.loc["2001Q1", "mp_surprise"] == pytest.approx(-0.35)


def test_a_bad_jk_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "jk.csv"
    bad.write_text(
        "start,description,MP1,ED1,ED4,SP500\n"
        "1990-01-02 11:30,FOMC Announcement (Scheduled),0.1,0.1,0.1,-0.2\n"
        "1990-02-02 11:30,FOMC Announcement (Scheduled),25,0.1,0.1,-0.2\n"
    )
    with pytest.raises(DataError, match=r"line 3.*MP1.*25"):
        load_jk_surprises(bad)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")
def test_the_shipped_table_is_the_one_the_raw_files_give() -> None:
    from rutsim.data._raw import RawData

    built = RawData(SHARED).announcements
    shipped = load_announcements()
    pd.testing.assert_index_equal(built.index, shipped.index, check_names=False)
    for col in shipped.columns:
        np.testing.assert_allclose(built[col], shipped[col], atol=5e-7, err_msg=col)


def test_cli_study_fomc_writes_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.toml"
    config.write_text(f'[outputs]\ndir = "{tmp_path / "out"}"\n')
    args = ("study", "fomc", str(config), "--no-model", "--name", "t")
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 0, err
    assert "Russell 2000, % per 100bp" in out and "-3.51 (1.65)" in out
    folder = tmp_path / "out" / "study-fomc-t"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["headline_period"] == "1988-2024"
    assert (folder / "event_study.parquet").is_file() and (folder / "report.html").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["announcement_days"] == 347 and manifest["data_hash"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "study-fomc-t" in err
