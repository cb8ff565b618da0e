"""The HTTPS test server answers raw HTTP the way the REST API developer guide says Salesforce
does, where a client other than simple-salesforce would notice: chunked request bodies, ``id`` or
``Id`` in sObject Collections, record URLs in the requested API version, 405 with the allowed
methods, JSON error bodies for unknown resources and versions, malformed JSON and server bugs,
``HEAD``, a record by Id, Collections of several object types (chunks), gzip request bodies, and
the guide's curl examples verbatim. (jsforce itself runs in ``test_salesforce_jsforce.py``.)"""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from conftest_push import changeable_cells
from simple_salesforce import format_soql as soql

from sync.localorg import LocalOrg
from sync.org.mapping import STANDARD

CELL = STANDARD.cell_object
ADJ = STANDARD.adjusted
V = "60.0"  # not the version the local org shapes its records in (67.0)


@pytest.fixture
def api(sf_server):
    """A raw HTTP client: ``api(method, path, **kwargs)`` under ``/services/data/v60.0``."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sf_server.issue_access_token()}"

    def call(method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("/services") else f"/services/data/v{V}{path}"
        kwargs.setdefault("verify", str(sf_server.ca_pem))  # over REQUESTS_CA_BUNDLE
        return session.request(method, f"{sf_server.url}{url}", timeout=10, **kwargs)

    yield call
    assert sf_server.internal_errors == []


@pytest.fixture
def cells(org_file):
    return changeable_cells(LocalOrg(org_file), limit=3)


def _held(org_file, ids):
    org = LocalOrg(org_file)
    return {
        r["Id"]: r[ADJ]
        for r in org.query(soql("SELECT Id, {:literal} FROM {:literal}", ADJ, CELL))
        if r["Id"] in ids
    }


def _error(answer: requests.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert body[0]["errorCode"] == code and body[0]["message"], body
    return body[0]


def test_a_chunked_collections_body_is_read(api, cells, org_file):
    payload = {
        "allOrNone": True,
        "records": [{"attributes": {"type": CELL}, "id": c["Id"], ADJ: 21.0} for c in cells],
    }
    raw = json.dumps(payload).encode()
    parts = (raw[i : i + 37] for i in range(0, len(raw), 37))  # a generator: sent chunked
    answer = api(
        "PATCH", "/composite/sobjects", data=parts, headers={"Content-Type": "application/json"}
    )
    assert answer.request.headers.get("Transfer-Encoding") == "chunked"
    assert answer.status_code == 200, answer.text
    assert [a["success"] for a in answer.json()] == [True] * len(cells)
    assert set(_held(org_file, {c["Id"] for c in cells}).values()) == {21.0}


@pytest.mark.parametrize("key", ["id", "Id", "ID"])
def test_collections_take_id_in_any_case(api, cells, org_file, key):
    records = [{"attributes": {"type": CELL}, key: c["Id"], ADJ: 5.0} for c in cells]
    answer = api("PATCH", "/composite/sobjects", json={"allOrNone": True, "records": records})
    assert answer.status_code == 200, answer.text
    assert [(a["id"], a["success"], a["errors"]) for a in answer.json()] == [
        (c["Id"], True, []) for c in cells
    ]
    assert set(_held(org_file, {c["Id"] for c in cells}).values()) == {5.0}


def test_a_collections_record_without_id_fails_alone(api, cells):
    records = [{"attributes": {"type": CELL}, "id": cells[0]["Id"], ADJ: 6.0}]
    records.append({"attributes": {"type": CELL}, ADJ: 6.0})
    answer = api("PATCH", "/composite/sobjects", json={"allOrNone": False, "records": records})
    first, second = answer.json()
    assert first["success"] and not second["success"]
    assert second["errors"][0]["statusCode"] == "MISSING_ARGUMENT"


def test_record_urls_name_the_requested_version(api, cells):
    answer = api(
        "GET",
        "/query",
        params={"q": soql("SELECT Id, AccountProductForecast.Name FROM {:literal} LIMIT 3", CELL)},
    )
    records = answer.json()["records"]
    assert records
    for rec in records:
        assert rec["attributes"]["url"] == f"/services/data/v{V}/sobjects/{CELL}/{rec['Id']}"
        parent = rec["AccountProductForecast"]["attributes"]["url"]
        assert parent.startswith(f"/services/data/v{V}/sobjects/AccountProductForecast/")
    one = api("GET", f"/sobjects/{CELL}/{cells[0]['Id']}", params={"fields": ADJ})
    assert one.status_code == 200, one.text
    assert (
        one.json()["attributes"]["url"] == f"/services/data/v{V}/sobjects/{CELL}/{cells[0]['Id']}"
    )
    assert one.json()[ADJ] is None


def test_a_wrong_method_is_405_naming_the_allowed_ones(api, cells):
    answer = api("PUT", f"/sobjects/{CELL}/{cells[0]['Id']}", json={ADJ: 1.0})
    error = _error(answer, 405, "METHOD_NOT_ALLOWED")
    assert error["message"] == "HTTP Method 'PUT' not allowed. Allowed are GET,HEAD,PATCH"
    assert answer.headers["Allow"] == "GET, HEAD, PATCH"
    for method, path in [("DELETE", "/limits"), ("POST", "/query"), ("GET", "/composite/sobjects")]:
        _error(api(method, path), 405, "METHOD_NOT_ALLOWED")


def test_unknown_resources_and_versions_are_404_with_a_json_body(api, sf_server):
    _error(api("GET", "/no/such/resource"), 404, "NOT_FOUND")
    _error(api("GET", "/sobjects/NoSuchObject__c/describe"), 404, "NOT_FOUND")
    _error(api("GET", "/services/data/v12.0/limits"), 404, "NOT_FOUND")
    _error(api("GET", "/services/elsewhere"), 404, "NOT_FOUND")
    _error(api("GET", "/sobjects/Organization/00D000000000000AAA"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"allOrNone": true, "records": [}', b"\xff\xfe", b"not json", b'{"records": 5}'],
)
def test_a_malformed_json_body_is_a_json_parser_error(api, raw):
    answer = api(
        "PATCH", "/composite/sobjects", data=raw, headers={"Content-Type": "application/json"}
    )
    error = _error(answer, 400, "JSON_PARSER_ERROR")
    if raw.startswith(b"{") and raw != b'{"records": 5}':
        assert "[line:1, column:" in error["message"]


def test_a_bad_field_in_a_query_is_a_400_with_salesforce_s_shape(api):
    answer = api(
        "GET", "/query", params={"q": soql("SELECT Id, NoSuchField__c FROM {:literal}", CELL)}
    )
    error = _error(answer, 400, "INVALID_FIELD")
    assert "NoSuchField__c" in error["message"]


def test_a_query_without_a_query_string_is_malformed(api):
    for params in ({}, {"q": ""}):
        error = _error(api("GET", "/query", params=params), 400, "MALFORMED_QUERY")
        assert error["message"] == "A query string has to be specified"


def test_an_invalid_session_is_a_401_json_body_without_usage(api):
    # As a real org answers (jsforce/jsforce#1301 shows one): JSON, and no Sforce-Limit-Info.
    answer = api("GET", "/limits", headers={"Authorization": "Bearer nope"})
    _error(answer, 401, "INVALID_SESSION_ID")
    assert "Sforce-Limit-Info" not in answer.headers


def test_head_answers_headers_without_a_body(api):
    answer = api("HEAD", "/limits")
    assert answer.status_code == 200 and answer.content == b""
    assert int(answer.headers["Content-Length"]) > 0
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_a_server_bug_is_a_500_with_a_json_body(api, sf_server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(sf_server, "_describe", broken)
    _error(api("GET", f"/sobjects/{CELL}/describe"), 500, "UNKNOWN_EXCEPTION")
    assert "RuntimeError: bug" in sf_server.internal_errors.pop()


# ---------------------------------------------------------------- the guide's own examples


def _account_ids(org_file, n):
    org = LocalOrg(org_file)
    return [
        r["Id"]
        for r in org.query(soql("SELECT Id FROM Account ORDER BY Id LIMIT {:literal}", str(n)))
    ]


def test_collections_of_several_types_run_as_chunks(api, cells, org_file):
    """The guide's update example: Account and another type in one request, allOrNone false."""
    accounts = _account_ids(org_file, 2)
    records = [
        {"attributes": {"type": "Account"}, "id": accounts[0], "Industry": "Chemicals"},
        {"attributes": {"type": CELL}, "id": cells[0]["Id"], ADJ: 8.0},
        {"attributes": {"type": "Account"}, "id": accounts[1], "Industry": "Chemicals"},
    ]
    answer = api("PATCH", "/composite/sobjects", json={"allOrNone": False, "records": records})
    assert answer.status_code == 200, answer.text
    assert [(a["id"], a["success"]) for a in answer.json()] == [
        (accounts[0], True),
        (cells[0]["Id"], True),
        (accounts[1], True),
    ]
    org = LocalOrg(org_file)
    industries = soql("SELECT Industry FROM Account WHERE Id IN {}", accounts)
    assert {r["Industry"] for r in org.query(industries)} == {"Chemicals"}
    assert _held(org_file, {cells[0]["Id"]}) == {cells[0]["Id"]: 8.0}


