"""The Summary page, first in the pre-read: what the snapshot is, the decisions the S&OP
meeting needs to take with the figure behind each (formulas over the other pages), and the
conventions. Names (an account, a rep, a reason code) are formulas too, so the page follows the
Data sheet."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.workbook import Workbook

from addin.fpa.sheets import BOLD
from addin.preread.page import MONEY, PCT, Page
from sync.science.conventions import CONVENTIONS
from sync.science.figures import Figures
from sync.science.supply import NONE_LOADED

SUMMARY = "Summary"


def new_summary(wb: Workbook, stamp: str) -> Page:
    page = Page.new(wb, SUMMARY, "S&OP executive pre-read", stamp, [80, 16, 20])
    return page


def fill_summary(page: Page, figures: Figures, refs: dict[str, str]) -> None:
    ws = page.ws
    facts = [
        ("Cycle", figures.cycle),
        ("Region", figures.region or "All regions"),
        ("Plan snapshot", figures.snapshot_id),
        ("Prior cycle's snapshot", figures.prior_id or "none (first closed cycle)"),
        ("Accuracy and value added read at", f"lag {figures.lag}"),
    ]
    for label, value in facts:
        ws.cell(page.row, 1, label).font = BOLD
        ws.cell(page.row, 2, value).data_type = "s"
        page.row += 1
    page.heading("Decisions needed")
    rows = [_decision(*d) for d in _decisions(figures, refs)]
    first, last = page.table(["Decision", "Figure", "See page"], rows, [None, None, None])
    for r, (label, _, fmt, _) in zip(
        range(first, last + 1), _decisions(figures, refs), strict=True
    ):
        ws.cell(r, 2).number_format = fmt
        for col in (1, 2, 3):
            ws.cell(r, col).alignment = Alignment(
                wrap_text=col == 1,
                vertical="top",
                horizontal={2: "right", 3: "center"}.get(col),
            )
        ws.row_dimensions[r].height = 15 * (1 + len(label) // 80)
    page.heading("Conventions")
    for text in CONVENTIONS:
        page.note(text)


def _decision(label: str, formula: str, fmt: str, where: str) -> list[str]:
    return [label, formula, where]


def _decisions(figures: Figures, refs: dict[str, str]) -> list[tuple[str, str, str, str]]:
    out = [
        (
            "Gap to target (plan - target revenue; negative = short): close it or accept it",
            f"={refs['gap']}",
            MONEY,
            "Gap to target",
        )
    ]
    if "months_short" in refs:
        out.append(
            (
                "Product-months where supply is short of demand: allocate or add supply",
                f"={refs['months_short']}",
                "0",
                "Demand vs supply",
            )
        )
    else:
        out.append((NONE_LOADED, '="none loaded"', "@", "Demand vs supply"))
    if "top_account" in refs:
        out.append(
            (
                f'="Top risk account: "&{refs["top_account"]}&" ("&{refs["top_reason"]}&")"',
                f"={refs['top_at_risk']}",
                MONEY,
                "Top risks",
            )
        )
    out.append(
        (
            f"Plan change since the prior cycle ({figures.prior_id or 'none'}): confirm the drivers",
            f"={refs['change']}",
            MONEY,
            "Revenue bridge",
        )
    )
    if "wape" in refs:
        out.append(
            (
                f'="Latest accuracy (WAPE, lag {figures.lag}, cycle "&{refs["cycle"]}&")"',
                f"={refs['wape']}",
                PCT,
                "Accuracy",
            )
        )
    if "reps_beyond_4" in refs:
        out.append(
            (
                "Reps whose tracking signal is beyond +/-4 (persistent bias): review their plans",
                f"={refs['reps_beyond_4']}",
                "0",
                "Accuracy",
            )
        )
    if "worst_rep" in refs:
        out.append(
            (
                f'="Rep whose overrides cost most accuracy: "&{refs["worst_rep"]}',
                f"={refs['worst_rep_va']}",
                "+0.0%;-0.0%;0.0%",
                "FVA stairstep",
            )
        )
    if "best_rep" in refs:
        out.append(
            (
                f'="Rep whose overrides add most accuracy: "&{refs["best_rep"]}',
                f"={refs['best_rep_va']}",
                "+0.0%;-0.0%;0.0%",
                "FVA stairstep",
            )
        )
    if "worst_reason" in refs:
        out.append(
            (
                f'="Reason code that adds least: "&{refs["worst_reason"]}',
                f"={refs['worst_reason_va']}",
                "+0.0%;-0.0%;0.0%",
                "FVA stairstep",
            )
        )
    out.append(
        (
            "Downside to upside range (revenue): agree the scenario to plan on",
            f"={refs['upside']}-{refs['downside']}",
            MONEY,
            "Scenarios",
        )
    )
    return out
