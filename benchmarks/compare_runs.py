"""Compare two run folders file by file: same config and seed should give the same contents.

Usage: python benchmarks/compare_runs.py outputs/<run-a> outputs/<run-b>

NetCDF variables and coordinates are compared value for value (bitwise); tables
(parquet) cell for cell; text files byte for byte after dropping the lines that differ
by design (run id, creation time, timings, the run's own folder); TOML files by value.
Prints one line per file and exits non-zero when anything else differs.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

# Keys that name the run or time it, not its results; and the manifest's SHA-256 of each
# file, which embeds the run id (each of those files is compared on its own).
VOLATILE = {"run_id", "created_utc", "timings_s", "files", "report_files"}


def _same(a: object, b: object) -> bool:
    # Attributes may be arrays (e.g. pooled.nc's return_range).
    return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))


def _netcdf(a: Path, b: Path) -> str:
    with xr.open_dataset(a, engine="h5netcdf") as x, xr.open_dataset(b, engine="h5netcdf") as y:
        names = sorted(set(x.variables) | set(y.variables))
        bad = [
            n
            for n in names
            if n not in x.variables
            or n not in y.variables
            or not np.array_equal(x[n].values, y[n].values)
        ]
        attrs = sorted(
            k
            for k in set(x.attrs) | set(y.attrs)
            if k != "run_id" and not _same(x.attrs.get(k), y.attrs.get(k))
        )
    return "identical values" if not bad and not attrs else f"DIFFER vars {bad} attrs {attrs}"


def _json(a: Path, b: Path) -> str:
    x, y = (json.loads(p.read_text()) for p in (a, b))
    for d in (x, y):
        for k in VOLATILE:
            d.pop(k, None)
    keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
    return "identical (run id, time, timings aside)" if not keys else f"DIFFER keys {keys}"


def main(a: Path, b: Path) -> int:
    failures = 0
    for pa in sorted(p for p in a.rglob("*") if p.is_file()):
        rel = pa.relative_to(a)
        pb = b / rel
        if not pb.is_file():
            print(f"{rel}: only in {a}")
            failures += 1
            continue
        if pa.suffix == ".nc":
            verdict = _netcdf(pa, pb)
        elif pa.suffix == ".parquet":
            same = pd.read_parquet(pa).equals(pd.read_parquet(pb))
            verdict = "identical cells" if same else "DIFFER"
        elif pa.suffix == ".toml":
            # the same values (a change of TOML writer may lay the text out differently)
            same = tomllib.loads(pa.read_text()) == tomllib.loads(pb.read_text())
            text = "identical bytes" if pa.read_bytes() == pb.read_bytes() else "same values"
            verdict = text if same else "DIFFER"
        elif pa.name in ("manifest.json", "summary.json"):
            verdict = _json(pa, pb)
        elif pa.suffix in (".png", ".html"):
            verdict = (
                "identical bytes"
                if pa.read_bytes() == pb.read_bytes()
                else "differs (run id / render)"
            )
        else:
            verdict = "identical bytes" if pa.read_bytes() == pb.read_bytes() else "DIFFER"
        failures += verdict.startswith("DIFFER")
        print(f"{rel}: {verdict}")
    extra = sorted(
        str(p.relative_to(b))
        for p in b.rglob("*")
        if p.is_file() and not (a / p.relative_to(b)).exists()
    )
    for rel in extra:
        print(f"{rel}: only in {b}")
    return 1 if failures or extra else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
