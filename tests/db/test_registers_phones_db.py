"""Office phones through the register services on SQLite and PostgreSQL (seed 002 #1; SPEC 5.1): S56, S57, P1–P4."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import LedgerEntryRecord, OrgUnit, User
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.services import accounts
from lib.services import registers as R

NOW = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.timezone.utc)  # Monday 1 March 10:00 in Shanghai
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

PEOPLE = {  # name -> (department, role, titles)
    "seller": ("销售部", "staff", ()),
    "director": ("销售部", "staff", ("团队主任",)),
    "head": ("销售部", "supervisor", ("部门主管",)),
    "admin_center": ("行政部", "supervisor", ("行政主管",)),
    "principal": ("行政部", "supervisor", ("校长",)),
    "finance": ("行政部", "supervisor", ("综合部主管",)),
    "admin": ("行政部", "admin", ()),
}


def make_people(engine) -> dict:
    departments: dict[str, int] = {}
    people = {}
    with session_scope(engine) as session:
        for name in sorted({d for d, _, _ in PEOPLE.values()}):
            unit = OrgUnit(kind="department", name=name)
            session.add(unit)
            session.flush()
            departments[name] = unit.id
        for username, (department, role, titles) in PEOPLE.items():
            user = User(username=username, name=username, password_hash="x", role=role, titles=list(titles),
                        trained_posts=[], department_id=departments[department], created_at=NOW)
            session.add(user)
            session.flush()
            people[username] = accounts.actor_of(user)
    return people


@pytest.fixture
def office(engine):
    return engine, make_people(engine)


def test_S56_line_change_needs_a_reason_and_is_implemented_only_after_the_principal(office):
    """S56: no 变动理由, no request; 部门主管 → 行政管理中心 → 校长, and 实施 refused until the 校长 approved."""
    engine, p = office
    request = {"kind": "add", "department": "销售部", "grounds": "", "requested_at": NOW}
    with pytest.raises(ValidationFailed) as blank:
        R.create_entry(engine, actor=p["seller"], register="phone_change", values=request, now=NOW)
    assert blank.value.keys() == {"reg.phone_change.grounds": "field.required"}
    entry_id = R.create_entry(engine, actor=p["seller"], register="phone_change", now=NOW,
                              values={**request, "grounds": "新员工入职需新增一部座机"})
    for n, who in enumerate(("head", "admin_center")):
        R.approve_entry(engine, actor=p[who], register="phone_change", entry_id=entry_id, step_no=n, now=NOW + n * H)
        with pytest.raises(DomainError):
            R.edit_entry(engine, actor=p["seller"], register="phone_change", entry_id=entry_id,
                         values={"implemented_at": NOW + 3 * H}, now=NOW + 3 * H)
    with pytest.raises(NotAllowed):  # the 行政管理中心 cannot sign the 校长's step
        R.approve_entry(engine, actor=p["admin_center"], register="phone_change", entry_id=entry_id, now=NOW + 4 * H)
    R.approve_entry(engine, actor=p["principal"], register="phone_change", entry_id=entry_id, step_no=2,
                    now=NOW + 5 * H)
    R.edit_entry(engine, actor=p["seller"], register="phone_change", entry_id=entry_id,
                 values={"implemented_at": NOW + 2 * D}, now=NOW + 2 * D)
    done = R.get_entry(engine, actor=p["seller"], register="phone_change", entry_id=entry_id, now=NOW + 3 * D).entry
    assert (done.state, done.values["approved_by"], done.values["implemented_at"]) == (
        "approved", "principal", NOW + 2 * D)


def _team(engine, p, name: str, *members: str, department: str = "销售部") -> int:
    with session_scope(engine) as session:
        parent = session.execute(select(OrgUnit.id).where(OrgUnit.name == department)).scalar_one()
        team = OrgUnit(kind="team", name=name, parent_id=parent)
        session.add(team)
        session.flush()
        for member in members:
            session.get(User, p[member].id).team_id = team.id
        return team.id


def test_S56_P2_sharing_is_assigned_by_the_team_director_and_calls_are_logged(office):
    """S56 / P2: a person without the 团队主任 title cannot assign sharing; the director can, and the borrower logs
    each 拨打电话号码 on the sheet (their own entries; 行政管理中心 reads them all)."""
    engine, p = office
    _team(engine, p, "销售一组", "seller", "director", "head")
    sharing = {"borrower_id": p["seller"].id, "host_line": "8002", "host_user_id": p["head"].id,
               "cause": "座机线路故障,一时无法修复", "from_at": NOW}
    for who in ("seller", "head", "admin_center"):
        with pytest.raises(NotAllowed):
            R.create_entry(engine, actor=p[who], register="phone_sharing", values=sharing, now=NOW)
    with pytest.raises(DomainError) as admin:  # an admin may create entries, but is not the 团队主任
        R.create_entry(engine, actor=p["admin"], register="phone_sharing", values=sharing, now=NOW)
    assert admin.value.key == "registers.phone_sharing.director_only"
    shared = R.create_entry(engine, actor=p["director"], register="phone_sharing", values=sharing, now=NOW)
    assert R.get_entry(engine, actor=p["director"], register="phone_sharing", entry_id=shared,
                       now=NOW + H).entry.state == "recorded"
    with pytest.raises(ValidationFailed) as words:
        R.create_entry(engine, actor=p["seller"], register="phone_call_log", now=NOW + H,
                       values={"dialled": "客户", "called_at": NOW + H, "borrower_id": p["seller"].id})
    assert words.value.keys() == {"reg.phone_call_log.dialled": "registers.phone_call_log.bad_number"}
    R.create_entry(engine, actor=p["seller"], register="phone_call_log", now=NOW + H,
                   values={"dialled": "021-6234 5678", "called_at": NOW + H, "borrower_id": p["seller"].id,
                           "host_line": "8002", "sheet_no": "2027-03-01"})
    query = R.Query(first=NOW.date(), last=NOW.date())
    assert len(R.list_entries(engine, actor=p["admin_center"], register="phone_call_log", query=query).rows) == 1
    assert R.list_entries(engine, actor=p["head"], register="phone_call_log", query=query).rows == ()


def test_S57_february_unreconciled_or_unpaid_is_overdue_on_6_march(office):
    """S57: February's bill, entered by 行政管理中心, is due by the end of 5 March (reconcile, then pay); on 6 March
    unreconciled or unpaid it is overdue; reconciled and paid by the 5th it is not listed."""
    engine, p = office
    march_6 = dt.datetime(2027, 3, 6, 2, 0, tzinfo=dt.timezone.utc)
    deadline = dt.datetime(2027, 3, 5, 16, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["seller"], register="phone_bill", now=NOW,
                       values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("800")})
    feb = R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=deadline - 6 * H,
                         values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40")})
    (due,) = R.open_dues(engine, deadline - 5 * H, register="phone_bill")
    assert (due.entry_id, due.kind, due.due_at, due.overdue) == (feb, "phone_bill_reconcile", deadline, False)
    (late,) = R.open_dues(engine, march_6, register="phone_bill")
    assert late.overdue and late.entry_id == feb
    R.approve_entry(engine, actor=p["admin_center"], register="phone_bill", entry_id=feb, step_no=0,
                    now=deadline - 4 * H)
    (unpaid,) = R.open_dues(engine, march_6, register="phone_bill")
    assert (unpaid.kind, unpaid.overdue, unpaid.step_title) == ("phone_bill_pay", True, "综合部主管")
    R.approve_entry(engine, actor=p["finance"], register="phone_bill", entry_id=feb, step_no=1, now=deadline - 3 * H)
    assert R.open_dues(engine, march_6, register="phone_bill") == []
    with pytest.raises(ValidationFailed) as twice:
        R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=march_6,
                       values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("1")})
    assert twice.value.keys() == {"reg.phone_bill.month": "registers.duplicate"}


def test_P1_an_assigned_line_blocks_its_user_until_suspended_or_reassigned(office):
    """P1: the ledger is kept by 行政管理中心; a personal line names its user; a line in use in a person's name is a
    departure blocker until a correction suspends or reassigns it."""
    engine, p = office
    line = {"number": "021-62345678", "kind": "desk", "team": "销售一组", "user_id": p["seller"].id,
            "personal": True, "status": "in_use", "purchase_price": Decimal("168")}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["seller"], register="phone_line", values=line, now=NOW)
    with pytest.raises(ValidationFailed) as personal:
        R.create_entry(engine, actor=p["admin_center"], register="phone_line", values={**line, "user_id": None},
                       now=NOW)
    assert personal.value.keys() == {"reg.phone_line.user_id": "registers.phone_line.personal_needs_user"}
    line_id = R.create_entry(engine, actor=p["admin_center"], register="phone_line", values=line, now=NOW)
    assert [(b.register, b.entry_id, b.key) for b in R.blockers(engine, person_id=p["seller"].id, now=NOW + H)] == [
        ("phone_line", line_id, "registers.blocker.phone_line")]
    R.correct_entry(engine, actor=p["admin_center"], register="phone_line", entry_id=line_id, now=NOW + 2 * H,
                    values={**line, "user_id": p["head"].id}, reason="离职交接,改由部门主管使用")
    assert R.blockers(engine, person_id=p["seller"].id, now=NOW + 3 * H) == []
    assert [b.register for b in R.blockers(engine, person_id=p["head"].id, now=NOW + 3 * H)] == ["phone_line"]


def test_P3_fault_report_moves_reported_repairing_repaired(office):
    """P3: a fault is reported to 行政管理中心; repaired needs repairing first; the status follows."""
    engine, p = office
    fault = R.create_entry(engine, actor=p["seller"], register="phone_fault", now=NOW, values={
        "line": "8001", "reporter_id": p["seller"].id, "reported_at": NOW, "description": "无拨号音"})

    def status():
        return R.get_entry(engine, actor=p["seller"], register="phone_fault", entry_id=fault,
                           now=NOW + 5 * D).entry.values["status"]

    assert status() == "reported"
    with pytest.raises(ValidationFailed):
        R.edit_entry(engine, actor=p["seller"], register="phone_fault", entry_id=fault,
                     values={"repaired_at": NOW + H}, now=NOW + H)
    R.edit_entry(engine, actor=p["seller"], register="phone_fault", entry_id=fault, values={"repairing_at": NOW + H},
                 now=NOW + H)
    assert status() == "repairing"
    R.edit_entry(engine, actor=p["seller"], register="phone_fault", entry_id=fault, values={"shared_at": NOW + 2 * H},
                 now=NOW + 2 * H)
    assert status() == "sharing"
    R.edit_entry(engine, actor=p["seller"], register="phone_fault", entry_id=fault, values={"repaired_at": NOW + D},
                 now=NOW + D)
    assert status() == "repaired"


def test_P4_handover_blocks_the_leaver_until_received_and_proposes_the_compensation(office):
    """P4: the leaver's handover with a human-caused fault: compensation = purchase price; it blocks departure until
    行政管理中心 receives it, then the PH3 charge is proposed in the ledger."""
    engine, p = office
    values = {"leaver_id": p["seller"].id, "line": "8001", "handset_ok": False, "fault": "话机摔裂",
              "human_caused": True, "purchase_price": None, "handed_at": NOW}
    with pytest.raises(ValidationFailed) as price:
        R.create_entry(engine, actor=p["seller"], register="phone_handover", values=values, now=NOW)
    assert price.value.keys() == {"reg.phone_handover.purchase_price": "registers.phone_handover.price_required"}
    handover = R.create_entry(engine, actor=p["seller"], register="phone_handover", now=NOW,
                              values={**values, "purchase_price": Decimal("168.00")})
    assert [b.key for b in R.blockers(engine, person_id=p["seller"].id, now=NOW + H)] == [
        "registers.blocker.phone_handover"]
    R.approve_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=handover, step_no=0,
                    now=NOW + 2 * H)
    assert R.blockers(engine, person_id=p["seller"].id, now=NOW + 3 * H) == []
    entry = R.get_entry(engine, actor=p["admin_center"], register="phone_handover", entry_id=handover,
                        now=NOW + 3 * H).entry
    assert entry.values["compensation"] == Decimal("168.00")
    with session_scope(engine, write=False) as session:
        charges = session.execute(select(LedgerEntryRecord)).scalars().all()
    assert [(c.code, c.person_id, c.compensation, c.status, c.proposed_by_id, c.facts["register"])
            for c in charges] == [("PH3", p["seller"].id, Decimal("168.00"), "proposed", p["admin_center"].id,
                                   f"phone_handover:{handover}")]


def test_P6_a_charge_found_on_the_bill_is_a_PH5_proposal_at_twice_the_charges(office):
    """P6: February's bill reconciled by 行政管理中心 with ¥36 of 信息费 found on the seller's line: one PH5 proposal
    for the seller at 2× the charges (¥72, SPEC 4.4), waiting for the decider; 财务部's payment proposes nothing more."""
    engine, p = office
    bill = R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=NOW,
                          values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40"),
                                  "findings": "信息费 36 元", "charged_id": p["seller"].id,
                                  "charged_amount": Decimal("36.00")})
    R.approve_entry(engine, actor=p["admin_center"], register="phone_bill", entry_id=bill, step_no=0, now=NOW + H)
    R.approve_entry(engine, actor=p["finance"], register="phone_bill", entry_id=bill, step_no=1, now=NOW + 2 * H)
    with session_scope(engine, write=False) as session:
        charges = session.execute(select(LedgerEntryRecord)).scalars().all()
    assert [(c.code, c.person_id, c.compensation, c.status, c.facts["register"]) for c in charges] == [
        ("PH5", p["seller"].id, Decimal("72.00"), "proposed", f"phone_bill:{bill}")]


