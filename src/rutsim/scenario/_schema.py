"""The scenario file schema: a frozen, validated description of one macro narrative.

A scenario file (TOML, see ``scenarios/README.md``) names a narrative and gives paths for
any of the macro variables ``fedfunds`` (%), ``slope`` (pp), ``spread`` (pp) and
``unemployment`` (%, the activity state). Each
given variable uses exactly one path form:

- ``meetings``: FOMC decisions in basis points keyed by scheduled decision date, applied
  to the effective rate ``start`` in effect on the first simulated day;
- ``year_end``: values for the fourth quarter of given years, interpolated linearly by
  quarter, optionally approaching ``long_run`` after the last year;
- ``table``: explicit quarterly values, a list from the first simulated quarter on or a
  table keyed by quarter label (``"2026Q1"``).

``fedfunds`` may also be written against what markets price in (``priced_in = true``):
alone, the path is the priced-in path (``rutsim.data.priced_in_path``); with ``meetings``
the decisions are moves beyond it (no ``start``), with ``table`` the values are
differences from it.

Variables left out are simulated by the model's macro block, conditionally on the
pinned ones.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Self

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from rutsim.config import FrozenModel
from rutsim.scenario._calendar import fomc_meeting_dates

__all__ = ["PATH_FORMS", "QUARTER_LABEL", "Scenario", "VariablePath"]

# The path fields of Scenario, in the order of rutsim.types.MACRO_VARIABLES.
_VARIABLES = ("fedfunds", "slope", "spread", "unemployment")

#: The mutually exclusive ways of giving one variable's path.
PATH_FORMS: tuple[str, ...] = ("meetings", "year_end", "table")

#: A calendar quarter label as used in table keys, e.g. "2025Q4".
QUARTER_LABEL = re.compile(r"^(\d{4})Q([1-4])$")

Finite = Annotated[float, Field(allow_inf_nan=False)]

#: Smallest non-zero meeting move in basis points: the Fed moves in steps of 25 bp (rarely
#: 5 or 10); a move under 5 bp is almost surely a percentage (0.25 meant as 25 bp).
MIN_MOVE_BP = 5.0
#: Largest meeting move in basis points (the largest decisions since 1990 were 150 bp).
MAX_MOVE_BP = 500.0

# Keys that only make sense with one path form, mapped to that form.
_FORM_OF_KEY = {
    "start": "meetings",
    "long_run": "year_end",
    "long_run_half_life": "year_end",
    "hold_after_end": "table",
}

#: The form name of a path given only as ``priced_in = true``.
PRICED_IN = "priced_in"


def _quarter_ordinal(label: str) -> int:
    match = QUARTER_LABEL.match(label)
    if match is None:
        raise ValueError(
            f"table key '{label}' is not a quarter label. To fix: write quarters as "
            "'YYYYQn', e.g. \"2026Q1\"."
        )
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


class VariablePath(FrozenModel):
    """The given path of one macro variable (exactly one of the three forms).

    Attributes
    ----------
    meetings : mapping of decision date to change in basis points, optional
        FOMC decisions at scheduled meetings (dates not listed: no change). The daily
        rate changes the day after the decision; the quarterly value is the average of
        the daily rate over the quarter. Needs ``start``.
    start : float, optional
        The rate in effect on the first day of the first simulated quarter (%), for
        ``meetings`` only.
    year_end : mapping of year to value, optional
        The variable's value in the fourth quarter of each given year.
    long_run : float, optional
        Value approached after the last ``year_end`` year (``year_end`` only).
    long_run_half_life : float, optional
        Quarters for half the remaining gap to ``long_run`` to close (default 4).
    table : list of float or mapping of quarter label to float, optional
        Explicit quarterly values; a list starts at the first simulated quarter.
    hold_after_end : bool
        Hold the last table value when the horizon runs past the table (``table`` only;
        without it a table shorter than the horizon is an error).
    relative : bool
        Values are changes from the last observed quarter (not for ``meetings``, which
        are changes already).
    uncertainty : float
        Standard deviation per quarter of a random-walk deviation around the path (same
        units as the variable); zero pins the path exactly.
    source : str, optional
        Free-text provenance of the path (written by the Fed importer).
    priced_in : bool
        ``fedfunds`` only: the path is written against the fed funds path markets price in
        at the data end: alone it is that path; ``meetings`` are moves beyond it (no
        ``start``); ``table`` values are differences from it.
    """

    meetings: dict[date, Finite] | None = None
    start: Finite | None = None
    year_end: dict[int, Finite] | None = None
    long_run: Finite | None = None
    long_run_half_life: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    table: list[Finite] | dict[str, Finite] | None = None
    hold_after_end: bool = False
    relative: bool = False
    uncertainty: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    source: str | None = None
    priced_in: bool = False

    @property
    def form(self) -> str:
        """The path form in use.

        ``"meetings"``, ``"year_end"``, ``"table"`` or ``"priced_in"`` (the priced-in
        path itself).
        """
        return next((f for f in PATH_FORMS if getattr(self, f) is not None), PRICED_IN)

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        forms = [f for f in PATH_FORMS if getattr(self, f) is not None]
        if self.priced_in:
            self._check_priced_in(forms)
            if not forms:
                return self
        if not forms:
            raise ValueError(
                "no path given. To fix: set exactly one of 'meetings', 'year_end' or "
                "'table', or remove this variable's table to let the model simulate it."
            )
        if len(forms) > 1:
            raise ValueError(
                f"two path forms ({' and '.join(repr(f) for f in forms)}) for one variable. "
                "To fix: keep exactly one of them."
            )
        form = forms[0]
        for key, owner in _FORM_OF_KEY.items():
            value = getattr(self, key)
            if owner != form and value is not None and value is not False:
                raise ValueError(
                    f"key '{key}' belongs to the '{owner}' path form but this variable uses "
                    f"'{form}'. To fix: remove '{key}'."
                )
        if form == "meetings":
            self._check_meetings()
        elif form == "year_end":
            if not self.year_end:
                raise ValueError("'year_end' is empty. To fix: give at least one year.")
            bad = [y for y in self.year_end if not 1900 <= y <= 2200]
            if bad:
                raise ValueError(f"'year_end' has implausible years {bad}. To fix: use YYYY.")
        else:
            self._check_table()
        return self

    def _check_priced_in(self, forms: list[str]) -> None:
        if "year_end" in forms:
            raise ValueError(
                "'priced_in = true' cannot be used with 'year_end'. To fix: give the moves "
                "beyond what is priced in as 'meetings' or the differences as 'table'."
            )
        for key in ("relative", "start"):
            if getattr(self, key) not in (None, False):
                raise ValueError(
                    f"'{key}' cannot be used with 'priced_in = true': the path starts from "
                    f"what markets price in. To fix: remove '{key}'."
                )

    def _check_meetings(self) -> None:
        if self.priced_in:
            self._check_moves()
            return
        if self.relative:
            raise ValueError(
                "'relative = true' cannot be used with 'meetings': decisions are already "
                "changes. To fix: remove 'relative' and give 'start', the rate in effect."
            )
        if self.start is None:
            raise ValueError(
                "'meetings' needs 'start', the effective rate (%) in effect on the first "
                "day of the first simulated quarter. To fix: add e.g. 'start = 4.09'."
            )
        self._check_moves()

    def _check_moves(self) -> None:
        for day, move in (self.meetings or {}).items():
            if move != 0 and abs(move) < MIN_MOVE_BP:
                raise ValueError(
                    f"'meetings' move on {day.isoformat()} is {move:g} bp, almost surely a "
                    f"percentage written where basis points belong. To fix: write {move:g}% "
                    f"as {move * 100:g} (basis points), or 0 for no change."
                )
            if abs(move) > MAX_MOVE_BP:
                raise ValueError(
                    f"'meetings' move on {day.isoformat()} is {move:g} bp; no FOMC decision "
                    f"has moved more than a few hundred. To fix: give moves in basis points "
                    f"within +-{MAX_MOVE_BP:g} (e.g. -25 for a quarter-point cut)."
                )
        scheduled = set(fomc_meeting_dates())
        for day in self.meetings or {}:
            if day not in scheduled:
                same_year = [d.isoformat() for d in sorted(scheduled) if d.year == day.year]
                listed = ", ".join(same_year) if same_year else "none in the calendar"
                raise ValueError(
                    f"'meetings' date {day.isoformat()} is not a scheduled FOMC decision "
                    f"date. To fix: use one of the {day.year} dates: {listed}."
                )

    def _check_table(self) -> None:
        table = self.table
        if not table:
            raise ValueError("'table' is empty. To fix: give at least one quarterly value.")
        if isinstance(table, dict):
            ordinals = sorted(_quarter_ordinal(k) for k in table)
            for prev, cur in zip(ordinals, ordinals[1:], strict=False):
                if cur != prev + 1:
                    missing = f"{(prev + 1) // 4}Q{(prev + 1) % 4 + 1}"
                    raise ValueError(
                        f"'table' skips quarter {missing}. To fix: give every quarter "
                        "between the first and the last."
                    )


class Scenario(FrozenModel):
    """One scenario file: a named narrative with paths for some macro variables.

    Attributes
    ----------
    name : str
        Identifier (lower-case letters, digits, ``_`` and ``-``); equals the file stem.
        Simulation keys derive from it, so renaming a scenario changes its draws.
    description : str
        The narrative and its sources.
    weight : float
        Probability weight in the blended view (non-negative; renormalised over the
        scenarios that run).
    as_of : str, optional
        Free-text note of when the narrative was written, e.g. "2025-09-18".
    fedfunds, slope, spread, unemployment : VariablePath, optional
        Given paths (%, pp, pp, %); a variable left out is simulated by the model. Pin
        ``unemployment`` with ``fedfunds`` to say *why* the Fed moves: fed funds alone
        reads as the Fed moving by choice, with activity following its own dynamics.
    """

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    weight: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    as_of: str | None = None
    fedfunds: VariablePath | None = None
    slope: VariablePath | None = None
    spread: VariablePath | None = None
    unemployment: VariablePath | None = None

    _source: str | None = PrivateAttr(default=None)

    @property
    def origin(self) -> str:
        """Where the scenario came from (its file, or ``scenario '<name>'``)."""
        return self._source or f"scenario '{self.name}'"

    @model_validator(mode="after")
    def _priced_in_is_fedfunds(self) -> Self:
        for name in _VARIABLES[1:]:
            path = getattr(self, name)
            if path is not None and path.priced_in:
                raise ValueError(
                    f"'{name}.priced_in' is set, but only fed funds has a priced-in path. "
                    f"To fix: remove 'priced_in' from [{name}]."
                )
        return self

    def path(self, variable: str) -> VariablePath | None:
        """Return the given path of ``variable`` (one of ``MACRO_VARIABLES``) or None."""
        if variable not in _VARIABLES:
            raise KeyError(f"'{variable}' is not a macro variable; use one of {_VARIABLES}")
        return getattr(self, variable)
