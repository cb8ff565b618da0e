"""The local org's SOQL subset: the same questions asked in SOQL and in hand-written SQL, the
record shape, relative dates, and every refusal. Runs on a small schema of its own."""

# The engine's own tests: SOQL fragments and the hand-written SQL they are checked against are
# the subject here, so they are built as text on purpose (everywhere else: format_soql).
# ruff: noqa: S608
from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from simple_salesforce import format_soql

from sync.localorg.fields import FieldDef, ObjectDef
from sync.localorg.soql import query as soql
from sync.org.seam import QueryRefused

TODAY = date(2026, 11, 24)


def _ref(name: str, target: str, rel: str) -> FieldDef:
    return FieldDef(name, "reference", reference_to=target, relationship_name=rel)


OBJECTS = {
    "User": ObjectDef("User", "005", "User", (FieldDef("Id", "id"), FieldDef("Name", "string"))),
    "Account": ObjectDef(
        "Account",
        "001",
        "Account",
        (
            FieldDef("Id", "id"),
            FieldDef("Name", "string"),
            FieldDef("Region__c", "picklist"),
            FieldDef("AnnualRevenue", "currency"),
            FieldDef("NumberOfEmployees", "int"),
            FieldDef("IsPartner", "boolean"),
            FieldDef("Founded__c", "date"),
            FieldDef("LastActivity__c", "datetime"),
            FieldDef("Description", "textarea", length=32000),
            _ref("OwnerId", "User", "Owner"),
            _ref("ParentId", "Account", "Parent"),
        ),
    ),
    "Deal__c": ObjectDef(
        "Deal__c",
        "a00",
        "Deal",
        (
            FieldDef("Id", "id"),
            FieldDef("Name", "string"),
            _ref("Account__c", "Account", "Account__r"),
            FieldDef("Amount__c", "double"),
        ),
    ),
}


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:012d}AAA"


U1, U2 = _id("005", 1), _id("005", 2)
A = [_id("001", i) for i in range(8)]
ACCOUNTS = [
    # Id, Name, Region, Revenue, Employees, Partner, Founded, LastActivity, Description, Owner, Parent
    (A[0], "Acme", "EMEA", 100.0, 10, 1, "2026-11-24", "2026-11-24T08:00:00.000+0000", "big", U1, None),
    (A[1], "acme labs", "AMER", 250.5, 3, 0, "2026-11-01", "2026-10-31T23:59:59.000+0000", None, U1, A[0]),
    (A[2], "Édition 100%", "APAC", -5.0, None, 0, "2025-12-31", None, "x", U2, A[1]),
    (A[3], "Brick_Works", "", None, 7, 1, "2026-10-15", "2026-11-23T12:00:00.000+0000", "", U2, None),
    (A[4], "O'Brien \\ Sons", "EMEA", 0.0, 0, 0, None, "2027-01-02T00:00:00.000+0000", None, None, A[1]),
    (A[5], "Zeta", "amer", 1e6, 1000, 1, "2026-12-05", "2026-11-25T00:00:00.000+0000", None, U1, A[4]),
    (A[6], "édition deux", "APAC", 50.0, 50, 0, "2027-06-30", "2025-01-01T00:00:00.000+0000", None, U1, None),
    (A[7], None, "EMEA", 75.0, 75, 0, "2026-11-30", None, None, U2, A[2]),
]  # fmt: skip
DEALS = [
    (_id("a00", 1), "D1", A[0], 10.0),
    (_id("a00", 2), "D2", A[2], 20.0),
    (_id("a00", 3), "D3", None, 30.0),
    (_id("a00", 4), "D4", A[4], None),
]


@pytest.fixture(scope="module")
def conn():
    db = sqlite3.connect(":memory:")
    for obj in OBJECTS.values():
        cols = ", ".join(
            f'"{f.name}"' + (" TEXT PRIMARY KEY" if f.name == "Id" else "") for f in obj.fields
        )
        db.execute(f'CREATE TABLE "{obj.name}" ({cols})')
    db.executemany("INSERT INTO User VALUES (?, ?)", [(U1, "Rita Rep"), (U2, "Paul Planner")])
    db.executemany(f"INSERT INTO Account VALUES ({', '.join('?' * 11)})", ACCOUNTS)
    db.executemany('INSERT INTO "Deal__c" VALUES (?, ?, ?, ?)', DEALS)
    db.create_function("lower_py", 1, lambda s: s.lower() if isinstance(s, str) else s)
    yield db
    db.close()


def run(conn, query: str):
    return soql.run(conn, OBJECTS, query, today=TODAY)


def ids(conn, query: str) -> list[str]:
    return [r["Id"] for r in run(conn, query)]


def sql_ids(conn, sql: str, *params) -> list[str]:
    return [row[0] for row in conn.execute(sql, params)]


