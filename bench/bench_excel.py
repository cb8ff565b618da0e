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
from addin.excel.book import READ_BLOCK_CELLS, ExcelBook, row_bands, union_addresses
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
        from addin.review.pull import pull_review
        from sync.localorg import LocalOrg

        # as `demandgrid pull` writes it (Upside, POS and closed-review locks included), so
        # Refresh finds the grid it would write now
        pull_review(LocalOrg(org_path), rep, path, include_team=team, force=True)
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


def _count_growth(fake: Any) -> dict[str, Any]:
    """Count, from now on, the range calls ``ExcelBook`` spends beyond a range's first part:
    extra row bands of reads above the ceiling (``bands``) and extra address unions of marks
    (``unions``). Each part of one read or one marking costs the same calls."""
    growth: dict[str, Any] = {"bands": 0, "unions": 0, "originals": {}}

    def wrap(name: str, parts: Any, key: str) -> None:
        original = growth["originals"][name] = getattr(ExcelBook, name)

        def counted(self: ExcelBook, sheet: str, where: Any, *rest: Any) -> Any:
            before = _range_calls(fake.calls)
            answer = original(self, sheet, where, *rest)
            spent, n = _range_calls(fake.calls) - before, len(parts(where))
            growth[key] += spent - spent // n if n else 0
            return answer

        setattr(ExcelBook, name, counted)

    wrap("read", row_bands, "bands")
    wrap("read_formulas", row_bands, "bands")
    wrap("set_fill", lambda a: union_addresses([x.replace("$", "") for x in a]), "unions")
    return growth


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
    fake = _fake().open(book_path)
    growth = _count_growth(fake)
    try:
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
        for name, method in growth.pop("originals").items():
            setattr(ExcelBook, name, method)
    calls = fake.calls
    return {
        "edited": edited,
        "range": _range_calls(calls),
        "total": fake.total_calls,
        "notes": calls["note"],
        "largest": fake.largest_read,
        "bands": growth["bands"],
        "unions": growth["unions"],
        "seconds": seconds,
        "message": message.splitlines()[0][:90],
    }


def run() -> None:
    import tempfile

    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

    print("   calls into Excel per ribbon action (recording fake). Aims: range calls the same for")
    print("   one rep and for a region but for the calls of more row bands (a range above the")
    print(
        f"   read ceiling of {READ_BLOCK_CELLS:,} cells is read a band of rows at a time) and of more"
    )
    print("   mark unions (255 characters of marked addresses each); no read above the ceiling")
    sizes = [("3k", "demo", DEMO_REP, False), ("54k", "region", DEMO_PLANNER, True)]
    for label, size, rep, team in sizes:
        source, org_path = _workbook(label, size, rep, team)
        cells = len(read_workbook(XlsxBook.open(source)).record.cells)
        with tempfile.TemporaryDirectory() as scratch:
            for action in ("refresh", "check", "push", "merge-refresh", "spread"):
                m = _measure(action, source, org_path, Path(scratch))
                print(
                    f"   {cells:>6,} cells {action:>7} ({m['edited']:,} edited): "
                    f"{m['range']} range calls = {m['range'] - m['bands'] - m['unions']} + "
                    f"{m['bands']} for more row bands + {m['unions']} for more mark unions; "
                    f"{m['total']} calls in all ({m['notes']} notes read); largest read "
                    f"{m['largest']:,} cells; "
                    f"{m['seconds']:.1f} s on the fake\n"
                    f"          -> {m['message']}",
                    flush=True,
                )


if __name__ == "__main__":
    run()
