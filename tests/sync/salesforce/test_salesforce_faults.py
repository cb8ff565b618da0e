"""The Salesforce backend under faults injected by the test server: an expired session, 5xx,
``UNABLE_TO_LOCK_ROW``, answers slower than the client's timeout, a write that commits and then
loses its connection, and a spent daily API budget. No write is ever applied twice, and no
token reaches a log record, an exception message or a ``repr``."""

from __future__ import annotations

import logging

import pytest
from conftest_push import changeable_cells
from conftest_salesforce import connect
from sfserver import faults
from simple_salesforce import format_soql

from sync.org.mapping import STANDARD
from sync.org.seam import ApiLimitExceeded, OrgUnavailable, SessionExpired, UpdateRefused
from sync.salesforce.wire import RetryPolicy

CELL = STANDARD.cell_object
ADJ = STANDARD.adjusted
NOTE = STANDARD.note
COUNT_CELLS = "SELECT COUNT() FROM AccountProductPeriodForecast"


def _changes(org, n: int = 30, value: float = 4321.0):
    cells = changeable_cells(org, limit=n)
    return [{"Id": c["Id"], ADJ: value, NOTE: "injected fault"} for c in cells]


def _history(server, ids) -> int:
    soql = format_soql(
        "SELECT Id FROM AccountForecastAdjustment WHERE AccountProdPeriodForecastId IN {}", ids
    )
    return server.run(lambda org: len(list(org.query(soql))))


def _org_updates(server) -> int:
    """Update calls the local org behind the server received (each applies its records once)."""
    return server.run(lambda org: org.calls.update)


def _held(org, ids):
    soql = format_soql("SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}", ADJ, CELL, ids)
    return {r["Id"]: r[ADJ] for r in org.query(soql)}


# ---------------------------------------------------------------- sessions


def test_expired_session_is_refreshed_once_and_retried(salesforce_org, sf_server):
    tokens_before = sf_server.calls["token"]
    sf_server.faults.add("query", faults.EXPIRED_SESSION)
    assert len(list(salesforce_org.query(COUNT_CELLS + " LIMIT 1"))) == 0
    assert sf_server.calls["token"] == tokens_before + 1
    assert sf_server.calls["query"] == 2  # the 401, then the retry with the new token
    sf_server.expire_sessions()
    assert salesforce_org.limits().daily_api_requests_max > 0
    assert sf_server.calls["token"] == tokens_before + 2


def test_a_session_that_cannot_be_renewed_says_sign_in_again(salesforce_org, sf_server):
    sf_server.revoke_refresh_tokens()
    sf_server.expire_sessions()
    with pytest.raises(SessionExpired) as e:
        salesforce_org.limits()
    assert "demandgrid login" in str(e.value)


def test_expired_session_during_a_write_is_refreshed_and_written_once(salesforce_org, sf_server):
    records = _changes(salesforce_org)
    before = _history(sf_server, [r["Id"] for r in records])
    sf_server.expire_sessions()
    results = salesforce_org.update(CELL, records)
    assert all(r.success for r in results)
    assert _history(sf_server, [r["Id"] for r in records]) == before + len(records)


# ---------------------------------------------------------------- 5xx and locks


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_on_reads_are_retried(salesforce_org, sf_server, status):
    soql = "SELECT Id FROM AccountProductPeriodForecast ORDER BY Id"
    expected = sf_server.run(lambda org: len(list(org.query(soql))))
    sf_server.faults.add("query", faults.status(status))
    sf_server.faults.add("query_more", faults.status(status), on_call=2)
    assert len(list(salesforce_org.query(soql))) == expected


def test_reads_give_up_after_the_configured_attempts(salesforce_org, sf_server):
    sf_server.faults.add("limits", faults.status(503), times=10)
    with pytest.raises(OrgUnavailable) as e:
        salesforce_org.limits()
    assert sf_server.calls["limits"] == salesforce_org.retry.attempts
    assert "503" in str(e.value)


def test_503_on_a_write_rereads_then_sends_once(salesforce_org, sf_server):
    records = _changes(salesforce_org)
    ids = [r["Id"] for r in records]
    before, updates = _history(sf_server, ids), _org_updates(sf_server)
    sf_server.faults.add("composite", faults.status(503))
    assert all(r.success for r in salesforce_org.update(CELL, records))
    assert sf_server.calls["composite"] == 2
    assert _org_updates(sf_server) == updates + 1
    assert _history(sf_server, ids) == before + len(records)


def test_unable_to_lock_row_is_retried(salesforce_org, sf_server):
    records = _changes(salesforce_org, 250)
    ids = [r["Id"] for r in records]
    before = _history(sf_server, ids)
    sf_server.faults.add("composite", faults.LOCK_ROW, times=2)
    assert all(r.success for r in salesforce_org.update(CELL, records))
    assert sf_server.calls["composite"] == 3
    assert _history(sf_server, ids) == before + len(records)


def test_unable_to_lock_row_that_persists_is_refused(salesforce_org, sf_server):
    records = _changes(salesforce_org, 5)
    sf_server.faults.add("composite", faults.LOCK_ROW, times=10)
    with pytest.raises(UpdateRefused) as e:
        salesforce_org.update(CELL, records)
    assert "UNABLE_TO_LOCK_ROW" in str(e.value)
    assert sf_server.calls["composite"] == salesforce_org.retry.attempts


# ---------------------------------------------------------------- timeouts and dropped connections


@pytest.fixture
def impatient_org(sf_server, memory_keyring):
    """A client that gives up waiting after 0.3 s (the server's slow answers take longer)."""
    return connect(sf_server, timeout=(5.0, 0.3), retry=RetryPolicy(4, 0.002, 0.01))


