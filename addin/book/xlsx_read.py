"""A workbook file read without loading it: the cells of the sheets asked for, parsed once.

``XlsxBook`` reads through this until something is written (check and a dry run only read).
openpyxl opens the package read-only for what is small (sheet names, defined names, shared
strings, which styles are dates, the date epoch); each worksheet asked for is then parsed in
one streaming pass (lxml ``iterparse``), keeping for every cell what openpyxl would give:
formula text (shared formulas translated), and beside it the cached value Excel or LibreOffice
stored; text from shared strings (rich text flattened), inline strings and formula strings;
booleans; error values as their text; numbers as int or float; serials under a date style as
datetimes. Cell notes come from the sheet's comments part. Nothing here writes.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from lxml import etree
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.formula.translate import Translator
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import COMMENTS_NS
from openpyxl.xml.functions import fromstring

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS = (f"{_MAIN}{t}" for t in ("row", "c", "v", "f", "is"))
_T, _R = f"{_MAIN}t", f"{_MAIN}r"


@dataclass
class SheetCells:
    """One worksheet's cells as openpyxl reads them: ``values`` (formulas as their text) and
    ``cached`` (the stored result of each formula cell), by (row, column)."""

    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    cached: dict[tuple[int, int], Any] = field(default_factory=dict)
    max_row: int = 0
    max_col: int = 0
    common: bool = False  # read by the fast pass (written the common way)


class WorkbookCells:
    """The read side of an .xlsx file; see the module docstring. Build with ``open``."""

    def __init__(self, path: Path, wb: Any, package: bytes = b"") -> None:
        self.path = path
        self.package = package  # the file's bytes as read
        self._wb = wb
        self._sheets: dict[str, SheetCells] = {}
        self._notes: dict[str, dict[str, tuple[str, str | None]]] = {}

    @classmethod
    def open(cls, path: str | Path) -> WorkbookCells:
        """Raises what openpyxl raises for a file that is not a workbook. The file is read into
        memory once (no handle stays open on it; later reads see the file as it was)."""
        package = Path(path).read_bytes()
        wb = openpyxl.load_workbook(
            io.BytesIO(package), read_only=True, rich_text=False, keep_links=False
        )
        return cls(Path(path), wb, package)

    def close(self) -> None:
        self._wb.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self._wb.sheetnames)

    @property
    def defined_names(self) -> Any:
        return self._wb.defined_names

    def sheet(self, name: str) -> SheetCells:
        """The cells of worksheet ``name`` (parsed on first use)."""
        if name not in self._sheets:
            self._sheets[name] = self._parse(name)
        return self._sheets[name]

    def parsed(self) -> dict[str, SheetCells]:
        """The sheets read so far, by name."""
        return dict(self._sheets)

    def part(self, name: str) -> str | None:
        """The package part of worksheet ``name``, e.g. ``xl/worksheets/sheet1.xml`` (None
        for a chart sheet)."""
        path = getattr(self._wb[name], "_worksheet_path", None)
        return str(path) if path else None

    def read_part(self, part: str) -> bytes:
        return bytes(self._wb._archive.read(part))

    def shared_strings_part(self) -> bytes | None:
        """The file's shared-strings part, if it has one."""
        archive = self._wb._archive
        for name in archive.namelist():
            if name.lower().endswith("sharedstrings.xml"):
                return bytes(archive.read(name))
        return None

    def notes(self, name: str) -> dict[str, tuple[str, str | None]]:
        """A1 address -> (note text, author) of worksheet ``name``."""
        if name not in self._notes:
            self._notes[name] = self._read_notes(name)
        return self._notes[name]

    # ------------------------------------------------------------------ parsing
    def _parse(self, name: str) -> SheetCells:
        ws = self._wb[name]
        parser = _CellParser(
            ws._shared_strings,
            self._wb._date_formats,
            self._wb._timedelta_formats,
            self._wb.epoch,
        )
        archive = self._wb._archive
        with archive.open(ws._worksheet_path) as source:
            cells = parser.parse_common(source)
        if cells is not None:
            cells.common = True
            return cells
        parser.shared.clear()
        with archive.open(ws._worksheet_path) as source:
            return parser.parse(source)

    def _read_notes(self, name: str) -> dict[str, tuple[str, str | None]]:
        archive = self._wb._archive
        rels_path = get_rels_path(self._wb[name]._worksheet_path)
        if rels_path not in archive.namelist():
            return {}
        notes = {}
        for rel in get_dependents(archive, rels_path).find(COMMENTS_NS):
            if rel.target not in archive.namelist():
                continue
            sheet = CommentSheet.from_tree(fromstring(archive.read(rel.target)))
            for ref, comment in sheet.comments:
                notes[ref] = (comment.text, comment.author)
        return notes


