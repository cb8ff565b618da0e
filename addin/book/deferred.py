"""A large worksheet kept as the file's own XML while openpyxl holds the rest of the workbook.

Check writes a Check sheet, conditional-format marks and a few fills on a grid of hundreds of
thousands of cells; loading that grid into openpyxl and writing it back costs many times what
check itself does. So ``XlsxBook`` opens such a workbook for writing with the large sheet's
cell data left out (``slim_package``), brings into openpyxl only the cells that are written
(``seed``, with their value, type and style from the file), and on save puts the file's rows
back with those cells replaced by what openpyxl wrote (``splice``). Everything outside the
cell data (columns, panes, conditional formats, validation, protection, comments) is
openpyxl's, as in a full load. Cell styles keep their ids: openpyxl writes every cell format it
loaded, in the file's order. The file's shared strings are kept for the rows put back
(openpyxl writes its own text inline).

Only sheets read by ``addin.book.xlsx_read``'s fast pass are deferred; anything unusual is
loaded whole, as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import column_index_from_string

from addin.book.sheet_xml import SheetDamaged

_ROW_START = re.compile(rb'<row r="(\d+)"')
_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
_ATTRIBUTE = re.compile(rb'\s(\w+)="([^"]*)"')
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")


@dataclass
class DeferredSheet:
    """A worksheet whose cell data stays as the file's XML; ``written`` are the cells openpyxl
    holds for it (seeded from the file, then written), as (row, column)."""

    title: str
    part: str  # its part in the file, e.g. xl/worksheets/sheet1.xml
    xml: bytes
    written: set[tuple[int, int]] = field(default_factory=set)
    _rows: dict[int, tuple[int, int]] | None = None  # row -> span of its <row> in ``xml``

    def rows(self) -> dict[int, tuple[int, int]]:
        """Each row's span, from its ``<row`` to the next row (or the end of the cell data)."""
        if self._rows is None:
            starts = [(int(m[1]), m.start()) for m in _ROW_START.finditer(self.xml)]
            _, end = _cell_data(self.xml)
            ends = [start for _, start in starts[1:]] + [end]
            self._rows = {n: (start, stop) for (n, start), stop in zip(starts, ends, strict=True)}
        return self._rows

    @property
    def plain(self) -> bool:
        """Written the common way, so ``seed`` and ``splice`` can find rows and cells: every
        row ``<row r="N"``, every cell ``<c r="A1"``, no namespace prefix."""
        xml = self.xml
        cells = xml.count(b"<c ") + xml.count(b"<c>")
        return (
            b"<sheetData" in xml
            and xml.count(b'<c r="') == cells
            and len(self.rows()) == xml.count(b"<row ") + xml.count(b"<row>")
        )

    @property
    def cell_count(self) -> int:
        return self.xml.count(b"<c ")


def _cell_data(xml: bytes) -> tuple[int, int]:
    """(start, end) of what is inside ``<sheetData>``; (n, n) for an empty ``<sheetData/>``."""
    start = xml.find(b"<sheetData")
    if start < 0:
        raise SheetDamaged("A worksheet has no cell data part; the file is damaged.")
    close = xml.find(b">", start) + 1
    if xml[close - 2 : close] == b"/>":
        return close, close
    end = xml.rfind(b"</sheetData>")
    if end < close:
        raise SheetDamaged("A worksheet's cell data never ends; the file is damaged.")
    return close, end


def _empty_cell_data(xml: bytes) -> bytes:
    start, end = _cell_data(xml)
    if start == end:
        return xml
    open_at = xml.rfind(b"<sheetData", 0, start)
    return xml[:open_at] + b"<sheetData/>" + xml[end + len(b"</sheetData>") :]


