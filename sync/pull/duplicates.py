"""Two org records for one account x product x period: found at pull, reported, and locked.

The grid has one cell per account x product x period; two forecast records behind it would be
collapsed into one silently (the grid shows one, a push would write one). ``lock_duplicates``
finds them (by account Id, product Id and period), locks every such cell with a reason saying
why, and returns one warning per cell for the pull to list: the rep sees the problem, and the
org's owner removes the extra record before the cell can be changed.
"""

from __future__ import annotations

import pandas as pd

DUPLICATE_REASON = "{n} forecast records in the org for this cell"


def lock_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with duplicated cells locked, and a warning per account x product x period."""
    if frame.empty:
        return frame, []
    keys = ["account_id", "product_id", "period_start"]
    counts = frame.groupby(keys, sort=False)["record_id"].transform("size")
    doubled = counts > 1
    if not doubled.any():
        return frame, []
    out = frame.copy()
    out.loc[doubled, "locked"] = True
    out.loc[doubled, "lock_reason"] = [DUPLICATE_REASON.format(n=n) for n in counts[doubled]]
    warnings = []
    for _, group in out[doubled].groupby(keys, sort=False):
        first = group.iloc[0]
        ids = ", ".join(str(v) for v in group["record_id"])
        warnings.append(
            f"{first['account_name']} / {first['product_name']}, "
            f"{pd.Timestamp(first['period_start']):%b %Y}: {len(group)} forecast records in the "
            f"org ({ids}) for one account x product x period. The cell is locked in the "
            "workbook; ask your Salesforce admin to remove the extra record, then pull again."
        )
    return out, warnings