# ---------------------------------------------------------------- same question, SOQL and SQL

SAME = [
    ("Name = 'ACME'", "lower_py(Name) = 'acme'"),
    ("Name != 'acme'", "Name IS NULL OR lower_py(Name) != 'acme'"),
    ("Name <> 'acme'", "Name IS NULL OR lower_py(Name) != 'acme'"),
    ("Name = null", "Name IS NULL"),
    ("Name != null", "Name IS NOT NULL"),
    ("Region__c = null", "Region__c IS NULL OR Region__c = ''"),
    ("Region__c != null", "Region__c != ''"),
    ("Region__c = ''", "Region__c IS NULL OR Region__c = ''"),
    ("Region__c != ''", "Region__c IS NOT NULL AND Region__c != ''"),
    ("AnnualRevenue > 50", "AnnualRevenue > 50"),
    ("AnnualRevenue >= 50", "AnnualRevenue >= 50"),
    ("AnnualRevenue < 0.5", "AnnualRevenue < 0.5"),
    ("AnnualRevenue <= -5", "AnnualRevenue <= -5"),
    ("AnnualRevenue = 1000000", "AnnualRevenue = 1e6"),
    ("AnnualRevenue != 100", "AnnualRevenue IS NULL OR AnnualRevenue != 100"),
    ("NumberOfEmployees IN (0, 3, 75)", "NumberOfEmployees IN (0, 3, 75)"),
    ("NumberOfEmployees NOT IN (0, 3)", "NumberOfEmployees IS NULL OR NumberOfEmployees NOT IN (0, 3)"),
    ("Region__c IN ('emea', 'Amer')", "lower_py(Region__c) IN ('emea', 'amer')"),
    ("Region__c NOT IN ('EMEA')", "Region__c IS NULL OR lower_py(Region__c) != 'emea'"),
    ("Name LIKE 'acme%'", "lower_py(Name) LIKE 'acme%'"),
    ("Name LIKE '%\\_%'", "Name LIKE '%!_%' ESCAPE '!'"),
    ("Name LIKE '%100\\%'", "Name LIKE '%100!%' ESCAPE '!'"),
    ("Name LIKE '_eta'", "lower_py(Name) LIKE '_eta'"),
    ("Name LIKE 'ÉDITION%'", "lower_py(Name) LIKE 'édition%'"),
    ("Name = 'O\\'Brien \\\\ Sons'", "Name = 'O''Brien \\ Sons'"),
    ("IsPartner = true", "IsPartner = 1"),
    ("IsPartner = false", "IsPartner = 0"),
    ("IsPartner != true", "IsPartner = 0"),
    ("IsPartner = null", "IsPartner = 0"),
    ("Founded__c = 2026-11-24", "Founded__c = '2026-11-24'"),
    ("Founded__c > 2026-11-01", "Founded__c > '2026-11-01'"),
    ("Founded__c = null", "Founded__c IS NULL"),
    ("LastActivity__c >= 2026-11-24T00:00:00Z", "LastActivity__c >= '2026-11-24T00:00:00.000+0000'"),
    ("LastActivity__c < 2026-11-24T01:00:00+01:00", "LastActivity__c < '2026-11-24T00:00:00.000+0000'"),
    ("LastActivity__c > 2026-11-23T11:59:59.5-00:30", "LastActivity__c > '2026-11-23T12:29:59.500+0000'"),
    (f"OwnerId = '{U1[:15]}'", f"OwnerId = '{U1}'"),
    (f"OwnerId IN ('{U1}', '{U2}')", "OwnerId IS NOT NULL"),
    ("Owner.Name = 'rita rep'", f"OwnerId = '{U1}'"),
    ("Owner.Name != 'rita rep'", f"OwnerId IS NULL OR OwnerId != '{U1}'"),
    ("Parent.Parent.Name LIKE 'acme%'", "ParentId IN (SELECT p.Id FROM Account p JOIN Account g ON g.Id = p.ParentId WHERE lower_py(g.Name) LIKE 'acme%')"),
    ("Parent.Owner.Name = 'Rita Rep'", "ParentId IN (SELECT p.Id FROM Account p JOIN User u ON u.Id = p.OwnerId WHERE u.Name = 'Rita Rep')"),
    ("Parent.Id = null", "ParentId IS NULL"),
    ("Owner.Name = 'rita rep' OR Name = 'Zeta'", f"OwnerId = '{U1}' OR Name = 'Zeta'"),
    ("Parent.Name = 'acme' AND Owner.Name != 'Rita Rep'", f"ParentId = '{A[0]}' AND (OwnerId IS NULL OR OwnerId != '{U1}')"),
    ("Parent.Owner.Name != 'Rita Rep' AND Parent.Name != null", f"ParentId IN (SELECT p.Id FROM Account p WHERE p.Name IS NOT NULL AND (p.OwnerId IS NULL OR p.OwnerId != '{U1}'))"),
    ("NOT Name = 'acme'", "Name IS NULL OR lower_py(Name) != 'acme'"),
    ("NOT AnnualRevenue > 50", "AnnualRevenue IS NULL OR AnnualRevenue <= 50"),
    ("NOT (AnnualRevenue > 50 OR Region__c = 'EMEA')", "NOT COALESCE(AnnualRevenue > 50 OR lower_py(Region__c) = 'emea', 0)"),
    ("Region__c = 'EMEA' AND AnnualRevenue > 50", "lower_py(Region__c) = 'emea' AND AnnualRevenue > 50"),
    ("Region__c = 'EMEA' OR AnnualRevenue > 50 OR IsPartner = true", "lower_py(Region__c) = 'emea' OR AnnualRevenue > 50 OR IsPartner = 1"),
    ("(Region__c = 'EMEA' OR Region__c = 'APAC') AND NOT (NumberOfEmployees < 10)", "lower_py(Region__c) IN ('emea', 'apac') AND (NumberOfEmployees IS NULL OR NumberOfEmployees >= 10)"),
    ("Region__c = 'EMEA' AND (AnnualRevenue = null OR (NumberOfEmployees > 5 AND IsPartner = false))", "lower_py(Region__c) = 'emea' AND (AnnualRevenue IS NULL OR (NumberOfEmployees > 5 AND IsPartner = 0))"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "sql"), SAME, ids=[w for w, _ in SAME])
