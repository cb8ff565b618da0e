"""Push: API calls and wall time for 100, 1,000 and 10,000 changed cells on a region-sized org.

The aim is the minimum: ceil(changes / 1,000) update calls, plus the re-read queries before
writing and as many after (the new stamps), each as full as a query page (2,000 records) and a
REST URL (16 KB, about 440 Ids) allow. Call counts do
not vary between runs; wall time is printed for information, never asserted.

The region org (54,000 cells in 18 months) is built once and cached under ``build/bench/``;
each run pushes into a scratch copy so the cache stays pristine.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from simple_salesforce import format_soql

from sync.org.mapping import STANDARD
from sync.org.records import Change
from sync.org.seam import UPDATE_LIMIT, Org

CACHE = Path("build/bench/push-region-org.sqlite")
SIZES = (100, 1_000, 10_000)


def region_org() -> Path:
    """The cached region-sized local org (built on first use, per day: periods move)."""
    from sync.localorg.demo.org import create_demo_org

    today = datetime.now(UTC).date()
    stamp = CACHE.with_suffix(".as_of")
    if not CACHE.exists() or not stamp.exists() or stamp.read_text() != today.isoformat():
        print(f"   building the region org once into {CACHE} ...", flush=True)
        create_demo_org(CACHE, size="region", as_of=today)
        stamp.write_text(today.isoformat())
    return CACHE


def changes_for(org: Org, n: int, value: float) -> list[Change]:
    """``n`` changeable cells (future, non-frozen, forecast not Expired) set to ``value``."""
    today = datetime.now(UTC).date()
    month = today.month + 2
    start = date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    soql = format_soql(
        "SELECT Id, {adj:literal}, SystemModstamp, StartDate FROM {obj:literal} "
        "WHERE StartDate >= {start} AND AccountProductForecast.AccountForecast.Status != 'Expired' "
        "ORDER BY Id LIMIT {n}",
        adj=STANDARD.adjusted,
        obj=STANDARD.cell_object,
        start=start,
        n=n,
    )
    return [
        Change(
            record_id=r["Id"],
            sheet="Review",
            cell=f"H{i + 10}",
            account_name="",
            product_name="",
            period_start=date.fromisoformat(str(r["StartDate"])[:10]),
            old=r.get(STANDARD.adjusted),
            new=value,
            note="bench",
            reason_code="Other",
            modstamp=r["SystemModstamp"],
        )
        for i, r in enumerate(org.query(soql))
    ]


def run() -> None:
    from sync.localorg import LocalOrg
    from sync.push.engine import push, reread_soql

    source = region_org()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "org.sqlite"
        shutil.copyfile(source, path)
        org = LocalOrg(path)
        print(
            f"   {'changed cells':>13} {'update calls':>12} {'aim':>4} {'queries':>7} {'aim':>4} "
            f"{'all calls':>9} {'wall s':>7}"
        )
        for k, n in enumerate(SIZES):
            changes = changes_for(org, n, value=1_000.0 + k)
            before = org.calls.total
            started = time.perf_counter()
            receipt = push(org, changes)
            wall = time.perf_counter() - started
            minimum = math.ceil(n / UPDATE_LIMIT)
            ids = [c.record_id for c in changes]
            per_call = [
                len(reread_soql(org, ids[i : i + UPDATE_LIMIT]))
                for i in range(0, len(ids), UPDATE_LIMIT)
            ]
            aim = len(reread_soql(org, ids)) + sum(per_call) + sum(per_call[1:])
            print(
                f"   {n:>13,} {receipt.update_calls:>12} {minimum:>4} {receipt.query_calls:>7} "
                f"{aim:>4} {org.calls.total - before:>9} {wall:>7.2f}",
                flush=True,
            )
        org.close()
    print(
        "   (aim: ceil(n/1,000) update calls; queries: the plan's re-read, a re-read before "
        "each later call and one proof query (history + new stamps) per chunk of each call "
        "(ADR 10), each as full as a 2,000-record page and a 16 KB REST URL allow; "
        "all calls add one limits call)"
    )


if __name__ == "__main__":
    run()
