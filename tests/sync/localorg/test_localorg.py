"""The local org: Ids, describe, the update rules (each refusal leaves the file unchanged),
stamps and adjustment history, query paging with locators, the API budget, threads."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import date, timedelta

import pytest
from simple_salesforce import format_soql

from sync.localorg import LocalOrg, NotALocalOrg, OutdatedLocalOrg, UnknownUser
from sync.localorg.demo.org import DEMO_REP
from sync.localorg.ids import checksum, counter_of, is_valid_id, make_id, to18
from sync.localorg.schema import CELL_UPDATEABLE, OBJECTS
from sync.localorg.tables import set_meta
from sync.org.seam import (
    UPDATE_LIMIT,
    ApiLimitExceeded,
    Org,
    QueryRefused,
    UpdateRefused,
)

CELL = "AccountProductPeriodForecast"


# ---------------------------------------------------------------- helpers


def _sql(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _fingerprint(path) -> str:
    """Everything but the API-call meta: what an update may change."""
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    try:
        for table in (CELL, "AccountForecastAdjustment", "Account"):
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY Id'):  # noqa: S608
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def _first_of_month(day: date) -> str:
    return day.replace(day=1).isoformat()


@pytest.fixture
def local(org_file) -> LocalOrg:
    """The local org itself (the shared ``org`` fixture also runs other backends)."""
    return LocalOrg(org_file)


@pytest.fixture
def cells(org_file):
    """Ids of future and past cells of the demo rep's active forecasts, by direct SQL."""
    today = date.today()
    rows = _sql(
        org_file,
        "SELECT c.Id, c.StartDate FROM AccountProductPeriodForecast c "
        "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
        "JOIN AccountForecast af ON af.Id = apf.AccountForecastId "
        "JOIN User u ON u.Id = af.OwnerId "
        "WHERE u.Username = ? AND af.Status = 'Active' ORDER BY c.Id",
        (DEMO_REP,),
    )
    next_month = _first_of_month(today.replace(day=28) + timedelta(days=5))
    future = [r[0] for r in rows if r[1] >= next_month]
    past = [r[0] for r in rows if r[1] < _first_of_month(today)]
    expired = _sql(
        org_file,
        "SELECT c.Id FROM AccountProductPeriodForecast c "
        "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
        "JOIN AccountForecast af ON af.Id = apf.AccountForecastId "
        "WHERE af.Status = 'Expired' AND c.StartDate >= ? ORDER BY c.Id",
        (next_month,),
    )
    return {"future": future, "past": past, "expired": [r[0] for r in expired]}


# ---------------------------------------------------------------- ids


def test_checksum_matches_salesforce():
    assert to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert checksum("000000000000000") == "AAA"
    assert checksum("AAAAAAAAAAAAAAA") == "555"


def test_made_ids_are_valid_and_deterministic():
    record_id = make_id("0iQ", 12345)
    assert len(record_id) == 18 and record_id == make_id("0iQ", 12345)
    assert is_valid_id(record_id) and is_valid_id(record_id, "0iQ")
    assert is_valid_id(record_id[:15])
    assert not is_valid_id(record_id, "001")
    assert counter_of(record_id) == 12345
    broken = record_id[:15] + ("AAB" if record_id[15:] != "AAB" else "AAC")
    for bad in (broken, record_id[:14], record_id + "x", "0iQ-g0000000001AAA", None, 42):
        assert not is_valid_id(bad)


def test_prefixes_are_unique_and_real_where_known():
    prefixes = {o.key_prefix for o in OBJECTS.values()}
    assert len(prefixes) == len(OBJECTS)
    assert OBJECTS["Account"].key_prefix == "001"
    assert OBJECTS["User"].key_prefix == "005"
    assert OBJECTS["Product2"].key_prefix == "01t"
    assert OBJECTS["Period"].key_prefix == "026"


# ---------------------------------------------------------------- describe and identity


def test_local_org_is_an_org(local):
    assert isinstance(local, Org)
    who = local.identity()
    assert who.org_name == "demandgrid demo org" and who.org_id.startswith("00D")
    assert who.username == "admin@demandgrid.demo" and who.instance.startswith("local:")


def test_describe_cell_object(local):
    d = local.describe(CELL)
    assert d.key_prefix == "0iQ"
    assert {f.name for f in d.fields if f.updateable} == set(CELL_UPDATEABLE)
    assert d.field("adjustmentcomments").length == 2000
    qty = d.field("AdjustedForecastedQuantity")
    assert (qty.type, qty.precision, qty.scale) == ("double", 18, 2)
    assert d.field("AdjustedForecastedRevenue").type == "currency"
    parent = d.field("AccountProductForecastId")
    assert parent.reference_to == ("AccountProductForecast",)
    assert parent.relationship_name == "AccountProductForecast"
    assert not any(f.updateable for f in local.describe("AccountForecastAdjustment").fields)
    assert local.calls.describe == 2


