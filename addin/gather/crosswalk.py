"""The distributors' part-number crosswalk, a CSV file the planner keeps (``[pos] crosswalk``
in ``demandgrid.toml``): ``distributor, part, product`` (account name or Id, the distributor's
part number, our product code, name or Id). A crosswalk row that does not resolve is refused
with its row number, so a template never lists a part that cannot load.
"""

from __future__ import annotations

from pathlib import Path

from addin.gather.errors import GatherFileRefused
from addin.gather.files import as_text, find_columns, read_table
from sync.gather import lookup
from sync.gather.pos import Crosswalk, CrosswalkEntry, part_key
from sync.org.seam import Org

COLUMNS = {"distributor": "distributor", "part": "part", "product": "product"}


def read_crosswalk(org: Org, path: Path) -> Crosswalk:
    headings, rows = read_table(path)
    find_columns(path, headings, COLUMNS)
    accounts, products = lookup.accounts(org), lookup.products(org)
    entries: list[CrosswalkEntry] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        distributor = accounts.find(as_text(r.cells.get("distributor")))
        product = products.find(as_text(r.cells.get("product")))
        part = as_text(r.cells.get("part"))
        if distributor.problem or product.problem or not part:
            why = distributor.problem or product.problem or "no part number"
            problems.append(f"row {r.row}: {why}")
            continue
        key = (distributor.id, part_key(part))
        if key in seen:
            problems.append(f"row {r.row}: the same distributor and part as row {seen[key]}")
            continue
        seen[key] = r.row
        entries.append(CrosswalkEntry(distributor.id, part, product.id, product.name))
    if problems:
        listed = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise GatherFileRefused(
            f"{path}: {len(problems)} crosswalk rows do not resolve ({listed}). "
            "Use account and product names as Salesforce shows them (or their Ids)."
        )
    return Crosswalk(entries)


def crosswalk_file(given: Path | None, configured: Path | None) -> Path:
    path = given or configured
    if path is None:
        raise GatherFileRefused(
            "No part-number crosswalk: pass --crosswalk FILE, or set [pos] crosswalk in "
            "demandgrid.toml (a CSV with columns distributor, part, product)."
        )
    return path
