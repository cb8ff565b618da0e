"""Native Excel charts for the pre-read (openpyxl): bars and lines over page tables, and the
revenue bridge as a stacked column with an invisible base series (Excel files have no
waterfall type that openpyxl or LibreOffice can write)."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.worksheet.worksheet import Worksheet

GREEN, RED, BLUE, GREY = "70AD47", "C00000", "4472C4", "A5A5A5"


def bar_chart(
    ws: Worksheet,
    title: str,
    labels: tuple[int, int, int],
    series: list[tuple[int, str]],
    anchor: str,
    y_format: str = "#,##0",
    horizontal: bool = False,
    size: tuple[float, float] = (7.5, 16),
) -> None:
    """Clustered bars: ``labels`` = (column, first row, last row); each series a (column,
    colour) whose heading is the row above ``first``."""
    col, first, last = labels
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.height, chart.width = size
    for column, colour in series:
        chart.add_data(
            Reference(ws, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True
        )
        chart.series[-1].graphicalProperties = GraphicalProperties(solidFill=colour)
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
    chart.y_axis.numFmt = y_format
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # labels clear of bars below zero
    chart.legend.position = "b"
    ws.add_chart(chart, anchor)


def line_chart(
    ws: Worksheet,
    title: str,
    labels: tuple[int, int, int],
    columns: list[int],
    anchor: str,
    y_format: str,
) -> None:
    col, first, last = labels
    chart = LineChart()
    chart.title = title
    chart.height, chart.width = 7.5, 16
    for column in columns:
        chart.add_data(
            Reference(ws, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True
        )
        chart.series[-1].smooth = False
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
    chart.y_axis.numFmt = y_format
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend.position = "b"
    ws.add_chart(chart, anchor)


def bridge_chart(
    ws: Worksheet, labels: tuple[int, int, int], base: int, anchor: str, floor: float | None = None
) -> None:
    """Stacked columns: ``base`` (drawn without fill), then total, rise and fall columns."""
    col, first, last = labels
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "Revenue bridge: prior plan to this plan"
    chart.height, chart.width = 10, 24
    for column, colour in ((base, None), (base + 1, BLUE), (base + 2, GREEN), (base + 3, RED)):
        chart.add_data(
            Reference(ws, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True
        )
        props = (
            GraphicalProperties(solidFill=colour) if colour else GraphicalProperties(noFill=True)
        )
        if not colour:
            props.line.noFill = True
        chart.series[-1].graphicalProperties = props
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
    chart.y_axis.numFmt = "#,##0"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None
    chart.visible_cells_only = False  # the base column is hidden on the page
    if floor is not None:
        chart.y_axis.scaling.min = floor
    ws.add_chart(chart, anchor)
