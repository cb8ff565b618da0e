"""Fixtures and test doubles for the push engine's tests (registered in ``tests/conftest.py``).

Everything here speaks the ``sync.org.seam.Org`` protocol only, so the tests run on every backend
of the ``org`` fixture: changeable cells are found with a query, the org's state is compared
through snapshots of the forecast-cell table, and failures are injected by wrapping the org.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from simple_salesforce import format_soql

from sync.org.mapping import STANDARD
from sync.org.records import Change
from sync.org.seam import (
    ApiLimits,
    CallCounter,
    ObjectDescribe,
    Org,
    OrgIdentity,
    OrgUnavailable,
    Record,
    SaveResult,
)

CELL = STANDARD.cell_object
ADJUSTED = STANDARD.adjusted
NOTE = STANDARD.note
_CELL_FIELDS = (
    "Id, AdjustedForecastedQuantity, AdjustmentComments, SystemModstamp, StartDate, "
    "AccountProductForecast.AccountForecast.Account.Name, AccountProductForecast.Product.Name"
)


def first_changeable_period(today: date | None = None) -> date:
    """First day of the month after next: clear of the current month and any freeze of the next."""
    today = today or datetime.utcnow().date()
    month = today.month + 2
    return date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def cells(org: Org, template: str, limit: int | None = None, **args: Any) -> list[Record]:
    """Forecast cells a ``format_soql`` template selects (``{fields}``/``{obj}`` filled here)."""
    soql = format_soql(template, fields=_CELL_FIELDS, obj=CELL, **args)
    if limit is not None:
        soql += format_soql(" LIMIT {}", limit)
    return list(org.query(soql))


def changeable_cells(org: Org, limit: int | None = None) -> list[Record]:
    """Cells the org accepts adjustments for: future, non-frozen periods; forecast not Expired.

    Only cells without an adjustment yet, so a test's new value never equals the org's by chance.
    """
    return cells(
        org,
        "SELECT {fields:literal} FROM {obj:literal} WHERE StartDate >= {start} "
        "AND AccountProductForecast.AccountForecast.Status != 'Expired' "
        "AND AdjustedForecastedQuantity = null ORDER BY Id",
        limit,
        start=first_changeable_period(),
    )


def cells_by_id(org: Org, ids: Sequence[str]) -> list[Record]:
    """The cells ``ids`` name as the org holds them now, in the order of ``ids``."""
    found = cells(
        org, "SELECT {fields:literal} FROM {obj:literal} WHERE Id IN {ids} ORDER BY Id", ids=ids
    )
    by_id = {r["Id"]: r for r in found}
    return [by_id[i] for i in ids]


def past_cells(org: Org, limit: int | None = None) -> list[Record]:
    """Cells of periods that ended before this month: the org refuses adjustments to them."""
    today = datetime.utcnow().date()
    return cells(
        org,
        "SELECT {fields:literal} FROM {obj:literal} WHERE EndDate < {start} ORDER BY Id",
        limit,
        start=date(today.year, today.month, 1),
    )


def expired_cells(org: Org, limit: int | None = None) -> list[Record]:
    """Future cells of Expired account forecasts: the org refuses adjustments to them."""
    return cells(
        org,
        "SELECT {fields:literal} FROM {obj:literal} WHERE StartDate >= {start} "
        "AND AccountProductForecast.AccountForecast.Status = 'Expired' ORDER BY Id",
        limit,
        start=first_changeable_period(),
    )


def change(
    record: Record,
    new: float | None,
    *,
    note: str = "Promo in the north",
    reason_code: str = "PROMO",
    old: float | None | str = "pulled",
    cell: str = "",
) -> Change:
    """A workbook change for ``record`` as pulled (``old`` defaults to the record's value)."""
    pf = record.get("AccountProductForecast") or {}
    account = ((pf.get("AccountForecast") or {}).get("Account") or {}).get("Name", "")
    product = (pf.get("Product") or {}).get("Name", "")
    start = record.get("StartDate") or "2030-01-01"
    return Change(
        record_id=record["Id"],
        sheet="Review",
        cell=cell or f"H{abs(hash(record['Id'])) % 10_000 + 10}",
        account_name=account,
        product_name=product,
        period_start=date.fromisoformat(str(start)[:10]),
        old=record.get(ADJUSTED) if old == "pulled" else old,  # type: ignore[arg-type]
        new=new,
        note=note,
        reason_code=reason_code,
        modstamp=record.get("SystemModstamp", ""),
    )


def snapshot(org: Org) -> dict[str, tuple[Any, Any]]:
    """Every forecast cell's adjusted value and note, by Id (the whole table)."""
    soql = format_soql(
        "SELECT Id, {adj:literal}, {note:literal} FROM {obj:literal}",
        adj=ADJUSTED,
        note=NOTE,
        obj=CELL,
    )
    return {r["Id"]: (r.get(ADJUSTED), r.get(NOTE) or None) for r in org.query(soql)}


def expected_after(
    before: dict[str, tuple[Any, Any]], changes: Sequence[Change]
) -> dict[str, tuple[Any, Any]]:
    """The table after a push of ``changes``: a cell already holding the new value is untouched."""
    from sync.push.engine import note_text, same_value

    after = dict(before)
    for c in changes:
        if not same_value(before[c.record_id][0], c.new):
            after[c.record_id] = (c.new, note_text(c))
    return after


def adjustment_counts(org: Org, changes: Sequence[Change]) -> dict[str, int]:
    """How many adjustment-history rows record each change's new value (applied once: 1)."""
    counts = {c.record_id: 0 for c in changes}
    wanted = {c.record_id: c.new for c in changes}
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        soql = format_soql(
            "SELECT AccountProdPeriodForecastId, ToValue FROM AccountForecastAdjustment "
            "WHERE AccountProdPeriodForecastId IN {ids} AND AdjustmentType = 'Quantity'",
            ids=ids[start : start + 500],
        )
        for r in org.query(soql):
            rid = r["AccountProdPeriodForecastId"]
            if r.get("ToValue") == wanted[rid]:
                counts[rid] += 1
    return counts


# ---------------------------------------------------------------- failure injection


@dataclass
class FlakyOrg:
    """Wraps an org; its ``fail_on``-th update call fails.

    ``when="before"``: the call dies before reaching the org (nothing written).
    ``when="after"``: the org commits the call, then the answer is lost (the ambiguous case).
    ``sent`` keeps every payload the org committed, to prove no record was written twice.
    """

    inner: Org
    fail_on: int = 0
    when: str = "before"
    error: type[Exception] = OrgUnavailable
    updates: int = 0
    sent: list[list[Record]] = field(default_factory=list)

    @property
    def calls(self) -> CallCounter:  # type: ignore[override]
        return self.inner.calls

    def identity(self) -> OrgIdentity:
        return self.inner.identity()

    def query(self, soql: str) -> Iterator[Record]:
        return self.inner.query(soql)

    def describe(self, object_name: str) -> ObjectDescribe:
        return self.inner.describe(object_name)

    def limits(self) -> ApiLimits:
        return self.inner.limits()

    def update(self, object_name: str, records: Sequence[Record]) -> list[SaveResult]:
        self.updates += 1
        failing = self.updates == self.fail_on
        if failing and self.when == "before":
            raise self.error("The org did not answer (connection reset); injected by the test.")
        results = self.inner.update(object_name, records)
        self.sent.append([dict(r) for r in records])
        if failing:
            raise self.error("The connection dropped after the org committed; injected.")
        return results


@pytest.fixture
def fresh_cells(org: Org) -> list[Record]:
    """Changeable cells of the org under test (at least a few thousand on the demo org)."""
    return changeable_cells(org)