def test_where_matches_hand_written_sql(conn, where, sql):
    got = ids(conn, f"SELECT Id FROM Account WHERE {where}")
    want = sql_ids(conn, f"SELECT Id FROM Account WHERE {sql} ORDER BY Id")
    assert got == want


def test_same_questions_are_not_all_empty(conn):
    answered = sum(bool(ids(conn, f"SELECT Id FROM Account WHERE {w}")) for w, _ in SAME)
    assert answered >= len(SAME) - 2


ORDERS = [
    ("Name", "lower_py(Name) IS NOT NULL, upper(Name), Id"),
    ("Name DESC", "lower_py(Name) IS NOT NULL, upper(Name) DESC, Id"),
    ("Name DESC NULLS LAST", "Name IS NULL, upper(Name) DESC, Id"),
    ("Name ASC NULLS LAST", "Name IS NULL, upper(Name), Id"),
    ("Region__c, AnnualRevenue DESC", "Region__c IS NOT NULL, upper(Region__c), AnnualRevenue IS NOT NULL, AnnualRevenue DESC, Id"),
    ("Founded__c NULLS LAST, Id", "Founded__c IS NULL, Founded__c, Id"),
    ("IsPartner DESC, NumberOfEmployees", "IsPartner DESC, NumberOfEmployees IS NOT NULL, NumberOfEmployees, Id"),
    ("Owner.Name, Id DESC", "(SELECT Name FROM User u WHERE u.Id = OwnerId) IS NOT NULL, (SELECT upper(Name) FROM User u WHERE u.Id = OwnerId), Id DESC"),
]  # fmt: skip


@pytest.mark.parametrize(("order", "sql"), ORDERS, ids=[o for o, _ in ORDERS])
def test_order_by_matches_hand_written_sql(conn, order, sql):
    got = ids(conn, f"SELECT Id FROM Account ORDER BY {order}")
    assert got == sql_ids(conn, f"SELECT Id FROM Account ORDER BY {sql}")


def test_sorting_folds_case_beyond_ascii(conn):
    names = [
        r["Name"]
        for r in run(conn, "SELECT Name FROM Account WHERE Name LIKE '%dition%' ORDER BY Name")
    ]
    assert names == ["Édition 100%", "édition deux"]


def test_limit_and_offset(conn):
    every = ids(conn, "SELECT Id FROM Account ORDER BY Name")
    assert ids(conn, "SELECT Id FROM Account ORDER BY Name LIMIT 3") == every[:3]
    assert ids(conn, "SELECT Id FROM Account ORDER BY Name LIMIT 3 OFFSET 2") == every[2:5]
    assert ids(conn, "SELECT Id FROM Account ORDER BY Name OFFSET 6") == every[6:]
    assert ids(conn, "SELECT Id FROM Account LIMIT 0") == []


def test_count(conn):
    result = run(conn, "select count() from account where Region__c = 'emea'")
    assert list(result) == [] and result.total_size == 3
    assert run(conn, "SELECT COUNT() FROM Account LIMIT 5").total_size == 5
    plain = run(conn, "SELECT Id FROM Account")
    assert plain.total_size == len(plain) == 8


