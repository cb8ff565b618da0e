"""Review edits the benchmarks make on a pulled workbook: a share of the open Adjusted cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from addin.book.xlsx import XlsxBook
from addin.review import layout
from addin.review.grid import starting_value
from addin.review.readback import read_workbook

EDITED = 0.01  # share of the open Adjusted cells a benchmark changes


def edit_share(path: Path, share: float = EDITED, *, with_notes: bool = True) -> int:
    """Change every 1/``share``-th open Adjusted cell by about +10% (with a reason code and a
    note on its row when ``with_notes``); save; return how many cells changed."""
    reviewed = read_workbook(XlsxBook.open(path))
    wb = openpyxl.load_workbook(path)
    ws = wb[reviewed.sheet]
    note, reason = reviewed.columns[layout.H_NOTE], reviewed.columns[layout.H_REASON]
    every = max(1, round(1 / share))
    open_cells = [c for c in reviewed.record.cells if not c["locked"]]
    edited = 0
    for i, cell in enumerate(open_cells):
        if i % every:
            continue
        key = cell["row_key"]
        address = reviewed.address(key, date.fromisoformat(cell["period_start"]))
        start = starting_value(cell["adjusted"], cell["baseline"]) or 10.0
        ws[address].value = round(start * 1.1) + 1  # a plausible review change
        edited += 1
        if with_notes:
            row = reviewed.adjusted_rows[key]
            ws[f"{note}{row}"].value = "Bench note"
            ws[f"{reason}{row}"].value = layout.REASON_CODES[0]
    wb.save(path)
    return edited
