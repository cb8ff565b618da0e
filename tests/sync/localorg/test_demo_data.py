"""The demo org's content: deterministic, sized as promised, and shaped like a real S&OP org
(history with seasonality, last year, baselines, adjustments, targets, agreements, prior plan)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from datetime import date

import pytest

from sync.localorg import LocalOrg
from sync.localorg.demo.names import TEXT_SAFETY_ACCOUNT
from sync.localorg.demo.org import (
    DEMO_PLANNER,
    DEMO_REP,
    SIZES,
    create_demo_org,
    planner_team,
)
from sync.localorg.ids import is_valid_id
from sync.localorg.schema import OBJECTS

AS_OF = date(2026, 11, 24)
HORIZON = ("2026-11-01", "2028-04-01")  # 18 months from the as-of month (inclusive bounds)

REP_CELLS_18 = (
    "SELECT count(*) FROM AccountProductPeriodForecast c "
    "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
    "JOIN AccountForecast af ON af.Id = apf.AccountForecastId "
    "JOIN User u ON u.Id = af.OwnerId "
    "WHERE u.Username = ? AND c.StartDate BETWEEN ? AND ?"
)
REGION_CELLS_18 = (
    "SELECT count(*) FROM AccountProductPeriodForecast c "
    "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
    "JOIN AccountForecast af ON af.Id = apf.AccountForecastId WHERE af.OwnerId IN "
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = create_demo_org(tmp_path_factory.mktemp("demo") / "org.sqlite", as_of=AS_OF)
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_file_other_seed_other_file(tmp_path):
    a = create_demo_org(tmp_path / "a.sqlite", as_of=AS_OF, seed=7)
    b = create_demo_org(tmp_path / "b.sqlite", as_of=AS_OF, seed=7)
    c = create_demo_org(tmp_path / "c.sqlite", as_of=AS_OF, seed=8)
    assert _digest(a) == _digest(b) != _digest(c)


def test_rebuild_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "org.sqlite"
    path.write_bytes(b"old")
    create_demo_org(path, as_of=AS_OF)
    assert path.read_bytes()[:15] == b"SQLite format 3"
    assert [p.name for p in tmp_path.iterdir()] == ["org.sqlite"]
    with pytest.raises(ValueError, match="Sizes: demo, region, large"):
        create_demo_org(path, size="huge")


def test_demo_rep_has_a_reps_book(demo):
    (cells,) = demo.execute(REP_CELLS_18, (DEMO_REP, *HORIZON)).fetchone()
    assert 2000 <= cells <= 3000
    (accounts,) = demo.execute(
        "SELECT count(*) FROM AccountForecast af JOIN User u ON u.Id = af.OwnerId "
        "WHERE u.Username = ?",
        (DEMO_REP,),
    ).fetchone()
    assert accounts == 30
    families = demo.execute(
        "SELECT af.Id, count(DISTINCT p.Family) FROM AccountProductForecast apf "
        "JOIN AccountForecast af ON af.Id = apf.AccountForecastId "
        "JOIN Product2 p ON p.Id = apf.ProductId GROUP BY af.Id"
    ).fetchall()
    assert {n for _, n in families} == {4, 5, 6}


def test_users_reps_and_planner(demo):
    users = dict(demo.execute("SELECT Username, Title FROM User").fetchall())
    assert users["admin@demandgrid.demo"] == "Salesforce Administrator"
    assert users[DEMO_PLANNER] == "Demand Planner"
    assert sum(t == "Account Manager" for t in users.values()) == SIZES["demo"].reps
    (families,) = demo.execute("SELECT count(DISTINCT Family) FROM Product2").fetchone()
    assert families == 6


def test_customer_names_one_text_safety_account_and_expired_forecasts_in_demo_reps_book(demo):
    rows = demo.execute(
        "SELECT a.Name, af.Status FROM Account a JOIN AccountForecast af ON af.AccountId = a.Id "
        "JOIN User u ON u.Id = af.OwnerId WHERE u.Username = ?",
        (DEMO_REP,),
    ).fetchall()
    names = sorted({r[0] for r in rows})
    # the first accounts a rep sees read as customers; the one test account sorts last
    assert names[-1] == TEXT_SAFETY_ACCOUNT
    assert not any(n[0] in "=+-@" or any(ch in n for ch in "*?~") for n in names[:-1])
    everyone = [r[0] for r in demo.execute("SELECT Name FROM Account")]
    assert [n for n in everyone if n[0] in "=+-@"] == []
    assert sum(r[1] == "Expired" for r in rows) == 2
    regions = {r[0] for r in demo.execute("SELECT DISTINCT Region__c FROM Account")}
    assert regions == {"North America", "EMEA", "APAC", "LATAM"}


def test_periods_cover_history_and_ibp_horizon(demo):
    months = [r[0] for r in demo.execute("SELECT StartDate FROM Period WHERE Type = 'Month'")]
    assert min(months) <= "2024-11-01" and max(months) >= "2029-11-01"
    kinds = dict(demo.execute("SELECT Type, count(*) FROM Period GROUP BY Type").fetchall())
    assert kinds["Month"] == 12 * kinds["Year"] and kinds["Quarter"] == 4 * kinds["Year"]
    span = demo.execute(
        "SELECT min(StartDate), max(StartDate), count(DISTINCT StartDate) "
        "FROM AccountProductPeriodForecast"
    ).fetchone()
    assert span == ("2024-11-01", "2029-11-01", 61)


def test_actuals_last_year_and_baseline(demo):
    rows = demo.execute(
        "SELECT AccountProductForecastId, StartDate, CurrentOrdersQuantity, PastOrdersQuantity, "
        "ForecastedQuantity, AdjustedForecastedQuantity FROM AccountProductPeriodForecast"
    ).fetchall()
    actual = {(r[0], r[1]): r[2] for r in rows}
    for line, start, current, last_year, baseline, adjusted in rows:
        assert baseline is not None and baseline >= 0
        if start < "2026-11-01":
            assert current is not None and adjusted is None
        elif start > "2026-11-01":
            assert current is None
        earlier = f"{int(start[:4]) - 1}{start[4:]}"
        if earlier < "2026-11-01" and (line, earlier) in actual:
            assert last_year == actual[(line, earlier)]
        if earlier >= "2026-11-01":
            assert last_year is None
    adjusted = [r for r in rows if r[5] is not None]
    assert 0.01 < len(adjusted) / len(rows) < 0.05


def test_seasonality_is_visible(demo):
    """Fasteners peak in May and trough in November: the history shows it."""
    rows = demo.execute(
        "SELECT substr(c.StartDate, 6, 2), sum(c.CurrentOrdersQuantity) "
        "FROM AccountProductPeriodForecast c "
        "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
        "JOIN Product2 p ON p.Id = apf.ProductId "
        "WHERE p.Family = 'Fasteners' AND c.StartDate BETWEEN '2024-11-01' AND '2026-10-01' "
        "GROUP BY 1"
    ).fetchall()
    by_month = dict(rows)
    assert by_month["05"] > 1.25 * by_month["11"]


def test_adjustment_history(demo):
    rows = demo.execute(
        "SELECT h.AccountProdPeriodForecastId, h.IsActive, h.ToValue, c.AdjustedForecastedQuantity "
        "FROM AccountForecastAdjustment h JOIN AccountProductPeriodForecast c "
        "ON c.Id = h.AccountProdPeriodForecastId ORDER BY h.Id"
    ).fetchall()
    by_cell: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_cell[row[0]].append(row)
    assert any(len(v) == 4 for v in by_cell.values())
    for history in by_cell.values():
        assert sum(h[1] for h in history) == min(3, len(history))
        assert history[-1][2] == history[-1][3]  # the last edit is the cell's adjusted value


def test_targets_wide_rows(demo):
    columns = ", ".join(f"Period{n}Id, Period{n}TargetValue" for n in range(1, 13))
    rows = demo.execute(f"SELECT {columns} FROM AcctMgrPeriodicTargetDstr").fetchall()  # noqa: S608
    months = dict(demo.execute("SELECT Id, StartDate FROM Period WHERE Type = 'Month'").fetchall())
    for row in rows[:500]:
        starts = [months[row[2 * n]] for n in range(12)]
        assert len({s[:4] for s in starts}) == 1
        assert [s[5:7] for s in starts] == [f"{m:02d}" for m in range(1, 13)]
    (ratio,) = demo.execute(
        "SELECT sum(d.TargetValue) / (SELECT sum(ForecastedQuantity) FROM "
        "AccountProductPeriodForecast WHERE StartDate BETWEEN '2027-01-01' AND '2027-12-01') "
        "FROM AcctMgrTargetDstr d JOIN AcctMgrTarget t ON t.Id = d.AcctMgrTargetId "
        "WHERE t.StartDate = '2027-01-01'"
    ).fetchone()
    assert 1.0 < ratio < 1.2


def test_sales_agreements(demo):
    (agreements,) = demo.execute("SELECT count(*) FROM SalesAgreement").fetchone()
    assert agreements == 2 * SIZES["demo"].reps
    schedules = demo.execute(
        "SELECT SalesAgreementProductId, count(*) FROM SalesAgreementProductSchedule GROUP BY 1"
    ).fetchall()
    assert {n for _, n in schedules} == {24}
    (planned,) = demo.execute(
        "SELECT count(*) FROM AccountProductPeriodForecast "
        "WHERE SalesAgreementPlannedQuantity IS NOT NULL"
    ).fetchone()
    assert planned == 24 * len(schedules)


def test_prior_cycle_snapshot(demo):
    rows = demo.execute(
        "SELECT Cycle__c, count(*), count(DISTINCT Period__c), min(PeriodStartDate__c), "
        "max(PeriodStartDate__c), min(IsLocked__c) FROM DemandPlanSnapshot__c "
        "WHERE Cycle__c = '2026-10' GROUP BY 1"
    ).fetchall()
    (lines,) = demo.execute("SELECT count(*) FROM AccountProductForecast").fetchone()
    assert rows == [("2026-10", lines * 36, 36, "2026-10-01", "2029-09-01", 1)]
    # the older closed cycles (sync.localorg.demo.history) keep three periods each
    (older,) = demo.execute(
        "SELECT count(*) FROM DemandPlanSnapshot__c WHERE Cycle__c < '2026-10'"
    ).fetchone()
    assert older == lines * 3 * 11


def test_every_id_and_reference_is_sound(demo):
    for obj in OBJECTS.values():
        for (record_id,) in demo.execute(f'SELECT Id FROM "{obj.name}" LIMIT 200'):  # noqa: S608
            assert is_valid_id(record_id, obj.key_prefix)
        for f in obj.fields:
            if f.type != "reference" or f.reference_to not in OBJECTS:
                continue
            (dangling,) = demo.execute(
                f'SELECT count(*) FROM "{obj.name}" s WHERE s."{f.name}" IS NOT NULL '  # noqa: S608
                f'AND NOT EXISTS (SELECT 1 FROM "{f.reference_to}" t WHERE t.Id = s."{f.name}")'
            ).fetchone()
            assert dangling == 0, f"{obj.name}.{f.name}"


@pytest.mark.slow
def test_region_size_is_a_planners_54000_cells(tmp_path):
    path = create_demo_org(tmp_path / "region.sqlite", size="region", as_of=AS_OF)
    org = LocalOrg(path, username=DEMO_PLANNER, today=AS_OF)
    team = planner_team(org, DEMO_PLANNER)
    assert len(team) == SIZES["region"].reps
    conn = sqlite3.connect(path)
    marks = ", ".join("?" for _ in team)
    sql = REGION_CELLS_18 + "(" + marks + ") AND c.StartDate BETWEEN ? AND ?"  # noqa: S608
    (cells,) = conn.execute(sql, (*team, *HORIZON)).fetchone()
    conn.close()
    assert cells == 54_000