def test_more_than_ten_chunks_are_refused(api, cells, org_file):
    accounts = _account_ids(org_file, 6)
    records = []
    for account, cell in zip(accounts, cells * 2, strict=False):
        records.append({"attributes": {"type": "Account"}, "id": account, "Industry": "Chemicals"})
        records.append({"attributes": {"type": CELL}, "id": cell["Id"], ADJ: 2.0})
    answer = api("PATCH", "/composite/sobjects", json={"allOrNone": False, "records": records})
    _error(answer, 400, "EXCEEDED_MAX_TYPES_LIMIT")


def test_a_gzip_request_body_is_read(api, cells, org_file):
    body = {
        "allOrNone": True,
        "records": [{"attributes": {"type": CELL}, "id": cells[1]["Id"], ADJ: 9.0}],
    }
    raw = gzip.compress(json.dumps(body).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    answer = api("PATCH", "/composite/sobjects", data=raw, headers=headers)
    assert answer.status_code == 200 and answer.json()[0]["success"], answer.text
    assert _held(org_file, {cells[1]["Id"]}) == {cells[1]["Id"]: 9.0}


def test_the_guide_s_curl_requests_verbatim(sf_server):
    """``curl https://MyDomainName.my.salesforce.com/services/data/v66.0/query/?q=SELECT+name+from+Account
    -H "Authorization: Bearer token"``, the limits one with ``X-PrettyPrint:1``, and the
    resources of a version, sent byte for byte with ``http.client``."""
    import http.client
    import ssl

    token = sf_server.issue_access_token()
    context = ssl.create_default_context(cafile=str(sf_server.ca_pem))
    host, port = sf_server.url.removeprefix("https://").split(":")
    answers = {}
    for path in (
        "/services/data/v66.0/query/?q=SELECT+name+from+Account",
        "/services/data/v66.0/limits/",
        "/services/data/v66.0/",
    ):
        conn = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
        conn.request(
            "GET", path, headers={"Authorization": f"Bearer {token}", "X-PrettyPrint": "1"}
        )
        response = conn.getresponse()
        assert response.status == 200, response.read()
        assert response.getheader("Sforce-Limit-Info", "").startswith("api-usage=")
        answers[path] = json.loads(response.read())
        conn.close()
    query = answers["/services/data/v66.0/query/?q=SELECT+name+from+Account"]
    assert query["done"] is True and query["totalSize"] == len(query["records"]) > 0
    assert set(query["records"][0]) == {"attributes", "Name"}
    assert query["records"][0]["attributes"]["url"].startswith(
        "/services/data/v66.0/sobjects/Account/"
    )
    assert set(answers["/services/data/v66.0/limits/"]["DailyApiRequests"]) >= {"Max", "Remaining"}
    assert answers["/services/data/v66.0/"]["query"] == "/services/data/v66.0/query"
