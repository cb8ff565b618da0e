"""An org without the Phase 1 objects (not deployed yet): pull works as before (no POS rows,
the header says so), and each gathering command says what to deploy, with nothing sent."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest
from conftest_checkpush import pull_review_file
from gather_files import extract, last_month

from addin.gather.actuals import load_actuals_file
from addin.gather.errors import GatherNotSetUp
from addin.gather.pos import coverage_report
from addin.review import layout
from sync.gather.writes import GATHER_OBJECTS
from sync.org.seam import QueryRefused
from sync.pull.cells import org_today


class WithoutPhase1:
    """The org, answering like Salesforce for a query on an object it does not have."""

    def __init__(self, org: Any) -> None:
        self._org = org

    def __getattr__(self, name: str) -> Any:
        return getattr(self._org, name)

    def query(self, soql: str):
        for name in GATHER_OBJECTS:
            if name in soql:
                raise QueryRefused(
                    f"Salesforce refused the query: sObject type '{name}' is not supported. "
                    "(INVALID_TYPE).",
                    "INVALID_TYPE",
                )
        return self._org.query(soql)


def test_pull_without_the_objects(org, tmp_path) -> None:
    path = pull_review_file(WithoutPhase1(org), tmp_path / "review.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.REVIEW]
    assert "not set up in this org" in ws["G4"].value
    kinds = {ws.cell(r, 5).value for r in range(9, ws.max_row + 1)}
    assert layout.POS not in kinds and layout.ADJUSTED in kinds


def test_commands_say_what_to_deploy(org, tmp_path) -> None:
    bare = WithoutPhase1(org)
    path, _ = extract(org, tmp_path)
    writes = org.calls.update
    with pytest.raises(GatherNotSetUp, match="Ask your Salesforce admin to deploy them"):
        load_actuals_file(bare, path, today=org_today(org))
    with pytest.raises(GatherNotSetUp, match="ErpActual__c, PosSale__c, DataLoad__c"):
        coverage_report(bare, last_month(org), org_today(org))
    assert org.calls.update == writes