def test_P6_S49_an_untraceable_charge_is_shared_equally_by_the_team_on_the_bill(office):
    """P6/S49: ¥30 nobody can be traced for, on 销售一组's line, with three in the team: each member gets a ¥10
    share (team split) when 行政管理中心 signs the reconciliation; a team nobody is in is refused, nothing saved."""
    engine, p = office
    with session_scope(engine) as session:
        sales = session.execute(select(OrgUnit.id).where(OrgUnit.name == "销售部")).scalar_one()
        team = OrgUnit(kind="team", name="销售一组", parent_id=sales)
        session.add(team)
        session.flush()
        for name in ("seller", "director", "head"):
            session.get(User, p[name].id).team_id = team.id
    values = {"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40"), "findings": "168 声讯 30 元",
              "untraceable_amount": Decimal("30.00"), "team": "销售二组"}
    with pytest.raises(ValidationFailed) as unknown:
        R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=NOW, values=values)
    assert unknown.value.keys() == {"reg.phone_bill.team": "registers.phone_bill.unknown_team"}
    bill = R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=NOW,
                          values={**values, "team": "销售一组"})
    R.approve_entry(engine, actor=p["admin_center"], register="phone_bill", entry_id=bill, step_no=0, now=NOW + H)
    with session_scope(engine, write=False) as session:
        shares = session.execute(select(LedgerEntryRecord).order_by(LedgerEntryRecord.person_id)).scalars().all()
    assert sorted((c.code, c.person_id, c.compensation) for c in shares) == sorted(
        ("PH5", p[name].id, Decimal("10.00")) for name in ("seller", "director", "head"))


