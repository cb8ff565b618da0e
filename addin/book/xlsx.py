"""A workbook file behind the book surface (``addin.book.surface.BookSurface``), through openpyxl.

Check and push are written once against the surface; this is its file side (the Excel side is
``addin.excel.book``). Until the first write, reads come from the file as it is, each sheet
parsed once in a streaming pass (``addin.book.xlsx_read``): formula cells read as their text,
or as the cached value stored beside it when values are asked for. The first write loads the
workbook with openpyxl (once), and from then on reads and writes go through it, except for a
large sheet already read (the review grid): its cell data stays as the file's XML, openpyxl
gets only the cells written, and saving puts the rest back (``addin.book.deferred``). Saving is
atomic (``addin.book.atomic.save_beside``): a new file is written beside the workbook under a unique
name and flushed to disk, the previous version is kept as ``<name>.prev.xlsx``, then the new
file replaces the workbook. A macro workbook (``.xlsm``) is loaded with its VBA project kept,
so it is saved as a macro-enabled package with ``xl/vbaProject.bin``, and so is its ``.prev``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import (
    coordinate_from_string,
    coordinate_to_tuple,
    get_column_letter,
    range_boundaries,
)
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.writer.excel import ExcelWriter

from addin.book.atomic import save_beside
from addin.book.deferred import DeferredSheet, seed, slim_package, splice
from addin.book.errors import WorkbookNotOurs
from addin.book.marks import set_marks
from addin.book.styles import normalise_style_ids
from addin.book.surface import Block, ColumnFormat
from addin.book.table import format_table, origin
from addin.book.xlsx_read import WorkbookCells


class WorkbookUnreadable(WorkbookNotOurs):
    """The file is missing or is not an .xlsx workbook openpyxl can open."""


MACRO_SUFFIXES = (".xlsm",)


def is_macro_workbook(path: str | Path) -> bool:
    """A macro-enabled workbook: saved back with its VBA project and content type."""
    return Path(path).suffix.lower() in MACRO_SUFFIXES


def _bounds(address: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an A1 address (``$`` allowed)."""
    min_col, min_row, max_col, max_row = range_boundaries(address.replace("$", ""))
    return min_col, min_row, max_col or min_col, max_row or min_row  # type: ignore[return-value]


def strip_author_line(text: str, author: str | None) -> str:
    """A cell note without the ``Author:`` first line Excel and LibreOffice put in front."""
    if author:
        prefix = f"{author}:"
        if text.startswith(prefix):
            text = text[len(prefix) :]
            return text[1:] if text.startswith("\n") else text.lstrip(" ")
    return text


def _as_text(value: str) -> str:
    # openpyxl refuses control characters; an org string may carry them.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


#: A sheet read with at least this many cells stays as XML when the workbook is written.
DEFER_AT = 5_000


