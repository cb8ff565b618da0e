"""``Book``: collects the demo org's rows in memory and writes them with one ``executemany`` per
object. ``sync.localorg.demo.org`` and ``demo_rep`` decide what goes in; this module knows how rows
are shaped (Ids from counters, audit stamps, field order) and adds the reference data (users,
products, periods, accounts).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from sync.localorg.demo import names
from sync.localorg.demo.series import CellSeries, month_end, month_index, month_start
from sync.localorg.ids import make_id
from sync.localorg.schema import OBJECTS
from sync.localorg.tables import insert_sql, stamp_of_day

ADMIN_ID = make_id("005", 1)  # the first user the demo creates
ADJUSTED_SHARE = 0.04  # future cells a rep has already adjusted
SNAPSHOT_MONTHS = 36
AGREEMENTS_PER_REP = 2
AGREEMENT_MONTHS = 24


@dataclass(frozen=True)
class AccountRow:
    id: str
    forecast_id: str
    name: str
    region: str
    expired: bool


@dataclass(frozen=True)
class ForecastLine:
    """One account x product forecast of a rep, with its drawn numbers."""

    id: str
    account: AccountRow
    product_id: str
    spec: names.ProductSpec
    numbers: CellSeries


class Book:
    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        as_of: date,
        rng: np.random.Generator,
        first: int,
        last: int,
    ) -> None:
        self.conn = conn
        self.as_of = as_of
        self.current = month_index(as_of)
        self.first, self.last = first, last  # months that have forecast cells
        self.rng = rng
        self.created = stamp_of_day(as_of - timedelta(days=45))
        self.last_stamp = self.created
        self._edit_day = as_of - timedelta(days=20)
        self._edits = 0
        self._rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in OBJECTS}
        self._columns = {name: [f.name for f in obj.fields] for name, obj in OBJECTS.items()}
        self._counters = dict.fromkeys(OBJECTS, 0)
        self.products_by_family: dict[str, list[tuple[str, names.ProductSpec]]] = {}
        self.month_period: dict[int, str] = {}
        self.year_period: dict[int, str] = {}
        # the closed cycles' snapshots (sync.localorg.demo.history): reps so far, line texts
        self.snapshot_reps: list[str] = []
        self.snapshot_texts: dict[int, list[tuple[str, str]]] = {}

    # ------------------------------------------------------------ rows

    def add(self, object_name: str, **values: Any) -> str:
        self._counters[object_name] += 1
        record_id = make_id(OBJECTS[object_name].key_prefix, self._counters[object_name])
        values["Id"] = record_id
        for key in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
            values.setdefault(key, self.created)
        values.setdefault("CreatedById", ADMIN_ID)
        values.setdefault("LastModifiedById", values["CreatedById"])
        self._rows[object_name].append(tuple(map(values.get, self._columns[object_name])))
        return record_id

    def add_rows(
        self, object_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """``add`` for many rows of the same ``columns`` (audit stamps and CreatedById among
        them): the fast path for the big snapshot tables."""
        names = self._columns[object_name]
        where = [names.index(c) for c in ("Id", *columns)]
        prefix = OBJECTS[object_name].key_prefix
        out = self._rows[object_name]
        counter = self._counters[object_name]
        for row in rows:
            counter += 1
            full: list[Any] = [None] * len(names)
            for p, v in zip(where, (make_id(prefix, counter), *row), strict=True):
                full[p] = v
            out.append(tuple(full))
        self._counters[object_name] = counter

    def count(self, object_name: str) -> int:
        return self._counters[object_name]

    def flush(self) -> None:
        for object_name, rows in self._rows.items():
            if rows:
                self.conn.executemany(insert_sql(OBJECTS[object_name]), rows)
            rows.clear()

    def edit_stamp(self) -> str:
        """The next stamp of a rep's edit before ``as_of`` (strictly increasing)."""
        self._edits += 1
        stamp = stamp_of_day(self._edit_day, seconds=self._edits)
        self.last_stamp = max(self.last_stamp, stamp)
        return stamp

    # ------------------------------------------------------------ reference data

    def user(
        self, first: str, last: str, username: str, title: str, manager: str | None, division: str
    ) -> str:
        return self.add(
            "User",
            Username=username,
            Name=f"{first} {last}",
            FirstName=first,
            LastName=last,
            Email=username,
            IsActive=1,
            Title=title,
            Division=division,
            ManagerId=manager,
        )

    def products(self) -> None:
        for spec in names.PRODUCTS:
            product_id = self.add(
                "Product2", Name=spec.name, ProductCode=spec.code, Family=spec.family, IsActive=1
            )
            self.products_by_family.setdefault(spec.family, []).append((product_id, spec))

    def periods(self, first: int, last: int) -> None:
        """Year, Quarter and Month periods for the months ``first..last`` (whole years)."""
        for year in range(month_start(first).year, month_start(last).year + 1):
            self.year_period[year] = self.add(
                "Period",
                Type="Year",
                StartDate=date(year, 1, 1).isoformat(),
                EndDate=date(year, 12, 31).isoformat(),
                PeriodLabel=f"FY {year}",
                FullyQualifiedLabel=f"FY {year}",
                IsForecastPeriod=0,
            )
            for q in range(4):
                self.add(
                    "Period",
                    Type="Quarter",
                    StartDate=month_start(year * 12 + 3 * q).isoformat(),
                    EndDate=month_end(year * 12 + 3 * q + 2).isoformat(),
                    Number=q + 1,
                    PeriodLabel=f"Q{q + 1}",
                    FullyQualifiedLabel=f"Q{q + 1} FY {year}",
                    IsForecastPeriod=0,
                )
            for m in range(year * 12, year * 12 + 12):
                start = month_start(m)
                self.month_period[m] = self.add(
                    "Period",
                    Type="Month",
                    StartDate=start.isoformat(),
                    EndDate=month_end(m).isoformat(),
                    Number=start.month,
                    PeriodLabel=start.strftime("%b"),
                    FullyQualifiedLabel=f"{start:%B} FY {year}",
                    IsForecastPeriod=1,
                )

    def account(
        self, owner: str, base_name: str, region: str, *, name: str | None, expired: bool
    ) -> AccountRow:
        places = names.REGION_PLACES[region]
        country, state, legal = places[int(self.rng.integers(len(places)))]
        name = name or f"{base_name} {legal}"
        account_id = self.add(
            "Account",
            Name=name,
            OwnerId=owner,
            Type=names.ACCOUNT_TYPES[int(self.rng.integers(len(names.ACCOUNT_TYPES)))],
            Industry=names.INDUSTRIES[int(self.rng.integers(len(names.INDUSTRIES)))],
            BillingCountry=country,
            BillingState=state,
            Region__c=region,
        )
        current = self.as_of.replace(day=1)
        forecast_id = self.add(
            "AccountForecast",
            Name=f"{name} Forecast"[:255],
            OwnerId=owner,
            AccountId=account_id,
            StartDate=month_start(self.first).isoformat(),
            EndDate=(current - timedelta(days=1)).isoformat() if expired else None,
            Status="Expired" if expired else "Active",
            DefaultAccountGrowthPercentage=0.0,
            DefaultMarketGrowthPercentage=2.0,
            LastCalculatedDate=self.created,
        )
        return AccountRow(account_id, forecast_id, name, region, expired)
