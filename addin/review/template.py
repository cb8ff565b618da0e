"""Build the review workbook template, ``workbook_templates/review.xlsx``, from code.

The template holds what a customer may restyle: the named styles, the sheets, the header
area with its labels, and the anchor defined names (``addin.review.layout``) that tell the writer
where everything goes. The pull fills a copy; it never relies on a fixed address. Run
``demandgrid template build`` (``make template``) after changing this module, and commit the
rebuilt file: ``tests/test_template.py`` checks the committed file matches a fresh build.

The template's widths suit ordinary names; an org's names may run longer. ``fit_text``, run by
the writer once the workbook is filled, widens the name columns (account, region, product
family, product; the Summary's name columns) to the longest name they hold, up to
``MAX_WIDTH``, and gives rows whose text wraps (the lock reasons over the periods, a long
pulled note) the height of their lines: neither LibreOffice nor Excel fits a row's height when
it opens a file, only when a cell is edited.
"""

from __future__ import annotations

import math
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from addin.review import layout
from addin.review.grid import Grid, column_letter

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"
REVIEW_TEMPLATE = TEMPLATE_DIR / "review.xlsx"

#: Fixed document stamps, so a rebuild differs from the committed file only where it should.
_STAMP = datetime(2026, 1, 1)

NUMBER = "#,##0"
PERIOD_HEADING = "mmm yy"

# Where the header and anchors sit in the template (the writer finds them by name, not here).
_HEADER_LABELS = {  # label cell -> (label, value cell, defined name)
    "A2": ("Rep", "B2", layout.N_REP),
    "A3": ("Org", "B3", layout.N_ORG),
    "A4": ("Pulled at", "B4", layout.N_PULLED_AT),
    "A5": ("Measure", "B5", layout.N_MEASURE),
    "F2": ("Changed cells", "G2", layout.N_CHANGED_CELLS),
    "F3": ("Open problems", "G3", layout.N_OPEN_PROBLEMS),
    "F4": ("Data loaded", "G4", layout.N_FRESHNESS),  # issue 13 A: ERP actuals, POS
}
_HINT = (
    "Edit the yellow Adjusted cells. Give every changed row a reason code and a note "
    "(a cell note overrides the row note). Orange: changed. Red: changed without reason or "
    "note. Grey: locked. Then run Check and Push."
)
# Account, Region, Product family, Product, Row, Reason code, Note: wide enough for the
# names and notes a rep reads; longer names widen their column at pull (addin.review.widths).
_COLUMN_WIDTHS = {"A": 30, "B": 14, "C": 16, "D": 32, "E": 10, "F": 22, "G": 40}


def _side(color: str = "BFBFBF") -> Side:
    return Side(style="thin", color=color)


def _box() -> Border:
    return Border(left=_side(), right=_side(), top=_side(), bottom=_side())


def _font(color: str, *, bold: bool = False) -> Font:
    return Font(name="Calibri", size=11, bold=bold, color=color)


def named_styles() -> list[NamedStyle]:
    """The program's named styles; a customer restyles them in the template, in one place."""
    return [
        NamedStyle(
            name=layout.STYLE_INPUT,
            font=_font("0000FF"),
            fill=PatternFill("solid", fgColor="FFF2CC"),
            border=_box(),
            number_format=NUMBER,
            protection=Protection(locked=False),
        ),
        NamedStyle(
            name=layout.STYLE_TEXT_INPUT,
            font=_font("0000FF"),
            fill=PatternFill("solid", fgColor="FFF2CC"),
            border=_box(),
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
            protection=Protection(locked=False),
        ),
        NamedStyle(
            name=layout.STYLE_READONLY,
            font=_font("000000"),
            number_format=NUMBER,
            protection=Protection(locked=True),
        ),
        NamedStyle(
            name=layout.STYLE_LOCKED,
            font=_font("595959"),
            fill=PatternFill("solid", fgColor="D9D9D9"),
            border=_box(),
            number_format=NUMBER,
            protection=Protection(locked=True),
        ),
        NamedStyle(
            name=layout.STYLE_HEADING,
            font=_font("FFFFFF", bold=True),
            fill=PatternFill("solid", fgColor="1F4E78"),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            protection=Protection(locked=True),
        ),
        NamedStyle(
            name=layout.STYLE_TOTAL,
            font=_font("000000", bold=True),
            fill=PatternFill("solid", fgColor="F2F2F2"),
            number_format=NUMBER,
            protection=Protection(locked=True),
        ),
    ]


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide: how a rep prints the review for a meeting."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False


def _define(wb: Workbook, name: str, sheet: str, cell: str) -> None:
    col = "".join(ch for ch in cell if ch.isalpha())
    row = "".join(ch for ch in cell if ch.isdigit())
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!${col}${row}")


