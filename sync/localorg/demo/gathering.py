"""Phase 1 in the demo org (issue 13 A): the sales agreements take their actuals from ERP
(``ActualsCalculationMode`` Manual), so ``demandgrid load actuals`` has a home for quantities.
The ERP extracts and distributor files themselves are written by ``addin.gather.demo``.
"""

from __future__ import annotations

import sqlite3


def agreements_take_erp_actuals(conn: sqlite3.Connection) -> None:
    """Every demo agreement computes its actuals manually (fed by the ERP load)."""
    conn.execute('UPDATE "SalesAgreement" SET "ActualsCalculationMode" = \'Manual\'')
