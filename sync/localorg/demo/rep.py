"""One rep's book in the demo org: account x product forecasts and their monthly cells, the
adjustments already made, targets, sales agreements and its lines of the closed cycles'
plan snapshots (``sync.localorg.demo.history``).

Draws from the book's generator in a fixed order, so the same seed gives the same book.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sync.localorg.demo import names
from sync.localorg.demo.build import (
    ADJUSTED_SHARE,
    AGREEMENT_MONTHS,
    AGREEMENTS_PER_REP,
    AccountRow,
    Book,
    ForecastLine,
)
from sync.localorg.demo.history import rep_history
from sync.localorg.demo.series import end_text, money, month_end, month_start, month_text, series

#: Families per account: ten accounts buy 4, ten buy 5, ten buy 6 (150 forecasts per rep).
FAMILY_COUNTS = (4, 5, 6)


def rep_forecasts(book: Book, rep: str, planner: str, accounts: Sequence[AccountRow]) -> None:
    rng = book.rng
    counts = np.tile(FAMILY_COUNTS, len(accounts) // len(FAMILY_COUNTS) + 1)[: len(accounts)]
    counts = rng.permutation(counts)
    lines: list[ForecastLine] = []
    line_metrics: dict[str, dict[int, str]] = {}
    span_first = book.first - 12  # last year's orders of the first month
    span_last = max(book.year_period) * 12 + 11  # targets run to the end of the last year
    for account, count in zip(accounts, counts, strict=True):
        metric_ids = {
            m: book.add(
                "AccountForecastPeriodMetric",
                Name=month_text(m)[:7],
                AccountForecastId=account.forecast_id,
                PeriodId=book.month_period[m],
                StartDate=month_text(m),
                EndDate=end_text(m),
                AccountGrowthPercentage=round(float(rng.normal(3.0, 2.0)), 2),
                MarketGrowthPercentage=2.0,
            )
            for m in range(book.first, book.last + 1)
        }
        scale = float(rng.lognormal(0.0, 0.5))
        families = sorted(
            int(f) for f in rng.choice(len(names.FAMILIES), int(count), replace=False)
        )
        for f in families:
            product_id, spec = book.products_by_family[names.FAMILIES[f]][int(rng.integers(3))]
            line_id = book.add(
                "AccountProductForecast",
                Name=spec.name,
                AccountForecastId=account.forecast_id,
                ProductId=product_id,
                IsActive=1,
                IsSystemGenerated=1,
            )
            numbers = series(
                rng,
                spec,
                first=span_first,
                last=span_last,
                current=book.current,
                current_share=min(1.0, book.as_of.day / month_end(book.current).day),
                account_scale=scale,
            )
            lines.append(ForecastLine(line_id, account, product_id, spec, numbers))
            line_metrics[line_id] = metric_ids
    planned = _agreements(book, rep, lines)
    cells: dict[tuple[str, int], str] = {}
    for line in lines:
        cells.update(_cells(book, rep, line, line_metrics[line.id], planned.get(line.id, {})))
    _targets(book, rep, planner, lines)
    rep_history(book, rep, planner, lines, cells)


def _agreements(book: Book, rep: str, lines: list[ForecastLine]) -> dict[str, dict[int, float]]:
    """A few sales agreements on the rep's active accounts; the planned quantity per line and
    month (it shows on the cells as ``SalesAgreementPlannedQuantity``)."""
    rng = book.rng
    accounts = list(
        {line.account.id: line.account for line in lines if not line.account.expired}.values()
    )
    chosen = sorted(int(a) for a in rng.choice(len(accounts), AGREEMENTS_PER_REP, replace=False))
    start = book.current - 6
    planned: dict[str, dict[int, float]] = {}
    for a in chosen:
        account = accounts[a]
        agreement = book.add(
            "SalesAgreement",
            Name=f"{account.name} Supply Agreement {month_start(start).year}"[:255],
            OwnerId=rep,
            AccountId=account.id,
            Status="Activated",
            StartDate=month_start(start).isoformat(),
            EndDate=month_end(start + AGREEMENT_MONTHS - 1).isoformat(),
            ScheduleFrequency="Monthly",
            ScheduleCount=AGREEMENT_MONTHS,
            ActualsCalculationMode="Automatic",
        )
        for line in [x for x in lines if x.account.id == account.id][:2]:
            share = float(rng.uniform(0.5, 0.8))
            months = range(start, start + AGREEMENT_MONTHS)
            plan = {
                m: float(round(line.numbers.expected[m - line.numbers.first] * share))
                for m in months
            }
            actual = {
                m: min(plan[m], line.numbers.at(line.numbers.actual, m) or 0.0)
                for m in months
                if m < book.current
            }
            price = line.spec.price
            total_plan, total_actual = sum(plan.values()), sum(actual.values())
            product = book.add(
                "SalesAgreementProduct",
                Name=line.spec.name,
                SalesAgreementId=agreement,
                ProductId=line.product_id,
                SalesPrice=price,
                InitialPlannedQuantity=int(total_plan),
                TotalPlannedQuantity=total_plan,
                TotalActualQuantity=total_actual,
                TotalForecastedQuantity=total_plan,
                TotalPlannedAmount=money(total_plan, price),
                TotalActualAmount=money(total_actual, price),
            )
            for m in months:
                done = actual.get(m)
                book.add(
                    "SalesAgreementProductSchedule",
                    Name=f"{line.spec.code} {month_text(m)[:7]}",
                    SalesAgreementProductId=product,
                    StartDate=month_text(m),
                    EndDate=end_text(m),
                    PlannedQuantity=int(plan[m]),
                    PlannedQuantityValue=plan[m],
                    PlannedAmount=money(plan[m], price),
                    ActualQuantity=None if done is None else int(done),
                    ActualQuantityValue=done,
                    ActualAmount=money(done, price),
                    SalesPrice=price,
                    IsUnderRevision=0,
                )
            planned[line.id] = plan
    return planned


def _cells(
    book: Book, rep: str, line: ForecastLine, metrics: dict[int, str], planned: dict[int, float]
) -> dict[tuple[str, int], str]:
    """The line's forecast cells, one per month, with the rep's earlier adjustments; returns
    each cell's Id by (line, month)."""
    ids: dict[tuple[str, int], str] = {}
    rng = book.rng
    n = book.last - book.first + 1
    adjust = rng.random(n) < ADJUSTED_SHARE
    factors = rng.uniform(0.8, 1.25, n)
    steps = rng.integers(1, 5, n)
    opportunity = rng.random(n) < 0.08
    price, numbers = line.spec.price, line.numbers
    for k, m in enumerate(range(book.first, book.last + 1)):
        actual = numbers.at(numbers.actual, m)
        last_year = numbers.at(numbers.actual, m - 12) if m - 12 < book.current else None
        baseline = numbers.at(numbers.baseline, m) or 0.0
        plan = planned.get(m)
        opp = None
        if m >= book.current and opportunity[k]:
            opp = float(round(numbers.expected[m - numbers.first] * 0.25))
        values = dict(
            Name=f"{line.spec.code} {month_text(m)[:7]}",
            AccountProductForecastId=line.id,
            AccForecastPeriodMetricId=metrics[m],
            PeriodId=book.month_period[m],
            StartDate=month_text(m),
            EndDate=end_text(m),
            ForecastedQuantity=baseline,
            ForecastedRevenue=money(baseline, price),
            CurrentOrdersQuantity=actual,
            CurrentOrdersRevenue=money(actual, price),
            PastOrdersQuantity=last_year,
            PastOrdersRevenue=money(last_year, price),
            SalesAgreementPlannedQuantity=plan,
            SalesAgreementPlannedRevenue=money(plan, price),
            OpportunityQuantity=opp,
            OpportunityRevenue=money(opp, price),
            IsActive=1,
            LastCalculatedDate=book.created,
        )
        if m >= book.current and adjust[k] and not line.account.expired:
            ids[(line.id, m)] = _adjust(
                book, rep, values, baseline, float(factors[k]), int(steps[k]), price
            )
        else:
            ids[(line.id, m)] = book.add("AccountProductPeriodForecast", **values)
    return ids