def build_template_workbook() -> Workbook:
    """The template as an in-memory workbook (also the writer's fallback when no file exists)."""
    wb = Workbook()
    wb.properties.created = _STAMP
    wb.properties.modified = _STAMP
    wb.properties.creator = "demandgrid"
    wb.properties.title = "demandgrid review workbook template"
    for style in named_styles():
        wb.add_named_style(style)

    review = wb.active
    assert review is not None
    review.title = layout.REVIEW
    review["A1"] = "Demand review"
    review["A1"].font = Font(size=16, bold=True, color="1F4E78")
    _define(wb, layout.N_TITLE, layout.REVIEW, "A1")
    for label_cell, (label, value_cell, name) in _HEADER_LABELS.items():
        review[label_cell] = label
        review[label_cell].font = Font(bold=True, color="595959")
        _define(wb, name, layout.REVIEW, value_cell)
    for counter in ("G2", "G3"):
        review[counter].font = Font(bold=True, size=12)
        review[counter].number_format = NUMBER
        review[counter].alignment = Alignment(horizontal="left")
    review["A6"] = _HINT
    review["A6"].font = Font(italic=True, color="595959")
    review["G7"] = "Locked periods:"
    review["G7"].font = Font(italic=True, color="595959")
    review["G7"].alignment = Alignment(horizontal="right")
    _define(wb, layout.N_LOCK_ANCHOR, layout.REVIEW, "G7")
    _define(wb, layout.N_GRID_ANCHOR, layout.REVIEW, "A8")
    for col, width in _COLUMN_WIDTHS.items():
        review.column_dimensions[col].width = width
    review.row_dimensions[8].height = 30
    _print_setup(review)

    summary = wb.create_sheet(layout.SUMMARY)
    summary["A1"] = "Summary: adjusted forecast vs target"
    summary["A1"].font = Font(size=16, bold=True, color="1F4E78")
    summary["A2"] = "Live: these totals follow the Review sheet as you type."
    summary["A2"].font = Font(italic=True, color="595959")
    summary["A4"] = "By account"
    summary["I4"] = "By product family"
    for cell in ("A4", "I4"):
        summary[cell].font = Font(size=12, bold=True)
    _define(wb, layout.N_SUMMARY_ACCOUNT, layout.SUMMARY, "A5")
    _define(wb, layout.N_SUMMARY_FAMILY, layout.SUMMARY, "I5")
    for col, width in {"A": 30, "I": 22}.items():
        summary.column_dimensions[col].width = width
    for col in "BCDEFJKLMN":
        summary.column_dimensions[col].width = 14
    _print_setup(summary)

    lists = wb.create_sheet(layout.LISTS)
    lists["A1"] = "Reason codes"
    lists["A1"].font = Font(bold=True)
    for i, code in enumerate(layout.REASON_CODES, start=2):
        lists.cell(row=i, column=1, value=code)
    last = 1 + len(layout.REASON_CODES)
    wb.defined_names[layout.N_REASON_CODES] = DefinedName(
        layout.N_REASON_CODES, attr_text=f"'{layout.LISTS}'!$A$2:$A${last}"
    )
    lists.column_dimensions["A"].width = 26
    lists.sheet_state = "hidden"

    record = wb.create_sheet(layout.RECORD)
    _define(wb, layout.N_RECORD, layout.RECORD, "A1")
    record.sheet_state = "veryHidden"

    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def build_template(path: Path = REVIEW_TEMPLATE) -> Path:
    """Write the template to ``path`` (default: the repo's ``workbook_templates/review.xlsx``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template_workbook().save(path)
    return path


# ---------------------------------------------------------------- at pull: text shown whole

#: Widest a name column grows (characters); a longer name wraps in its cell note, not here.
MAX_WIDTH = 60
#: Points per line of 11-point text.
LINE_HEIGHT = 15
#: Characters of bold 11-point text per width unit (the width of a "0"), with a margin.
BOLD = 1.15
NAME_COLUMNS = (layout.H_ACCOUNT, layout.H_REGION, layout.H_FAMILY, layout.H_PRODUCT)


def _width(ws: Worksheet, letter: str) -> float:
    dim = ws.column_dimensions.get(letter)
    return dim.width if dim is not None and dim.customWidth else 8.43


def _fit(ws: Worksheet, letter: str, texts: list[Any]) -> None:
    longest = max((len(t) for t in texts if isinstance(t, str)), default=0)
    needed = min(MAX_WIDTH, math.ceil(longest * BOLD) + 2)
    if needed > _width(ws, letter):
        ws.column_dimensions[letter].width = needed


def lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at word boundaries in a column ``width`` wide."""
    fits = max(1, round(width * 1.1) - 1)
    return sum(len(textwrap.wrap(p, fits)) or 1 for p in text.split("\n"))


def fit_text(wb: Any, ws: Worksheet, grid: Grid, lock_row: int) -> None:
    """Widen the name columns and heighten wrapped rows of the filled workbook ``wb``."""
    for heading in NAME_COLUMNS:
        j = grid.col(heading)
        _fit(ws, grid.letter(j), [row[j] for row in grid.rows])
    first = grid.left + grid.first_period
    reasons = [
        lines(reason, _width(ws, column_letter(first + j)))
        for j, reason in enumerate(grid.period_locks)
        if reason
    ]
    if reasons:
        height = LINE_HEIGHT * max(reasons) + 2
        if height > (ws.row_dimensions[lock_row].height or 0):
            ws.row_dimensions[lock_row].height = height
    note = grid.col(layout.H_NOTE)
    note_width = _width(ws, grid.letter(note))
    for i, row in enumerate(grid.rows):
        text = row[note]
        if isinstance(text, str) and len(text) > note_width:
            ws.row_dimensions[grid.first_row + i].height = LINE_HEIGHT * lines(text, note_width) + 2
    summary = wb[layout.SUMMARY] if layout.SUMMARY in wb.sheetnames else None
    if summary is not None:
        for name in (layout.N_SUMMARY_ACCOUNT, layout.N_SUMMARY_FAMILY):
            where = wb.defined_names.get(name)
            for sheet, ref in list(where.destinations) if where is not None else []:
                if sheet != summary.title:
                    continue
                letter = "".join(ch for ch in ref if ch.isalpha())
                top = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
                _fit(summary, letter, [c.value for c in summary[letter][top - 1 :]])
