"""The demo org's numbers for one account x product: orders with trend, seasonality and noise,
the system baseline, last year's orders, targets and the prior cycle's plan.

Months are integers ``year * 12 + month - 1`` so that arithmetic on them is plain addition.
Everything is drawn from the generator it is given, in a fixed order: same seed, same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from sync.localorg.demo.names import SEASONALITY, ProductSpec


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def month_end(m: int) -> date:
    return month_start(m + 1) - timedelta(days=1)


@cache
def month_text(m: int) -> str:
    """``YYYY-MM-01`` of month ``m`` (cached: the demo writes it hundreds of thousands of times)."""
    return month_start(m).isoformat()


@cache
def end_text(m: int) -> str:
    return month_end(m).isoformat()


@dataclass
class CellSeries:
    """Monthly values of one account x product over ``months`` (first..last, inclusive)."""

    first: int  # month index of position 0
    expected: np.ndarray  # the underlying demand (float units)
    actual: np.ndarray  # orders actually received (whole units); NaN where not yet known
    baseline: np.ndarray  # the system forecast (whole units)
    target_uplift: float  # targets sit this factor above the expected demand
    growth: float  # yearly growth of the account x product

    def at(self, values: np.ndarray, m: int) -> float | None:
        v = values[m - self.first]
        return None if math.isnan(v) else float(v)


def series(
    rng: np.random.Generator,
    product: ProductSpec,
    *,
    first: int,
    last: int,
    current: int,
    current_share: float,
    account_scale: float,
) -> CellSeries:
    """Draw one account x product's months ``first..last``; ``current`` is the as-of month,
    whose orders so far are ``current_share`` of the month."""
    months = np.arange(first, last + 1)
    growth = float(rng.normal(0.04, 0.07))
    amplitude, peak = SEASONALITY[product.family]
    phase = float(rng.normal(0.0, 0.6))  # each customer peaks a little differently
    level = product.units * account_scale * float(rng.lognormal(0.0, 0.35))
    years_from_now = (months - current) / 12.0
    season = 1.0 + amplitude * np.cos(2 * np.pi * ((months % 12) + 1 - peak - phase) / 12.0)
    expected = level * (1.0 + growth) ** years_from_now * season
    noise = rng.lognormal(0.0, 0.12, size=months.size)
    actual = np.round(expected * noise)
    actual[months == current] = np.round(actual[months == current] * current_share)
    actual[months > current] = np.nan
    # The system baseline follows the demand closely but not exactly (it is a forecast).
    baseline = np.round(expected * rng.lognormal(0.0, 0.04, size=months.size))
    uplift = float(rng.uniform(1.03, 1.12))
    return CellSeries(first, expected, actual, baseline, uplift, growth)


def money(quantity: float | None, price: float) -> float | None:
    return None if quantity is None else round(quantity * price, 2)
