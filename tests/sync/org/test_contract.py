"""The contract every mapping profile keeps (issue 14): the same tests on {standard, aaf} x
{local, Salesforce over HTTPS} (``profiled_org``, tests/conftest_contract.py). Pull and push are
called exactly as the workbook commands call them; only the assertions about *where* the org
keeps a note look below the seam."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from simple_salesforce import format_soql

from sync.localorg.demo.org import DEMO_REP
from sync.org.mapping import MappingProfile
from sync.org.records import Change
from sync.org.seam import CallCounter, OrgError
from sync.pull.cells import pull_cells
from sync.push.engine import push


def _open_cells(org, profile: MappingProfile, n: int):
    """``n`` editable cells of the demo rep that hold no adjustment yet."""
    frame = pull_cells(org, DEMO_REP, profile=profile).frame
    free = frame[~frame["locked"] & frame["adjusted"].isna()]
    assert len(free) >= n
    return free.head(n)


def _changes(cells, new_value, note: str) -> list[Change]:
    return [
        Change(
            record_id=c.record_id,
            sheet="Review",
            cell=f"H{i + 10}",
            account_name=c.account_name,
            product_name=c.product_name,
            period_start=c.period_start,
            old=None,
            new=new_value(c),
            note=f"{note} {i}",
            reason_code="Promo",
            modstamp=c.modstamp,
            old_note=c.note,
        )
        for i, c in enumerate(cells.itertuples())
    ]


@pytest.mark.parametrize("measure", ["quantity", "revenue"])
def test_pull_edit_push_pull_round_trips_every_editable_measure(profiled_org, measure) -> None:
    org, profile = profiled_org.org, profiled_org.profile.with_measure(measure)
    cells = _open_cells(org, profile, 5)
    changes = _changes(cells, lambda c: float(round(c.baseline * 1.1 + 7, 2)), "round trip")
    receipt = push(org, changes, profile=profile)
    assert [c.outcome for c in receipt.cells] == ["written"] * 5
    again = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    for ch in changes:
        assert again.loc[ch.record_id, "adjusted"] == pytest.approx(ch.new)
        assert again.loc[ch.record_id, "note"] == f"[Promo] {ch.note}"
    # re-run safety: the same changeset again sends nothing and writes nothing twice
    updates = org.calls.update
    second = push(org, changes, profile=profile)
    assert {c.outcome for c in second.cells} == {"already in org"}
    assert org.calls.update == updates


def test_notes_land_where_each_model_keeps_them(profiled_org) -> None:
    org, profile, local = profiled_org.org, profiled_org.profile, profiled_org.local
    cells = _open_cells(org, profile, 3)
    changes = _changes(cells, lambda c: c.baseline + 1, "where is my note")
    push(org, changes, profile=profile)
    ids = [c.record_id for c in changes]
    obj, field = profile.note_location()
    if obj == profile.cell_object:  # standard: on the cell, beside the adjusted value
        soql = format_soql("SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}", field, obj, ids)
        held = {r["Id"]: r[field] for r in local.query(soql)}
    else:  # AAF: the Comment of the adjustment record written with the change
        assert profile.cell_object == "AdvAccountForecastFact"
        assert obj == "AdvAcctForecastFactAdj"
        assert local.describe(profile.cell_object).field(field) is None
        soql = format_soql(
            "SELECT AdvAcctForecastFactId, Comment FROM AdvAcctForecastFactAdj "
            "WHERE AdvAcctForecastFactId IN {} ORDER BY CreatedDate",
            ids,
        )
        held = {r["AdvAcctForecastFactId"]: r["Comment"] for r in local.query(soql)}
    assert held == {c.record_id: f"[Promo] {c.note}" for c in changes}


def test_100_edits_leave_100_adjustment_records_with_initial_and_updated_values(
    profiled_org,
) -> None:
    org, profile, local = profiled_org.org, profiled_org.profile, profiled_org.local
    cells = _open_cells(org, profile, 100)
    changes = _changes(cells, lambda c: float(round(c.baseline * 0.9 + 3)), "hundred")
    push(org, changes, profile=profile)
    h = profile.history()
    soql = format_soql(
        "SELECT {parent:literal}, {old:literal}, {new:literal}, {note:literal} FROM {obj:literal} "
        "WHERE {measure:literal} AND {parent:literal} IN {ids}",
        parent=h.parent_id,
        old=h.from_value,
        new=h.to_value,
        note=h.note,
        obj=h.object,
        measure=h.where,
        ids=[c.record_id for c in changes],
    )
    rows = list(local.query(soql))
    assert len(rows) == 100
    by_cell = {r[h.parent_id]: r for r in rows}
    for ch in changes:
        row = by_cell[ch.record_id]
        assert row[h.from_value] is None  # no adjustment before: the initial value is empty
        assert row[h.to_value] == pytest.approx(ch.new)
        assert row[h.note] == f"[Promo] {ch.note}"


def test_a_push_bigger_than_one_call_lands_whole_in_the_calls_the_profile_says(
    profiled_org,
) -> None:
    org, profile = profiled_org.org, profiled_org.profile
    cells = _open_cells(org, profile, 450)
    changes = _changes(cells, lambda c: float(round(c.baseline) + 2), "big")
    receipt = push(org, changes, profile=profile)
    assert {c.outcome for c in receipt.cells} == {"written"}
    assert org.calls.update == math.ceil(450 / profile.changes_per_call)  # 1 standard, 2 aaf
    again = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    assert list(again.loc[[c.record_id for c in changes], "adjusted"]) == [c.new for c in changes]


def test_a_second_edit_records_the_first_as_its_initial_value(profiled_org) -> None:
    org, profile, local = profiled_org.org, profiled_org.profile, profiled_org.local
    cells = _open_cells(org, profile, 2)
    first = _changes(cells, lambda c: c.baseline + 10, "first")
    push(org, first, profile=profile)
    pulled = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    second = [
        replace(
            c,
            old=c.new,
            new=c.new + 5,
            note="second",
            modstamp=pulled.loc[c.record_id, "modstamp"],
            old_note=pulled.loc[c.record_id, "note"],
        )
        for c in first
    ]
    push(org, second, profile=profile)
    h = profile.history()
    soql = format_soql(
        "SELECT {old:literal}, {new:literal} FROM {obj:literal} WHERE {measure:literal} "
        "AND {parent:literal} IN {ids} ORDER BY CreatedDate",
        old=h.from_value,
        new=h.to_value,
        obj=h.object,
        measure=h.where,
        parent=h.parent_id,
        ids=[c.record_id for c in first],
    )
    pairs = sorted((r[h.from_value] or math.nan, r[h.to_value]) for r in local.query(soql))
    expected = sorted(
        [(math.nan, c.new) for c in first] + [(c.new, c.new + 5) for c in first],
        key=lambda p: (p[0], p[1]),
    )
    assert len(pairs) == 4
    assert [p[1] for p in sorted(pairs, key=lambda p: p[1])] == sorted(p[1] for p in expected)
    assert {p[0] for p in pairs if not math.isnan(p[0])} == {c.new for c in first}


def test_a_measure_that_is_not_editable_is_refused_naming_its_definition(profiled_org) -> None:
    org, profile = profiled_org.org, profiled_org.profile
    cells = _open_cells(org, profile, 2)
    frozen = replace(profile, adjusted=profile.baseline)  # the system forecast: not editable
    changes = [
        replace(ch, old=c.baseline)  # as a workbook pulled with that mapping would hold it
        for ch, c in zip(
            _changes(cells, lambda c: c.baseline + 1, "not allowed"),
            cells.itertuples(),
            strict=True,
        )
    ]
    with pytest.raises(OrgError) as refused:
        push(org, changes, profile=frozen)
    message = str(refused.value)
    assert profile.baseline in message
    if profile.cell_object == "AdvAccountForecastFact":
        assert "measure definition 'Forecasted Quantity'" in message
        assert "CUSTOM" in message
    after = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    assert after.loc[[c.record_id for c in changes], "adjusted"].isna().all()  # nothing landed


def test_the_profile_is_detected_from_the_org(profiled_org) -> None:
    from sync.org.aaf import detect_profile

    assert detect_profile(profiled_org.org).name == profiled_org.profile.name
    assert date.today()  # (detection costs describe calls and at most two one-row queries)


# ---------------------------------------------------------------- the same story on both models

_SAME = ["account_name", "product_name", "period_start", "baseline", "adjusted", "note",
         "actual", "last_year", "target", "locked", "lock_reason", "modstamp"]  # fmt: skip


def test_the_aaf_demo_tells_the_standard_demos_story(demo_org_file, aaf_org_file) -> None:
    from sync.localorg import LocalOrg
    from sync.org.aaf import detect_profile

    standard, aaf = LocalOrg(demo_org_file), LocalOrg(aaf_org_file)
    profile = detect_profile(aaf)
    aaf.calls = CallCounter()
    ours = pull_cells(aaf, DEMO_REP, profile=profile).frame
    theirs = pull_cells(standard, DEMO_REP).frame
    assert ours.loc[:, _SAME].equals(theirs.loc[:, _SAME])
    assert set(ours["record_id"].str[:3]) == {"0Xf"}  # AdvAccountForecastFact records
    # one query for the notes of all cells, one for the adjustment window
    assert aaf.calls.query == standard.calls.query + 2


def test_the_whole_plan_reads_the_same_on_both_models(demo_org_file, aaf_org_file) -> None:
    from sync.fpa.forecast_sets import DEFAULT_SETS
    from sync.fpa.plan import read_plan
    from sync.localorg import LocalOrg

    standard = read_plan(LocalOrg(demo_org_file), DEFAULT_SETS["sop"], region="EMEA").cells
    aaf = read_plan(LocalOrg(aaf_org_file), DEFAULT_SETS["sop"], region="EMEA").cells
    same = [c for c in standard.columns if c not in ("record_id", "period_id")]
    assert len(aaf) == len(standard) > 0
    assert aaf.loc[:, same].equals(standard.loc[:, same])


# ---------------------------------------------------------------- conflicts and lost answers


def test_someone_elses_value_or_note_is_a_conflict_never_overwritten(profiled_org) -> None:
    from sync.push.plan import ConflictsPending

    org, profile = profiled_org.org, profiled_org.profile
    cells = _open_cells(org, profile, 3)
    mine = _changes(cells, lambda c: c.baseline + 5, "mine")
    # a colleague changes the first cell's value, and only the note of the second
    theirs = _changes(cells.head(2), lambda c: c.baseline + 9, "theirs")
    theirs[1] = replace(theirs[1], new=None)  # value untouched (still empty): a note-only change
    push(org, theirs, profile=profile)
    updates = org.calls.update
    with pytest.raises(ConflictsPending) as pending:
        push(org, mine, profile=profile)
    assert {c.change.record_id for c in pending.value.plan.conflicts} == {
        mine[0].record_id,
        mine[1].record_id,
    }
    assert org.calls.update == updates  # nothing sent, not even the third cell
    held = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    assert held.loc[mine[0].record_id, "adjusted"] == theirs[0].new
    assert held.loc[mine[1].record_id, "note"] == "[Promo] theirs 1"
    receipt = push(org, mine, profile=profile, take="mine")
    assert sorted(c.outcome for c in receipt.cells) == [
        "overwrote theirs",
        "overwrote theirs",
        "written",
    ]


class _AnswerLost:
    """The org writes, then the answer is lost on the way back (a timeout after the commit)."""

    def __init__(self, org) -> None:  # type: ignore[no-untyped-def]
        self._org = org
        self.lost = 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._org, name)

    def _lose(self, results):  # type: ignore[no-untyped-def]
        from sync.org.seam import OrgUnavailable

        if self.lost == 0:
            self.lost += 1
            raise OrgUnavailable("the answer was lost (test)")
        return results

    def update(self, object_name, records):  # type: ignore[no-untyped-def]
        return self._lose(self._org.update(object_name, records))

    def save(self, writes):  # type: ignore[no-untyped-def]
        return self._lose(self._org.save(writes))


def test_a_push_whose_answer_was_lost_finishes_on_the_rerun_and_never_applies_twice(
    profiled_org,
) -> None:
    from sync.push.engine import PushIncomplete

    org, profile, local = profiled_org.org, profiled_org.profile, profiled_org.local
    cells = _open_cells(org, profile, 4)
    changes = _changes(cells, lambda c: c.baseline + 3, "lost")
    flaky = _AnswerLost(org)
    with pytest.raises(PushIncomplete, match="not confirm|may or may not"):
        push(flaky, changes, profile=profile)
    again = push(flaky, changes, profile=profile)
    assert {c.outcome for c in again.cells} == {"already in org"}
    h = profile.history()
    soql = format_soql(
        "SELECT {parent:literal} FROM {obj:literal} WHERE {measure:literal} "
        "AND {parent:literal} IN {ids}",
        parent=h.parent_id,
        obj=h.object,
        measure=h.where,
        ids=[c.record_id for c in changes],
    )
    assert len(list(local.query(soql))) == 4  # one adjustment record per change, never two
