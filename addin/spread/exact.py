"""Split a total into parts that sum to it exactly, in the org field's units.

Largest remainder (Hamilton): each open period gets its share of the total in whole units of
``10**-scale`` (1 for a quantity of scale 0, a cent for revenue), rounded down; the units left
over go one each to the periods with the largest remainders, ties to the earliest period. A
profile that sums to zero (or has no positive weight) falls back to equal weights. Locked
periods are never touched: they keep their value and the rest is spread over the open ones.
Only integers are compared, so the result is exact and the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

PROFILES = ("adjusted", "baseline", "last-year", "equal")


class SpreadImpossible(ValueError):
    """The total cannot be reached: no open period, or the locked ones already exceed it."""


@dataclass(frozen=True)
class Split:
    """The spread of one total: a value per period (locked ones unchanged) and what it used."""

    values: tuple[float | None, ...]
    weights: tuple[float, ...]  # the profile used for the open periods (0 for locked)
    fell_back_to_equal: bool


def units(value: float | None, scale: int) -> int:
    """``value`` in whole units of ``10**-scale``, rounded half to even (None is 0)."""
    if value is None:
        return 0
    try:
        d = Decimal(repr(float(value))).scaleb(scale)
    except InvalidOperation:
        raise SpreadImpossible(f"{value!r} is not a number") from None
    return int(d.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_units(count: int, scale: int) -> float:
    return float(Decimal(count).scaleb(-scale)) if scale else float(count)


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` whole units split by ``weights`` (non-negative); equal when they sum to 0.

    Works on integers only: weights become integer ratios (``Decimal`` of their repr), so the
    floors and remainders are exact. Ties go to the earlier position."""
    if not weights:
        raise SpreadImpossible("no period to spread over")
    exact = [Decimal(repr(float(w))) if w and w > 0 else Decimal(0) for w in weights]
    if sum(exact) == 0:
        exact = [Decimal(1)] * len(weights)
    # Scale the weights to integers: every Decimal here has a finite exponent.
    shift = max(0, -min(w.as_tuple().exponent for w in exact))  # type: ignore[operator]
    ints = [int(w.scaleb(shift)) for w in exact]
    whole = sum(ints)
    sign = -1 if total < 0 else 1
    quotas = [divmod(abs(total) * w, whole) for w in ints]
    parts = [q for q, _ in quotas]
    left = abs(total) - sum(parts)
    order = sorted(range(len(ints)), key=lambda i: (-quotas[i][1], i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]


def spread_total(
    total: float,
    current: Sequence[float | None],
    profile: Sequence[float | None],
    locked: Sequence[bool],
    *,
    scale: int = 0,
) -> Split:
    """Spread ``total`` over the open periods of a row.

    ``current`` are the row's values now (locked periods keep theirs and count toward the
    total), ``profile`` the weights per period (None counts as 0), ``scale`` the decimals the
    org's field keeps. Raises ``SpreadImpossible`` when every period is locked or the locked
    periods alone exceed the total."""
    if not (len(current) == len(profile) == len(locked)):
        raise ValueError("current, profile and locked must have one entry per period")
    if not total >= 0:  # also NaN
        raise SpreadImpossible(f"the total {total!r} is not a number of 0 or more")
    open_at = [i for i, is_locked in enumerate(locked) if not is_locked]
    if not open_at:
        raise SpreadImpossible("every period of the selection is locked")
    fixed = sum(units(current[i], scale) for i, is_locked in enumerate(locked) if is_locked)
    wanted = units(total, scale) - fixed
    if wanted < 0:
        raise SpreadImpossible(
            f"the locked periods already hold {from_units(fixed, scale):,.{scale}f}, more than "
            f"the total {from_units(units(total, scale), scale):,.{scale}f}"
        )
    weights = [max(float(profile[i] or 0.0), 0.0) for i in open_at]
    fell_back = sum(weights) <= 0
    parts = largest_remainder(wanted, weights)
    values: list[float | None] = list(current)
    for i, part in zip(open_at, parts, strict=True):
        values[i] = from_units(part, scale)
    used = [0.0] * len(current)
    for i, w in zip(open_at, [1.0] * len(open_at) if fell_back else weights, strict=True):
        used[i] = w
    return Split(tuple(values), tuple(used), fell_back)
