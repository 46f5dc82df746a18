"""Load the quarterly and monthly panels (embedded by default) and hash them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from rutsim.config import DataConfig
from rutsim.data._announcements import ANNOUNCEMENTS_FILE
from rutsim.data._catalog import MONTHLY, QUARTERLY
from rutsim.data._embedded import (
    EMBEDDED_DIR,
    MONTHLY_FILE,
    PROVENANCE_FILE,
    QUARTERLY_FILE,
)
from rutsim.data._validate import fail, read_text
from rutsim.files import sha256_file, sha256_json

__all__ = [
    "load_monthly_panel",
    "load_panel",
    "load_provenance",
    "panel_hash",
    "panel_path",
]


def panel_path(config: DataConfig | None = None, *, freq: Literal["Q", "M"] = "Q") -> Path:
    """Return the panel CSV a config points to.

    ``config.panel`` is ``"embedded"`` (the package's dataset), a dataset folder written
    by ``rutsim data build --out DIR``, or a quarterly panel CSV in such a folder (the
    monthly panel is then read from the same folder).
    """
    name = QUARTERLY_FILE if freq == "Q" else MONTHLY_FILE
    panel = "embedded" if config is None else config.panel
    if panel == "embedded":
        return EMBEDDED_DIR / name
    path = Path(panel)
    folder = path if path.is_dir() else path.parent
    return path if (freq == "Q" and path.suffix == ".csv") else folder / name


def _read(path: Path, freq: Literal["Q", "M"], required: tuple[str, ...]) -> pd.DataFrame:
    index_name = "quarter" if freq == "Q" else "month"
    if not path.is_file():
        raise fail(
            path,
            "file",
            "panel not found",
            "run `rutsim data build --raw DIR --out FOLDER` and point [data] panel at "
            'FOLDER, or use panel = "embedded"',
        )
    frame = pd.read_csv(
        io.StringIO(read_text(path)), index_col=0, keep_default_na=False, na_values=[""]
    )
    if frame.index.name != index_name:
        raise fail(
            path,
            "header",
            f"first column is '{frame.index.name}', not '{index_name}'",
            "use a panel written by `rutsim data build`",
        )
    try:
        index = pd.PeriodIndex(frame.index.astype(str), freq=freq, name=index_name)
    except (ValueError, TypeError) as exc:
        raise fail(
            path,
            f"column '{index_name}'",
            f"labels are not {index_name}s ({exc})",
            "use a panel written by `rutsim data build`",
        ) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise fail(
            path,
            "header",
            f"missing columns {', '.join(missing)}",
            "rebuild the panel with this version of rutsim",
        )
    for col in frame.columns:
        if not pd.api.types.is_float_dtype(frame[col]) and not pd.api.types.is_integer_dtype(
            frame[col]
        ):
            raise fail(
                path,
                f"column '{col}'",
                "holds non-numeric values",
                "rebuild the panel with `rutsim data build`",
            )
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise fail(
            path,
            f"column '{index_name}'",
            "periods are not unique and increasing",
            "rebuild the panel with `rutsim data build`",
        )
    out = frame.astype("float64")
    out.index = index
    return out


def load_panel(config: DataConfig | None = None, *, freq: Literal["Q", "M"] = "Q") -> pd.DataFrame:
    """Load the panel the model is fitted on (Contract 1 in docs/architecture.md).

    Parameters
    ----------
    config : DataConfig, optional
        ``[data]`` section; ``None`` means the embedded dataset with no user series.
    freq : {"Q", "M"}
        Quarterly (default) or monthly panel.

    Returns
    -------
    pandas.DataFrame
        Shape (period, series), float64, NaN where a series has no data, indexed by a
        ``PeriodIndex`` named ``quarter`` (freq Q-DEC) or ``month``. Units and sources of
        every column are in :func:`load_provenance` and docs/data.md. Columns
        ``user_eps`` / ``user_pe`` are added when the config lists user series.

    Raises
    ------
    DataError
        The panel file or a user series is missing or malformed.
    """
    required = tuple(c.name for c in (QUARTERLY if freq == "Q" else MONTHLY))
    frame = _read(panel_path(config, freq=freq), freq, required)
    if config is not None and config.user_series:
        from rutsim.data._user import user_series_frame

        extra = user_series_frame(config.user_series, freq=freq)
        frame = frame.join(extra, how="outer") if len(extra.columns) else frame
        frame.index.name = "quarter" if freq == "Q" else "month"
    return frame


def load_monthly_panel(config: DataConfig | None = None) -> pd.DataFrame:
    """Load the monthly panel (``load_panel(config, freq="M")``)."""
    return load_panel(config, freq="M")


#: The announcement table the model's measurement block reads (``rutsim.model``).
EMBEDDED_ANNOUNCEMENTS = EMBEDDED_DIR / ANNOUNCEMENTS_FILE


def panel_hash(config: DataConfig | None = None) -> str:
    """SHA-256 of the quarterly panel, the FOMC announcement table and any user series.

    The announcement table is the one the model's measurement block is fitted on.

    It enters every model id and run manifest, so a changed dataset never reuses a fit.
    """
    path = panel_path(config, freq="Q")
    if not path.is_file():
        raise fail(path, "file", "panel not found", "run `rutsim data build` or fix [data] panel")
    digest = sha256_json([sha256_file(path), sha256_file(EMBEDDED_ANNOUNCEMENTS)])
    if config is None or not config.user_series:
        return digest
    for spec in config.user_series:
        if not Path(spec.path).is_file():
            raise fail(
                spec.path,
                "file",
                "user series not found",
                "check [data] user_series path (relative paths start at the project root, "
                "the parent of configs/)",
            )
    parts = [digest] + [
        # The file's content, not its path: moving a file does not change the data.
        [s.kind, s.column, sha256_file(Path(s.path))]
        for s in config.user_series
    ]
    return sha256_json(parts)


def load_provenance(config: DataConfig | None = None) -> pd.DataFrame:
    """Load the provenance table beside the panel: one row per (panel, column).

    Returns
    -------
    pandas.DataFrame
        Columns ``panel, name, units, publisher, source_file, source_id,
        transformation, first, last, count``.
    """
    path = panel_path(config, freq="Q").parent / PROVENANCE_FILE
    if not path.is_file():
        raise fail(
            path,
            "file",
            "provenance table not found",
            "rebuild the dataset with `rutsim data build`",
        )
    table = pd.read_csv(io.StringIO(read_text(path)), dtype=str, keep_default_na=False)
    table["count"] = table["count"].astype(np.int64)
    return table
