"""The Data table inside an .xlsx file: find it, read its rows, replace its rows.

Works on the package (a zip of XML parts) directly, never through a full openpyxl load, so
every other part of the file (the analyst's sheets, formulas, charts, formats, pivot tables)
is copied through untouched, and 500,000 rows stay cheap in time and memory. What changes:
the Data sheet's rows below the table header, the table's ``ref``, the ``<dimension>``, defined
names that span the table's data rows, the workbook's calc settings (recalculate on open, no
stale calc chain), and any part the caller replaces whole (the hidden scenario record).
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from html import unescape
from pathlib import Path
from typing import IO

import pandas as pd
from lxml import etree

from addin.errors import UserError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK = "xl/workbook.xml"
EXCEL_EPOCH = date(1899, 12, 30)


class DataTableMissing(UserError):
    """The workbook's Data table is gone, renamed, or no longer has demandgrid's columns."""


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


_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)$")


def split_ref(ref: str) -> tuple[int, int, int, int]:
    """ "B3:W1001" -> (first column, first row, last column, last row)."""
    m = _REF.match(ref)
    if not m:
        raise DataTableMissing(f"The Data table's range {ref!r} is not a plain range.")
    return column_index(m[1]), int(m[2]), column_index(m[3]), int(m[4])


# ---------------------------------------------------------------- finding the table


@dataclass(frozen=True)
class TableLocation:
    name: str
    table_path: str
    sheet_name: str
    sheet_path: str
    columns: tuple[str, ...]
    ref: str
    shared_strings: str | None  # path of the shared-string part, if any

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        return split_ref(self.ref)


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, absolute part path) for ``part``."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in zf.namelist():
        return {}
    out = {}
    for rel in etree.fromstring(zf.read(rels_path)).iter(f"{{{PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path, in workbook order."""
    rels = _rels(zf, WORKBOOK)
    root = etree.fromstring(zf.read(WORKBOOK))
    out = {}
    for sheet in root.iter(f"{{{MAIN}}}sheet"):
        rid = sheet.get(f"{{{OFFICE_REL}}}id", "")
        if rid in rels:
            out[sheet.get("name", "")] = rels[rid][1]
    return out


def locate_table(zf: zipfile.ZipFile, name: str) -> TableLocation:
    """The table whose display name is ``name`` (Excel compares names case-insensitively)."""
    shared = next(
        (p for t, p in _rels(zf, WORKBOOK).values() if t.endswith("/sharedStrings")), None
    )
    for sheet_name, sheet_path in sheet_parts(zf).items():
        for kind, path in _rels(zf, sheet_path).values():
            if not kind.endswith("/table"):
                continue
            root = etree.fromstring(zf.read(path))
            if (root.get("displayName") or root.get("name") or "").lower() != name.lower():
                continue
            if int(root.get("totalsRowCount", "0") or 0):
                raise DataTableMissing(
                    f"The table {name} on sheet {sheet_name!r} has a total row, which refresh "
                    "would overwrite. Turn the total row off (Table Design > Total Row) and "
                    "put totals on your own sheet."
                )
            columns = tuple(c.get("name", "") for c in root.iter(f"{{{MAIN}}}tableColumn"))
            return TableLocation(
                name, path, sheet_name, sheet_path, columns, root.get("ref", ""), shared
            )
    raise DataTableMissing(
        f"This workbook has no table called {name}: it was deleted or renamed. Rename the "
        f"table back to {name} (Table Design > Table Name), or build a new workbook with "
        "`demandgrid scenarios`."
    )


# ---------------------------------------------------------------- reading rows


