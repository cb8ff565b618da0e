"""Pull: the pulled-cells frame against the org's database read directly, the rep lookup, the
number of queries, the revenue measure, a planner's team, and the Id chunking of queries."""

# Expected frames are read with hand-written SQL on purpose (the point is an independent read).
# ruff: noqa: S608
from __future__ import annotations

import math
import sqlite3
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from simple_salesforce import format_soql

from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP
from sync.localorg.soql import query as soql
from sync.org.mapping import profile
from sync.org.records import CELL_COLUMNS
from sync.org.seam import QUERY_PAGE
from sync.pull.cells import (
    MAX_QUERY_CHARS,
    AmbiguousRep,
    UnknownRep,
    in_chunks,
    org_today,
    pull_cells,
    pull_periods,
)
from sync.pull.locks import LockRules

SORT = ["account_name", "account_id", "product_family", "product_name", "row_key", "period_start"]


def _user(db: sqlite3.Connection, username: str) -> tuple[str, str]:
    return db.execute("SELECT Id, Name FROM User WHERE Username = ?", (username,)).fetchone()


def expected_frame(path, username: str, periods: list[date], measure: str = "quantity"):
    """The rep's cells read straight from the SQLite file, with targets unpivoted in SQL."""
    unit, suffix = (
        ("Quantity", "TargetValue") if measure == "quantity" else ("Revenue", "TargetCurrencyValue")
    )
    with sqlite3.connect(path) as db:
        rep_id, _ = _user(db, username)
        cells = pd.read_sql_query(
            f"""
            SELECT c.Id AS record_id, apf.Id AS row_key, a.Id AS account_id, a.Name AS account_name,
                   COALESCE(a.Region__c, '') AS region, p.Id AS product_id, p.Name AS product_name,
                   p.Family AS product_family, c.PeriodId AS period_id, c.StartDate AS period_start,
                   c.Forecasted{unit} AS baseline, c.AdjustedForecasted{unit} AS adjusted,
                   COALESCE(c.AdjustmentComments, '') AS note, c.CurrentOrders{unit} AS actual,
                   c.PastOrders{unit} AS last_year, c.SystemModstamp AS modstamp, af.Status AS status
            FROM AccountProductPeriodForecast c
            JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId
            JOIN AccountForecast af ON af.Id = apf.AccountForecastId
            JOIN Account a ON a.Id = af.AccountId
            JOIN Product2 p ON p.Id = apf.ProductId
            WHERE af.OwnerId = ? AND apf.IsActive = 1 AND c.StartDate BETWEEN ? AND ?
            """,
            db,
            params=(rep_id, periods[0].isoformat(), periods[-1].isoformat()),
        )
        slots = " UNION ALL ".join(
            f"SELECT d.AccountId AS account_id, d.ProductId AS product_id, w.Period{n}Id AS period_id, "
            f"w.Period{n}{suffix} AS value FROM AcctMgrPeriodicTargetDstr w "
            "JOIN AcctMgrTargetDstr d ON d.Id = w.AcctMgrTargetDstrId "
            "JOIN AcctMgrTarget t ON t.Id = d.AcctMgrTargetId WHERE t.AssignedToUserId = :rep"
            for n in range(1, 13)
        )
        targets = pd.read_sql_query(
            f"SELECT account_id, product_id, period_id, SUM(value) AS target FROM ({slots}) "
            "WHERE value IS NOT NULL GROUP BY account_id, product_id, period_id",
            db,
            params={"rep": rep_id},
        )
    frame = cells.merge(targets, how="left", on=["account_id", "product_id", "period_id"])
    frame["period_start"] = [date.fromisoformat(d) for d in frame["period_start"]]
    return frame


def expected_locks(frame: pd.DataFrame, today: date) -> list[str]:
    month0 = today.replace(day=1)
    reasons = []
    for start, status in zip(frame["period_start"], frame["status"], strict=True):
        if start < month0:
            reasons.append("past period")
        elif start == month0:
            reasons.append("frozen: inside the 1-month frozen zone")
        elif status == "Expired":
            reasons.append("account forecast expired")
        else:
            reasons.append("")
    return reasons


@pytest.fixture(scope="module")
def local_org(tmp_path_factory, demo_org_file):
    """One LocalOrg for the read-only tests of this module (pulls only spend API budget)."""
    import shutil

    path = tmp_path_factory.mktemp("pull-org") / "org.sqlite"
    shutil.copyfile(demo_org_file, path)
    org = LocalOrg(path)
    yield org
    org.close()


