"""The Accuracy page (trend by snapshot, by lag, by region / product family / rep / account)
and the FVA stairstep page (per rep and per reason code). WAPE, bias, tracking signal and value
added are formulas over the error sums on the Data sheet; the conventions are printed on both."""

from __future__ import annotations

from openpyxl.workbook import Workbook

from addin.fpa.sheets import text_width
from addin.preread.charts import bar_chart, line_chart
from addin.preread.data import Block
from addin.preread.page import CHART_ROWS, PCT, RATIO, Page
from sync.science.conventions import CONVENTIONS, NAIVE, VALUE_ADDED

ACCURACY, FVA = "Accuracy", "FVA stairstep"
VA = "+0.0%;-0.0%;0.0%"
ACCOUNT_ROWS = 15  # the page shows the accounts with the largest absolute error; Data has all


def _metric_rows(
    page: Page, block: Block, label: str, order: list[int] | None = None
) -> list[list[str]]:
    rows = []
    first = page.row + 1
    for n, i in enumerate(order if order is not None else range(block.rows)):
        r = first + n
        rows.append(
            [
                f"={block.ref(i, label)}" if label != "lag" else f'="Lag "&{block.ref(i, "lag")}',
                f"={block.ref(i, 'snapshot_ids')}",
                f"={block.ref(i, 'lag')}" if "lag" in block.columns else "",
                f"={block.ref(i, 'points')}",
                f'=IF({block.ref(i, "mape")}="","",{block.ref(i, "mape")})',
                f"={block.ref(i, 'mape_left_out')}",
                f'=IF({block.ref(i, "actual")}=0,"",{block.ref(i, "abs_error")}/{block.ref(i, "actual")})',
                f'=IF(D{r}=0,"",{block.ref(i, "error")}/D{r})',
                f'=IF({block.ref(i, "tracking_signal")}="","",{block.ref(i, "tracking_signal")})',
            ]
        )
    return rows


HEADINGS = [
    "",
    "Snapshot(s)",
    "Lag",
    "Periods",
    "MAPE",
    "Zero actuals (not in MAPE)",
    "WAPE",
    "Bias (units / period)",
    "Tracking signal",
]
FORMATS = [None, None, "0", "#,##0", PCT, "#,##0", PCT, "#,##0.0;-#,##0.0", RATIO]


def accuracy_page(
    wb: Workbook, stamp: str, trend: Block, by_lag: Block, dims: dict[str, Block], lag: int
) -> dict[str, str]:
    labels = [str(v) for b in dims.values() for v in b.values[b.columns[0]]]
    first_width = text_width(labels, least=30, most=60)
    page = Page.new(
        wb, ACCURACY, "Forecast accuracy", stamp, [first_width, 40, 6, 10, 10, 14, 10, 14, 12]
    )
    for text in CONVENTIONS:
        page.note(text)
    page.note(
        "Quantities; the forecast is each snapshot's consensus; periods without actuals yet are not scored."
    )
    chart_at = page.skip(CHART_ROWS) if trend.rows else ""
    page.heading(f"Trend: each snapshot at lag {lag}")
    first = page.row + 1
    page.table(["Cycle", *HEADINGS[1:]], _metric_rows(page, trend, "cycle"), FORMATS)
    last = first + trend.rows - 1
    out: dict[str, str] = {}
    if trend.rows:
        line_chart(
            page.ws, f"WAPE and MAPE by cycle (lag {lag})", (1, first, last), [7, 5], chart_at, "0%"
        )
        out = {
            "wape": f"'{ACCURACY}'!$G${last}",
            "bias": f"'{ACCURACY}'!$H${last}",
            "cycle": f"'{ACCURACY}'!$A${last}",
        }
    page.heading("By lag: all snapshots")
    page.table(["Lag", *HEADINGS[1:]], _metric_rows(page, by_lag, "lag"), FORMATS)
    for title, block in dims.items():
        column = block.columns[0]
        order = None
        if title == "Account" and block.rows > ACCOUNT_ROWS:
            order = _largest(block, ACCOUNT_ROWS)
            title = f"Account (the {ACCOUNT_ROWS} with the largest absolute error; all on Data)"
        page.heading(
            f"By {title.lower() if not title.startswith('Account') else title} at lag {lag}"
        )
        rows = _metric_rows(page, block, column, order)
        first_dim = page.row + 1
        page.table([title.split(" (")[0], *HEADINGS[1:]], rows, FORMATS)
        if title == "Rep" and rows:
            out["reps_beyond_4"] = (
                f"COUNTIF('{ACCURACY}'!$I${first_dim}:$I${first_dim + len(rows) - 1},\">4\")+COUNTIF('{ACCURACY}'!$I${first_dim}:$I${first_dim + len(rows) - 1},\"<-4\")"
            )
    return out


