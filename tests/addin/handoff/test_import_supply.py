"""``import supply``: the production commitment loaded into SupplyCommitment__c, validated row by
row before any API call, idempotent, and read back by ``read_supply`` (both backends)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.handoff.files import FileRefused
from addin.handoff.supply import import_supply
from sync.handoff.supply import product_families, read_supply


def write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["product_family", "month", "quantity", "plan_id"], *rows])
    return path


def families(org) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(product_families(org))


def test_supply_loads_once_and_reads_back(org, tmp_path: Path) -> None:
    a, b = families(org)[:2]
    path = write(
        tmp_path / "supply.csv",
        [
            [a, "2027-01", 1200, "SUP-1"],
            [a, "2027-02", "1,250.5", "SUP-1"],
            [b, "2027-01", 0, "SUP-1"],
        ],
    )
    first = import_supply(org, path)
    assert (first.created, first.updated, first.unchanged, first.calls) == (3, 0, 0, 1)
    updates = org.calls.update
    again = import_supply(org, path)
    assert (again.created, again.updated, again.unchanged, again.calls) == (0, 0, 3, 0)
    assert org.calls.update == updates  # a second identical load sends nothing

    frame = read_supply(org)
    assert list(frame.columns) == ["product_family", "period_start", "quantity", "plan_id"]
    assert frame.to_dict("records") == [
        {
            "product_family": a,
            "period_start": date(2027, 1, 1),
            "quantity": 1200.0,
            "plan_id": "SUP-1",
        },
        {
            "product_family": a,
            "period_start": date(2027, 2, 1),
            "quantity": 1250.5,
            "plan_id": "SUP-1",
        },
        {
            "product_family": b,
            "period_start": date(2027, 1, 1),
            "quantity": 0.0,
            "plan_id": "SUP-1",
        },
    ]

    changed = write(tmp_path / "supply2.csv", [[a, "2027-01", 1100, "SUP-2"]])
    third = import_supply(org, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    assert read_supply(org)["quantity"].tolist()[0] == 1100.0


def test_xlsx_supply_file_loads(org, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Product family", "Month", "Quantity", "Plan id"])
    ws.append([families(org)[0], date(2027, 3, 1), 900, "SUP-X"])
    wb.save(tmp_path / "supply.xlsx")
    assert import_supply(org, tmp_path / "supply.xlsx").created == 1


def test_bad_rows_are_listed_and_nothing_sent(org, tmp_path: Path) -> None:
    a = families(org)[0]
    path = write(
        tmp_path / "bad.csv",
        [
            [a, "2027-01", 10, "SUP-1"],
            ["Hovercraft", "2027-01", 10, "SUP-1"],
            [a, "Jan 2027", 10, "SUP-1"],
            [a, "2027-02", -5, "SUP-1"],
            [a, "2027-03", "lots", ""],
            [a, "2027-01", 12, "SUP-1"],
        ],
    )
    with pytest.raises(FileRefused) as refused:
        import_supply(org, path)
    message = str(refused.value)
    for expected in (
        "row 3, product_family 'Hovercraft': not a product family",
        "row 4, month 'Jan 2027': write the month as YYYY-MM",
        "row 5, quantity '-5'",
        "row 6, quantity 'lots'",
        "row 6, plan_id (empty)",
        "is already on row 2",
        "Nothing was sent",
    ):
        assert expected in message
    assert org.calls.update == 0 and read_supply(org).empty


def test_missing_column_is_refused(org, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("family,month,quantity\nX,2027-01,1\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="no column product_family, plan_id"):
        import_supply(org, path)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        (
            "latin.csv",
            "product_family,month,quantity,plan_id\nBéarings,2027-01,1,P\n".encode("latin-1"),
            "cannot be read",
        ),
        ("empty.csv", b"", "is empty"),
        ("supply.txt", b"x", "give a .csv or .xlsx file"),
        ("fake.xlsx", b"not a zip", "cannot be read"),
    ],
)
def test_unreadable_files_are_refused(
    org, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=expected):
        import_supply(org, path)
    assert org.calls.update == 0


def test_read_supply_without_the_object_is_empty() -> None:
    """An org whose admin has not deployed SupplyCommitment__c: nothing loaded, not an error."""
    from sync.org.seam import QueryRefused

    class NoObject:
        def query(self, soql: str):  # type: ignore[no-untyped-def]
            raise QueryRefused(
                "sObject type 'SupplyCommitment__c' is not supported.", "INVALID_TYPE"
            )

    frame = read_supply(NoObject())  # type: ignore[arg-type]
    assert frame.empty and list(frame.columns) == [
        "product_family",
        "period_start",
        "quantity",
        "plan_id",
    ]
