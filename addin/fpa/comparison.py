"""The Comparison sheet of the FP&A workbook: the scenarios side by side by period, against
target and the prior plan, with gaps and percentages, and a chart. Formulas only: it reads the
scenario sheets' total rows and Plan base's target rows (``addin.fpa.sheets``).
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break

from addin.book.sheet_xml import column_letter as L
from addin.fpa.layout import COMPARISON, PLAN_BASE, SCENARIOS
from addin.fpa.sheets import (
    BOLD,
    MONEY,
    NOT_IN_PRIOR,
    NOTE,
    PCT,
    RIGHT,
    TITLE,
    TOTAL_BORDER,
    SheetPlan,
    define_name,
    heading_row,
    print_setup,
    text_width,
)

PRIOR_NOTE = (
    "n/a: the prior plan does not cover every month of that period, so it is not compared. "
    "The Total row's prior-plan variance sums only the periods both plans cover."
)
PRIOR = SCENARIOS[3]  # column E: the scenarios fill B to E in SCENARIOS order

COMPARE_HEADINGS = [
    "Committed",
    "Upside",
    "Downside",
    "Prior plan",
    "Target",
    "Committed vs target",
    "Committed vs target %",
    "Committed vs prior plan",
    "Committed vs prior %",
    "Upside vs target",
    "Downside vs target",
]


def comparison(
    wb: Workbook, plan: SheetPlan, layout: dict[str, dict[str, tuple[int, int]]]
) -> None:
    ws = wb.create_sheet(COMPARISON, 0)
    ws["A1"], ws["A1"].font = "Scenario comparison", TITLE
    ws["A2"] = (
        '="Committed, upside and downside against target and the prior plan. Revenue in "&drv_reporting_currency&"."'
    )
    ws["A2"].font = NOTE
    labels = [b.label for b in plan.buckets]
    n_b = len(labels)
    sheet_cols = [L(3 + i) for i in range(n_b)] + [L(3 + n_b)]  # buckets, then Total
    base_cols = plan.bucket_columns + [L(5 + n_b)]
    row = 4
    tables: dict[str, int] = {}
    for title, block, target, weight in (
        ("Revenue by quarter", "Revenue by product family", "Target revenue", "drv_committed_fx"),
        ("Volume by quarter", "Volume by product family", "Target qty", None),
    ):
        title = (
            title
            if plan.buckets and plan.buckets[0].number < 100000
            else title.replace("quarter", "month")
        )
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        heading_row(ws, row + 1, ["Period"] + COMPARE_HEADINGS)
        first = row + 2
        last = first + n_b - 1
        tables[title] = first
        t = plan.blocks[target]
        for i, (label, col, base) in enumerate(
            zip([*labels, "Total"], sheet_cols, base_cols, strict=True)
        ):
            r = first + i
            ws.cell(r, 1, label).font = BOLD if label == "Total" else Font()
            for j, scenario in enumerate(SCENARIOS):
                total_row = layout[scenario.name][block][1]
                ws.cell(r, 2 + j, f"='{scenario.name}'!{col}{total_row}")
            rng = f"'{PLAN_BASE}'!{base}{t.first}:{base}{t.last}"
            ws.cell(r, 6, f"=SUMPRODUCT({rng},{weight})" if weight else f"=SUM({rng})")
            ws.cell(r, 7, f"=B{r}-F{r}")
            ws.cell(r, 8, f'=IF(F{r}=0,"",G{r}/F{r})')
            months = len(plan.buckets[i].months) if label != "Total" else 0
            if months:
                # compare with the prior plan only where it covers every month of the period
                covered = f"'{PLAN_BASE}'!{base}${plan.prior_months_row}"
                prior = f"'{PRIOR.name}'!{col}{layout[PRIOR.name][block][1]}"
                ws.cell(r, 5, f'=IF({covered}=0,"{NOT_IN_PRIOR}",{prior})')
                ws.cell(r, 9, f'=IF({covered}<{months},"{NOT_IN_PRIOR}",B{r}-E{r})')
                ws.cell(r, 10, f'=IF({covered}<{months},"{NOT_IN_PRIOR}",IF(E{r}=0,"",I{r}/E{r}))')
            elif label == "Total":
                # totals over the periods both plans cover (SUM skips the n/a text)
                ws.cell(r, 5, f"=SUM(E{first}:E{last})")
                ws.cell(r, 9, f"=SUM(I{first}:I{last})")
                both = f'SUMIFS(E{first}:E{last},I{first}:I{last},"<>{NOT_IN_PRIOR}")'
                ws.cell(r, 10, f'=IF({both}=0,"",I{r}/{both})')
            else:
                ws.cell(r, 9, f"=B{r}-E{r}")
                ws.cell(r, 10, f'=IF(E{r}=0,"",I{r}/E{r})')
            ws.cell(r, 11, f"=C{r}-F{r}")
            ws.cell(r, 12, f"=D{r}-F{r}")
            for c in range(2, 13):
                ws.cell(r, c).number_format = PCT if c in (8, 10) else MONEY
                ws.cell(r, c).alignment = RIGHT
                if label == "Total":
                    ws.cell(r, c).font, ws.cell(r, c).border = BOLD, TOTAL_BORDER
        note = ws.cell(last + 2, 1, PRIOR_NOTE)
        note.font = NOTE
        define_name(
            wb, f"cmp_{title.split()[0].lower()}", f"'{COMPARISON}'!$B${first}:$L${first + n_b}"
        )
        row = first + n_b + 4
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = "Revenue by scenario"
    chart.y_axis.title = "Revenue"
    chart.y_axis.numFmt = "#,##0"
    chart.height, chart.width = 10, 30
    chart.legend.position = "b"
    first = next(iter(tables.values()))
    # a quarter the horizon covers only in part would read as a drop: the chart leaves the
    # partial first and last quarters out (the tables above show them, labelled)
    lo = next((i for i, b in enumerate(plan.buckets) if not b.partial), 0)
    hi = max((i for i, b in enumerate(plan.buckets) if not b.partial), default=n_b - 1)
    if any(b.partial for b in plan.buckets):
        chart.title = "Revenue by scenario (full quarters)"
    cats = Reference(ws, min_col=1, min_row=first + lo, max_row=first + hi)
    for c in range(2, 6):
        chart.add_data(Reference(ws, min_col=c, min_row=first + lo, max_row=first + hi))
        chart.series[-1].tx = SeriesLabel(strRef=StrRef(f"'{COMPARISON}'!${L(c)}${first - 1}"))
    chart.set_categories(cats)
    line = LineChart()
    line.add_data(Reference(ws, min_col=6, min_row=first + lo, max_row=first + hi))
    line.series[-1].tx = SeriesLabel(strRef=StrRef(f"'{COMPARISON}'!$F${first - 1}"))
    for series in line.series:
        series.smooth = False
    chart += line
    ws.add_chart(chart, f"A{row}")
    ws.row_breaks.append(Break(id=row - 1))  # the chart prints on a page of its own
    ws.column_dimensions["A"].width = text_width(labels, least=14)
    for c in range(2, 13):
        ws.column_dimensions[L(c)].width = plan.width
    ws.freeze_panes = "B4"
    print_setup(ws)
