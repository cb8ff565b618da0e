"""The Data table inside an .xlsx file: find it, read its rows, replace its rows.

Works on the package (a zip of XML parts) directly, never through a full openpyxl load, so
every other part of the file (the analyst's sheets, formulas, charts, formats, pivot tables)
is copied through untouched, and 500,000 rows stay cheap in time and memory. What changes:
the Data sheet's rows below the table header, the table's ``ref``, the ``<dimension>``, defined
names that span the table's data rows, the workbook's calc settings (recalculate on open, no
stale calc chain), and any part the caller replaces whole (the hidden scenario record).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO

import pandas as pd
from lxml import etree

from addin.book.errors import UserError
from addin.book.sheet_xml import (
    column_index,
    column_letter,
    row_xml,
    split_sheet_stream,
    write_sheet,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK = "xl/workbook.xml"


class DataTableMissing(UserError):
    """The workbook's Data table is gone, renamed, or no longer has demandgrid's columns."""


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


def resize_names(
    workbook: bytes, sheet_name: str, old_last: int, new_last: int, header: int
) -> bytes:
    """Defined names over the table's data rows (rows header+1 .. old_last) end at new_last."""
    quoted = "'" + re.escape(sheet_name.replace("'", "''")) + "'"
    if re.fullmatch(r"\w+", sheet_name):  # a plain name may come quoted or not (openpyxl quotes)
        quoted = f"(?:{re.escape(sheet_name)}|{quoted})"
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
