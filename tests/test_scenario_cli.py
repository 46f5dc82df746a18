"""``rutsim scenario`` end to end through the console entry point (in process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "scenario"
SCENARIOS = ROOT / "scenarios"
START = [
    "--first-quarter",
    "2025Q4",
    "--last-observed",
    "fedfunds=4.2933",
    "--last-observed",
    "slope=0.5403",
    "--last-observed",
    "spread=1.72",
    "--last-observed",
    "unemployment=4.3333",
]


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, "scenario", *args)


def test_list(monkeypatch, capsys) -> None:
    code, out, _ = _run(monkeypatch, capsys, "list", "--dir", str(SCENARIOS))
    assert code == 0
    for name in ("base", "delayed_pivot", "aggressive_easing", "fed_2025_baseline"):
        assert name in out


def test_list_fits_an_80_column_terminal(monkeypatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr("rutsim.cli._scenario._out.size", (80, 25))
    code, out, _ = _run(monkeypatch, capsys, "list", "--dir", str(SCENARIOS))
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 80
    row = next(line for line in out.splitlines() if line.strip().startswith("base "))
    # Every column is there, none squeezed to nothing: the weight and the four paths.
    assert row.split()[1:] == ["0.5", "meetings", "model", "model", "year_end"]
    assert "scenario show NAME" in out


def test_list_reports_invalid_files(monkeypatch, capsys, tmp_path) -> None:
    (tmp_path / "bad.toml").write_text('name = "bad"\n')
    code, out, err = _run(monkeypatch, capsys, "list", "--dir", str(tmp_path))
    assert code == 2 and "invalid" in out and "key 'description'" in err


def test_show_prints_the_table_and_writes_a_png(monkeypatch, capsys, tmp_path) -> None:
    png = tmp_path / "base.png"
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "show",
        "base",
        "--dir",
        str(SCENARIOS),
        "--horizon",
        "4",
        "--png",
        str(png),
        *START,
    )
    assert code == 0
    assert "2025Q4" in out and "3.862" in out and "3.590" in out and "model" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = _run(
        monkeypatch, capsys, "show", "base", "--dir", str(SCENARIOS), "--png", str(png), *START
    )
    assert code == 2 and "already exists" in err and "--overwrite" in err


def test_show_bad_input_exits_non_zero_without_output(monkeypatch, capsys, tmp_path) -> None:
    png = tmp_path / "x.png"
    code, _, err = _run(
        monkeypatch, capsys, "show", "nope", "--dir", str(SCENARIOS), "--png", str(png), *START
    )
    assert code == 2 and "scenario 'nope' not found" in err
    code, _, err = _run(
        monkeypatch,
        capsys,
        "show",
        "base",
        "--dir",
        str(SCENARIOS),
        "--horizon",
        "0",
        "--png",
        str(png),
        *START,
    )
    assert code == 2 and "horizon must be a positive number of quarters" in err
    code, _, err = _run(
        monkeypatch,
        capsys,
        "show",
        "fed_2025_baseline",
        "--dir",
        str(SCENARIOS),
        "--horizon",
        "14",
        "--png",
        str(png),
        *START,
    )
    assert code == 2 and "'fedfunds.table' covers 13" in err and "hold_after_end" in err
    assert not png.exists()


def test_import_fed(monkeypatch, capsys, tmp_path) -> None:
    csv = str(FIXTURES / "fed_small.csv")
    code, out, _ = _run(monkeypatch, capsys, "import-fed", csv, "--dir", str(tmp_path))
    assert code == 0 and "fed_2025_test_adverse.toml" in out
    code, _, err = _run(monkeypatch, capsys, "import-fed", csv, "--dir", str(tmp_path))
    assert code == 2 and "already exists" in err
    code, _, _ = _run(monkeypatch, capsys, "import-fed", csv, "--dir", str(tmp_path), "--overwrite")
    assert code == 0
    out_file = tmp_path / "mine.toml"
    code, _, _ = _run(
        monkeypatch,
        capsys,
        "import-fed",
        csv,
        "--name",
        "mine",
        "--out",
        str(out_file),
        "--align",
        "calendar",
    )
    assert code == 0 and "[fedfunds.table]\n2025Q1 = 4.0" in out_file.read_text()


def test_import_fed_missing_columns_writes_nothing(monkeypatch, capsys, tmp_path) -> None:
    csv = str(FIXTURES / "fed_missing_columns.csv")
    code, _, err = _run(monkeypatch, capsys, "import-fed", csv, "--dir", str(tmp_path))
    assert code == 2 and "missing column(s)" in err and "'BBB corporate yield'" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["slope", "slope=abc"])
def test_show_rejects_malformed_last_observed(monkeypatch, capsys, bad) -> None:
    code, _, err = _run(
        monkeypatch,
        capsys,
        "show",
        "base",
        "--dir",
        str(SCENARIOS),
        "--first-quarter",
        "2025Q4",
        "--last-observed",
        bad,
    )
    assert code == 2 and "is not VARIABLE=VALUE" in err


def test_show_starts_after_the_embedded_data_by_default(monkeypatch, capsys) -> None:
    code, out, _ = _run(
        monkeypatch, capsys, "show", "delayed_pivot", "--dir", str(SCENARIOS), "--horizon", "2"
    )
    assert code == 0 and "Given paths from 2025Q4" in out and "2026Q1" in out
    assert "1.870" in out  # spread: 2025Q3 Baa-10y 1.72 + 0.15


def test_listing_scenarios_loads_neither_jax_nor_pymc_nor_matplotlib() -> None:
    # A fresh interpreter: the test process itself has imported JAX long ago.
    code = (
        "import sys\n"
        "from rutsim.cli import main\n"
        "sys.argv = ['rutsim', 'scenario', 'list']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = [m for m in ('jax', 'pymc', 'pytensor', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "HEAVY []" in res.stdout


def test_import_fed_calendar_table_fits_the_default_horizon_and_history_is_refused(
    monkeypatch, capsys, tmp_path, shared_data
) -> None:
    from rutsim.scenario import load_scenario

    csv = str(shared_data / "fed_stress_2025_table2A_baseline_domestic.csv")
    code, out, err = _run(
        monkeypatch, capsys, "import-fed", csv, "--align", "calendar", "--dir", str(tmp_path)
    )
    flat = " ".join(out.split())
    assert code == 0, err
    assert "2025Q1..2025Q3 are skipped" in flat and "holds the last value" in flat
    scenario = load_scenario("fed_2025_baseline", tmp_path)
    assert scenario.path("fedfunds").hold_after_end
    assert "the held quarters are rutsim's assumption" in " ".join(scenario.description.split())
    history = str(shared_data / "fed_stress_2025_table1A_historic_domestic.csv")
    code, _, err = _run(monkeypatch, capsys, "import-fed", history, "--dir", str(tmp_path))
    flat = " ".join(err.split())
    assert code == 2 and "the Fed's table of history" in flat and "Table 2A" in flat
