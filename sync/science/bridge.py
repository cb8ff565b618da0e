"""The revenue bridge from the prior cycle's plan to this cycle's plan, by driver.

Each line (account x product x period) in both plans splits its change into the baseline's
change (the system forecast) and the change in the adjustment on top of it (consensus -
baseline), which goes to the line's reason code this cycle: "Allocation cuts" for the supply
planner's Allocation, "No reason given" for a blank one. The bridge spans the months both plans
cover (the horizon moves on a month each cycle, and older snapshots may keep fewer months);
within them, a line in only one plan (a new or dropped account x product) forms its own bar.
Revenue is summed in integer cents, so the bars tie to the two totals to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sync.science.conventions import ALLOCATION, LINE_KEY, NO_REASON

BASELINE = "Baseline (system) changes"
ALLOCATION_CUTS = "Allocation cuts"
NEW_OR_DROPPED = "New or dropped lines"


@dataclass(frozen=True)
class Bridge:
    """Bars in order (driver, cents); ``prior_cents + sum(bars) == current_cents`` exactly."""

    prior_id: str
    current_id: str
    prior_cents: int
    current_cents: int
    bars: tuple[tuple[str, int], ...]
    periods: tuple[date, ...] = ()  # the months both plans cover
    current_outside_cents: int = 0  # this plan's revenue in months the prior plan lacks
    prior_outside_cents: int = 0  # the prior plan's revenue in months this plan lacks

    def scope(self) -> str:
        """ "Nov 2026 - Jan 2027 (3 months both plans cover)", or why there is none."""
        if not self.periods:
            return "no month that both plans cover"
        first, last = self.periods[0], self.periods[-1]
        n = len(self.periods)
        return f"{first:%b %Y} - {last:%b %Y} ({n} month{'s' if n > 1 else ''} both plans cover)"

    def frame(self) -> pd.DataFrame:
        """Start, each driver, end: ``label``, ``kind`` (total / driver), ``amount`` in money."""
        rows = [("Prior plan", "total", self.prior_cents)]
        rows += [(label, "driver", cents) for label, cents in self.bars]
        rows.append(("This plan", "total", self.current_cents))
        return pd.DataFrame(
            [(label, kind, cents / 100) for label, kind, cents in rows],
            columns=["label", "kind", "amount"],
        )


def cents(values: pd.Series) -> np.ndarray:
    """Money as integer cents, rounded half to even once per line."""
    return np.rint(values.fillna(0).astype(float).to_numpy() * 100).astype(np.int64)


def revenue_bridge(prior: pd.DataFrame, current: pd.DataFrame) -> Bridge:
    """The bridge between two snapshots' lines (the snapshot contract's columns) over the
    months both cover."""
    periods = tuple(sorted(set(prior["period_start"]) & set(current["period_start"])))
    prior_in = prior[prior["period_start"].isin(periods)]
    current_in = current[current["period_start"].isin(periods)]
    keep = [*LINE_KEY, "baseline_rev", "consensus_rev", "reason_code"]
    both = prior_in[keep].merge(
        current_in[keep], on=LINE_KEY, how="outer", suffixes=("_prior", "_now"), indicator=True
    )
    matched = both[both["_merge"] == "both"]
    base_change = cents(matched["baseline_rev_now"]) - cents(matched["baseline_rev_prior"])
    adj_now = cents(matched["consensus_rev_now"]) - cents(matched["baseline_rev_now"])
    adj_prior = cents(matched["consensus_rev_prior"]) - cents(matched["baseline_rev_prior"])
    reasons = matched["reason_code_now"].fillna("").astype(str).str.strip()
    by_reason = (
        pd.DataFrame({"reason": reasons.to_numpy(), "cents": adj_now - adj_prior})
        .groupby("reason", sort=True)["cents"]
        .sum()
    )
    horizon = int(cents(both.loc[both["_merge"] == "right_only", "consensus_rev_now"]).sum()) - int(
        cents(both.loc[both["_merge"] == "left_only", "consensus_rev_prior"]).sum()
    )
    bars = [(BASELINE, int(base_change.sum()))]
    bars += [(str(r), int(c)) for r, c in by_reason.items() if r not in ("", ALLOCATION)]
    bars.append((ALLOCATION_CUTS, int(by_reason.get(ALLOCATION, 0))))
    bars.append((NO_REASON, int(by_reason.get("", 0))))
    bars.append((NEW_OR_DROPPED, horizon))
    prior_cents = int(cents(prior_in["consensus_rev"]).sum())
    current_cents = int(cents(current_in["consensus_rev"]).sum())
    return Bridge(
        prior_id=_snapshot_id(prior),
        current_id=_snapshot_id(current),
        prior_cents=prior_cents,
        current_cents=current_cents,
        bars=tuple(bars),
        periods=periods,
        current_outside_cents=int(cents(current["consensus_rev"]).sum()) - current_cents,
        prior_outside_cents=int(cents(prior["consensus_rev"]).sum()) - prior_cents,
    )


def _snapshot_id(lines: pd.DataFrame) -> str:
    ids = sorted(set(lines["snapshot_id"])) if len(lines) else []
    return ids[0] if ids else "none"
