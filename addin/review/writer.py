"""Write pulled cells into a governed review workbook, filled into the template.

Everything is placed through the template's defined names (``addin.review.layout``), so a restyled
template works unchanged. The grid's values and formulas come from ``addin.review.grid``; this module
adds what only a workbook has: named styles, protection, data validation, conditional formats,
outline, frozen panes, cell notes, the Summary sheet and the hidden record.

Speed: openpyxl writes everything but the grid's data rows (the template, header, Summary,
record, styles, and the Review sheet's columns, panes, rules and notes); the data rows are then
streamed as worksheet XML into that package (``addin.book.sheet_xml``), a style id per (row
kind, column). ``fill_workbook(..., via_openpyxl=True)`` writes the same rows through openpyxl
instead: the reference the equality test compares against. ``bench/bench_pull.py`` measures
the ratio to openpyxl writing bare values and to writing the same bytes.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from addin.book.errors import UserError
from addin.book.sheet_xml import RowWriter, splice_rows
from addin.review import layout, record, summary
from addin.review.cells import (
    Styles,
    TemplateBroken,
    clean_text,
    grouped_row,
    put,
    put_row,
)
from addin.review.grid import (
    MAX_VALUE,
    Formula,
    Grid,
    PulledCellsLike,
    build_grid,
    column_letter,
    quarters,
    record_columns,
)
from addin.review.template import REVIEW_TEMPLATE, build_template_workbook, fit_text
from sync.org.records import PullContext

CHANGED_FILL = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")  # orange
PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")  # red
PROBLEM_FONT = Font(color="9C0006")


class WorkbookInUse(UserError):
    """The output workbook cannot be replaced (open in Excel, or read-only)."""


def load_template(template: Path | None = None) -> Workbook:
    """The template to fill: ``template``, else the repo's, else one built in memory."""
    path = template or (REVIEW_TEMPLATE if REVIEW_TEMPLATE.exists() else None)
    if path is None:
        return build_template_workbook()
    if not Path(path).exists():
        raise TemplateBroken(f"No template at {path}. Run `demandgrid template build`.")
    return load_workbook(path)


def anchor(wb: Workbook, name: str) -> tuple[Worksheet, int, int]:
    """A defined name's sheet, row and column (top-left cell of its range)."""
    defined = wb.defined_names.get(name)
    dest = list(defined.destinations) if defined is not None else []
    if not dest or dest[0][0] not in wb.sheetnames:
        raise TemplateBroken(
            f"The template has no defined name {name!r} pointing at a cell. Restore it "
            "(Formulas > Name Manager) or rebuild the template with `demandgrid template build`."
        )
    sheet, ref = dest[0]
    col, row, _, _ = range_boundaries(ref.replace("$", ""))
    assert col is not None and row is not None
    return wb[sheet], row, col


