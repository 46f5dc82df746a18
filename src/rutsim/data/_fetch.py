"""Download FRED series by id from FRED's public CSV endpoint (no API key) into a cache."""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from rutsim.data._fred import load_fred
from rutsim.data._raw import FRED_FILES
from rutsim.errors import DataError
from rutsim.files import atomic_write_bytes

__all__ = ["DEFAULT_SERIES", "FRED_CSV_URL", "fetch_fred"]

FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series_id}"

#: Every FRED series the panel uses.
DEFAULT_SERIES: tuple[str, ...] = tuple(FRED_FILES)

#: ``(url, timeout_seconds) -> response body``; tests replace it with recorded responses.
Opener = Callable[[str, float], bytes]


def _urlopen(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "rutsim data fetch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read()


def fetch_fred(
    series_ids: Sequence[str] = DEFAULT_SERIES,
    cache: Path = Path(".cache/fred"),
    *,
    opener: Opener | None = None,
    timeout: float = 30.0,
) -> list[Path]:
    """Download FRED series into ``cache/fred_<ID>.csv``, checking each before saving.

    Each download is parsed with :func:`rutsim.data.load_fred` before it replaces the
    cached file (atomically), so a broken or partial response never reaches a build.

    Parameters
    ----------
    series_ids : sequence of str
        FRED ids, e.g. ``("FEDFUNDS", "T10Y2Y")``.
    cache : Path
        Folder for the downloads (created if needed).
    opener : callable, optional
        ``(url, timeout) -> bytes``; defaults to ``urllib``.
    timeout : float
        Seconds per request.

    Returns
    -------
    list of Path
        The cached files, in the order of ``series_ids``.

    Raises
    ------
    DataError
        Offline or FRED unreachable, an unknown series id, or a response that is not a
        valid FRED CSV; files already downloaded stay in the cache.
    """
    open_url = _urlopen if opener is None else opener
    cache = Path(cache)
    written: list[Path] = []
    for series_id in series_ids:
        if not series_id or not series_id.replace("_", "").isalnum():
            raise DataError(
                f"FRED series id '{series_id}' is not valid. To fix: use the id shown on the "
                "series page at fred.stlouisfed.org (letters and digits, e.g. FEDFUNDS)."
            )
        url = FRED_CSV_URL.format(series_id=series_id)
        try:
            body = open_url(url, timeout)
        except urllib.error.HTTPError as exc:
            hint = (
                "check the id on fred.stlouisfed.org"
                if exc.code in (400, 404)
                else ("try again later")
            )
            raise DataError(
                f"{url}: FRED answered HTTP {exc.code} for series '{series_id}'. To fix: {hint}."
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DataError(
                f"{url}: could not reach FRED ({reason}); you appear to be offline. To fix: "
                "connect to the internet (or set HTTPS_PROXY), or keep using the embedded "
                "dataset, which needs no network."
            ) from None
        _check_body(series_id, url, body)
        target = cache / f"fred_{series_id}.csv"
        atomic_write_bytes(target, body)
        written.append(target)
    return written


def _check_body(series_id: str, url: str, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / f"fred_{series_id}.csv"
        probe.write_bytes(body)
        try:
            load_fred(probe, series_id=series_id)
        except DataError as exc:
            detail = str(exc).replace(str(probe), "response")
            raise DataError(
                f"{url}: the download is not a valid FRED CSV ({detail}) To fix: retry; if "
                "it persists, download the CSV from the series page by hand into the cache."
            ) from None
