"""Accounts and products as the files name them: an Id, the exact name, or (products) the
product code or SKU. A name two records share is refused: the file must use the Id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sync.org.seam import Org


@dataclass(frozen=True)
class Found:
    """What a name resolved to: the record's 18-character Id and its name, or why not."""

    id: str = ""
    name: str = ""
    problem: str = ""


class Directory:
    """One object's records by Id, 15-character Id, and name (or code), case-insensitive."""

    def __init__(self, label: str, records: list[tuple[str, list[str]]]) -> None:
        self.label = label
        self._by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.names: dict[str, str] = {}
        for record_id, names in records:
            self.names[record_id] = names[0]
            for key in (record_id, record_id[:15], *names):
                if key:
                    self._by_key[key.strip().casefold()].add((record_id, names[0]))

    def find(self, text: str) -> Found:
        matches = self._by_key.get(text.strip().casefold(), set())
        if len(matches) == 1:
            record_id, name = next(iter(matches))
            return Found(record_id, name)
        if matches:
            return Found(problem=f"{len(matches)} {self.label}s are called this")
        return Found(problem=f"no {self.label} in the org has this name or Id")


def accounts(org: Org) -> Directory:
    rows = org.query("SELECT Id, Name, Type FROM Account")
    return Directory("account", [(r["Id"], [r["Name"] or ""]) for r in rows])


def account_types(org: Org) -> dict[str, str]:
    """Account Id -> Type ("Distributor", ...)."""
    return {r["Id"]: r["Type"] or "" for r in org.query("SELECT Id, Type FROM Account")}


def products(org: Org) -> Directory:
    rows = org.query("SELECT Id, Name, ProductCode FROM Product2")
    return Directory(
        "product", [(r["Id"], [r["Name"] or "", r["ProductCode"] or ""]) for r in rows]
    )