def _define(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")


def _absolute(c0: int, r0: int, c1: int, r1: int) -> str:
    return f"${column_letter(c0)}${r0}:${column_letter(c1)}${r1}"


def _row_styles(grid: Grid, st: Styles) -> dict[str, list[StyleArray]]:
    n = len(grid.periods)
    left = len(layout.LEFT_HEADINGS)
    reason, note = grid.col(layout.H_REASON), grid.col(layout.H_NOTE)
    out = {}
    for kind in layout.ROW_KINDS:
        adjusted = kind == layout.ADJUSTED
        # Names repeat on every row (sorting and filtering keep the block together); on the
        # read-only rows they are grey so the Adjusted row, bold, carries the block.
        row = [st.label if adjusted else st.quiet_label] * left
        if adjusted:
            row[reason] = row[note] = st.text_input
        row += [st.input if adjusted else st.readonly] * n
        if adjusted:
            row += [st.adjusted_total, st.adjusted_total, st.adjusted_gap, st.adjusted_problems]
            row += [st.input, st.text_input]  # New total, Spread over (addin.spread)
        else:
            row += [st.total] * (len(layout.RIGHT_HEADINGS) - 1)
        row += [st.readonly]
        row += [st.readonly] * n
        out[kind] = row
    return out


@dataclass(frozen=True)
class GridRow:
    """One data row of the grid as written: sheet row, values, a style per value, where empty
    values stop being written (the Adjusted row's empty inputs keep their cells), grouped."""

    number: int
    values: list[Any]
    styles: list[StyleArray]
    keep_empty_from: int
    grouped: bool


def grid_rows(grid: Grid, st: Styles) -> Iterator[GridRow]:
    """The grid's data rows with their styles, for any row kinds ``layout.ROW_KINDS`` lists."""
    styles = _row_styles(grid, st)
    first, mirror = grid.first_period, grid.first_mirror
    for i, values in enumerate(grid.rows):
        kind = grid.kinds[i]
        row_styles = styles[kind]
        locked = grid.adjusted_locked.get(i)
        if locked is not None and any(locked):
            row_styles = list(row_styles)
            for j, is_locked in enumerate(locked):
                if is_locked:
                    row_styles[first + j] = st.locked
        adjusted = kind == layout.ADJUSTED
        yield GridRow(
            grid.first_row + i, values, row_styles, mirror if adjusted else 0, not adjusted
        )


def _write_grid_frame(ws: Worksheet, grid: Grid, st: Styles, *, with_rows: bool) -> None:
    """The grid's headings, cell notes, outline and columns; its data rows too ``with_rows``."""
    left, top = grid.left, grid.top
    for j, heading in enumerate(grid.headings):
        style = st.period_heading if isinstance(heading, date) else st.heading
        put(ws, top, left + j, heading, style)
    if with_rows:
        _put_grid_rows(ws, grid, st)
    for (i, j), text in grid.cell_notes.items():
        note = Comment(text, "demandgrid")
        note.width, note.height = 220, 60
        ws.cell(top + 1 + i, left + j).comment = note
    ws.sheet_properties.outlinePr.summaryBelow = True
    first, n = grid.first_period, len(grid.periods)
    for j in range(n):
        ws.column_dimensions[column_letter(left + first + j)].width = 10
    for j in range(len(layout.RIGHT_HEADINGS)):
        ws.column_dimensions[column_letter(left + first + n + j)].width = 12
    ws.column_dimensions[grid.letter(grid.col(layout.H_KEY))].hidden = True
    for j in range(n):
        ws.column_dimensions[grid.letter(grid.first_mirror + j)].hidden = True


def _put_grid_rows(ws: Worksheet, grid: Grid, st: Styles) -> None:
    """The data rows through openpyxl (the reference path)."""
    grouped = RowDimension(ws, index=0, outlineLevel=1)
    for row in grid_rows(grid, st):
        put_row(ws, row.number, grid.left, row.values, row.styles, row.keep_empty_from)
        if row.grouped:
            ws.row_dimensions[row.number] = grouped_row(grouped, row.number)


def _style_ids(wb: Workbook, rows: list[GridRow]) -> dict[tuple[int, ...], list[str]]:
    """The style ids of each pattern of row styles (a few: row kinds x locked periods), every
    style registered with ``wb`` first, so its id is the one openpyxl writes."""
    ids: dict[int, str] = {}
    patterns: dict[tuple[int, ...], list[str]] = {}
    for row in rows:
        pattern = tuple(map(id, row.styles))
        if pattern not in patterns:
            for style in row.styles:
                if id(style) not in ids:
                    ids[id(style)] = str(wb._cell_styles.add(style))
            patterns[pattern] = [ids[i] for i in pattern]
    return patterns


def _stream_grid_rows(
    ws: Worksheet, grid: Grid, rows: list[GridRow], styles: dict[tuple[int, ...], list[str]]
) -> Iterator[str]:
    """The data rows as worksheet XML, a few hundred rows a piece."""
    writer = RowWriter(grid.left, len(grid.headings), Formula)
    dims = ws.row_dimensions
    piece: list[str] = []
    for row in rows:
        attributes = dict(dims[row.number]) if row.number in dims else {}
        if row.grouped:
            attributes["outlineLevel"] = "1"
        text = "".join(f' {k}="{v}"' for k, v in attributes.items())
        ids = styles[tuple(map(id, row.styles))]
        piece.append(writer.row(row.number, row.values, ids, row.keep_empty_from, text))
        if len(piece) == 500:
            yield "".join(piece)
            piece = []
    yield "".join(piece)


def _write_locks(ws: Worksheet, grid: Grid, st: Styles, row: int, col: int) -> None:
    for j, reason in enumerate(grid.period_locks):
        if reason:
            put(ws, row, col + 1 + j, reason, st.lock_status)
    ws.row_dimensions[row].height = 45  # three lines of a wrapped reason


def _rules(ws: Worksheet, grid: Grid) -> None:
    """Conditional formats, data validation: one range each, relative to the mirror columns."""
    r0, r1 = grid.first_row, grid.last_row
    n = len(grid.periods)
    p0 = grid.left + grid.first_period
    periods = f"{column_letter(p0)}{r0}:{column_letter(p0 + n - 1)}{r1}"
    kind = f"${grid.letter(grid.col(layout.H_KIND))}{r0}"
    reason = f"${grid.letter(grid.col(layout.H_REASON))}{r0}"
    note = f"${grid.letter(grid.col(layout.H_NOTE))}{r0}"
    problems = f"${grid.letter(grid.col(layout.H_PROBLEMS))}{r0}"
    cell, mirror = f"{column_letter(p0)}{r0}", f"{grid.letter(grid.first_mirror)}{r0}"
    adjusted = f'{kind}="{layout.ADJUSTED}"'
    changed = f"AND({adjusted},{cell}<>{mirror})"
    unexplained = f"AND({adjusted},{cell}<>{mirror},OR(LEN({reason})=0,LEN({note})=0))"
    # What check blocks and a formula can see (an error value, text, TRUE, a negative or absurd
    # number) shows as a problem before "changed", note or not.
    blocked = (
        f"AND({adjusted},IF(ISERROR({cell}),TRUE,IF(ISNUMBER({cell}),"
        f"OR({cell}<0,{cell}>{MAX_VALUE}),LEN({cell})>0)))"
    )
    for rule in (blocked, unexplained):
        ws.conditional_formatting.add(
            periods,
            FormulaRule(formula=[rule], fill=PROBLEM_FILL, font=PROBLEM_FONT, stopIfTrue=True),
        )
    ws.conditional_formatting.add(periods, FormulaRule(formula=[changed], fill=CHANGED_FILL))
    text = (
        f"{grid.letter(grid.col(layout.H_REASON))}{r0}:{grid.letter(grid.col(layout.H_NOTE))}{r1}"
    )
    first_text = f"{grid.letter(grid.col(layout.H_REASON))}{r0}"
    ws.conditional_formatting.add(
        text,
        FormulaRule(
            formula=[f"AND({adjusted},{problems}>0,LEN({first_text})=0)"], fill=PROBLEM_FILL
        ),
    )

    problem_cells = grid.column_range(grid.col(layout.H_PROBLEMS), absolute=False)
    ws.conditional_formatting.add(
        problem_cells,
        FormulaRule(
            formula=[f"{problems.replace('$', '')}>0"], fill=PROBLEM_FILL, font=PROBLEM_FONT
        ),
    )

    number = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a forecast value",
        error="Enter a number of 0 or more. To undo a change, type the value in the Baseline "
        "row above (or the pulled value).",
        promptTitle="Adjusted forecast",
        prompt="Your forecast for this period. Give the row a reason code and a note.",
        showInputMessage=False,
    )
    number.add(periods)
    reasons = DataValidation(
        type="list",
        formula1=layout.N_REASON_CODES,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Unknown reason code",
        error="Pick a reason code from the drop-down list.",
    )
    reasons.add(grid.column_range(grid.col(layout.H_REASON), absolute=False))
    notes = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="2000",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Note too long",
        error="A note holds at most 2,000 characters (the org's limit).",
    )
    notes.add(grid.column_range(grid.col(layout.H_NOTE), absolute=False))
    spread_total, spread_over = _spread_inputs(grid)
    for validation in (number, reasons, notes, spread_total, spread_over):
        ws.add_data_validation(validation)


