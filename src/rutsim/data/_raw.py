"""The raw input folder: which publisher file holds which series, read once each."""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from rutsim.data._announcements import announcement_table, load_jk_surprises
from rutsim.data._fed import load_gz_ebp, load_nyfed_effr
from rutsim.data._fred import load_fred
from rutsim.data._french import load_french
from rutsim.data._shiller import load_shiller
from rutsim.data._spdji import load_spdji_eps
from rutsim.data._transform import splice
from rutsim.data._validate import fail
from rutsim.data._yahoo import load_month_end_level, load_yahoo
from rutsim.files import sha256_file

__all__ = ["FRED_FILES", "RawData"]

#: FRED series id -> raw files holding it, oldest vintage first (later files win).
FRED_FILES: dict[str, tuple[str, ...]] = {
    "FEDFUNDS": ("fred_FEDFUNDS_monthly.csv",),
    "DFEDTAR": ("fred_DFEDTAR_daily_1982_2008.csv",),
    "DFEDTARU": ("fred_DFEDTARU_daily.csv",),
    "DFEDTARL": ("fred_DFEDTARL_daily_to2024.csv",),
    "DGS10": ("fred_DGS10_daily.csv",),
    "GS10": ("fred_GS10_monthly.csv",),
    "DGS2": ("fred_DGS2_daily_to2024.csv", "fred_DGS2_daily_2021_2026.csv"),
    "DGS3MO": ("fred_DGS3MO_daily_to2024.csv",),
    "DTB3": ("fred_DTB3_daily.csv",),
    "T10Y2Y": ("fred_T10Y2Y_daily.csv",),
    "BAA10Y": ("fred_BAA10Y_daily.csv",),
    "BAA": ("fred_BAA_monthly.csv",),
    "AAA": ("fred_AAA_monthly.csv",),
    "BAMLH0A0HYM2": ("fred_BAMLH0A0HYM2_daily.csv", "fred_BAMLH0A0HYM2_daily_2023_2026.csv"),
    "BAMLC0A4CBBB": ("fred_BAMLC0A4CBBB_daily.csv",),
    "UNRATE": ("fred_UNRATE_monthly.csv",),
    "CPIAUCSL": ("fred_CPIAUCSL_monthly.csv",),
    "CP": ("fred_CP_corporate_profits_quarterly.csv",),
    "VIXCLS": ("fred_VIXCLS_daily.csv",),
}

#: Non-FRED raw files by role.
FILES = {
    "effr": "nyfed_EFFR_daily.csv",
    "gz_old": "fed_ebp_gz_spread_monthly_vintage2025-04.csv",
    "gz_new": "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv",
    "rut_daily": "yahoo_RUT_daily.csv",
    "rut_monthly": "rut_monthly.csv",
    "iwm": "yahoo_IWM_daily.csv",
    "spy": "yahoo_SPY_daily.csv",
    "sp500_monthly": "sp500_monthly.csv",
    "shiller": "shiller_ie_data_monthly.csv",
    "spdji": "spdji_sp500_quarterly_eps.csv",
    "french_size": "french_Portfolios_Formed_on_ME.csv",
    "french_factors": "french_F-F_Research_Data_Factors.csv",
    "fomc_meetings": "fomc_meeting_dates.csv",
    "fomc_sep": "fomc_sep_median_projections.csv",
    "nber": "nber_business_cycle_dates.csv",
    "jk_surprises": "fomc_surprises_jk_1988_2024.csv",
}


