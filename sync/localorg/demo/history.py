"""The demo org's memory: 12 closed past cycles, each a plan snapshot (``DemandPlanCycle__c``
header with its content hash, ``DemandPlanSnapshot__c`` lines), consistent with the orders the
forecast cells already hold for past periods.

The snapshots cover all regions (``SNAP-YYYY-MM-ALL``), closed by the first planner on the
default calendar's demand review close day. The latest (the month before ``as_of``) covers
``SNAPSHOT_MONTHS`` periods: it is FP&A's prior plan. The older ones keep ``OLDER_MONTHS``
periods each (lags 0 to 2), which is what accuracy by lag reads, and keeps the demo small.

The story worth finding, by the rep's place in the org (``_populate``'s order):
- rep 0 (the demo rep) overrides often and well, with "Customer intelligence": the override
  moves most of the way from the baseline toward what then happened (accuracy improves);
- rep 1 is an optimist, "Promotion": overrides 12-35% above the baseline (bias > 0, accuracy
  hurts); the planner halves about half of them in the consensus;
- the others override rarely, a few percent either way, with other reason codes.

Draws: each line's generator is seeded from the draws the main stream made for the old prior
plan (kept, so everything else in the org is as it was), so the same seed gives the same file.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from sync.localorg.demo.build import SNAPSHOT_MONTHS, Book, ForecastLine
from sync.localorg.demo.series import month_start, month_text
from sync.org.snapshot import hash_texts, snapshot_id, text_digest

CYCLES = 12
OLDER_MONTHS = 3
REVIEW_CLOSE_DAY = 12  # the default calendar's demand review close (sync.cycle.calendar)
SHARP, OPTIMIST = 0, 1  # reps by their place in the org
_OTHER_CODES = ("New business", "Seasonality", "Price change", "Distributor inventory")
_NOTES = {
    "Customer intelligence": "Customer shared its build plan for the quarter.",
    "Promotion": "Spring promotion should lift volume.",
    "New business": "New line at the customer ramps up.",
    "Seasonality": "Season starts earlier this year.",
    "Price change": "Price increase moves some orders.",
    "Distributor inventory": "Distributor is rebuilding stock.",
}


def cycles(book: Book) -> list[int]:
    """The closed cycles' months, oldest first."""
    return list(range(book.current - CYCLES, book.current))


def rep_history(
    book: Book, rep: str, planner: str, lines: list[ForecastLine], cells: dict[tuple[str, int], str]
) -> None:
    """The rep's lines in every closed cycle's snapshot; ``cells`` maps (line, month) to the
    forecast cell's Id."""
    persona = len(book.snapshot_reps)
    book.snapshot_reps.append(rep)
    latest = book.current - 1
    spans = [(c, SNAPSHOT_MONTHS if c == latest else OLDER_MONTHS) for c in cycles(book)]
    cycle = np.concatenate([np.full(n, c) for c, n in spans])
    month = np.concatenate([np.arange(c, c + n) for c, n in spans])
    labels = {c: f"{month_start(c):%Y-%m}" for c, _ in spans}
    for line in lines:
        # the old prior plan's draws, kept so the main stream is unchanged
        noise = book.rng.lognormal(0.0, 0.05, SNAPSHOT_MONTHS)
        rng = np.random.default_rng(np.frombuffer(noise.tobytes(), dtype=np.uint32))
        story = _story(rng, persona, line, cycle, month)
        _add_lines(book, rep, planner, line, cells, cycle, month, labels, story)


