"""A catalogue of bad workbooks and bad values: each is refused with its own message and nothing
is sent (the org's forecast table is unchanged and no update call was made).

One demo org and one pulled workbook serve the whole catalogue; each case copies the workbook,
damages it with openpyxl as a user (or a mishap) would, and pushes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import snapshot
from test_lo_styles import renumber_like_libreoffice

from addin.book.errors import ChecksFailed, WorkbookDamaged, WorkbookNotOurs
from addin.book.xlsx import XlsxBook
from addin.push.sheets import CONFLICT_HEADINGS, ConflictChoiceInvalid
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.record import decode, encode
from sync.localorg import LocalOrg

Mutation = Callable[[Any, ReviewFile], None]


@pytest.fixture(scope="module")
def base(
    tmp_path_factory: pytest.TempPathFactory, demo_org_file: Path
) -> tuple[Path, ReviewFile, Any]:
    """(org file, the pulled workbook, the org's table before anything): built once."""
    folder = tmp_path_factory.mktemp("bad-workbooks")
    org_path = folder / "org.sqlite"
    shutil.copyfile(demo_org_file, org_path)
    org = LocalOrg(org_path)
    review = ReviewFile(pull_review_file(org, folder / "pulled.xlsx"))
    return org_path, review, snapshot(org)


# ---------------------------------------------------------------- mutations


def _ws(wb: Any) -> Any:
    return wb[layout.REVIEW]


def _row(review: ReviewFile, block: int, kind: str) -> int:
    """The sheet row of ``kind`` in block ``block`` (blocks differ in height: some row kinds,
    such as POS, show only where they apply)."""
    ws = openpyxl.load_workbook(review.path, read_only=True)[layout.REVIEW]
    column = openpyxl.utils.column_index_from_string(review.columns[layout.H_KIND])
    row = review.adjusted_rows[block]
    while ws.cell(row, column).value != kind:
        row -= 1
    return row


def _set(
    values: dict[str, Any],
    *,
    noted: bool = True,
    note: str = "Customer confirmed",
    reason: str = "Promotion",
) -> Mutation:
    """Type ``values`` (keys: "open:<n>" = n-th open cell, or A1), with a note and reason on each row."""

    def apply(wb: Any, review: ReviewFile) -> None:
        ws = _ws(wb)
        for key, value in values.items():
            address = review.open_cells[int(key[5:])][1] if key.startswith("open:") else key
            ws[address].value = value
            row = int("".join(ch for ch in address if ch.isdigit()))
            if noted:
                ws[f"{review.columns[layout.H_NOTE]}{row}"].value = note
                ws[f"{review.columns[layout.H_REASON]}{row}"].value = reason

    return apply


def _locked_cell(review: ReviewFile) -> str:
    open_set = {a for _, a in review.open_cells}
    for row in review.adjusted_rows:
        for col in review.period_columns:
            if f"{col}{row}" not in open_set:
                return f"{col}{row}"
    raise AssertionError("the pull has no locked cell")


def _record_values(wb: Any) -> list[Any]:
    ws = wb[layout.RECORD]
    return [c.value for c in ws["A"] if c.value is not None]


def _write_record_values(wb: Any, values: list[Any]) -> None:
    ws = wb[layout.RECORD]
    for row in ws.iter_rows():
        for c in row:
            c.value = None
    for i, v in enumerate(values, start=1):
        ws.cell(i, 1).value = v


def _with_context(**changes: Any) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        record = decode(_record_values(wb))
        record.context = replace(record.context, **changes)
        _write_record_values(wb, encode(record))

    return apply


def _edit_record_behind_our_back(wb: Any, review: ReviewFile) -> None:
    marker, version, digest, count, *parts = _record_values(wb)
    payload = json.loads(zlib.decompress(base64.b64decode("".join(parts))))
    payload["cells"][0][3] = 999999.0  # the pulled value of the first cell
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    blob = base64.b64encode(zlib.compress(raw)).decode()
    assert hashlib.sha256(raw).hexdigest() != digest
    _write_record_values(wb, [marker, version, digest, "1", blob])


def _record_cell(row: int, value: Any) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        wb[layout.RECORD].cell(row, 1).value = value

    return apply


def _drop_record(wb: Any, review: ReviewFile) -> None:
    del wb[layout.RECORD]
    del wb.defined_names[layout.N_RECORD]


def _drop_name(name: str) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        del wb.defined_names[name]

    return apply


def _heading(old: str, new: Any) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        _ws(wb)[f"{review.columns[old]}{review.top}"].value = new

    return apply


def _period_heading(index: int, new: Any) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        _ws(wb)[f"{review.period_columns[index]}{review.top}"].value = new

    return apply


def _cell(column_heading: str, row_of: Callable[[ReviewFile], int], value: Any) -> Mutation:
    def apply(wb: Any, review: ReviewFile) -> None:
        _ws(wb)[f"{review.columns[column_heading]}{row_of(review)}"].value = value

    return apply


def _insert_row_with_number(wb: Any, review: ReviewFile) -> None:
    ws = _ws(wb)
    row = review.adjusted_rows[0]
    ws.insert_rows(row)  # openpyxl does not stretch the defined name: stretch it as Excel would
    dn = wb.defined_names[layout.N_GRID]
    sheet, ref = next(iter(dn.destinations))
    first, last = ref.split(":")
    end_row = int("".join(ch for ch in last if ch.isdigit())) + 1
    end_col = "".join(ch for ch in last.replace("$", "") if ch.isalpha())
    dn.attr_text = f"'{sheet}'!{first}:${end_col}${end_row}"
    ws[f"{review.period_columns[-1]}{row}"].value = 123


def _delete_adjusted_row(wb: Any, review: ReviewFile) -> None:
    _ws(wb).delete_rows(review.adjusted_rows[1])


def _copy_adjusted_over_target(wb: Any, review: ReviewFile) -> None:
    ws = _ws(wb)
    src, dst = review.adjusted_rows[0], _row(review, 0, layout.TARGET)
    for c in range(1, ws.max_column + 1):
        ws.cell(dst, c).value = ws.cell(src, c).value


def _sort_without_key(wb: Any, review: ReviewFile) -> None:
    """Blocks 0 and 1 swapped in every column up to Problems: a sort that left Key behind."""
    ws = _ws(wb)
    last = openpyxl.utils.column_index_from_string(review.columns[layout.H_PROBLEMS])
    height = review.adjusted_rows[1] - review.adjusted_rows[0]  # two blocks of one account
    first_a = review.adjusted_rows[0] - height + 1
    first_b = review.adjusted_rows[1] - height + 1
    for i in range(height):
        for c in range(1, last + 1):
            a, b = ws.cell(first_a + i, c), ws.cell(first_b + i, c)
            a.value, b.value = b.value, a.value


def _conflict_choice(wb: Any, review: ReviewFile) -> None:
    _set({"open:0": 42})(wb, review)
    ws = wb.create_sheet(layout.CONFLICTS)
    ws.append(["1 cell(s) changed in the org"])
    ws.append(list(CONFLICT_HEADINGS))
    row = {"Cell": "Review!X1", "Pulled": 1, "Theirs": 2, "Mine": 3, "Take": "maybe"}
    ws.append([row.get(h, "") for h in CONFLICT_HEADINGS[:-1]] + ["0AZ000000000000AAA"])


def _other_user(org_path: Path) -> LocalOrg:
    return LocalOrg(org_path, username="priya.novak@demandgrid.demo")


LONG = "x" * 2000

CASES: list[tuple[str, Mutation | str, type[Exception], str]] = [
    # ---- not ours, foreign, tampered
    ("plain workbook", "plain", WorkbookNotOurs, "no demandgrid record"),
    ("not a workbook at all", "text", WorkbookNotOurs, "cannot be opened as an .xlsx"),
    ("no such file", "missing", WorkbookNotOurs, "No workbook at"),
    ("hidden record sheet deleted", _drop_record, WorkbookNotOurs, "no demandgrid record"),
    ("hidden record edited", _edit_record_behind_our_back, WorkbookNotOurs, "checksum mismatch"),
    ("record header damaged", _record_cell(4, "many"), WorkbookNotOurs, "header unreadable"),
    ("record truncated", _record_cell(4, "7"), WorkbookNotOurs, "incomplete"),
    ("record of a newer format", _record_cell(2, "9"), WorkbookNotOurs, "format 9"),
    (
        "record chunk garbled",
        _record_cell(5, "!!!not base64!!!"),
        WorkbookNotOurs,
        "cannot be decoded",
    ),
    (
        "pulled from another org",
        _with_context(org_id="00DOTHERORG000001A", org_name="Other Co"),
        WorkbookNotOurs,
        "pulled from org 'Other Co'",
    ),
    ("pulled by another user", "other-user", WorkbookNotOurs, "you are signed in as 'priya.novak"),
    # ---- structure no longer ties cells to records
    (
        "grid name deleted",
        _drop_name(layout.N_GRID),
        WorkbookDamaged,
        "grid name (dg_grid) is missing",
    ),
    (
        "Key heading renamed",
        _heading(layout.H_KEY, "Id"),
        WorkbookDamaged,
        "no column headed 'Key'",
    ),
    (
        "Note heading duplicated",
        _heading(layout.H_REGION, layout.H_NOTE),
        WorkbookDamaged,
        "2 columns headed 'Note'",
    ),
    (
        "period heading shifted",
        _period_heading(0, datetime(2031, 1, 1)),
        WorkbookDamaged,
        "period headings",
    ),
    (
        "period heading typed over",
        _period_heading(1, "next month"),
        WorkbookDamaged,
        "no column for",
    ),
    (
        "row inserted with a number",
        _insert_row_with_number,
        WorkbookDamaged,
        "has no Key: a row was inserted",
    ),
    (
        "Adjusted row's key cleared",
        _cell(layout.H_KEY, lambda r: r.adjusted_rows[0], None),
        WorkbookDamaged,
        "has no Key",
    ),
    (
        "key edited",
        _cell(layout.H_KEY, lambda r: r.adjusted_rows[0], "0AP000000000000XYZ"),
        WorkbookDamaged,
        "never pulled",
    ),
    ("Adjusted row deleted", _delete_adjusted_row, WorkbookDamaged, "Adjusted row of"),
    ("Adjusted row copied", _copy_adjusted_over_target, WorkbookDamaged, "2 Adjusted rows"),
    (
        "row kind misspelt",
        _cell(layout.H_KIND, lambda r: r.adjusted_rows[0], "Adjustd"),
        WorkbookDamaged,
        "Row column reads 'Adjustd'",
    ),
    (
        "Baseline row relabelled Adjusted",
        _cell(layout.H_KIND, lambda r: _row(r, 0, layout.BASELINE), layout.ADJUSTED),
        WorkbookDamaged,
        "2 Adjusted rows",
    ),
    (
        "Adjusted row relabelled Target",
        _cell(layout.H_KIND, lambda r: r.adjusted_rows[0], layout.TARGET),
        WorkbookDamaged,
        "missing",
    ),
    (
        "rows sorted without the hidden Key column",
        _sort_without_key,
        WorkbookDamaged,
        "no longer match their records",
    ),
    # ---- bad values: check refuses, nothing sent
    ("change without a note", _set({"open:0": 42}, note=""), ChecksFailed, "without a note"),
    (
        "change without a reason code",
        _set({"open:0": 42}, reason=""),
        ChecksFailed,
        "without a reason code",
    ),
    (
        "reason code not in the list",
        _set({"open:0": 42}, reason="Gut feeling"),
        ChecksFailed,
        "'Gut feeling' is not in the list",
    ),
    (
        "text instead of a number",
        _set({"open:0": "forty"}),
        ChecksFailed,
        "the text 'forty', not a number",
    ),
    ("number typed as text", _set({"open:0": "42"}), ChecksFailed, "the text '42', not a number"),
    ("boolean", _set({"open:0": True}), ChecksFailed, "the boolean TRUE"),
    ("date", _set({"open:0": datetime(2027, 3, 1)}), ChecksFailed, "the date 2027-03-01"),
    ("#REF! error", _set({"open:0": "#REF!"}), ChecksFailed, "error value #REF!"),
    ("#N/A error", _set({"open:0": "#N/A"}), ChecksFailed, "error value #N/A"),
    ("#DIV/0! error", _set({"open:0": "#DIV/0!"}), ChecksFailed, "error value #DIV/0!"),
    ("formula in an input cell", _set({"open:0": "=1+1"}), ChecksFailed, "holds a formula (=1+1)"),
    ("negative", _set({"open:0": -3}), ChecksFailed, "is negative (-3)"),
    ("absurd", _set({"open:0": 5e9}), ChecksFailed, "above the limit"),
    (
        "more decimals than the org keeps",
        _set({"open:0": 12.345}),
        ChecksFailed,
        "at most 2 decimal(s)",
    ),
    ("locked period edited", "locked", ChecksFailed, "is locked"),
    (
        "note too long with its reason code",
        _set({"open:0": 42}, note=LONG),
        ChecksFailed,
        "the org keeps at most 2,000",
    ),
    (
        "note typed as a formula, never calculated",
        _set({"open:0": 42}, note='="Promo"&" week"'),
        ChecksFailed,
        'the row\'s Note is a formula (="Promo"&" week") whose value was never calculated',
    ),
    (
        "one good change and one bad",
        _set({"open:0": 42, "open:1": "n/a"}),
        ChecksFailed,
        "Check found 1 problem",
    ),
    (
        "saved by LibreOffice (its style numbering) with a text value",
        "lo-styles",
        ChecksFailed,
        "the text 'forty', not a number",
    ),
    (
        "conflict choice neither mine nor theirs",
        _conflict_choice,
        ConflictChoiceInvalid,
        "takes mine or theirs",
    ),
]


@pytest.mark.parametrize(
    ("name", "mutation", "error", "fragment"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_workbook_is_refused_and_nothing_is_sent(
    base: tuple[Path, ReviewFile, Any],
    tmp_path: Path,
    name: str,
    mutation: Mutation | str,
    error: type[Exception],
    fragment: str,
) -> None:
    org_path, review, before = base
    path = tmp_path / "review.xlsx"
    shutil.copyfile(review.path, path)
    org = LocalOrg(org_path)
    if mutation == "plain":
        openpyxl.Workbook().save(path)
    elif mutation == "text":
        path.write_text("Account,Jan\nAcme,10\n")
    elif mutation == "missing":
        path.unlink()
    elif mutation == "other-user":
        org = _other_user(org_path)
    elif mutation == "lo-styles":
        book = XlsxBook.open(path)
        book.write(layout.REVIEW, review.open_cells[0][1], [["forty"]])
        book.save()
        renumber_like_libreoffice(path, tmp_path / "lo.xlsx")
        shutil.move(tmp_path / "lo.xlsx", path)
    else:
        wb = openpyxl.load_workbook(path)
        if mutation == "locked":
            _set({_locked_cell(review): 1})(wb, review)
        else:
            assert callable(mutation)
            mutation(wb, review)
        wb.save(path)

    with pytest.raises(error) as caught:
        push_workbook(XlsxBook.open(path), org)

    assert fragment in str(caught.value)
    assert org.calls.update == 0
    assert snapshot(org) == before
    if error is ChecksFailed:  # run again, on the workbook check has marked: the same refusal
        with pytest.raises(error) as again:
            push_workbook(XlsxBook.open(path), org)
        assert fragment in str(again.value)
        assert org.calls.update == 0 and snapshot(org) == before


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 30
