"""The pre-read's pages other than accuracy: gap to target, demand vs supply, top risk
accounts, revenue bridge and scenario comparison. Each writes formulas over Data blocks and
returns the cells the Summary quotes (``{"gap": "'Gap to target'!$E$12", ...}``)."""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from addin.fpa.layout import SCENARIOS
from addin.fpa.sheets import INPUT_FILL, INPUT_FONT, text_width
from addin.preread.charts import bar_chart, bridge_chart
from addin.preread.data import Block
from addin.preread.page import CHART_ROWS, MONEY, PCT, QTY, Page
from sync.science.supply import NONE_LOADED

GAP, SUPPLY, RISKS, BRIDGE, SCENARIO = (
    "Gap to target",
    "Demand vs supply",
    "Top risks",
    "Revenue bridge",
    "Scenarios",
)


def cell(sheet: str, col: str, row: int) -> str:
    return f"'{sheet}'!${col}${row}"


def gap_page(wb: Workbook, stamp: str, gap: Block) -> dict[str, str]:
    page = Page.new(wb, GAP, "Gap to target", stamp, [34, 16, 16, 16, 10])
    page.note("Plan = consensus revenue of the snapshot (the final adjusted value, else baseline).")
    chart_at = page.skip(CHART_ROWS + 2) if gap.rows else ""
    rows = [
        [
            f'={gap.ref(i, "region")}&" / "&{gap.ref(i, "product_family")}',
            f"={gap.ref(i, 'plan_rev')}",
            f"={gap.ref(i, 'target_rev')}",
            f"=B{page.row + 1 + i}-C{page.row + 1 + i}",
            f'=IF(C{page.row + 1 + i}=0,"",D{page.row + 1 + i}/C{page.row + 1 + i})',
        ]
        for i in range(gap.rows)
    ]
    first, last = page.row + 1, page.row + gap.rows
    total = [
        "Total",
        f"=SUM(B{first}:B{last})",
        f"=SUM(C{first}:C{last})",
        f"=B{last + 1}-C{last + 1}",
    ]
    total.append(f'=IF(C{last + 1}=0,"",D{last + 1}/C{last + 1})')
    page.table(
        [
            "Region / product family",
            "Plan revenue",
            "Target revenue",
            "Gap (plan - target)",
            "Gap %",
        ],
        rows,
        [None, MONEY, MONEY, MONEY, PCT],
        total,
    )
    if gap.rows:
        bar_chart(
            page.ws,
            "Gap to target: plan - target revenue",
            (1, first, last),
            [(4, "4472C4")],
            chart_at,
            size=(9, 24),
        )
    return {"gap": cell(GAP, "D", last + 1), "gap_pct": cell(GAP, "E", last + 1)}


def supply_page(wb: Workbook, stamp: str, supply: Block, families: Block) -> dict[str, str]:
    page = Page.new(wb, SUPPLY, "Demand vs supply by product line", stamp, [26, 12, 14, 14, 16, 18])
    if not supply.rows:
        page.ws.cell(page.row, 1, NONE_LOADED).font = Font(bold=True, size=12, color="C00000")
        return {}
    page.note(
        "Demand = consensus quantity of the snapshot; supply = the loaded production commitment."
    )
    page.note("Balance = supply - demand (negative = short).")
    chart_at = page.skip(CHART_ROWS)
    head = page.row
    detail_first = head + families.rows + 4  # after the summary table and its total
    detail_last = detail_first + supply.rows - 1
    fam_col = f"$A${detail_first}:$A${detail_last}"

    def by_family(col: str, r: int) -> str:
        return f"=SUMIF({fam_col},$A{r},{col}${detail_first}:{col}${detail_last})"

    rows = []
    for i in range(families.rows):
        r = head + 1 + i
        family = f"={families.ref(i, 'product_family')}"
        short = f'=COUNTIFS({fam_col},$A{r},$E${detail_first}:$E${detail_last},"<0")'
        rows.append([family, by_family("C", r), by_family("D", r), f"=C{r}-B{r}", short])
    first, last = page.table(
        ["Product family", "Demand (qty)", "Supply (qty)", "Balance", "Months short"],
        rows,
        [None, QTY, QTY, QTY, "0"],
    )
    page.row = detail_first - 1
    detail = [
        [
            f"={supply.ref(i, 'product_family')}",
            f"={supply.ref(i, 'period_start')}",
            f"={supply.ref(i, 'demand')}",
            f"={supply.ref(i, 'supply')}",
            f"=D{detail_first + i}-C{detail_first + i}",
            f"={supply.ref(i, 'plan_id')}",
        ]
        for i in range(supply.rows)
    ]
    page.table(
        ["Product family", "Month", "Demand (qty)", "Supply (qty)", "Balance", "Supply plan"],
        detail,
        [None, "mmm yyyy", QTY, QTY, QTY, None],
    )
    bar_chart(
        page.ws,
        "Demand vs supply (quantity)",
        (1, first, last),
        [(2, "4472C4"), (3, "70AD47")],
        chart_at,
    )
    return {"months_short": f"SUM('{SUPPLY}'!$E${first}:$E${last})"}


