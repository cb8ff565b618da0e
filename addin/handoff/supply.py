"""``demandgrid import supply FILE``: the production commitment file -> ``SupplyCommitment__c``.

Every row is validated before any API call (``sync.handoff.supply.validate_supply``); one bad
row refuses the file with every problem listed by row and nothing sent. A second load of the
same file sends nothing (``sync.handoff.supply.load_supply``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from addin.handoff.files import read_rows, refuse_rows
from sync.handoff.supply import COLUMNS, SupplyLoad, load_supply, product_families, validate_supply
from sync.org.seam import Org


def import_supply(org: Org, path: Path, *, loaded_at: datetime | None = None) -> SupplyLoad:
    """Validate the supply file at ``path`` and load what differs from the org."""
    rows = read_rows(path, COLUMNS)
    commitments, problems = validate_supply(rows, product_families(org))
    refuse_rows(path, problems, "loaded")
    return load_supply(org, commitments, loaded_at=loaded_at)