class XlsxBook:
    """An .xlsx file opened for check and push. Build with ``XlsxBook.open(path)``."""

    def __init__(self, path: Path, cells: WorkbookCells) -> None:
        self.path = str(path)
        self._cells = cells  # the file as it is, until the first write
        self._loaded: Any = None  # the openpyxl workbook, from the first write on
        self._deferred: dict[str, DeferredSheet] = {}  # sheets openpyxl holds only written cells of
        self._values_wb: Any = None

    @classmethod
    def open(cls, path: str | Path) -> XlsxBook:
        p = Path(path)
        if not p.exists():
            raise WorkbookUnreadable(
                f"No workbook at {p}. Check the file name, or pull one with `demandgrid pull`."
            )
        try:
            cells = WorkbookCells.open(p)
        except Exception as e:  # openpyxl raises many kinds for a non-workbook file
            raise _unreadable(p, e) from None
        return cls(p, cells)

    @property
    def _wb(self) -> Any:
        """The workbook loaded with openpyxl, for writing (loaded once, on first use)."""
        if self._loaded is None:
            p = Path(self.path)
            deferred = self._deferrable()
            source: Any = p
            if deferred:
                parts = [sheet.part for sheet in deferred.values()]
                source = io.BytesIO(slim_package(self._cells.package, parts))
            try:
                wb = openpyxl.load_workbook(source, rich_text=False, keep_vba=is_macro_workbook(p))
            except Exception as e:  # openpyxl raises many kinds for a damaged sheet
                raise _unreadable(p, e) from None
            normalise_style_ids(wb, p)  # LibreOffice numbers named styles its own way
            self._loaded, self._deferred = wb, deferred
        return self._loaded

    def _deferrable(self) -> dict[str, DeferredSheet]:
        """The large sheets written the common way (``DeferredSheet.plain``): the review grid,
        the Summary's hidden block table."""
        out = {}
        for name in self._cells.sheetnames:
            part = self._cells.part(name)
            if part is None:
                continue  # a chart sheet
            sheet = DeferredSheet(name, part, self._cells.read_part(part))
            if sheet.cell_count >= DEFER_AT and sheet.plain:
                out[name] = sheet
        return out

    def _writing(self, sheet: str, *bounds: tuple[int, int, int, int]) -> Any:
        """The openpyxl sheet to write, with the file's cells in ``bounds`` brought in first
        when the sheet is deferred."""
        ws = self._sheet(sheet)
        deferred = self._deferred.get(sheet)
        if deferred is not None:
            streamed = self._cells.sheet(sheet)
            cells = [
                (r, c)
                for min_col, min_row, max_col, max_row in bounds
                for r in range(min_row, max_row + 1)
                for c in range(min_col, max_col + 1)
            ]
            seed(deferred, ws, cells, streamed.values, streamed.cached)
        return ws

    def _overlay(self, sheet: str, address: str, cached: bool) -> Block | None:
        """A deferred sheet's block: the file's cells, the written ones from openpyxl."""
        deferred = self._deferred.get(sheet)
        if deferred is None:
            return None
        streamed = self._cells.sheet(sheet)
        min_col, min_row, max_col, max_row = _bounds(address)
        get, stored = streamed.values.get, streamed.cached.get
        block = [
            [
                _cached(get((r, c)), stored((r, c))) if cached else get((r, c))
                for c in range(min_col, max_col + 1)
            ]
            for r in range(min_row, max_row + 1)
        ]
        cells = self._wb[sheet]._cells
        for r, c in deferred.written:
            if min_row <= r <= max_row and min_col <= c <= max_col:
                cell = cells.get((r, c))
                block[r - min_row][c - min_col] = (
                    None if cell is None else _formula_text(cell._value)
                )
        return block

    def _streamed(self, sheet: str) -> Any:
        """The sheet's cells as the file holds them, or None once openpyxl has the workbook."""
        if self._loaded is not None:
            return None
        return self._reading(self._cells.sheet, sheet)

    def _reading(self, read: Any, sheet: str) -> Any:
        try:
            return read(sheet)
        except KeyError:
            raise
        except Exception as e:  # damaged XML in a part not read until now
            raise _unreadable(Path(self.path), e) from None

    # ------------------------------------------------------------------ reading
    def sheet_names(self) -> list[str]:
        if self._loaded is None:
            return self._cells.sheetnames
        return list(self._wb.sheetnames)

    def resolve(self, name: str) -> tuple[str, str] | None:
        names = self._wb.defined_names if self._loaded is not None else self._cells.defined_names
        dn = names.get(name)
        if dn is None:
            return None
        try:
            destinations = list(dn.destinations)
        except Exception:
            return None
        if not destinations:
            return None
        sheet, address = destinations[0]
        if sheet not in self.sheet_names():
            return None
        return sheet, address.replace("$", "")

    def define(self, name: str, sheet: str, address: str) -> None:
        ref = f"{_quote(sheet)}!{_absolute(address)}"
        if name in self._wb.defined_names:
            del self._wb.defined_names[name]
        self._wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def _sheet(self, sheet: str) -> Any:
        return self._wb[sheet]

    def read_formulas(self, sheet: str, address: str) -> Block:
        overlaid = self._overlay(sheet, address, cached=False)
        if overlaid is not None:
            return overlaid
        min_col, min_row, max_col, max_row = _bounds(address)
        streamed = self._streamed(sheet)
        if streamed is not None:
            get = streamed.values.get
            columns = range(min_col, max_col + 1)
            return [[get((r, c)) for c in columns] for r in range(min_row, max_row + 1)]
        # Straight from openpyxl's cell map: iter_rows would create every empty cell it passes.
        get = self._sheet(sheet)._cells.get
        columns = range(min_col, max_col + 1)
        block = []
        for row in range(min_row, max_row + 1):
            values = []
            for col in columns:
                cell = get((row, col))
                values.append(None if cell is None else _formula_text(cell._value))
            block.append(values)
        return block

    def read(self, sheet: str, address: str) -> Block:
        overlaid = self._overlay(sheet, address, cached=True)
        if overlaid is not None:
            return overlaid
        block = self.read_formulas(sheet, address)
        if not any(isinstance(v, str) and v.startswith("=") for row in block for v in row):
            return block
        streamed = self._streamed(sheet)
        if streamed is not None:
            min_col, min_row, _, _ = _bounds(address)
            cached = streamed.cached.get
            return [
                [_cached(f, cached((min_row + r, min_col + c))) for c, f in enumerate(frow)]
                for r, frow in enumerate(block)
            ]
        values_wb = self._cached_values()
        if sheet not in values_wb.sheetnames:
            return block
        cached = values_wb[sheet]
        min_col, min_row, max_col, max_row = _bounds(address)
        values = cached.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
        # A formula never calculated (written by openpyxl) has no cached value: keep its text.
        return [
            [_cached(f, v) for f, v in zip(frow, vrow, strict=True)]
            for frow, vrow in zip(block, values, strict=True)
        ]

    def _cached_values(self) -> Any:
        if self._values_wb is None:
            self._values_wb = openpyxl.load_workbook(self.path, data_only=True, rich_text=False)
        return self._values_wb

    def read_notes(self, sheet: str, address: str) -> dict[str, str]:
        min_col, min_row, max_col, max_row = _bounds(address)
        if self._loaded is None:
            return {
                ref: strip_author_line(text or "", author)
                for ref, (text, author) in self._reading(self._cells.notes, sheet).items()
                if _inside(ref, min_col, min_row, max_col, max_row)
            }
        ws = self._sheet(sheet)
        notes: dict[str, str] = {}
        # Only cells that exist are scanned; comments hang on cells openpyxl created at load.
        for (row, col), cell in ws._cells.items():
            comment = cell._comment
            if comment is None or not (min_row <= row <= max_row and min_col <= col <= max_col):
                continue
            notes[cell.coordinate] = strip_author_line(comment.text or "", comment.author)
        return notes

    def used_range(self, sheet: str) -> str:
        streamed = self._streamed(sheet)
        if streamed is not None:
            return f"A1:{get_column_letter(max(streamed.max_col, 1))}{max(streamed.max_row, 1)}"
        ws = self._sheet(sheet)
        rows, cols = ws.max_row, ws.max_column
        if sheet in self._deferred:
            kept = self._cells.sheet(sheet)
            rows, cols = max(rows, kept.max_row), max(cols, kept.max_col)
        return f"A1:{get_column_letter(max(cols, 1))}{max(rows, 1)}"

    # ------------------------------------------------------------------ writing
    def write(self, sheet: str, top_left: str, values: Block) -> None:
        col0, row0 = origin(top_left)
        ws = self._writing(sheet, _block_bounds(col0, row0, values))
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                cell = ws.cell(row=row0 + r, column=col0 + c)
                if isinstance(value, str):
                    cell.value = _as_text(value)
                    cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"
                else:
                    cell.value = value
        self._values_wb = None

    def write_formulas(self, sheet: str, top_left: str, formulas: Block) -> None:
        col0, row0 = origin(top_left)
        ws = self._writing(sheet, _block_bounds(col0, row0, formulas))
        for r, row in enumerate(formulas):
            for c, value in enumerate(row):
                ws.cell(row=row0 + r, column=col0 + c).value = value
        self._values_wb = None

    def set_fill(self, sheet: str, addresses: Sequence[str], color: str | None) -> None:
        ws = self._writing(sheet, *(_bounds(a) for a in addresses))
        styles = {s.name: s for s in self._wb._named_styles}
        mark = PatternFill("solid", start_color=color, end_color=color) if color else None
        for address in addresses:
            min_col, min_row, max_col, max_row = _bounds(address)
            for row in ws.iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col
            ):
                for cell in row:
                    if mark is not None:
                        cell.fill = mark
                    else:  # back to the fill of the cell's named style (the template's look)
                        style = styles.get(cell.style)
                        cell.fill = style.fill if style is not None else PatternFill()

    def set_marks(self, sheet: str, cells_by_color: dict[str, list[str]]) -> None:
        """Check's marks as conditional formats above the grid's own (``addin.book.marks``)."""
        set_marks(self._sheet(sheet), cells_by_color)

    def set_notes(self, sheet: str, notes: dict[str, str]) -> None:
        ws = self._writing(sheet, *(_bounds(a) for a in notes))
        for address, text in notes.items():
            ws[address].comment = Comment(_as_text(text), "demandgrid") if text else None

    def format_table(
        self,
        sheet: str,
        header: str,
        columns: Sequence[ColumnFormat],
        rows: int,
        *,
        title_rows: int = 0,
        choices: Mapping[int, Sequence[str]] | None = None,
    ) -> None:
        """See ``BookSurface.format_table``; the work is ``addin.book.table.format_table``."""
        format_table(
            self._wb,
            self._sheet(sheet),
            header,
            columns,
            rows,
            title_rows=title_rows,
            choices=choices,
        )

    def ensure_sheet(self, name: str, after: str | None = None) -> None:
        if name in self._wb.sheetnames:
            return
        index = self._wb.sheetnames.index(after) + 1 if after in self._wb.sheetnames else None
        self._wb.create_sheet(name, index)

    def clear(self, sheet: str, address: str) -> None:
        min_col, min_row, max_col, max_row = _bounds(address)
        used = _bounds(self.used_range(sheet))
        max_row = min(max_row, used[3])
        max_col = min(max_col, used[2])
        ws = self._writing(sheet, (min_col, min_row, max_col, max_row))
        for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                cell.value = None
                cell.hyperlink = None

    def status(self, message: str) -> None:
        """Files have no status bar; progress is shown by the CLI."""

    def save(self) -> None:
        """Save atomically, keeping ``.prev``; ``WorkbookNotSaved`` leaves the file as it was."""
        save_beside(Path(self.path), self._save_spliced if self._deferred else self._wb.save)
        self._values_wb = None

    def _save_spliced(self, target: Path) -> None:
        """openpyxl writes the workbook; each deferred sheet gets the file's rows back (with the
        written cells), and the file's shared strings, which those rows use."""
        written = io.BytesIO()
        with zipfile.ZipFile(written, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            ExcelWriter(self._wb, archive).save()
        with zipfile.ZipFile(written) as source:
            replaced = {
                part: splice(sheet, source.read(part))
                for sheet in self._deferred.values()
                for part in [self._wb[sheet.title].path.lstrip("/")]
            }
            strings = self._cells.shared_strings_part()
            if strings is not None and any(b' t="s"' in d.xml for d in self._deferred.values()):
                replaced.update(_with_shared_strings(source, strings))
            with zipfile.ZipFile(
                target, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
            ) as out:
                for info in source.infolist():
                    data = replaced.pop(info.filename, None)
                    out.writestr(info.filename, data if data is not None else source.read(info))
                for name, data in replaced.items():  # parts openpyxl did not write
                    out.writestr(name, data)


_STRINGS_PART = "xl/sharedStrings.xml"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _with_shared_strings(package: zipfile.ZipFile, strings: bytes) -> dict[str, bytes]:
    """The parts that give openpyxl's ``package`` (text inline, no shared strings) the file's
    shared strings back: the part, its content type and its relationship."""
    types = package.read("[Content_Types].xml").replace(
        b"</Types>",
        f'<Override PartName="/{_STRINGS_PART}" ContentType="{_STRINGS_TYPE}"/></Types>'.encode(),
    )
    rels_part = "xl/_rels/workbook.xml.rels"
    rels = package.read(rels_part).replace(
        b"</Relationships>",
        f'<Relationship Id="dgSharedStrings" Type="{_STRINGS_REL}" '
        f'Target="/{_STRINGS_PART}"/></Relationships>'.encode(),
    )
    return {_STRINGS_PART: strings, "[Content_Types].xml": types, rels_part: rels}


def _block_bounds(col0: int, row0: int, block: Block) -> tuple[int, int, int, int]:
    width = max((len(row) for row in block), default=1)
    return col0, row0, col0 + max(width, 1) - 1, row0 + max(len(block), 1) - 1


def _unreadable(path: Path, error: Exception) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        f"{path.name} cannot be opened as an .xlsx workbook ({type(error).__name__}). "
        "Open it in Excel and save it as .xlsx, or pull a fresh workbook."
    )


def _inside(ref: str, min_col: int, min_row: int, max_col: int, max_row: int) -> bool:
    row, col = coordinate_to_tuple(ref)
    return min_row <= row <= max_row and min_col <= col <= max_col


def _formula_text(value: Any) -> Any:
    # Array and data-table formulas come back as objects carrying their text.
    text = getattr(value, "text", None)
    if text is not None and not isinstance(value, str):
        return text if str(text).startswith("=") else f"={text}"
    return value


def _cached(formula: Any, value: Any) -> Any:
    # A formula never calculated (written by openpyxl) has no cached value: keep its text.
    if isinstance(formula, str) and formula.startswith("=") and value is not None:
        return value
    return formula


def _quote(sheet: str) -> str:
    return (
        sheet
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet)
        else "'" + sheet.replace("'", "''") + "'"
    )


def _absolute(address: str) -> str:
    parts = []
    for part in address.replace("$", "").split(":"):
        letters, row = coordinate_from_string(part)
        parts.append(f"${letters}${row}")
    return ":".join(parts)
