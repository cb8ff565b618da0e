"""Worksheet XML as text: cell addresses, rows of cells (text always as inline strings, never
formulas), and a worksheet split around its ``<sheetData>`` so its rows can be replaced while
everything else in the sheet (columns, panes, validation, conditional formats, protection,
comments) is kept as it was.

Used by ``addin.fpa.table`` to write the Data table's rows (a column at a time) and by
``addin.review.writer`` to write the review grid (a row at a time, ``grid_row_xml``) into a
package openpyxl wrote without it (``splice_rows``); fast because it builds strings and never
parses the rows it replaces.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

import pandas as pd

from addin.book.errors import UserError

EXCEL_EPOCH = date(1899, 12, 30)


class SheetDamaged(UserError):
    """A worksheet's XML is not what Excel writes (no cell data part, or no end to it)."""


# ---------------------------------------------------------------- cell addresses


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# ---------------------------------------------------------------- writing rows

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """An inline-string cell body: always text, never a formula, whatever it starts with."""
    value = _ILLEGAL_XML.sub("", value)
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escaped}</t></is>"


def _tail(value: object, s: str) -> str:
    """A cell's XML after ``<c r="..."``: its style, type and value; '' for an empty cell."""
    if isinstance(value, str):
        return f' {s}t="inlineStr">{_text(value)}</c>' if value else ""
    if isinstance(value, date):
        return f" {s}><v>{(value - EXCEL_EPOCH).days}</v></c>"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f" {s}><v>{value!r}</v></c>"
    return ""


def _column_cells(values: pd.Series, letter: str, style: str, rows: list[str]) -> list[str]:
    """One cell XML string per row ('' for an empty cell) for one column."""
    s = f's="{style}" ' if style else ""
    if not pd.api.types.is_numeric_dtype(values.dtype) or values.dtype == bool:
        # account, product, family and region names repeat down the column: render each once
        cache: dict[object, str] = {}
        out = []
        for r, v in zip(rows, values.tolist(), strict=True):
            try:
                tail = cache[v]
            except (KeyError, TypeError):
                tail = cache[v] = _tail(v, s)
            out.append(f'<c r="{letter}{r}"{tail}' if tail else "")
        return out
    floats = values.astype(float).tolist()
    return [
        f'<c r="{letter}{r}" {s}><v>{v!r}</v></c>' if math.isfinite(v) else ""
        for r, v in zip(rows, floats, strict=True)
    ]


def row_xml(
    frame: pd.DataFrame, first_col: int, first_row: int, styles: dict[int, str]
) -> Iterator[str]:
    """The ``<row>`` elements for ``frame`` placed with its first cell at (first_row, first_col)."""
    chunk = 20_000  # bounded memory for 500,000 rows: build and hand over a slice at a time
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        rows = [str(first_row + start + i) for i in range(len(part))]
        cells = [
            _column_cells(
                part.iloc[:, i], column_letter(first_col + i), styles.get(first_col + i, ""), rows
            )
            for i in range(part.shape[1])
        ]
        yield "".join(
            f'<row r="{r}">{"".join(row)}</row>'
            for r, row in zip(rows, zip(*cells, strict=True), strict=True)
        )


_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_STYLE = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?\bs="(\d+)"|<c\b[^>]*?\bs="(\d+)"[^>]*?\br="([A-Z]+)\d+"'
)


def split_sheet(sheet: bytes, keep_through: int) -> tuple[bytes, bytes, bytes, dict[int, str]]:
    """(XML before sheetData, the rows up to ``keep_through``, XML after sheetData, styles of
    the first row after them by column) for a worksheet whose later rows are replaced.
    Reads only as far as it must: the rows below are never parsed."""
    start = sheet.find(b"<sheetData")
    if start < 0:
        raise SheetDamaged("The Data sheet has no cell data part; the file is damaged.")
    close = sheet.find(b">", start)
    if sheet[close - 1 : close] == b"/":
        return sheet[:start], b"", sheet[close + 1 :], {}
    end = sheet.rfind(b"</sheetData>")
    kept, styles = [], {}
    number = 0
    for row in _ROW.finditer(sheet, close + 1, end):
        found = _ROW_NUMBER.search(row[0][: row[0].find(b">")])
        number = int(found[1]) if found else number + 1
        if number <= keep_through:
            kept.append(row[0])
            continue
        if number == keep_through + 1:
            for c in _CELL_STYLE.finditer(row[0]):
                letters, style = (c[1], c[2]) if c[1] else (c[4], c[3])
                styles[column_index(letters.decode())] = style.decode()
        break
    return sheet[:start], b"".join(kept), sheet[end + len(b"</sheetData>") :], styles


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def split_sheet_stream(
    stream: IO[bytes], keep_through: int, prefix_size: int = 4 << 20
) -> tuple[bytes, bytes, bytes, dict[int, str]]:
    """``split_sheet`` for a worksheet too big to hold: the kept rows and the first replaced
    row must lie in the first ``prefix_size`` bytes; the rest is only scanned for its end."""
    prefix = stream.read(prefix_size)
    end_tag = b"</sheetData>"
    if end_tag in prefix or b"<sheetData/>" in prefix or len(prefix) < prefix_size:
        return split_sheet(prefix + stream.read(), keep_through)
    head, kept, _, styles = split_sheet(prefix + end_tag, keep_through)
    window = prefix[-len(end_tag) :]
    while block := stream.read(8 << 20):
        window += block
        at = window.find(end_tag)
        if at >= 0:
            return head, kept, window[at + len(end_tag) :] + stream.read(), styles
        window = window[-len(end_tag) :]
    raise SheetDamaged("The Data sheet's cell data never ends; the file is damaged.")


