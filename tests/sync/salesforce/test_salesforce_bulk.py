"""Bulk API 2.0 query through simple-salesforce's session against the HTTPS test server: the
same records as REST, locator paging, polling, failed jobs and refused queries read over REST,
the 409 for another API version, transient errors retried, and no token in the logs."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from conftest_salesforce import connect
from sfserver.faults import EXPIRED_SESSION, JOB_FAILED, status

from sync.org.mapping import STANDARD
from sync.org.seam import OrgError, OrgUnavailable, SessionExpired
from sync.pull.cells import pull_cells
from sync.salesforce.bulk import bulk_eligible

CELLS = f"SELECT Id, {STANDARD.adjusted}, {STANDARD.note}, {STANDARD.period_start}, "
CELLS += (
    "AccountProductForecast.AccountForecast.Account.Name, AccountProductForecast.Product.Name, "
)
CELLS += f"AccountProductForecast.IsActive, SystemModstamp FROM {STANDARD.cell_object} "
CELLS += "WHERE AccountProductForecast.IsActive = true ORDER BY Id LIMIT 9001"


def _plain(records):
    """Records without ``attributes`` (REST gives URLs, Bulk's CSV has none)."""
    out = []
    for r in records:
        out.append(
            {
                k: (_plain([v])[0] if isinstance(v, dict) else v)
                for k, v in r.items()
                if k != "attributes"
            }
        )
    return out


def _rest_and_bulk(org, soql):
    threshold = org.bulk_threshold
    org.bulk_threshold = 10**9
    rest = list(org.query(soql))
    org.bulk_threshold = 1_000
    try:
        bulk = list(org.query(soql))
    finally:
        org.bulk_threshold = threshold
    return rest, bulk


def test_a_big_query_runs_as_one_bulk_job_with_the_records_rest_gives(salesforce_org, sf_server):
    salesforce_org.bulk.page = 4_000
    rest, bulk = _rest_and_bulk(salesforce_org, CELLS)
    assert len(rest) > 8_000
    assert _plain(bulk) == _plain(rest)
    assert sf_server.calls["bulk_create"] == 1
    job = sf_server.bulk.jobs()[0]
    assert job.served == [4_000] * (len(rest) // 4_000) + [len(rest) % 4_000]
    assert sf_server.calls["bulk_results"] == len(job.served)
    # first REST page, create, one poll, the result sets: a handful of calls, not one per 2,000
    assert sf_server.calls["query_more"] == len(rest) // 2_000  # all of them from the REST read


def test_notes_with_commas_quotes_newlines_and_unicode_survive_the_csv(salesforce_org, sf_server):
    from bench.bench_push import changes_for

    notes = ['line one\nline two, "quoted"', '=HYPERLINK("x")', "ünïcødé ✓ 🚚", "a\r\nb", "''"]
    ids = [c.record_id for c in changes_for(salesforce_org, len(notes), value=1.0)]
    records = [{"Id": i, STANDARD.note: n} for i, n in zip(ids, notes, strict=True)]
    sf_server.run(lambda org: org.update(STANDARD.cell_object, records))
    soql = CELLS.replace("ORDER BY Id LIMIT 9001", "AND Id IN ('" + "', '".join(ids) + "')")
    rest = list(salesforce_org.query(soql))  # five records: REST
    salesforce_org.bulk.page = 2  # and as a Bulk job, two records a result set
    job = salesforce_org.bulk.start(soql)
    assert job is not None
    bulk = list(salesforce_org.bulk.records(job))
    assert _plain(bulk) == _plain(rest)
    assert {r["Id"]: r[STANDARD.note] for r in bulk} == dict(zip(ids, notes, strict=True))


def test_small_queries_stay_on_rest(salesforce_org, sf_server):
    list(salesforce_org.query("SELECT Id FROM AccountProductPeriodForecast LIMIT 500"))
    assert sf_server.calls["bulk_create"] == 0


def test_a_job_still_running_is_polled_with_growing_waits(sf_server, memory_keyring):
    waits: list[float] = []
    org = connect(sf_server, sleep=waits.append, bulk_threshold=1_000)
    sf_server.bulk.polls = 4
    assert len(list(org.query(CELLS))) > 8_000
    assert sf_server.calls["bulk_job"] == 5
    assert waits == sorted(waits) and len(waits) == 4 and waits[0] < waits[-1]


def test_a_job_that_never_finishes_is_aborted_and_said(sf_server, memory_keyring):
    org = connect(sf_server, sleep=lambda s: None, bulk_threshold=1_000)
    org.bulk.max_wait = 3.0
    sf_server.bulk.polls = 1_000
    with pytest.raises(OrgUnavailable, match=r"did not finish reading .* try again later"):
        list(org.query(CELLS))
    assert sf_server.bulk.jobs()[0].state == "Aborted"


def test_a_failed_job_is_read_over_rest_instead(salesforce_org, sf_server, caplog):
    sf_server.faults.add("bulk_create", JOB_FAILED)
    caplog.set_level(logging.WARNING, "sync.salesforce.backend")
    rest, bulk = _rest_and_bulk(salesforce_org, CELLS)
    assert sf_server.bulk.jobs()[0].state == "Failed"
    assert _plain(bulk) == _plain(rest)
    assert "Failed" in caplog.text and "reading over REST" in caplog.text


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT() FROM AccountProductPeriodForecast",
        "SELECT AccountProductForecastId, SUM(ForecastedQuantity) "
        "FROM AccountProductPeriodForecast GROUP BY AccountProductForecastId",
        "SELECT Id FROM AccountProductPeriodForecast ORDER BY Id LIMIT 10 OFFSET 5",
        "SELECT Name, (SELECT Id FROM Contacts) FROM Account",
    ],
)
def test_soql_bulk_cannot_run_stays_on_rest(soql):
    assert not bulk_eligible(soql)


