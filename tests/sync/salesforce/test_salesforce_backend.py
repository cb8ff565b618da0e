"""The Salesforce backend through simple-salesforce against the HTTPS test server in front of
the local org: query paging, describe, mapping checks, the Composite/Collections write shape,
limits and identity."""

from __future__ import annotations

import math

import pytest
from conftest_push import changeable_cells, past_cells
from conftest_salesforce import connect
from simple_salesforce import format_soql

from sync.org.mapping import STANDARD
from sync.org.seam import UPDATE_LIMIT, MappingMismatch, QueryRefused, UpdateRefused
from sync.salesforce.answers import composite_results
from sync.salesforce.backend import DEFAULT_API_VERSION, SalesforceOrg

CELL = STANDARD.cell_object
ADJ = STANDARD.adjusted
NOTE = STANDARD.note


def _values(org, ids):
    soql = format_soql(
        "SELECT Id, {:literal}, {:literal} FROM {:literal} WHERE Id IN {}", ADJ, NOTE, CELL, ids
    )
    return {r["Id"]: (r[ADJ], r[NOTE]) for r in org.query(soql)}


def test_query_pages_with_locators_and_batch_header(salesforce_org, sf_server):
    soql = "SELECT Id, ForecastedQuantity FROM AccountProductPeriodForecast ORDER BY Id"
    salesforce_org.bulk_threshold = 10**9  # REST paging; above the threshold: test_salesforce_bulk
    records = list(salesforce_org.query(soql))
    expected = sf_server.run(lambda org: list(org.query(soql)))
    assert [r["Id"] for r in records] == [r["Id"] for r in expected]
    pages = math.ceil(len(records) / 2000)
    assert pages > 2
    assert salesforce_org.calls.query == pages
    assert sf_server.calls["query"] == 1 and sf_server.calls["query_more"] == pages - 1
    query_requests = [h for m, p, h in sf_server.requests if "/query" in p]
    assert all(h.get("Sforce-Query-Options") == "batchSize=2000" for h in query_requests)
    assert all(f"/v{DEFAULT_API_VERSION}/" in p for m, p, h in sf_server.requests if "/data/" in p)


def test_query_records_are_salesforce_shaped(salesforce_org):
    soql = (
        "SELECT Id, AccountProductForecast.AccountForecast.Account.Name "
        "FROM AccountProductPeriodForecast LIMIT 3"
    )
    record = next(iter(salesforce_org.query(soql)))
    assert record["attributes"]["type"] == CELL
    account = record["AccountProductForecast"]["AccountForecast"]["Account"]
    assert account["attributes"]["type"] == "Account" and account["Name"]


def test_refused_query_names_the_problem(salesforce_org):
    with pytest.raises(QueryRefused) as e:
        list(salesforce_org.query("SELECT NoSuchField__c FROM AccountProductPeriodForecast"))
    assert "refused the query" in str(e.value)


def test_describe_is_cached(salesforce_org, sf_server):
    first = salesforce_org.describe(CELL)
    second = salesforce_org.describe(CELL)
    assert first is second
    assert first.field(ADJ).updateable and first.field(NOTE).length == 2000
    assert sf_server.calls["describe"] >= 1
    before = sf_server.calls["describe"]
    salesforce_org.describe(CELL)
    assert sf_server.calls["describe"] == before


def test_verify_mapping_passes_on_the_standard_profile(sf_server, memory_keyring):
    org = SalesforceOrg.connect(
        sf_server.url,
        connect(sf_server)._tokens,
        profile=STANDARD,
        verify=str(sf_server.ca_pem),
    )
    assert org.identity().username == sf_server.identity.username


def test_verify_mapping_names_a_field_that_is_not_updateable(sf_server, memory_keyring):
    sf_server.describe_overrides[f"{CELL}.{ADJ}"] = {"updateable": False}
    org = connect(sf_server)
    with pytest.raises(MappingMismatch) as e:
        org.verify_mapping(STANDARD)
    message = str(e.value)
    assert f"{CELL}.{ADJ} is not updateable for {sf_server.identity.username}" in message
    assert "permission set" in message and "admin" in message


def test_verify_mapping_names_missing_fields_and_objects(sf_server, memory_keyring):
    sf_server.describe_overrides[f"Account.{STANDARD.region_field}"] = None
    sf_server.hidden_objects.add(STANDARD.target_object)
    org = connect(sf_server)
    with pytest.raises(MappingMismatch) as e:
        org.verify_mapping(STANDARD)
    message = str(e.value)
    assert f"Account.{STANDARD.region_field} is missing or hidden" in message
    assert f"{STANDARD.target_object} is not available" in message