def test_S56_P2_a_team_director_assigns_sharing_only_for_a_borrower_of_their_own_department(office):
    """S56 / P2 (「由团队主任内部调剂」): the 销售部 团队主任 cannot assign a 行政部 person a shared phone; nothing is saved."""
    engine, p = office
    sharing = {"borrower_id": p["finance"].id, "host_line": "8002", "host_user_id": p["seller"].id,
               "cause": "座机线路故障,一时无法修复", "from_at": NOW}
    with pytest.raises(DomainError) as other:
        R.create_entry(engine, actor=p["director"], register="phone_sharing", values=sharing, now=NOW)
    assert other.value.key == "registers.phone_sharing.not_borrowers_director"
    query = R.Query(first=NOW.date(), last=NOW.date())
    assert R.list_entries(engine, actor=p["admin_center"], register="phone_sharing", query=query).rows == ()


def _bill_items(engine, actor, now) -> list[tuple[str, bool]]:
    from lib.services import inbox

    box = inbox.inbox(engine, actor=actor, now=now).inbox
    return sorted((i.reason_key, i in box.overdue) for i in box.overdue + box.soon + box.other
                  if i.title_key == "registers.title.phone_bill")


def test_P7_the_bills_pay_due_is_in_the_finance_inbox_not_the_admin_centres(office):
    """P7 (seed 002 #1 「行政管理中心…核对」「财务部负责…缴纳」): February's bill entered by one 行政主管 waits on
    行政管理中心's title (another 行政主管 sees it too), never on 财务部; once reconciled, "pay by the 5th" is in the
    综合部主管's inbox (财务部) and no longer in any 行政主管's, overdue on 6 March, and the sweeper sends it to the
    finance holder, not to the bill's creator."""
    from lib.domain.inbox import is_for
    from lib.services import inbox

    engine, p = office
    with session_scope(engine) as session:
        other = User(username="admin_center2", name="admin_center2", password_hash="x", role="supervisor",
                     titles=["行政主管"], trained_posts=[], department_id=p["finance"].department_id, created_at=NOW)
        session.add(other)
        session.flush()
        p["admin_center2"] = accounts.actor_of(other)
    deadline = dt.datetime(2027, 3, 5, 16, 0, tzinfo=dt.timezone.utc)
    march_6 = dt.datetime(2027, 3, 6, 2, 0, tzinfo=dt.timezone.utc)
    feb = R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=deadline - 6 * H,
                         values={"month": dt.date(2027, 2, 1), "statement_total": Decimal("812.40")})
    reconcile = [("registers.due.phone_bill_reconcile", False)]
    assert _bill_items(engine, p["admin_center"], deadline - 5 * H) == reconcile
    assert _bill_items(engine, p["admin_center2"], deadline - 5 * H) == reconcile
    assert _bill_items(engine, p["finance"], deadline - 5 * H) == []
    R.approve_entry(engine, actor=p["admin_center"], register="phone_bill", entry_id=feb, step_no=0,
                    now=deadline - 4 * H)
    for who in ("admin_center", "admin_center2", "principal"):
        assert _bill_items(engine, p[who], march_6) == [], who
    assert _bill_items(engine, p["finance"], march_6) == [("registers.due.phone_bill_pay", True)]
    with session_scope(engine, write=False) as session:
        swept = [i for i in inbox.open_items(session, inbox.context(session, march_6))
                 if i.title_key == "registers.title.phone_bill" and i.record_id == feb]
    assert [(i.reason_key, i.for_user, i.for_titles) for i in swept] == [
        ("registers.due.phone_bill_pay", None, ("综合部主管",))]
    assert [is_for(swept[0], inbox.viewer_of(p[w])) for w in ("finance", "admin_center")] == [True, False]
    R.approve_entry(engine, actor=p["finance"], register="phone_bill", entry_id=feb, step_no=1, now=march_6)
    assert _bill_items(engine, p["finance"], march_6 + H) == []



