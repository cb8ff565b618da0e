"""Cycle close: the plan snapshot of a planner's region (54,000 cells in 18 months).

The aim is ceil(cells / 1,000) upsert calls for the lines plus one for the header, and a
handful of queries (the cells, the owners' adjustments, the targets, the headers). Call counts
do not vary between runs. Time is a ratio to a floor measured in the same run: reading the
same cells with the same query (what any close must do at least); wall time is printed for
information, never asserted. Verify (re-read the lines, recompute the hash) is timed too.

Uses the region org ``bench_push`` caches under ``build/bench/``, in a scratch copy.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path


def run() -> None:
    from bench.bench_push import region_org
    from sync.cycle.calendar import Calendar, cycle_of
    from sync.cycle.close import _cells, close_cycle
    from sync.cycle.snapshots import verify_snapshot
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER
    from sync.org.mapping import STANDARD
    from sync.pull.cells import org_today

    source = region_org()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "org.sqlite"
        shutil.copyfile(source, path)
        org = LocalOrg(path, username=DEMO_PLANNER)
        cycle = cycle_of(org_today(org))
        first, last = Calendar().periods(cycle)

        started = time.perf_counter()
        cells = _cells(org, STANDARD, first, last, None)
        floor = time.perf_counter() - started

        org.calls.query = org.calls.update = 0
        started = time.perf_counter()
        receipt = close_cycle(org, cycle)
        close = time.perf_counter() - started
        queries, writes = org.calls.query, org.calls.update

        started = time.perf_counter()
        verified = verify_snapshot(org, cycle)
        verify = time.perf_counter() - started

    aim = math.ceil(receipt.lines / 1000) + 1
    print(
        f"   {'cells':>7} {'lines':>7} {'writes':>6} {'aim':>4} {'queries':>7} "
        f"{'close s':>8} {'x floor':>7} {'verify s':>8} {'ok':>3}"
    )
    print(
        f"   {len(cells):>7,} {receipt.lines:>7,} {writes:>6} {aim:>4} {queries:>7} "
        f"{close:>8.2f} {close / floor:>7.1f} {verify:>8.2f} {'yes' if verified.ok else 'NO':>3}"
    )
    print(f"   floor: reading the {len(cells):,} cells once, {floor:.2f} s")
