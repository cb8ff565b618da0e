"""The HTTPS test server itself keeps Salesforce's rules: 200 records per Collection, 25
subrequests and 5 Collections per Composite, all-or-none, per-record answers with HTTP 200,
``INVALID_SESSION_ID`` without a valid token, and a call count by kind."""

from __future__ import annotations

import pytest
import requests
from conftest_push import changeable_cells, past_cells
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sync.org.mapping import STANDARD

CELL = STANDARD.cell_object
ADJ = STANDARD.adjusted


def _records(cells, value=3.0):
    return [{"attributes": {"type": CELL}, "Id": c["Id"], ADJ: value} for c in cells]


def _collection(version, records, all_or_none=True):
    return {
        "method": "PATCH",
        "url": f"/services/data/v{version}/composite/sobjects",
        "referenceId": f"r{len(records)}",
        "body": {"allOrNone": all_or_none, "records": records},
    }


def test_collections_answer_200_with_per_record_errors(salesforce_org, sf_server):
    good = changeable_cells(salesforce_org, limit=3)
    bad = past_cells(salesforce_org, limit=1)
    sf = salesforce_org._sf
    answer = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"allOrNone": False, "records": _records(good + bad)},
    )
    assert [a["success"] for a in answer] == [True, True, True, False]
    assert answer[3]["errors"][0]["statusCode"]
    answer = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"allOrNone": True, "records": _records(good + bad, 9.0)},
    )
    assert {e["statusCode"] for a in answer[:3] for e in a["errors"]} == {
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    }
    assert sf_server.calls["collections"] == 2


def test_collections_take_at_most_200_records(salesforce_org):
    cells = changeable_cells(salesforce_org, limit=201)
    with pytest.raises(SalesforceMalformedRequest) as e:
        salesforce_org._sf.restful(
            "composite/sobjects",
            method="PATCH",
            json={"allOrNone": True, "records": _records(cells)},
        )
    assert e.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_composite_takes_at_most_5_collections_and_25_subrequests(salesforce_org):
    cells = changeable_cells(salesforce_org, limit=6)
    version = salesforce_org.api_version
    six = [_collection(version, _records([c])) for c in cells]
    for subrequests in (six, six * 5):
        with pytest.raises(SalesforceMalformedRequest) as e:
            salesforce_org._sf.restful(
                "composite",
                method="POST",
                json={"allOrNone": True, "compositeRequest": subrequests},
            )
        assert e.value.content[0]["errorCode"] == "LIMIT_EXCEEDED"


def test_requests_without_a_valid_token_are_refused(sf_server):
    answer = requests.get(
        f"{sf_server.url}/services/data/v67.0/limits",
        headers={"Authorization": "Bearer not-a-token"},
        verify=str(sf_server.ca_pem),
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]


def test_unknown_resources_are_404(salesforce_org):
    from simple_salesforce.exceptions import SalesforceResourceNotFound

    with pytest.raises(SalesforceResourceNotFound):
        salesforce_org._sf.restful("sobjects/NoSuchObject__c/describe")


def test_a_query_longer_than_the_uri_limit_is_refused(salesforce_org):
    from simple_salesforce import format_soql

    from sync.org.seam import OrgError

    ids = [f"0iQ{n:015d}" for n in range(1_000)]
    soql = format_soql("SELECT Id FROM AccountProductPeriodForecast WHERE Id IN {}", ids)
    with pytest.raises(OrgError) as e:
        list(salesforce_org.query(soql))
    assert "414" in str(e.value) or "URI" in str(e.value)