def test_describe_unknown_object(local):
    with pytest.raises(QueryRefused) as e:
        local.describe("AccountManagerTarget")
    assert e.value.error_code == "NOT_FOUND"


def test_unknown_user_and_missing_file(org_file, tmp_path):
    with pytest.raises(UnknownUser, match="nobody@x"):
        LocalOrg(org_file, username="nobody@x")
    with pytest.raises(NotALocalOrg):
        LocalOrg(tmp_path / "absent.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(NotALocalOrg):
        LocalOrg(tmp_path / "junk.sqlite")


def test_an_org_built_by_another_schema_is_refused_with_what_to_do(org_file):
    with sqlite3.connect(org_file) as conn:
        set_meta(conn, "schema", "0123456789abcdef")
    with pytest.raises(OutdatedLocalOrg, match="another version of demandgrid.*demandgrid demo"):
        LocalOrg(org_file)


# ---------------------------------------------------------------- update: refusals


def _refusal_cases(cells):
    future, past = cells["future"], cells["past"]
    ok = {"Id": future[0], "AdjustedForecastedQuantity": 10.0, "AdjustmentComments": "ok"}
    return {
        "INVALID_FIELD": [ok, {"Id": future[1], "NoSuchField__c": 1}],
        "INVALID_FIELD_FOR_INSERT_UPDATE": [ok, {"Id": future[1], "ForecastedQuantity": 5.0}],
        "MALFORMED_ID": [ok, {"Id": "0iQnotanid", "AdjustedForecastedQuantity": 1.0}],
        "MISSING_ARGUMENT": [ok, {"AdjustedForecastedQuantity": 1.0}],
        "INVALID_CROSS_REFERENCE_KEY": [ok, {"Id": make_id("001", 1), "AdjustmentComments": "x"}],
        "ENTITY_IS_DELETED": [ok, {"Id": make_id("0iQ", 9_999_999), "AdjustmentComments": "x"}],
        "INVALID_TYPE_ON_FIELD_IN_RECORD": [
            ok,
            {"Id": future[1], "AdjustedForecastedQuantity": "twelve"},
        ],
        "NUMBER_OUTSIDE_VALID_RANGE": [ok, {"Id": future[1], "AdjustedForecastedQuantity": 1e17}],
        "STRING_TOO_LONG": [ok, {"Id": future[1], "AdjustmentComments": "x" * 2001}],
        "FIELD_INTEGRITY_EXCEPTION": [ok, {"Id": past[0], "AdjustedForecastedQuantity": 3.0}],
        "DUPLICATE_VALUE": [ok, {"Id": future[0], "AdjustmentComments": "again"}],
    }


@pytest.mark.parametrize(
    "code",
    [
        "INVALID_FIELD",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "MALFORMED_ID",
        "MISSING_ARGUMENT",
        "INVALID_CROSS_REFERENCE_KEY",
        "ENTITY_IS_DELETED",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "NUMBER_OUTSIDE_VALID_RANGE",
        "STRING_TOO_LONG",
        "FIELD_INTEGRITY_EXCEPTION",
        "DUPLICATE_VALUE",
    ],
)
def test_each_refusal_writes_nothing(org_file, cells, code):
    org = LocalOrg(org_file, username=DEMO_REP)
    records = _refusal_cases(cells)[code]
    before = _fingerprint(org_file)
    with pytest.raises(UpdateRefused) as e:
        org.update(CELL, records)
    assert _fingerprint(org_file) == before
    results = e.value.results
    assert len(results) == len(records) and not any(r.success for r in results)
    codes = [[err.status_code for err in r.errors] for r in results]
    assert code in codes[1]
    if code != "DUPLICATE_VALUE":
        assert codes[0] == ["ALL_OR_NONE_OPERATION_ROLLED_BACK"]
    assert "nothing was written" in str(e.value)
    assert org.calls.update == 1


def test_refusal_messages_are_salesforce_like(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    with pytest.raises(UpdateRefused) as e:
        org.update(CELL, [{"Id": cells["past"][0], "AdjustedForecastedQuantity": 3.0}])
    err = e.value.results[0].errors[0]
    assert err.message == "You can't adjust forecasts for past periods."
    assert err.as_salesforce()["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_expired_forecast_is_refused(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    with pytest.raises(UpdateRefused) as e:
        org.update(CELL, [{"Id": cells["expired"][0], "AdjustedForecastedQuantity": 3.0}])
    assert e.value.results[0].errors[0].status_code == "FIELD_INTEGRITY_EXCEPTION"


def test_too_many_records_refuse_the_whole_call(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    records = [{"Id": i, "AdjustmentComments": "x"} for i in cells["future"][: UPDATE_LIMIT + 1]]
    assert len(records) == UPDATE_LIMIT + 1
    before = _fingerprint(org_file)
    with pytest.raises(UpdateRefused) as e:
        org.update(CELL, records)
    assert _fingerprint(org_file) == before
    assert {r.errors[0].status_code for r in e.value.results} == {"EXCEEDED_ID_LIMIT"}


def test_unknown_object_is_refused(local):
    with pytest.raises(UpdateRefused) as e:
        local.update("AccountManagerTarget", [{"Id": make_id("0mT", 1), "TargetValue": 1.0}])
    assert e.value.results[0].errors[0].status_code == "INVALID_TYPE"


def test_decimals_within_scale_pass(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    org.update(CELL, [{"Id": cells["future"][0], "AdjustedForecastedQuantity": 0.1 + 0.2}])
    with pytest.raises(UpdateRefused) as e:
        org.update(CELL, [{"Id": cells["future"][0], "AdjustedForecastedQuantity": 1.005}])
    assert e.value.results[0].errors[0].status_code == "NUMBER_OUTSIDE_VALID_RANGE"


# ---------------------------------------------------------------- update: success


def test_update_stamps_and_history(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    cell = cells["future"][0]
    stamp_sql = f"SELECT SystemModstamp FROM {CELL} WHERE Id = ?"  # noqa: S608
    (modstamp_before,) = _sql(org_file, stamp_sql, (cell,))[0]
    stamps = []
    for n, value in enumerate((11.0, 12.0, 13.0, 14.0), start=1):
        results = org.update(
            CELL,
            [{"Id": cell, "AdjustedForecastedQuantity": value, "AdjustmentComments": f"note {n}"}],
        )
        assert results[0].success and results[0].id == cell
        row = _sql(
            org_file,
            f"SELECT AdjustedForecastedQuantity, AdjustmentComments, LastModifiedDate, "  # noqa: S608
            f"SystemModstamp, LastModifiedById FROM {CELL} WHERE Id = ?",
            (cell,),
        )[0]
        assert row[:2] == (value, f"note {n}")
        assert row[2] == row[3] and row[4] == org.user_id
        assert len(row[3]) == len("2026-11-24T10:00:00.000+0000") and row[3].endswith("+0000")
        stamps.append(row[3])
    assert stamps == sorted(stamps) and len(set(stamps)) == 4 and stamps[0] > modstamp_before
    history = _sql(
        org_file,
        "SELECT FromValue, ToValue, IsActive, AdjustmentComments, AdjustedById, AdjustmentType "
        "FROM AccountForecastAdjustment WHERE AccountProdPeriodForecastId = ? ORDER BY Id",
        (cell,),
    )
    mine = [h for h in history if h[4] == org.user_id and h[3].startswith("note ")]
    assert [h[:2] for h in mine[-4:]] == [
        (mine[-4][0], 11.0),
        (11.0, 12.0),
        (12.0, 13.0),
        (13.0, 14.0),
    ]
    assert [h[2] for h in history] == [0] * (len(history) - 3) + [1, 1, 1]
    assert {h[5] for h in mine} == {"Quantity"}


def test_comment_only_update_adds_no_history_and_no_change_adds_none(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    cell = cells["future"][1]
    count = "SELECT count(*) FROM AccountForecastAdjustment"
    (before,) = _sql(org_file, count)[0]
    org.update(CELL, [{"Id": cell, "AdjustmentComments": "just a note"}])
    org.update(CELL, [{"Id": cell, "AdjustedForecastedQuantity": 50.0}])
    org.update(CELL, [{"Id": cell, "AdjustedForecastedQuantity": 50.0}])  # same value
    org.update(CELL, [{"Id": cell, "AdjustedForecastedQuantity": None}])  # cleared
    (after,) = _sql(org_file, count)[0]
    assert after == before + 2


def test_batch_of_1000_is_one_call_and_15_char_ids_work(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    ids = cells["future"][:UPDATE_LIMIT]
    records = [{"Id": i[:15], "AdjustedForecastedQuantity": 7.0} for i in ids]
    results = org.update(CELL, records)
    assert [r.id for r in results] == ids and org.calls.update == 1
    values = _sql(org_file, f"SELECT count(*) FROM {CELL} WHERE AdjustedForecastedQuantity = 7.0")  # noqa: S608
    assert values[0][0] >= UPDATE_LIMIT


def test_stamps_increase_across_org_objects(org_file, cells):
    a = LocalOrg(org_file, username=DEMO_REP)
    b = LocalOrg(org_file, username=DEMO_REP)
    a.update(CELL, [{"Id": cells["future"][0], "AdjustmentComments": "a"}])
    b.update(CELL, [{"Id": cells["future"][1], "AdjustmentComments": "b"}])
    rows = _sql(
        org_file,
        f"SELECT SystemModstamp FROM {CELL} WHERE Id IN (?, ?) ORDER BY AdjustmentComments",  # noqa: S608
        tuple(cells["future"][:2]),
    )
    assert rows[0][0] < rows[1][0]


# ---------------------------------------------------------------- queries and paging

REP_CELLS = (
    "SELECT Id, StartDate FROM AccountProductPeriodForecast "
    "WHERE AccountProductForecast.AccountForecast.Owner.Username = {} ORDER BY Id"
)


def test_query_pages_of_2000_one_call_each(local):
    soql = format_soql(REP_CELLS, DEMO_REP)
    records = list(local.query(soql))
    assert len(records) > 4000
    assert local.calls.query == -(-len(records) // 2000)
    assert records[0]["attributes"]["type"] == CELL


def test_query_page_and_more_with_locators(local):
    soql = format_soql(REP_CELLS, DEMO_REP)
    first = local.query_page(soql, batch_size=50)  # clamped to 200
    assert len(first.records) == 200 and not first.done
    cursor, _, offset = first.next_locator.partition("-")
    assert cursor.startswith("01g") and is_valid_id(cursor) and offset == "200"
    seen = list(first.records)
    page = first
    while not page.done:
        page = local.query_more(page.next_locator, batch_size=5000)  # clamped to 2000
        assert len(page.records) <= 2000
        seen.extend(page.records)
    assert page.next_locator is None and len(seen) == first.total_size
    assert [r["Id"] for r in seen] == sorted(r["Id"] for r in seen)
    with pytest.raises(QueryRefused) as e:
        local.query_more(first.next_locator)  # the cursor is closed once read to the end
    assert e.value.error_code == "INVALID_QUERY_LOCATOR"


def test_count_query_total_size(local):
    page = local.query_page("SELECT COUNT() FROM Account")
    assert page.records == [] and page.total_size >= 120 and page.done


def test_malformed_query_is_refused(local):
    with pytest.raises(QueryRefused):
        list(local.query("SELECT Id FROM AccountProductPeriodForecast GROUP BY Id"))


# ---------------------------------------------------------------- limits and threads


def test_limits_shared_through_the_file(org_file):
    a = LocalOrg(org_file)
    start = a.limits()
    assert start.daily_api_requests_max == 100_000
    list(a.query("SELECT Id FROM Product2"))
    a.describe("Account")
    b = LocalOrg(org_file)
    assert b.limits().daily_api_requests_remaining == start.daily_api_requests_remaining - 3
    assert a.calls.total == 3 and a.calls.limits == 1


def test_spent_budget_refuses_calls(org_file):
    conn = sqlite3.connect(org_file)
    set_meta(conn, "api_daily_max", 3)
    set_meta(conn, "api_used", 0)  # the shared demo org may have spent some today
    conn.commit()
    conn.close()
    org = LocalOrg(org_file)
    org.describe("Account")
    org.describe("Product2")
    org.limits()
    with pytest.raises(ApiLimitExceeded, match="REQUEST_LIMIT_EXCEEDED"):
        org.describe("Period")
    assert org.calls.total == 3


def test_usable_from_other_threads(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP)
    errors: list[BaseException] = []
    counts: list[int] = []

    def work(n: int) -> None:
        try:
            counts.append(len(list(org.query("SELECT Id, Name FROM Product2"))))
            org.update(CELL, [{"Id": cells["future"][n], "AdjustmentComments": f"thread {n}"}])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and counts == [18] * 4
    assert org.calls.update == 4


def test_empty_note_is_stored_as_null_and_sign_in_ignores_case(org_file, cells):
    org = LocalOrg(org_file, username=DEMO_REP.upper())
    assert org.identity().username == DEMO_REP
    org.update(CELL, [{"Id": cells["future"][2], "AdjustmentComments": ""}])
    note_sql = f"SELECT AdjustmentComments FROM {CELL} WHERE Id = ?"  # noqa: S608
    rows = _sql(org_file, note_sql, (cells["future"][2],))
    assert rows == [(None,)]
