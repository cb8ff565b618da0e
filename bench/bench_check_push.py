"""Check speed on review workbooks of ~3,000 and 54,000 forecast cells, as a ratio to the floor.

The floor is openpyxl loading the same workbook in the same run (``load_workbook``); the
physical floor is unzipping the grid's sheet and parsing it with lxml (``iterparse``, every
element seen and cleared): what any reader of this file must do. Check here is what
``demandgrid check`` does before writing: open the file (``XlsxBook``), read it back against its
hidden record, and run every rule over the changeset (1% of the cells edited, with notes).
"Before" is the same check with the workbook loaded by openpyxl first (how check read files
before issue 16). Writing the Check sheet and saving is reported separately.
Aims (issue 16): check <= 0.5x the floor; check with the Check sheet and the save < 2x check.

Workbooks come from ``bench/bench_pull.py``'s cache (``build/bench/``) when present, else they
are written here from synthetic pulled cells with the real writer.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd

from addin.book import xlsx
from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.check.sheet import write_check_sheet
from addin.review.readback import read_workbook
from addin.review.writer import write_workbook
from bench.edits import edit_share
from sync.org.records import CELL_COLUMNS, PullContext

BENCH_DIR = Path("build/bench")
SIZES = {"3k": (167, 18), "54k": (3000, 18)}  # account x product blocks, periods


@dataclass
class _Cells:
    frame: pd.DataFrame
    context: PullContext
    periods: list[date]


def synthetic_cells(blocks: int, months: int) -> _Cells:
    """``blocks`` account x product rows of ``months`` periods each, with plausible numbers."""
    periods = [date(2027 + (m // 12), m % 12 + 1, 1) for m in range(months)]
    n = blocks * months
    block = [b for b in range(blocks) for _ in range(months)]
    month = [m for _ in range(blocks) for m in range(months)]
    base = [100.0 + (b % 97) * 10 + m for b, m in zip(block, month, strict=True)]
    frame = pd.DataFrame(
        {
            "record_id": [f"0AZ{i:012d}AAA" for i in range(n)],
            "row_key": [f"0AP{b:012d}AAA" for b in block],
            "account_id": [f"001{b // 6:012d}AAA" for b in block],
            "account_name": [f"Account {b // 6:04d}" for b in block],
            "region": "EMEA",
            "product_id": [f"01t{b % 6:012d}AAA" for b in block],
            "product_name": [f"Product {b % 6}" for b in block],
            "product_family": [f"Family {b % 6}" for b in block],
            "period_id": [f"0Pd{m:012d}AAA" for m in month],
            "period_start": [periods[m] for m in month],
            "baseline": base,
            "adjusted": [v + 5 for v in base],
            "note": "",
            "actual": float("nan"),
            "last_year": [v - 10 for v in base],
            "target": [v + 20 for v in base],
            "modstamp": "2026-11-20T08:00:00.000+0000",
            "locked": False,
            "lock_reason": "",
        },
        columns=list(CELL_COLUMNS),
    )
    context = PullContext(
        org_id="00D000000000001AAA",
        org_name="Bench",
        instance="local:bench.sqlite",
        user_id="005000000000001AAA",
        user_name="Bench Rep",
        pulled_by="bench@example.com",
        pulled_at="2026-11-24T00:00:00Z",
        measure="quantity",
        profile="standard",
        horizon=months,
        first_period=periods[0],
    )
    return _Cells(frame, context, periods)


def workbook(label: str) -> Path:
    """The pulled workbook of this size, edited: from bench_pull's cache or written here."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    edited = BENCH_DIR / f"check-{label}.xlsx"
    cached = BENCH_DIR / f"review-{label}.xlsx"  # bench_pull's, from a real pull
    if not cached.exists():
        cached = BENCH_DIR / f"pulled-{label}.xlsx"
        if not cached.exists():
            write_workbook(synthetic_cells(*SIZES[label]), cached)
    if edited.exists() and edited.stat().st_mtime >= cached.stat().st_mtime:
        return edited
    shutil.copyfile(cached, edited)
    edit_share(edited)
    return edited


