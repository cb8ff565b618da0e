"""``Sforce-Limit-Info``: the org's daily API usage on every REST answer. The parser never
reports negative calls left (an org may run past its limit: ``api-usage=110018/100000``),
ignores malformed values and other apps' quotas, and the test server sends the header on every
authenticated REST answer, in step with ``/limits`` and the local org's shared budget."""

from __future__ import annotations

import pytest
import requests
from conftest_push import changeable_cells

from sync.localorg import tables
from sync.org.mapping import STANDARD
from sync.org.seam import ApiLimitExceeded, ApiLimits
from sync.salesforce.wire import ApiUsage, parse_limit_info

COUNT_CELLS = "SELECT COUNT() FROM AccountProductPeriodForecast"


@pytest.mark.parametrize(
    ("header", "used", "limit", "left"),
    [
        ("api-usage=18/5000", 18, 5000, 4982),
        ("api-usage=110018/100000", 110018, 100000, 0),
        ("api-usage=100000/100000", 100000, 100000, 0),
        (
            "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)",
            25,
            5000,
            4975,
        ),
        (
            "per-app-api-usage=17/250(appName=sample-connected-app); api-usage=25/5000",
            25,
            5000,
            4975,
        ),
        ("api-usage=110018/100000; api-bursts=1/750", 110018, 100000, 0),
        ("API-Usage = 7 / 10", 7, 10, 3),
        ("api-usage=3/0", 3, 0, 0),
    ],
)
def test_limit_info_is_parsed_and_never_negative(header, used, limit, left):
    usage = parse_limit_info(header)
    assert usage == ApiUsage(used, limit)
    assert usage.left == left >= 0
    assert usage.over_limit == (used > limit)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "api-usage=",
        "api-usage=abc/100",
        "api-usage=-5/100",
        "api-usage=5/-100",
        "api-usage=5",
        "api-usage=5/100/7",
        "api-usage=1.5/100",
        "per-app-api-usage=17/250(appName=x)",
        "api-usage=99999999999999999999/1",
        "garbage;;;",
    ],
)
def test_malformed_limit_info_is_ignored(header):
    assert parse_limit_info(header) is None


def test_usage_says_when_the_org_is_over_its_limit():
    over = str(ApiUsage(110018, 100000))
    assert "over its limit by 10,018" in over and "no calls left" in over and "-" not in over
    assert str(ApiUsage(18, 5000)) == "4,982 of 5,000 daily calls left"


def test_a_malformed_header_keeps_the_last_good_usage(salesforce_org):
    session = salesforce_org._session
    salesforce_org.limits()
    good = session.last_usage
    assert good is not None
    answer = requests.Response()
    answer.headers["Sforce-Limit-Info"] = "api-usage=lots/many"
    session._note_usage(answer)
    assert session.last_usage == good


# ---------------------------------------------------------------- the test server sends it


def _get(server, token, path, method="GET"):
    return requests.request(
        method,
        f"{server.url}/services/data/v67.0{path}",
        headers={"Authorization": f"Bearer {token}"},
        verify=str(server.ca_pem),
        timeout=10,
    )


def _usage(answer) -> ApiUsage:
    usage = parse_limit_info(answer.headers.get("Sforce-Limit-Info"))
    assert usage is not None, answer.headers
    return usage


def test_every_rest_answer_carries_the_header_in_step_with_limits(sf_server):
    token = sf_server.issue_access_token()
    first = _get(sf_server, token, "/limits")
    daily = first.json()["DailyApiRequests"]
    usage = _usage(first)
    assert usage == ApiUsage(daily["Max"] - daily["Remaining"], daily["Max"])
    seen = [usage.used]
    for path in ("/query?q=SELECT+Id+FROM+Account+LIMIT+1", "/sobjects/Account/describe"):
        seen.append(_usage(_get(sf_server, token, path)).used)
    not_found = _get(sf_server, token, "/sobjects/NoSuchThing__c/describe")
    assert not_found.status_code == 404
    seen.append(_usage(not_found).used)
    again = _get(sf_server, token, "/limits")
    seen.append(_usage(again).used)
    assert seen == list(range(seen[0], seen[0] + 5))  # one call per REST request
    daily = again.json()["DailyApiRequests"]
    assert daily["Max"] - daily["Remaining"] == seen[-1]


def test_free_and_unauthenticated_answers_carry_no_usage(sf_server):
    versions = requests.get(f"{sf_server.url}/services/data", verify=str(sf_server.ca_pem))
    refused = _get(sf_server, "not-a-token", "/limits")
    assert versions.status_code == 200 and refused.status_code == 401
    assert "Sforce-Limit-Info" not in versions.headers
    assert "Sforce-Limit-Info" not in refused.headers


def test_a_collection_of_many_records_is_one_call(salesforce_org, sf_server):
    cells = changeable_cells(salesforce_org, limit=50)
    records = [
        {"attributes": {"type": STANDARD.cell_object}, "id": c["Id"], STANDARD.adjusted: 4.0}
        for c in cells
    ]
    salesforce_org.limits()
    before = salesforce_org._session.last_usage
    answer = salesforce_org._sf.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records}
    )
    assert all(a["success"] for a in answer)
    assert salesforce_org._session.last_usage.used == before.used + 1


def test_over_the_limit_the_client_says_so_and_never_a_negative_count(salesforce_org, sf_server):
    def burst(org):  # Salesforce lets an org run past its limit for a while
        ceiling, _ = org._budget()
        with org._lock:
            tables.set_meta(org._conn, "api_used", ceiling + 10_018)

    salesforce_org.limits()  # start the day's count
    sf_server.run(burst)
    with pytest.raises(ApiLimitExceeded) as e:
        list(salesforce_org.query(COUNT_CELLS))
    message = str(e.value)
    assert "over its limit by 10,018" in message and "no calls left" in message
    assert " -" not in message
    assert salesforce_org._session.last_usage.left == 0


def test_limits_past_the_maximum_leave_none_not_fewer(salesforce_org, monkeypatch):
    over = {"DailyApiRequests": {"Max": 100_000, "Remaining": -10_018}}
    monkeypatch.setattr(salesforce_org._sf, "restful", lambda *a, **k: over)
    assert salesforce_org.limits() == ApiLimits(100_000, 0)
