"""The governed review workbook's structure, written from a synthetic pull (no org needed)."""

from __future__ import annotations

import math
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest_workbook import INJECTION_ACCOUNTS, SyntheticCells, synthetic_cells
from openpyxl.utils import get_column_letter, range_boundaries

from addin.review import layout, record
from addin.review.grid import starting_value
from addin.review.template import build_template_workbook
from addin.review.writer import TemplateBroken, write_workbook


@pytest.fixture(scope="module")
def pulled() -> SyntheticCells:
    cells = synthetic_cells()
    cells.frame.loc[5, "baseline"] = -25.0  # negative numbers stay numbers
    cells.frame.loc[5, "adjusted"] = math.nan
    return cells


@pytest.fixture(scope="module")
def book_path(pulled: SyntheticCells, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(pulled, tmp_path_factory.mktemp("wb") / "review.xlsx")


@pytest.fixture(scope="module")
def wb(book_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_path)


def _dest(wb: openpyxl.Workbook, name: str) -> tuple[str, str]:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return sheet, ref.replace("$", "")


def _grid(wb: openpyxl.Workbook) -> tuple[dict[str, int], list[tuple], int, int]:
    """Heading -> column, rows of values below the heading row, top row, left column."""
    sheet, ref = _dest(wb, layout.N_GRID)
    c0, r0, c1, r1 = range_boundaries(ref)
    ws = wb[sheet]
    heads = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    cols = {h if isinstance(h, str) else h.date().isoformat(): c0 + i for i, h in enumerate(heads)}
    rows = list(ws.iter_rows(min_row=r0 + 1, max_row=r1, min_col=c0, max_col=c1))
    return cols, rows, r0, c0


def test_sheets_and_their_states(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames[:2] == [layout.REVIEW, layout.SUMMARY]
    assert wb[layout.REVIEW].sheet_state == "visible"
    assert wb[layout.LISTS].sheet_state == "hidden"
    assert wb[layout.RECORD].sheet_state == "veryHidden"
    assert wb.active.title == layout.REVIEW


def test_protection_is_on(wb: openpyxl.Workbook) -> None:
    assert wb.security.lockStructure
    for name in (layout.REVIEW, layout.SUMMARY):
        p = wb[name].protection
        assert p.sheet and not p.password
    p = wb[layout.REVIEW].protection
    assert not p.sort and not p.autoFilter and not p.formatColumns  # allowed to the rep
    assert p.deleteRows and p.insertRows  # structure stays


def test_only_editable_adjusted_cells_reason_note_and_spread_inputs_are_unlocked(
    wb: openpyxl.Workbook, pulled: SyntheticCells
) -> None:
    cols, rows, _, _ = _grid(wb)
    locked = {(r.row_key, r.period_start.isoformat()): r.locked for r in pulled.frame.itertuples()}
    expected, unlocked = set(), set()
    for row in rows:
        values = {c.column: c for c in row}
        kind, key = values[cols[layout.H_KIND]].value, values[cols[layout.H_KEY]].value
        for cell in row:
            if not cell.protection.locked:
                unlocked.add(cell.coordinate)
        if kind == layout.ADJUSTED:
            expected |= {values[cols[layout.H_REASON]].coordinate}
            expected |= {values[cols[layout.H_NOTE]].coordinate}
            expected |= {values[cols[layout.H_NEW_TOTAL]].coordinate}  # the spread's inputs
            expected |= {values[cols[layout.H_SPREAD_OVER]].coordinate}
            for p in pulled.periods:
                if not locked[(key, p.isoformat())]:
                    expected.add(values[cols[p.isoformat()]].coordinate)
    assert unlocked == expected
    assert len(expected) > 0


def test_adjusted_row_starts_from_adjusted_else_baseline_and_mirror_agrees(
    wb: openpyxl.Workbook, pulled: SyntheticCells
) -> None:
    cols, rows, _, _ = _grid(wb)
    ws = wb[layout.REVIEW]
    by_key = {(r.row_key, r.period_start.isoformat()): r for r in pulled.frame.itertuples()}
    checked = 0
    for row in rows:
        if row[cols[layout.H_KIND] - 1].value != layout.ADJUSTED:
            continue
        key = row[cols[layout.H_KEY] - 1].value
        for p in pulled.periods:
            cell = by_key[(key, p.isoformat())]
            start = starting_value(cell.adjusted, cell.baseline)
            shown = ws.cell(row[0].row, cols[p.isoformat()]).value
            mirror = ws.cell(row[0].row, cols[layout.H_MIRROR_PREFIX + p.isoformat()]).value
            assert shown == start == mirror
            checked += 1
    assert checked == len(pulled.frame)


def test_validation_reason_list_numbers_and_note_length(wb: openpyxl.Workbook) -> None:
    ws = wb[layout.REVIEW]
    cols, rows, top, _ = _grid(wb)
    last = rows[-1][0].row
    # The first of each type is the grid's; the spread's inputs come after (addin.spread).
    by_type: dict = {}
    for dv in ws.data_validations.dataValidation:
        by_type.setdefault(dv.type, dv)
    numbers = by_type["decimal"]
    assert numbers.operator == "greaterThanOrEqual" and numbers.formula1 == "0"
    assert numbers.showErrorMessage and "0 or more" in numbers.error
    _, periods = _dest(wb, layout.N_PERIODS)
    c0, _, c1, _ = range_boundaries(periods)
    assert str(numbers.sqref) == f"{get_column_letter(c0)}{top + 1}:{get_column_letter(c1)}{last}"
    reasons = by_type["list"]
    assert reasons.formula1 == layout.N_REASON_CODES and reasons.showErrorMessage
    reason_col = get_column_letter(cols[layout.H_REASON])
    assert str(reasons.sqref) == f"{reason_col}{top + 1}:{reason_col}{last}"
    assert by_type["textLength"].formula1 == "2000"
    sheet, ref = _dest(wb, layout.N_REASON_CODES)
    codes = [c[0].value for c in wb[sheet][ref]]
    assert codes == list(layout.REASON_CODES)


def test_conditional_formats_compare_with_the_mirror(wb: openpyxl.Workbook) -> None:
    ws = wb[layout.REVIEW]
    cols, _, top, _ = _grid(wb)
    first_period = get_column_letter(cols[min(k for k in cols if k[:1].isdigit())])
    mirror = get_column_letter(cols[min(k for k in cols if k.startswith(layout.H_MIRROR_PREFIX))])
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    period_rules = next(v for k, v in rules.items() if k.startswith(first_period))
    compare = f"{first_period}{top + 1}<>{mirror}{top + 1}"
    blocked, *changes = period_rules  # what check blocks first, then unexplained, changed
    assert len(changes) == 2 and all(compare in f for f in changes)
    red = changes[0]
    assert "LEN(" in red and f'"{layout.ADJUSTED}"' in red
    assert "ISNUMBER(" in blocked and "<0" in blocked and f'"{layout.ADJUSTED}"' in blocked


def test_defined_names_resolve(wb: openpyxl.Workbook, pulled: SyntheticCells) -> None:
    for name in (
        layout.N_TITLE,
        layout.N_REP,
        layout.N_ORG,
        layout.N_PULLED_AT,
        layout.N_MEASURE,
        layout.N_OPEN_PROBLEMS,
        layout.N_CHANGED_CELLS,
        layout.N_GRID_ANCHOR,
        layout.N_LOCK_ANCHOR,
        layout.N_GRID,
        layout.N_PERIODS,
        layout.N_REASON_CODES,
        layout.N_SUMMARY_ACCOUNT,
        layout.N_SUMMARY_FAMILY,
        layout.N_RECORD,
    ):
        sheet, _ = _dest(wb, name)
        assert sheet in wb.sheetnames, name
    sheet, ref = _dest(wb, layout.N_PERIODS)
    headings = [c.value for c in wb[sheet][ref][0]]
    assert [h.date() for h in headings] == pulled.periods
    assert wb[layout.REVIEW][_dest(wb, layout.N_REP)[1]].value == "Alex Morgan"
    assert wb[layout.REVIEW][_dest(wb, layout.N_CHANGED_CELLS)[1]].value.startswith("=SUMPRODUCT(")
    _, grid = _dest(wb, layout.N_GRID)
    c0, r0, c1, r1 = range_boundaries(grid)
    assert (r1 - r0) == 5 * pulled.frame["row_key"].nunique()
    assert c1 - c0 + 1 == len(layout.LEFT_HEADINGS) + 2 * len(pulled.periods) + len(
        layout.RIGHT_HEADINGS
    )


def test_panes_outline_hidden_columns_formats(wb: openpyxl.Workbook) -> None:
    ws = wb[layout.REVIEW]
    cols, rows, top, _ = _grid(wb)
    first = min(v for k, v in cols.items() if k[:1].isdigit())
    assert ws.freeze_panes == f"{get_column_letter(first)}{top + 1}"
    for row in rows[:10]:
        level = ws.row_dimensions[row[0].row].outlineLevel
        assert level == (0 if row[cols[layout.H_KIND] - 1].value == layout.ADJUSTED else 1)
    hidden = {k for k, v in cols.items() if ws.column_dimensions[get_column_letter(v)].hidden}
    assert hidden == {layout.H_KEY} | {k for k in cols if k.startswith(layout.H_MIRROR_PREFIX)}
    assert ws.cell(top + 1, first).number_format == "#,##0"
    assert ws.cell(top, first).number_format == "mmm yy"
    assert ws.auto_filter.ref.startswith(f"A{top}:")


def test_locks_are_shown(wb: openpyxl.Workbook, pulled: SyntheticCells) -> None:
    ws = wb[layout.REVIEW]
    _, lock_ref = _dest(wb, layout.N_LOCK_ANCHOR)
    lock = ws[lock_ref]
    status = [ws.cell(lock.row, lock.column + 1 + j).value for j in range(len(pulled.periods))]
    assert status[:2] == ["past period", "past period"] and set(status[2:]) == {None}
    notes = [c.comment.text for row in ws.iter_rows() for c in row if c.comment]
    assert notes and all(n == "Locked: forecast expired" for n in notes)
    expired_blocks = pulled.frame.loc[pulled.frame.lock_reason == "forecast expired", "row_key"]
    assert len(notes) == expired_blocks.nunique()  # one note per row, on its first such cell


def test_hidden_record_decodes_to_the_frame(wb: openpyxl.Workbook, pulled: SyntheticCells) -> None:
    sheet, ref = _dest(wb, layout.N_RECORD)
    ws = wb[sheet]
    start = ws[ref]
    values = [
        c[0].value
        for c in ws.iter_rows(min_row=start.row, min_col=start.column, max_col=start.column)
    ]
    rec = record.decode(values)
    assert rec.context == pulled.context
    assert len(rec.cells) == len(pulled.frame)
    for cell, row in zip(rec.cells, pulled.frame.itertuples(), strict=True):
        assert (
            cell["record_id"] == row.record_id
            and cell["period_start"] == row.period_start.isoformat()
        )
        assert cell["baseline"] == row.baseline and cell["locked"] == row.locked
        assert (cell["adjusted"] is None) == math.isnan(row.adjusted)
        assert cell["note"] == row.note and cell["lock_reason"] == row.lock_reason


def test_org_strings_are_text_and_negative_numbers_numbers(book_path: Path) -> None:
    with zipfile.ZipFile(book_path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    for name in INJECTION_ACCOUNTS:
        escaped = name.replace("&", "&amp;").replace('"', "&quot;")
        cells = re.findall(r'<c r="A\d+"[^>]*>(?:(?!</c>).)*</c>', sheet)
        hits = [c for c in cells if f">{escaped}<" in c or f">{name}<" in c]
        assert hits, name
        assert all('t="inlineStr"' in c and "<f>" not in c for c in hits), name
    assert "<f>HYPERLINK" not in sheet
    negative = re.search(r'<c r="[A-Z]+\d+"[^>]*><v>-25</v></c>', sheet)
    assert negative and 't="n"' in negative.group(0)
    wb = openpyxl.load_workbook(book_path)
    texts = {c.value: c.data_type for row in wb[layout.REVIEW].iter_rows(max_col=1) for c in row}
    assert all(texts[name] == "s" for name in INJECTION_ACCOUNTS)


def test_summary_has_live_formulas_per_account_and_family(
    wb: openpyxl.Workbook, pulled: SyntheticCells
) -> None:
    for anchor_name, column in (
        (layout.N_SUMMARY_ACCOUNT, "account_name"),
        (layout.N_SUMMARY_FAMILY, "product_family"),
    ):
        sheet, ref = _dest(wb, anchor_name)
        ws = wb[sheet]
        a = ws[ref]
        names = list(dict.fromkeys(pulled.frame[column]))
        body = [ws.cell(a.row + 1 + i, a.column).value for i in range(len(names) + 1)]
        assert body == [*names, "Total"]
        assert ws.cell(a.row + 1, a.column + 1).value.startswith("=SUMIFS(")
        assert ws.cell(a.row + 1, a.column).data_type == "s"


def test_a_moved_grid_anchor_moves_the_grid(pulled: SyntheticCells, tmp_path: Path) -> None:
    template = build_template_workbook()
    template.defined_names[layout.N_GRID_ANCHOR].attr_text = "'Review'!$B$12"
    template.defined_names[layout.N_LOCK_ANCHOR].attr_text = "'Review'!$H$11"
    template.save(tmp_path / "moved.xlsx")
    out = write_workbook(pulled, tmp_path / "out.xlsx", template=tmp_path / "moved.xlsx")
    wb = openpyxl.load_workbook(out)
    _, grid = _dest(wb, layout.N_GRID)
    assert grid.startswith("B12:")
    assert wb[layout.REVIEW]["B12"].value == layout.H_ACCOUNT
    assert isinstance(wb[layout.REVIEW]["I12"].value, datetime | date)
    assert wb[layout.REVIEW]["I11"].value == "past period"


def test_a_template_without_an_anchor_is_refused(pulled: SyntheticCells, tmp_path: Path) -> None:
    template = build_template_workbook()
    del template.defined_names[layout.N_GRID_ANCHOR]
    template.save(tmp_path / "broken.xlsx")
    with pytest.raises(TemplateBroken, match="dg_grid_anchor"):
        write_workbook(pulled, tmp_path / "out.xlsx", template=tmp_path / "broken.xlsx")


def test_an_empty_pull_still_writes_a_valid_workbook(tmp_path: Path) -> None:
    cells = synthetic_cells()
    cells.frame = cells.frame.iloc[0:0]
    wb = openpyxl.load_workbook(write_workbook(cells, tmp_path / "empty.xlsx"))
    assert wb[layout.REVIEW].protection.sheet
    assert record.decode([r[0] for r in wb[layout.RECORD].iter_rows(values_only=True)]).cells == []


def test_an_unwritable_output_is_a_message(
    pulled: SyntheticCells, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from addin.review.writer import FilledWorkbook, WorkbookInUse

    def refuse(self: FilledWorkbook, filename: str) -> None:
        raise PermissionError(13, "Permission denied", filename)  # as when Excel holds the file

    monkeypatch.setattr(FilledWorkbook, "save", refuse)
    with pytest.raises(WorkbookInUse, match="Close it"):
        write_workbook(pulled, tmp_path / "review.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_summary_criteria_match_names_literally() -> None:
    from addin.review.summary import criterion

    assert criterion("Parts * Tools? ~Co") == "=Parts ~* Tools~? ~~Co"
    assert criterion('=HYPERLINK("x")') == '==HYPERLINK("x")'
    assert criterion("-2 Tooling") == "=-2 Tooling"
