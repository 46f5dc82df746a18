"""The scheduled FOMC decision dates that meeting-by-meeting policy paths refer to.

The calendar is the data layer's embedded copy of the FOMC's tentative schedules
(``rutsim.data.load_fomc_meetings``: 2025-2027 and January 2028; the date is the second
day of each two-day meeting, when the statement is released). Unscheduled meetings are
not listed.
"""

from __future__ import annotations

import functools
from datetime import date

from rutsim.data import load_fomc_meetings

__all__ = ["fomc_meeting_dates"]


@functools.cache
def fomc_meeting_dates() -> tuple[date, ...]:
    """Return the scheduled FOMC decision dates, sorted.

    Returns
    -------
    tuple of datetime.date
        Decision dates from January 2025 to January 2028.
    """
    return tuple(sorted(ts.date() for ts in load_fomc_meetings().index))