def shared_strings(zf: zipfile.ZipFile, path: str | None) -> list[str]:
    if not path or path not in zf.namelist():
        return []
    out = []
    for _, si in etree.iterparse(zf.open(path), events=("end",), tag=f"{{{MAIN}}}si"):
        # rich text: the runs' text joined; phonetic runs (rPh) are not part of the value
        out.append("".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t") if _not_phonetic(t)))
        si.clear()
    return out


def _not_phonetic(t: etree._Element) -> bool:
    parent = t.getparent()
    return parent is None or parent.tag != f"{{{MAIN}}}rPh"


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def read_rows(
    zf: zipfile.ZipFile,
    sheet_path: str,
    strings: list[str],
    *,
    first_row: int = 1,
    columns: Iterable[int] | None = None,
) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column index: value}) for each row from ``first_row``; values are str,
    float or bool. Only ``columns`` (1-based) are decoded when given."""
    wanted = set(columns) if columns is not None else None
    v_tag, is_tag, t_tag = f"{{{MAIN}}}v", f"{{{MAIN}}}is", f"{{{MAIN}}}t"
    row_number = 0
    for _, row in etree.iterparse(zf.open(sheet_path), events=("end",), tag=f"{{{MAIN}}}row"):
        row_number = int(row.get("r") or row_number + 1)
        if row_number < first_row:
            row.clear()
            continue
        values: dict[int, object] = {}
        col = 0
        for c in row:
            ref = c.get("r")
            col = column_index(_CELL_REF.match(ref)[1]) if ref else col + 1  # type: ignore[index]
            if wanted is not None and col not in wanted:
                continue
            kind = c.get("t", "n")
            if kind == "inlineStr":
                node = c.find(is_tag)
                values[col] = "".join(node.itertext(t_tag)) if node is not None else ""
                continue
            text = c.findtext(v_tag)
            if text is None:
                continue
            if kind == "s":
                values[col] = strings[int(text)]
            elif kind in ("str", "e", "d"):
                values[col] = text
            elif kind == "b":
                values[col] = text == "1"
            else:
                values[col] = float(text)
        row.clear()
        yield row_number, values


_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_INLINE = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)


def _row_chunks(stream: IO[bytes], size: int = 8 << 20) -> Iterator[bytes]:
    """The worksheet XML in pieces that end on a row boundary (bounded memory)."""
    rest = b""
    while block := stream.read(size):
        rest += block
        cut = rest.rfind(b"</row>")
        if cut >= 0:
            yield rest[: cut + 6]
            rest = rest[cut + 6 :]
    yield rest


def _decode(attrs: bytes, body: bytes | None, strings: list[str]) -> object:
    kind = _TYPE.search(attrs)
    t = kind[1] if kind else b"n"
    if not body:
        return None
    if t == b"inlineStr":
        return unescape(b"".join(_INLINE.findall(body)).decode("utf-8"))
    v = _VALUE.search(body)
    if v is None:
        return None
    if t == b"s":
        return strings[int(v[1])]
    if t == b"b":
        return v[1] == b"1"
    if t in (b"str", b"e", b"d"):
        return unescape(v[1].decode("utf-8"))
    return float(v[1])


def read_table(zf: zipfile.ZipFile, loc: TableLocation, names: Iterable[str]) -> pd.DataFrame:
    """The table's data rows, only the columns called ``names``, as a frame.

    Every writer we know (Excel, LibreOffice, openpyxl, ours) gives each cell its ``r``
    attribute first, so one regular expression finds just the wanted columns' cells; a sheet
    without cell references falls back to the element-by-element reader."""
    first_col, first_row, _, last_row = loc.bounds
    index = {name: first_col + loc.columns.index(name) for name in names}
    by_letter = {column_letter(i).encode(): name for name, i in index.items()}
    strings = shared_strings(zf, loc.shared_strings)
    cell = re.compile(
        rb'<c r="(' + b"|".join(by_letter) + rb')(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S
    )
    found: dict[str, dict[int, object]] = {name: {} for name in index}
    with zf.open(loc.sheet_path) as stream:
        for chunk in _row_chunks(stream):
            for m in cell.finditer(chunk):
                row = int(m[2])
                if first_row < row <= last_row:
                    found[by_letter[m[1]]][row] = _decode(m[3], m[4], strings)
    rows = range(first_row + 1, last_row + 1)
    if last_row > first_row + 1 and not any(found.values()):
        return _read_table_slowly(zf, loc, index, strings)
    return pd.DataFrame({name: [found[name].get(r) for r in rows] for name in index}, dtype=object)


def _read_table_slowly(
    zf: zipfile.ZipFile, loc: TableLocation, index: dict[str, int], strings: list[str]
) -> pd.DataFrame:
    _, first_row, _, last_row = loc.bounds
    records = []
    for number, values in read_rows(
        zf, loc.sheet_path, strings, first_row=first_row + 1, columns=index.values()
    ):
        if number > last_row:
            break
        records.append([values.get(i) for i in index.values()])
    return pd.DataFrame(records, columns=list(index), dtype=object)


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
        raise DataTableMissing("The Data sheet has no cell data part; the file is damaged.")
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
    raise DataTableMissing("The Data sheet's cell data never ends; the file is damaged.")


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


def resize_names(
    workbook: bytes, sheet_name: str, old_last: int, new_last: int, header: int
) -> bytes:
    """Defined names over the table's data rows (rows header+1 .. old_last) end at new_last."""
    quoted = (
        re.escape(sheet_name)
        if re.fullmatch(r"\w+", sheet_name)
        else "'" + re.escape(sheet_name.replace("'", "''")) + "'"
    )
    pattern = re.compile(rf"({quoted}!\$?[A-Z]+\$?(\d+):\$?[A-Z]+\$?)(\d+)(?=[^\d]|$)".encode())

    def fix(m: re.Match[bytes]) -> bytes:
        start, end = int(m[2]), int(m[3])
        if end == old_last and start in (header, header + 1):
            return m[1] + str(new_last).encode()
        return m[0]

    def in_names(m: re.Match[bytes]) -> bytes:
        return pattern.sub(fix, m[0])

    return re.sub(rb"<definedName\b[^>]*>[^<]*</definedName>", in_names, workbook)


