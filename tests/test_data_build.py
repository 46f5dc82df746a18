"""`rutsim data build`: reproducible bytes, matches the committed dataset, atomic."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rutsim.data import EMBEDDED_DIR, build_dataset
from rutsim.errors import DataError


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def first_build(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dataset"
    build_dataset(shared_data, out)
    return out


def test_build_matches_committed_dataset(first_build):
    # The committed package data is exactly what this code builds from the raw files.
    assert _bytes(first_build) == _bytes(EMBEDDED_DIR)


def test_build_twice_identical_bytes(first_build, shared_data, tmp_path):
    second = tmp_path / "again"
    build_dataset(shared_data, second)
    assert _bytes(second) == _bytes(first_build)


def test_sources_table_names_raw_files_with_hashes(first_build, shared_data):
    from rutsim.files import sha256_file

    lines = (first_build / "sources.csv").read_text().splitlines()
    assert lines[0] == "file,sha256,bytes"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) >= 30
    name, digest, size = rows[0]
    assert (
        digest == sha256_file(shared_data / name)
        and int(size) == (shared_data / name).stat().st_size
    )


def _raw_copy(shared_data: Path, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in shared_data.iterdir():
        os.symlink(path, raw / path.name)
    return raw


def test_failing_build_leaves_dataset_unchanged(shared_data, tmp_path, first_build):
    out = tmp_path / "dataset"
    shutil.copytree(first_build, out)
    before = _bytes(out)
    raw = _raw_copy(shared_data, tmp_path)
    # Corrupt a file read midway through the build.
    spdji = raw / "spdji_sp500_quarterly_eps.csv"
    text = spdji.read_text().replace("72.03", "72.O3")
    spdji.unlink()
    spdji.write_text(text)
    with pytest.raises(DataError) as info:
        build_dataset(raw, out)
    assert "spdji_sp500_quarterly_eps.csv" in str(info.value)
    assert "'72.O3' is not a number" in str(info.value) and "line 152" in str(info.value)
    assert _bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset", "raw"]  # no temp left


def test_interrupted_write_leaves_dataset_unchanged(
    shared_data, tmp_path, first_build, monkeypatch
):
    out = tmp_path / "dataset"
    shutil.copytree(first_build, out)
    before = _bytes(out)
    calls = {"n": 0}
    real = Path.write_bytes

    def dying_write(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-write
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", dying_write)
    with pytest.raises(KeyboardInterrupt):
        build_dataset(shared_data, out)
    monkeypatch.undo()
    assert _bytes(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]


def test_missing_raw_file_is_named_and_output_untouched(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(DataError) as info:
        build_dataset(tmp_path / "raw", tmp_path / "out")
    assert "fred_FEDFUNDS_monthly.csv" in str(info.value) and "not found" in str(info.value)
    assert not (tmp_path / "out").exists()
    # An existing dataset survives a failed build byte for byte (no real data needed).
    shutil.copytree(EMBEDDED_DIR, tmp_path / "out")
    before = _bytes(tmp_path / "out")
    with pytest.raises(DataError):
        build_dataset(tmp_path / "raw", tmp_path / "out")
    assert _bytes(tmp_path / "out") == before


def test_publishers_disagreeing_is_an_error(shared_data, tmp_path):
    raw = _raw_copy(shared_data, tmp_path)
    rut = raw / "rut_monthly.csv"
    text = rut.read_text().replace("2025-09,2436.48", "2025-09,2636.48")
    rut.unlink()
    rut.write_text(text)
    with pytest.raises(DataError) as info:
        build_dataset(raw, tmp_path / "out")
    message = str(info.value)
    assert "quarter 2025Q3" in message and "yahoo_RUT_daily.csv" in message
    assert not (tmp_path / "out").exists()