def test_P8_a_month_charges_two_people_and_a_team_three_proposals(office):
    """P8 (seed 002 #1 「信息费、168、QQ等充值…」「无法查明的按所在团队均摊处理」): February's bill with three findings —
    the seller's ¥36 of 信息费, the head's ¥20 QQ top-up, ¥30 nobody can be traced for on 销售一组 — gives three
    proposals when 行政管理中心 signs the reconciliation: PH5 for each person (2× the charges) and the team's split
    (¥10 a member, as for the bill's own team field); a finding must name a person or a team (not both, not
    neither); once the month is reconciled no more findings are taken, and payment proposes nothing more."""
    engine, p = office
    with session_scope(engine) as session:
        sales = session.execute(select(OrgUnit.id).where(OrgUnit.name == "销售部")).scalar_one()
        team = OrgUnit(kind="team", name="销售一组", parent_id=sales)
        session.add(team)
        session.flush()
        for name in ("seller", "director", "head"):
            session.get(User, p[name].id).team_id = team.id
    feb = dt.date(2027, 2, 1)
    bill = R.create_entry(engine, actor=p["admin_center"], register="phone_bill", now=NOW,
                          values={"month": feb, "statement_total": Decimal("812.40"), "findings": "见明细"})
    findings = [{"person_id": p["seller"].id, "amount": Decimal("36.00"), "cause": "信息费"},
                {"person_id": p["head"].id, "amount": Decimal("20.00"), "cause": "QQ充值"},
                {"team": "销售一组", "amount": Decimal("30.00"), "cause": "168 声讯,无法查明"}]
    with pytest.raises(ValidationFailed) as both:
        R.create_entry(engine, actor=p["admin_center"], register="phone_bill_charge", now=NOW,
                       values={"month": feb, **findings[0], "team": "销售一组"})
    assert both.value.keys() == {"reg.phone_bill_charge.person_id": "registers.phone_bill_charge.person_or_team"}
    with pytest.raises(NotAllowed):  # 行政管理中心 records the findings
        R.create_entry(engine, actor=p["seller"], register="phone_bill_charge", now=NOW,
                       values={"month": feb, **findings[0]})
    for finding in findings:
        R.create_entry(engine, actor=p["admin_center"], register="phone_bill_charge", now=NOW,
                       values={"month": feb, **finding})
    R.approve_entry(engine, actor=p["admin_center"], register="phone_bill", entry_id=bill, step_no=0, now=NOW + H)
    with pytest.raises(ValidationFailed) as late:
        R.create_entry(engine, actor=p["admin_center"], register="phone_bill_charge", now=NOW + 2 * H,
                       values={"month": feb, **findings[1]})
    assert late.value.keys() == {"reg.phone_bill_charge.month": "registers.phone_bill_charge.bill_reconciled"}
    R.approve_entry(engine, actor=p["finance"], register="phone_bill", entry_id=bill, step_no=1, now=NOW + 3 * H)
    with session_scope(engine, write=False) as session:
        charges = session.execute(select(LedgerEntryRecord)).scalars().all()
    assert all(c.facts["register"] == f"phone_bill:{bill}" and c.code == "PH5" and c.status == "proposed"
               for c in charges)
    assert sorted((c.person_id, c.compensation) for c in charges) == sorted([
        (p["seller"].id, Decimal("72.00")), (p["head"].id, Decimal("40.00")),
        (p["seller"].id, Decimal("10.00")), (p["director"].id, Decimal("10.00")), (p["head"].id, Decimal("10.00"))])
    # three proposals: two persons, one team (the ledger writes the team's as one share per member, as before)
    assert sorted({(c.facts.get("traceable", True), c.facts["reported_person_id"], c.note) for c in charges},
                  key=str) == sorted([(True, p["seller"].id, "2027-02 信息费"), (True, p["head"].id, "2027-02 QQ充值"),
                                      (False, p["seller"].id, "2027-02 168 声讯,无法查明")], key=str)


