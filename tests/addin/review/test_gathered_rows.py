"""What Phase 1 loaded, in the review grid (issue 13 A), on both backends: a read-only POS row
in distributor blocks (never read as an edit), the Actual row from ERP where loaded, and the
header's data-freshness line; a refresh after a POS import keeps the grid's shape."""

from __future__ import annotations

import openpyxl
from conftest_checkpush import pull_review_file
from gather_files import filled, last_month, write_csv
from openpyxl.utils.cell import range_boundaries

from addin.book.xlsx import XlsxBook
from addin.gather.actuals import load_actuals_file
from addin.gather.pos import import_submissions
from addin.review import layout
from addin.review.readback import read_workbook
from addin.review.refresh import refresh_workbook
from sync.pull.cells import org_today


def _rows(path) -> tuple[dict[str, list[tuple[int, dict]]], openpyxl.Workbook]:
    """Row kind -> [(sheet row, {heading: value})] of the Review grid, and the workbook."""
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[layout.N_GRID].destinations))
    ws = wb[sheet]
    _, top, max_col, bottom = range_boundaries(ref.replace("$", ""))
    heads = [c.value for c in ws[top]][:max_col]
    out: dict[str, list[tuple[int, dict]]] = {}
    for r in range(top + 1, bottom + 1):
        values = {h: ws.cell(r, i + 1).value for i, h in enumerate(heads)}
        out.setdefault(values[layout.H_KIND], []).append((r, values))
    return out, wb


def _distributor_line(org):
    """The demo rep's first distributor account in the grid, and a product it buys."""
    from simple_salesforce import format_soql

    from sync.localorg.demo.org import DEMO_REP

    soql = format_soql(
        "SELECT AccountForecast.Account.Name, AccountForecast.AccountId, Product.Name, "
        "Product.ProductCode FROM AccountProductForecast WHERE AccountForecast.Owner.Username "
        "= {} AND AccountForecast.Account.Type = 'Distributor' "
        "ORDER BY AccountForecast.Account.Name, Product.ProductCode LIMIT 1",
        DEMO_REP,
    )
    r = next(iter(org.query(soql)))
    return (
        r["AccountForecast"]["Account"]["Name"],
        r["Product"]["Name"],
        r["Product"]["ProductCode"],
    )


def _load_and_import(org, tmp_path, units: int = 77):
    account, product, code = _distributor_line(org)
    month = last_month(org)
    erp = write_csv(tmp_path / "erp.csv", [[account, code, f"{month:%Y-%m}", 4242, 100.0]])
    load_actuals_file(org, erp, today=org_today(org))
    pos = filled(org, tmp_path, account, {0: units}, name=f"pos-{units}.xlsx")
    import_submissions(
        org, [pos], today=org_today(org), crosswalk=tmp_path / "pos" / "crosswalk.csv"
    )
    return account, product, month


def test_pos_row_only_for_distributors_and_actual_from_erp(org, tmp_path) -> None:
    account, product, month = _load_and_import(org, tmp_path)
    path = pull_review_file(org, tmp_path / "review.xlsx")
    rows, wb = _rows(path)
    pos_accounts = {v[layout.H_ACCOUNT] for _, v in rows[layout.POS]}
    assert account in pos_accounts
    assert len(rows[layout.POS]) < len(rows[layout.ADJUSTED])  # not every block
    column = next(
        h
        for h in rows[layout.BASELINE][0][1]
        if getattr(h, "month", None) == month.month and h.year == month.year
    )
    first_pos = next(
        v
        for _, v in rows[layout.POS]
        if v[layout.H_ACCOUNT] == account and v[layout.H_PRODUCT] == product
    )
    actual = next(
        v
        for _, v in rows[layout.ACTUAL]
        if v[layout.H_ACCOUNT] == account and v[layout.H_PRODUCT] == product
    )
    assert actual[column] == 4242  # ERP over the org's orders
    assert first_pos[column] is not None  # units of the crosswalk's first part (its product)
    freshness = wb[layout.REVIEW]["G4"].value
    assert freshness.startswith("ERP actuals ") and "· POS " in freshness
    assert f"(to {month:%b %Y})" in freshness


def test_a_value_typed_into_the_pos_row_is_not_an_edit(org, tmp_path) -> None:
    _load_and_import(org, tmp_path)
    path = pull_review_file(org, tmp_path / "review.xlsx")
    rows, wb = _rows(path)
    sheet_row, _ = rows[layout.POS][0]
    ws = wb[layout.REVIEW]
    period_col = next(
        c for c in range(1, ws.max_column + 1) if hasattr(ws.cell(8, c).value, "year")
    )
    ws.cell(sheet_row, period_col).value = 999999
    wb.save(path)
    reviewed = read_workbook(XlsxBook.open(path))
    assert reviewed.changes == []


def test_never_loaded_says_so(org, tmp_path) -> None:
    path = pull_review_file(org, tmp_path / "review.xlsx")
    rows, wb = _rows(path)
    assert wb[layout.REVIEW]["G4"].value == "ERP actuals never loaded · POS never loaded"
    assert rows[layout.POS]  # the distributor blocks have their (empty) POS row from the start
    assert all(
        v is None for _, row in rows[layout.POS] for h, v in row.items() if hasattr(h, "year")
    )


def test_refresh_after_a_pos_import_keeps_the_shape(org, tmp_path) -> None:
    path = pull_review_file(org, tmp_path / "review.xlsx")
    before, _ = _rows(path)
    _load_and_import(org, tmp_path, units=55)
    book = XlsxBook.open(path)
    refresh_workbook(book, org)
    after, wb = _rows(path)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert (
        "· POS " in wb[layout.REVIEW]["G4"].value and "never" not in wb[layout.REVIEW]["G4"].value
    )
    assert any(v == 55 for _, row in after[layout.POS] for v in row.values())