class _CellParser:
    """One pass over a worksheet's XML; see ``WorkbookCells``."""

    def __init__(
        self, strings: list[str], dates: set[int], durations: set[int], epoch: Any
    ) -> None:
        self.strings = strings
        self.dates = dates
        self.durations = durations
        self.epoch = epoch
        self.shared: dict[str, Translator] = {}

    def parse_common(self, source: Any) -> SheetCells | None:
        """The fast pass, for sheets written the common way (every cell ``<c r="A1" ...>``,
        no namespace prefix): a regular expression finds the cells, the usual shapes (a
        number, a shared string, a formula with its cached value) are read here, anything
        else through lxml one cell at a time. None when a cell does not match, so the sheet
        is read by ``parse`` instead."""
        out = SheetCells()
        values, cached = out.values, out.cached
        columns: dict[bytes, int] = {}
        kinds: dict[bytes, tuple[int, bytes | None]] = {}  # attributes -> (style, type)
        unusual: dict[bytes, tuple[Any, Any]] = {}  # inline strings repeat: parse each once
        dates, strings = self.dates, self.strings
        max_col = 0
        leftover = b""
        plain = False  # the cell data part is <sheetData> (no namespace prefix)
        closed = False  # ... and it ends: a cut-off sheet goes to ``parse``, which refuses it
        while True:
            block = source.read(8 << 20)
            data = leftover + block
            plain = plain or b"<sheetData" in data
            closed = closed or b"</sheetData>" in data
            end = data.rfind(b"</row>") + 6 if block else len(data)
            if end < 6 and block:
                leftover = data
                continue
            piece, leftover = data[:end], data[end:]
            found = 0
            for letters, digits, attributes, body in _CELL.findall(piece):
                found += 1
                row = int(digits)
                try:
                    col = columns[letters]
                except KeyError:
                    col = columns[letters] = coordinate_to_tuple(f"{letters.decode()}1")[1]
                try:
                    style, kind = kinds[attributes]
                except KeyError:
                    style, kind = kinds[attributes] = _attributes(attributes)
                if col > max_col:
                    max_col = col
                if body[:3] == b"<v>" and body[-4:] == b"</v>" and b"<" not in body[3:-4]:
                    text = body[3:-4]
                    if kind is None or kind == b"n":
                        if text and style not in dates:
                            values[(row, col)] = (
                                float(text)
                                if (b"." in text or b"E" in text or b"e" in text)
                                else int(text)
                            )
                            continue
                    elif kind == b"s" and text:
                        values[(row, col)] = strings[int(text)]
                        continue
                elif not body:
                    values[(row, col)] = None
                    continue
                elif body[:3] == b"<f>":
                    shape = _PLAIN_FORMULA.fullmatch(body)
                    if shape is not None and (kind is None or kind in (b"n", b"str")):
                        formula, text = shape.groups()
                        values[(row, col)] = "=" + _unescape(formula)
                        if not text:
                            cached[(row, col)] = None
                        elif kind == b"str":
                            cached[(row, col)] = _unescape(text)
                        elif style in dates:
                            cached[(row, col)] = self._number(text.decode(), style)
                        else:
                            cached[(row, col)] = (
                                float(text)
                                if (b"." in text or b"E" in text or b"e" in text)
                                else int(text)
                            )
                        continue
                key = attributes + body
                if key in unusual and b"<f" not in body:
                    value, formula = unusual[key]
                else:
                    ref = f"{letters.decode()}{row}"
                    element = etree.fromstring(
                        b'<c xmlns="'
                        + _MAIN[1:-1].encode()
                        + b'" r="'
                        + ref.encode()
                        + b'"'
                        + attributes
                        + b">"
                        + body
                        + b"</c>"
                    )
                    value, formula = unusual[key] = self._cell(element, ref, row, col)
                if formula is not None:
                    values[(row, col)] = formula
                    cached[(row, col)] = value
                else:
                    values[(row, col)] = value
            if found != piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/"):
                return None
            if not block:
                break
        if not (plain and closed):
            return None
        out.max_row = max((r for r, _ in values), default=0)
        out.max_col = max_col
        return out

    def _number(self, text: str, style: int) -> Any:
        number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        if style in self.dates:
            try:
                return from_excel(number, self.epoch, timedelta=style in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number

    def parse(self, source: Any) -> SheetCells:
        out = SheetCells()
        values, cached = out.values, out.cached
        columns: dict[str, int] = {}  # "AB" -> 28, worked out once per column
        dates, cell_tag, value_tag = self.dates, _C, _V
        max_col = row_number = 0
        for _, row in etree.iterparse(source, events=("end",), tag=_ROW, huge_tree=True):
            r = row.get("r")
            row_number = int(float(r)) if r else row_number + 1
            col = 0
            for c in row:
                if c.tag != cell_tag:
                    continue
                ref = c.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    try:
                        col = columns[letters]
                    except KeyError:
                        col = columns[letters] = coordinate_to_tuple(ref)[1]
                    row_number = int(ref[len(letters) :])
                else:
                    col += 1
                kind = c.get("t")
                if kind is None and len(c) == 1 and c[0].tag == value_tag:
                    # the common cell: a number (a date under a date style)
                    text = c[0].text
                    style = c.get("s")
                    if text and not (style and int(style) in dates):
                        number = (
                            float(text)
                            if ("." in text or "E" in text or "e" in text)
                            else int(text)
                        )
                        values[(row_number, col)] = number
                        if col > max_col:
                            max_col = col
                        continue
                value, formula = self._cell(c, ref, row_number, col)
                if formula is not None:
                    values[(row_number, col)] = formula
                    cached[(row_number, col)] = value
                else:
                    values[(row_number, col)] = value
                if col > max_col:
                    max_col = col
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
        out.max_row = max((r for r, _ in values), default=0)
        out.max_col = max_col
        return out

    def _cell(self, c: Any, ref: str | None, row: int, col: int) -> tuple[Any, Any]:
        """(the cell's value, or a formula's cached value; its formula text, else None)."""
        kind = c.get("t", "n")
        text = formula = None
        inline = None
        for child in c:
            tag = child.tag
            if tag == _V:
                text = child.text
            elif tag == _F:
                formula = self._formula(child, ref, row, col)
            elif tag == _IS:
                inline = child
        if kind == "inlineStr":
            return (_plain(inline) if inline is not None else None), formula
        if not text:
            return None, formula
        if kind == "n":
            return self._number(text, int(c.get("s", 0) or 0)), formula
        if kind == "s":
            return self.strings[int(text)], formula
        if kind == "b":
            return bool(int(text)), formula
        if kind == "d":
            return from_ISO8601(text), formula
        return text, formula  # "str" (a formula's text result) and "e" (an error value)

    def _formula(self, f: Any, ref: str | None, row: int, col: int) -> Any:
        value = "=" + (f.text or "")
        kind = f.get("t")
        if kind == "shared":
            index = f.get("si")
            coordinate = ref or f"{get_column_letter(col)}{row}"
            if index in self.shared:
                return self.shared[index].translate_formula(coordinate)
            if value != "=":
                self.shared[index] = Translator(value, coordinate)
        return value


_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_PLAIN_FORMULA = re.compile(rb"<f>([^<]*)</f>(?:<v>([^<]*)</v>|<v/>|<v></v>)?", re.S)
_ATTRIBUTE = re.compile(rb'\s(\w+)="([^"]*)"')


def _attributes(text: bytes) -> tuple[int, bytes | None]:
    """(style id, cell type) from a cell's attributes after ``r``."""
    found = dict(_ATTRIBUTE.findall(text))
    return int(found.get(b"s", b"0") or 0), found.get(b"t")


def _unescape(text: bytes) -> str:
    decoded = text.decode()
    return html.unescape(decoded) if "&" in decoded else decoded


def _plain(node: Any) -> str:
    """Inline or shared rich text as plain text: its runs' text, phonetic runs left out."""
    parts = []
    for child in node:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            t = child.find(_T)
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)
