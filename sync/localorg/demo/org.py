"""The demo org: a deterministic Manufacturing Cloud org with reps, accounts, products, periods,
24 months of orders, baselines, targets, sales agreements and 12 closed past cycles with
their plan snapshots (``history``; the latest is FP&A's prior plan).

``create_demo_org(path, size=..., as_of=..., seed=...)`` builds it in a temporary file and
renames it into place. The same (size, as_of, seed) gives the same file, byte for byte: Ids
are counters, names come from fixed lists and numbers from ``numpy.random.default_rng(seed)``.

Who is in it (see ``SIZES``): an admin (``admin@demandgrid.demo``), an FP&A analyst
(``fpa@demandgrid.demo``), planners (``planner@demandgrid.demo``, then ``planner2@...``) and
reps (``DEMO_REP`` is the first). Each rep owns the account forecasts of 30 accounts (mostly in
the rep's home region, ``User.Division``; ``Account.Region__c`` holds each account's region),
with exactly 150 account x product forecasts: 2,700 cells in an 18-month horizon.

A planner's region is the team of reps who report to the planner (``User.ManagerId``). Pull it
by the team's Ids: ``SELECT Id FROM User WHERE ManagerId = {planner}``, then the cells whose
``AccountProductForecast.AccountForecast.OwnerId IN {team}``. Size "region" is one planner with
20 reps: 20 x 2,700 = 54,000 cells in 18 months. ``planner_team(org, username)`` does this.

Periods: monthly ``Period`` rows for whole calendar years around ``as_of`` (at least 24 months
before its month and 36 after), with Quarter and Year periods. Forecast cells exist for every
account x product x month from 24 months before the as-of month to 36 months after.

The demo rep's book holds one clearly named text-safety account (``TEXT_SAFETY_ACCOUNT``: a
formula sign and SUMIFS wildcards that must stay text) and two ``Expired`` account forecasts
(locked cells); every other account reads as a real customer.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from simple_salesforce import format_soql

from sync.localorg.demo import names
from sync.localorg.demo.build import Book
from sync.localorg.demo.designwins import add_design_wins
from sync.localorg.demo.gathering import agreements_take_erp_actuals
from sync.localorg.demo.history import close_history
from sync.localorg.demo.rep import rep_forecasts
from sync.localorg.demo.series import month_index, month_start
from sync.localorg.store import ADMIN_USERNAME, DAILY_API_REQUESTS
from sync.localorg.tables import create_tables, set_meta
from sync.org.seam import Org

HISTORY_MONTHS = 24
FUTURE_MONTHS = 36
ACCOUNTS_PER_REP = 30
DEMO_PLANNER = "planner@demandgrid.demo"
FPA_USER = "fpa@demandgrid.demo"
ORG_NAME = "demandgrid demo org"


@dataclass(frozen=True)
class Size:
    reps: int
    planners: int  # the reps are split evenly between the planners' teams


SIZES: dict[str, Size] = {
    "demo": Size(reps=4, planners=1),  # 10,800 cells in 18 months
    "region": Size(reps=20, planners=1),  # a planner's region: 54,000 cells in 18 months
    "large": Size(reps=60, planners=3),  # three regions: 162,000 cells in 18 months
    # A business unit under one planner (issue 16): 160 x 2,700 = 432,000 cells in 18 months,
    # 504,000 in a default pull (18 months ahead and 3 back).
    "enterprise": Size(reps=160, planners=1),
}


def _rep_name(i: int) -> tuple[str, str]:
    first = names.FIRST_NAMES[i % len(names.FIRST_NAMES)]
    last = names.LAST_NAMES[(i + 11 * (i // len(names.FIRST_NAMES))) % len(names.LAST_NAMES)]
    return first, last


def _username(first: str, last: str) -> str:
    return f"{first.lower()}.{last.lower()}@demandgrid.demo"


#: The demo rep: ``demandgrid demo`` pulls this rep's workbook.
DEMO_REP = _username(*_rep_name(0))


def create_demo_org(
    path: str | Path, *, size: str = "demo", as_of: date | None = None, seed: int = 7
) -> Path:
    """Build the demo org at ``path`` (replacing any file there) and return the path."""
    if size not in SIZES:
        raise ValueError(f"Unknown demo org size {size!r}. Sizes: {', '.join(SIZES)}.")
    as_of = as_of or datetime.now(UTC).date()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    conn = sqlite3.connect(building, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        create_tables(conn)
        current = month_index(as_of)
        book = Book(
            conn,
            as_of=as_of,
            rng=np.random.default_rng(seed),
            first=current - HISTORY_MONTHS,
            last=current + FUTURE_MONTHS,
        )
        last_stamp = _populate(book, SIZES[size])
        book.flush()
        agreements_take_erp_actuals(conn)  # issue 13 A
        add_design_wins(book, DEMO_REP)  # issue 13: closed-won opportunities with schedules
        for key, value in (
            ("api_daily_max", DAILY_API_REQUESTS),
            ("as_of", as_of.isoformat()),
            ("size", size),
            ("seed", seed),
            ("demo_rep", DEMO_REP),
            ("last_stamp", last_stamp),
        ):
            set_meta(conn, key, value)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    os.replace(building, path)
    return path


def _populate(book: Book, size: Size) -> str:
    """Add every record of the org to ``book``; return the latest stamp handed out."""
    first, last = book.first, book.last
    book.add("Organization", Name=ORG_NAME)
    admin = book.user("Dana", "Admin", ADMIN_USERNAME, "Salesforce Administrator", None, "IT")
    book.user("Felix", "Grant", FPA_USER, "FP&A Analyst", None, "Finance")
    planners = []
    for p in range(size.planners):
        username = DEMO_PLANNER if p == 0 else f"planner{p + 1}@demandgrid.demo"
        first_name, last_name = (("Avery", "Quinn"), ("Riley", "Brooks"), ("Casey", "Hart"))[p % 3]
        planners.append(book.user(first_name, last_name, username, "Demand Planner", admin, "S&OP"))
    team_size = size.reps // size.planners
    reps = []
    for i in range(size.reps):
        first_name, last_name = _rep_name(i)
        region = names.REGIONS[i % len(names.REGIONS)]  # the rep's home region
        manager = planners[min(i // team_size, len(planners) - 1)]
        username = _username(first_name, last_name)
        rep_id = book.user(first_name, last_name, username, "Account Manager", manager, region)
        reps.append((rep_id, region, manager))
    book.products()
    book.periods(
        month_index(date(month_start(first).year, 1, 1)),
        month_index(date(month_start(last).year, 12, 1)),
    )
    combos = [(s, k) for s in names.ACCOUNT_STEMS for k in names.ACCOUNT_KINDS]
    order = book.rng.permutation(len(combos))
    for i, (rep_id, region, manager) in enumerate(reps):
        accounts = []
        for a in range(ACCOUNTS_PER_REP):
            stem, kind = combos[int(order[(i * ACCOUNTS_PER_REP + a) % len(combos)])]
            home = book.rng.random() < 0.75
            account_region = (
                region if home else names.REGIONS[int(book.rng.integers(len(names.REGIONS)))]
            )
            name = None
            if i == 0 and a == _TEXT_SAFETY_SLOT:
                name = names.TEXT_SAFETY_ACCOUNT
            expired = i == 0 and a in _EXPIRED_SLOTS
            accounts.append(
                book.account(rep_id, f"{stem} {kind}", account_region, name=name, expired=expired)
            )
        rep_forecasts(book, rep_id, manager, accounts)
    close_history(book, planners[0])
    return book.last_stamp


#: In the demo rep's book: which account gets the text-safety name, which are Expired.
_TEXT_SAFETY_SLOT = 21
_EXPIRED_SLOTS = (5, 17)


def planner_team(org: Org, planner_username: str) -> list[str]:
    """Ids of the reps who report to the planner (the planner's region), in username order."""
    found = list(
        org.query(format_soql("SELECT Id FROM User WHERE Username = {}", planner_username))
    )
    if not found:
        return []
    soql = format_soql("SELECT Id FROM User WHERE ManagerId = {} ORDER BY Username", found[0]["Id"])
    return [r["Id"] for r in org.query(soql)]
