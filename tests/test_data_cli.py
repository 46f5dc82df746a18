"""`rutsim data show | validate | build | fetch` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rutsim.cli import _data as cli_data

FIX = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="module")
def invoke():
    root = typer.Typer()
    cli_data.register(root)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(root, ["data", *args], env={"COLUMNS": "200"})

    return run


def test_show_prints_coverage_table(invoke):
    result = invoke("show")
    assert result.exit_code == 0, result.output
    for text in (
        "series",
        "units",
        "first",
        "last",
        "count",
        "missing",
        "fedfunds_avg",
        "1954Q3",
        "2025Q3",
        "rut_end",
        "1987Q3",
        "sha256",
    ):
        assert text in result.output
    monthly = invoke("show", "--monthly")
    assert monthly.exit_code == 0 and "2025-09" in monthly.output


def test_validate_reports_what_it_found(invoke):
    result = invoke("validate", str(FIX / "fred_dgs2_new_style.csv"))
    assert result.exit_code == 0, result.output
    assert "valid fred file" in result.output and "DGS2" in result.output
    assert "2025-09-24" in result.output and "2025-09-30" in result.output


def test_validate_unknown_kind(invoke):
    result = invoke("validate", str(FIX / "gz_small.csv"), "--kind", "excel")
    assert "not a known format" in str(result.exception)


def test_console_script_exit_code_and_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("observation_date,DGS2\n2025-09-24,3.61\n2025-09-24,3.66\n")
    exe = Path(sys.executable).with_name("rutsim")
    proc = subprocess.run(
        [str(exe), "data", "validate", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert proc.returncode == 2
    assert "line 3, column 'observation_date'" in proc.stderr
    assert "repeats the date" in proc.stderr and "To fix:" in proc.stderr


def test_build_cli_failure_names_file(invoke, tmp_path):
    result = invoke("build", "--raw", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "fred_FEDFUNDS_monthly.csv" in str(result.exception)
    assert not (tmp_path / "out").exists()


def test_fetch_without_raw_only_downloads(invoke, tmp_path, monkeypatch):
    from rutsim.data import _fetch

    body = (FIX / "fred_responses" / "T10Y2Y.csv").read_bytes()
    monkeypatch.setattr(_fetch, "_urlopen", lambda url, timeout: body)
    result = invoke("fetch", "--series", "T10Y2Y", "--cache", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fred_T10Y2Y.csv").read_bytes() == body
    assert "rutsim data build --raw DIR --fetched" in result.output