def _largest(block: Block, n: int) -> list[int]:
    values = block.values["abs_error"]
    return sorted(range(block.rows), key=lambda i: (-values[i], i))[:n]


def fva_page(
    wb: Workbook, stamp: str, rep: Block, reason: Block, lag: int, without_naive: int
) -> dict[str, str]:
    groups = [str(v) for b in (rep, reason) for v in b.values["group"]]
    widths = [text_width(groups, least=30, most=60), 30, 10, 10, 16, 16, 40, 6]
    page = Page.new(wb, FVA, "Forecast value added (FVA)", stamp, widths)
    page.note(NAIVE)
    page.note(
        VALUE_ADDED
        + " Per group, the steps' value added adds up to naive WAPE minus consensus WAPE."
    )
    page.note(
        f"Lag {lag}; WAPE on quantities. {without_naive} line(s) with no actual a year earlier are left out."
    )
    out: dict[str, str] = {}
    overrides: list[int] = []
    chart_at = page.skip(CHART_ROWS) if rep.rows else ""
    for title, block in (("Per rep", rep), ("Per reason code", reason)):
        page.heading(title)
        first = page.row + 1
        rows = []
        for i in range(block.rows):
            r = first + i
            step_no = block.values["step_no"][i]
            naive = r - step_no
            rows.append(
                [
                    f"={block.ref(i, 'group')}",
                    f"={block.ref(i, 'step')}",
                    f"={block.ref(i, 'lines')}",
                    f'=IF({block.ref(i, "actual")}=0,"",{block.ref(i, "abs_error")}/{block.ref(i, "actual")})',
                    "=0" if step_no == 0 else f'=IF(D{r}="","",D{r - 1}-D{r})',
                    "=0" if step_no == 0 else f'=IF(D{r}="","",D{naive}-D{r})',
                    f"={block.ref(i, 'snapshot_ids')}",
                    f"={block.ref(i, 'lag')}",
                ]
            )
        page.table(
            [
                "Group",
                "Step",
                "Lines",
                "WAPE",
                "Value added vs step before",
                "Value added vs naive",
                "Snapshot(s)",
                "Lag",
            ],
            rows,
            [None, None, "#,##0", PCT, VA, VA, None, "0"],
        )
        if title == "Per rep" and rows:
            bar_chart(
                page.ws,
                f"WAPE by step, all reps (lag {lag})",
                (2, first, first + 3),
                [(4, "4472C4")],
                chart_at,
                "0%",
            )
            worst = _worst_override(block)
            if worst is not None:
                out["worst_rep"] = f"'{FVA}'!$A${first + worst}"
                out["worst_rep_va"] = f"'{FVA}'!$E${first + worst}"
            best = _worst_override(block, best=True)
            if best is not None and best != worst:
                out["best_rep"] = f"'{FVA}'!$A${first + best}"
                out["best_rep_va"] = f"'{FVA}'!$E${first + best}"
            overrides = [first + i for i in range(block.rows) if _is_override(block, i)]
        if title == "Per reason code" and rows:
            worst = _worst_override(block)
            if worst is not None:
                out["worst_reason"] = f"'{FVA}'!$A${first + worst}"
                out["worst_reason_va"] = f"'{FVA}'!$E${first + worst}"
    if rep.rows and overrides:
        _override_chart(page, overrides, chart_at, lag)
    return out


def _is_override(block: Block, i: int) -> bool:
    return block.values["step_no"][i] == 2 and block.values["group"][i] != "All"


def _override_chart(page: Page, rows: list[int], chart_at: str, lag: int) -> None:
    """Each rep's override (rep adjusted vs system baseline), as a table and a bar chart
    beside the stairstep chart."""
    page.heading("The rep's override: value added against the system baseline, per rep")
    first = page.row + 1
    table = [[f"=A{r}", f"=E{r}"] for r in rows]
    page.table(["Rep", "Value added by the override"], table, [None, VA])
    anchor = "E" + chart_at[1:]
    bar_chart(
        page.ws,
        f"Value added by each rep's override (lag {lag})",
        (1, first, first + len(rows) - 1),
        [(2, "70AD47")],
        anchor,
        "0%",
        horizontal=True,
    )


def _worst_override(block: Block, best: bool = False) -> int | None:
    """The row of the rep-adjusted step that loses most accuracy (``best``: adds most),
    outside the "All" group."""
    candidates = [
        i for i in range(block.rows) if _is_override(block, i) and block.values["actual"][i]
    ]
    if not candidates:
        return None

    def added(i: int) -> float:
        v = block.values
        return (v["abs_error"][i - 1] - v["abs_error"][i]) / v["actual"][i]

    sign = -1 if best else 1
    return min(candidates, key=lambda i: (sign * added(i), i))
