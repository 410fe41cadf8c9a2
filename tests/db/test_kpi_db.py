"""KPIs, rankings and the wall's data on SQLite and PostgreSQL (SPEC M4 4.1–4.3, 4.7): S47, S48, S55
through the services, the Excel import, display links and one winner per decision."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import session_scope
from db.models import (
    AuditEvent,
    DisplayLink,
    MonthlySales,
    OrgUnit,
    QuarterPublication,
    Ticket,
    TicketSurvey,
    User,
)
from lib.domain.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from lib.services import display, ledger, rotation, settings
from lib.services.kpi import rankings as kpi
from lib.services.kpi import sales_import as kpi_import
from lib.services.ledger import ViolationFacts
from tests.db.helpers import audit_actions, count, make_user, race

D = dt.date
UTC = dt.timezone.utc


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock in Shanghai on ``day``, as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


@pytest.fixture
def floor(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="销售经理")
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=("销售顾问",)) for i in range(1, 7)]
    with session_scope(engine) as session:
        for i, person in enumerate(people, start=1):
            user = session.get(User, person.id)
            user.staff_no = f"S{i:03d}"
            session.add(user)
    return boss, people


def enter(engine, boss, people, month: dt.date, last: int, last_units: int = 1) -> None:
    """A month where consultant number ``last`` (1-based) sold least."""
    units = {p.id: 10 - i for i, p in enumerate(people)}
    units[people[last - 1].id] = last_units
    kpi.save_sales(engine, actor=boss, month=month, units=units, now=at(month + dt.timedelta(days=27)))


# --- S47 sales ranking and demotion ------------------------------------------------------------------------

def test_S47_last_in_march_and_april_is_demoted_for_may_and_the_queue_honours_it(engine, floor):
    boss, people = floor
    enter(engine, boss, people, D(2026, 3, 1), last=6)
    enter(engine, boss, people, D(2026, 4, 1), last=6)
    view = kpi.sales_month(engine, actor=boss, month=D(2026, 4, 1))
    assert [(r.name, r.rank, r.is_last) for r in view.rows][-1] == ("顾问6", 6, True)
    assert [(c.name, c.start, c.end, c.rule, c.decision) for c in view.candidates] == [
        ("顾问6", D(2026, 5, 1), D(2026, 5, 31), "consecutive", "pending")]
    result = kpi.decide_demotion(engine, actor=boss, consultant_id=people[5].id, trigger_month=D(2026, 4, 1),
                                 confirm=True, reason="连续两月末位，按制度执行", now=at(D(2026, 4, 30)))
    assert result.queue_error is None
    assert [c.in_queue for c in kpi.sales_month(engine, actor=boss, month=D(2026, 4, 1)).candidates] == [True]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people],
                         now=at(D(2026, 5, 4), 8))
    board = rotation.board(engine, actor=boss, now=at(D(2026, 5, 4), 8))
    assert "顾问6" not in [s.name for s in board.slots] and board.demoted == ("顾问6",)
    may = kpi.sales_month(engine, actor=boss, month=D(2026, 5, 1))
    assert may.rows == ()
    assert audit_actions(engine, "kpi_demotion") == ["confirmed"]
    assert audit_actions(engine, "queue_demotion") == ["set"]


def test_S47_last_in_january_and_march_is_demoted_for_april(engine, floor):
    boss, people = floor
    for month, last in ((1, 3), (2, 5), (3, 3)):
        enter(engine, boss, people, D(2026, month, 1), last=last)
    assert kpi.sales_month(engine, actor=boss, month=D(2026, 2, 1)).candidates == ()
    [candidate] = kpi.sales_month(engine, actor=boss, month=D(2026, 3, 1)).candidates
    assert (candidate.name, candidate.start, candidate.rule, candidate.last_months) == (
        "顾问3", D(2026, 4, 1), "twice_in_window", (D(2026, 1, 1), D(2026, 3, 1)))


def test_S47_serving_consultant_is_unranked_and_a_waived_one_is_ranked_again(engine, floor):
    boss, people = floor
    for month in (3, 4):
        enter(engine, boss, people, D(2026, month, 1), last=6)
    enter(engine, boss, people, D(2026, 5, 1), last=6, last_units=0)
    may = kpi.sales_month(engine, actor=boss, month=D(2026, 5, 1))
    assert [(r.name, r.rank, r.demoted) for r in may.rows if r.name == "顾问6"] == [("顾问6", None, True)]
    assert [r.name for r in may.rows if r.is_last] == ["顾问5"]
    with pytest.raises(ValidationFailed) as err:
        kpi.decide_demotion(engine, actor=boss, consultant_id=people[5].id, trigger_month=D(2026, 4, 1),
                            confirm=False, reason=" ")
    assert err.value.keys() == {"kpi_reason": "field.required"}
    kpi.decide_demotion(engine, actor=boss, consultant_id=people[5].id, trigger_month=D(2026, 4, 1), confirm=False,
                        reason="新车型断货，情有可原")
    may = kpi.sales_month(engine, actor=boss, month=D(2026, 5, 1))
    assert [(r.name, r.rank, r.is_last) for r in may.rows if r.name == "顾问6"] == [("顾问6", 6, True)]
    assert may.candidates == (), "the waived last places are used up"
    assert rotation.demotions(engine, actor=boss, around=D(2026, 5, 1)) == []


def test_a_demotion_is_decided_once_even_by_two_managers_at_once(engine, floor):
    boss, people = floor
    other = make_user(engine, username="boss2", role="supervisor", name="副经理")
    for month in (3, 4):
        enter(engine, boss, people, D(2026, month, 1), last=6)
    decide = lambda actor, confirm: kpi.decide_demotion(  # noqa: E731
        engine, actor=actor, consultant_id=people[5].id, trigger_month=D(2026, 4, 1), confirm=confirm,
        reason="决定", now=at(D(2026, 4, 30)))
    results = race(lambda: decide(boss, True), lambda: decide(other, False))
    assert sum(isinstance(r, kpi.DecisionResult) for r in results) == 1, results
    assert [r.key for r in results if isinstance(r, DomainError)] == ["kpi.demotion_decided"]
    with pytest.raises(Conflict):
        kpi.decide_demotion(engine, actor=boss, consultant_id=people[0].id, trigger_month=D(2026, 4, 1),
                            confirm=True, reason="不是末位")


def test_sales_entry_checks_every_figure_and_audits_corrections(engine, floor):
    boss, people = floor
    with pytest.raises(ValidationFailed) as err:
        kpi.save_sales(engine, actor=boss, month=D(2026, 3, 1), units={people[0].id: -1, people[1].id: 2.5},
                       now=at(D(2026, 3, 30)))
    assert err.value.keys() == {"kpi_units": "kpi.bad_units"}
    with pytest.raises(ValidationFailed) as err:
        kpi.save_sales(engine, actor=boss, month=D(2026, 5, 1), units={people[0].id: 3}, now=at(D(2026, 4, 30)))
    assert err.value.keys() == {"kpi_month": "kpi.month_in_future"}
    assert count(engine, MonthlySales) == 0
    kpi.save_sales(engine, actor=boss, month=D(2026, 3, 9), units={people[0].id: 3, people[1].id: None},
                   now=at(D(2026, 3, 30)))
    kpi.save_sales(engine, actor=boss, month=D(2026, 3, 1), units={people[0].id: 4}, now=at(D(2026, 3, 31)))
    with session_scope(engine, write=False) as session:
        events = session.exec(text("SELECT action, before, after FROM audit_event "
                                   "WHERE entity = 'kpi_monthly_sales' ORDER BY id")).all()
    assert [e[0] for e in events] == ["manual", "manual"]
    assert count(engine, MonthlySales) == 1
    with pytest.raises(NotAllowed):
        kpi.save_sales(engine, actor=people[0], month=D(2026, 3, 1), units={people[0].id: 99})


# --- Excel import ---------------------------------------------------------------------------------------------

def workbook(rows: list[list[object]], headers=("月份", "工号", "姓名", "销量")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_filled_in_imports_all_rows(engine, floor):
    boss, people = floor
    template = kpi_import.sales_template(engine, actor=boss, month=D(2026, 3, 1))
    sheet = load_workbook(io.BytesIO(template)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["月份", "工号", "姓名", "销量"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("2026-03", f"S{i:03d}", f"顾问{i}") for i in range(1, 7)]
    for index, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        row[3].value = 10 - index if index != 4 else None
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    result = kpi_import.import_sales(engine, actor=boss, content=buffer.getvalue(), now=at(D(2026, 4, 2)))
    assert (result.rows, result.changed, result.months) == (5, 5, (D(2026, 3, 1),))
    ranked = kpi.sales_month(engine, actor=boss, month=D(2026, 3, 1))
    assert [(r.name, r.units) for r in ranked.rows][:2] == [("顾问1", 9), ("顾问2", 8)]
    assert ranked.missing == ("顾问4",)
    assert audit_actions(engine, "kpi_monthly_sales") == ["import"]


def test_an_import_with_any_bad_row_writes_nothing_and_lists_every_problem(engine, floor):
    boss, people = floor
    content = workbook([
        ["2026-03", "S001", "顾问1", 5],
        ["2026-13", "S002", "顾问2", 4],
        ["2026/3", "S999", "", 4],
        ["2026年3月", "", "顾问3", "很多"],
        ["2026-03", "S004", "顾问5", 2],
        [dt.datetime(2026, 3, 1), "S001", "", 6],
        ["2026-06", "S006", "顾问6", 1],
    ])
    with pytest.raises(kpi_import.ImportRejected) as err:
        kpi_import.import_sales(engine, actor=boss, content=content, now=at(D(2026, 4, 2)))
    assert [(e.row, e.column, e.key) for e in err.value.errors] == [
        (3, "month", "kpi.import.bad_month"),
        (4, "staff_no", "kpi.import.unknown_staff_no"),
        (5, "units", "kpi.bad_units"),
        (6, "name", "kpi.import.name_mismatch"),
        (7, "staff_no", "kpi.import.duplicate"),
        (8, "month", "kpi.month_in_future"),
    ]
    assert count(engine, MonthlySales) == 0
    assert count(engine, AuditEvent, AuditEvent.entity == "kpi_monthly_sales") == 0


def test_an_unreadable_file_or_a_wrong_header_is_refused_clearly(engine, floor):
    boss, _ = floor
    for content, key in ((b"not a workbook", "kpi.import.bad_file"),
                         (workbook([["2026-03", "S001", "顾问1", 5]], headers=("a", "b", "c", "d")),
                          "kpi.import.bad_header"),
                         (workbook([["2026-03", "S001", "顾问1", None]]), "kpi.import.empty")):
        with pytest.raises(kpi_import.ImportRejected) as err:
            kpi_import.import_sales(engine, actor=boss, content=content, now=at(D(2026, 4, 2)))
        assert [e.key for e in err.value.errors] == [key]


# --- S48 quarterly ranking ----------------------------------------------------------------------------------

@pytest.fixture
def service(engine):
    boss = make_user(engine, username="cs_boss", role="supervisor", name="客服经理", titles=("总经理",))
    staff = [make_user(engine, username=f"e{i:02d}", name=f"工程师{i:02d}", titles=("客服工程师",))
             for i in range(1, 11)]
    make_user(engine, username="sales1", name="不参加", titles=("销售顾问",))
    return boss, staff


def fine_points(engine, boss, person, times: int, on: dt.date) -> None:
    for _ in range(times):
        ids = ledger.propose_entry(engine, actor=boss, person_id=person.id, code="PH1", occurred_on=on,
                                   facts=ViolationFacts(), now=at(on + dt.timedelta(days=1)))
        for entry in ids:
            ledger.decide_entry(engine, actor=boss, entry_id=entry, confirm=True)


def test_S48_ten_staff_ranks_1_to_3_get_1500_4_to_8_1000_and_9_10_nothing_paid_in_april(engine, service):
    boss, staff = service
    for i, person in enumerate(staff):
        fine_points(engine, boss, person, i, D(2026, 2, 10))
        survey(engine, person.id, at(D(2026, 2, 11)), 8, "satisfied", True, False)
    with pytest.raises(DomainError, match="quarter_not_over"):
        kpi.publish_quarter(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 3, 31)))
    preview = kpi.quarter_view(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 1)))
    assert (preview.published, preview.can_publish, preview.participants) == (False, True, 10)
    kpi.publish_quarter(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 1)))
    view = kpi.quarter_view(engine, actor=staff[0], year=2026, quarter=1)
    assert view.published and view.payout == D(2026, 4, 1)
    assert [(r.name, r.rank, r.bonus) for r in view.rows] == [
        (f"工程师{i:02d}", i, Decimal(1500) if i <= 3 else Decimal(1000) if i <= 8 else Decimal(0))
        for i in range(1, 11)]
    assert view.rows[1].components["ledger_points"] == -2.0


def test_S48_a_published_quarter_never_changes_and_q4_pays_in_january(engine, service):
    boss, staff = service
    fine_points(engine, boss, staff[0], 1, D(2026, 11, 3))
    survey(engine, staff[0].id, at(D(2026, 11, 4)), 9, "satisfied", True, False)
    kpi.publish_quarter(engine, actor=boss, year=2026, quarter=4, now=at(D(2027, 1, 2)))
    before = kpi.quarter_view(engine, actor=boss, year=2026, quarter=4)
    fine_points(engine, boss, staff[1], 3, D(2026, 12, 1))
    after = kpi.quarter_view(engine, actor=boss, year=2026, quarter=4)
    assert after == before and after.payout == D(2027, 1, 1)
    with pytest.raises(Conflict):
        kpi.publish_quarter(engine, actor=boss, year=2026, quarter=4, now=at(D(2027, 1, 3)))
    for statement in ("UPDATE kpi_quarter_result SET bonus = 9999", "DELETE FROM kpi_quarter_publication"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope(engine) as session:
                session.execute(text(statement))
    assert count(engine, QuarterPublication) == 1


def test_two_publications_at_once_have_one_winner_and_staff_see_no_preview(engine, service):
    boss, staff = service
    survey(engine, staff[0].id, at(D(2026, 5, 4)), 9, "satisfied", True, False)
    results = race(lambda: kpi.publish_quarter(engine, actor=boss, year=2026, quarter=2, now=at(D(2026, 7, 1))),
                   lambda: kpi.publish_quarter(engine, actor=boss, year=2026, quarter=2, now=at(D(2026, 7, 1))))
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert [r.key for r in results if isinstance(r, DomainError)] == ["kpi.quarter_published"]
    preview = kpi.quarter_view(engine, actor=staff[0], year=2026, quarter=3, now=at(D(2026, 10, 2)))
    assert (preview.published, preview.rows) == (False, ())
    with pytest.raises(NotAllowed):
        kpi.publish_quarter(engine, actor=staff[0], year=2026, quarter=3, now=at(D(2026, 10, 2)))


# --- satisfaction from the follow-up surveys -----------------------------------------------------------------

def survey(engine, technician: int | None, when: dt.datetime, score: int, attitude: str, resolved: bool,
           charged: bool) -> None:
    with session_scope(engine) as session:
        ticket = Ticket(type="repair", flow="repair", state="closed", agent_no="017", technician_id=technician,
                        received_at=when, updated_at=when)
        session.add(ticket)
        session.flush()
        session.add(TicketSurvey(ticket_id=ticket.id, at=when, convenient=True, resolved=resolved,
                                 attitude=attitude, charged=charged, score=score))


def test_satisfaction_kpis_come_from_the_follow_up_surveys_of_the_period(engine, service):
    boss, staff = service
    survey(engine, staff[0].id, at(D(2026, 5, 3)), 10, "satisfied", True, False)
    survey(engine, staff[0].id, at(D(2026, 5, 4)), 8, "satisfied", True, True)
    survey(engine, staff[1].id, at(D(2026, 5, 5)), 6, "average", False, False)
    survey(engine, staff[1].id, at(D(2026, 6, 5)), 2, "dissatisfied", False, False)
    view = kpi.satisfaction(engine, actor=boss, first=D(2026, 5, 1), last=D(2026, 5, 31))
    k = view.kpis
    assert (k.surveys, k.average_score, round(k.satisfaction_rate, 2), round(k.charge_rate, 2)) == (
        3, 8.0, 66.67, 33.33)
    assert view.target == 95.0 and list(view.monthly) == [D(2026, 5, 1)]
    inputs = kpi.quarter_view(engine, actor=boss, year=2026, quarter=2, now=at(D(2026, 7, 2)))
    first = next(r for r in inputs.rows if r.name == "工程师01")
    assert (first.components["survey_score"], first.components["resolution_rate"]) == (9.0, 100.0)


# --- wall display: links and panels -------------------------------------------------------------------------

@pytest.fixture
def admins(engine):
    return make_user(engine, username="root", role="admin", name="管理员"), make_user(engine, username="s", name="员工")


def test_a_display_link_stores_only_the_hash_and_a_revoked_link_opens_nothing(engine, admins):
    admin, staff = admins
    link_id, token = display.create_link(engine, actor=admin, label="展厅电视", privacy=True)
    with session_scope(engine, write=False) as session:
        stored = session.get(DisplayLink, link_id)
        assert stored.token_hash == display.token_hash(token) and token not in stored.token_hash
    assert display.wall_access(engine, token) == display.WallAccess(link_id, "展厅电视", True)
    assert not display.wall_token_valid(engine, token + "x")
    assert not display.wall_token_valid(engine, None) and not display.wall_token_valid(engine, "")
    display.revoke_link(engine, actor=admin, link_id=link_id, reason="电视搬走")
    assert not display.wall_token_valid(engine, token)
    with pytest.raises(Conflict):
        display.revoke_link(engine, actor=admin, link_id=link_id)
    with pytest.raises(NotAllowed):
        display.create_link(engine, actor=staff, label="私自")
    with pytest.raises(ValidationFailed):
        display.create_link(engine, actor=admin, label=" ")
    assert audit_actions(engine, "kpi_display_link") == ["create", "revoke"]
    assert [(r.label, r.active) for r in display.links(engine, actor=admin)] == [("展厅电视", False)]


def test_S55_wall_panels_mask_names_and_show_no_phone_customer_or_personal_fine(engine, floor):
    boss, people = floor
    with session_scope(engine) as session:
        team = OrgUnit(kind="team", name="一队")
        session.add(team)
        session.flush()
        user = session.get(User, people[0].id)
        user.name, user.team_id = "张三 13800138000", team.id
        session.add(user)
    enter(engine, boss, people, D(2026, 3, 1), last=6)
    gm = make_user(engine, username="gm", role="supervisor", titles=("总经理",))
    [entry] = ledger.propose_entry(engine, actor=boss, person_id=people[0].id, code="RR4", occurred_on=D(2026, 3, 2),
                                   now=at(D(2026, 3, 3)))
    ledger.decide_entry(engine, actor=gm, entry_id=entry, confirm=True)
    now = at(D(2026, 3, 20))
    sales = display.wall_panel(engine, panel="sales_ranking", privacy=True, now=now)
    assert sales.period == "2026-03"
    assert [r["name"] for r in sales.panel.rows][:2] == ["张*****", "顾*2"]  # first and last kept (T12)
    assert all(set(r) <= {"rank", "name", "units", "is_last", "demoted"} for r in sales.panel.rows)
    public = display.wall_panel(engine, panel="sales_ranking", privacy=False, now=now)
    assert public.panel.rows[0]["name"] == "张三 ***"
    fund = display.wall_panel(engine, panel="fund", privacy=False, now=now)
    assert fund.panel.rows == ({"collected": Decimal(0), "outstanding": Decimal(100), "total": Decimal(100)},)
    teams = display.wall_panel(engine, panel="team_ranking", privacy=True, now=now)
    assert teams.panel.rows == ({"rank": 1, "team": "一队", "points": 0, "score": 100},)
    assert display.wall_panel(engine, panel="satisfaction", privacy=True, now=now).panel.rows == ()
    assert display.wall_panel(engine, panel="quarterly_top", privacy=True, now=now).panel.rows == ()


def test_wall_config_follows_the_settings_and_drops_unknown_panels(engine, admins):
    admin, _ = admins
    from lib.services import settings

    settings.change_setting(engine, actor=admin, key="display.panel_order", text='["fund", "bogus", "queue"]')
    settings.change_setting(engine, actor=admin, key="display.refresh_seconds", text="15")
    config = display.wall_config(engine)
    assert (config.order, config.refresh_seconds, config.privacy) == (("fund", "queue"), 15, False)


# --- T23: no scored work, no rank; T13: ranked by managed titles --------------------------------------------

def test_T23_a_quarter_without_scored_work_ranks_nobody_pays_nothing_and_cannot_be_published(engine, service):
    boss, staff = service
    view = kpi.quarter_view(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 2)))
    assert view.rows == () and view.participants == 10 and not view.can_publish
    assert len(view.unranked) == 10
    with pytest.raises(DomainError) as refused:
        kpi.publish_quarter(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 2)))
    assert refused.value.key == "kpi.nobody_scored"


def test_T23_only_people_with_scored_work_are_ranked_and_ties_share_the_better_tier(engine, service):
    boss, staff = service
    for person in staff[:4]:
        survey(engine, person.id, at(D(2026, 2, 11)), 8, "satisfied", True, False)
    kpi.publish_quarter(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 2)))
    view = kpi.quarter_view(engine, actor=boss, year=2026, quarter=1)
    assert [(r.rank, r.bonus) for r in view.rows] == [(1, Decimal(1500))] * 4
    assert {r.person_id for r in view.rows} == {p.id for p in staff[:4]}


def test_T13_the_quarterly_ranking_takes_the_titles_of_a_managed_setting(engine, service):
    boss, staff = service
    admin = make_user(engine, username="root", role="admin", name="管理员")
    specialist = make_user(engine, username="cs1", name="客服专员甲", titles=("客服专员",))
    survey(engine, specialist.id, at(D(2026, 2, 11)), 9, "satisfied", True, False)
    view = kpi.quarter_view(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 2)))
    assert [r.name for r in view.rows] == ["客服专员甲"] and view.participants == 11
    settings.change_setting(engine, actor=admin, key="quarterly.participant_titles", value=["客服工程师"])
    view = kpi.quarter_view(engine, actor=boss, year=2026, quarter=1, now=at(D(2026, 4, 2)))
    assert view.rows == () and view.participants == 10


def test_T13_sales_ranks_the_holders_of_the_consultant_titles_setting(engine):
    admin = make_user(engine, username="root", role="admin", name="管理员")
    make_user(engine, username="c1", name="顾问甲", titles=("销售顾问",))
    make_user(engine, username="c2", name="实习乙", titles=("实习销售顾问",))
    assert sorted(p.name for p in kpi.consultants(engine)) == sorted(["顾问甲", "实习乙"])
    settings.change_setting(engine, actor=admin, key="people.consultant_titles", value=["销售顾问"])
    assert [p.name for p in kpi.consultants(engine)] == ["顾问甲"]


# --- SLA breaches kept as history feed the quarter (issue 15 N8) --------------------------------------------

def sla_ticket(engine, assignee: int, group: str, due: dt.datetime, kind: str = "resolve") -> int:
    with session_scope(engine) as session:
        ticket = Ticket(type="complaint", flow="complaint", state="in_progress", agent_no="017", assignee_id=assignee,
                        cs_group=group, due_at=due, due_kind=kind, received_at=due - dt.timedelta(days=1),
                        updated_at=due - dt.timedelta(days=1))
        session.add(ticket)
        session.flush()
        return ticket.id


def close_ticket(engine, ticket_id: int, when: dt.datetime) -> None:
    with session_scope(engine) as session:  # as the ticket service closes one: the running timer is cleared
        ticket = session.get(Ticket, ticket_id)
        ticket.state, ticket.due_at, ticket.due_kind, ticket.updated_at = "closed", None, None, when


def test_N8_a_ticket_breached_then_closed_still_counts_in_its_quarter(engine, service):
    """N8: the quarterly score and the dashboard's breaches by group read the recorded SLA breaches, so a ticket
    closed late still counts in the quarter its deadline fell in; an open one the sweeper has not seen yet counts
    too, and once swept it is not counted twice."""
    from lib.notify.sweeper import record_breaches
    from lib.services.kpi import sources as kpi_sources

    boss, staff = service
    for person in staff[:2]:  # scored work, so both are ranked (T23)
        survey(engine, person.id, at(D(2026, 5, 2)), 9, "satisfied", True, False)
    late = sla_ticket(engine, staff[0].id, "投诉组", at(D(2026, 5, 10)))
    assert record_breaches(engine, now=at(D(2026, 5, 10), 11)) == 1
    close_ticket(engine, late, at(D(2026, 5, 11)))
    earlier = sla_ticket(engine, staff[0].id, "投诉组", at(D(2026, 3, 30)))  # Q1: not this quarter's
    record_breaches(engine, now=at(D(2026, 3, 30), 12))
    close_ticket(engine, earlier, at(D(2026, 3, 31)))
    sla_ticket(engine, staff[1].id, "订单组", at(D(2026, 6, 20)))  # open, past due, not swept yet

    def figures():
        view = kpi.quarter_view(engine, actor=boss, year=2026, quarter=2, now=at(D(2026, 7, 2)))
        by_name = {r.name: r.components["sla_breaches"] for r in view.rows}
        groups = kpi.sla_by_group(engine, actor=boss, first=D(2026, 4, 1), last=D(2026, 6, 30),
                                  now=at(D(2026, 7, 2)))
        return by_name["工程师01"], by_name["工程师02"], groups

    assert figures() == (1.0, 1.0, {"投诉组": 1, "订单组": 1})
    assert record_breaches(engine, now=at(D(2026, 7, 2))) == 1  # the open one recorded now: still once
    assert figures() == (1.0, 1.0, {"投诉组": 1, "订单组": 1})
    with session_scope(engine, write=False) as session:
        assert kpi_sources.breaches_by_person(session, D(2026, 1, 1), D(2026, 3, 31), at(D(2026, 7, 2))) == {
            staff[0].id: 1}
        # a deadline not yet passed is no breach
        assert kpi_sources.breaches_by_group(session, D(2026, 4, 1), D(2026, 6, 30), at(D(2026, 6, 1))) == {
            "投诉组": 1}
