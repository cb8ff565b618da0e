"""Summary totals are keyed by record (account Id; family value exactly), not by name: names
that differ only in case, or are equal for two accounts, are not summed together."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest_checkpush import small_cells
from libreoffice import Office
from openpyxl.utils.cell import get_column_letter, range_boundaries

from addin.review import layout
from addin.review.writer import write_workbook


def _cells_with_lookalike_names():  # type: ignore[no-untyped-def]
    """small_cells with 4 accounts: 'Acme Corp', 'ACME CORP', and two different 'Beta Ltd';
    families 'Fluid' and 'fluid'."""
    cells = small_cells()
    frame = cells.frame
    first = frame["account_name"] == "Acme Corp"
    frame.loc[~first, "account_name"] = "ACME CORP"
    extra = frame.copy()
    extra["account_name"] = "Beta Ltd"
    extra["account_id"] = extra["account_id"].str.replace("001", "002", n=1)  # two Ids
    extra["row_key"] = extra["row_key"].str.replace("0AP", "0AQ", n=1)
    extra["record_id"] = extra["record_id"].str.replace("0AZ", "0AY", n=1)
    frame = pd.concat([frame, extra], ignore_index=True)
    frame.loc[frame["product_name"] == "Valves", "product_family"] = "fluid"
    cells.frame = frame
    return cells


def _summary(path: Path, office: Office, anchor: str, rows: int) -> dict[str, float]:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[anchor].destinations))
    col, top, _, _ = range_boundaries(ref.replace("$", ""))
    names = [wb[sheet].cell(top + 1 + i, col).value for i in range(rows)]
    adjusted = [f"{sheet}!{get_column_letter(col + 1)}{top + 1 + i}" for i in range(rows)]
    live = office.read(path, adjusted)
    return {n: live[a]["value"] for n, a in zip(names, adjusted, strict=True)}


@pytest.mark.libreoffice
def test_lookalike_names_are_totalled_apart(libreoffice: Office, tmp_path: Path) -> None:
    cells = _cells_with_lookalike_names()
    path = write_workbook(cells, tmp_path / "review.xlsx")
    frame = cells.frame
    start = frame["adjusted"].fillna(frame["baseline"])

    by_account = _summary(path, libreoffice, layout.N_SUMMARY_ACCOUNT, 5)
    expected = start.groupby(frame["account_id"]).sum()
    names = frame.drop_duplicates("account_id").set_index("account_id")["account_name"]
    assert len(by_account) == 5 and "Total" in by_account  # 4 accounts and the total
    for account_id, total in expected.items():
        name = names[account_id]
        label = name if name != "Beta Ltd" else f"{name} ({account_id})"
        assert by_account[label] == pytest.approx(total), label

    by_family = _summary(path, libreoffice, layout.N_SUMMARY_FAMILY, 3)
    for family, total in start.groupby(frame["product_family"]).sum().items():
        assert by_family[family] == pytest.approx(total), family
