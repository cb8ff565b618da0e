"""Check's marks in a workbook file as conditional formats that outrank the grid's own.

Excel and LibreOffice draw a conditional format's fill over a cell's own fill, so a cell check
marked red with a plain fill showed the grid's "changed" orange instead whenever a conditional
format applied (a text or an absurd value with a note, say). Here each mark colour is one
conditional format over the marked cells, placed before every other rule (priority 1, 2, ...;
the others move down) and stopping further rules. The marks are told apart from the template's
rules by a formula only they use (``MARK_FORMULA``), so the next check replaces them and a clean
push removes them, also in a file LibreOffice or Excel saved in between.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.formatting.formatting import ConditionalFormatting, ConditionalFormattingList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill

MARK_TAG = "dg check mark"
MARK_FORMULA = f'"{MARK_TAG}"<>""'  # always TRUE; the text tells our rules apart
MARK_FONTS = {"FFC7CE": "9C0006", "FFEB9C": "9C5700"}  # error red, warning yellow


def _is_mark(rule: Any) -> bool:
    return any(MARK_TAG in str(f) for f in (rule.formula or ()))


def set_marks(ws: Any, cells_by_color: Mapping[str, Sequence[str]]) -> None:
    """Replace the sheet's check marks with ``cells_by_color`` (colour -> A1 addresses);
    colours listed later win where a cell appears twice. An empty mapping removes them."""
    kept: list[tuple[ConditionalFormatting, Any]] = []
    for cf, rules in ws.conditional_formatting._cf_rules.items():
        kept.extend((cf, rule) for rule in rules if not _is_mark(rule))
    ordered = sorted(kept, key=lambda pair: pair[1].priority or 0)
    marks = [(color, sorted(set(cells))) for color, cells in cells_by_color.items() if cells]
    fresh = ConditionalFormattingList()
    for priority, (color, cells) in enumerate(reversed(marks), start=1):
        rule = FormulaRule(
            formula=[MARK_FORMULA],
            fill=PatternFill("solid", fgColor=color, bgColor=color),
            font=Font(color=MARK_FONTS.get(color.upper(), "000000")),
            stopIfTrue=True,
        )
        rule.priority = priority
        fresh.add(" ".join(cells), rule)
    for priority, (cf, rule) in enumerate(ordered, start=len(marks) + 1):
        rule.priority = priority
        fresh.add(ConditionalFormatting(str(cf.sqref)), rule)
    ws.conditional_formatting = fresh
