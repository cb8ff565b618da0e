"""``Org.upsert`` on both backends: create, re-send changes nothing, update, all or none."""

from __future__ import annotations

import pytest

from sync.org.seam import UPDATE_LIMIT, UpdateRefused

OBJECT, KEY = "SupplyCommitment__c", "Key__c"


def _rows(n: int, quantity: float = 100.0) -> list[dict]:
    return [
        {
            KEY: f"Pumps|2027-{m:02d}",
            "Name": f"Pumps 2027-{m:02d}",
            "ProductFamily__c": "Pumps",
            "PeriodStartDate__c": f"2027-{m:02d}-01",
            "Quantity__c": quantity + m,
        }
        for m in range(1, n + 1)
    ]


def _held(org) -> dict[str, float]:
    return {
        r[KEY]: r["Quantity__c"]
        for r in org.query("SELECT Key__c, Quantity__c FROM SupplyCommitment__c ORDER BY Key__c")
    }


def test_upsert_creates_then_updates_in_one_call_each(org):
    before = org.calls.update
    first = org.upsert(OBJECT, KEY, _rows(3))
    assert [r.created for r in first] == [True, True, True]
    assert all(r.success and len(r.id) == 18 and r.id.startswith("a0F") for r in first)
    again = org.upsert(OBJECT, KEY, _rows(3))  # the same records: nothing new, same Ids
    assert [r.created for r in again] == [False] * 3
    assert [r.id for r in again] == [r.id for r in first]
    org.upsert(OBJECT, KEY, _rows(4, quantity=200.0))
    assert _held(org) == {f"Pumps|2027-{m:02d}": 200.0 + m for m in range(1, 5)}
    assert org.calls.update - before == 3


def test_upsert_is_all_or_none(org):
    rows = _rows(3)
    rows[2]["Quantity__c"] = "lots"
    with pytest.raises(UpdateRefused) as refused:
        org.upsert(OBJECT, KEY, rows)
    assert _held(org) == {}
    codes = [e.status_code for r in refused.value.results for e in r.errors]
    assert "INVALID_TYPE_ON_FIELD_IN_RECORD" in codes


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda rows: rows[1].update({KEY: rows[0][KEY]}), "DUPLICATE_EXTERNAL_ID"),
        (lambda rows: rows[1].pop(KEY), "MISSING_ARGUMENT"),
        (lambda rows: rows[1].pop("Name"), "REQUIRED_FIELD_MISSING"),
        (
            lambda rows: rows[1].update(CreatedDate="2020-01-01T00:00:00.000+0000"),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
    ],
)
def test_upsert_refusals_name_the_record(org, change, code):
    rows = _rows(2)
    change(rows)
    with pytest.raises(UpdateRefused) as refused:
        org.upsert(OBJECT, KEY, rows)
    assert code in {e.status_code for r in refused.value.results for e in r.errors}
    assert _held(org) == {}


def test_upsert_needs_an_external_id_field(org):
    with pytest.raises(UpdateRefused, match="external id"):
        org.upsert(OBJECT, "ProductFamily__c", _rows(1))


def test_upsert_of_more_than_the_limit_sends_nothing(org):
    before = org.calls.update
    rows = [
        {KEY: f"F{n}|2027-01", "Name": f"F{n}", "Quantity__c": 1.0} for n in range(UPDATE_LIMIT + 1)
    ]
    with pytest.raises(UpdateRefused):
        org.upsert(OBJECT, KEY, rows)
    assert _held(org) == {}
    assert org.calls.update - before <= 1  # the local org counts the refused call


def test_upsert_of_a_thousand_is_one_call(org):
    before = org.calls.update
    rows = [
        {KEY: f"F{n:04d}|2027-01", "Name": f"F{n}", "Quantity__c": float(n)}
        for n in range(UPDATE_LIMIT)
    ]
    results = org.upsert(OBJECT, KEY, rows)
    assert len(results) == UPDATE_LIMIT and all(r.created for r in results)
    assert org.calls.update - before == 1
    assert len(_held(org)) == UPDATE_LIMIT
