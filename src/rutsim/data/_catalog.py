"""The panel's series: names, units, provenance and how each is computed from raw files.

This table is the single source of the panel's columns and of the provenance table
written beside it, so documentation and data cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pandas as pd

from rutsim.data._announcements import quarterly_surprises
from rutsim.data._raw import RawData
from rutsim.data._transform import (
    compound,
    daily_to_monthly,
    daily_to_quarterly,
    monthly_to_quarterly,
    splice,
    ttm_sum,
)

__all__ = ["MONTHLY", "QUARTERLY", "Column"]

_PCT = "percent"
_PP = "percentage points"
_RET = "decimal simple return"
_FRB = "Federal Reserve Board (H.15) via FRED"


class Column(NamedTuple):
    """One panel column and its provenance.

    Attributes
    ----------
    name, units, publisher : str
        Column name, units, original publisher.
    source : str
        Raw file(s) it is built from.
    source_id : str
        The publisher's series id or column name.
    transformation : str
        What the builder does to the raw data.
    decimals : int
        Decimals kept in the CSV (far below the data's own precision).
    compute : callable
        ``RawData -> pandas.Series`` indexed by a monthly or quarterly ``PeriodIndex``.
    """

    name: str
    units: str
    publisher: str
    source: str
    source_id: str
    transformation: str
    decimals: int
    compute: Callable[[RawData], pd.Series]


# Daily series shared by both panels.
def _tbill3m(r: RawData) -> pd.Series:
    # CMT 3-month preferred; the T-bill fills where the CMT file ends, converted from the
    # discount basis to a bond-equivalent yield (91-day bill), which removes most of the
    # 0.1-0.25 pp gap between the two at high rates.
    d = r.fred("DTB3") / 100.0
    bond_equivalent = 100.0 * 365.0 * d / (360.0 - 91.0 * d)
    return splice(bond_equivalent, r.fred("DGS3MO"))


def _slope_10y3m(r: RawData) -> pd.Series:
    return (r.fred("DGS10") - _tbill3m(r)).dropna()


def _target(r: RawData, which: str) -> pd.Series:
    single = r.fred("DFEDTAR")
    upper = r.fred("DFEDTARU")
    if which == "upper":
        return splice(single, upper)
    # The lower limit is always the upper limit less 25bp; it fills where its file ends.
    return splice(single, upper - 0.25, r.fred("DFEDTARL"))


def _decided(daily: pd.Series) -> pd.Series:
    # Since 2008 a target change takes effect the day after the FOMC decision, so a
    # decision on a month's last day (2019-07-31) shows in the next month's first day.
    # Dating each value one day earlier puts every decision in its own month.
    out = daily.dropna()
    out.index = out.index - pd.Timedelta(days=1)
    return out


def _spread_m(r: RawData) -> pd.Series:
    return (r.fred("BAA") - r.fred("GS10")).dropna()


def _m(series: pd.Series) -> pd.Series:
    """Re-index a FRED monthly series (dated first of month) by monthly periods."""
    out = series.dropna()
    out.index = out.index.to_period("M").rename("month")
    return out


def _q_of_q(series: pd.Series) -> pd.Series:
    out = series.dropna()
    out.index = out.index.to_period("Q").rename("quarter")
    return out


def _fr(r: RawData, col: str) -> pd.Series:
    return r.french_size[col]


def _ff_mkt(r: RawData) -> pd.Series:
    f = r.french_factors
    return f["Mkt-RF"] + f["RF"]


_DAILY_AVG = "average of daily values"
_TBILL_NOTE = (
    "3-month CMT (DGS3MO) where published, else the 3-month T-bill (DTB3) converted from "
    "discount to bond-equivalent yield; "
)

# The two tables read best as one row per column, so the formatter leaves them alone.
# fmt: off
QUARTERLY: tuple[Column, ...] = (
    Column("fedfunds_avg", _PCT, _FRB, "fred_FEDFUNDS_monthly.csv", "FEDFUNDS",
           "quarterly mean of the 3 monthly averages", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("FEDFUNDS")), "mean")),
    Column("fedfunds_end", _PCT, _FRB, "fred_FEDFUNDS_monthly.csv", "FEDFUNDS",
           "monthly average of the quarter's last month", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("FEDFUNDS")), "last")),
    Column("effr_avg", _PCT, "Federal Reserve Bank of New York", "nyfed_EFFR_daily.csv",
           "EFFR", _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(r.effr["effr"], "mean")),
    Column("fed_target_upper_end", _PCT, "Federal Reserve via FRED",
           "fred_DFEDTAR_daily_1982_2008.csv; fred_DFEDTARU_daily.csv", "DFEDTAR; DFEDTARU",
           "last daily value of the quarter; single target before 2008-12-16", 4,
           lambda r: daily_to_quarterly(_target(r, "upper"), "last")),
    Column("fed_target_lower_end", _PCT, "Federal Reserve via FRED",
           "fred_DFEDTAR_daily_1982_2008.csv; fred_DFEDTARL_daily_to2024.csv; "
           "fred_DFEDTARU_daily.csv", "DFEDTAR; DFEDTARL; DFEDTARU",
           "last daily value of the quarter; single target before 2008-12-16; "
           "upper limit - 0.25 after DFEDTARL ends", 4,
           lambda r: daily_to_quarterly(_target(r, "lower"), "last")),
    Column("tbill3m_avg", _PCT, _FRB, "fred_DGS3MO_daily_to2024.csv; fred_DTB3_daily.csv",
           "DGS3MO; DTB3", _TBILL_NOTE + _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(_tbill3m(r), "mean")),
    Column("tbill3m_end", _PCT, _FRB, "fred_DGS3MO_daily_to2024.csv; fred_DTB3_daily.csv",
           "DGS3MO; DTB3", _TBILL_NOTE + "last daily value of the quarter", 4,
           lambda r: daily_to_quarterly(_tbill3m(r), "last")),
    Column("ust2y_end", _PCT, _FRB,
           "fred_DGS2_daily_to2024.csv; fred_DGS2_daily_2021_2026.csv", "DGS2",
           "two files spliced (newer preferred); last daily value of the quarter", 4,
           lambda r: daily_to_quarterly(r.fred("DGS2"), "last")),
    Column("mp_surprise", _PP, "Jarocinski-Karadi (FOMC announcement surprises)",
           "fomc_surprises_jk_1988_2024.csv", "MP1 (ED1 where missing), SP500",
           "sum over the quarter's FOMC announcements of the pure policy surprise (the "
           "30-minute rate surprise where it and the S&P 500 moved in opposite directions); "
           "0 in a quarter without one; 1988Q1-2024Q1 only", 4,
           lambda r: quarterly_surprises(r.announcements)["mp_surprise"]),
    Column("info_surprise", _PP, "Jarocinski-Karadi (FOMC announcement surprises)",
           "fomc_surprises_jk_1988_2024.csv", "MP1 (ED1 where missing), SP500",
           "sum over the quarter's FOMC announcements of the information surprise (rate "
           "and S&P 500 moving together); 0 in a quarter without one; 1988Q1-2024Q1 only",
           4, lambda r: quarterly_surprises(r.announcements)["info_surprise"]),
    Column("ust2y_avg", _PCT, _FRB,
           "fred_DGS2_daily_to2024.csv; fred_DGS2_daily_2021_2026.csv", "DGS2",
           "two files spliced (newer preferred); " + _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(r.fred("DGS2"), "mean")),
    Column("ust10y_avg", _PCT, _FRB, "fred_DGS10_daily.csv", "DGS10", _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(r.fred("DGS10"), "mean")),
    Column("slope_10y2y", _PP, "FRED (from H.15)", "fred_T10Y2Y_daily.csv", "T10Y2Y",
           _DAILY_AVG, 4, lambda r: daily_to_quarterly(r.fred("T10Y2Y"), "mean")),
    Column("slope_10y3m", _PP, _FRB,
           "fred_DGS10_daily.csv; fred_DGS3MO_daily_to2024.csv; fred_DTB3_daily.csv",
           "DGS10 - (DGS3MO; DTB3)", "daily 10y minus 3-month (see tbill3m_avg); "
           + _DAILY_AVG, 4, lambda r: daily_to_quarterly(_slope_10y3m(r), "mean")),
    Column("baa_avg", _PCT, "Moody's via FRED", "fred_BAA_monthly.csv", "BAA",
           "quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("BAA")), "mean")),
    Column("aaa_avg", _PCT, "Moody's via FRED", "fred_AAA_monthly.csv", "AAA",
           "quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("AAA")), "mean")),
    Column("spread_baa10y", _PP, "Moody's; Federal Reserve Board via FRED",
           "fred_BAA_monthly.csv; fred_GS10_monthly.csv", "BAA - GS10",
           "monthly BAA minus monthly GS10, quarterly mean", 4,
           lambda r: monthly_to_quarterly(_m(_spread_m(r)), "mean")),
    Column("hy_oas", _PP, "ICE Data Indices via FRED",
           "fred_BAMLH0A0HYM2_daily.csv; fred_BAMLH0A0HYM2_daily_2023_2026.csv",
           "BAMLH0A0HYM2", "two files spliced (newer preferred); " + _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(r.fred("BAMLH0A0HYM2"), "mean")),
    Column("bbb_oas", _PP, "ICE Data Indices via FRED", "fred_BAMLC0A4CBBB_daily.csv",
           "BAMLC0A4CBBB", _DAILY_AVG, 4,
           lambda r: daily_to_quarterly(r.fred("BAMLC0A4CBBB"), "mean")),
    Column("gz_spread", _PP, "Federal Reserve Board",
           "fed_ebp_gz_spread_monthly_vintage2025-04.csv; "
           "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv", "gz_spread",
           "vintages spliced (2025-10 preferred); quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(r.gz["gz_spread"], "mean")),
    Column("ebp", _PP, "Federal Reserve Board",
           "fed_ebp_gz_spread_monthly_vintage2025-04.csv; "
           "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv", "ebp",
           "vintages spliced (2025-10 preferred); quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(r.gz["ebp"], "mean")),
    Column("rut_end", "index points", "FTSE Russell", "rut_monthly.csv", "rut",
           "month-end close of the quarter's last month", 2,
           lambda r: monthly_to_quarterly(r.rut_monthly, "last")),
    Column("rut_avg", "index points", "FTSE Russell via Yahoo Finance", "yahoo_RUT_daily.csv",
           "^RUT Close", "average of daily closes", 2,
           lambda r: daily_to_quarterly(r.rut_daily["Close"], "mean")),
    Column("rut_tr_end", "USD (IWM adjusted close)", "Yahoo Finance", "yahoo_IWM_daily.csv",
           "IWM Close (adjusted)", "last daily adjusted close of the quarter; total-return "
           "proxy net of a ~0.19%/yr fee", 4,
           lambda r: daily_to_quarterly(r.iwm["Close"], "last")),
    Column("sp500_end", "index points", "S&P Dow Jones Indices", "sp500_monthly.csv",
           "sp500", "month-end close of the quarter's last month", 2,
           lambda r: monthly_to_quarterly(r.sp500_monthly, "last")),
    Column("sp500_avg", "index points", "Robert J. Shiller", "shiller_ie_data_monthly.csv",
           "P", "quarterly mean of monthly averages of daily closes", 2,
           lambda r: monthly_to_quarterly(r.shiller["P"], "mean")),
    Column("sp500_tr_end", "USD (SPY adjusted close)", "Yahoo Finance", "yahoo_SPY_daily.csv",
           "SPY Close (adjusted)", "last daily adjusted close of the quarter", 4,
           lambda r: daily_to_quarterly(r.spy["Close"], "last")),
    Column("sp500_op_eps", "USD per index share", "S&P Dow Jones Indices",
           "spdji_sp500_quarterly_eps.csv", "operating_eps", "as published (one quarter)", 4,
           lambda r: r.spdji["operating_eps"].dropna()),
    Column("sp500_rep_eps", "USD per index share", "S&P Dow Jones Indices",
           "spdji_sp500_quarterly_eps.csv", "as_reported_eps", "as published (one quarter)",
           4, lambda r: r.spdji["as_reported_eps"].dropna()),
    Column("sp500_op_eps_ttm", "USD per index share", "S&P Dow Jones Indices",
           "spdji_sp500_quarterly_eps.csv", "operating_eps", "trailing four-quarter sum", 4,
           lambda r: ttm_sum(r.spdji["operating_eps"].dropna())),
    Column("sp500_rep_eps_ttm", "USD per index share", "S&P Dow Jones Indices",
           "spdji_sp500_quarterly_eps.csv", "as_reported_eps", "trailing four-quarter sum",
           4, lambda r: ttm_sum(r.spdji["as_reported_eps"].dropna())),
    Column("shiller_e", "USD per index share, trailing 12 months", "Robert J. Shiller",
           "shiller_ie_data_monthly.csv", "E",
           "value of the quarter's last month (recent months are S&P estimates)", 4,
           lambda r: monthly_to_quarterly(r.shiller["E"], "last")),
    Column("shiller_d", "USD per index share, trailing 12 months", "Robert J. Shiller",
           "shiller_ie_data_monthly.csv", "D", "value of the quarter's last month", 4,
           lambda r: monthly_to_quarterly(r.shiller["D"], "last")),
    Column("corp_profits", "billions of USD, SAAR", "BEA via FRED",
           "fred_CP_corporate_profits_quarterly.csv", "CP", "as published", 3,
           lambda r: _q_of_q(r.fred("CP"))),
    Column("ff_small_ret", _RET, "Kenneth R. French Data Library (CRSP)",
           "french_Portfolios_Formed_on_ME.csv", "Lo 30 (value weight, monthly)",
           "monthly percent returns compounded over the quarter", 6,
           lambda r: compound(_fr(r, "Lo 30"))),
    Column("ff_large_ret", _RET, "Kenneth R. French Data Library (CRSP)",
           "french_Portfolios_Formed_on_ME.csv", "Hi 30 (value weight, monthly)",
           "monthly percent returns compounded over the quarter", 6,
           lambda r: compound(_fr(r, "Hi 30"))),
    Column("ff_mkt_ret", _RET, "Kenneth R. French Data Library",
           "french_F-F_Research_Data_Factors.csv", "Mkt-RF + RF",
           "monthly percent returns compounded over the quarter", 6,
           lambda r: compound(_ff_mkt(r))),
    Column("ff_rf_ret", _RET, "Kenneth R. French Data Library",
           "french_F-F_Research_Data_Factors.csv", "RF",
           "monthly percent returns compounded over the quarter", 6,
           lambda r: compound(r.french_factors["RF"])),
    Column("unrate", _PCT, "BLS via FRED", "fred_UNRATE_monthly.csv", "UNRATE",
           "quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("UNRATE")), "mean")),
    Column("cpi", "index 1982-84=100", "BLS via FRED", "fred_CPIAUCSL_monthly.csv",
           "CPIAUCSL", "quarterly mean of monthly values", 4,
           lambda r: monthly_to_quarterly(_m(r.fred("CPIAUCSL")), "mean")),
    Column("vix_avg", "index points", "Cboe via FRED", "fred_VIXCLS_daily.csv", "VIXCLS",
           _DAILY_AVG, 4, lambda r: daily_to_quarterly(r.fred("VIXCLS"), "mean")),
)

_MONTHLY_MEAN = "monthly average of daily values"

MONTHLY: tuple[Column, ...] = (
    Column("fedfunds", _PCT, _FRB, "fred_FEDFUNDS_monthly.csv", "FEDFUNDS", "as published",
           4, lambda r: _m(r.fred("FEDFUNDS"))),
    Column("effr", _PCT, "Federal Reserve Bank of New York", "nyfed_EFFR_daily.csv", "EFFR",
           _MONTHLY_MEAN, 4, lambda r: daily_to_monthly(r.effr["effr"], "mean").dropna()),
    Column("fed_target_upper_end", _PCT, "Federal Reserve via FRED",
           "fred_DFEDTAR_daily_1982_2008.csv; fred_DFEDTARU_daily.csv", "DFEDTAR; DFEDTARU",
           "target decided by the month's end: last daily value, counting a change "
           "effective on the 1st of the next month (decided the day before); single target "
           "before 2008-12-16", 4,
           lambda r: daily_to_monthly(_decided(_target(r, "upper")), "last").dropna()),
    Column("tbill3m", _PCT, _FRB, "fred_DGS3MO_daily_to2024.csv; fred_DTB3_daily.csv",
           "DGS3MO; DTB3", _TBILL_NOTE + _MONTHLY_MEAN, 4,
           lambda r: daily_to_monthly(_tbill3m(r), "mean").dropna()),
    Column("ust2y", _PCT, _FRB, "fred_DGS2_daily_to2024.csv; fred_DGS2_daily_2021_2026.csv",
           "DGS2", "two files spliced (newer preferred); " + _MONTHLY_MEAN, 4,
           lambda r: daily_to_monthly(r.fred("DGS2"), "mean").dropna()),
    Column("ust10y", _PCT, _FRB, "fred_GS10_monthly.csv", "GS10", "as published", 4,
           lambda r: _m(r.fred("GS10"))),
    Column("slope_10y2y", _PP, "FRED (from H.15)", "fred_T10Y2Y_daily.csv", "T10Y2Y",
           _MONTHLY_MEAN, 4, lambda r: daily_to_monthly(r.fred("T10Y2Y"), "mean").dropna()),
    Column("slope_10y3m", _PP, _FRB,
           "fred_DGS10_daily.csv; fred_DGS3MO_daily_to2024.csv; fred_DTB3_daily.csv",
           "DGS10 - (DGS3MO; DTB3)", _MONTHLY_MEAN, 4,
           lambda r: daily_to_monthly(_slope_10y3m(r), "mean").dropna()),
    Column("baa", _PCT, "Moody's via FRED", "fred_BAA_monthly.csv", "BAA", "as published", 4,
           lambda r: _m(r.fred("BAA"))),
    Column("aaa", _PCT, "Moody's via FRED", "fred_AAA_monthly.csv", "AAA", "as published", 4,
           lambda r: _m(r.fred("AAA"))),
    Column("spread_baa10y", _PP, "Moody's; Federal Reserve Board via FRED",
           "fred_BAA_monthly.csv; fred_GS10_monthly.csv", "BAA - GS10",
           "monthly BAA minus monthly GS10", 4, lambda r: _m(_spread_m(r))),
    Column("hy_oas", _PP, "ICE Data Indices via FRED",
           "fred_BAMLH0A0HYM2_daily.csv; fred_BAMLH0A0HYM2_daily_2023_2026.csv",
           "BAMLH0A0HYM2", "two files spliced (newer preferred); " + _MONTHLY_MEAN, 4,
           lambda r: daily_to_monthly(r.fred("BAMLH0A0HYM2"), "mean").dropna()),
    Column("gz_spread", _PP, "Federal Reserve Board",
           "fed_ebp_gz_spread_monthly_vintage2025-04.csv; "
           "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv", "gz_spread",
           "vintages spliced (2025-10 preferred)", 4, lambda r: r.gz["gz_spread"].dropna()),
    Column("ebp", _PP, "Federal Reserve Board",
           "fed_ebp_gz_spread_monthly_vintage2025-04.csv; "
           "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv", "ebp",
           "vintages spliced (2025-10 preferred)", 4, lambda r: r.gz["ebp"].dropna()),
    Column("rut_end", "index points", "FTSE Russell", "rut_monthly.csv", "rut",
           "month-end close", 2, lambda r: r.rut_monthly.dropna()),
    Column("rut_avg", "index points", "FTSE Russell via Yahoo Finance", "yahoo_RUT_daily.csv",
           "^RUT Close", "average of daily closes", 2,
           lambda r: daily_to_monthly(r.rut_daily["Close"], "mean").dropna()),
    Column("rut_tr_end", "USD (IWM adjusted close)", "Yahoo Finance", "yahoo_IWM_daily.csv",
           "IWM Close (adjusted)", "last daily adjusted close of the month", 4,
           lambda r: daily_to_monthly(r.iwm["Close"], "last")),
    Column("sp500_end", "index points", "S&P Dow Jones Indices", "sp500_monthly.csv",
           "sp500", "month-end close", 2, lambda r: r.sp500_monthly.dropna()),
    Column("shiller_e", "USD per index share, trailing 12 months", "Robert J. Shiller",
           "shiller_ie_data_monthly.csv", "E", "as published (recent months are S&P "
           "estimates)", 4, lambda r: r.shiller["E"].dropna()),
    Column("shiller_d", "USD per index share, trailing 12 months", "Robert J. Shiller",
           "shiller_ie_data_monthly.csv", "D", "as published", 4,
           lambda r: r.shiller["D"].dropna()),
    Column("ff_small_ret", _RET, "Kenneth R. French Data Library (CRSP)",
           "french_Portfolios_Formed_on_ME.csv", "Lo 30 (value weight, monthly)",
           "percent / 100", 6, lambda r: (_fr(r, "Lo 30") / 100.0).dropna()),
    Column("ff_large_ret", _RET, "Kenneth R. French Data Library (CRSP)",
           "french_Portfolios_Formed_on_ME.csv", "Hi 30 (value weight, monthly)",
           "percent / 100", 6, lambda r: (_fr(r, "Hi 30") / 100.0).dropna()),
    Column("unrate", _PCT, "BLS via FRED", "fred_UNRATE_monthly.csv", "UNRATE",
           "as published", 4, lambda r: _m(r.fred("UNRATE"))),
    Column("cpi", "index 1982-84=100", "BLS via FRED", "fred_CPIAUCSL_monthly.csv",
           "CPIAUCSL", "as published", 4, lambda r: _m(r.fred("CPIAUCSL"))),
)
# fmt: on