# ---------------------------------------------------------------- the records


def test_records_are_salesforce_shaped(conn):
    records = run(
        conn,
        "select name, ANNUALREVENUE, numberofemployees, ispartner, founded__c, lastactivity__c, "
        "parent.parent.name, Parent.Owner.name, owner.id from ACCOUNT "
        f"where id = '{A[2]}'",
    )
    assert records == [
        {
            "attributes": {
                "type": "Account",
                "url": f"/services/data/v67.0/sobjects/Account/{A[2]}",
            },
            "Name": "Édition 100%",
            "AnnualRevenue": -5.0,
            "NumberOfEmployees": None,
            "IsPartner": False,
            "Founded__c": "2025-12-31",
            "LastActivity__c": None,
            "Parent": {
                "attributes": {
                    "type": "Account",
                    "url": f"/services/data/v67.0/sobjects/Account/{A[1]}",
                },
                "Parent": {
                    "attributes": {
                        "type": "Account",
                        "url": f"/services/data/v67.0/sobjects/Account/{A[0]}",
                    },
                    "Name": "Acme",
                },
                "Owner": {
                    "attributes": {
                        "type": "User",
                        "url": f"/services/data/v67.0/sobjects/User/{U1}",
                    },
                    "Name": "Rita Rep",
                },
            },
            "Owner": {
                "attributes": {"type": "User", "url": f"/services/data/v67.0/sobjects/User/{U2}"},
                "Id": U2,
            },
        }
    ]
    types = run(
        conn, f"SELECT AnnualRevenue, NumberOfEmployees, IsPartner FROM Account WHERE Id = '{A[5]}'"
    )[0]
    assert type(types["AnnualRevenue"]) is float and type(types["NumberOfEmployees"]) is int
    assert types["IsPartner"] is True


def test_missing_parent_is_none(conn):
    deals = run(
        conn, "SELECT Name, Account__r.Name, Account__r.Parent.Name FROM Deal__c ORDER BY Name"
    )
    assert [d["Account__r"] and d["Account__r"]["Name"] for d in deals] == [
        "Acme",
        "Édition 100%",
        None,
        "O'Brien \\ Sons",
    ]
    assert deals[0]["Account__r"]["Parent"] is None  # Acme has no parent
    assert deals[2]["Account__r"] is None
    assert list(deals[1]["Account__r"]) == ["attributes", "Name", "Parent"]


def test_fields_keep_select_order(conn):
    record = run(
        conn, f"SELECT Owner.Name, Name, Id, Parent.Name, Owner.Id FROM Account WHERE Id = '{A[1]}'"
    )[0]
    assert list(record) == ["attributes", "Owner", "Name", "Id", "Parent"]
    assert list(record["Owner"]) == ["attributes", "Name", "Id"]


# ---------------------------------------------------------------- literals from format_soql


def test_format_soql_literals_parse(conn):
    name = "O'Brien \\ Sons"
    query = format_soql(
        "SELECT Id FROM Account WHERE Name = {} AND NumberOfEmployees = {} AND AnnualRevenue = {} "
        "AND IsPartner = {} AND Founded__c = {} AND LastActivity__c = {}",
        name, 0, 0.0, False, None, datetime(2027, 1, 2, tzinfo=UTC),
    )  # fmt: skip
    assert ids(conn, query) == [A[4]]
    tz = timezone(timedelta(hours=-5))
    query = format_soql(
        "SELECT Id FROM Account WHERE LastActivity__c = {} OR Founded__c IN {} OR Name IN {}",
        datetime(2026, 11, 23, 7, 0, 0, 999, tzinfo=tz), [date(2027, 6, 30), date(2026, 11, 30)], ["zeta"],
    )  # fmt: skip
    assert ids(conn, query) == [A[3], A[5], A[6], A[7]]
    weird = 'tab\there\nnew "quoted" \r\b\f'
    parsed = soql.parse(format_soql("SELECT Id FROM Account WHERE Name = {}", weird))
    assert parsed.where.value.value == weird
    like = format_soql("SELECT Id FROM Account WHERE Name LIKE '{:like}%'", "Édition 100%")
    assert ids(conn, like) == [A[2]]
    assert ids(
        conn, format_soql("SELECT Id FROM Account WHERE AnnualRevenue > {}", -1e-07)
    ) == sql_ids(conn, "SELECT Id FROM Account WHERE AnnualRevenue > -1e-7 ORDER BY Id")
    assert ids(
        conn, format_soql("SELECT Id FROM Account WHERE AnnualRevenue < {}", 1e20)
    ) == sql_ids(conn, "SELECT Id FROM Account WHERE AnnualRevenue IS NOT NULL ORDER BY Id")


