"""The test server's fidelity, proven by a client this project did not write: jsforce under Node
(``tests/jsclient``; ``npm ci`` there, as ``make test`` and ``.ci/run`` do) signs in with a token
the server issued (and refreshes an expired one), pages a query with ``queryMore``, describes, updates through sObject
Collections all-or-none, retrieves, reads ``/limits`` and the ``Sforce-Limit-Info`` header, and
meets Salesforce's error shapes. Skipped only where Node or the install is missing, and never in
CI (``CI=true`` or ``DEMANDGRID_REQUIRE_JSCLIENT=1`` turn that skip into a failure)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest_push import changeable_cells, past_cells
from simple_salesforce import format_soql

from sync.localorg import LocalOrg
from sync.org.mapping import STANDARD

JSCLIENT = Path(__file__).resolve().parents[2] / "jsclient"
CELL = STANDARD.cell_object
ADJ = STANDARD.adjusted
VERSION = "62.0"  # the client's own choice, not the server's default


def _required() -> bool:
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("DEMANDGRID_REQUIRE_JSCLIENT") == "1"
    )


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "Node.js (node) is not installed"
    elif not (JSCLIENT / "node_modules" / "jsforce").is_dir():
        missing = "jsforce is not installed: run `npm ci` in tests/jsclient (make test does)"
    if missing:
        if _required():
            pytest.fail(f"{missing}, and CI forbids skipping the independent-client test.")
        pytest.skip(missing)
    assert node is not None
    return node


def test_jsforce_reads_pages_describes_updates_and_meets_errors(node, sf_server, org_file):
    local = LocalOrg(org_file)
    ids = [c["Id"] for c in changeable_cells(local, limit=3)]
    past = past_cells(local, limit=1)[0]["Id"]
    config = {
        "instanceUrl": sf_server.url,
        "accessToken": sf_server.issue_access_token(),
        "version": VERSION,
        "object": CELL,
        "field": ADJ,
        "pagedSoql": format_soql("SELECT Id FROM {:literal} ORDER BY Id LIMIT 450", CELL),
        "badSoql": format_soql("SELECT Id, NoSuchField__c FROM {:literal}", CELL),
        "ids": ids,
        "pastId": past,
        "value": 17,
        "clientId": sf_server.client_id,
        "refreshToken": sf_server.issue_refresh_token(),
    }
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(sf_server.ca_pem)}
    run = subprocess.run(
        [node, str(JSCLIENT / "client.js")],
        input=json.dumps(config),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)

    query = seen["query"]
    assert query["totalSize"] == 450 and query["pageSizes"] == [200, 200, 50]
    assert len(set(query["ids"])) == 450
    expected = [r["Id"] for r in local.query(config["pagedSoql"])]
    assert query["ids"] == expected
    assert all(f"/services/data/v{VERSION}/query/" in u for u in query["nextRecordsUrls"][:2])
    assert query["nextRecordsUrls"][2] is None
    assert all(u.startswith(f"/services/data/v{VERSION}/sobjects/{CELL}/") for u in query["urls"])

    assert seen["describe"] == {"name": CELL, "fieldType": "double", "fieldUpdateable": True}

    assert seen["update"] == [{"id": i, "success": True, "errors": []} for i in ids]
    rolled = seen["rolledBack"]
    assert [r["success"] for r in rolled] == [False] * 4
    assert {e["statusCode"] for r in rolled[:3] for e in r["errors"]} == {
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    }
    assert rolled[3]["errors"][0]["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"
    held = {
        r["Id"]: r[ADJ]
        for r in local.query(
            format_soql("SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}", ADJ, CELL, ids)
        )
    }
    assert held == dict.fromkeys(
        ids, 17.0
    )  # written once, and the rolled-back call changed nothing

    assert seen["retrieved"] == {
        "id": ids[0],
        "value": 17,
        "url": f"/services/data/v{VERSION}/sobjects/{CELL}/{ids[0]}",
    }

    limits, info = seen["limits"], seen["limitInfo"]["apiUsage"]
    assert info["limit"] == limits["Max"]
    assert info["used"] == limits["Max"] - limits["Remaining"]  # the header of the /limits answer

    error = seen["error"]
    assert error["errorCode"] == "INVALID_FIELD" and "NoSuchField__c" in error["message"]
    assert seen["wrongMethod"]["errorCode"] == "METHOD_NOT_ALLOWED"
    assert "Allowed are GET,HEAD,PATCH" in seen["wrongMethod"]["message"]
    assert seen["refresh"] == {"refreshes": 1, "max": limits["Max"]}
    assert sf_server.calls["token"] == 1  # one refresh_token grant
    assert sf_server.internal_errors == []