def risk_page(wb: Workbook, stamp: str, risks: Block) -> dict[str, str]:
    v = risks.values
    widths = [6, text_width([str(x) for x in v["account_name"]], least=24, most=60)]
    widths += [text_width([str(x) for x in v["region"]], least=12, most=30)]
    widths += [text_width([str(x) for x in v["rep_name"]], least=12, most=30), 14, 14, 14, 14, 14]
    widths += [text_width([str(x) for x in v["reason"]], least=30, most=70)]
    page = Page.new(wb, RISKS, "Top risk accounts", stamp, widths)
    page.note(
        "Revenue at risk = plan cut since last cycle + actuals below plan (last 3 months, lag-1 plan) + plan short of target; only shortfalls count."
    )
    page.note("Ranked by revenue at risk, then account name: the same order on every run.")
    r0 = page.row + 1
    rows = [
        [
            f"={risks.ref(i, 'rank')}",
            f"={risks.ref(i, 'account_name')}",
            f"={risks.ref(i, 'region')}",
            f"={risks.ref(i, 'rep_name')}",
            f"={risks.ref(i, 'plan')}",
            f"={risks.ref(i, 'moved')}",
            f"={risks.ref(i, 'actual_gap')}",
            f"={risks.ref(i, 'target_gap')}",
            f"=-(MIN(0,F{r0 + i})+MIN(0,G{r0 + i})+MIN(0,H{r0 + i}))",
            f"={risks.ref(i, 'reason')}",
        ]
        for i in range(risks.rows)
    ]
    page.table(
        [
            "Rank",
            "Account",
            "Region",
            "Rep",
            "Plan revenue",
            "Moved since last cycle",
            "Actual - plan (3 months)",
            "Plan - target",
            "Revenue at risk",
            "Why it is here",
        ],
        rows,
        ["0", None, None, None, MONEY, MONEY, MONEY, MONEY, MONEY, None],
    )
    if not risks.rows:
        page.note("No account has revenue at risk in this snapshot.")
        return {}
    return {
        "top_account": cell(RISKS, "B", r0),
        "top_at_risk": cell(RISKS, "I", r0),
        "top_reason": cell(RISKS, "J", r0),
    }