def _spread_inputs(grid: Grid) -> tuple[DataValidation, DataValidation]:
    """New total (a number of 0 or more) and Spread over (Row or a quarter of the grid)."""
    total = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a total",
        error="Enter the row's new total (0 or more); Spread shares it over the open periods.",
        promptTitle="New total",
        prompt="Type a total for this row (or the quarter picked in Spread over), then run "
        "Spread: it fills the open months by your profile. Never sent as it is.",
        showInputMessage=True,
    )
    total.add(grid.column_range(grid.col(layout.H_NEW_TOTAL), absolute=False))
    choices = ",".join([layout.SPREAD_ROW, *quarters(grid.periods)])
    over = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Spread over what?",
        error="Pick Row (every open period) or a quarter from the drop-down.",
    )
    over.add(grid.column_range(grid.col(layout.H_SPREAD_OVER), absolute=False))
    return total, over


def _protect(ws: Worksheet) -> None:
    # Allowed while protected: select, sort, filter, resize columns/rows, edit notes.
    ws.protection = SheetProtection(
        sheet=True,
        objects=False,
        formatColumns=False,
        formatRows=False,
        sort=False,
        autoFilter=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
    )


def header_values(ctx: PullContext, periods: int) -> dict[str, str]:
    """The header texts by defined name: the same on a pull and on a refresh."""
    return {
        layout.N_TITLE: f"Demand review: {ctx.user_name}",
        layout.N_REP: f"{ctx.user_name}",
        layout.N_ORG: f"{ctx.org_name} ({ctx.org_id})" if ctx.org_id else ctx.org_name,
        layout.N_PULLED_AT: f"{ctx.pulled_at} by {ctx.pulled_by}",
        layout.N_MEASURE: f"{ctx.measure.capitalize()}, {periods} periods",
    }