def write_sheet(
    out: zipfile.ZipFile,
    path: str,
    parts: tuple[bytes, bytes, bytes, dict[int, str]],
    rows: Iterable[str],
    ref: str,
) -> None:
    """Write worksheet ``path``: the kept head and rows of ``parts``, then ``rows``."""
    head, kept, tail, _ = parts
    head = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), head, count=1)
    with out.open(path, "w", force_zip64=True) as f:
        f.write(head + b"<sheetData>" + kept)
        for chunk in rows:
            f.write(chunk.encode("utf-8"))
        f.write(b"</sheetData>" + tail)


# ---------------------------------------------------------------- rows of a grid


class RowWriter:
    """``<row>`` elements of one grid, a row at a time: values placed from column ``left``,
    each cell with its style id; text always an inline string, ``formula`` values as formulas
    (their text after "="), numbers as numbers, empty values skipped from ``keep_empty_from``
    on (before it an empty cell is written when it has a style, so it shows as an input)."""

    def __init__(self, left: int, width: int, formula: type[str]) -> None:
        self._refs = [f'<c r="{column_letter(left + j)}' for j in range(width)]
        self._formula = formula
        self._text: dict[str, str] = {}  # names repeat down the grid: render each once

    def row(
        self,
        number: int,
        values: Sequence[Any],
        styles: Sequence[str],
        keep_empty_from: int,
        attributes: str = "",
    ) -> str:
        """One ``<row>``; ``styles`` are style ids as text ("0": none), ``attributes`` the
        row's own (outline level, height) as ``' name="value"'`` text."""
        r = str(number)
        out = [f'<row r="{r}"{attributes}>']
        refs, formula, texts = self._refs, self._formula, self._text
        for j, value in enumerate(values):
            kind = type(value)
            if kind is float or kind is int:
                if value - value == 0:  # finite; written as openpyxl writes numbers
                    out.append(f'{refs[j]}{r}" s="{styles[j]}" t="n"><v>{value:.16g}</v></c>')
            elif value is None:
                if j < keep_empty_from and styles[j] != "0":
                    out.append(f'{refs[j]}{r}" s="{styles[j]}"/>')
            elif kind is formula:
                body = value[1:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                out.append(f'{refs[j]}{r}" s="{styles[j]}"><f>{body}</f></c>')
            elif isinstance(value, str):
                try:
                    body = texts[value]
                except KeyError:
                    body = texts[value] = _text(value)
                if value:
                    out.append(f'{refs[j]}{r}" s="{styles[j]}" t="inlineStr">{body}</c>')
                elif j < keep_empty_from and styles[j] != "0":
                    out.append(f'{refs[j]}{r}" s="{styles[j]}"/>')
            else:
                tail = _tail(value, f's="{styles[j]}" ')  # dates, booleans: as _tail says
                if tail:
                    out.append(f'{refs[j]}{r}"{tail}')
        out.append("</row>")
        return "".join(out)


def splice_rows(
    package: bytes,
    out: str | Path | IO[bytes],
    sheet_path: str,
    keep_through: int,
    rows: Iterable[str],
    ref: str,
    compresslevel: int = 1,
) -> None:
    """Write ``package`` (an .xlsx held in memory, best stored uncompressed) to ``out`` with
    the rows of worksheet ``sheet_path`` after row ``keep_through`` replaced by ``rows``, and
    its dimension set to ``ref``. Every other part is copied as it is; all are deflated at
    ``compresslevel`` (1: fast, a slightly larger file; any level opens the same)."""
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target,
    ):
        for info in source.infolist():
            if info.filename == sheet_path:
                parts = split_sheet(source.read(info), keep_through)
                write_sheet(target, sheet_path, parts, rows, ref)
            else:
                target.writestr(info.filename, source.read(info))