def bridge_floor(amounts: list[float]) -> float | None:
    """Where the bridge's value axis starts: below the lowest running total by the largest
    bar, rounded down to a round number, so the drivers are visible next to the totals."""
    if len(amounts) < 2:
        return None
    running = [amounts[0]]
    for amount in amounts[1:-1]:
        running.append(running[-1] + amount)
    running.append(amounts[-1])
    largest = max((abs(a) for a in amounts[1:-1]), default=0.0)
    low = min(running) - 2 * largest
    if low <= 0:
        return None
    step = 10 ** max(len(str(int(low))) - 2, 0)
    return float(int(low // step) * step)


def bridge_page(
    wb: Workbook, stamp: str, bridge: Block, scope: str, outside: str
) -> dict[str, str]:
    page = Page.new(wb, BRIDGE, "Revenue bridge", stamp, [40, 16, 14, 14, 14, 14, 14])
    page.note(f"Over {scope}. {outside}")
    page.note(
        "From the prior cycle's plan to this one. Each line's change splits into its baseline (system) change and the change of its adjustment, which goes to the line's reason code this cycle."
    )
    page.note("Revenue summed in whole cents, so the bars tie to the two totals to the cent.")
    floor = bridge_floor([float(a) for a in bridge.values["amount"]])
    if floor:
        page.note(
            f"The chart's axis starts at {floor:,.0f}, so the drivers show beside the totals."
        )
    chart_at = page.skip(CHART_ROWS + 4)
    first = page.row + 1
    last = first + bridge.rows - 1
    rows = []
    for i in range(bridge.rows):
        r = first + i
        is_total = i in (0, bridge.rows - 1)
        end = f"=B{r}" if is_total else f"=C{r - 1}+B{r}"
        base = "=0" if is_total else f"=MIN(C{r - 1},C{r})"
        rows.append(
            [
                f"={bridge.ref(i, 'label')}",
                f"={bridge.ref(i, 'amount')}",
                end,
                base,
                f"=B{r}" if is_total else "=0",
                "=0" if is_total else f"=MAX(B{r},0)",
                "=0" if is_total else f"=MAX(-B{r},0)",
            ]
        )
    page.table(
        ["Bar", "Amount", "Running total", "Base", "Total", "Increase", "Decrease"],
        rows,
        [None, MONEY, MONEY, MONEY, MONEY, MONEY, MONEY],
    )
    tie = page.row
    page.ws.cell(tie, 1, "Check: prior plan + drivers - this plan (0.00 = ties)")
    page.ws.cell(
        tie, 2, f"=ROUND(B{first}+SUM(B{first + 1}:B{last - 1})-B{last},2)"
    ).number_format = "#,##0.00"
    page.row += 2
    for col in "DEFG":
        page.ws.column_dimensions[col].hidden = col == "D"
    bridge_chart(page.ws, (1, first, last), 4, chart_at, floor)
    return {"change": f"'{BRIDGE}'!$B${last}-'{BRIDGE}'!$B${first}", "tie": cell(BRIDGE, "B", tie)}


def scenario_page(wb: Workbook, stamp: str, families: Block, coverage: str) -> dict[str, str]:
    page = Page.new(wb, SCENARIO, "Scenario comparison", stamp, [26, 16, 16, 16, 16, 16])
    page.note(
        "Committed = this plan; Upside and Downside apply the FP&A volume and price drivers (blue cells: change them here); Prior plan = the prior cycle's snapshot."
    )
    page.note(coverage)
    drivers = page.row + 1
    rows = [[s.name, s.volume, s.price] for s in SCENARIOS if s.slug in ("upside", "downside")]
    page.table(["Scenario", "Volume change %", "Price change %"], rows, [None, PCT, PCT])
    for r in range(drivers, drivers + len(rows)):
        for col in "BC":
            page.ws[f"{col}{r}"].font, page.ws[f"{col}{r}"].fill = INPUT_FONT, INPUT_FILL
    up, down = drivers, drivers + 1
    chart_at = page.skip(CHART_ROWS) if families.rows else ""
    first = page.row + 1
    table = [
        [
            f"={families.ref(i, 'product_family')}",
            f"={families.ref(i, 'plan_rev')}",
            f"=B{first + i}*(1+$B${up})*(1+$C${up})",
            f"=B{first + i}*(1+$B${down})*(1+$C${down})",
            f"={families.ref(i, 'prior_rev')}",
            f"={families.ref(i, 'target_rev')}",
        ]
        for i in range(families.rows)
    ]
    last = first + families.rows - 1
    total = ["Total", *[f"=SUM({c}{first}:{c}{last})" for c in "BCDEF"]]
    page.table(
        ["Product family", "Committed", "Upside", "Downside", "Prior plan", "Target"],
        table,
        [None, *[MONEY] * 5],
        total,
    )
    if families.rows:
        bar_chart(
            page.ws,
            "Revenue by scenario",
            (1, first, last),
            [(2, "4472C4"), (3, "70AD47"), (4, "C00000"), (5, "A5A5A5"), (6, "FFC000")],
            chart_at,
        )
    return {
        "committed": cell(SCENARIO, "B", last + 1),
        "upside": cell(SCENARIO, "C", last + 1),
        "downside": cell(SCENARIO, "D", last + 1),
    }