def test_injection_stays_a_value(conn):
    evil = "x' OR Name != null OR Name = 'y"
    assert ids(conn, format_soql("SELECT Id FROM Account WHERE Name = {}", evil)) == []
    evil_sql = "'); DROP TABLE Account; --"
    assert ids(conn, format_soql("SELECT Id FROM Account WHERE Name = {}", evil_sql)) == []
    assert len(ids(conn, "SELECT Id FROM Account")) == 8
    compiled = soql.compile(
        format_soql("SELECT Id FROM Account WHERE Name = {}", evil_sql), OBJECTS, today=TODAY
    )
    assert "DROP" not in compiled.sql and compiled.params == (evil_sql.lower(),)


# ---------------------------------------------------------------- relative dates

RELATIVE = [
    ("TODAY", "2026-11-24", "2026-11-25"),
    ("YESTERDAY", "2026-11-23", "2026-11-24"),
    ("TOMORROW", "2026-11-25", "2026-11-26"),
    ("THIS_MONTH", "2026-11-01", "2026-12-01"),
    ("LAST_MONTH", "2026-10-01", "2026-11-01"),
    ("NEXT_MONTH", "2026-12-01", "2027-01-01"),
    ("THIS_YEAR", "2026-01-01", "2027-01-01"),
    ("LAST_YEAR", "2025-01-01", "2026-01-01"),
    ("NEXT_YEAR", "2027-01-01", "2028-01-01"),
    ("LAST_N_DAYS:30", "2026-10-25", "2026-11-25"),
    ("NEXT_N_DAYS:11", "2026-11-25", "2026-12-06"),
    ("LAST_N_MONTHS:13", "2025-10-01", "2026-11-01"),
    ("NEXT_N_MONTHS:7", "2026-12-01", "2027-07-01"),
]


@pytest.mark.parametrize(("literal", "start", "end"), RELATIVE, ids=[r[0] for r in RELATIVE])
@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_relative_dates(conn, literal, start, end, op):
    where = {
        "=": "Founded__c >= ? AND Founded__c < ?",
        "!=": "Founded__c IS NULL OR Founded__c < ? OR Founded__c >= ?",
        "<": "Founded__c < ?",
        "<=": "Founded__c < ?",
        ">": "Founded__c >= ?",
        ">=": "Founded__c >= ?",
    }[op]
    params = {
        "=": (start, end),
        "!=": (start, end),
        "<": (start,),
        "<=": (end,),
        ">": (end,),
        ">=": (start,),
    }[op]
    want = sql_ids(conn, f"SELECT Id FROM Account WHERE {where} ORDER BY Id", *params)
    assert ids(conn, f"SELECT Id FROM Account WHERE Founded__c {op} {literal}") == want
    stamp = [f"{d}T00:00:00.000+0000" for d in params]
    want = sql_ids(
        conn,
        f"SELECT Id FROM Account WHERE {where.replace('Founded__c', 'LastActivity__c')} ORDER BY Id",
        *stamp,
    )
    assert ids(conn, f"SELECT Id FROM Account WHERE LastActivity__c {op} {literal}") == want


def test_relative_dates_at_year_end(conn):
    query = "SELECT Id FROM Account WHERE Founded__c = NEXT_MONTH"
    assert [r["Id"] for r in soql.run(conn, OBJECTS, query, today=date(2026, 12, 31))] == sql_ids(
        conn, "SELECT Id FROM Account WHERE Founded__c LIKE '2027-01-%' ORDER BY Id"
    )
    query = "SELECT Id FROM Account WHERE Founded__c = LAST_N_MONTHS:1"
    assert [r["Id"] for r in soql.run(conn, OBJECTS, query, today=date(2027, 1, 5))] == sql_ids(
        conn, "SELECT Id FROM Account WHERE Founded__c LIKE '2026-12-%' ORDER BY Id"
    )


# ---------------------------------------------------------------- refusals

