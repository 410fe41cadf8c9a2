"""Points-and-fines ledger and warnings on SQLite and PostgreSQL (SPEC M4 4.4–4.6): S49–S54 through
the services, titles for decisions, append-only storage, reversals and one winner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent, CatalogueVersion, LedgerEntryRecord, OrgUnit, User
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import ledger
from lib.services.kpi import warning_cases as kpi_warnings
from lib.services.ledger import CatalogueForm, ViolationFacts
from tests.db.helpers import audit_actions, count, make_user, race

D = dt.date
NOW = dt.datetime(2026, 7, 20, 2, 0, tzinfo=dt.timezone.utc)  # Monday 10:00 in Shanghai


def unit(engine, kind: str, name: str, parent: int | None = None) -> int:
    with session_scope(engine) as session:
        row = OrgUnit(kind=kind, name=name, parent_id=parent)
        session.add(row)
        session.flush()
        return row.id


def place(engine, actor, *, team: int | None = None, department: int | None = None):
    with session_scope(engine) as session:
        user = session.get(User, actor.id)
        user.team_id, user.department_id = team, department
        session.add(user)
    return actor


@pytest.fixture
def office(engine):
    dept = unit(engine, "department", "客服部")
    t1, t2, t3 = (unit(engine, "team", name, dept) for name in ("一队", "二队", "三队"))
    people = {
        "gm": make_user(engine, username="gm", role="supervisor", name="总经理老周", titles=("总经理",)),
        "boss": make_user(engine, username="boss", role="supervisor", name="主管老李"),
        "admin": make_user(engine, username="root", role="admin", name="管理员"),
        "wall": make_user(engine, username="wall", role="display"),
    }
    for key, name, team in (("s", "孙悦", t1), ("a", "安琪", t1), ("b", "包拯", t1), ("c", "陈晨", t2)):
        people[key] = place(engine, make_user(engine, username=key, name=name), team=team, department=dept)
    return {"dept": dept, "t1": t1, "t2": t2, "t3": t3, **people}


def propose(engine, office, who: str, code: str, on: dt.date = D(2026, 7, 3), **facts) -> list[int]:
    return ledger.propose_entry(engine, actor=office["boss"], person_id=office[who].id, code=code, occurred_on=on,
                                facts=ViolationFacts(**facts), now=NOW)


def confirm(engine, office, ids) -> None:
    for entry_id in ids:
        ledger.decide_entry(engine, actor=office["gm"], entry_id=entry_id, confirm=True, now=NOW)


def rows_of(engine, office, who: str):
    return ledger.entries(engine, actor=office["boss"], first=D(2026, 1, 1), last=D(2026, 12, 31),
                          person_id=office[who].id)


# --- scenarios ---------------------------------------------------------------------------------------------

def test_S49_two_private_calls_cost_the_team_4_points_and_the_person_2_yuan(engine, office):
    confirm(engine, office, propose(engine, office, "s", "PH1") + propose(engine, office, "s", "PH1", D(2026, 7, 6)))
    ranking = {r.team: (r.points, r.score) for r in ledger.team_ranking(engine, actor=office["boss"],
                                                                         month=D(2026, 7, 1))}
    assert ranking["一队"] == (-4, 96)
    fund = ledger.fund(engine, actor=office["boss"], first=D(2026, 7, 1), last=D(2026, 7, 31))
    assert (fund.outstanding, fund.collected) == (Decimal(2), Decimal(0))
    assert [(t.team, t.team_points, t.fine) for t in fund.by_team] == [("一队", -4, Decimal(2))]
    assert sorted(r.occurrence_no for r in rows_of(engine, office, "s")) == [1, 2]


def test_S49_untraceable_charge_is_split_over_the_team_and_traceable_costs_double(engine, office):
    ids = propose(engine, office, "s", "PH5", amount="30", traceable=False)
    assert len(ids) == 3
    with session_scope(engine, write=False) as session:
        shares = sorted((session.get(User, r.person_id).name, r.compensation, r.payer)
                        for r in session.exec(select(LedgerEntryRecord).where(LedgerEntryRecord.id.in_(ids))))
    assert shares == [("包拯", Decimal(10), "team_split"), ("孙悦", Decimal(10), "team_split"),
                      ("安琪", Decimal(10), "team_split")]
    traced = propose(engine, office, "c", "PH5", amount="20")
    assert [(r.compensation, r.payer) for r in rows_of(engine, office, "c") if r.id in traced] == [
        (Decimal(40), "person")]


def test_S50_three_non_work_entries_cost_10_then_30_then_a_dismissal_flag(engine, office):
    for month in (1, 5, 7):
        confirm(engine, office, propose(engine, office, "s", "CS1", D(2026, month, 2)))
    rows = sorted(rows_of(engine, office, "s"), key=lambda r: r.occurrence_no)
    assert [(r.occurrence_no, r.fine, r.action) for r in rows] == [
        (1, Decimal(10), None), (2, Decimal(30), None), (3, Decimal(0), "dismissal")]


def test_S52_lateness_counts_within_the_month_and_resets_the_next(engine, office):
    for day in (1, 2, 3):
        propose(engine, office, "s", "AT1", D(2026, 6, day))
    propose(engine, office, "s", "AT1", D(2026, 7, 1))
    rows = sorted(rows_of(engine, office, "s"), key=lambda r: (r.occurred_on, r.id))
    assert [(r.occurrence_no, r.fine, r.action) for r in rows] == [
        (1, Decimal(20), None), (2, Decimal(40), None), (3, Decimal(0), "persuade_to_resign"),
        (1, Decimal(20), None)]


def test_S53_repeat_water_waste_after_a_warning_costs_50_and_a_first_fight_100(engine, office):
    propose(engine, office, "s", "RR1", D(2026, 5, 4))
    propose(engine, office, "s", "RR1", D(2026, 7, 9))
    propose(engine, office, "s", "RR4", D(2026, 7, 9))
    rows = sorted(rows_of(engine, office, "s"), key=lambda r: r.id)
    assert [(r.code, r.fine, r.action) for r in rows] == [
        ("RR1", Decimal(0), "verbal_warning"), ("RR1", Decimal(50), None), ("RR4", Decimal(100), None)]


def test_S51_team_style_ranking_counts_confirmed_entries_only_and_ranks_every_team(engine, office):
    confirm(engine, office, propose(engine, office, "s", "PH1") + propose(engine, office, "a", "PH4"))
    confirm(engine, office, propose(engine, office, "c", "PH3", amount="80"))
    propose(engine, office, "c", "PH4")  # a proposal costs nothing yet
    ranking = ledger.team_ranking(engine, actor=office["s"], month=D(2026, 7, 1))
    assert [(r.rank, r.team, r.score) for r in ranking] == [(1, "三队", 100), (2, "二队", 95), (3, "一队", 93)]


def test_S54_sun_at_educated_violates_again_and_is_listed_for_the_cs_manager(engine, office):
    sun = office["s"].id
    step = lambda event, **kw: kpi_warnings.record_step(engine, actor=office["boss"], person_id=sun,  # noqa: E731
                                                        track="cs", event=event, **kw)
    assert step("violation") == "recorded"
    assert step("educate", note="已谈话") == "educated"
    assert kpi_warnings.manager_list(engine, actor=office["boss"]) == []
    assert step("violation") == "reported_to_cs_manager"
    assert kpi_warnings.manager_list(engine, actor=office["boss"]) == ["孙悦"]
    assert [s.stage for s in kpi_warnings.history(engine, actor=office["boss"], person_id=sun, track="cs")] == [
        "recorded", "educated", "reported_to_cs_manager"]
    assert audit_actions(engine, "kpi_warning") == ["violation", "educate", "violation"]


# --- decisions, titles, reversals ------------------------------------------------------------------------

def test_only_the_decider_title_confirms_and_an_admin_overrides_with_a_reason(engine, office):
    [entry] = propose(engine, office, "s", "PH1")
    with pytest.raises(NotAllowed) as err:
        ledger.decide_entry(engine, actor=office["boss"], entry_id=entry, confirm=True)
    assert err.value.params == {"title": "总经理"}
    with pytest.raises(ValidationFailed):
        ledger.decide_entry(engine, actor=office["admin"], entry_id=entry, confirm=True)
    assert ledger.decide_entry(engine, actor=office["admin"], entry_id=entry, confirm=True, reason="总经理出差") == \
        "confirmed"
    assert audit_actions(engine, "kpi_ledger_entry") == ["propose", "override_confirm"]


def test_waiving_needs_a_reason_and_waived_entries_do_not_count(engine, office):
    [entry] = propose(engine, office, "s", "CS1")
    with pytest.raises(ValidationFailed) as err:
        ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=False)
    assert err.value.keys() == {"ledger_reason": "ledger.waive_reason"}
    ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=False, reason="初犯，口头提醒")
    [again] = propose(engine, office, "s", "CS1")
    assert [r.occurrence_no for r in rows_of(engine, office, "s") if r.id == again] == [1]
    with pytest.raises(DomainError, match="bad_transition"):
        ledger.collect_entry(engine, actor=office["boss"], entry_id=entry)


def test_a_correction_is_a_reversing_entry_that_nets_the_fund_to_zero_once(engine, office):
    [entry] = propose(engine, office, "s", "RR4")
    confirm(engine, office, [entry])
    ledger.collect_entry(engine, actor=office["boss"], entry_id=entry, now=NOW)
    fund = ledger.fund(engine, actor=office["boss"], first=D(2026, 7, 1), last=D(2026, 7, 31))
    assert fund.collected == Decimal(100)
    with pytest.raises(ValidationFailed):
        ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="")
    undo = ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="查无实据")
    fund = ledger.fund(engine, actor=office["boss"], first=D(2026, 7, 1), last=D(2026, 7, 31))
    assert (fund.collected, fund.outstanding) == (Decimal(0), Decimal(0))
    rows = {r.id: r for r in rows_of(engine, office, "s")}
    assert (rows[undo].reverses_id, rows[undo].fine, rows[entry].reversed_by_id) == (entry, Decimal(-100), undo)
    with pytest.raises(Conflict):
        ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="再冲一次")


def test_two_reversals_at_once_have_one_winner(engine, office):
    [entry] = propose(engine, office, "s", "RR2")
    confirm(engine, office, [entry])
    results = race(lambda: ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="甲"),
                   lambda: ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="乙"))
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert [r.key for r in results if isinstance(r, DomainError)] == ["ledger.already_reversed"]
    assert count(engine, LedgerEntryRecord, LedgerEntryRecord.reverses_id == entry) == 1


def test_two_decisions_at_once_have_one_winner(engine, office):
    [entry] = propose(engine, office, "s", "PH2")
    results = race(lambda: ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=True,
                                               seen_status="proposed"),
                   lambda: ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=False,
                                               reason="不罚", seen_status="proposed"))
    assert sum(isinstance(r, str) for r in results) == 1, results
    assert all(isinstance(r, (str, DomainError)) for r in results)


def test_two_proposals_for_one_person_at_once_never_share_an_occurrence(engine, office):
    results = race(lambda: propose(engine, office, "s", "CS1"), lambda: propose(engine, office, "s", "CS1"))
    losers = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) and r.key == "ledger.concurrent_entry" for r in losers), results
    occurrences = sorted(r.occurrence_no for r in rows_of(engine, office, "s"))
    assert occurrences == list(range(1, len(occurrences) + 1)) and len(occurrences) == 2 - len(losers)


def test_entries_facts_and_money_cannot_be_changed_or_deleted_in_the_database(engine, office):
    [entry] = propose(engine, office, "s", "PH1")
    for statement in (f"UPDATE kpi_ledger_entry SET fine = 0 WHERE id = {entry}",
                      f"UPDATE kpi_ledger_entry SET code = 'PH2' WHERE id = {entry}",
                      f"DELETE FROM kpi_ledger_entry WHERE id = {entry}"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope(engine) as session:
                session.execute(text(statement))
    with session_scope(engine, write=False) as session:
        assert session.get(LedgerEntryRecord, entry).fine == Decimal(1)


# --- validation, roles, catalogue ----------------------------------------------------------------------------

def test_a_bad_proposal_says_what_to_fix_and_writes_nothing(engine, office):
    with pytest.raises(ValidationFailed) as err:
        ledger.propose_entry(engine, actor=office["boss"], person_id=None, code="", occurred_on=D(2099, 1, 1),
                             facts=ViolationFacts(), now=NOW)
    assert set(err.value.keys()) == {"ledger_person", "ledger_code", "ledger_occurred_on"}
    with pytest.raises(ValidationFailed) as err:
        propose(engine, office, "s", "PH3")
    assert err.value.keys() == {"ledger_amount": "ledger.amount_required"}
    assert count(engine, LedgerEntryRecord) == 0
    assert count(engine, AuditEvent, AuditEvent.entity == "kpi_ledger_entry") == 0


def test_staff_see_their_own_lines_and_the_display_role_nothing(engine, office):
    propose(engine, office, "s", "PH1")
    propose(engine, office, "c", "PH1")
    mine = ledger.entries(engine, actor=office["s"], first=D(2026, 7, 1), last=D(2026, 7, 31),
                          person_id=office["c"].id)
    assert [r.person_name for r in mine] == ["孙悦"]
    for call in (lambda: ledger.entries(engine, actor=office["wall"], first=D(2026, 7, 1), last=D(2026, 7, 31)),
                 lambda: propose(engine, {**office, "boss": office["s"]}, "c", "PH1"),
                 lambda: ledger.fund(engine, actor=office["s"], first=D(2026, 7, 1), last=D(2026, 7, 31))):
        with pytest.raises(NotAllowed):
            call()


def test_catalogue_edit_is_a_new_version_and_old_entries_keep_their_amounts(engine, office):
    [old] = propose(engine, office, "s", "LG1")
    version = ledger.save_catalogue_line(engine, actor=office["admin"], form=CatalogueForm(
        code="LG1", team_points=-1, steps=[("25", None)]), reason="新制度")
    assert version == 1
    [new] = propose(engine, office, "a", "LG1")
    fines = {r.id: (r.fine, r.team_points) for r in ledger.entries(engine, actor=office["boss"], first=D(2026, 7, 1),
                                                                   last=D(2026, 7, 31))}
    assert (fines[old], fines[new]) == ((Decimal(20), 0), (Decimal(25), -1))
    line = next(c for c in ledger.catalogue(engine) if c.code == "LG1")
    assert (line.version, line.rule.source) == (1, "seed 004 D7")
    with pytest.raises(NotAllowed):
        ledger.save_catalogue_line(engine, actor=office["boss"], form=CatalogueForm(code="LG1", steps=[(1, None)]))


def test_a_new_code_needs_a_label_and_a_code_can_be_switched_off_per_department(engine, office):
    with pytest.raises(ValidationFailed) as err:
        ledger.save_catalogue_line(engine, actor=office["admin"], form=CatalogueForm(
            code="xx", steps=[("-1", "bogus")]))
    assert set(err.value.keys()) == {"ledger_code", "ledger_steps", "ledger_label"}
    ledger.save_catalogue_line(engine, actor=office["admin"], form=CatalogueForm(
        code="OT1", label="工位吃零食", steps=[("5", None)], disabled_departments=[office["dept"]]))
    assert count(engine, CatalogueVersion) == 1
    with pytest.raises(DomainError) as err:
        propose(engine, office, "s", "OT1")
    assert err.value.key == "ledger.code_disabled"
    boss_place = place(engine, make_user(engine, username="x1", name="外部门"), team=None, department=None)
    [entry] = ledger.propose_entry(engine, actor=office["boss"], person_id=boss_place.id, code="OT1",
                                   occurred_on=D(2026, 7, 3), now=NOW)
    assert entry > 0


def test_the_databases_sums_agree_with_the_domain_totals_for_any_mix_of_statuses(engine, office):
    """The fund and team views sum in SQL; they must read the ledger exactly as ``ledger.totals`` does."""
    from lib.domain import ledger as rules

    codes = ["PH1", "PH4", "RR4", "LG1", "CS1", "PH2"]
    ids = [i for n, code in enumerate(codes) for i in propose(engine, office, "sabc"[n % 4], code)]
    decide = [True, True, True, False, True, None]
    for entry, confirm in zip(ids, decide):
        if confirm is not None:
            ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=confirm, reason="核实")
    ledger.collect_entry(engine, actor=office["boss"], entry_id=ids[0])
    ledger.collect_entry(engine, actor=office["boss"], entry_id=ids[2])
    ledger.reverse_entry(engine, actor=office["gm"], entry_id=ids[0], reason="更正")
    ledger.reverse_entry(engine, actor=office["gm"], entry_id=ids[1], reason="更正")
    rows = ledger.entries(engine, actor=office["boss"], first=D(2026, 7, 1), last=D(2026, 7, 31))
    domain = [rules.LedgerEntry(r.id, r.person_id, r.team_id or 0, r.code, r.occurred_on, r.occurrence_no,
                                r.team_points, r.fine, r.compensation, rules.Payer(r.payer),
                                rules.Action(r.action) if r.action else None, rules.EntryStatus(r.status),
                                r.reverses_id) for r in rows]
    fund = ledger.fund(engine, actor=office["boss"], first=D(2026, 7, 1), last=D(2026, 7, 31))
    expected = rules.fund_total(domain)
    assert (fund.collected, fund.outstanding) == (expected.collected, expected.outstanding)
    ours = {t.team_id: rules.Totals(t.team_points, t.fine, t.compensation) for t in fund.by_team}
    theirs = rules.by_team(domain)
    assert {k: v for k, v in ours.items() if v != rules.Totals()} == \
        {k: v for k, v in theirs.items() if v != rules.Totals()} != {}
    ranking = {r.team_id: r.points for r in ledger.team_ranking(engine, actor=office["boss"], month=D(2026, 7, 1))}
    assert ranking[office["t1"]] == rules.by_team(domain)[office["t1"]].team_points


# --- T22: a reversed entry is settled ----------------------------------------------------------------------

def test_T22_a_reversed_entry_shows_reversed_and_cannot_be_collected_or_waived(engine, office):
    entry = propose(engine, office, "s", "RR4")[0]
    confirm(engine, office, [entry])
    undo = ledger.reverse_entry(engine, actor=office["gm"], entry_id=entry, reason="查无实据", now=NOW)
    rows = {r.id: r for r in rows_of(engine, office, "s")}
    assert (rows[entry].shown_status, rows[undo].shown_status) == ("reversed", "reversal")
    audits_before = count(engine, AuditEvent)
    with pytest.raises(DomainError) as refused:
        ledger.collect_entry(engine, actor=office["gm"], entry_id=entry, now=NOW)
    assert refused.value.key == "ledger.entry_reversed"
    with pytest.raises(DomainError) as refused:
        ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=False, reason="免", now=NOW)
    assert refused.value.key == "ledger.entry_reversed"
    with pytest.raises(DomainError):
        ledger.collect_entry(engine, actor=office["gm"], entry_id=undo, now=NOW)
    assert count(engine, AuditEvent) == audits_before
    assert {r.id: r.status for r in rows_of(engine, office, "s")}[entry] == "confirmed"


def test_T22_collecting_audits_the_change_it_made_not_an_equal_before_and_after(engine, office):
    entry = propose(engine, office, "s", "RR4")[0]
    confirm(engine, office, [entry])
    ledger.collect_entry(engine, actor=office["boss"], entry_id=entry, now=NOW)
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.entity == "kpi_ledger_entry",
                                                     AuditEvent.entity_id == str(entry))).all()
        changes = [(r.action, r.before, r.after) for r in rows]
    assert ("collect", {"status": "confirmed"}, {"status": "collected"}) in changes
    assert all(before != after for _, before, after in changes)
    with pytest.raises(DomainError):
        ledger.collect_entry(engine, actor=office["boss"], entry_id=entry, now=NOW)


# --- T24: a 劝退 flag opens a case waiting for a decision ---------------------------------------------------

def test_T24_the_third_lateness_in_a_month_opens_one_case_in_the_entrys_transaction(engine, office):
    from db.models import DisciplineCase

    ids = [propose(engine, office, "s", "AT1", D(2026, 7, day))[0] for day in (1, 2, 3)]
    [case] = kpi_warnings.decision_cases(engine, actor=office["boss"])
    assert (case.entry_id, case.action, case.status, case.name) == (ids[2], "persuade_to_resign", "pending", "孙悦")
    with session_scope(engine) as session:
        row = session.get(LedgerEntryRecord, ids[2])
        assert ledger.open_case(session, actor=office["boss"], row=row, now=NOW) == case.id  # idempotent
    assert count(engine, DisciplineCase) == 1
    assert "open" in audit_actions(engine, "kpi_discipline_case")


def test_T24_the_decision_needs_the_decider_and_a_reason_is_audited_and_happens_once(engine, office):
    propose(engine, office, "s", "PH4", serious=True)
    [case] = kpi_warnings.decision_cases(engine, actor=office["boss"])
    with pytest.raises(NotAllowed):
        kpi_warnings.decide_case(engine, actor=office["boss"], case_id=case.id, confirm=True, reason="劝退")
    with pytest.raises(ValidationFailed):
        kpi_warnings.decide_case(engine, actor=office["gm"], case_id=case.id, confirm=False, reason="")
    results = race(lambda: kpi_warnings.decide_case(engine, actor=office["gm"], case_id=case.id, confirm=True,
                                                    reason="情节严重", now=NOW),
                   lambda: kpi_warnings.decide_case(engine, actor=office["gm"], case_id=case.id, confirm=False,
                                                    reason="初犯从轻", now=NOW))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    [case] = kpi_warnings.decision_cases(engine, actor=office["boss"])
    assert case.status in ("confirmed", "waived")
    with session_scope(engine) as session:
        decided = session.exec(select(AuditEvent).where(AuditEvent.entity == "kpi_discipline_case",
                                                        AuditEvent.action.in_(("confirm", "waive")))).all()
        assert [(a.before, a.after["status"]) for a in decided] == [({"status": "pending"}, case.status)]


def test_T24_a_first_lateness_opens_no_case(engine, office):
    propose(engine, office, "s", "AT1")
    assert kpi_warnings.decision_cases(engine, actor=office["boss"]) == []


def test_T13_the_decider_titles_are_a_managed_list_setting(engine, office):
    from lib.services import settings

    deputy = make_user(engine, username="vp", role="supervisor", name="副总老王", titles=("副总",))
    entry = propose(engine, office, "s", "PH1")[0]
    with pytest.raises(NotAllowed):
        ledger.decide_entry(engine, actor=deputy, entry_id=entry, confirm=True, now=NOW)
    settings.change_setting(engine, actor=office["admin"], key="ledger.decider_titles", value=["总经理", "副总"])
    assert ledger.decider_titles(engine) == ["总经理", "副总"]
    assert ledger.decide_entry(engine, actor=deputy, entry_id=entry, confirm=True, now=NOW) == "confirmed"


def test_T24_waiving_the_flagging_entry_waives_its_waiting_case(engine, office):
    [entry] = propose(engine, office, "s", "PH4", serious=True)
    ledger.decide_entry(engine, actor=office["gm"], entry_id=entry, confirm=False, reason="查无实据", now=NOW)
    [case] = kpi_warnings.decision_cases(engine, actor=office["boss"])
    assert (case.status, case.reason) == ("waived", "查无实据")
    assert "waive_with_entry" in audit_actions(engine, "kpi_discipline_case")
