"""Design wins in the demo org (issue 13): closed-won opportunities with line-item schedules on
a few of the demo rep's accounts, so the review grid has Upside rows to show.

Deterministic without drawing from the demo's random stream (adding them never changes any
other record): the lines are picked in Id order from the forecast cells already written.
- Win 1 lands on the first line with an ``OpportunityQuantity`` in the next six months: its
  schedule there is that quantity plus 30% of the baseline, so the part already in the period
  forecast (``OpportunityQuantity``) must not be shown again as upside.
- Wins 2 and 3: two more accounts, three monthly schedules each (dated the 15th).
- One open opportunity (Negotiation) with schedules: never upside.
"""

from __future__ import annotations

from datetime import date, timedelta

from sync.localorg.demo.build import Book
from sync.localorg.demo.series import month_index

_LINES = """
SELECT c.Id, c.StartDate, c.ForecastedQuantity, c.OpportunityQuantity, c.ForecastedRevenue,
       apf.ProductId, af.AccountId, p.ProductCode, a.Name
FROM AccountProductPeriodForecast c
JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId
JOIN AccountForecast af ON af.Id = apf.AccountForecastId
JOIN Product2 p ON p.Id = apf.ProductId
JOIN Account a ON a.Id = af.AccountId
WHERE af.OwnerId = ? AND af.Status = 'Active' AND c.StartDate > ? AND c.StartDate <= ?
ORDER BY af.AccountId, apf.ProductId, c.StartDate
"""


def add_design_wins(book: Book, rep_username: str) -> None:
    """Add the demo's design wins for ``rep_username`` (see the module docstring) and flush."""
    book.flush()
    rep = book.conn.execute("SELECT Id FROM User WHERE Username = ?", (rep_username,)).fetchone()
    if rep is None:
        return
    now = date(book.as_of.year, book.as_of.month, 1)
    until = (now + timedelta(days=31 * 6)).replace(day=1)
    rows = book.conn.execute(_LINES, (rep[0], now.isoformat(), until.isoformat())).fetchall()
    lines: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:
        lines.setdefault((row[6], row[5]), []).append(row)
    with_opportunity = next((k for k, cells in lines.items() if any(c[3] for c in cells[:3])), None)
    used_accounts: set[str] = set()
    if with_opportunity:
        cells = [c for c in lines[with_opportunity][:3] if c[3]][:1]
        cell = cells[0]
        extra = round(0.3 * (cell[2] or 0)) + 10
        _win(book, rep[0], with_opportunity, [(cell, cell[3] + extra)], won=True)
        used_accounts.add(with_opportunity[0])
    others = [k for k in lines if k[0] not in used_accounts]
    picked: list[tuple[str, str]] = []
    for key in others:
        if key[0] not in {k[0] for k in picked} and not any(c[3] for c in lines[key][1:4]):
            picked.append(key)
        if len(picked) == 3:
            break
    for n, key in enumerate(picked):
        cells = lines[key][1:4]
        schedule = [(c, float(round(0.15 * (c[2] or 0)) + 5 * (n + 1))) for c in cells]
        _win(book, rep[0], key, schedule, won=n < 2)
    book.flush()


def _win(
    book: Book, owner: str, key: tuple[str, str], schedule: list[tuple[tuple, float]], *, won: bool
) -> None:
    account, product = key
    first = schedule[0][0]
    price = (first[4] / first[2]) if first[2] else 100.0
    quantity = sum(q for _, q in schedule)
    close = book.as_of - timedelta(days=30 if won else -20)
    opportunity = book.add(
        "Opportunity",
        Name=f"{first[8]} design win {first[7]}" if won else f"{first[8]} pipeline {first[7]}",
        OwnerId=owner,
        AccountId=account,
        StageName="Closed Won" if won else "Negotiation",
        IsClosed=1 if won else 0,
        IsWon=1 if won else 0,
        CloseDate=close.isoformat(),
        Amount=round(quantity * price, 2),
    )
    line = book.add(
        "OpportunityLineItem",
        Name=f"{first[7]} design win",
        OpportunityId=opportunity,
        Product2Id=product,
        ProductCode=first[7],
        Quantity=quantity,
        UnitPrice=round(price, 2),
        TotalPrice=round(quantity * price, 2),
        HasQuantitySchedule=1,
        HasRevenueSchedule=1,
    )
    for cell, qty in schedule:
        start = date.fromisoformat(cell[1])
        assert month_index(start) >= month_index(book.as_of)
        book.add(
            "OpportunityLineItemSchedule",
            OpportunityLineItemId=line,
            ScheduleDate=start.replace(day=15).isoformat(),
            Quantity=qty,
            Revenue=round(qty * price, 2),
            Type="Both",
        )
