"""``demandgrid import allocation FILE``: a supply planner's allocation -> a planner's review
workbook of noted adjustments, which then goes through the normal check and push.

The planner's region is pulled as ``demandgrid pull --team`` does; every row of the file is tied
to a cell of that pull and validated first (``sync.handoff.allocation.plan_cuts``): one bad row
refuses the file, every problem listed by row, and nothing is written. Then the workbook is
written with each cut cell's Adjusted value lowered by the cut, reason code ``Allocation`` on
its row, the plan id in the row's note and a cell note per cut cell (cut, demand, percent,
shortfall, rule), and two sheets beside the grid: **Fairness** (cut percent by account beside
the rule applied) and **Allocation cuts** (one line per cut cell).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from addin.book.surface import ColumnFormat
from addin.book.xlsx import XlsxBook
from addin.handoff.files import FileRefused, read_rows, refuse_rows
from addin.review import layout
from addin.review.grid import starting_value
from addin.review.pull import check_workbook_path, pull_review
from addin.review.readback import read_workbook
from sync.cycle.locks import closed_lock_rules
from sync.handoff.allocation import COLUMNS, Cut, fairness, plan_cuts, product_codes
from sync.org.mapping import STANDARD
from sync.org.seam import Org
from sync.pull.cells import pull_cells

REASON = "Allocation"
FAIRNESS = "Fairness"
CUTS = "Allocation cuts"
NEEDED = tuple(c for c in COLUMNS if c != "rule")


@dataclass(frozen=True)
class AllocationWorkbook:
    path: Path
    plan_id: str
    cuts: int
    accounts: int
    total_cut: Decimal


def import_allocation(
    org: Org,
    path: Path,
    planner: str,
    out: Path,
    *,
    horizon: int = 18,
    history: int = 3,
    force: bool = False,
) -> AllocationWorkbook:
    """Validate the allocation at ``path`` against ``planner``'s region; write the workbook."""
    check_workbook_path(out)
    rows = read_rows(path, NEEDED)
    profile = STANDARD.with_measure("quantity")
    cells = pull_cells(
        org,
        planner,
        profile=profile,
        horizon=horizon,
        history=history,
        include_team=True,
        locks=closed_lock_rules(org),  # the same locks as the pull that writes the workbook
    )
    cuts, problems = plan_cuts(rows, cells.frame, product_codes(org))
    refuse_rows(path, problems, "applied")
    if not cuts:
        raise FileRefused(f"{Path(path).name} has no allocation rows (only its heading row).")
    pull_review(
        org,
        planner,
        out,
        horizon=horizon,
        history=history,
        profile=profile,
        include_team=True,
        force=force,
    )
    book = XlsxBook.open(out)
    apply_cuts(book, cuts)
    write_fairness(book, cuts, cells.frame)
    book.save()
    return AllocationWorkbook(
        path=Path(out),
        plan_id=cuts[0].plan_id if cuts else "",
        cuts=len(cuts),
        accounts=len({c.account_id for c in cuts}),
        total_cut=sum((c.cut for c in cuts), Decimal(0)),
    )


def apply_cuts(book: XlsxBook, cuts: list[Cut]) -> None:
    """Lower each cut cell's Adjusted value; reason code, row note and cell notes beside it."""
    reviewed = read_workbook(book)
    sheet = reviewed.sheet
    by_cell = reviewed.record.by_cell()
    moved = [
        c
        for c in cuts
        if _start(by_cell.get((c.row_key, c.period_start.isoformat()), {})) != c.demand
    ]
    if moved:
        c = moved[0]
        raise FileRefused(
            f"The forecast of {c.account_name} / {c.product_name} in {c.period_start:%b %Y} "
            f"changed in the org while the allocation was imported (it was {_number(c.demand)}). "
            f"{book.path} holds a fresh pull without cuts; run the import again."
        )
    by_row: dict[str, list[Cut]] = defaultdict(list)
    for c in cuts:
        by_row[c.row_key].append(c)
    notes: dict[str, str] = {}
    for key, group in by_row.items():
        row = reviewed.adjusted_rows[key]
        for c in group:
            address = reviewed.address(key, c.period_start)
            book.write(sheet, address, [[_number(c.allocated)]])
            notes[address] = c.note()
        rules = ", ".join(sorted({c.rule or "rule not stated" for c in group}))
        book.write(sheet, f"{reviewed.columns[layout.H_REASON]}{row}", [[REASON]])
        book.write(
            sheet,
            f"{reviewed.columns[layout.H_NOTE]}{row}",
            [[f"Allocation {group[0].plan_id} ({rules}): see each cut cell's note."]],
        )
    book.set_notes(sheet, notes)


def _start(cell: dict) -> Decimal | None:
    """The starting value the workbook shows for a recorded cell: adjusted, else baseline."""
    value = starting_value(cell.get("adjusted"), cell.get("baseline"))
    return None if value is None else Decimal(repr(float(value)))


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def write_fairness(book: XlsxBook, cuts: list[Cut], frame: pd.DataFrame | None = None) -> None:
    """The Fairness sheet (by account) and the Allocation cuts sheet (by cell)."""
    plan = cuts[0].plan_id if cuts else ""
    book.ensure_sheet(FAIRNESS, after=layout.SUMMARY)
    book.write(
        FAIRNESS,
        "A1",
        [
            [f"Allocation {plan}: cut by account, beside the rule applied"],
            ["Demand in the products and months the plan cuts; accounts not cut there show 0%."],
        ],
    )
    heading = ["Account", "Demand in cut months", "Cut", "Allocated", "Cut %", "Rule applied"]
    table = [
        [a, _number(d), _number(c), _number(left), float(p) / 100, r]
        for a, d, c, left, p, r in fairness(cuts, frame)
    ]
    book.write(FAIRNESS, "A3", [heading, *table])
    qty = "#,##0.##"
    book.format_table(
        FAIRNESS,
        "A3",
        [
            ColumnFormat(36),
            ColumnFormat(18, qty),
            ColumnFormat(12, qty),
            ColumnFormat(12, qty),
            ColumnFormat(9, "0.0%"),
            ColumnFormat(30, wrap=True),
        ],
        len(table),
        title_rows=2,
    )
    book.ensure_sheet(CUTS, after=FAIRNESS)
    book.write(
        CUTS, "A1", [[f"Allocation {plan}: one line per cut cell (file row in the last column)"]]
    )
    heading = [
        "Account",
        "Product",
        "Month",
        "Demand",
        "Cut",
        "Allocated",
        "Cut %",
        "Shortfall",
        "Rule",
        "File row",
    ]
    lines = [
        [
            c.account_name,
            c.product_name,
            c.period_start,
            _number(c.demand),
            _number(c.cut),
            _number(c.allocated),
            float(c.percent) / 100,
            _number(c.shortfall),
            c.rule,
            c.row,
        ]
        for c in sorted(cuts, key=lambda c: (c.product_name, c.period_start, c.account_name))
    ]
    book.write(CUTS, "A3", [heading, *lines])
    book.format_table(
        CUTS,
        "A3",
        [
            ColumnFormat(32),
            ColumnFormat(28),
            ColumnFormat(9, "mmm yy"),
            ColumnFormat(10, qty),
            ColumnFormat(10, qty),
            ColumnFormat(10, qty),
            ColumnFormat(8, "0.0%"),
            ColumnFormat(10, qty),
            ColumnFormat(22, wrap=True),
            ColumnFormat(8),
        ],
        len(lines),
        title_rows=2,
    )
