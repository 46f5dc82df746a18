"""The data layer: one loader per publisher format, the panel builder, the embedded dataset.

``load_panel()`` returns the quarterly panel the model is fitted on; every loader checks
what it reads and raises :class:`rutsim.errors.DataError` naming the file, the line or
column and the fix.
"""

from rutsim.data._announcements import (
    announcement_table,
    load_announcements,
    load_jk_surprises,
    quarterly_surprises,
)
from rutsim.data._catalog import MONTHLY, QUARTERLY, Column
from rutsim.data._embedded import EMBEDDED_DIR, build_dataset
from rutsim.data._fed import load_fed_stress_table, load_gz_ebp, load_nyfed_effr
from rutsim.data._fetch import DEFAULT_SERIES, fetch_fred
from rutsim.data._fomc import load_fomc_meetings, load_fomc_sep
from rutsim.data._fred import load_fred
from rutsim.data._french import load_french, load_french_tables
from rutsim.data._inspect import FORMATS, CoverageRow, coverage, validate_file
from rutsim.data._nber import in_recession, load_nber_dates
from rutsim.data._panel import (
    load_monthly_panel,
    load_panel,
    load_provenance,
    panel_hash,
    panel_path,
)
from rutsim.data._priced import (
    PATH_QUARTERS,
    priced_in_change,
    priced_in_path,
    priced_in_paths,
    strip_path,
)
from rutsim.data._shiller import load_shiller
from rutsim.data._spdji import load_spdji_eps
from rutsim.data._user import detect_frequency, load_user_csv
from rutsim.data._yahoo import load_month_end_level, load_yahoo

__all__ = [
    "PATH_QUARTERS",
    "announcement_table",
    "load_announcements",
    "load_jk_surprises",
    "priced_in_change",
    "priced_in_path",
    "priced_in_paths",
    "quarterly_surprises",
    "strip_path",
    "DEFAULT_SERIES",
    "FORMATS",
    "CoverageRow",
    "coverage",
    "fetch_fred",
    "validate_file",
    "EMBEDDED_DIR",
    "MONTHLY",
    "QUARTERLY",
    "Column",
    "build_dataset",
    "detect_frequency",
    "load_fed_stress_table",
    "in_recession",
    "load_fomc_meetings",
    "load_fomc_sep",
    "load_nber_dates",
    "load_french",
    "load_french_tables",
    "load_fred",
    "load_gz_ebp",
    "load_month_end_level",
    "load_monthly_panel",
    "load_nyfed_effr",
    "load_panel",
    "load_provenance",
    "load_shiller",
    "load_spdji_eps",
    "load_user_csv",
    "load_yahoo",
    "panel_hash",
    "panel_path",
]