CPU: dict[str, float] = {}  # the same measurements in this process's CPU seconds (a busy machine)


def _best(fn, repeat: int = 3, cpu: str = "") -> float:  # type: ignore[no-untyped-def]
    times, cpus = [], []
    for _ in range(repeat):
        started, cpu0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu0)
    if cpu:
        CPU[cpu] = min(cpus)
    return min(times)


def physical_floor(path: Path, sheet: str = "xl/worksheets/sheet1.xml") -> float:
    """Seconds to unzip the grid's sheet of ``path`` and parse it with lxml, clearing as it goes."""
    from lxml import etree

    def parse() -> None:
        with zipfile.ZipFile(path) as package, package.open(sheet) as source:
            for _, element in etree.iterparse(source, events=("end",), huge_tree=True):
                element.clear()

    return _best(parse, cpu="physical")


def measure(label: str) -> dict[str, float]:
    path = workbook(label)
    floor = _best(lambda: openpyxl.load_workbook(path), cpu="floor")
    result: dict[str, float] = {}

    def run_check() -> None:
        report = check(read_workbook(XlsxBook.open(path)))
        result["changed"] = report.changed
        result["issues"] = len(report.issues)

    def run_check_before() -> None:
        kept, xlsx.DEFER_AT = xlsx.DEFER_AT, 10**12  # no sheet kept as XML
        try:
            book = XlsxBook.open(path)
            book._wb  # noqa: B018 - the whole workbook through openpyxl, as before issue 16
            check(read_workbook(book))
        finally:
            xlsx.DEFER_AT = kept

    checked = _best(run_check, cpu="check")
    before = _best(run_check_before, repeat=1, cpu="before")
    physical = physical_floor(path)
    scratch = path.with_name(f"scratch-{label}.xlsx")
    shutil.copyfile(path, scratch)

    def check_and_save() -> None:
        book = XlsxBook.open(scratch)
        reviewed = read_workbook(book)
        write_check_sheet(book, check(reviewed), reviewed.sheet)
        book.save()

    saved = _best(check_and_save, repeat=1, cpu="check_save")
    cells = len(read_workbook(XlsxBook.open(path)).record.cells)
    return {
        "cells": cells,
        "floor": floor,
        "physical": physical,
        "check": checked,
        "before": before,
        "check_save": saved,
        **result,
    }


#: The size the aims are for (issue 16): a planner's region.
AIMED = "54k"


def run() -> None:
    print("   check: open + read back + every rule, vs openpyxl load_workbook of the same file")
    print("   (aims for a region: check <= 0.5x floor; with Check sheet + save < 2x check alone)")
    for label in SIZES:
        m = measure(label)
        check_aim, save_aim = (" (aim <= 0.5x)", " (aim < 2x)") if label == AIMED else ("", "")
        print(
            f"   {int(m['cells']):>6,} cells ({int(m['changed']):,} changed): "
            f"floor {m['floor']:.2f} s, physical floor (unzip + lxml parse of the grid sheet) "
            f"{m['physical']:.2f} s\n"
            f"          check {m['check']:.2f} s = {m['check'] / m['floor']:.2f}x floor"
            f"{check_aim}, {m['check'] / m['physical']:.1f}x physical floor; "
            f"before (openpyxl load) {m['before']:.2f} s = {m['before'] / m['floor']:.2f}x floor\n"
            f"          with Check sheet + atomic save {m['check_save']:.2f} s = "
            f"{m['check_save'] / m['check']:.1f}x check alone{save_aim}\n"
            f"          in CPU seconds: floor {CPU['floor']:.2f}, physical {CPU['physical']:.2f}, "
            f"check {CPU['check']:.2f} = {CPU['check'] / CPU['floor']:.2f}x floor, before "
            f"{CPU['before']:.2f}, with Check sheet + save {CPU['check_save']:.2f} = "
            f"{CPU['check_save'] / CPU['check']:.1f}x check",
            flush=True,
        )


if __name__ == "__main__":
    run()