def test_frame_equals_the_database(org, org_file):
    pulled = pull_cells(org, DEMO_REP)
    today = org_today(org)
    periods = pull_periods(today, horizon=18, history=3)
    assert pulled.periods == periods and len(periods) == 21
    want = expected_frame(org_file, DEMO_REP, periods)
    want = want.sort_values(SORT, kind="stable").reset_index(drop=True)
    want["locked"] = [r != "" for r in expected_locks(want, today)]
    want["lock_reason"] = expected_locks(want, today)
    got = pulled.frame
    assert tuple(got.columns) == CELL_COLUMNS
    assert len(got) == len(want) > 2000  # more than one page
    pd.testing.assert_frame_equal(
        got.astype(object).where(got.notna(), None),
        want.loc[:, list(CELL_COLUMNS)]
        .astype(object)
        .where(want.loc[:, list(CELL_COLUMNS)].notna(), None),
        check_dtype=False,
    )
    # the cases the comparison must have seen
    assert got["adjusted"].isna().any() and got["adjusted"].notna().any()
    assert (got["note"] == "").any() and (got["note"] != "").any()
    assert got["target"].notna().any() and got["last_year"].isna().any()
    assert set(got["lock_reason"]) == {
        "",
        "past period",
        "frozen: inside the 1-month frozen zone",
        "account forecast expired",
    }


def test_frame_types_and_order(local_org):
    frame = pull_cells(local_org, DEMO_REP).frame
    assert all(type(d) is date for d in frame["period_start"])
    for column in ("baseline", "adjusted", "actual", "last_year", "target"):
        assert frame[column].dtype == float
    assert frame["locked"].dtype == bool
    assert all(isinstance(n, str) for n in frame["note"]) and all(
        isinstance(r, str) for r in frame["lock_reason"]
    )
    keys = list(zip(*(frame[c] for c in SORT), strict=True))
    assert keys == sorted(keys)
    assert frame["record_id"].is_unique
    # the demo's text-safety account (a formula sign, SUMIFS wildcards) arrives as a plain string
    assert any("=" in name and "*" in name for name in frame["account_name"])


def test_context(local_org):
    pulled = pull_cells(local_org, DEMO_REP, horizon=6, history=0)
    ctx = pulled.context
    ident = local_org.identity()
    assert (ctx.org_id, ctx.org_name, ctx.instance) == (
        ident.org_id,
        ident.org_name,
        ident.instance,
    )
    assert ctx.pulled_by == ident.username and ctx.user_name and ctx.user_id.startswith("005")
    assert (ctx.measure, ctx.profile, ctx.horizon) == ("quantity", "standard", 6)
    assert ctx.first_period == local_org.today.replace(day=1) == pulled.periods[0]
    assert len(pulled.periods) == 6 and set(pulled.frame["period_start"]) == set(pulled.periods)
    stamp = datetime.fromisoformat(ctx.pulled_at)
    assert stamp.tzinfo is not None and abs((datetime.now(UTC) - stamp).total_seconds()) < 300


def test_rep_by_username_full_name_or_id(local_org):
    first = pull_cells(local_org, DEMO_REP, horizon=3, history=0)
    rep_id, name = first.context.user_id, first.context.user_name
    for spelled in (DEMO_REP.upper(), name, name.lower(), rep_id, rep_id[:15], f"  {DEMO_REP} "):
        again = pull_cells(local_org, spelled, horizon=3, history=0)
        assert again.context.user_id == rep_id
        assert again.frame["record_id"].tolist() == first.frame["record_id"].tolist()


def test_unknown_rep_lists_close_matches(local_org):
    misspelled = (
        DEMO_REP.replace("reyes", "reyez") if "reyes" in DEMO_REP else DEMO_REP[:-6] + "x.demo"
    )
    with pytest.raises(UnknownRep) as error:
        pull_cells(local_org, misspelled)
    message = str(error.value)
    assert repr(misspelled) in message and DEMO_REP in message and "Close matches" in message
    with pytest.raises(UnknownRep, match="Check the spelling"):
        pull_cells(local_org, "zzzzqqqq-nobody")
    with pytest.raises(UnknownRep):  # a quote is a value, never SOQL
        pull_cells(local_org, "x' OR Name != '")


def test_ambiguous_full_name(tmp_path, demo_org_file):
    import shutil

    path = tmp_path / "org.sqlite"
    shutil.copyfile(demo_org_file, path)
    with sqlite3.connect(path) as db:
        _, name = _user(db, DEMO_REP)
        db.execute("UPDATE User SET Name = ? WHERE Username = ?", (name, DEMO_PLANNER))
    with LocalOrg(path) as org, pytest.raises(AmbiguousRep, match="Pull by username"):
        pull_cells(org, name)


