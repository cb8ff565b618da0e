"""``demandgrid load actuals FILE``: an ERP extract (CSV or .xlsx) read, checked row by row,
compared with the org and loaded, with a reconciliation report (ERP vs org by account and month).

Nothing is sent when any row is refused, unless ``skip_refused`` (then the refused rows are
listed and left out). A second load of the same file sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from addin.gather.config import actuals_columns
from addin.gather.errors import SHOWN, RowsRefused, objects_required
from addin.gather.files import CellRefused, as_month, as_number, as_text, find_columns, read_table
from addin.gather.sheets import write_tables
from sync.gather.actuals import (
    ActualsLoaded,
    ActualsPlan,
    ErpRow,
    load_actuals,
    plan_actuals,
    reconcile,
)
from sync.gather.refusals import Refusal
from sync.org.seam import Org


@dataclass(frozen=True)
class ActualsFileLoad:
    path: Path
    plan: ActualsPlan
    loaded: ActualsLoaded | None  # None for a dry run
    report: Path | None
    reconciliation: pd.DataFrame


def read_erp_rows(path: Path, columns: dict[str, str]) -> tuple[list[ErpRow], list[Refusal]]:
    """The file's rows as ERP rows, and a refusal for every cell that is not usable."""
    headings, rows = read_table(path)
    find_columns(path, headings, columns, optional=("revenue",))
    key = {role: heading.casefold() for role, heading in columns.items()}
    out: list[ErpRow] = []
    refusals: list[Refusal] = []
    for r in rows:
        before = len(refusals)
        values: dict[str, object] = {}
        for role, parse in (
            ("account", as_text),
            ("product", as_text),
            ("month", as_month),
            ("quantity", as_number),
            ("revenue", lambda v: as_number(v, required=False)),
        ):
            raw = r.cells.get(key[role])
            try:
                values[role] = parse(raw)
                if role in ("account", "product") and not values[role]:
                    raise CellRefused("empty", f"Type the {role}'s name or Id.")
            except CellRefused as e:
                shown = "" if raw is None else str(raw)[:40]
                refusals.append(Refusal(r.row, columns[role], shown, str(e), e.fix))
        if len(refusals) == before:
            out.append(
                ErpRow(
                    r.row,
                    values["account"],  # type: ignore[arg-type]
                    values["product"],  # type: ignore[arg-type]
                    values["month"],  # type: ignore[arg-type]
                    values["quantity"],  # type: ignore[arg-type]
                    values["revenue"],  # type: ignore[arg-type]
                )
            )
    return out, refusals


@objects_required()
def load_actuals_file(
    org: Org,
    path: Path,
    *,
    today: date,
    report: Path | None = None,
    dry_run: bool = False,
    skip_refused: bool = False,
    config: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ActualsFileLoad:
    """Read, check, compare and (unless ``dry_run``) load an ERP extract; write the report."""
    say = progress or (lambda _: None)
    say(f"Reading {path}")
    rows, refusals = read_erp_rows(path, actuals_columns(path, config))
    say(f"Checking {len(rows):,} rows against the org")
    plan = plan_actuals(org, rows, today=today, source_file=path.name)
    plan.refusals[:0] = refusals
    plan.rows += len({r.row for r in refusals})
    if plan.refusals and not (skip_refused or dry_run):
        raise RowsRefused(str(path), plan.refusals, rows=plan.rows)
    loaded = None
    if not dry_run:
        loaded = load_actuals(
            org, plan, source_file=path.name, skip_refused=skip_refused, progress=say
        )
    say("Reconciling ERP with the org")
    table = reconcile(org, plan)
    if report is not None:
        write_report(report, table, plan.refusals)
    return ActualsFileLoad(path, plan, loaded, report, table)


REPORT_HEADINGS = {
    "account_name": "Account",
    "period_start": "Month",
    "status": "Status",
    "erp_qty": "ERP quantity",
    "orders_qty": "Orders in org",
    "difference": "ERP - orders",
    "loaded_qty": "Loaded in org",
    "agreement_qty": "Agreement actuals",
    "erp_rev": "ERP revenue",
    "account_id": "Account Id",
}


def write_report(path: Path, table: pd.DataFrame, refusals: list[Refusal]) -> Path:
    """The reconciliation as CSV, or as .xlsx with a Refused sheet beside it."""
    shown = table.loc[:, list(REPORT_HEADINGS)]
    rows = [
        [f"{v:%Y-%m}" if isinstance(v, date) else _plain(v) for v in record]
        for record in shown.itertuples(index=False)
    ]
    refused = [[r.row, r.column, r.value, r.problem, r.fix] for r in sorted(refusals)]
    return write_tables(
        path,
        {
            "Reconciliation": (list(REPORT_HEADINGS.values()), rows),
            "Refused": (["Row", "Column", "Value", "Problem", "Fix"], refused),
        },
    )


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (openpyxl and csv write those)."""
    return value.item() if hasattr(value, "item") else value


def summary_lines(done: ActualsFileLoad) -> list[str]:
    """What a person reads after a load: what was sent, what was left out, what differs."""
    plan, loaded, table = done.plan, done.loaded, done.reconciliation
    lines: list[str] = []
    if loaded is None:
        lines.append(
            f"Dry run: {plan.rows:,} row{'' if plan.rows == 1 else 's'}; would write {len(plan.actuals):,} ERP actuals and "
            f"{len(plan.schedules):,} agreement schedules in {plan.calls} calls; "
            f"{plan.unchanged:,} already in the org."
        )
    elif loaded.calls == 0:
        lines.append(
            f"Nothing to send: the org already holds all {loaded.unchanged:,} rows of {done.path.name}."
        )
    else:
        lines.append(
            f"Loaded {done.path.name}: {loaded.written:,} ERP actuals written, "
            f"{loaded.schedules:,} agreement schedules updated, {loaded.unchanged:,} unchanged, "
            f"in {loaded.calls} write calls."
        )
    if plan.refusals:
        refused = len({r.row for r in plan.refusals})
        what = (
            "refused (a load sends nothing until they are fixed)"
            if loaded is None
            else ("refused and left out")
        )
        lines.append(f"{refused:,} row{'' if refused == 1 else 's'} {what}:")
        lines += [f"  {r}" for r in sorted(plan.refusals)[:SHOWN]]
        if len(plan.refusals) > SHOWN:
            lines.append(f"  ... and {len(plan.refusals) - SHOWN:,} more (see the report).")
    if len(table):
        differs = table[table["status"] != "matches orders"]
        lines.append(
            f"Reconciliation: {len(table):,} account-months; {len(table) - len(differs):,} "
            f"match the org's orders, {len(differs):,} differ "
            f"(ERP {table['erp_qty'].sum():,.0f} vs orders {table['orders_qty'].sum():,.0f} units)."
        )
        for r in (
            differs.reindex(differs["difference"].abs().sort_values(ascending=False).index)
            .head(5)
            .itertuples()
        ):
            lines.append(
                f"  {r.account_name}, {r.period_start:%Y-%m}: ERP {r.erp_qty:,.0f}, "
                f"orders {r.orders_qty:,.0f} ({r.difference:+,.0f})"
            )
    if done.report is not None:
        lines.append(f"Report: {done.report}")
    return lines
