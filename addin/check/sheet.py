"""Show a check report: a Check sheet in the workbook, marks on the offending cells, a terminal table.

The Check sheet starts at the template's ``dg_check_anchor`` (else cell A1 of a ``Check`` sheet
it creates): a summary line, a heading row, one row per issue with a link to the cell. Marks
from the previous check are cleared first (the sheet remembers which cells it marked), so the
marks always match the latest check. Strings from the org are written as text; the only
formulas are the links, built from our own sheet names and addresses.
"""

from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from rich.markup import escape
from rich.table import Table

from addin.book.surface import BookSurface, ColumnFormat
from addin.check.rules import ERROR, CheckReport
from addin.review import layout

MARK_ERROR = "FFC7CE"
MARK_WARNING = "FFEB9C"
HEADINGS = (
    "Cell",
    "Severity",
    "Rule",
    "Account",
    "Product",
    "Period",
    "Message",
    "What to do",
    "Marked",
)
#: How each column reads (widths in characters): names, messages and what to do wrap.
COLUMNS = (
    ColumnFormat(13),  # Cell: a link, "Review!N23"
    ColumnFormat(9),  # Severity
    ColumnFormat(16, wrap=True),  # Rule
    ColumnFormat(24, wrap=True),  # Account
    ColumnFormat(24, wrap=True),  # Product
    ColumnFormat(9),  # Period
    ColumnFormat(44, wrap=True),  # Message
    ColumnFormat(40, wrap=True),  # What to do
    ColumnFormat(12),  # Marked
)


def write_check_sheet(
    book: BookSurface, report: CheckReport, grid_sheet: str = layout.REVIEW
) -> None:
    """Write ``report`` into the Check sheet and mark its cells, replacing the previous check."""
    sheet, col, row = _anchor(book)
    _clear_previous(book, sheet, col, row)
    book.write(sheet, f"{_a1(col, row)}", [[report.summary()]])
    book.write(sheet, _a1(col, row + 1), [list(HEADINGS)])
    if report.issues:
        first = row + 2
        book.write_formulas(
            sheet, _a1(col, first), [[_link(i.sheet, i.cell)] for i in report.issues]
        )
        book.write(
            sheet,
            _a1(col + 1, first),
            [
                [
                    i.severity,
                    i.rule,
                    i.account,
                    i.product,
                    i.period.strftime("%b %Y") if i.period else "",
                    i.message,
                    i.what_to_do,
                    f"{i.sheet}!{i.cell}",
                ]
                for i in report.issues
            ],
        )
    book.format_table(sheet, _a1(col, row + 1), COLUMNS, len(report.issues), title_rows=1)
    by_sheet: dict[tuple[str, str], list[str]] = {}
    for issue in report.issues:
        color = MARK_ERROR if issue.severity == ERROR else MARK_WARNING
        by_sheet.setdefault((issue.sheet, color), []).append(issue.cell)
    # Errors last, so a cell with both an error and a warning shows the error.
    marks: dict[str, dict[str, list[str]]] = {}
    for (target, color), cells in sorted(by_sheet.items(), key=lambda kv: kv[0][1] == MARK_ERROR):
        book.set_fill(target, sorted(set(cells)), color)
        marks.setdefault(target, {})[color] = sorted(set(cells))
    _set_marks(book, {grid_sheet: {}, **marks})


def _set_marks(book: BookSurface, marks: dict[str, dict[str, list[str]]]) -> None:
    """Marks that conditional formats cannot hide, where the surface can (files: ``set_marks``);
    the plain fill above stays for the others."""
    set_marks = getattr(book, "set_marks", None)
    if set_marks is None:
        return
    names = set(book.sheet_names())
    for sheet, by_color in marks.items():
        if sheet in names:
            set_marks(sheet, by_color)


#: What the Check sheet says once a push's check passed and took the marks off.
CLEARED = "No open problems: the check before your last push passed, and its marks are off."


def clear_marks(book: BookSurface) -> None:
    """Remove the previous check's marks and rows (e.g. after a clean push)."""
    sheet, col, row = _anchor(book, create=False)
    if sheet:
        _clear_previous(book, sheet, col, row)
        book.write(sheet, _a1(col, row), [[CLEARED]])
        book.write(sheet, _a1(col, row + 1), [list(HEADINGS)])
        book.format_table(sheet, _a1(col, row + 1), COLUMNS, 0, title_rows=1)


def _anchor(book: BookSurface, create: bool = True) -> tuple[str, int, int]:
    where = book.resolve(layout.N_CHECK_ANCHOR)
    if where is None:
        if layout.CHECK not in book.sheet_names():
            if not create:
                return "", 1, 1
            book.ensure_sheet(layout.CHECK)
        where = (layout.CHECK, "A1")
    sheet, address = where
    letters, row = coordinate_from_string(address.split(":")[0])
    return sheet, column_index_from_string(letters), row


def _clear_previous(book: BookSurface, sheet: str, col: int, row: int) -> None:
    used = book.used_range(sheet)
    last_row = int("".join(ch for ch in used.split(":")[-1] if ch.isdigit()) or row)
    if last_row < row + 2:
        return
    marked_col = col + len(HEADINGS) - 1
    previous = book.read(sheet, f"{_a1(marked_col, row + 2)}:{_a1(marked_col, last_row)}")
    by_sheet: dict[str, list[str]] = {}
    names = set(book.sheet_names())
    for (value,) in previous:
        if isinstance(value, str) and "!" in value:
            target, cell = value.rsplit("!", 1)
            if target in names:
                by_sheet.setdefault(target, []).append(cell)
    for target, cells in by_sheet.items():
        book.set_fill(target, sorted(set(cells)), None)
    _set_marks(book, {target: {} for target in by_sheet})
    book.clear(sheet, f"{_a1(col, row)}:{_a1(marked_col, last_row)}")


def _link(sheet: str, cell: str) -> str:
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("#{_literal(target)}","{_literal(sheet)}!{cell}")'


def _literal(text: str) -> str:
    return text.replace('"', '""')


def _a1(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


def report_table(report: CheckReport, limit: int = 200) -> Table:
    """The report as a rich table for the terminal (first ``limit`` issues)."""
    table = Table(title=report.summary(), show_lines=False, title_justify="left")
    # Cell, rule and period are short codes a user searches for: keep them whole.
    for heading in ("Cell", "Rule", "Period"):
        table.add_column(heading, no_wrap=True)
    for heading in ("Account", "Product", "Problem", "What to do"):
        table.add_column(heading, overflow="fold")
    for issue in report.issues[:limit]:
        style = "red" if issue.severity == ERROR else "yellow"
        period = issue.period.strftime("%b %Y") if issue.period else ""
        where = f"{issue.sheet}!{issue.cell} ({issue.account} / {issue.product}, {period}): "
        table.add_row(
            escape(f"{issue.sheet}!{issue.cell}"),
            f"[{style}]{issue.rule}[/]",
            period,
            escape(issue.account),
            escape(issue.product),
            escape(issue.message.removeprefix(where)),
            escape(issue.what_to_do),
        )
    if len(report.issues) > limit:
        table.caption = f"... and {len(report.issues) - limit} more on the Check sheet."
    return table
