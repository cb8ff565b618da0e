"""``Org.save`` through simple-salesforce and the HTTPS test server: one Composite of update
and upsert collections of two objects, all or none (issue 14, AAF's fact + adjustment)."""

from __future__ import annotations

import shutil

import pytest
from conftest_salesforce import connect
from sfserver.server import SalesforceServer
from simple_salesforce import format_soql

from sync.localorg import LocalOrg
from sync.org.seam import UpdateRefused, Write

FACT, ADJ = "AdvAccountForecastFact", "AdvAcctForecastFactAdj"


@pytest.fixture
def aaf_sf(aaf_org_file, tmp_path, memory_keyring):
    path = tmp_path / "org.sqlite"
    shutil.copyfile(aaf_org_file, path)
    with SalesforceServer(lambda: LocalOrg(path)) as server:
        yield connect(server), LocalOrg(path), server


def _open_fact(local: LocalOrg) -> dict:
    soql = format_soql(
        "SELECT Id, AdjustedQuantity__c FROM {:literal} WHERE PeriodStartDate > {} "
        "AND SetPartner.Status = 'Active' ORDER BY Id LIMIT 1",
        FACT,
        local.today,
    )
    return next(iter(local.query(soql)))


def _writes(local: LocalOrg, fact: dict, comment: str) -> list[Write]:
    definition = next(
        iter(
            local.query(
                "SELECT Id FROM AdvAcctForecastMeasureDef "
                "WHERE ForecastDataMeasureName = 'AdjustedQuantity__c'"
            )
        )
    )["Id"]
    adjustment = {
        "DemandgridKey__c": f"{fact['Id'][:15]}|AdjustedQuantity__c|test",
        "AdvAcctForecastFactId": fact["Id"],
        "AdvAcctForecastMeasureDefId": definition,
        "InitialValue": fact["AdjustedQuantity__c"],
        "UpdatedValue": 42.0,
        "Comment": comment,
    }
    return [
        Write(FACT, [{"Id": fact["Id"], "AdjustedQuantity__c": 42.0}]),
        Write(ADJ, [adjustment], "DemandgridKey__c"),
    ]


def test_a_save_is_one_api_call_and_a_resend_finds_its_record(aaf_sf) -> None:
    org, local, server = aaf_sf
    fact = _open_fact(local)
    before = server.api_calls()
    results = org.save(_writes(local, fact, "ok"))
    assert server.api_calls() - before == 1
    assert [r.success for r in results] == [True, True] and results[1].created
    again = org.save(_writes(local, fact, "ok"))
    assert not again[1].created and again[1].id == results[1].id


def test_a_bad_adjustment_refuses_the_whole_save_over_https(aaf_sf) -> None:
    org, local, _ = aaf_sf
    fact = _open_fact(local)
    with pytest.raises(UpdateRefused) as refused:
        org.save(_writes(local, fact, "x" * 2001))
    assert "STRING_TOO_LONG" in str(refused.value)
    assert _open_fact(local)["AdjustedQuantity__c"] == fact["AdjustedQuantity__c"]
    soql = format_soql(
        "SELECT Id FROM {:literal} WHERE AdvAcctForecastFactId = {}", ADJ, fact["Id"]
    )
    assert list(local.query(soql)) == []
