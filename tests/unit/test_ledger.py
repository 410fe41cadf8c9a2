"""Points and fines ledger and warnings ladder (SPEC M4 4.4–4.5): scenarios S49, S50, S52–S54."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import discipline, ledger
from lib.domain.discipline import WarningEvent, WarningStage, WarningTrack
from lib.domain.errors import Conflict, DomainError, ValidationFailed
from lib.domain.ledger import (
    CATALOGUE,
    Action,
    EntryStatus,
    LedgerEntry,
    Payer,
    assess,
    by_team,
    fund_total,
    prior_occurrences,
    reversal,
    totals,
    transition,
)
from lib.i18n import LOCALES_DIR

D = dt.date


def record(entries: list[LedgerEntry], person: str, team: str, code: str, on: dt.date, **facts) -> LedgerEntry:
    """What the service does: count prior occurrences, assess, append a confirmed entry."""
    prior = prior_occurrences(entries, person, code, on)
    a = assess(code, prior, **facts)
    entry = LedgerEntry(
        len(entries) + 1, person, team, code, on, a.occurrence_no, a.team_points, a.fine, a.compensation,
        a.payer, a.action, EntryStatus.CONFIRMED,
    )
    entries.append(entry)
    return entry


# --- scenarios --------------------------------------------------------------------------------


def test_S49_two_private_calls_cost_the_team_4_points_and_the_person_2_yuan():
    entries: list[LedgerEntry] = []
    record(entries, "S", "T", "PH1", D(2026, 5, 4))
    record(entries, "S", "T", "PH1", D(2026, 5, 6))
    team = by_team(entries)["T"]
    assert team.team_points == -4
    assert totals(e for e in entries if e.person == "S").fine == Decimal(2)


def test_S49_untraceable_30_yuan_charge_on_three_member_team_costs_each_10():
    a = assess("PH5", 0, amount=Decimal(30), traceable=False, team_members=("A", "B", "C"))
    assert a.payer is Payer.TEAM_SPLIT
    assert a.shares == (("A", Decimal(10)), ("B", Decimal(10)), ("C", Decimal(10)))
    assert (a.team_points, a.fine) == (0, Decimal(0))


def test_S49_traceable_20_yuan_charge_costs_40():
    a = assess("PH5", 0, amount=Decimal(20))
    assert (a.payer, a.compensation, a.shares) == (Payer.PERSON, Decimal(40), ())


def test_S50_three_non_work_activity_entries_cost_10_then_30_then_dismissal():
    entries: list[LedgerEntry] = []
    results = [record(entries, "E", "T", "CS1", D(2026, m, 2)) for m in (1, 5, 11)]
    assert [(e.occurrence_no, e.fine, e.action) for e in results] == [
        (1, Decimal(10), None),
        (2, Decimal(30), None),
        (3, Decimal(0), Action.DISMISSAL),
    ]


def test_S52_lateness_costs_20_then_40_then_persuade_to_resign_and_resets_next_month():
    entries: list[LedgerEntry] = []
    may = [record(entries, "L", "T", "AT1", D(2026, 5, d)) for d in (4, 12, 20)]
    assert [(e.fine, e.action) for e in may] == [
        (Decimal(20), None),
        (Decimal(40), None),
        (Decimal(0), Action.PERSUADE_TO_RESIGN),
    ]
    june = record(entries, "L", "T", "AT1", D(2026, 6, 1))
    assert (june.occurrence_no, june.fine, june.action) == (1, Decimal(20), None)


def test_S53_repeat_water_waste_after_warning_costs_50_and_first_fight_costs_100():
    entries: list[LedgerEntry] = []
    first = record(entries, "Liu", "T", "RR1", D(2026, 5, 4))
    second = record(entries, "Liu", "T", "RR1", D(2026, 7, 9))
    fight = record(entries, "Liu", "T", "RR4", D(2026, 7, 9))
    assert (first.fine, first.action) == (Decimal(0), Action.VERBAL_WARNING)
    assert (second.fine, second.action) == (Decimal(50), None)
    assert (fight.occurrence_no, fight.fine) == (1, Decimal(100))


def test_S54_sun_at_educated_commits_a_second_violation_and_is_listed_for_the_cs_manager():
    sun = discipline.record_violation(None)
    sun = discipline.advance(sun, WarningEvent.EDUCATE)
    assert sun is WarningStage.EDUCATED
    sun = discipline.record_violation(sun)
    assert sun is WarningStage.REPORTED_TO_CS_MANAGER
    stages = {"Sun": sun, "Li": WarningStage.EDUCATED, "Zhou": WarningStage.RECTIFIED}
    assert discipline.cs_manager_list(stages) == ["Sun"]


# --- catalogue rules --------------------------------------------------------------------------


def test_catalogue_matches_the_spec_table_points():
    points = {code: rule.team_points for code, rule in CATALOGUE.items() if rule.team_points}
    assert points == {"PH1": -2, "PH2": -2, "PH3": -5, "PH4": -5}
    assert len(CATALOGUE) == 21  # + LG2 lounge loss, VL1 missed train (issue 16)


def test_handset_damage_repays_purchase_price_without_fine():
    a = assess("PH3", 0, amount=Decimal("129.90"))
    assert (a.team_points, a.fine, a.compensation) == (-5, Decimal(0), Decimal("129.90"))
    with pytest.raises(ValidationFailed) as err:
        assess("PH3", 0)
    assert err.value.keys() == {"amount": "ledger.amount_required"}


def test_tampering_costs_10_plus_losses_and_serious_means_persuade_to_resign():
    a = assess("PH4", 0, amount=Decimal(200), serious=True)
    expected = (-5, Decimal(10), Decimal(200), Action.PERSUADE_TO_RESIGN)
    assert (a.team_points, a.fine, a.compensation, a.action) == expected
    assert assess("PH4", 0).action is None


def test_customer_grabbing_costs_a_days_base_pay_or_month_plus_half_bonus_when_serious():
    assert assess("SQ3", 0, day_pay=Decimal(120)).fine == Decimal(120)
    assert assess("SQ3", 0, serious=True, month_pay=Decimal(3000), month_bonus=Decimal(801)).fine == Decimal("3400.50")


def test_per_item_fines_multiply_by_quantity():
    assert assess("SQ4", 0, quantity=3).fine == Decimal(60)
    assert assess("LG1", 4, quantity=2).fine == Decimal(40)


@pytest.mark.parametrize(
    ("minutes", "prior", "fine", "action"),
    [
        (10, 0, Decimal(5), None),
        (20, 0, Decimal(0), Action.SUPERVISOR_DECIDES),
        (31, 0, Decimal(300), Action.COUNTS_AS_ABSENCE),
        (5, 2, Decimal(300), Action.COUNTS_AS_ABSENCE),
    ],
)
def test_leaving_early_by_minutes_and_third_time(minutes, prior, fine, action):
    a = assess("AT2", prior, minutes=minutes, day_pay=Decimal(150))
    assert (a.fine, a.action) == (fine, action)


def test_absence_costs_two_days_pay_per_day_and_five_in_a_row_is_resignation():
    assert assess("AT3", 0, days=2, day_pay=Decimal(100)).fine == Decimal(400)
    five = assess("AT3", 0, days=5, day_pay=Decimal(100))
    assert (five.fine, five.action) == (Decimal(1000), Action.DEEMED_RESIGNED)


def test_warnings_only_codes():
    assert assess("SQ1", 0).action is Action.WRITTEN_WARNING
    assert assess("SQ2", 3).action is Action.WRITTEN_WARNING
    assert assess("CS2", 0).action is Action.MAJOR_DEMERIT


def test_unknown_and_disabled_codes_are_refused():
    with pytest.raises(DomainError) as err:
        assess("ZZ9", 0)
    assert err.value.key == "ledger.unknown_code"
    with pytest.raises(DomainError) as err:
        assess("PH1", 0, disabled_codes={"PH1"})
    assert err.value.key == "ledger.code_disabled"


def test_untraceable_charge_needs_team_members():
    with pytest.raises(ValidationFailed) as err:
        assess("PH5", 0, amount=Decimal(30), traceable=False)
    assert err.value.keys() == {"team_members": "ledger.team_required"}


def test_catalogue_lines_round_trip_through_their_stored_form():
    assert {code: ledger.rule_from_dict(ledger.rule_to_dict(r)) for code, r in CATALOGUE.items()} == CATALOGUE
    with pytest.raises(DomainError) as err:
        ledger.rule_from_dict({"code": "X1", "steps": []})
    assert err.value.key == "ledger.bad_rule"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100_000), st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=9, unique=True))
def test_team_split_shares_add_up_and_differ_by_at_most_a_cent(cents, members):
    amount = Decimal(cents) / 100
    shares = ledger.split_equally(amount, members)
    assert [m for m, _ in shares] == members
    assert sum(v for _, v in shares) == amount
    assert max(v for _, v in shares) - min(v for _, v in shares) <= Decimal("0.01")


# --- entries, reversals and totals ------------------------------------------------------------


def entry(id_: int, status: EntryStatus, fine: int = 10, points: int = -2, team: str = "T") -> LedgerEntry:
    return LedgerEntry(id_, "P", team, "PH1", D(2026, 5, 1), 1, points, Decimal(fine), Decimal(0), status=status)


def test_status_moves_proposed_confirmed_collected_or_waived():
    e = entry(1, EntryStatus.PROPOSED)
    assert transition(e, EntryStatus.CONFIRMED).status is EntryStatus.CONFIRMED
    assert transition(e, EntryStatus.WAIVED).status is EntryStatus.WAIVED
    assert transition(transition(e, EntryStatus.CONFIRMED), EntryStatus.COLLECTED).status is EntryStatus.COLLECTED
    with pytest.raises(DomainError) as err:
        transition(e, EntryStatus.COLLECTED)
    assert err.value.key == "ledger.bad_transition"
    with pytest.raises(DomainError):
        transition(entry(2, EntryStatus.COLLECTED), EntryStatus.WAIVED)


def test_a_correction_is_a_reversing_entry_never_an_edit():
    original = entry(1, EntryStatus.CONFIRMED, fine=30, points=-5)
    rev = reversal(original, [original], new_id=2)
    assert (rev.id, rev.reverses, rev.fine, rev.team_points) == (2, 1, Decimal(-30), 5)
    assert original.fine == Decimal(30)
    assert totals([original, rev]) == ledger.Totals(0, Decimal(0), Decimal(0))
    with pytest.raises(Conflict) as err:
        reversal(original, [original, rev], new_id=3)
    assert err.value.key == "ledger.already_reversed"
    with pytest.raises(DomainError) as err:
        reversal(rev, [original, rev], new_id=3)
    assert err.value.key == "ledger.cannot_reverse_reversal"
    with pytest.raises(DomainError) as err:
        reversal(entry(4, EntryStatus.PROPOSED), [], new_id=5)
    assert err.value.key == "ledger.not_reversible"


def test_reversed_and_waived_entries_do_not_count_as_prior_occurrences():
    first = entry(1, EntryStatus.CONFIRMED)
    waived = entry(2, EntryStatus.WAIVED)
    rev = reversal(first, [first], new_id=3)
    assert prior_occurrences([first, waived, rev], "P", "PH1", D(2026, 6, 1)) == 0
    assert prior_occurrences([first, waived], "P", "PH1", D(2026, 6, 1)) == 1


def test_fund_total_splits_collected_and_outstanding_fines():
    rows = [
        entry(1, EntryStatus.COLLECTED, 10),
        entry(2, EntryStatus.CONFIRMED, 30),
        entry(3, EntryStatus.PROPOSED, 50),
    ]
    fund = fund_total(rows)
    assert (fund.collected, fund.outstanding, fund.total) == (Decimal(10), Decimal(30), Decimal(40))
    refunded = fund_total([*rows, reversal(rows[0], rows, new_id=4)])
    assert (refunded.collected, refunded.total) == (Decimal(0), Decimal(30))


OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "confirm", "collect", "waive", "reverse"]),
        st.integers(0, 30),
        st.integers(-5, 0),
        st.integers(0, 200),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(OPS)
def test_totals_equal_confirmed_entries_minus_reversals_for_any_sequence(ops):
    rows: list[LedgerEntry] = []
    for op, pick, points, fine in ops:
        originals = [e for e in rows if e.reverses is None]
        if op == "add" or not originals:
            rows.append(entry(len(rows) + 1, EntryStatus.PROPOSED, fine=fine, points=points, team=f"T{pick % 3}"))
            continue
        target = originals[pick % len(originals)]
        status = {"confirm": EntryStatus.CONFIRMED, "collect": EntryStatus.COLLECTED, "waive": EntryStatus.WAIVED}
        try:
            if op == "reverse":
                rows.append(reversal(target, rows, new_id=len(rows) + 1))
            else:
                rows[rows.index(target)] = transition(target, status[op])
        except DomainError:
            continue
    cancelled = {e.reverses for e in rows if e.reverses is not None}
    standing = [e for e in rows if e.reverses is None and e.status in ledger.COUNTED and e.id not in cancelled]
    result = totals(rows)
    assert result.team_points == sum(e.team_points for e in standing)
    assert result.fine == sum((e.fine for e in standing), Decimal(0))
    assert sum(t.fine for t in by_team(rows).values()) == result.fine
    assert fund_total(rows).total == result.fine


# --- warnings ladder and penalty order --------------------------------------------------------


def test_warning_ladder_refusal_after_criticism_goes_to_company_discipline():
    stage = WarningStage.EDUCATED
    for event in (WarningEvent.REFUSE, WarningEvent.CRITICISE, WarningEvent.REFUSE, WarningEvent.DISMISS):
        stage = discipline.advance(stage, event)
    assert stage is WarningStage.DISMISSED
    assert discipline.advance(WarningStage.PUBLICLY_CRITICISED, WarningEvent.RECTIFY) is WarningStage.RECTIFIED
    with pytest.raises(DomainError) as err:
        discipline.advance(WarningStage.RECORDED, WarningEvent.DISMISS)
    assert err.value.key == "discipline.bad_event"


def test_sales_written_warning_is_referred_to_admin_by_hand():
    stage = discipline.record_violation(None, WarningTrack.SALES)
    assert stage is WarningStage.WRITTEN_WARNING
    assert discipline.record_violation(stage, WarningTrack.SALES) is WarningStage.WRITTEN_WARNING
    assert discipline.advance(stage, WarningEvent.REFER_TO_ADMIN) is WarningStage.REFERRED_TO_ADMIN


def test_penalty_order_verbal_written_major_demerit_dismissal():
    assert [discipline.penalty_severity(a) for a in discipline.PENALTY_ORDER] == [0, 1, 2, 3]
    assert discipline.harsher(Action.MAJOR_DEMERIT, Action.WRITTEN_WARNING) is Action.MAJOR_DEMERIT
    assert discipline.harsher(Action.VERBAL_WARNING, Action.DISMISSAL) is Action.DISMISSAL
    with pytest.raises(DomainError):
        discipline.penalty_severity(Action.COUNTS_AS_ABSENCE)


# --- catalog keys -------------------------------------------------------------------------


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _keys() -> set[str]:
    keys = {rule.label_key for rule in CATALOGUE.values()}
    for module, enums in (
        ("ledger", (ledger.Action, ledger.MoneyRule, ledger.Payer, ledger.CountingWindow, ledger.EntryStatus)),
        ("discipline", (WarningTrack, WarningStage, WarningEvent)),
    ):
        for enum_cls in enums:
            keys |= {f"{module}.{_snake(enum_cls.__name__)}.{m.value}" for m in enum_cls}
    keys |= {
        "ledger.unknown_code", "ledger.code_disabled", "ledger.quantity_positive", "ledger.amount_required",
        "ledger.amount_negative", "ledger.team_required", "ledger.bad_transition", "ledger.cannot_reverse_reversal",
        "ledger.not_reversible", "ledger.already_reversed", "ledger.bad_rule", "discipline.bad_event",
        "discipline.not_a_penalty",
    }
    return keys


def kpi_catalog(lang: str) -> dict[str, str]:
    """This module's catalog file; the merged catalog is checked by the platform's i18n test."""
    return json.loads((LOCALES_DIR / lang / "kpi.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_ledger_key_is_in_both_catalogs(lang):
    assert _keys() - set(kpi_catalog(lang)) == set()


def test_T22_a_reversed_entry_is_shown_reversed_and_offers_no_action():
    from lib.domain.ledger import actions_open, shown_status

    assert shown_status("confirmed", reverses=None, reversed_by=7) == "reversed"
    assert shown_status("confirmed", reverses=3, reversed_by=None) == "reversal"
    assert shown_status("confirmed", reverses=None, reversed_by=None) == "confirmed"
    assert actions_open("confirmed", reverses=None, reversed_by=7) == ()
    assert actions_open("confirmed", reverses=3, reversed_by=None) == ()
    assert actions_open("confirmed", reverses=None, reversed_by=None) == ("collect", "reverse")
    assert actions_open("proposed", reverses=None, reversed_by=None) == ()


def test_T24_dismissal_flags_open_a_case_and_a_case_is_decided_once():
    assert discipline.opens_case(ledger.Action.PERSUADE_TO_RESIGN) and discipline.opens_case("dismissal")
    assert not discipline.opens_case(None) and not discipline.opens_case(ledger.Action.WRITTEN_WARNING)
    assert discipline.decide_case("pending", True) is discipline.CaseStatus.CONFIRMED
    assert discipline.decide_case("pending", False) is discipline.CaseStatus.WAIVED
    with pytest.raises(DomainError):
        discipline.decide_case("waived", True)
