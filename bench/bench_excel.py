"""Calls into Excel for the ribbon's Refresh, Check and Push: one rep and a 54,000-cell region.

Live Excel cannot run here, so the ribbon actions run on ``tests/fake_xlwings.py``, which
counts every call that would cross to Excel (COM on Windows, AppleScript on macOS). Reported:
range calls (the ones that would grow with cells if anything looped over them), all calls, and
the share of those that grow with what is marked or noted rather than with the grid, and the
largest single read in cells (the memory ceiling: ranges above ``READ_BLOCK_CELLS`` are read
in bands of rows). The
workbooks and orgs are ``bench/bench_pull.py``'s (``build/bench/``), pulled here if absent.
Check and push run with 1% of the open Adjusted cells edited (push: each with a reason code
and a note; check: without, so every edit is marked). Merge-refresh (issue 15) refreshes with
those 1% unpushed; spread applies a New total typed on 10% of the Adjusted rows.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from addin.book.xlsx import XlsxBook
from addin.excel import ribbon
from addin.excel.book import READ_BLOCK_CELLS, ExcelBook
from addin.review.readback import read_workbook
from bench.edits import edit_share

BENCH_DIR = Path("build/bench")


def _fake() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from fake_xlwings import FakeBook

    return FakeBook


def _workbook(label: str, size: str, rep: str, team: bool) -> tuple[Path, Path]:
    """(review workbook, org it was pulled from), from bench_pull's cache or pulled now."""
    from bench.bench_pull import cached_org

    org_path = cached_org(size)
    path = BENCH_DIR / f"review-{label}.xlsx"
    if not path.exists() or path.stat().st_mtime < org_path.stat().st_mtime:
        from addin.review.writer import write_workbook
        from sync.localorg import LocalOrg
        from sync.pull.cells import pull_cells

        write_workbook(pull_cells(LocalOrg(org_path), rep, include_team=team), path)
    return path, org_path


def _type_totals(path: Path, share: float = 0.1) -> int:
    """A New total (the row's total now, +10%) on every 1/``share``-th Adjusted row."""
    import openpyxl

    from addin.review import layout

    reviewed = read_workbook(XlsxBook.open(path))
    wb = openpyxl.load_workbook(path)
    ws = wb[reviewed.sheet]
    column = reviewed.columns[layout.H_NEW_TOTAL]
    rows = sorted(reviewed.adjusted_rows.values())[:: max(1, round(1 / share))]
    for row in rows:
        now = [ws[f"{c}{row}"].value for c in reviewed.period_columns.values()]
        ws[f"{column}{row}"].value = round(1.1 * sum(v for v in now if v) + 1)
    wb.save(path)
    return len(rows)


def _range_calls(calls: Counter[str]) -> int:
    return sum(n for what, n in calls.items() if what.startswith(("range.", "sheet.range")))


def _measure(action: str, source: Path, org_path: Path, scratch: Path) -> dict[str, Any]:
    from sync.localorg import LocalOrg

    book_path, org_copy = scratch / f"{action}.xlsx", scratch / f"{action}.sqlite"
    shutil.copyfile(source, book_path)
    shutil.copyfile(org_path, org_copy)
    if action == "spread":
        edited = _type_totals(book_path)
    else:
        edited = 0 if action == "refresh" else edit_share(book_path, with_notes=action != "check")
    org = LocalOrg(org_copy)
    ribbon_org_for = ribbon.org_for
    ribbon.org_for = lambda book: org  # type: ignore[assignment]
    try:
        fake = _fake().open(book_path)
        started = time.perf_counter()
        message = ribbon.run(
            {
                "refresh": ribbon.refresh_action,
                "check": ribbon.check_action,
                "push": ribbon.push_action,
                "merge-refresh": ribbon.refresh_action,
                "spread": ribbon.spread_apply_action,
            }[action],
            ExcelBook(fake),
        )
        seconds = time.perf_counter() - started
    finally:
        ribbon.org_for = ribbon_org_for  # type: ignore[assignment]
    calls = fake.calls
    return {
        "edited": edited,
        "range": _range_calls(calls),
        "total": fake.total_calls,
        "marks": calls["range.color.set"],
        "notes": calls["note"],
        "largest": fake.largest_read,
        "seconds": seconds,
        "message": message.splitlines()[0][:90],
    }


def run() -> None:
    import tempfile

    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

    print("   calls into Excel per ribbon action (recording fake; aim: range calls the same")
    print("   for one rep and for a region, and no read above the ceiling of")
    print(f"   {READ_BLOCK_CELLS:,} cells: bigger ranges go in bands of rows, a call each)")
    sizes = [("3k", "demo", DEMO_REP, False), ("54k", "region", DEMO_PLANNER, True)]
    for label, size, rep, team in sizes:
        source, org_path = _workbook(label, size, rep, team)
        cells = len(read_workbook(XlsxBook.open(source)).record.cells)
        with tempfile.TemporaryDirectory() as scratch:
            for action in ("refresh", "check", "push", "merge-refresh", "spread"):
                m = _measure(action, source, org_path, Path(scratch))
                print(
                    f"   {cells:>6,} cells {action:>7} ({m['edited']:,} edited): "
                    f"{m['range']} range calls, {m['total']} calls in all "
                    f"({m['marks']} mark unions, {m['notes']} notes read); largest read "
                    f"{m['largest']:,} cells; "
                    f"{m['seconds']:.1f} s on the fake\n"
                    f"          -> {m['message']}",
                    flush=True,
                )


if __name__ == "__main__":
    run()
