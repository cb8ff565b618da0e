"""Phase 1 gathering (issue 13 A): loading 100,000 ERP actuals rows into a region-sized org.

The aim is the minimum the org's batch limits allow: ceil(rows / 1,000) upsert calls for
``ErpActual__c`` plus ceil(schedules / 1,000) agreement-schedule updates and one call for the
load's log line; the reads are the lookups (accounts, products), the agreement schedules and
what the org already holds, each in 2,000-record pages. A second load of the same file makes
0 write calls. Wall time is printed against a floor measured in the same run (reading the same
file with the csv module), never asserted.
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.bench_push import region_org
from sync.org.seam import UPDATE_LIMIT, Org

ROWS = 100_000


def write_extract(org: Org, path: Path, rows: int = ROWS) -> int:
    """``rows`` ERP rows: every account x product x closed month, newest months first."""
    from sync.pull.cells import org_today

    accounts = [r["Name"] for r in org.query("SELECT Name FROM Account ORDER BY Name")]
    products = [
        r["ProductCode"] for r in org.query("SELECT ProductCode FROM Product2 ORDER BY ProductCode")
    ]
    month = org_today(org).replace(day=1)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["account", "product", "month", "quantity", "revenue"])
        while written < rows:
            month = (month - timedelta(days=1)).replace(day=1)
            for a, account in enumerate(accounts):
                for p, product in enumerate(products):
                    if written == rows:
                        break
                    quantity = (a * 31 + p * 7 + month.month) % 500 + 1
                    out.writerow([account, product, f"{month:%Y-%m}", quantity, quantity * 12.5])
                    written += 1
    return len(set(accounts))


def _floor(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as f:
        sum(1 for _ in csv.reader(f))
    return time.perf_counter() - started


def _load_twice(org: Org, extract: Path, label: str, floor: float) -> None:
    from addin.gather.actuals import load_actuals_file
    from sync.pull.cells import org_today

    for load in ("first", "second"):
        writes, queries = org.calls.update, org.calls.query
        started = time.perf_counter()
        done = load_actuals_file(org, extract, today=org_today(org))
        wall = time.perf_counter() - started
        plan = done.plan
        aim = (
            math.ceil(len(plan.actuals) / UPDATE_LIMIT)
            + math.ceil(len(plan.schedules) / UPDATE_LIMIT)
            + (1 if plan.actuals or plan.schedules else 0)
        )
        print(
            f"   {label:<10} {load:<7} {plan.rows:>8,} {org.calls.update - writes:>6} {aim:>4} "
            f"{org.calls.query - queries:>7} {wall:>7.2f} {wall / floor:>8.0f}",
            flush=True,
        )


def run() -> None:
    from bench.bench_salesforce import _salesforce
    from sync.localorg import LocalOrg
    from tests.sfserver.server import SalesforceServer

    source = region_org()
    with tempfile.TemporaryDirectory() as scratch:
        extract = Path(scratch) / "erp.csv"
        print(
            f"   {'backend':<10} {'load':<7} {'rows':>8} {'writes':>6} {'aim':>4} {'queries':>7} "
            f"{'wall s':>7} {'x floor':>8}"
        )
        floor = 0.0
        for backend in ("local", "salesforce"):
            path = Path(scratch) / f"{backend}.sqlite"
            shutil.copyfile(source, path)
            if backend == "local":
                org: Org = LocalOrg(path)
                write_extract(org, extract)
                floor = _floor(extract)
                _load_twice(org, extract, backend, floor)
                continue
            with SalesforceServer(lambda p=path: LocalOrg(p)) as server:
                org = _salesforce(server)
                org.identity()
                _load_twice(org, extract, backend, floor)
    print(
        f"   (aim: ceil(rows/1,000) upserts + ceil(schedules/1,000) updates + 1 log line; "
        f"floor: reading the file with the csv module, {floor:.2f} s; queries: lookups, "
        "schedules, what the org holds and the reconciliation, in 2,000-record pages; "
        "salesforce: simple-salesforce through the HTTPS test server on a copy of the same org)"
    )


if __name__ == "__main__":
    run()