def test_update_sends_one_composite_of_collections(salesforce_org, sf_server):
    cells = changeable_cells(salesforce_org, limit=450)
    records = [{"Id": c["Id"], ADJ: 10.0 + n, NOTE: f"note {n}"} for n, c in enumerate(cells)]
    salesforce_org.calls.update = 0
    results = salesforce_org.update(CELL, records)
    assert [r.id for r in results] == [c["Id"] for c in cells]
    assert all(r.success for r in results)
    assert salesforce_org.calls.update == 1 and sf_server.calls["composite"] == 1
    body = sf_server.write_bodies[-1]
    assert body["allOrNone"] is True
    subs = body["compositeRequest"]
    assert [len(s["body"]["records"]) for s in subs] == [200, 200, 50]
    for sub in subs:
        assert sub["method"] == "PATCH"
        assert sub["url"] == f"/services/data/v{DEFAULT_API_VERSION}/composite/sobjects"
        assert sub["body"]["allOrNone"] is True
        assert all(r["attributes"] == {"type": CELL} for r in sub["body"]["records"])
    held = _values(salesforce_org, [c["Id"] for c in cells[:5]])
    assert held[cells[3]["Id"]] == (13.0, "note 3")


def test_a_thousand_records_go_in_one_call(salesforce_org, sf_server):
    cells = changeable_cells(salesforce_org, limit=UPDATE_LIMIT)
    assert len(cells) == UPDATE_LIMIT
    before = sf_server.api_calls()
    salesforce_org.update(CELL, [{"Id": c["Id"], ADJ: 1.0, NOTE: "bulk"} for c in cells])
    assert sf_server.api_calls() - before == 1
    assert len(sf_server.write_bodies[-1]["compositeRequest"]) == 5


def test_more_than_a_thousand_is_refused_before_sending(salesforce_org, sf_server):
    records = [{"Id": f"0ZF{n:015d}", ADJ: 1.0} for n in range(UPDATE_LIMIT + 1)]
    with pytest.raises(UpdateRefused) as e:
        salesforce_org.update(CELL, records)
    assert "split" in str(e.value)
    assert all(r.errors[0].status_code == "EXCEEDED_ID_LIMIT" for r in e.value.results)
    assert sf_server.calls["composite"] == 0


def test_a_refused_record_rolls_back_the_whole_call(salesforce_org, sf_server):
    good = changeable_cells(salesforce_org, limit=450)
    bad = past_cells(salesforce_org, limit=1)
    records = [{"Id": c["Id"], ADJ: 5.0, NOTE: "x"} for c in good[:300]]
    records.insert(10, {"Id": bad[0]["Id"], ADJ: 5.0, NOTE: "past"})
    before = _values(salesforce_org, [c["Id"] for c in good[:300]])
    with pytest.raises(UpdateRefused) as e:
        salesforce_org.update(CELL, records)
    results = e.value.results
    assert len(results) == len(records)
    assert results[10].errors[0].status_code != "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    # the second collection answered PROCESSING_HALTED: its records count as rolled back
    assert {r.errors[0].status_code for r in results[200:]} == {"ALL_OR_NONE_OPERATION_ROLLED_BACK"}
    answer = sf_server.write_answers[-1]["compositeResponse"]
    assert [s["httpStatusCode"] for s in answer] == [200, 400]
    assert answer[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert _values(salesforce_org, [c["Id"] for c in good[:300]]) == before
    assert bad[0]["Id"] in str(e.value)


def test_composite_results_reads_both_rollback_shapes():
    sent = [{"Id": f"a{n}"} for n in range(250)]
    answer = {
        "compositeResponse": [
            {
                "httpStatusCode": 200,
                "body": [
                    {
                        "id": "a0",
                        "success": False,
                        "errors": [{"statusCode": "X", "message": "m", "fields": ["F"]}],
                    }
                ]
                + [
                    {
                        "id": f"a{n}",
                        "success": False,
                        "errors": [
                            {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": "r"}
                        ],
                    }
                    for n in range(1, 200)
                ],
            },
            {
                "httpStatusCode": 400,
                "body": [{"errorCode": "PROCESSING_HALTED", "message": "rolled back"}],
            },
        ]
    }
    results = composite_results(answer, sent)
    assert [r.id for r in results] == [s["Id"] for s in sent]
    assert results[0].errors[0].fields == ("F",)
    assert results[249].errors[0].status_code == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[249].errors[0].message == "rolled back"


def test_limits_and_identity(salesforce_org, sf_server):
    limits = salesforce_org.limits()
    assert 0 < limits.daily_api_requests_remaining <= limits.daily_api_requests_max
    ident = salesforce_org.identity()
    assert ident.org_id == sf_server.identity.org_id
    assert ident.org_name == sf_server.identity.org_name
    assert ident.instance == sf_server.url
    assert salesforce_org.calls.limits == 1


def test_api_version_is_explicit_and_configurable(sf_server, memory_keyring):
    org = connect(sf_server, api_version="62.0")
    org.limits()
    assert sf_server.requests[-1][1] == "/services/data/v62.0/limits"


def test_connect_names_the_api_version_to_set(sf_server, memory_keyring):
    from sync.salesforce.backend import ApiVersionUnavailable

    sf_server.max_version = 66.0
    tokens = connect(sf_server)._tokens
    with pytest.raises(ApiVersionUnavailable) as e:
        SalesforceOrg.connect(sf_server.url, tokens, profile=STANDARD, verify=str(sf_server.ca_pem))
    assert "API version 67.0" in str(e.value) and 'api_version = "66.0"' in str(e.value)