def _write_header(wb: Workbook, cells: PulledCellsLike, grid: Grid, st: Styles) -> None:
    for name, value in header_values(cells.context, len(grid.periods)).items():
        ws, row, col = anchor(wb, name)
        cell = ws.cell(row, col)
        cell.value = clean_text(value)
        cell.data_type = "s"
    review = f"'{layout.REVIEW}'!"
    n = len(grid.periods)
    r0, r1 = grid.first_row, grid.last_row
    p = grid.left + grid.first_period
    m = grid.left + grid.first_mirror
    kinds = review + grid.column_range(grid.col(layout.H_KIND))
    cells_now = f"{review}{_absolute(p, r0, p + n - 1, r1)}"
    mirror = f"{review}{_absolute(m, r0, m + n - 1, r1)}"
    formulas = {
        layout.N_CHANGED_CELLS: f'=SUMPRODUCT(({kinds}="{layout.ADJUSTED}")*({cells_now}<>{mirror}))',
        layout.N_OPEN_PROBLEMS: f"=SUM({review}{grid.column_range(grid.col(layout.H_PROBLEMS))})",
    }
    for name, formula in formulas.items():
        ws, row, col = anchor(wb, name)
        ws.cell(row, col).value = formula


def _write_table(ws: Worksheet, table: summary.SummaryTable, st: Styles) -> None:
    last = len(table.rows) - 1
    for i, values in enumerate(table.rows):
        row = table.top + i
        for j, value in enumerate(values):
            if i == 0:
                style = st.heading
            elif i == last:
                style = st.total_percent if table.left + j == table.percent_column else st.total
            elif j == 0:
                style = st.summary_name
            elif table.left + j == table.percent_column:
                style = st.percent
            else:
                style = st.summary_gap if table.left + j == table.gap_column else st.readonly
            put(ws, row, table.left + j, value, style)
    ws.column_dimensions[column_letter(table.match_column)].hidden = True


def _write_summary(wb: Workbook, cells: PulledCellsLike, grid: Grid, st: Styles) -> None:
    """The by-account and by-family tables, keyed by record through the hidden block table
    (``addin.review.summary``), placed right of both tables."""
    blocks = cells.frame.drop_duplicates("row_key")  # in grid order
    accounts, account_labels = summary.numbered(
        [str(v) for v in blocks["account_id"].tolist()],
        [str(v) for v in blocks["account_name"].tolist()],
    )
    families, family_labels = summary.numbered(
        [str(v) for v in blocks["product_family"].tolist()],
        [str(v) for v in blocks["product_family"].tolist()],
    )
    tables = (
        (layout.N_SUMMARY_ACCOUNT, layout.H_ACCOUNT, "Account #", account_labels),
        (layout.N_SUMMARY_FAMILY, layout.H_FAMILY, "Family #", family_labels),
    )
    anchors = [anchor(wb, name) for name, *_ in tables]
    ws = anchors[0][0]
    width = len(summary.HEADINGS_AFTER_NAME) + 3
    left = max(col for _, _, col in anchors) + width
    top = min(row for _, row, _ in anchors)
    keys = [str(k) for k in blocks["row_key"].tolist()]
    sums = cells.frame.groupby("row_key", sort=False)[["baseline", "target"]].sum(min_count=0)
    baselines = [float(v) for v in sums["baseline"].reindex(keys).fillna(0.0)]
    targets = [float(v) for v in sums["target"].reindex(keys).fillna(0.0)]
    rows = list(zip(keys, accounts, families, baselines, targets, strict=True))
    table = summary.build_blocks(grid, rows, ws.title, top, left)
    for i, values in enumerate(table.rows):
        for j, value in enumerate(values):
            put(ws, table.top + i, table.left + j, value, st.heading if i == 0 else st.readonly)
    for j in range(len(summary.BLOCK_HEADINGS)):
        ws.column_dimensions[column_letter(table.left + j)].hidden = True
    for (_name, heading, by, labels), (sheet, row, col) in zip(tables, anchors, strict=True):
        _write_table(sheet, summary.build_table(table, heading, by, labels, row, col), st)
        sheet.freeze_panes = sheet.cell(row + 1, 1)
        _protect(sheet)