REFUSALS = [
    ("SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY", "unexpected token 'GROUP' at position 24: GROUP BY is not supported by the local org"),
    ("SELECT Name, COUNT(Id) FROM Account", "MALFORMED_QUERY", "aggregate function COUNT() in SELECT is not supported"),
    ("SELECT SUM(AnnualRevenue) FROM Account", "MALFORMED_QUERY", "'SUM' at position 8: the aggregate function SUM()"),
    ("SELECT COUNT(Id) FROM Account", "MALFORMED_QUERY", "only COUNT() without a field"),
    ("SELECT COUNT(), Name FROM Account", "MALFORMED_QUERY", "COUNT() must be alone"),
    ("SELECT Id FROM Account HAVING Name = 'x'", "MALFORMED_QUERY", "HAVING is not supported"),
    ("SELECT Id, (SELECT Id FROM Deals__r) FROM Account", "MALFORMED_QUERY", "'SELECT' at position 13: a subquery"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT Account__c FROM Deal__c)", "MALFORMED_QUERY", "a subquery (child relationship or semi-join) is not supported"),
    ("SELECT TYPEOF Owner WHEN User THEN Name END FROM Account", "MALFORMED_QUERY", "TYPEOF is not supported"),
    ("SELECT Id FROM Account FOR UPDATE", "MALFORMED_QUERY", "FOR VIEW / FOR REFERENCE / FOR UPDATE is not supported"),
    ("SELECT Id FROM Account WITH SECURITY_ENFORCED", "MALFORMED_QUERY", "WITH (SECURITY_ENFORCED"),
    ("SELECT Id FROM Account USING SCOPE mine", "MALFORMED_QUERY", "USING SCOPE"),
    ("SELECT Id FROM Account ALL ROWS", "MALFORMED_QUERY", "ALL ROWS"),
    ("SELECT Id FROM Account WHERE Name = 'abc", "MALFORMED_QUERY", "unterminated string starting at position 37"),
    ("SELECT Id FROM Account WHERE Name = 'a\\'", "MALFORMED_QUERY", "unterminated string"),
    ("SELECT Id FROM Account WHERE Name = 'a\\x'", "MALFORMED_QUERY", "invalid escape sequence '\\x' at position 39"),
    ("SELECT Id FROM Account WHERE Name = 'a\\%'", "MALFORMED_QUERY", "only valid in LIKE"),
    ("SELECT Id FROM Account LIMIT 5 garbage", "MALFORMED_QUERY", "unexpected token 'garbage' at position 32: expected the end of the query"),
    ("SELECT Id FROM Account a", "MALFORMED_QUERY", "unexpected token 'a' at position 24"),
    ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected end of query at position 29: expected a field"),
    ("SELECT Id, FROM Account", "MALFORMED_QUERY", "unexpected token 'FROM' at position 12: expected a field"),
    ("SELECT Id Account", "MALFORMED_QUERY", "unexpected token 'Account' at position 11: expected ',' or FROM"),
    ("Id FROM Account", "MALFORMED_QUERY", "unexpected token 'Id' at position 1: expected SELECT"),
    ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "MALFORMED_QUERY", "'OR' at position 56: use parentheses when mixing AND and OR"),
    ("SELECT Id FROM Account WHERE NOT NOT Name = 'a'", "MALFORMED_QUERY", "'NOT' at position 34: expected a field"),
    ("SELECT Id FROM Account WHERE Name = :name", "MALFORMED_QUERY", "bind variables are Apex-only"),
    ("SELECT Id FROM Account WHERE Name = \"a\"", "MALFORMED_QUERY", "quote strings with '"),
    ("SELECT Id FROM Account WHERE Name = abc", "MALFORMED_QUERY", "'abc' at position 37: expected a value"),
    ("SELECT Id FROM Account WHERE Name IN ()", "MALFORMED_QUERY", "')' at position 39: expected a value"),
    ("SELECT Id FROM Account WHERE Name INCLUDES ('a')", "MALFORMED_QUERY", "INCLUDES (multi-select picklists)"),
    ("SELECT Id FROM Account WHERE Name NOT LIKE 'a%'", "MALFORMED_QUERY", "expected a comparison operator"),
    ("SELECT Id FROM Account WHERE CALENDAR_YEAR(Founded__c) = 2026", "MALFORMED_QUERY", "the function CALENDAR_YEAR() in WHERE"),
    ("SELECT Id FROM Account WHERE Founded__c = THIS_WEEK", "MALFORMED_QUERY", "the date literal THIS_WEEK is not supported"),
    ("SELECT Id FROM Account WHERE Founded__c = LAST_N_DAYS", "MALFORMED_QUERY", "LAST_N_DAYS needs a number"),
    ("SELECT Id FROM Account WHERE Founded__c = TODAY:3", "MALFORMED_QUERY", "TODAY takes no number"),
    ("SELECT Id FROM Account WHERE Founded__c = 2026-13-01", "MALFORMED_QUERY", "invalid date '2026-13-01'"),
    ("SELECT Id FROM Account WHERE Founded__c = 2026-11-01T10", "MALFORMED_QUERY", "invalid date or datetime literal at position 43"),
    ("SELECT Id FROM Account WHERE AnnualRevenue = 5abc", "MALFORMED_QUERY", "unexpected token '5a'"),
    ("SELECT Id FROM Account WHERE AnnualRevenue = nan", "MALFORMED_QUERY", "'nan' at position 46: expected a value"),
    ("SELECT Id FROM Account WHERE Name IN ('a', null)", "MALFORMED_QUERY", "null in an IN list at position 44"),
    ("SELECT Id FROM Account WHERE Founded__c IN (TODAY)", "MALFORMED_QUERY", "relative date literal in an IN list"),
    ("SELECT Id FROM Account LIMIT 1.5", "MALFORMED_QUERY", "LIMIT takes a whole number"),
    ("SELECT Id FROM Account LIMIT -1", "MALFORMED_QUERY", "LIMIT takes a whole number"),
    ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"),
    ("SELECT Id FROM Account ORDER Name", "MALFORMED_QUERY", "'Name' at position 30: expected BY"),
    ("SELECT Id FROM Account ORDER BY Name NULLS", "MALFORMED_QUERY", "expected FIRST or LAST"),
    ("SELECT Id FROM Account LIMIT 5 ORDER BY Name", "MALFORMED_QUERY", "'ORDER' at position 32"),
    ("SELECT Id FROM Acount", "INVALID_TYPE", "sObject type 'Acount' is not supported at position 16. Did you mean 'Account'?"),
    ("SELECT Nmae FROM Account", "INVALID_FIELD", "No such column 'Nmae' on entity 'Account' at position 8. Did you mean 'Name'?"),
    ("SELECT Id FROM Account WHERE Ownr.Name = 'x'", "INVALID_FIELD", "Didn't understand relationship 'Ownr' in field path 'Ownr.Name' on entity 'Account' at position 30. Did you mean 'Owner'?"),
    ("SELECT OwnerId.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'OwnerId'"),
    ("SELECT Owner FROM Account", "INVALID_FIELD", "No such column 'Owner' on entity 'Account'"),
    ("SELECT Id FROM Account ORDER BY Parent.Nmae", "INVALID_FIELD", "No such column 'Nmae' on entity 'Account' at position 33"),
    ("SELECT Name, name FROM Account", "INVALID_FIELD", "duplicate field selected: Name"),
    ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD", "field 'Description' can not be filtered"),
    ("SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD", "field 'Description' can not be sorted"),
    ("SELECT Id FROM Account WHERE Name = 5", "INVALID_QUERY_FILTER_OPERATOR", "must be of type string and should be enclosed in quotes (position 37)"),
    ("SELECT Id FROM Account WHERE AnnualRevenue = '5'", "INVALID_QUERY_FILTER_OPERATOR", "must be of type double and should not be enclosed in quotes"),
    ("SELECT Id FROM Account WHERE Founded__c = '2026-01-01'", "INVALID_QUERY_FILTER_OPERATOR", "must be of type date"),
    ("SELECT Id FROM Account WHERE Founded__c = 2026-01-01T00:00:00Z", "INVALID_QUERY_FILTER_OPERATOR", "must be of type date"),
    ("SELECT Id FROM Account WHERE LastActivity__c > 2026-01-01", "INVALID_QUERY_FILTER_OPERATOR", "must be of type dateTime"),
    ("SELECT Id FROM Account WHERE IsPartner = 'true'", "INVALID_QUERY_FILTER_OPERATOR", "must be of type boolean"),
    ("SELECT Id FROM Account WHERE IsPartner > false", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator > on boolean field 'IsPartner'"),
    ("SELECT Id FROM Account WHERE AnnualRevenue LIKE '5%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator LIKE on field 'AnnualRevenue' (currency)"),
    ("SELECT Id FROM Account WHERE OwnerId LIKE '005%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator LIKE"),
    ("SELECT Id FROM Account WHERE OwnerId = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc"),
    ("SELECT Id FROM Account WHERE AnnualRevenue > null", "INVALID_QUERY_FILTER_OPERATOR", "null can only be compared with = or !="),
]  # fmt: skip