def _story(
    rng: np.random.Generator, persona: int, line: ForecastLine, cycle: np.ndarray, month: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Baseline, the rep's value, consensus, target and reason code of each (cycle, month)."""
    numbers, n = line.numbers, len(month)
    expected, actual = (
        numbers.expected[month - numbers.first],
        numbers.actual[month - numbers.first],
    )
    lags = month - cycle
    baseline = np.round(expected * rng.lognormal(0.0, 0.05 + 0.015 * lags))
    known = ~np.isnan(actual)
    draw, size, bump = rng.random(n), rng.uniform(0.12, 0.35, n), rng.normal(0, 0.03, n)
    temper = rng.random(n) < 0.5
    others = np.array(_OTHER_CODES, dtype=object)[rng.integers(len(_OTHER_CODES), size=n)]
    if persona == SHARP:
        touched = draw < 0.35
        toward = np.where(known, np.nan_to_num(actual), baseline * (1 + bump))
        value = np.round(baseline + 0.7 * (toward - baseline) * (1 + bump))
        code = np.full(n, "Customer intelligence", dtype=object)
    elif persona == OPTIMIST:
        touched = draw < 0.4
        value = np.round(baseline * (1 + size))
        code = np.full(n, "Promotion", dtype=object)
    else:
        touched = draw < 0.1
        value = np.round(baseline * (1 + 2 * bump))
        code = others
    value = np.where(touched, np.maximum(value, 0.0), baseline)
    consensus = value.copy()
    if persona == OPTIMIST:
        trim = touched & temper
        consensus[trim] = np.round(baseline[trim] + 0.5 * (value - baseline)[trim])
    target = np.round(expected * numbers.target_uplift)
    code = np.where(touched, code, np.full(n, None, dtype=object))
    return baseline, value, consensus, target, code


_COLUMNS = (
    "Name",
    "OwnerId",
    "Cycle__c",
    "Account__c",
    "Product__c",
    "Period__c",
    "PeriodStartDate__c",
    "Quantity__c",
    "Revenue__c",
    "IsLocked__c",
    "SnapshotId__c",
    "LineKey__c",
    "CellId__c",
    "Rep__c",
    "BaselineQuantity__c",
    "BaselineRevenue__c",
    "RepQuantity__c",
    "RepRevenue__c",
    "TargetQuantity__c",
    "TargetRevenue__c",
    "ReasonCode__c",
    "Note__c",
    "CreatedById",
    "LastModifiedById",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
)


def _add_lines(
    book: Book,
    rep: str,
    planner: str,
    line: ForecastLine,
    cells: dict[tuple[str, int], str],
    cycle: np.ndarray,
    month: np.ndarray,
    labels: dict[int, str],
    story: tuple[np.ndarray, ...],
) -> None:
    price = line.spec.price
    baseline, value, consensus, target, code = story
    quantities = np.stack([baseline, value, consensus, target])
    revenue = np.round(quantities * price, 2)
    # the eight numbers in line_text's order: baseline, its revenue, rep, ..., target revenue
    numbers = np.empty((8, len(month)))
    numbers[0::2], numbers[1::2] = quantities, revenue
    shown = [",".join(f'"{x:.2f}"' for x in col) for col in numbers.T.tolist()]
    q, r = quantities.T.tolist(), revenue.T.tolist()
    account, product = line.account.id, line.product_id
    ids = f'"{account[:15]}","{product[:15]}","{rep[:15]}"'
    rows = []
    texts = book.snapshot_texts
    for k, (c, m) in enumerate(zip(cycle.tolist(), month.tolist(), strict=True)):
        label = labels[c]
        sid = f"SNAP-{label}-ALL"
        period = month_text(m)
        key = f"{sid}|{account[:15]}|{product[:15]}|{period[:7]}"
        cell = cells[(line.id, m)]
        reason = code[k]
        note = _NOTES[reason] if reason else None
        # line_text's canonical JSON, written out (ids, numbers and the fixed texts need no
        # escaping); tests check it against sync.org.snapshot.line_text
        tail = f'"{reason}","{note}"' if reason else "null,null"
        text = f'["{key}","{sid}","{label}","{cell[:15]}",{ids},"{period}",{shown[k]},{tail}]'
        texts.setdefault(c, []).append((key, text))
        stamp = _closed_stamp(c)
        b, v, s, t = q[k]
        rows.append(
            (
                f"{label} {period[:7]} #{text_digest(text)}",
                planner,
                label,
                account,
                product,
                book.month_period[m],
                period,
                s,
                r[k][2],
                1,
                sid,
                key,
                cell,
                rep,
                b,
                r[k][0],
                v,
                r[k][1],
                t,
                r[k][3],
                reason,
                note,
                planner,
                planner,
                stamp,
                stamp,
                stamp,
            )
        )
    book.add_rows("DemandPlanSnapshot__c", _COLUMNS, rows)


@cache
def _closed_stamp(cycle: int) -> str:
    day = month_start(cycle).replace(day=REVIEW_CLOSE_DAY)
    return f"{day.isoformat()}T16:00:00.000+0000"


def close_history(book: Book, planner: str) -> None:
    """One ``DemandPlanCycle__c`` header per closed cycle, with its content hash."""
    for cycle in cycles(book):
        texts = book.snapshot_texts.get(cycle, [])
        if not texts:
            continue
        label = f"{month_start(cycle):%Y-%m}"
        sid = snapshot_id(label, None)
        months = SNAPSHOT_MONTHS if cycle == book.current - 1 else OLDER_MONTHS
        stamp = _closed_stamp(cycle)
        book.add(
            "DemandPlanCycle__c",
            Name=sid,
            OwnerId=planner,
            SnapshotId__c=sid,
            Cycle__c=label,
            Region__c=None,
            ClosedAt__c=stamp,
            ClosedBy__c=planner,
            ContentHash__c=hash_texts(sid, label, None, texts),
            LineCount__c=len(texts),
            Status__c="Closed",
            FirstPeriod__c=month_text(cycle),
            LastPeriod__c=month_text(cycle + months - 1),
            CreatedById=planner,
            CreatedDate=stamp,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
        )
    book.snapshot_texts.clear()
