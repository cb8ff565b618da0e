"""The local org on Advanced Account Forecasting: what it refuses (sync.localorg.aafrules) and
``save`` (updates and upserts of several objects, all or none)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from simple_salesforce import format_soql

from sync.localorg import LocalOrg
from sync.org.seam import UPDATE_LIMIT, UpdateRefused, Write

FACT, ADJ = "AdvAccountForecastFact", "AdvAcctForecastFactAdj"


@pytest.fixture
def aaf(aaf_org_file, tmp_path) -> LocalOrg:
    path = tmp_path / "aaf.sqlite"
    shutil.copyfile(aaf_org_file, path)
    return LocalOrg(path)


def _fact(org: LocalOrg, *, future: bool = True, partner: str = "Active") -> dict:
    start = org.today.replace(day=1)
    op = ">" if future else "<"
    soql = format_soql(
        "SELECT Id, AdjustedQuantity__c, SystemModstamp FROM {:literal} WHERE PeriodStartDate "
        "{:literal} {} AND SetPartner.Status = {} ORDER BY Id LIMIT 1",
        FACT,
        op,
        start,
        partner,
    )
    return next(iter(org.query(soql)))


def _definition(org: LocalOrg, field: str) -> str:
    soql = format_soql(
        "SELECT Id FROM AdvAcctForecastMeasureDef WHERE ForecastDataMeasureName = {}", field
    )
    return next(iter(org.query(soql)))["Id"]


def _errors(e: pytest.ExceptionInfo[UpdateRefused]) -> list[str]:
    return [f"{x.status_code}: {x.message}" for r in e.value.results for x in r.errors]


def test_a_custom_measure_may_change_a_calculated_one_is_refused_naming_its_definition(aaf):
    fact = _fact(aaf)
    aaf.update(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 12.0}])
    with pytest.raises(UpdateRefused) as refused:
        aaf.update(FACT, [{"Id": fact["Id"], "ForecastedQuantity": 12.0}])
    assert any(
        "measure definition 'Forecasted Quantity'" in m and "not CUSTOM" in m
        for m in _errors(refused)
    )


def test_facts_of_an_inactive_partner_or_a_past_period_are_refused(aaf):
    for fact, why in (
        (_fact(aaf, partner="Inactive"), "set partner is inactive"),
        (_fact(aaf, future=False), "past periods"),
    ):
        with pytest.raises(UpdateRefused) as refused:
            aaf.update(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 1.0}])
        assert any(why in m for m in _errors(refused))


def test_outside_the_adjustment_window_nothing_can_be_edited(aaf_org_file, tmp_path):
    path = tmp_path / "window.sqlite"
    shutil.copyfile(aaf_org_file, path)
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute('UPDATE "AdvAcctForecastAdjPeriod" SET StartDay = 20, AdjustmentDayCount = 5')
    org = LocalOrg(path, today=date.today().replace(day=3))
    with pytest.raises(UpdateRefused) as refused:
        org.update(FACT, [{"Id": _fact(org)["Id"], "AdjustedQuantity__c": 1.0}])
    assert any("Outside the adjustment window (day 20 for 5 days" in m for m in _errors(refused))


def _adjustment(org: LocalOrg, fact: dict, key: str, comment: str = "note") -> dict:
    return {
        "DemandgridKey__c": key,
        "AdvAcctForecastFactId": fact["Id"],
        "AdvAcctForecastMeasureDefId": _definition(org, "AdjustedQuantity__c"),
        "InitialValue": fact["AdjustedQuantity__c"],
        "UpdatedValue": 77.0,
        "Comment": comment,
    }


def _adjustments(org: LocalOrg, fact_id: str) -> list[dict]:
    soql = format_soql(
        "SELECT Id, UpdatedValue, Comment, CreatedDate FROM {:literal} "
        "WHERE AdvAcctForecastFactId = {}",
        ADJ,
        fact_id,
    )
    return list(org.query(soql))


def test_save_writes_the_fact_and_its_adjustment_together_and_a_resend_is_harmless(aaf):
    fact = _fact(aaf)
    writes = [
        Write(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 77.0}]),
        Write(ADJ, [_adjustment(aaf, fact, "k-1")], "DemandgridKey__c"),
    ]
    first = aaf.save(writes)
    assert [r.success for r in first] == [True, True] and first[1].created
    again = aaf.save(writes)
    assert not again[1].created and again[1].id == first[1].id
    rows = _adjustments(aaf, fact["Id"])
    assert [(r["UpdatedValue"], r["Comment"]) for r in rows] == [(77.0, "note")]
    soql = format_soql("SELECT SystemModstamp FROM {:literal} WHERE Id = {}", FACT, fact["Id"])
    now = next(iter(aaf.query(soql)))
    assert rows[0]["CreatedDate"] <= now["SystemModstamp"]  # one transaction, one stamp


def test_save_is_all_or_none_a_comment_over_2000_characters_writes_nothing(aaf):
    fact = _fact(aaf)
    writes = [
        Write(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 77.0}]),
        Write(ADJ, [_adjustment(aaf, fact, "k-2", "x" * 2001)], "DemandgridKey__c"),
    ]
    with pytest.raises(UpdateRefused) as refused:
        aaf.save(writes)
    assert any("STRING_TOO_LONG" in m for m in _errors(refused))
    assert _fact(aaf)["AdjustedQuantity__c"] == fact["AdjustedQuantity__c"]
    assert _adjustments(aaf, fact["Id"]) == []


def test_save_refuses_more_than_five_collections_as_one_composite_would(aaf):
    fact = _fact(aaf)
    half = UPDATE_LIMIT // 2  # 500 + 500 records: 3 + 3 collections of 200
    writes = [
        Write(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 1.0}] * half),
        Write(ADJ, [_adjustment(aaf, fact, f"k{i}") for i in range(half)], "DemandgridKey__c"),
    ]
    with pytest.raises(UpdateRefused) as refused:
        aaf.save(writes)
    assert any("LIMIT_EXCEEDED" in m and "needs 6" in m for m in _errors(refused))


def test_an_upsert_record_must_carry_its_key_and_no_id(aaf):
    fact = _fact(aaf)
    bad = {**_adjustment(aaf, fact, "k-3"), "Id": fact["Id"]}
    with pytest.raises(UpdateRefused) as refused:
        aaf.save([Write(ADJ, [bad], "DemandgridKey__c")])
    assert any("Id" in m for m in _errors(refused))
    assert _adjustments(aaf, fact["Id"]) == []


def test_pull_locks_the_cells_outside_the_adjustment_window_with_the_reason(aaf_org_file, tmp_path):
    import sqlite3

    from sync.localorg.demo.org import DEMO_REP
    from sync.org.mapping import profile
    from sync.pull.cells import pull_cells

    path = tmp_path / "window.sqlite"
    shutil.copyfile(aaf_org_file, path)
    today = date.today()
    opened = LocalOrg(path, today=today)
    before = pull_cells(opened, DEMO_REP, profile=profile("aaf")).frame
    assert not before["lock_reason"].str.startswith("outside").any()
    with sqlite3.connect(path) as conn:  # the window: 5 days that today is not in
        start = 3 if today.day > 10 else 20
        conn.execute(
            'UPDATE "AdvAcctForecastAdjPeriod" SET StartDay = ?, AdjustmentDayCount = 5', (start,)
        )
    after = pull_cells(LocalOrg(path, today=today), DEMO_REP, profile=profile("aaf")).frame
    newly = after["locked"] & ~before["locked"]
    assert newly.sum() == (~before["locked"]).sum() > 0  # every open cell is now locked
    assert set(after.loc[newly, "lock_reason"]) == {
        f"outside the adjustment window (days {start}-{start + 4} of each month)"
    }
