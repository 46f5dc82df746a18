"""``[portfolio]`` section: the position whose risk a run states in currency."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from rutsim.config._base import FrozenModel

#: Months per simulated step: the model moves one quarter at a time.
MONTHS_PER_STEP = 3


class PortfolioConfig(FrozenModel):
    """A static position in U.S. small caps, for VaR and CVaR in currency.

    The position's profit and loss over a horizon is ``sign * notional * beta * R``,
    where ``R`` is the simulated cumulative simple total return of the Russell 2000
    (``sign`` +1 long, -1 short). ``beta`` scales a holding that is not the index itself
    to its small-cap exposure; only that systematic part is modelled, not the holding's
    own (idiosyncratic) risk.

    Attributes
    ----------
    notional : float, optional
        Market value of the position in ``currency`` (> 0). Absent: no position figures.
    side : "long" or "short"
    currency : str
        Label of the currency (e.g. ``"USD"``); amounts are not converted.
    beta : float
        Exposure to the Russell 2000 per unit of notional (1 = the index itself).
    loss_thresholds : tuple of float
        Losses in currency whose probability is reported; default: 10% and 20% of the
        exposure ``notional * |beta|``.
    horizons_months : tuple of int
        Horizons of the position figures, in months: multiples of 3, because the model
        steps one quarter at a time (a sub-quarter figure would need within-quarter
        dynamics the model does not have). The headline horizons are added.
    """

    notional: float | None = Field(default=None, gt=0, le=1e15)
    side: Literal["long", "short"] = "long"
    currency: str = Field(default="USD", min_length=1, max_length=8, pattern=r"^[A-Za-z]+$")
    beta: float = Field(default=1.0, ge=-10, le=10)
    loss_thresholds: tuple[float, ...] = ()
    horizons_months: tuple[int, ...] = (3, 12)

    @field_validator("beta")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0:
            raise ValueError(
                "is 0, so the position has no small-cap exposure. To fix: give the "
                "position's beta to the Russell 2000 (1 for the index itself)"
            )
        return value

    @field_validator("loss_thresholds")
    @classmethod
    def _positive_losses(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(x <= 0 for x in value):
            raise ValueError(
                "must list losses as positive amounts in the position's currency "
                "(e.g. [1000000, 2500000])"
            )
        if len(set(value)) != len(value):
            raise ValueError("lists a loss more than once. To fix: list each loss once")
        return value

    @field_validator("horizons_months")
    @classmethod
    def _whole_quarters(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        off = [m for m in value if m < MONTHS_PER_STEP or m % MONTHS_PER_STEP]
        if off:
            asked = ", ".join(f"{m} month" + "s" * (m != 1) for m in off)
            raise ValueError(
                f"asks for {asked}, but the model steps one "
                "quarter at a time: it has no path inside a quarter, and scaling a quarterly "
                "VaR by the square root of time would assume normal, independent monthly "
                "returns the model does not have. To fix: use multiples of 3 months "
                "(3 = one quarter, 12 = four quarters)"
            )
        if len(set(value)) != len(value):
            raise ValueError("lists a horizon more than once. To fix: list each horizon once")
        return value

    @property
    def exposure(self) -> float:
        """Signed small-cap exposure ``sign * notional * beta`` (0 without a position)."""
        if self.notional is None:
            return 0.0
        return (1.0 if self.side == "long" else -1.0) * self.notional * self.beta

    def thresholds(self) -> tuple[float, ...]:
        """Return the losses whose probability is reported (currency, ascending)."""
        if self.loss_thresholds:
            return tuple(sorted(self.loss_thresholds))
        return tuple(abs(self.exposure) * f for f in (0.10, 0.20))

    def horizons(self, headline: tuple[int, ...]) -> tuple[int, ...]:
        """Return the position horizons in quarters: the asked months and ``headline``."""
        return tuple(sorted({m // MONTHS_PER_STEP for m in self.horizons_months} | set(headline)))

    def describe(self) -> str:
        """One line naming the position, e.g. ``long USD 10,000,000 at beta 1.00``."""
        return f"{self.side} {self.currency} {self.notional:,.0f} at beta {self.beta:.2f}"