def _adjust(
    book: Book, rep: str, values: dict, baseline: float, factor: float, steps: int, price: float
) -> str:
    """Add an adjusted cell and its history: ``steps`` edits, the last three active."""
    rng = book.rng
    final = float(round(baseline * factor))
    path = [float(round(baseline + (final - baseline) * (s + 1) / steps)) for s in range(steps)]
    notes = [names.ADJUSTMENT_NOTES[int(rng.integers(len(names.ADJUSTMENT_NOTES)))] for _ in path]
    stamps = [book.edit_stamp() for _ in path]
    cell_id = book.add(
        "AccountProductPeriodForecast",
        **values,
        AdjustedForecastedQuantity=final,
        AdjustedForecastedRevenue=money(final, price),
        AdjustmentComments=notes[-1],
        LastModifiedDate=stamps[-1],
        SystemModstamp=stamps[-1],
        LastModifiedById=rep,
    )
    previous: float | None = None
    for s, (value, note, stamp) in enumerate(zip(path, notes, stamps, strict=True)):
        counter = book.count("AccountForecastAdjustment") + 1
        book.add(
            "AccountForecastAdjustment",
            Name=f"AFA-{counter:07d}",
            AccountProdPeriodForecastId=cell_id,
            AdjustedById=rep,
            AdjustmentComments=note,
            AdjustmentType="Quantity",
            FromValue=previous,
            ToValue=value,
            IsActive=1 if s >= steps - 3 else 0,
            CreatedDate=stamp,
            CreatedById=rep,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
        )
        previous = value
    return cell_id