def test_slow_read_past_the_timeout_is_retried(impatient_org, sf_server):
    sf_server.faults.add("limits", faults.slow(0.8))
    assert impatient_org.limits().daily_api_requests_max > 0
    assert sf_server.calls["limits"] == 2


def test_slow_write_that_landed_is_not_sent_again(impatient_org, sf_server):
    records = _changes(impatient_org, 40, value=777.0)
    ids = [r["Id"] for r in records]
    before, updates = _history(sf_server, ids), _org_updates(sf_server)
    sf_server.faults.add("composite", faults.slow(0.8))
    results = impatient_org.update(CELL, records)
    assert [r.id for r in results] == ids and all(r.success for r in results)
    assert sf_server.calls["composite"] == 1  # the re-read found the values: no re-send
    assert _org_updates(sf_server) == updates + 1
    assert _history(sf_server, ids) == before + len(records)


def test_commit_then_dropped_connection_is_never_applied_twice(salesforce_org, sf_server):
    records = _changes(salesforce_org, 450, value=1234.0)
    ids = [r["Id"] for r in records]
    before, updates = _history(sf_server, ids), _org_updates(sf_server)
    sf_server.faults.add("composite", faults.DROP_AFTER_COMMIT)
    results = salesforce_org.update(CELL, records)
    assert all(r.success for r in results) and len(results) == len(records)
    assert sf_server.calls["composite"] == 1
    assert _org_updates(sf_server) == updates + 1
    assert _history(sf_server, ids) == before + len(records)
    assert set(_held(salesforce_org, ids).values()) == {1234.0}


def test_dropped_connection_twice_then_answer(salesforce_org, sf_server):
    records = _changes(salesforce_org, 20, value=55.0)
    ids = [r["Id"] for r in records]
    before = _history(sf_server, ids)
    sf_server.faults.add("composite", faults.DROP_AFTER_COMMIT)
    sf_server.faults.add("query", faults.status(503))  # the re-read itself meets a 503 once
    assert all(r.success for r in salesforce_org.update(CELL, records))
    assert _history(sf_server, ids) == before + len(records)


def test_write_unconfirmed_after_every_attempt_says_run_again(salesforce_org, sf_server):
    records = _changes(salesforce_org, 3)
    sf_server.faults.add("composite", faults.status(500), times=10)
    with pytest.raises(OrgUnavailable) as e:
        salesforce_org.update(CELL, records)
    assert "Run the push again" in str(e.value) and "nothing is applied twice" in str(e.value)


# ---------------------------------------------------------------- daily API budget


def test_request_limit_exceeded_stops_with_a_clear_message(salesforce_org, sf_server):
    records = _changes(salesforce_org, 10)
    ids = [r["Id"] for r in records]
    held = _held(salesforce_org, ids)
    sf_server.faults.add("composite", faults.LIMIT_EXCEEDED)
    with pytest.raises(ApiLimitExceeded) as e:
        salesforce_org.update(CELL, records)
    message = str(e.value)
    assert "daily API request limit" in message and "24-hour" in message
    assert "nothing is lost" in message
    assert sf_server.calls["composite"] == 1  # not retried
    assert _held(salesforce_org, ids) == held


def test_spent_budget_of_the_org_behind_the_server(salesforce_org, sf_server):
    from sync.localorg import tables

    def spend(org):
        ceiling, _ = org._budget()
        with org._lock:
            tables.set_meta(org._conn, "api_used", ceiling)

    salesforce_org.limits()  # start the day's count
    sf_server.run(spend)
    with pytest.raises(ApiLimitExceeded):
        list(salesforce_org.query(COUNT_CELLS))


# ---------------------------------------------------------------- no token anywhere


def test_no_token_in_logs_messages_or_repr(sf_server, memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    org = connect(sf_server)
    records = _changes(org, 5)
    errors: list[str] = []
    sf_server.expire_sessions()
    sf_server.faults.add("composite", faults.DROP_AFTER_COMMIT)
    org.update(CELL, records)
    sf_server.faults.add("limits", faults.status(503), times=10)
    sf_server.faults.add("composite", faults.LIMIT_EXCEEDED)
    for attempt in (org.limits, lambda: org.update(CELL, records)):
        with pytest.raises(Exception) as e:
            attempt()
        errors.append(f"{e.value!s} {e.value!r}")
    sf_server.revoke_refresh_tokens()
    sf_server.expire_sessions()
    with pytest.raises(SessionExpired) as e:
        org.limits()
    errors.append(f"{e.value!s} {e.value!r}")
    texts = [caplog.text, *errors, repr(org), repr(org._tokens), repr(org._session), str(org.calls)]
    texts += [str(vars(org.calls))]
    assert sf_server.issued and caplog.records
    for token in sf_server.issued:
        for text in texts:
            assert token not in text


def test_commit_then_drop_with_15_character_ids_is_not_sent_again(salesforce_org, sf_server):
    records = [{**r, "Id": r["Id"][:15]} for r in _changes(salesforce_org, 20, value=99.0)]
    updates = _org_updates(sf_server)
    sf_server.faults.add("composite", faults.DROP_AFTER_COMMIT)
    results = salesforce_org.update(CELL, records)
    assert all(r.success for r in results) and len(results) == len(records)
    assert _org_updates(sf_server) == updates + 1


def test_lost_write_and_unanswered_reread_says_run_again(salesforce_org, sf_server):
    records = _changes(salesforce_org, 5)
    sf_server.faults.add("composite", faults.DROP_AFTER_COMMIT)
    sf_server.faults.add("query", faults.status(503), times=10)
    with pytest.raises(OrgUnavailable) as e:
        salesforce_org.update(CELL, records)
    assert "Run the push again" in str(e.value)
