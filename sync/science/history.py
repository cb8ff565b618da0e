"""Gather what the pre-read needs from the org: this cycle's plan snapshot, the prior cycle's,
every earlier snapshot (for accuracy and value added), the actuals that followed them, and the
supply commitment. The only module of ``sync.science`` that reads the org (with ``supply``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from sync.org.mapping import MappingProfile
from sync.org.seam import Org, OrgError
from sync.science.conventions import ACTUAL_COLUMNS, SNAPSHOT_COLUMNS
from sync.science.supply import read_supply_commitments


class NoSnapshot(OrgError):
    """The org has no closed plan snapshot for the asked cycle (or none at all)."""


@dataclass(frozen=True)
class PlanHistory:
    """This cycle's plan (``current``), the prior cycle's (``prior``, empty for the first),
    every snapshot up to this one (``snapshots``), the actuals that followed and a year before
    (``actuals``) and the supply commitment (``supply``)."""

    cycle: str
    region: str | None
    current: pd.DataFrame
    prior: pd.DataFrame
    snapshots: pd.DataFrame
    actuals: pd.DataFrame
    supply: pd.DataFrame

    @property
    def snapshot_id(self) -> str:
        return str(self.current["snapshot_id"].iloc[0]) if len(self.current) else ""

    @property
    def prior_id(self) -> str:
        return str(self.prior["snapshot_id"].iloc[0]) if len(self.prior) else ""


def closed_snapshots(org: Org) -> dict[str, list[Any]]:
    """The closed snapshot headers per cycle ("YYYY-MM"), oldest cycle first. A cycle's review
    is closed either for all regions at once or region by region (never both: they overlap)."""
    try:
        from sync.cycle.snapshots import list_snapshots
    except ImportError:  # an installation without the cycle's memory has no snapshots
        return {}
    by_cycle: dict[str, list[Any]] = {}
    for header in list_snapshots(org):
        if str(_attr(header, "status") or "Closed") == "Closed":
            by_cycle.setdefault(str(_attr(header, "cycle")), []).append(header)
    return dict(sorted(by_cycle.items()))


def gather(
    org: Org,
    cycle: str | None = None,
    region: str | None = None,
    *,
    profile: MappingProfile | None = None,
) -> PlanHistory:
    """The plan history for ``cycle`` (default: the latest closed one), in ``region`` if given;
    the actuals read with ``profile`` (the org's mapping profile, detected when None)."""
    snapshots_by_cycle = closed_snapshots(org)
    cycles = list(snapshots_by_cycle)
    if not cycles:
        raise NoSnapshot(
            "No closed plan snapshot in this org: close a demand review with "
            "`demandgrid cycle close`, then run the pre-read."
        )
    cycle = cycle or cycles[-1]
    if cycle not in snapshots_by_cycle:
        raise NoSnapshot(
            f"No closed plan snapshot for cycle {cycle}: the closed cycles are "
            f"{', '.join(cycles)}. Pass one of them with --cycle."
        )
    upto = [c for c in cycles if c <= cycle]
    frames = [_cycle_lines(org, snapshots_by_cycle[c], region) for c in upto]
    snapshots = pd.concat(frames, ignore_index=True)
    current = snapshots[snapshots["cycle"] == cycle].reset_index(drop=True)
    if current.empty:
        from sync.fpa.plan import regions

        raise NoSnapshot(
            f"No closed plan snapshot of cycle {cycle} has lines in region {region} (closed: "
            f"{', '.join(str(_attr(h, 'snapshot_id')) for h in snapshots_by_cycle[cycle])}). "
            f"Pass a cycle whose review {region} has closed with --cycle, or a region as the "
            f"org writes it ({', '.join(regions(org))}) with --region."
        )
    prior_cycle = upto[-2] if len(upto) > 1 else None
    prior = (
        snapshots[snapshots["cycle"] == prior_cycle].reset_index(drop=True)
        if prior_cycle
        else _empty(SNAPSHOT_COLUMNS)
    )
    first, last = _period_range(snapshots)
    actuals = _actuals(org, first, last, profile) if first and last else _empty(ACTUAL_COLUMNS)
    return PlanHistory(
        cycle=cycle,
        region=region,
        current=current,
        prior=prior,
        snapshots=snapshots,
        actuals=actuals,
        supply=read_supply_commitments(org),
    )


def _cycle_lines(org: Org, headers: list[Any], region: str | None) -> pd.DataFrame:
    """One cycle's lines in ``region`` (all regions: every snapshot of the cycle): the region's
    own snapshot if it has one, else the all-regions snapshot's lines in that region."""
    from sync.cycle.snapshots import read_snapshot

    if region is None:
        chosen = headers
    else:  # another region's snapshot holds none of this region's lines
        own = [h for h in headers if _attr(h, "region") == region]
        chosen = own or [h for h in headers if not _attr(h, "region")]
    frames = [read_snapshot(org, str(_attr(h, "cycle")), _attr(h, "region")).frame for h in chosen]
    lines = pd.concat(frames, ignore_index=True) if frames else _empty(SNAPSHOT_COLUMNS)
    return _lines(lines, region)


def _actuals(org: Org, first: date, last: date, profile: MappingProfile | None) -> pd.DataFrame:
    from sync.cycle.actuals import read_actuals

    return read_actuals(org, first, last, profile=profile)


def _lines(frame: pd.DataFrame, region: str | None) -> pd.DataFrame:
    if region is not None:
        frame = frame[frame["region"] == region]
    return frame.reset_index(drop=True)


def _period_range(snapshots: pd.DataFrame) -> tuple[date | None, date | None]:
    """From a year before the first period (the naive forecast) to the last period."""
    if snapshots.empty:
        return None, None
    first = min(snapshots["period_start"])
    return first.replace(year=first.year - 1), max(snapshots["period_start"])


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


def _attr(header: Any, name: str) -> Any:
    return header[name] if isinstance(header, dict) else getattr(header, name)
