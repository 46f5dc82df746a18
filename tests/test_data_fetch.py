"""`rutsim data fetch` on recorded FRED responses (tests never touch the network)."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from rutsim.data import _fetch, build_dataset, load_fred
from rutsim.data._fetch import FRED_CSV_URL, fetch_fred
from rutsim.errors import DataError

RECORDED = Path(__file__).parent / "fixtures" / "data" / "fred_responses"


def recorded_opener(responses: dict[str, bytes]):
    """An opener that serves recorded bodies by series id and logs the URLs asked for."""
    asked: list[str] = []

    def opener(url: str, timeout: float) -> bytes:
        asked.append(url)
        series_id = url.rsplit("=", 1)[1]
        if series_id not in responses:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]
        return responses[series_id]

    opener.asked = asked  # type: ignore[attr-defined]
    return opener


def test_fetch_writes_cache_from_recorded_responses(tmp_path):
    opener = recorded_opener(
        {sid: (RECORDED / f"{sid}.csv").read_bytes() for sid in ("FEDFUNDS", "T10Y2Y")}
    )
    paths = fetch_fred(["FEDFUNDS", "T10Y2Y"], tmp_path / "cache", opener=opener)
    assert [p.name for p in paths] == ["fred_FEDFUNDS.csv", "fred_T10Y2Y.csv"]
    assert opener.asked == [FRED_CSV_URL.format(series_id=s) for s in ("FEDFUNDS", "T10Y2Y")]
    assert "fred.stlouisfed.org/graph/fredgraph.csv?id=FEDFUNDS" in opener.asked[0]
    fedfunds = load_fred(paths[0], series_id="FEDFUNDS")
    assert fedfunds["2025-09-01"] == 4.22
    assert paths[1].read_bytes() == (RECORDED / "T10Y2Y.csv").read_bytes()


def test_offline_gives_clear_error(tmp_path):
    def offline(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(DataError) as info:
        fetch_fred(["FEDFUNDS"], tmp_path / "cache", opener=offline)
    message = str(info.value)
    assert "could not reach FRED" in message and "offline" in message
    assert "embedded dataset" in message and "To fix:" in message
    assert not (tmp_path / "cache" / "fred_FEDFUNDS.csv").exists()


def test_unknown_series_is_named(tmp_path):
    with pytest.raises(DataError) as info:
        fetch_fred(["NOSUCHSERIES"], tmp_path, opener=recorded_opener({}))
    assert "HTTP 404" in str(info.value) and "'NOSUCHSERIES'" in str(info.value)


def test_invalid_id_rejected_before_any_request(tmp_path):
    opener = recorded_opener({})
    with pytest.raises(DataError, match="not valid"):
        fetch_fred(["FED FUNDS&x=1"], tmp_path, opener=opener)
    assert opener.asked == []


def test_html_error_page_never_reaches_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    good = (RECORDED / "FEDFUNDS.csv").read_bytes()
    (cache / "fred_FEDFUNDS.csv").write_bytes(good)
    opener = recorded_opener({"FEDFUNDS": (RECORDED / "error_page.html").read_bytes()})
    with pytest.raises(DataError) as info:
        fetch_fred(["FEDFUNDS"], cache, opener=opener)
    assert "not a valid FRED CSV" in str(info.value)
    assert (cache / "fred_FEDFUNDS.csv").read_bytes() == good  # previous download kept


def test_fetched_series_is_spliced_as_newest_vintage(shared_data, tmp_path, monkeypatch):
    # A recorded response with a revised last value: the rebuild must use it.
    revised = (RECORDED / "FEDFUNDS.csv").read_text().replace("2025-09-01,4.22", "2025-09-01,4.10")
    monkeypatch.setattr(_fetch, "_urlopen", recorded_opener({"FEDFUNDS": revised.encode()}))
    import typer
    from typer.testing import CliRunner

    from rutsim.cli import _data as cli_data

    root = typer.Typer()
    cli_data.register(root)
    cache, out = tmp_path / "cache", tmp_path / "ds"
    result = CliRunner().invoke(
        root,
        [
            "data",
            "fetch",
            "--series",
            "FEDFUNDS",
            "--cache",
            str(cache),
            "--raw",
            str(shared_data),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "downloaded" in result.output and "rebuilt" in result.output
    panel = pd.read_csv(out / "panel_quarterly.csv", index_col=0)
    assert panel.loc["2025Q3", "fedfunds_end"] == 4.10
    assert panel.loc["2024Q1", "fedfunds_end"] == 5.33  # older history from the raw file
    assert "fetched/fred_FEDFUNDS.csv" in (out / "sources.csv").read_text()


def test_fetched_folder_without_the_series_still_needs_the_raw_file(tmp_path):
    (tmp_path / "cache").mkdir()
    with pytest.raises(DataError, match="fred_FEDFUNDS_monthly.csv"):
        build_dataset(tmp_path, tmp_path / "out", fetched=tmp_path / "cache")
