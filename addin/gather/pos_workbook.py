"""The governed POS submission workbook: built per distributor and month from the crosswalk
(``demandgrid pos template``), filled in by the distributor, and read back for import.

What the distributor sees: their part numbers and our product names (locked), a Units sold,
Sales value and Note column to fill (validated: numbers only; a negative (a return) needs a
note, marked red as they type), and empty rows below for parts not on the list. The sheet is
protected; only the input cells are open. A very hidden sheet carries the distributor's
account Id, the month and the template version, so import never guesses whose file it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from addin.book.atomic import save_beside
from addin.gather.errors import GatherFileRefused
from addin.gather.files import CellRefused, as_number, as_text
from sync.gather.pos import CrosswalkEntry, PosLine, Submission
from sync.gather.refusals import Refusal

SHEET = "POS"
META = "dg_pos"
VERSION = "1"
N_HEADING = "dg_pos_heading"
HEADINGS = ("Part number", "Product / description", "Units sold", "Sales value", "Note")
EXTRA_ROWS = 25
HEADING_ROW = 8
MAX_UNITS = 1_000_000_000

_INPUT = PatternFill("solid", fgColor="FFF2CC")
_LISTED = PatternFill("solid", fgColor="F2F2F2")
_RED = PatternFill("solid", fgColor="F4CCCC")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Template:
    path: Path
    distributor: str
    period: date
    parts: int


def build_template(
    path: Path,
    *,
    distributor_id: str,
    distributor_name: str,
    period: date,
    parts: list[CrosswalkEntry],
    deadline: date | None = None,
) -> Template:
    """Write the submission workbook for one distributor and month."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _header(ws, distributor_name, period, deadline, len(parts))
    first = HEADING_ROW + 1
    last = first + len(parts) + EXTRA_ROWS - 1
    for col, heading in enumerate(HEADINGS, start=1):
        cell = ws.cell(HEADING_ROW, col, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.border = _BOX
    for i in range(last - first + 1):
        row = first + i
        listed = i < len(parts)
        if listed:
            _text(ws.cell(row, 1), parts[i].part)
            _text(ws.cell(row, 2), parts[i].product_name)
        for col in range(1, 6):
            cell = ws.cell(row, col)
            cell.border = _BOX
            typed = col >= 3 or not listed
            cell.protection = Protection(locked=not typed)
            cell.fill = _INPUT if typed else _LISTED
            if col in (3, 4):
                cell.number_format = "#,##0.##"
            if col == 5:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _validations(ws, first, last, len(parts))
    ws.conditional_formatting.add(
        f"E{first}:E{last}",
        FormulaRule(formula=[f"AND(ISNUMBER($C{first}),$C{first}<0,LEN($E{first})=0)"], fill=_RED),
    )
    ws.conditional_formatting.add(
        f"C{first}:D{last}",
        FormulaRule(formula=[f"AND(LEN(C{first})>0,NOT(ISNUMBER(C{first})))"], fill=_RED),
    )
    ws["E3"] = f"=SUM(C{first}:C{last})"
    ws["E3"].number_format = "#,##0.##"
    ws["E3"].font = Font(bold=True)
    for letter, width in zip("ABCDE", (22, 40, 14, 16, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(first, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.defined_names[N_HEADING] = DefinedName(N_HEADING, attr_text=f"'{SHEET}'!$A${HEADING_ROW}")
    meta = wb.create_sheet(META)
    for key, value in (
        ("distributor_id", distributor_id),
        ("distributor", distributor_name),
        ("period", period.isoformat()),
        ("version", VERSION),
    ):
        meta.append([key])
        _text(meta.cell(meta.max_row, 2), value)
    meta.sheet_state = "veryHidden"
    save_beside(path, wb.save, keep_previous=False)
    return Template(path, distributor_name, period, len(parts))


def _header(ws: Any, distributor: str, period: date, deadline: date | None, parts: int) -> None:
    ws["A1"] = "Point-of-sale report"
    ws["A1"].font = Font(bold=True, size=14)
    rows = (
        ("Distributor", distributor),
        ("Month", f"{period:%B %Y}"),
        ("Send back by", f"{deadline:%d %B %Y}" if deadline else "as agreed"),
    )
    for n, (label, value) in enumerate(rows, start=2):
        ws.cell(n, 1, label).font = Font(bold=True)
        _text(ws.cell(n, 2), value)
    ws["D3"] = "Units total"
    ws["D3"].font = Font(bold=True)
    ws.merge_cells("A6:E6")
    ws["A6"] = (
        f"Type the units you sold to end customers in {period:%B %Y} for each of the {parts} "
        "parts listed (0 if none; leave blank only for parts you no longer carry). Add parts that "
        "are not listed in the empty rows below. A return is a negative number and needs a Note; "
        "use Note for anything unusual (a one-off project, a stock correction)."
    )
    ws["A6"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[6].height = 48


def _text(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # a part number or name from the org stays text, even "=..."


def _validations(ws: Any, first: int, last: int, listed: int) -> None:
    units = DataValidation(
        type="decimal",
        operator="between",
        formula1=str(-MAX_UNITS),
        formula2=str(MAX_UNITS),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Units sold",
        error="Type a number of units (negative for a return, with a Note).",
    )
    value = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="1000000000000",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Sales value",
        error="Type the sales value as a number (no currency sign).",
    )
    note = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="255",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Note",
        error="Keep the note under 255 characters.",
    )
    units.add(f"C{first}:C{last}")
    value.add(f"D{first}:D{last}")
    note.add(f"E{first}:E{last}")
    for v in (units, value, note):
        ws.add_data_validation(v)
    if first + listed <= last:
        part = DataValidation(
            type="textLength",
            operator="between",
            formula1="1",
            formula2="60",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Part number",
            error="Type your part number (up to 60 characters).",
        )
        part.add(f"A{first + listed}:A{last}")
        ws.add_data_validation(part)


# ---------------------------------------------------------------- reading a returned file


def read_submission(path: Path) -> tuple[Submission, list[Refusal]]:
    """A returned workbook's lines, and a refusal for every cell that cannot load."""
    if not path.is_file():
        raise GatherFileRefused(f"{path}: no such file. Check the path.")
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is the same message
        raise GatherFileRefused(
            f"{path}: not a readable .xlsx workbook ({type(e).__name__}). "
            "Ask the distributor to save it as .xlsx and send it again."
        ) from None
    if META not in wb.sheetnames or SHEET not in wb.sheetnames:
        raise GatherFileRefused(
            f"{path}: not a POS submission workbook (no {SHEET!r} sheet or no demandgrid "
            "record). Send the distributor a workbook from 'demandgrid pos template'."
        )
    meta = {str(r[0]): r[1] for r in wb[META].iter_rows(values_only=True) if r and r[0] is not None}
    try:
        period = date.fromisoformat(str(meta["period"]))
        distributor = str(meta["distributor_id"])
    except (KeyError, ValueError):
        raise GatherFileRefused(
            f"{path}: the workbook's hidden record is damaged. Send the distributor a new "
            "workbook from 'demandgrid pos template'."
        ) from None
    ws = wb[SHEET]
    lines: list[PosLine] = []
    refusals: list[Refusal] = []
    for n, row in enumerate(ws.iter_rows(min_row=HEADING_ROW + 1, max_col=5, values_only=True)):
        number = HEADING_ROW + 1 + n
        part, _, units, value, note = (*row, None, None, None, None, None)[:5]
        line = _line(number, part, units, value, note, refusals)
        if line is not None:
            lines.append(line)
    return Submission(distributor, period, tuple(lines), path.name), refusals


def _line(
    row: int, part: Any, units: Any, value: Any, note: Any, refusals: list[Refusal]
) -> PosLine | None:
    part_text = as_text(part) if part is not None else ""
    empty = all(v is None or as_text(v) == "" for v in (units, value))
    if empty:
        return None  # a listed part left blank, or an unused row
    if not part_text:
        refusals.append(
            Refusal(row, "Part number", "", "units without a part number", "Type the part number.")
        )
        return None
    try:
        quantity = as_number(units)
    except CellRefused as e:
        refusals.append(Refusal(row, "Units sold", as_text(units)[:40], str(e), e.fix))
        return None
    try:
        revenue = as_number(value, required=False)
    except CellRefused as e:
        refusals.append(Refusal(row, "Sales value", as_text(value)[:40], str(e), e.fix))
        return None
    return PosLine(row, part_text, quantity or 0.0, revenue, as_text(note) if note else "")
