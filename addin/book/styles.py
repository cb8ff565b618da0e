"""Tie each cell's named style back to the right name in workbooks saved by LibreOffice.

A cell format (``cellXfs``) names its cell style by ``xfId``, an index into ``cellStyleXfs``.
openpyxl reads ``xfId`` as a position in its list of named styles instead, which is the same
thing only when every ``cellStyleXfs`` entry has a name, in order. Excel and openpyxl write
them so; LibreOffice does not (it writes unnamed entries first, e.g. names at 0 and 15..25 of
26), so after loading, ``cell.style`` points past the end of the list (an ``IndexError`` in
check's and push's fill code) and a save would write cells tied to the wrong style.

``normalise_style_ids(wb, path)`` rewrites every loaded style array's ``xfId`` to the position
openpyxl uses, read from the file's own ``cellStyles``; entries without a name become the
default style. Workbooks that need nothing (ours, Excel's) cost one small XML read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STYLES_PART = "xl/styles.xml"


def style_id_map(path: str | Path) -> dict[int, int] | None:
    """``cellStyleXfs`` index -> openpyxl named-style position, or None when they agree."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read(_STYLES_PART))
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    styles = root.find(f"{_MAIN}cellStyles")
    if styles is None:
        return None
    refs = []
    for node in styles.findall(f"{_MAIN}cellStyle"):
        try:
            refs.append((int(node.get("xfId", "0")), node.get("name", "")))
        except ValueError:
            return None
    # openpyxl keeps the first of each name and of each xfId, in xfId order (remove_duplicates).
    positions: dict[int, int] = {}
    names: set[str] = set()
    for xf_id, name in sorted(refs, key=lambda r: r[0]):
        if xf_id in positions or name in names:
            continue
        names.add(name)
        positions[xf_id] = len(positions)
    if all(xf_id == position for xf_id, position in positions.items()):
        return None
    return positions


def normalise_style_ids(wb: Any, path: str | Path) -> bool:
    """Rebase the style ids of ``wb`` (loaded from ``path``); True when anything changed."""
    mapping = style_id_map(path)
    if mapping is None:
        return False

    def fix(style: Any) -> None:
        if style is not None:
            style.xfId = mapping.get(style.xfId, 0)

    remapped = []
    for style in wb._cell_styles:
        copied = StyleArray(style)
        fix(copied)
        remapped.append(copied)
    wb._cell_styles = IndexedList(remapped)  # rebuilt: its index is keyed by the arrays' hashes
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            fix(cell._style)
        for dimension in (*ws.row_dimensions.values(), *ws.column_dimensions.values()):
            fix(getattr(dimension, "_style", None))
    return True
