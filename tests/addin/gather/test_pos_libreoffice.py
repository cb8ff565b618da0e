"""A POS workbook filled in and saved by LibreOffice (as a distributor would), then imported:
typed numbers, a text typed into a number cell, a new part with a note; protection and the
hidden record survive LibreOffice's save."""

from __future__ import annotations

import openpyxl
import pytest
from gather_files import distributors, filled, last_month
from libreoffice import Office

from addin.gather.errors import RowsRefused
from addin.gather.pos import import_submissions
from sync.gather.pos import current_sales
from sync.pull.cells import org_today


@pytest.mark.libreoffice
def test_filled_in_libreoffice_then_imported(libreoffice: Office, org, tmp_path) -> None:
    if "salesforce" in repr(type(org)).lower():
        pytest.skip("one backend is enough for LibreOffice's file; the load is tested on both")
    (dist_id, name), *_ = distributors(org)
    template = filled(org, tmp_path, name, {}, name="template.xlsx")
    crosswalk = tmp_path / "pos" / "crosswalk.csv"
    edits = {
        "values": {"POS!C9": 120, "POS!D9": 5400.5, "POS!C10": 0},
        "texts": {"POS!C11": "about 40", "POS!A30": "NEW-77", "POS!E30": "sample kit"},
    }
    returned = libreoffice.edit(template, edits, out=tmp_path / "returned.xlsx")
    ws = openpyxl.load_workbook(returned)["POS"]
    assert ws.protection.sheet and not ws["C9"].protection.locked and ws["A9"].protection.locked

    def run(path):
        return import_submissions(org, [path], today=org_today(org), crosswalk=crosswalk)

    writes = org.calls.update
    with pytest.raises(RowsRefused, match=r"row 11, returned.xlsx Units sold \('about 40'\)"):
        run(returned)
    assert org.calls.update == writes

    libreoffice.edit(returned, {"values": {"POS!C11": 40, "POS!C30": 3}})
    (loaded,) = run(returned).loaded
    assert loaded.written == 4 and loaded.unmatched == 1
    month = last_month(org)
    got = {s.part: (s.quantity, s.revenue) for s in current_sales(org, month, month, [dist_id])}
    assert sorted(q for q, _ in got.values()) == [0, 3, 40, 120]
    assert (120, 5400.5) in got.values()