def _write_record(wb: Workbook, cells: PulledCellsLike) -> None:
    ws, row, col = anchor(wb, layout.N_RECORD)
    encoded = record.encode_columns(cells.context, record_columns(cells.frame))
    for i, part in enumerate(encoded):
        put(ws, row + i, col, part, None)


def _save(save: Any, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        save(partial)
        os.replace(partial, out)
    except PermissionError:
        partial.unlink(missing_ok=True)
        raise WorkbookInUse(
            f"Cannot write {out}: the file is open in another program or not writable. "
            "Close it (or choose another -o file) and pull again."
        ) from None
    return out


@dataclass
class FilledWorkbook:
    """A filled review workbook ready to save: openpyxl holds all but the grid's data rows
    (unless ``via_openpyxl``), which ``save`` streams in."""

    wb: Workbook
    sheet: Worksheet
    grid: Grid
    styles: Styles
    via_openpyxl: bool = False

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write the workbook to ``path`` (not atomically: callers save beside and replace)."""
        if self.via_openpyxl:
            self.wb.save(path)
            return
        ws, grid = self.sheet, self.grid
        rows = list(grid_rows(grid, self.styles))
        styles = _style_ids(self.wb, rows)  # before openpyxl writes the styles part
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            ExcelWriter(self.wb, archive).save()
        last_col = max(ws.max_column, grid.left + len(grid.headings) - 1)
        ref = (
            f"{column_letter(min(ws.min_column, grid.left))}{min(ws.min_row, grid.top)}:"
            f"{column_letter(last_col)}{max(ws.max_row, grid.last_row)}"
        )
        splice_rows(
            package.getvalue(),
            path,
            ws.path.lstrip("/"),
            grid.top,
            _stream_grid_rows(ws, grid, rows, styles),
            ref,
        )


def fill_workbook(
    cells: PulledCellsLike, wb: Workbook, *, via_openpyxl: bool = False
) -> FilledWorkbook:
    """Fill the template workbook ``wb`` with ``cells``; the grid's data rows are written
    when the result is saved (``via_openpyxl``: put into ``wb`` now, the reference path)."""
    ws, top, left = anchor(wb, layout.N_GRID_ANCHOR)
    grid = build_grid(cells, top=top, left=left)
    st = Styles(wb, ws)
    _write_grid_frame(ws, grid, st, with_rows=via_openpyxl)
    lock_ws, lock_row, lock_col = anchor(wb, layout.N_LOCK_ANCHOR)
    _write_locks(lock_ws, grid, st, lock_row, lock_col)
    _rules(ws, grid)
    _write_header(wb, cells, grid, st)
    _write_summary(wb, cells, grid, st)
    _write_record(wb, cells)
    fit_text(wb, ws, grid, lock_row)  # names, notes and lock reasons shown whole

    width = len(grid.headings)
    p = left + grid.first_period
    _define(wb, layout.N_GRID, ws.title, _absolute(left, top, left + width - 1, grid.last_row))
    _define(wb, layout.N_PERIODS, ws.title, _absolute(p, top, p + len(grid.periods) - 1, top))
    ws.freeze_panes = ws.cell(grid.first_row, p)
    ws.print_title_rows = f"{top}:{top}"
    last_visible = left + grid.col(layout.H_SPREAD_OVER)
    ws.auto_filter.ref = f"{column_letter(left)}{top}:{column_letter(last_visible)}{grid.last_row}"
    _protect(ws)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.calculation.fullCalcOnLoad = True
    wb.active = wb.sheetnames.index(ws.title)
    return FilledWorkbook(wb, ws, grid, st, via_openpyxl)


def write_workbook(cells: PulledCellsLike, out: Path, *, template: Path | None = None) -> Path:
    """Write the governed review workbook for ``cells`` to ``out`` (atomically); return ``out``."""
    filled = fill_workbook(cells, load_template(template))
    return _save(filled.save, Path(out))