def slim_package(package: bytes, parts: Iterable[str]) -> bytes:
    """``package`` with the cell data of worksheet ``parts`` emptied (stored, not deflated)."""
    parts = set(parts)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename in parts:
                data = _empty_cell_data(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def seed(
    sheet: DeferredSheet, ws: Any, cells: Iterable[tuple[int, int]], values: Any, cached: Any
) -> None:
    """Bring the file's ``cells`` of ``sheet`` into openpyxl's ``ws`` (value, type, style), once
    each, before they are written; ``values``/``cached`` are the sheet as read
    (``addin.book.xlsx_read.SheetCells``)."""
    styles = ws.parent._cell_styles
    rows = sheet.rows()
    wanted: dict[int, set[int]] = {}
    for row, col in cells:
        if (row, col) not in sheet.written:
            wanted.setdefault(row, set()).add(col)
    for row, cols in wanted.items():
        span = rows.get(row)
        found: dict[int, tuple[int, bytes | None]] = {}
        if span is not None:
            for m in _CELL.finditer(sheet.xml, *span):
                col = column_index_from_string(m[1].decode())
                if col in cols:
                    attributes = dict(_ATTRIBUTE.findall(m[3]))
                    found[col] = (int(attributes.get(b"s", b"0") or 0), attributes.get(b"t"))
        for col in cols:
            sheet.written.add((row, col))
            if col not in found:
                continue  # an empty cell: openpyxl makes it when it is written
            style, kind = found[col]
            cell = Cell(ws, row=row, column=col, style_array=StyleArray(styles[style]))
            value = values.get((row, col))
            cell._value = value
            cell.data_type = _data_type(value, kind, (row, col) in cached)
            existing = ws._cells.get((row, col))
            if existing is not None and existing._comment is not None:
                cell.comment = existing._comment  # the note openpyxl read from the comments
            ws._cells[(row, col)] = cell


def _data_type(value: Any, kind: bytes | None, is_formula: bool) -> str:
    if is_formula:
        return "f"
    if kind == b"e":
        return "e"
    if isinstance(value, bool):
        return "b"
    if isinstance(value, str):
        return "s"
    if value is None or isinstance(value, int | float):
        return "n"
    return "d"


def splice(sheet: DeferredSheet, written_xml: bytes) -> bytes:
    """The worksheet XML to save: openpyxl's ``written_xml`` (all but the cell data) with the
    file's rows put back, the cells openpyxl holds replacing theirs."""
    mine_start, mine_end = _cell_data(written_xml)
    theirs_start, theirs_end = _cell_data(sheet.xml)
    replaced = _cells_by_row(written_xml[mine_start:mine_end], sheet.written)
    original = sheet.xml[theirs_start:theirs_end]
    offset = theirs_start
    pieces: list[bytes] = []
    at = 0
    rows = sheet.rows()
    for number in sorted(replaced):
        span = rows.get(number)
        if span is None:
            continue  # a new row: placed below, in order
        start, end = span[0] - offset, span[1] - offset
        pieces.append(original[at:start])
        pieces.append(_merge_row(original[start:end], replaced.pop(number)))
        at = end
    pieces.append(original[at:])
    body = b"".join(pieces)
    if replaced:  # rows the file did not have: openpyxl's, in row order among the file's
        body = _insert_rows(body, replaced)
    open_at = written_xml.rfind(b"<sheetData", 0, mine_start)
    head = written_xml[:open_at]
    tail = written_xml[mine_end:]
    tail = tail[len(b"</sheetData>") :] if tail.startswith(b"</sheetData>") else tail
    dimension = _DIMENSION.search(sheet.xml, 0, theirs_start)
    if dimension is not None:
        head = _DIMENSION.sub(dimension[0], head, count=1)
    return head + b"<sheetData>" + body + b"</sheetData>" + tail


def _cells_by_row(rows_xml: bytes, written: set[tuple[int, int]]) -> dict[int, dict[int, bytes]]:
    """openpyxl's XML of the written cells, by row and column."""
    out: dict[int, dict[int, bytes]] = {}
    for m in _CELL.finditer(rows_xml):
        row, col = int(m[2]), column_index_from_string(m[1].decode())
        if (row, col) in written:
            out.setdefault(row, {})[col] = m[0]
    for row, col in written:  # written then emptied: openpyxl leaves no cell
        out.setdefault(row, {}).setdefault(col, b"")
    return out


def _merge_row(row_xml: bytes, cells: dict[int, bytes]) -> bytes:
    """A file's ``<row>`` with ``cells`` (column -> openpyxl's cell XML, b"" to drop) in place."""
    open_end = row_xml.find(b">") + 1
    if row_xml[open_end - 2 : open_end] == b"/>":
        start, inner = row_xml[: open_end - 2] + b">", b""
    else:
        start, inner = row_xml[:open_end], row_xml[open_end : row_xml.rfind(b"</row>")]
    merged: dict[int, bytes] = {
        column_index_from_string(m[1].decode()): m[0] for m in _CELL.finditer(inner)
    }
    merged.update(cells)
    return start + b"".join(merged[c] for c in sorted(merged)) + b"</row>"


def _insert_rows(body: bytes, rows: dict[int, dict[int, bytes]]) -> bytes:
    existing = [(int(m[1]), m.start()) for m in _ROW_START.finditer(body)]
    pieces, at = [], 0
    for number in sorted(rows):
        xml = b'<row r="%d">' % number + b"".join(rows[number][c] for c in sorted(rows[number]))
        xml += b"</row>"
        position = next((start for n, start in existing if n > number), len(body))
        pieces += [body[at:position], xml]
        at = position
    pieces.append(body[at:])
    return b"".join(pieces)