def _targets(book: Book, rep: str, planner: str, lines: list[ForecastLine]) -> None:
    """Per calendar year: the rep's target, split per account x product, then per month."""
    for year, year_period in book.year_period.items():
        months = range(year * 12, year * 12 + 12)
        monthly = {
            line.id: [
                float(
                    round(
                        line.numbers.expected[m - line.numbers.first] * line.numbers.target_uplift
                    )
                )
                for m in months
            ]
            for line in lines
        }
        total = sum(sum(v) for v in monthly.values())
        total_money = sum(
            sum(money(q, line.spec.price) or 0.0 for q in monthly[line.id]) for line in lines
        )
        target = book.add(
            "AcctMgrTarget",
            Name=f"FY{year} Target",
            OwnerId=planner,
            AssignedToUserId=rep,
            FiscalYearId=year_period,
            StartDate=month_start(months[0]).isoformat(),
            EndDate=month_end(months[-1]).isoformat(),
            Measure="Quantity",
            MeasureType="Sum",
            TargetValue=total,
            TargetCurrencyValue=round(total_money, 2),
        )
        for line in lines:
            quantities = monthly[line.id]
            amounts = [money(q, line.spec.price) or 0.0 for q in quantities]
            split = book.add(
                "AcctMgrTargetDstr",
                Name=f"FY{year} {line.spec.code}",
                AcctMgrTargetId=target,
                AccountId=line.account.id,
                ProductId=line.product_id,
                TargetValue=sum(quantities),
                TargetCurrencyValue=round(sum(amounts), 2),
            )
            wide: dict[str, object] = {}
            for n, m in enumerate(months, start=1):
                wide[f"Period{n}Id"] = book.month_period[m]
                wide[f"Period{n}TargetValue"] = quantities[n - 1]
                wide[f"Period{n}TargetCurrencyValue"] = amounts[n - 1]
            book.add(
                "AcctMgrPeriodicTargetDstr",
                Name=f"FY{year} {line.spec.code} monthly",
                AcctMgrTargetDstrId=split,
                **wide,
            )
