"""Two workbook files compared as openpyxl loads them: every cell (value, type, style, note)
and every structure (sheets, names, rows, columns, panes, conditional formats, validation,
protection, filter, print titles, workbook protection and calculation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from addin.book.styles import normalise_style_ids


def _cell(cell: Any) -> tuple[Any, ...]:
    comment = cell.comment
    return (
        cell.value,
        cell.data_type,
        cell.style,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
        cell.number_format,
        (comment.text, comment.author, comment.width, comment.height) if comment else None,
    )


def _cells(ws: Any) -> dict[str, tuple[Any, ...]]:
    return {
        cell.coordinate: _cell(cell)
        for cell in ws._cells.values()
        if cell.value is not None or cell.has_style or cell.comment is not None
    }


def _structure(ws: Any) -> dict[str, Any]:
    rows = {
        r: (d.outlineLevel, d.ht, d.customHeight, d.hidden)
        for r, d in ws.row_dimensions.items()
        if d.outlineLevel or d.ht or d.hidden
    }
    columns = {
        c: (d.width, d.hidden, d.outlineLevel)
        for c, d in ws.column_dimensions.items()
        if d.width or d.hidden
    }
    formats = [
        (str(cf.sqref), [(r.type, r.formula, r.stopIfTrue, repr(r.dxf)) for r in cf.rules])
        for cf in ws.conditional_formatting
    ]
    validations = [
        (str(v.sqref), v.type, v.operator, v.formula1, v.error, v.prompt)
        for v in ws.data_validations.dataValidation
    ]
    return {
        "state": ws.sheet_state,
        "rows": rows,
        "columns": columns,
        "formats": formats,
        "validations": validations,
        "protection": repr(ws.protection),
        "panes": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "titles": ws.print_title_rows,
        "outline": repr(ws.sheet_properties.outlinePr),
        "dimension": ws.calculate_dimension(),
    }


def _load(path: Path) -> Any:
    wb = openpyxl.load_workbook(path)
    normalise_style_ids(wb, path)  # as XlsxBook does: LibreOffice numbers named styles its own way
    return wb


def assert_same_workbook(streamed: Path, reference: Path) -> None:
    a, b = _load(streamed), _load(reference)
    assert a.sheetnames == b.sheetnames
    assert {n: d.attr_text for n, d in a.defined_names.items()} == {
        n: d.attr_text for n, d in b.defined_names.items()
    }
    assert repr(a.security) == repr(b.security)
    assert a.calculation.fullCalcOnLoad == b.calculation.fullCalcOnLoad
    assert a.active.title == b.active.title
    for name in a.sheetnames:
        cells_a, cells_b = _cells(a[name]), _cells(b[name])
        assert cells_a.keys() == cells_b.keys(), name
        different = [k for k in cells_a if cells_a[k] != cells_b[k]]
        assert not different, (name, different[:5], [cells_a[k] for k in different[:2]])
        assert _structure(a[name]) == _structure(b[name]), name
