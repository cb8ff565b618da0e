"""Supply hand-off (issue 13): exporting a 54,000-cell locked consensus plan.

A copy of the demo org gets a closed cycle's snapshot of 54,000 lines (its 600 account x product
forecasts x 90 months), written with ``org.upsert`` in calls of 1,000. Then the plan is exported
to CSV and to Parquet: wall and CPU time, the ratio to a floor measured in this same run
(Python's csv module writing the same rows of text, no org), and the org queries against the
pages the lines alone need (2,000 records a page) plus the header's query.
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
import time
from pathlib import Path

from simple_salesforce import format_soql

from bench.bench_pull import cached_org
from sync.org.seam import QUERY_PAGE, UPDATE_LIMIT
from sync.org.snapshot import content_hash, snapshot_id

LINES = 54_000
CYCLE = "2027-06"  # a cycle the demo org has not closed
SNAPSHOT_ID = snapshot_id(CYCLE, None)


def _months(count: int) -> list[str]:
    return [f"{2024 + m // 12:04d}-{m % 12 + 1:02d}-01" for m in range(count)]


def _write_snapshot(org) -> float:  # type: ignore[no-untyped-def]
    soql = "SELECT AccountForecast.AccountId, ProductId FROM AccountProductForecast"
    pairs = sorted({(r["AccountForecast"]["AccountId"], r["ProductId"]) for r in org.query(soql)})
    months = _months(math.ceil(LINES / len(pairs)))
    records = [
        {
            "LineKey__c": f"{SNAPSHOT_ID}|{a[:15]}|{p[:15]}|{m[:7]}",  # sync.org.snapshot.line_key
            "Name": f"{SNAPSHOT_ID} {i}",
            "SnapshotId__c": SNAPSHOT_ID,
            "Cycle__c": CYCLE,
            "Account__c": a,
            "Product__c": p,
            "PeriodStartDate__c": m,
            "Quantity__c": float(100 + (i % 977)) + (i % 4) / 4,
            "Revenue__c": round((100 + (i % 977)) * 12.34, 2),
            "IsLocked__c": True,
        }
        for i, ((a, p), m) in enumerate((pair, m) for pair in pairs for m in months)
    ][:LINES]
    started = time.perf_counter()
    for start in range(0, len(records), UPDATE_LIMIT):
        org.upsert("DemandPlanSnapshot__c", "LineKey__c", records[start : start + UPDATE_LIMIT])
    org.upsert(
        "DemandPlanCycle__c",
        "SnapshotId__c",
        [
            {
                "SnapshotId__c": SNAPSHOT_ID,
                "Name": SNAPSHOT_ID,
                "Cycle__c": CYCLE,
                "ClosedAt__c": "2026-11-27T17:00:00.000+0000",
                "LineCount__c": len(records),
                "Status__c": "Closed",
                "ContentHash__c": content_hash(SNAPSHOT_ID, CYCLE, None, records),
            }
        ],
    )
    return time.perf_counter() - started


def _floor(rows: list[list[str]], path: Path) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return time.perf_counter() - started, time.process_time() - cpu


def run() -> None:
    from addin.handoff.export import _texts, export_consensus
    from sync.handoff.consensus import read_consensus
    from sync.localorg import LocalOrg

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        org_path = folder / "org.sqlite"
        shutil.copyfile(cached_org("demo"), org_path)
        org = LocalOrg(org_path)
        upsert_seconds = _write_snapshot(org)
        calls = math.ceil(LINES / UPDATE_LIMIT) + 1
        print(
            f"   snapshot of {LINES:,} lines written in {upsert_seconds:.1f} s ({calls} upsert calls)"
        )
        check = format_soql(
            "SELECT Id FROM DemandPlanSnapshot__c WHERE SnapshotId__c = {}", SNAPSHOT_ID
        )
        assert sum(1 for _ in org.query(check)) == LINES
        plan = read_consensus(org, CYCLE)
        floor, floor_cpu = _floor(
            [_texts(plan.header, x) for x in plan.lines], folder / "floor.csv"
        )
        for suffix in ("csv", "parquet"):
            before = org.calls.query
            started, cpu = time.perf_counter(), time.process_time()
            done = export_consensus(org, CYCLE, folder / f"consensus.{suffix}")
            wall, used = time.perf_counter() - started, time.process_time() - cpu
            queries = org.calls.query - before
            pages = math.ceil(LINES / QUERY_PAGE) + 1
            size = (folder / f"consensus.{suffix}").stat().st_size
            print(
                f"   export {suffix:<7} {done.lines:,} lines: {wall:.2f} s wall, {used:.2f} s CPU "
                f"({used / floor_cpu:.1f}x the csv-module floor of {floor_cpu:.2f} s CPU, "
                f"{floor:.2f} s wall); {queries} queries (pages needed {pages}); {size:,} bytes"
            )
        org.close()