def recalc_on_open(workbook: bytes) -> bytes:
    """Make Excel recompute every formula when it opens the file (cached values are stale)."""
    if re.search(rb"<calcPr\b", workbook):
        workbook = re.sub(rb'\sfullCalcOnLoad="[^"]*"', b"", workbook)
        return re.sub(rb"<calcPr\b", b'<calcPr fullCalcOnLoad="1"', workbook, count=1)
    return workbook.replace(b"</workbook>", b'<calcPr fullCalcOnLoad="1"/></workbook>')


def table_xml(table: bytes, old_ref: str, new_ref: str) -> bytes:
    """The table part with its range (and its filter's and sort's) moved to ``new_ref``."""
    c1, r1, c2, r2 = split_ref(old_ref)
    n1, nr1, n2, nr2 = split_ref(new_ref)
    old_body = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2}"
    new_body = f"{column_letter(n1)}{nr1 + 1}:{column_letter(n2)}{nr2}"
    table = table.replace(f'ref="{old_ref}"'.encode(), f'ref="{new_ref}"'.encode())
    return table.replace(f'ref="{old_body}"'.encode(), f'ref="{new_body}"'.encode())


def replace_table(
    src: Path,
    dst: Path,
    loc: TableLocation,
    frame: pd.DataFrame,
    parts: dict[str, bytes] | None = None,
) -> str:
    """Copy ``src`` to ``dst`` with the table's data rows replaced by ``frame`` (its columns in
    the table's column order) and ``parts`` replaced whole. Returns the table's new ref."""
    first_col, header, last_col, old_last = loc.bounds
    if list(frame.columns) != list(loc.columns):
        raise ValueError("frame columns must be the table's columns, in order")
    # an Excel table needs one data row; an empty plan keeps one empty row
    new_last = header + max(len(frame), 1)
    new_ref = f"{column_letter(first_col)}{header}:{column_letter(last_col)}{new_last}"
    parts = dict(parts or {})
    with zipfile.ZipFile(src) as zin:
        with zin.open(loc.sheet_path) as stream:
            sheet = split_sheet_stream(stream, header)
        styles = sheet[3]
        parts[loc.table_path] = table_xml(zin.read(loc.table_path), loc.ref, new_ref)
        workbook = resize_names(zin.read(WORKBOOK), loc.sheet_name, old_last, new_last, header)
        parts[WORKBOOK] = recalc_on_open(workbook)
        drop = _calc_chain(zin, parts)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                if info.filename in drop:
                    continue
                if info.filename == loc.sheet_path:
                    rows = row_xml(frame, first_col, header + 1, styles)
                    write_sheet(zout, info.filename, sheet, rows, new_ref)
                elif info.filename in parts:
                    zout.writestr(info.filename, parts[info.filename])
                else:
                    zout.writestr(info, zin.read(info.filename))
    return new_ref


def _calc_chain(zin: zipfile.ZipFile, parts: dict[str, bytes]) -> set[str]:
    """Drop the calc chain (Excel rebuilds it; a stale one can make Excel repair the file)."""
    if "xl/calcChain.xml" not in zin.namelist():
        return set()
    rels_path = "xl/_rels/workbook.xml.rels"
    rels = zin.read(rels_path)
    parts[rels_path] = re.sub(rb"<Relationship\b[^>]*calcChain[^>]*/>", b"", rels)
    types = zin.read("[Content_Types].xml")
    parts["[Content_Types].xml"] = re.sub(rb"<Override\b[^>]*calcChain[^>]*/>", b"", types)
    return {"xl/calcChain.xml"}
