"""The formula sheets of the FP&A workbook: Drivers, Plan base and one sheet per scenario
(Comparison is ``addin.fpa.comparison``). Every figure is a formula over the Data table
(``tblPlan``) and the drivers, so a refresh of the table (``addin.fpa.refresh``) moves every
figure and touches none of these sheets.

The heavy work is in Plan base: one SUMIFS per region x product family x period bucket over
the table's numeric keys. Scenario sheets apply the drivers to those few cells (SUMIF over
Plan base, SUMPRODUCT with a driver column), so a 500,000-row table costs a recalculating
application only the Plan base cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from addin.book.sheet_xml import column_letter as L
from addin.fpa.layout import (
    DRIVERS,
    FAMILY_KEY,
    PLAN_BASE,
    REGION_KEY,
    SCENARIOS,
    TABLE,
    Bucket,
    Keys,
    Scenario,
)

TITLE = Font(bold=True, size=14, color="1F3864")
BOLD = Font(bold=True)
NOTE = Font(italic=True, color="595959")
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
TOTAL_BORDER = Border(top=Side(style="thin"))
QTY, MONEY, PCT, FX, ASP = "#,##0;-#,##0", "#,##0;-#,##0", "0.0%", "0.0000", "#,##0.00"

PRIOR_MONTHS_ROW = 6  # on Plan base, under the headings
NOT_IN_PRIOR = "n/a"  # a period the prior plan does not cover: never compared as a 0
RIGHT = Alignment(horizontal="right")

DRIVER_COLUMNS = (
    # (heading, name suffix, number format, is input)
    ("Volume change %", "volume", PCT, True),
    ("Plan ASP", "plan_asp", ASP, False),
    ("Scenario ASP", "asp", ASP, True),
    ("Price change %", "price", PCT, True),
    ("FX rate to reporting currency", "fx", FX, True),
    ("Mix / other %", "mix", PCT, True),
    ("COGS % of revenue", "cogs", PCT, True),
    ("Volume factor", "volume_factor", "0.0000", False),
    ("Revenue factor", "revenue_factor", "0.0000", False),
)


@dataclass
class BaseBlock:
    """Rows of one measure on Plan base; ``first``..``last`` inclusive."""

    measure: str
    first: int
    last: int
    by_region: bool


@dataclass
class SheetPlan:
    """Where things are, for the sheets that refer to Plan base."""

    families: list[str]
    regions: list[str]
    buckets: list[Bucket]
    blocks: dict[str, BaseBlock] = field(default_factory=dict)
    #: column width that fits the largest figure of the workbook (see ``number_width``)
    width: float = 14
    #: Plan base row counting, per bucket, the months the prior plan covers
    prior_months_row: int = PRIOR_MONTHS_ROW

    @property
    def bucket_columns(self) -> list[str]:
        return [L(5 + i) for i in range(len(self.buckets))]


def number_width(largest: float) -> float:
    """A column width (in characters of the default font) that shows ``largest`` with
    thousands separators in bold type without ``###`` (a negative figure, a variance, is
    smaller than the largest total)."""
    digits = len(f"{abs(largest):,.0f}")
    return max(12.0, round(digits * 1.1 + 1.5, 1))


def text_width(texts: list[str], least: float = 12, most: float = 48) -> float:
    """A column width for labels: the longest label, within [least, most]."""
    longest = max((len(t) for t in texts), default=0)
    return min(most, max(least, longest * 1.1 + 2))


def prior_months_formula(months: tuple) -> str:
    """How many of ``months`` the prior plan covers: a month counts when any Data row of it
    has a Prior qty (a month the prior plan never reached has none)."""
    terms = [
        f'IF(COUNTIFS({TABLE}[Period],DATE({m.year},{m.month},1),{TABLE}[Prior qty],"<>")>0,1,0)'
        for m in months
    ]
    return "=" + "+".join(terms)


def define_name(wb: Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def text_cell(ws: Worksheet, row: int, col: int, value: str, font: Font | None = None) -> None:
    """A label from the org (family, region) is text, even if it starts with '='."""
    cell = ws.cell(row, col, value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font


def _abs(sheet: str, col: str, first: int, last: int) -> str:
    return f"'{sheet}'!${col}${first}:${col}${last}"


def print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide: how an FP&A pack is printed or saved as PDF."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False


def heading_row(
    ws: Worksheet, row: int, headings: list[str], start: int = 1, height: float = 30
) -> None:
    ws.row_dimensions[row].height = height  # room for two-line headings ("2026 Q4 (1 of 3 months)")
    for i, heading in enumerate(headings):
        cell = ws.cell(row, start + i, heading)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


# ---------------------------------------------------------------- Plan base


def plan_base(wb: Workbook, keys: Keys, buckets: list[Bucket], largest: float = 0.0) -> SheetPlan:
    ws = wb.create_sheet(PLAN_BASE)
    families = sorted(keys.families, key=keys.families.__getitem__)
    regions = sorted(keys.regions, key=keys.regions.__getitem__)
    plan = SheetPlan(families, regions, buckets, width=number_width(largest))
    ws["A1"], ws["A1"].font = "Plan base: the Data table summed by SUMIFS", TITLE
    ws["A2"] = "Plan prices, the org's currency, no drivers. The scenario sheets start from here."
    ws["A2"].font = NOTE
    cols = plan.bucket_columns
    total = L(5 + len(buckets))
    for i, b in enumerate(buckets):
        ws.cell(4, 5 + i, b.number)
    ws.row_dimensions[4].hidden = True
    heading_row(ws, 5, ["Region", "Product family", "Region no", "Family no"])
    heading_row(ws, 5, [b.label for b in buckets] + ["Total"], start=5)
    ws.cell(PRIOR_MONTHS_ROW, 1, "Months the prior plan covers").font = NOTE
    for i, b in enumerate(buckets):
        if b.months:
            cell = ws.cell(PRIOR_MONTHS_ROW, 5 + i, prior_months_formula(b.months))
            cell.number_format, cell.font = "0", NOTE
    row = 7
    measures = [
        ("Consensus qty", True),
        ("Consensus revenue", True),
        ("Prior qty", True),
        ("Prior revenue", True),
        ("Target qty", False),
        ("Target revenue", False),
    ]
    for measure, by_region in measures:
        ws.cell(row, 1, measure).font = BOLD
        row += 1
        first = row
        pairs = (
            [(r, f) for r in regions for f in families]
            if by_region
            else [("", f) for f in families]
        )
        for region, family in pairs:
            if region:
                text_cell(ws, row, 1, region)
                ws.cell(row, 3, keys.regions[region])
            text_cell(ws, row, 2, family)
            ws.cell(row, 4, keys.families[family])
            for col in cols:
                if by_region:
                    key = f"($C{row}*1000+$D{row})*1000000+{col}$4"
                    crit = f"{TABLE}[{REGION_KEY}]"
                else:
                    key = f"$D{row}*1000000+{col}$4"
                    crit = f"{TABLE}[{FAMILY_KEY}]"
                ws[f"{col}{row}"] = f"=SUMIFS({TABLE}[{measure}],{crit},{key})"
                ws[f"{col}{row}"].number_format = MONEY
            ws[f"{total}{row}"] = f"=SUM({cols[0]}{row}:{cols[-1]}{row})"
            ws[f"{total}{row}"].number_format = MONEY
            row += 1
        plan.blocks[measure] = BaseBlock(measure, first, row - 1, by_region)
        row += 1
    ws.column_dimensions["A"].width = text_width([*regions, *(m for m, _ in measures)])
    ws.column_dimensions["B"].width = text_width(families)
    ws.column_dimensions["C"].hidden = True
    ws.column_dimensions["D"].hidden = True
    for col in [*cols, total]:
        ws.column_dimensions[col].width = plan.width
    ws.freeze_panes = "E6"
    print_setup(ws)
    return plan


# ---------------------------------------------------------------- Drivers


def drivers(wb: Workbook, plan: SheetPlan, currency: str) -> None:
    ws = wb.create_sheet(DRIVERS, 0)
    ws["A1"], ws["A1"].font = "Scenario drivers", TITLE
    ws["A2"] = "Blue cells on yellow are inputs: type over them."
    ws["A3"] = (
        "Plan ASP comes from the Data table; Scenario ASP starts equal to it. Upside, Downside "
        "and Prior plan take Committed's FX and COGS until you type your own."
    )
    ws["A2"].font = ws["A3"].font = NOTE
    ws["A4"], ws["A4"].font = "Reporting currency", BOLD
    text_cell(ws, 4, 3, currency, INPUT_FONT)
    ws["C4"].fill = INPUT_FILL
    define_name(wb, "drv_reporting_currency", f"'{DRIVERS}'!$C$4")
    n = len(plan.families)
    cols = plan.bucket_columns
    row = 6
    committed_rows = (0, 0)
    for k, scenario in enumerate(SCENARIOS):
        if k and k % 2 == 0:  # printed two scenarios a page: a block never splits from its title
            ws.row_breaks.append(Break(id=row - 1))
        ws.cell(row, 1, scenario.name).font = Font(bold=True, size=12)
        ws.cell(row, 3, scenario.description).font = NOTE
        heading_row(
            ws, row + 1, ["Product family", "Family no"] + [c[0] for c in DRIVER_COLUMNS], height=45
        )
        first = row + 2
        last = first + n - 1
        qty, rev = (
            ("Prior qty", "Prior revenue")
            if scenario.prior_based
            else ("Consensus qty", "Consensus revenue")
        )
        for i, family in enumerate(plan.families):
            r = first + i
            text_cell(ws, r, 1, family)
            ws.cell(r, 2, i + 1)
            values = _driver_values(scenario, r, committed_rows[0] + i, plan, qty, rev, cols)
            for j, (_, _, fmt, is_input) in enumerate(DRIVER_COLUMNS):
                cell = ws.cell(r, 3 + j, values[j])
                cell.number_format = fmt
                if is_input:
                    cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        for j, (_, suffix, _, _) in enumerate(DRIVER_COLUMNS):
            define_name(wb, f"drv_{scenario.slug}_{suffix}", _abs(DRIVERS, L(3 + j), first, last))
        if scenario.slug == "committed":
            committed_rows = (first, last)
        row = last + 3
    ws.column_dimensions["A"].width = text_width(plan.families, least=22)
    ws.column_dimensions["B"].hidden = True
    for j in range(len(DRIVER_COLUMNS)):
        ws.column_dimensions[L(3 + j)].width = 14
    ws.freeze_panes = "C6"
    print_setup(ws)


def _driver_values(
    scenario: Scenario,
    r: int,
    committed_row: int,
    plan: SheetPlan,
    qty: str,
    rev: str,
    cols: list[str],
) -> list[object]:
    q, v = plan.blocks[qty], plan.blocks[rev]
    total = L(5 + len(cols))
    fam = f"$B{r}"
    q_sum = f"SUMIF({_abs(PLAN_BASE, 'D', q.first, q.last)},{fam},{_abs(PLAN_BASE, total, q.first, q.last)})"
    v_sum = f"SUMIF({_abs(PLAN_BASE, 'D', v.first, v.last)},{fam},{_abs(PLAN_BASE, total, v.first, v.last)})"
    follows = scenario.slug != "committed"
    fx = f"=$G${committed_row}" if follows else 1.0
    cogs = f"=$I${committed_row}" if follows else 0.6
    return [
        scenario.volume,
        f"=IF({q_sum}=0,0,{v_sum}/{q_sum})",
        f"=D{r}",
        scenario.price,
        fx,
        0.0,
        cogs,
        f"=1+C{r}",
        f"=(1+C{r})*(1+F{r})*(1+H{r})*IF(D{r}=0,1,E{r}/D{r})*G{r}",
    ]


# ---------------------------------------------------------------- scenario sheets


def scenario_sheet(wb: Workbook, plan: SheetPlan, scenario: Scenario) -> dict[str, tuple[int, int]]:
    """One scenario's sheet; returns block name -> (first row, total row)."""
    ws = wb.create_sheet(scenario.name)
    s = scenario.slug
    ws["A1"], ws["A1"].font = f"{scenario.name} scenario", TITLE
    ws["A2"], ws["A2"].font = scenario.description, NOTE
    ws["A3"] = '="Revenue and margin in "&drv_reporting_currency&"; volume in units."'
    ws["A3"].font = NOTE
    labels = [b.label for b in plan.buckets]
    cols = [L(3 + i) for i in range(len(labels))]
    base_cols = plan.bucket_columns
    total = L(3 + len(labels))
    qty, rev = (
        ("Prior qty", "Prior revenue")
        if scenario.prior_based
        else ("Consensus qty", "Consensus revenue")
    )
    rows: dict[str, tuple[int, int]] = {}
    row = 5

    def block(title: str, names: list[str], keys: list[int], formula) -> None:
        nonlocal row
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        heading_row(ws, row + 1, [title.split(" by ")[-1].capitalize(), "Key"] + labels + ["Total"])
        first = row + 2
        for i, (label, key) in enumerate(zip(names, keys, strict=True)):
            r = first + i
            text_cell(ws, r, 1, label)
            ws.cell(r, 2, key)
            for col, base in zip(cols, base_cols, strict=True):
                ws[f"{col}{r}"] = formula(r, col, base, i)
                ws[f"{col}{r}"].number_format = MONEY
            ws[f"{total}{r}"] = f"=SUM({cols[0]}{r}:{cols[-1]}{r})"
            ws[f"{total}{r}"].number_format = MONEY
        t = first + len(names)
        ws.cell(t, 1, "Total").font = BOLD
        for col in [*cols, total]:
            ws[f"{col}{t}"] = f"=SUM({col}{first}:{col}{t - 1})"
            ws[f"{col}{t}"].number_format = MONEY
            ws[f"{col}{t}"].font, ws[f"{col}{t}"].border = BOLD, TOTAL_BORDER
        rows[title] = (first, t)
        define_name(
            wb,
            f"sc_{s}_{title.lower().replace(' ', '_')}",
            f"'{scenario.name}'!${cols[0]}${first}:${total}${t}",
        )
        row = t + 2

    fam_keys = list(range(1, len(plan.families) + 1))
    reg_keys = list(range(1, len(plan.regions) + 1))
    n = len(plan.families)

    def by_family(measure: str, factor: str):
        b = plan.blocks[measure]
        return lambda r, col, base, i: (
            f"=SUMIF({_abs(PLAN_BASE, 'D', b.first, b.last)},$B{r},'{PLAN_BASE}'!{base}${b.first}:{base}${b.last})"
            f"*INDEX(drv_{s}_{factor},$B{r})"
        )

    def by_region(measure: str, factor: str):
        b = plan.blocks[measure]
        return lambda r, col, base, i: (
            f"=SUMPRODUCT('{PLAN_BASE}'!{base}{b.first + i * n}:{base}{b.first + i * n + n - 1},drv_{s}_{factor})"
        )

    block("Volume by product family", plan.families, fam_keys, by_family(qty, "volume_factor"))
    block("Revenue by product family", plan.families, fam_keys, by_family(rev, "revenue_factor"))
    revenue_first = rows["Revenue by product family"][0]
    block(
        "Gross margin by product family",
        plan.families,
        fam_keys,
        lambda r, col, base, i: f"={col}{revenue_first + i}*(1-INDEX(drv_{s}_cogs,$B{r}))",
    )
    block("Revenue by region", plan.regions, reg_keys, by_region(rev, "revenue_factor"))
    block("Volume by region", plan.regions, reg_keys, by_region(qty, "volume_factor"))
    ws.column_dimensions["A"].width = text_width([*plan.families, *plan.regions], least=22)
    ws.column_dimensions["B"].hidden = True
    for col in [*cols, total]:
        ws.column_dimensions[col].width = plan.width
    ws.freeze_panes = "C5"
    print_setup(ws)
    return rows
