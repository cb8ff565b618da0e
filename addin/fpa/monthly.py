"""The Monthly sheet of an IBP workbook (a forecast set shown by quarter is shown by month too):
every scenario's revenue and volume per month, with target, from formulas only.

Plan base gets one more area: consensus, prior and target by product family x month (SUMIFS on
the table's ``Family month key``); the Monthly sheet applies each scenario's family factors to a
month's column of that area with SUMPRODUCT.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from addin.book.sheet_xml import column_letter as L
from addin.fpa.layout import MONTH_KEY, MONTHLY, PLAN_BASE, SCENARIOS, TABLE, Bucket, Keys
from addin.fpa.sheets import (
    BOLD,
    MONEY,
    NOT_IN_PRIOR,
    NOTE,
    RIGHT,
    TITLE,
    TOTAL_BORDER,
    define_name,
    heading_row,
    print_setup,
    prior_months_formula,
    text_cell,
)

MEASURES = ("Consensus qty", "Consensus revenue", "Prior qty", "Prior revenue", "Target revenue")


@dataclass(frozen=True)
class MonthlyBase:
    blocks: dict[str, tuple[int, int]]  # measure -> (first row, last row) on Plan base
    months: list[Bucket]
    prior_row: int = 0  # the Plan base row saying whether the prior plan covers each month

    def column(self, i: int) -> str:
        return L(5 + i)


def monthly_base(wb: Workbook, keys: Keys, months: list[Bucket], width: float = 14) -> MonthlyBase:
    """The family x month area at the foot of Plan base (``width``: its columns' width)."""
    ws = wb[PLAN_BASE]
    families = sorted(keys.families, key=keys.families.__getitem__)
    top = ws.max_row + 3
    ws.cell(top, 1, "By month").font = Font(bold=True, size=12)
    for i, m in enumerate(months):
        ws.cell(top + 1, 5 + i, m.number)
    ws.row_dimensions[top + 1].hidden = True
    heading_row(ws, top + 2, [m.label for m in months], start=5)
    ws.cell(top + 3, 1, "Months the prior plan covers").font = NOTE
    for i, m in enumerate(months):
        ws.column_dimensions[L(5 + i)].width = max(ws.column_dimensions[L(5 + i)].width, width)
        if m.months:
            cell = ws.cell(top + 3, 5 + i, prior_months_formula(m.months))
            cell.number_format, cell.font = "0", NOTE
    row = top + 4
    blocks = {}
    for measure in MEASURES:
        ws.cell(row, 1, measure).font = BOLD
        row += 1
        first = row
        for family in families:
            text_cell(ws, row, 2, family)
            ws.cell(row, 4, keys.families[family])
            for i in range(len(months)):
                col = L(5 + i)
                ws[f"{col}{row}"] = (
                    f"=SUMIFS({TABLE}[{measure}],{TABLE}[{MONTH_KEY}],"
                    f"$D{row}*1000000+{col}${top + 1})"
                )
                ws[f"{col}{row}"].number_format = MONEY
            row += 1
        blocks[measure] = (first, row - 1)
        row += 1
    return MonthlyBase(blocks, months, top + 3)


def monthly_sheet(wb: Workbook, base: MonthlyBase, width: float = 14) -> None:
    ws = wb.create_sheet(MONTHLY)
    ws["A1"], ws["A1"].font = "Scenarios by month", TITLE
    ws["A2"] = '="Revenue in "&drv_reporting_currency&", after each scenario\'s drivers."'
    ws["A2"].font = NOTE
    columns = [(s, "Revenue", "revenue_factor") for s in SCENARIOS]
    columns += [(s, "Volume", "volume_factor") for s in SCENARIOS]
    headings = [f"{s.name} {kind.lower()}" for s, kind, _ in columns]
    heading_row(ws, 4, ["Month", *headings[:4], "Target revenue", *headings[4:]])
    first = 5
    n = len(base.months)
    for i, month in enumerate(base.months):
        r = first + i
        text_cell(ws, r, 1, month.label)
        col = base.column(i)
        for j, (scenario, kind, factor) in enumerate(columns):
            measure = f"{'Prior' if scenario.prior_based else 'Consensus'} {'qty' if kind == 'Volume' else 'revenue'}"
            a, b = base.blocks[measure]
            c = 2 + j if j < 4 else 3 + j
            figure = f"SUMPRODUCT('{PLAN_BASE}'!{col}{a}:{col}{b},drv_{scenario.slug}_{factor})"
            if scenario.prior_based and base.prior_row and month.months:
                # a month the prior plan does not reach reads n/a, not a drop to 0
                covered = f"'{PLAN_BASE}'!{col}${base.prior_row}"
                figure = f'IF({covered}=0,"{NOT_IN_PRIOR}",{figure})'
            ws.cell(r, c, f"={figure}").alignment = RIGHT
        a, b = base.blocks["Target revenue"]
        ws.cell(r, 6, f"=SUMPRODUCT('{PLAN_BASE}'!{col}{a}:{col}{b},drv_committed_fx)")
    total = first + n
    ws.cell(total, 1, "Total").font = BOLD
    for c in range(2, 3 + len(columns)):
        letter = L(c)
        ws.cell(total, c, f"=SUM({letter}{first}:{letter}{total - 1})")
        ws.cell(total, c).font, ws.cell(total, c).border = BOLD, TOTAL_BORDER
        for r in range(first, total + 1):
            ws.cell(r, c).number_format = MONEY
        ws.column_dimensions[letter].width = width
        heading = ws.cell(4, c).value.lower().replace(" ", "_")
        define_name(wb, f"mon_{heading}", f"'{MONTHLY}'!${letter}${first}:${letter}${total}")
    ws.column_dimensions["A"].width = 12
    ws.freeze_panes = "B5"
    print_setup(ws)