def test_queries_are_pages_plus_a_constant(org, org_file):
    before = org.calls.query
    pulled = pull_cells(org, DEMO_REP)
    after = pull_periods(org_today(org), horizon=19, history=3)[-1]  # the month after the window
    with sqlite3.connect(org_file) as db:
        rep_id, _ = _user(db, DEMO_REP)
        (target_rows,) = db.execute(
            "SELECT COUNT(*) FROM AcctMgrPeriodicTargetDstr w JOIN AcctMgrTargetDstr d ON d.Id = w.AcctMgrTargetDstrId "
            "JOIN AcctMgrTarget t ON t.Id = d.AcctMgrTargetId WHERE t.AssignedToUserId = ? AND t.StartDate < ? AND t.EndDate >= ?",
            (rep_id, after.isoformat(), pulled.periods[0].isoformat()),
        ).fetchone()
    pages = math.ceil(len(pulled.frame) / QUERY_PAGE) + math.ceil(target_rows / QUERY_PAGE)
    assert org.calls.query - before == pages + 1  # + finding the rep
    assert org.calls.update == 0


def test_revenue_measure(org, org_file):
    revenue = profile("standard", "revenue")
    pulled = pull_cells(org, DEMO_REP, profile=revenue)
    assert pulled.context.measure == "revenue"
    want = expected_frame(org_file, DEMO_REP, pulled.periods, "revenue").sort_values(
        SORT, kind="stable"
    )
    got = pulled.frame
    for column in ("baseline", "adjusted", "actual", "last_year", "target"):
        assert got[column].tolist() == pytest.approx(want[column].tolist(), nan_ok=True), column
    quantity = pull_cells(org, DEMO_REP).frame
    assert (got["baseline"] != quantity["baseline"]).any()


def test_planner_pulls_the_team(local_org):
    team = pull_cells(local_org, DEMO_PLANNER, include_team=True, horizon=2, history=0)
    assert len(pull_cells(local_org, DEMO_PLANNER, horizon=2, history=0).frame) == 0
    soql_team = format_soql("SELECT Id FROM User WHERE Manager.Username = {}", DEMO_PLANNER)
    ids = [r["Id"] for r in local_org.query(soql_team)]
    single = sum(len(pull_cells(local_org, rep_id, horizon=2, history=0).frame) for rep_id in ids)
    assert len(team.frame) == single > 0
    assert team.context.user_name and team.frame["target"].notna().all()


def test_custom_lock_rules(local_org):
    today = local_org.today
    month0 = today.replace(day=1)
    periods = pull_periods(today, horizon=4, history=1)
    rules = LockRules(frozen_months=0, lock_expired=False, closed_through=periods[2])
    frame = pull_cells(local_org, DEMO_REP, horizon=4, history=1, locks=rules).frame
    by_period = frame.groupby("period_start")["lock_reason"].agg(set).to_dict()
    closed = f"closed by the S&OP calendar on {periods[2].isoformat()}"
    assert by_period[periods[0]] == {"past period"}
    assert by_period[month0] == {closed} and by_period[periods[2]] == {closed}
    assert by_period[periods[3]] == {""} and by_period[periods[4]] == {""}
    assert (frame["locked"] == (frame["lock_reason"] != "")).all()


def test_empty_portfolio_keeps_the_columns(local_org):
    pulled = pull_cells(local_org, "admin@demandgrid.demo")
    assert tuple(pulled.frame.columns) == CELL_COLUMNS and pulled.frame.empty
    assert len(pulled.periods) == 21


def test_in_chunks_keeps_queries_short():
    ids = [f"005{n:012d}AAA" for n in range(12_000)]
    template = "SELECT Id FROM User WHERE Id IN {ids} AND Name != {name}"
    queries = list(in_chunks(template, ids, name="x'y"))
    assert len(queries) > 1 and all(len(q) <= MAX_QUERY_CHARS for q in queries)
    seen = []
    for q in queries:
        where = soql.parse(q).where
        seen += [lit.value for lit in where.operands[0].value]
        assert where.operands[1].value.value == "x'y"
    assert seen == ids
    assert list(in_chunks(template, [], name="x")) == []


def test_bad_window_is_refused(local_org):
    with pytest.raises(ValueError, match="horizon"):
        pull_cells(local_org, DEMO_REP, horizon=0)
