"""ERP actuals into the org, on both backends: idempotent (a second load sends nothing), every
row-level refusal sends nothing, agreements in Manual mode get the quantity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from gather_files import agreement_line, extract, last_month, write_csv
from simple_salesforce import format_soql

from addin.gather.actuals import load_actuals_file
from addin.gather.errors import RowsRefused
from sync.pull.cells import org_today


def _load(org, path, **kw):
    return load_actuals_file(org, path, today=org_today(org), **kw)


def _held(org) -> dict[str, tuple[float, float]]:
    return {
        r["Key__c"]: (r["Quantity__c"], r["Revenue__c"])
        for r in org.query("SELECT Key__c, Quantity__c, Revenue__c FROM ErpActual__c")
    }


def test_second_identical_load_sends_nothing(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    writes = org.calls.update
    first = _load(org, path)
    assert first.loaded.written == len(rows)
    assert first.loaded.calls == org.calls.update - writes == 3  # actuals, schedule, log
    assert len(_held(org)) == len(rows)

    writes = org.calls.update
    second = _load(org, path)
    assert org.calls.update == writes  # 0 write calls
    assert second.loaded.calls == 0 and second.loaded.unchanged == len(rows)


def test_a_changed_row_is_the_only_one_sent(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    _load(org, path)
    rows[3][3] = 999
    write_csv(path, rows)
    again = _load(org, path)
    assert (again.loaded.written, again.loaded.unchanged) == (1, len(rows) - 1)
    assert 999.0 in {q for q, _ in _held(org).values()}


def test_manual_agreement_schedule_gets_the_quantity(org, tmp_path) -> None:
    line, _, schedule = agreement_line(org)
    month = last_month(org)
    path = write_csv(
        tmp_path / "erp.csv", [[line.account, line.product, f"{month:%Y-%m}", 4321, ""]]
    )
    _load(org, path)
    soql = format_soql(
        "SELECT ActualQuantityValue FROM SalesAgreementProductSchedule WHERE Id = {}", schedule
    )
    assert next(iter(org.query(soql)))["ActualQuantityValue"] == 4321


def _refused(org, path, **kw) -> RowsRefused:
    writes = org.calls.update
    with pytest.raises(RowsRefused) as caught:
        _load(org, path, **kw)
    assert org.calls.update == writes, "a refused load sent something"
    assert not _held(org)
    return caught.value


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (0, "No Such Account GmbH", "no account in the org"),
        (1, "NOPE-999", "no product in the org"),
        (2, "FUTURE", "a future month"),
        (3, "twelve", "not a number"),
        (3, "12%", "a percentage"),
        (3, "1e20", "16 digits"),
        (2, "Oct 2026", "not a month this can read"),
        (2, "DUP", "the same account, product and month as row 2"),
    ],
)
def test_each_refused_row_sends_nothing(org, tmp_path, column, value, expected) -> None:
    path, rows = extract(org, tmp_path)
    if value == "FUTURE":
        value = f"{org_today(org).replace(day=28) + timedelta(days=10):%Y-%m}"
    if value == "DUP":
        value = rows[0][2]
        rows[4][0:2] = rows[0][0:2]
    rows[4][column] = value
    write_csv(path, rows)
    error = _refused(org, path)
    assert "row 6" in str(error) and expected in str(error) and "nothing was sent" in str(error)


def test_agreement_not_in_manual_mode_is_refused(org, tmp_path) -> None:
    line, agreement, _ = agreement_line(org)
    org.update("SalesAgreement", [{"Id": agreement, "ActualsCalculationMode": "Automatic"}])
    path, _ = extract(org, tmp_path)
    error = _refused(org, path)
    assert "calculates its actuals itself" in str(error) and "set the agreement" in str(error)
    assert line.account in str(error)


def test_skip_refused_loads_the_rest(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    rows[0][0] = "No Such Account GmbH"
    write_csv(path, rows)
    done = _load(org, path, skip_refused=True)
    assert done.loaded.skipped == 1 and done.loaded.written == len(rows) - 1
    assert len(_held(org)) == len(rows) - 1


def test_dry_run_sends_nothing_and_says_what_it_would(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    writes = org.calls.update
    done = _load(org, path, dry_run=True)
    assert org.calls.update == writes and done.loaded is None
    assert len(done.plan.actuals) == len(rows)


def test_loaded_actuals_read_back_for_accuracy(org, tmp_path) -> None:
    from sync.gather.actuals import read_erp_actuals

    path, rows = extract(org, tmp_path)
    _load(org, path)
    month = last_month(org)
    frame = read_erp_actuals(org, month.replace(year=month.year - 1), month)
    assert len(frame) == len(rows)
    assert list(frame.columns) == [
        "account_id",
        "product_id",
        "period_start",
        "actual_qty",
        "actual_rev",
    ]
    assert frame["period_start"].max() == month
    assert sorted(frame["actual_qty"]) == sorted(float(r[3]) for r in rows)


def test_an_account_name_two_accounts_share_is_refused(org, tmp_path) -> None:
    path, rows = extract(org, tmp_path)
    twin = next(
        r["Id"] for r in org.query("SELECT Id, Name FROM Account ORDER BY Name DESC LIMIT 1")
    )
    org.update("Account", [{"Id": twin, "Name": rows[0][0]}])
    error = _refused(org, path)
    assert "row 2, account" in str(error) and "2 accounts are called this" in str(error)
    assert "or its Id" in str(error)