def test_P9_a_team_director_assigns_sharing_only_within_their_own_team_not_the_department(office):
    """P9 (seed 002 #1 「由团队主任内部调剂」; REGISTERS.md §1.1 「of the borrower's team」, ``same_team(host, actor)``):
    the 销售一组 团队主任 cannot give a 销售二组 seller — same department, other team — a shared phone, nor share a
    销售二组 colleague's phone; within 销售一组 it is recorded."""
    engine, p = office
    _team(engine, p, "销售一组", "director", "head")
    with session_scope(engine) as session:
        sales = session.execute(select(OrgUnit.id).where(OrgUnit.name == "销售部")).scalar_one()
        other = User(username="seller2", name="seller2", password_hash="x", role="staff", titles=[], trained_posts=[],
                     department_id=sales, created_at=NOW)
        session.add(other)
        session.flush()
        p["seller2"] = accounts.actor_of(other)
    _team(engine, p, "销售二组", "seller", "seller2")
    sharing = {"borrower_id": p["seller"].id, "host_line": "8002", "cause": "座机线路故障,一时无法修复",
               "from_at": NOW}
    assert p["seller"].department_id == p["director"].department_id
    with pytest.raises(DomainError) as other_team:
        R.create_entry(engine, actor=p["director"], register="phone_sharing", values=sharing, now=NOW)
    assert other_team.value.key == "registers.phone_sharing.not_borrowers_director"
    with session_scope(engine) as session:  # the seller moves to 销售一组; the colleague stays in 销售二组
        session.get(User, p["seller"].id).team_id = session.get(User, p["director"].id).team_id
    with pytest.raises(DomainError) as host:
        R.create_entry(engine, actor=p["director"], register="phone_sharing", now=NOW,
                       values={**sharing, "host_user_id": p["seller2"].id})
    assert host.value.key == "registers.phone_sharing.host_other_team"
    shared = R.create_entry(engine, actor=p["director"], register="phone_sharing", now=NOW,
                            values={**sharing, "host_user_id": p["head"].id})
    assert R.get_entry(engine, actor=p["director"], register="phone_sharing", entry_id=shared,
                       now=NOW + H).entry.state == "recorded"