@pytest.mark.parametrize(("query", "code", "message"), REFUSALS, ids=[q for q, _, _ in REFUSALS])
def test_refusals(conn, query, code, message):
    with pytest.raises(QueryRefused) as refused:
        run(conn, query)
    assert refused.value.error_code == code
    assert str(refused.value).startswith(code + ": ")
    assert message in str(refused.value)


def test_unsafe_schema_names_never_reach_sql(conn):
    # The Kelvin sign lower-cases to "k", so this schema name matches the query's "Key"; it must
    # still never be pasted into SQL.
    kelvin = "\u212aey"
    bad = {
        "Account": ObjectDef(
            "Account", "001", "Account", (FieldDef("Id", "id"), FieldDef(kelvin, "string"))
        )
    }
    with pytest.raises(ValueError, match="unsafe identifier"):
        soql.run(conn, bad, "SELECT Key FROM Account", today=TODAY)


# ---------------------------------------------------------------- random WHERE trees vs Python

_COLUMNS = {
    "Name": 1,
    "Region__c": 2,
    "AnnualRevenue": 3,
    "NumberOfEmployees": 4,
    "IsPartner": 5,
    "Founded__c": 6,
}
_POOLS = {
    "Name": ["'acme'", "'ZETA'", "'édition deux'", "'Brick_Works'", "'m'"],
    "Region__c": ["'emea'", "'AMER'", "'apac'", "'x'"],
    "AnnualRevenue": ["100", "-5", "0.0", "75.5", "1000000"],
    "NumberOfEmployees": ["0", "3", "50", "7"],
    "Founded__c": ["2026-11-24", "2026-11-01", "2027-06-30", "2020-01-01"],
}
_OWNER = {U1: "Rita Rep", U2: "Paul Planner"}