def test_offset_queries_are_read_over_rest(salesforce_org, sf_server):
    salesforce_org.bulk_threshold = 1_000
    soql = "SELECT Id FROM AccountProductPeriodForecast ORDER BY Id LIMIT 5000 OFFSET 10"
    found = list(salesforce_org.query(soql))
    assert len(found) == 5_000 and sf_server.calls["bulk_create"] == 0


def test_a_query_the_server_refuses_as_a_job_is_read_over_rest(salesforce_org, sf_server):
    assert salesforce_org.bulk.start("SELECT Name, (SELECT Id FROM Contacts) FROM Account") is None
    assert sf_server.calls["bulk_create"] == 1 and not sf_server.bulk.jobs()


def test_results_in_another_api_version_are_refused_with_409(salesforce_org, sf_server):
    job = salesforce_org.bulk.start(CELLS)
    assert job is not None
    other = connect(sf_server, api_version="66.0")
    with pytest.raises(OrgError, match=r"API version the job was created with \(67\.0\)"):
        list(other.bulk.records(job))
    assert len(list(salesforce_org.bulk.records(job))) == job.records


def test_transient_errors_and_an_expired_session_are_retried(salesforce_org, sf_server):
    sf_server.faults.add("bulk_create", status(503))
    sf_server.faults.add("bulk_job", status(500))
    sf_server.faults.add("bulk_results", status(502), on_call=2)
    sf_server.faults.add("bulk_results", EXPIRED_SESSION, on_call=3)
    salesforce_org.bulk.page = 3_000
    rest, bulk = _rest_and_bulk(salesforce_org, CELLS)
    assert _plain(bulk) == _plain(rest)
    assert sf_server.calls["bulk_create"] == 2 and sf_server.calls["bulk_job"] == 2
    assert sf_server.faults.pending() == 0


def test_results_that_keep_failing_are_a_message_not_a_traceback(salesforce_org, sf_server):
    sf_server.faults.add("bulk_results", status(503), times=10)
    salesforce_org.bulk_threshold = 1_000
    with pytest.raises(OrgUnavailable, match=r"HTTP 503.*Try again in a few minutes"):
        list(salesforce_org.query(CELLS))


def test_results_shorter_than_the_job_says_are_refused_not_used(salesforce_org, sf_server):
    job = salesforce_org.bulk.start(CELLS)
    assert job is not None
    short = dataclasses.replace(job, records=job.records + 1)
    with pytest.raises(OrgUnavailable, match=r"reported 9,002 .* held 9,001"):
        list(salesforce_org.bulk.records(short))


def test_a_session_that_cannot_be_renewed_says_to_sign_in(salesforce_org, sf_server):
    salesforce_org.bulk_threshold = 1_000
    sf_server.faults.add("bulk_job", EXPIRED_SESSION)
    sf_server.revoke_refresh_tokens()
    with pytest.raises(SessionExpired, match="demandgrid login"):
        list(salesforce_org.query(CELLS))


def test_no_token_in_the_logs_of_a_bulk_read(salesforce_org, sf_server, caplog):
    caplog.set_level(logging.DEBUG)
    salesforce_org.bulk_threshold = 1_000
    list(salesforce_org.query(CELLS))
    token = salesforce_org._sf.session_id
    assert token and token not in caplog.text
    assert "bulk GET /jobs/query/" in caplog.text


def test_pull_through_bulk_is_the_pull_through_rest(org, org_file):
    from sync.localorg import LocalOrg

    if hasattr(org, "bulk_threshold"):
        org.bulk_threshold = 1_000
    from sync.localorg.demo.org import DEMO_PLANNER

    pulled = pull_cells(org, DEMO_PLANNER, include_team=True).frame
    with LocalOrg(org_file) as local:
        expected = pull_cells(local, DEMO_PLANNER, include_team=True).frame
    assert len(pulled) > 10_000
    assert pulled.equals(expected)
