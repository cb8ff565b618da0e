"""Hostile ERP files: each is refused with the file, row and fix, nothing sent, or read right."""

from __future__ import annotations

import openpyxl
import pytest
from gather_files import HEADINGS, extract, write_csv

from addin.gather.actuals import load_actuals_file, summary_lines
from addin.gather.errors import GatherFileRefused, RowsRefused
from sync.pull.cells import org_today


def _load(org, path, **kw):
    return load_actuals_file(org, path, today=org_today(org), **kw)


def _nothing_sent(org, path, error=GatherFileRefused, **kw) -> str:
    writes = org.calls.update
    with pytest.raises(error) as caught:
        _load(org, path, **kw)
    assert org.calls.update == writes
    return str(caught.value)


def test_empty_file(org, tmp_path) -> None:
    path = tmp_path / "erp.csv"
    path.write_text("", encoding="utf-8")
    assert "the file is empty" in _nothing_sent(org, path)
    path.write_text(",".join(HEADINGS) + "\n", encoding="utf-8")
    assert "only a heading row" in _nothing_sent(org, path)


def test_wrong_columns_name_the_setting(org, tmp_path) -> None:
    path = write_csv(
        tmp_path / "erp.csv", [["a", "b", "2026-01", 1]], ["Kunde", "Material", "Monat", "Menge"]
    )
    message = _nothing_sent(org, path)
    assert "no column for account ('account')" in message
    assert "'Kunde'" in message and "[actuals]" in message


def test_column_names_from_demandgrid_toml(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    write_csv(path, rows, ["Customer", "Material", "Posting period", "Qty", "Net value"])
    (tmp_path / "demandgrid.toml").write_text(
        '[actuals]\naccount = "Customer"\nproduct = "Material"\nmonth = "Posting period"\n'
        'quantity = "Qty"\nrevenue = "Net value"\n',
        encoding="utf-8",
    )
    assert _load(org, path).loaded.written == len(rows)


def test_not_a_table(org, tmp_path) -> None:
    path = tmp_path / "erp.xlsx"
    path.write_bytes(b"\x00\x01 not a zip")
    assert "not a readable .xlsx" in _nothing_sent(org, path)
    other = tmp_path / "erp.txt"
    other.write_text("account\n", encoding="utf-8")
    assert "not a .csv or .xlsx" in _nothing_sent(org, other)


def _xlsx(tmp_path, rows, headings=HEADINGS):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(headings)
    for row in rows:
        ws.append(row)
    path = tmp_path / "erp.xlsx"
    book.save(path)
    return path


def test_xlsx_formula_without_a_saved_value_is_refused(org, tmp_path) -> None:
    _, rows = extract(org, tmp_path)
    rows[1][3] = "=40+2"  # openpyxl saves no value for it: never read as empty
    message = _nothing_sent(org, _xlsx(tmp_path, rows), RowsRefused)
    assert "row 3, quantity" in message and "formula with no saved value" in message


def test_xlsx_with_real_dates_and_numbers_loads(org, tmp_path) -> None:
    from datetime import date

    _, rows = extract(org, tmp_path)
    for row in rows:
        year, month = map(int, str(row[2]).split("-"))
        row[2] = date(year, month, 1)  # a real date cell
    assert _load(org, _xlsx(tmp_path, rows)).loaded.written == len(rows)


def test_month_as_a_bare_number_is_refused(org, tmp_path) -> None:
    _, rows = extract(org, tmp_path)
    rows[0][2] = 46296  # a date serial without a date format
    message = _nothing_sent(org, _xlsx(tmp_path, rows), RowsRefused)
    assert "row 2, month" in message and "a number, not a month" in message


def test_report_keeps_org_strings_as_text(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    report = tmp_path / "recon.xlsx"
    done = _load(org, path, report=report)
    ws = openpyxl.load_workbook(report)["Reconciliation"]
    assert [c.value for c in ws[1]][:3] == ["Account", "Month", "Status"]
    assert ws.max_row == 1 + len(done.reconciliation)
    assert all(c.data_type == "s" for c in ws["A"][1:])
    assert any("Reconciliation:" in line for line in summary_lines(done))


@pytest.mark.libreoffice
def test_xlsx_formulas_saved_by_libreoffice_load_their_values(libreoffice, org, tmp_path) -> None:
    if "salesforce" in repr(type(org)).lower():
        pytest.skip("the file is the point here; loads are tested on both backends")
    _, rows = extract(org, tmp_path)
    rows[1][3] = "=40+2"
    saved = libreoffice.save(_xlsx(tmp_path, rows))  # recalculated: the value is saved
    done = _load(org, saved)
    assert done.loaded.written == len(rows)
    assert 42.0 in {r.quantity for r in done.plan.resolved}