def _value(token: str):
    if token.startswith("'"):
        return token[1:-1].lower()
    if token[0].isdigit() and "-" in token[1:]:
        return token
    return float(token)


def _holds(row, tree) -> bool:
    kind = tree[0]
    if kind == "and":
        return all(_holds(row, t) for t in tree[1])
    if kind == "or":
        return any(_holds(row, t) for t in tree[1])
    if kind == "not":
        return not _holds(row, tree[1])
    _, field_name, op, tokens = tree
    raw = _OWNER.get(row[9]) if field_name == "Owner.Name" else row[_COLUMNS[field_name]]
    raw = None if raw == "" else raw  # Salesforce keeps no empty text
    if field_name == "IsPartner":
        return (bool(raw) == (tokens[0] == "true")) == (op == "=")
    if tokens == ["null"]:
        return (raw is None) == (op == "=")
    value = raw.lower() if isinstance(raw, str) and "-" not in raw[4:5] else raw
    wanted = [_value(t) for t in tokens]
    if op == "=":
        return value is not None and value == wanted[0]
    if op == "!=":
        return value is None or value != wanted[0]
    if op == "IN":
        return value is not None and value in wanted
    if op == "NOT IN":
        return value is None or value not in wanted
    if value is None:
        return False
    return {
        "<": value < wanted[0],
        "<=": value <= wanted[0],
        ">": value > wanted[0],
        ">=": value >= wanted[0],
    }[op]


def _soql(tree, nested: bool = False) -> str:
    kind = tree[0]
    if kind in ("and", "or"):
        text = f" {kind.upper()} ".join(_soql(t, nested=True) for t in tree[1])
        return f"({text})" if nested else text
    if kind == "not":
        inner = _soql(tree[1], nested=True)
        return f"NOT ({inner})" if tree[1][0] == "not" else f"NOT {inner}"
    _, field_name, op, tokens = tree
    if op in ("IN", "NOT IN"):
        return f"{field_name} {op} ({', '.join(tokens)})"
    return f"{field_name} {op} {tokens[0]}"


def _comparisons():
    from hypothesis import strategies as st

    ordered = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    eq = st.sampled_from(["=", "!="])
    found = []
    for name, pool in _POOLS.items():
        values = st.sampled_from(pool)
        found.append(st.tuples(st.just("cmp"), st.just(name), ordered, values.map(lambda v: [v])))
        found.append(st.tuples(st.just("cmp"), st.just(name), eq, st.just(["null"])))
        found.append(
            st.tuples(
                st.just("cmp"),
                st.just(name),
                st.sampled_from(["IN", "NOT IN"]),
                st.lists(values, min_size=1, max_size=3),
            )
        )
    found.append(
        st.tuples(st.just("cmp"), st.just("IsPartner"), eq, st.sampled_from([["true"], ["false"]]))
    )
    owner = st.sampled_from(["'rita rep'", "'PAUL PLANNER'", "null"]).map(lambda v: [v])
    found.append(st.tuples(st.just("cmp"), st.just("Owner.Name"), eq, owner))
    return st.one_of(found)


def test_random_where_trees_agree_with_python(conn):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    trees = st.recursive(
        _comparisons(),
        lambda inner: st.one_of(
            st.tuples(st.just("not"), inner),
            st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
        ),
        max_leaves=6,
    )

    @settings(max_examples=300, deadline=None, database=None)
    @given(trees)
    def check(tree):
        want = sorted(row[0] for row in ACCOUNTS if _holds(row, tree))
        assert ids(conn, f"SELECT Id FROM Account WHERE {_soql(tree)}") == want, _soql(tree)

    check()


def test_parents_the_where_clause_needs_are_inner_joined():
    sql = soql.compile(
        "SELECT Id, Owner.Name FROM Account WHERE Parent.Owner.Name = 'x' AND Owner.Name != 'y'",
        OBJECTS,
        today=TODAY,
    ).sql
    assert 'LEFT JOIN "User" AS t1' in sql  # Owner: "!=" matches a missing owner
    assert ' JOIN "Account" AS t2' in sql and 'LEFT JOIN "Account" AS t2' not in sql
    assert ' JOIN "User" AS t3' in sql and 'LEFT JOIN "User" AS t3' not in sql