class RawData:
    """Lazy, cached access to the series in a raw folder (plus optional FRED downloads).

    Parameters
    ----------
    raw : Path
        Folder with the publishers' files under the names in docs/data.md.
    fetched : Path, optional
        Folder of ``fred_<ID>.csv`` files from ``rutsim data fetch``; each is spliced in as
        the newest vintage of its series.
    """

    def __init__(self, raw: Path, fetched: Path | None = None) -> None:
        self.raw = Path(raw)
        self.fetched = None if fetched is None else Path(fetched)
        if not self.raw.is_dir():
            raise fail(self.raw, "folder", "not found", "pass the folder of raw files (--raw)")
        self.used: set[Path] = set()
        self._fred = lru_cache(maxsize=None)(self._load_fred)

    def path(self, role: str) -> Path:
        """Return the file for a non-FRED role (recorded for the sources table)."""
        path = self.raw / FILES[role]
        if not path.is_file():
            raise fail(path, "file", "not found", "put the publisher's file in the raw folder")
        self.used.add(path)
        return path

    def fred(self, series_id: str) -> pd.Series:
        """One FRED series spliced over its raw files and any fetched download."""
        return self._fred(series_id)

    def _load_fred(self, series_id: str) -> pd.Series:
        paths = [self.raw / name for name in FRED_FILES[series_id]]
        paths = [p for p in paths if p.is_file()]
        if self.fetched is not None and (self.fetched / f"fred_{series_id}.csv").is_file():
            paths.append(self.fetched / f"fred_{series_id}.csv")
        if not paths:
            raise fail(
                self.raw / FRED_FILES[series_id][0],
                "file",
                f"not found (FRED series {series_id})",
                f"put the file in the raw folder, or run `rutsim data fetch --series {series_id}`",
            )
        self.used.update(paths)
        return splice(*(load_fred(p, series_id=series_id) for p in paths)).rename(series_id)

    @cached_property
    def gz(self) -> pd.DataFrame:
        """GZ spread and EBP, the newer vintage preferred where both have a month."""
        old = load_gz_ebp(self.path("gz_old"))
        new = load_gz_ebp(self.path("gz_new"))
        return new.combine_first(old)

    @cached_property
    def effr(self) -> pd.DataFrame:
        """NY Fed EFFR daily."""
        return load_nyfed_effr(self.path("effr"))

    @cached_property
    def rut_daily(self) -> pd.DataFrame:
        """^RUT daily (price index)."""
        return load_yahoo(self.path("rut_daily"))

    @cached_property
    def rut_monthly(self) -> pd.Series:
        """FTSE Russell month-end Russell 2000 close."""
        return load_month_end_level(self.path("rut_monthly"))

    @cached_property
    def iwm(self) -> pd.DataFrame:
        """IWM daily, adjusted close."""
        return load_yahoo(self.path("iwm"))

    @cached_property
    def spy(self) -> pd.DataFrame:
        """SPY daily, adjusted close."""
        return load_yahoo(self.path("spy"))

    @cached_property
    def sp500_monthly(self) -> pd.Series:
        """S&P 500 month-end level."""
        return load_month_end_level(self.path("sp500_monthly"))

    @cached_property
    def shiller(self) -> pd.DataFrame:
        """Shiller monthly table."""
        return load_shiller(self.path("shiller"))

    @cached_property
    def spdji(self) -> pd.DataFrame:
        """S&P 500 quarterly EPS."""
        return load_spdji_eps(self.path("spdji"))

    @cached_property
    def french_size(self) -> pd.DataFrame:
        """French size portfolios, value-weighted monthly returns (percent)."""
        return load_french(self.path("french_size"), freq="M")

    @cached_property
    def french_factors(self) -> pd.DataFrame:
        """French factors, monthly (percent)."""
        return load_french(self.path("french_factors"), freq="M")

    @cached_property
    def announcements(self) -> pd.DataFrame:
        """FOMC announcements with surprises and day responses (see ``_announcements``)."""
        return announcement_table(
            load_jk_surprises(self.path("jk_surprises")),
            rut=self.rut_daily["Close"],
            spy=self.spy["Close"],
            slope=self.fred("T10Y2Y"),
            spread=self.fred("BAA10Y"),
        )

    def sources(self) -> list[tuple[str, str, int]]:
        """(file name, sha256, bytes) of every raw file read, sorted by name."""
        return sorted(
            (
                p.name if p.parent == self.raw else f"fetched/{p.name}",
                sha256_file(p),
                p.stat().st_size,
            )
            for p in self.used
        )
