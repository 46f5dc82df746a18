"""The synthetic run folder of ``tests/helpers.py`` follows Contract 4 (docs/architecture.md).

It is written by rutsim's own writer (:func:`rutsim.runs.write_run`); these checks make
sure the risk and report tests test against the contract.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from helpers import SCENARIOS, make_run_folder
from rutsim.runs import load_run


def test_synthetic_run_folder_follows_contract_4(tmp_path: Path) -> None:
    folder = make_run_folder(tmp_path, n_sample=4, n_path=5, n_horizon=6)
    with xr.open_dataset(folder / "simulation.nc", engine="h5netcdf") as ds:
        assert tuple(ds["earnings_growth"].dims) == ("scenario", "sample", "path", "horizon")
        assert list(ds["horizon"].values) == [1, 2, 3, 4, 5, 6]
        assert str(ds["quarter"].values[0]) == "2025Q4"
        # The sums of stored variables are not stored; the reader adds them back.
        assert "total_return" not in ds and "price_return" not in ds
        assert "total_return = " in ds.attrs["derived_variables"]
        assert ds["earnings_growth"].encoding.get("zlib") or ds["earnings_growth"].encoding.get(
            "compression"
        )
        for key in (
            "run_id",
            "config_json",
            "config_hash",
            "model_id",
            "data_hash",
            "seed",
            "versions_json",
            "as_of",
        ):
            assert key in ds.attrs
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [s["name"] for s in manifest["scenarios"]] == list(SCENARIOS)
    sim = load_run(folder).simulation
    np.testing.assert_array_equal(
        sim["total_return"].values,
        sim["earnings_growth"].values + sim["multiple_change"].values + sim["carry"].values,
    )
