"""A tiny in-memory org for the Salesforce backend's own tests: the methods the test server
needs (``query_page``/``query_more``/``update``/``describe``/``limits``/``identity``) over a few
``AccountProductPeriodForecast`` records, with an edit history like the local org's
``AccountForecastAdjustment``. Its SOQL is only ``SELECT f, ... FROM X [WHERE Id IN (...)]``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sync.org import (
    ApiLimits,
    CallCounter,
    FieldDescribe,
    FieldError,
    ObjectDescribe,
    OrgIdentity,
    QueryRefused,
    SaveResult,
    UpdateRefused,
)

CELL = "AccountProductPeriodForecast"
_SELECT = re.compile(r"^SELECT (.+?) FROM (\w+)(?: WHERE Id IN \((.*)\))?(?: ORDER BY Id)?$", re.S)


@dataclass
class Page:
    records: list[dict[str, Any]]
    total_size: int
    done: bool
    next_locator: str | None


def _fields(*names: str, updateable: tuple[str, ...] = ()) -> tuple[FieldDescribe, ...]:
    out = [FieldDescribe("Id", "id")]
    for n in names:
        kind = (
            "double"
            if n.endswith(("Quantity", "Revenue"))
            else "textarea"
            if n == "AdjustmentComments"
            else "string"
        )
        out.append(
            FieldDescribe(
                n, kind, updateable=n in updateable, length=2000 if kind == "textarea" else 0
            )
        )
    return tuple(out)


@dataclass
class MemoryOrg:
    cells: int = 30
    calls: CallCounter = field(default_factory=CallCounter)
    history: list[tuple[str, Any, Any]] = field(default_factory=list)  # (Id, from, to)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    _cursors: dict[str, tuple[list[dict[str, Any]], int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i in range(self.cells):
            rid = f"0ZF{i:015d}"
            self.records[rid] = {
                "Id": rid,
                "ForecastedQuantity": float(100 + i),
                "AdjustedForecastedQuantity": None,
                "AdjustmentComments": None,
                "AccountProductForecast": {
                    "attributes": {"type": "AccountProductForecast"},
                    "Account": {"attributes": {"type": "Account"}, "Name": f"Account {i % 3}"},
                },
            }

    def identity(self) -> OrgIdentity:
        return OrgIdentity(
            "00D000000000001AAA", "Memory Org", "005000000000001AAA", "rep@memory.test", "memory:"
        )

    def limits(self) -> ApiLimits:
        return ApiLimits(15000, 15000)

    def describe(self, object_name: str) -> ObjectDescribe:
        if object_name != CELL:
            raise LookupError(object_name)
        return ObjectDescribe(
            CELL,
            "Account Product Period Forecast",
            "0ZF",
            _fields(
                "ForecastedQuantity",
                "AdjustedForecastedQuantity",
                "AdjustmentComments",
                updateable=("AdjustedForecastedQuantity", "AdjustmentComments"),
            ),
        )

    def query_page(self, soql: str, batch_size: int = 2000) -> Page:
        m = _SELECT.match(soql.strip())
        if not m or m.group(2) != CELL:
            raise QueryRefused(f"memory org cannot run: {soql[:60]}")
        names = [n.strip() for n in m.group(1).split(",")]
        ids = re.findall(r"'([^']*)'", m.group(3)) if m.group(3) else list(self.records)
        rows = [self._project(self.records[i], names) for i in ids if i in self.records]
        locator = f"01g{len(self._cursors):015d}"
        self._cursors[locator] = (rows, 0)
        return self.query_more(locator, batch_size, total=len(rows))

    def query_more(self, locator: str, batch_size: int = 2000, total: int | None = None) -> Page:
        base = locator.split("-")[0]
        rows, _ = self._cursors[base]
        start = int(locator.split("-")[1]) if "-" in locator else 0
        end = start + batch_size
        done = end >= len(rows)
        return Page(rows[start:end], len(rows), done, None if done else f"{base}-{end}")

    def _project(self, rec: dict[str, Any], names: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {"type": CELL, "url": f"/services/data/v67.0/sobjects/{CELL}/{rec['Id']}"}
        }
        for name in names:
            parts = name.split(".")
            if len(parts) == 1:
                out[name] = rec.get(name)
                continue
            src, dst = rec, out
            for hop in parts[:-1]:
                src = src.get(hop) or {}
                dst = dst.setdefault(hop, {"attributes": src.get("attributes", {})})
            dst[parts[-1]] = src.get(parts[-1])
        return out

    def update(self, object_name: str, records: list[dict[str, Any]]) -> list[SaveResult]:
        results = []
        for rec in records:
            errors: list[FieldError] = []
            if rec.get("Id") not in self.records:
                errors.append(
                    FieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                )
            for k, v in rec.items():
                if k not in ("Id", "AdjustedForecastedQuantity", "AdjustmentComments"):
                    errors.append(
                        FieldError(
                            "INVALID_FIELD_FOR_INSERT_UPDATE",
                            f"Unable to create/update fields: {k}.",
                            (k,),
                        )
                    )
                elif k == "AdjustedForecastedQuantity" and v is not None and v < 0:
                    errors.append(
                        FieldError(
                            "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Quantity can't be negative.", (k,)
                        )
                    )
            results.append(SaveResult(str(rec.get("Id")), not errors, tuple(errors)))
        if not all(r.success for r in results):
            rolled = FieldError(
                "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "Record rolled back because not all records were valid and the request was using AllOrNone header",
            )
            raise UpdateRefused(
                "refused",
                [r if not r.success else SaveResult(r.id, False, (rolled,)) for r in results],
            )
        for rec in records:
            held = self.records[rec["Id"]]
            if "AdjustedForecastedQuantity" in rec:
                self.history.append(
                    (
                        rec["Id"],
                        held["AdjustedForecastedQuantity"],
                        rec["AdjustedForecastedQuantity"],
                    )
                )
            held.update({k: v for k, v in rec.items() if k != "Id"})
        return results
