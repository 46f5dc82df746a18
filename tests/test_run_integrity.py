"""A damaged run folder is never read as if it were whole.

The matrix: every file a run (or its report) wrote, missing, truncated or replaced by
random bytes, under ``rutsim report --overwrite`` and ``rutsim compare``. A damaged
simulation file is one clear error that names it, and nothing is written; a damaged
report file is named by ``compare`` and rebuilt by ``report --overwrite``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import make_run_folder, run_cli, snapshot
from rutsim.report import build_report
from rutsim.runs import load_run

# (the synthetic run has no pooled.nc; a real run's is hashed the same way,
# tests/test_pipeline.py)
RUN_FILES = ("simulation.nc", "draw_metrics.nc", "drivers.csv", "config.toml")
REPORT_FILES = ("metrics.parquet", "metrics.csv", "summary.json", "report.html", "figure")
DAMAGES = ("missing", "truncated", "random")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    folder = make_run_folder(root, n_sample=6, n_path=10, n_horizon=4, with_model=False)
    build_report(folder)
    return folder


def _copy(pristine: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "outputs" / pristine.name
    shutil.copytree(pristine, dest)
    return dest


def _damage(folder: Path, name: str, damage: str) -> Path:
    path = folder / name if name != "figure" else sorted((folder / "figures").glob("*.png"))[0]
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])
    else:
        path.write_bytes(os.urandom(max(64, path.stat().st_size)))
    return path


def test_a_run_records_the_hash_of_every_file_it_wrote(pristine: Path) -> None:
    manifest = json.loads((pristine / "manifest.json").read_text())
    assert set(manifest["files"]) == set(RUN_FILES)
    assert {"metrics.parquet", "metrics.csv", "summary.json", "report.html"} <= set(
        manifest["report_files"]
    )
    assert any(k.startswith("figures/") for k in manifest["report_files"])
    load_run(pristine)  # whole: reads


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("name", RUN_FILES + REPORT_FILES)
def test_compare_names_the_damaged_file_and_writes_nothing(
    pristine: Path, tmp_path: Path, monkeypatch, capsys, name: str, damage: str
) -> None:
    folder = _copy(pristine, tmp_path)
    path = _damage(folder, name, damage)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, "compare", str(folder))
    assert code == 2, err
    assert path.name in err and "To fix" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("name", RUN_FILES)
def test_report_refuses_damaged_simulation_files(
    pristine: Path, tmp_path: Path, monkeypatch, capsys, name: str, damage: str
) -> None:
    folder = _copy(pristine, tmp_path)
    path = _damage(folder, name, damage)
    before = snapshot(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, "report", str(folder), "--overwrite")
    assert code == 2, err
    assert path.name in err and "rutsim run" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


# A rebuild rewrites every report file whatever was damaged, and each case costs a report
# build (the figures): one file damaged alone, and every report file damaged at once with
# the damages taken in turn, cover every file and every damage.
ALL_AT_ONCE = tuple((n, DAMAGES[i % len(DAMAGES)]) for i, n in enumerate(REPORT_FILES))


@pytest.mark.parametrize(
    "damaged", [(("report.html", "missing"),), ALL_AT_ONCE], ids=["one-file", "every-file"]
)
def test_report_overwrite_rebuilds_damaged_report_files(
    pristine: Path, tmp_path: Path, monkeypatch, capsys, damaged: tuple[tuple[str, str], ...]
) -> None:
    folder = _copy(pristine, tmp_path)
    for name, damage in damaged:
        _damage(folder, name, damage)
    code, out, err = run_cli(monkeypatch, capsys, "report", str(folder), "--overwrite")
    assert code == 0, err
    load_run(folder)  # whole again: every hash matches
    after = json.loads((folder / "manifest.json").read_text())
    assert after["files"] == json.loads((pristine / "manifest.json").read_text())["files"]


def test_report_clears_what_a_killed_rebuild_left(pristine: Path, tmp_path: Path) -> None:
    # A rebuild killed by SIGKILL leaves its temporary folder beside the run; the next
    # rebuild of any run there removes it (its pid is dead).
    import subprocess
    import sys

    from rutsim.files import tmp_prefix

    folder = _copy(pristine, tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    prefix = tmp_prefix(folder).replace(f"-{os.getpid()}.", f"-{int(dead.stdout)}.")
    stale = folder.parent / f"{prefix}abc123.tmp"
    stale.mkdir()
    (stale / "simulation.nc").write_bytes(b"half")
    build_report(folder, overwrite_report=True)
    assert not stale.exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]
