"""涉密人员与涉密载体 through the register services on SQLite and PostgreSQL (seed 001 D1–D3; SPEC 5.2): S58, K2,
K5, K9–K12, K14, K15."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditEvent, OrgUnit, User
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.services import accounts
from lib.services import inbox
from lib.services import registers as R

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)  # Monday 10:00 in Shanghai
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
LEFT = dt.date(2024, 1, 15)

PEOPLE = {  # name -> (department, role, titles)
    "officer": ("办公室", "staff", ("保密员",)),
    "group": ("办公室", "supervisor", ("保密工作领导小组",)),
    "office": ("办公室", "supervisor", ("行政主管",)),
    "leader": ("办公室", "supervisor", ("总经理",)),
    "head": ("机要科", "supervisor", ("部门主管",)),
    "clerk": ("机要科", "staff", ()),
    "courier": ("机要科", "staff", ()),
    "admin": ("办公室", "admin", ()),
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


def carrier(engine, p, *, classification="top_secret", holder=None, serial="001") -> int:
    entry_id = R.create_entry(engine, actor=p["officer"], register="secrecy_carrier", now=NOW, values={
        "title": "年度保密工作要点", "classification": classification, "term": "10年", "distribution": "局领导班子",
        "copies": 5, "serial_no": serial, "media": "paper", "storage": "保密室", "holder_id": holder})
    return entry_id


def number(engine, p, register: str, entry_id: int) -> int:
    return R.get_entry(engine, actor=p["officer"], register=register, entry_id=entry_id, now=NOW).entry.no


def reads(engine, register: str, entry_id: int) -> list[str]:
    with session_scope(engine, write=False) as session:
        return list(session.execute(select(AuditEvent.username).where(
            AuditEvent.entity == "register", AuditEvent.entity_id == f"{register}:{entry_id}",
            AuditEvent.action == "read_entry").order_by(AuditEvent.id)).scalars())


def test_K14_only_the_officer_the_group_and_admins_open_the_registers_and_reads_are_audited(office):
    """K14: a department head can neither list, export nor create, nor can anyone off the chain read a record; the
    保密员 registers a person, the 办公室 (行政主管) reads only the record it signs; every read of the record is audited with who read it."""
    engine, p = office
    query = R.Query(first=NOW.date(), last=NOW.date())
    for who in ("head", "office"):
        with pytest.raises(NotAllowed):
            R.list_entries(engine, actor=p[who], register="secrecy_person", query=query, now=NOW)
        with pytest.raises(NotAllowed):
            b"".join(R.export_csv(engine, actor=p[who], register="secrecy_carrier", query=query, now=NOW))
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["head"], register="secrecy_carrier", now=NOW, values={"title": "x"})
    person = R.create_entry(engine, actor=p["officer"], register="secrecy_person", now=NOW, values={
        "person_id": p["clerk"].id, "level": "core", "post": "机要员", "since": dt.date(2020, 5, 1),
        "employment": "regular", "key_post": True, "proposal": "机要科 2026 年初审名单"})
    with pytest.raises(NotAllowed):  # not on the chain (K17: the person's 部门负责人 is: he signs first)
        R.get_entry(engine, actor=p["leader"], register="secrecy_person", entry_id=person, now=NOW)
    R.approve_entry(engine, actor=p["head"], register="secrecy_person", entry_id=person, step_no=0, now=NOW)
    assert [e.id for e in R.awaiting(engine, actor=p["office"], register="secrecy_person", now=NOW)] == [person]
    R.get_entry(engine, actor=p["office"], register="secrecy_person", entry_id=person, now=NOW)
    R.approve_entry(engine, actor=p["office"], register="secrecy_person", entry_id=person, step_no=1, now=NOW + H)
    R.approve_entry(engine, actor=p["group"], register="secrecy_person", entry_id=person, step_no=2, now=NOW + 2 * H)
    for who in ("officer", "group", "admin"):
        seen = R.get_entry(engine, actor=p[who], register="secrecy_person", entry_id=person, now=NOW + 3 * H)
        assert (seen.entry.state, seen.entry.values["level"]) == ("approved", "core")
    page = R.list_entries(engine, actor=p["group"], register="secrecy_person", query=query, now=NOW + 3 * H)
    assert page.rows == ()  # listed by 上岗日期 (2020): today's range holds none, but the list opens
    assert reads(engine, "secrecy_person", person) == ["office", "officer", "group", "admin"]
    assert reads(engine, "secrecy_carrier", 1) == []  # only the person record audits its reads


def test_S58_K2_the_period_starts_when_carriers_are_returned_and_a_core_person_cannot_resign(office):
    """S58 / K2: the clerk still holds a carrier: recording the return is refused; once the 保密员 records the carrier
    returned, the 脱密期 (approved by the 保密工作领导小组) runs 2024-01-15 → 2027-01-15 and a resignation before then
    is refused; a 5-month general period is refused."""
    engine, p = office
    held = carrier(engine, p, holder=p["clerk"].id)
    values = {"person_id": p["clerk"].id, "level": "core", "left_post_on": LEFT, "returned_on": LEFT}
    with pytest.raises(ValidationFailed) as holding:
        R.create_entry(engine, actor=p["officer"], register="secrecy_period", values=values, now=NOW)
    assert holding.value.keys() == {"reg.secrecy_period.returned_on": "registers.secrecy_period.still_holds"}
    period = R.create_entry(engine, actor=p["officer"], register="secrecy_period", now=NOW,
                            values={**values, "returned_on": None})
    R.approve_entry(engine, actor=p["group"], register="secrecy_period", entry_id=period, step_no=0, now=NOW + H)
    assert R.get_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period,
                       now=NOW + H).entry.values["ends_on"] is None
    R.edit_entry(engine, actor=p["officer"], register="secrecy_carrier", entry_id=held, values={"returned_on": LEFT},
                 now=NOW + 2 * H)
    R.edit_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period, values={"returned_on": LEFT},
                 now=NOW + 2 * H)
    ends = R.get_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period, now=NOW + 3 * H).entry
    assert (ends.values["starts_on"], ends.values["ends_on"]) == (LEFT, dt.date(2027, 1, 15))
    ask = {"person_id": p["clerk"].id, "kind": "resignation", "requested_on": NOW.date(), "special_reason": "出国定居",
           "file_noted": True, "commitment_signed": True}
    with pytest.raises(ValidationFailed) as core:
        R.create_entry(engine, actor=p["officer"], register="secrecy_exit", values=ask, now=NOW + 3 * H)
    assert core.value.keys() == {"reg.secrecy_exit.kind": "registers.secrecy_exit.core_resignation_blocked"}
    after = R.create_entry(engine, actor=p["officer"], register="secrecy_exit", now=NOW + 3 * H,
                           values={**ask, "requested_on": dt.date(2027, 1, 15)})
    assert R.get_entry(engine, actor=p["officer"], register="secrecy_exit", entry_id=after,
                       now=NOW + 3 * H).entry.step_title == "保密工作领导小组"
    with pytest.raises(ValidationFailed) as short:
        R.create_entry(engine, actor=p["officer"], register="secrecy_period", now=NOW, values={
            "person_id": p["courier"].id, "level": "general", "left_post_on": LEFT, "period_months": 5})
    assert short.value.keys() == {"reg.secrecy_period.period_months": "registers.secrecy.below_floor"}


def test_K5_no_key_post_without_letter_training_and_rating(office):
    """K5: the assignment is refused until a 保密责任书 and a passed training are on record before the start, with a
    rating of 称职 or better."""
    engine, p = office
    day = NOW.date()
    post = {"person_id": p["clerk"].id, "department": "机要室", "rating": "competent", "conditions_checked": True,
            "assigned_on": day}
    with pytest.raises(ValidationFailed) as blocked:
        R.create_entry(engine, actor=p["officer"], register="secrecy_key_post", values=post, now=NOW)
    assert {e.key for e in blocked.value.errors} == {"registers.secrecy_key_post.no_letter",
                                                      "registers.secrecy_key_post.not_trained"}
    R.create_entry(engine, actor=p["officer"], register="secrecy_letter", now=NOW, values={
        "person_id": p["clerk"].id, "document": "responsibility", "stage": "joining", "signed_on": day,
        "countersigned_id": p["head"].id})
    R.create_entry(engine, actor=p["officer"], register="secrecy_training", now=NOW, values={
        "person_id": p["clerk"].id, "trained_on": day, "topic": "保密法规", "result": "pass"})
    with pytest.raises(ValidationFailed) as rating:
        R.create_entry(engine, actor=p["officer"], register="secrecy_key_post", values={**post, "rating": "basic"},
                       now=NOW)
    assert rating.value.keys() == {"reg.secrecy_key_post.rating": "registers.secrecy_key_post.rating_too_low"}
    assigned = R.create_entry(engine, actor=p["officer"], register="secrecy_key_post", values=post, now=NOW)
    assert R.get_entry(engine, actor=p["officer"], register="secrecy_key_post", entry_id=assigned,
                       now=NOW).entry.state == "recorded"


def test_K10_a_copy_inherits_level_term_and_scope_and_the_leader_approves(office):
    """K10: copying a 绝密 carrier needs the authority's approval reference; the copy carries the original's 密级,
    保密期限 and 发放范围 whatever was typed, and waits for the 主管领导 (总经理)."""
    engine, p = office
    original = number(engine, p, "secrecy_carrier", carrier(engine, p))
    ask = {"carrier_no": original, "copies": 2, "issuer_permits": True, "sealed": True, "requested_on": NOW.date(),
           "classification": "confidential", "term": "1年"}
    with pytest.raises(ValidationFailed) as authority:
        R.create_entry(engine, actor=p["officer"], register="secrecy_copy", values=ask, now=NOW)
    assert authority.value.keys() == {"reg.secrecy_copy.approval_ref": "registers.secrecy_copy.authority_required"}
    copy = R.create_entry(engine, actor=p["officer"], register="secrecy_copy", now=NOW,
                          values={**ask, "approval_ref": "市保〔2026〕3号"})
    R.approve_entry(engine, actor=p["leader"], register="secrecy_copy", entry_id=copy, step_no=0, now=NOW + H)
    done = R.get_entry(engine, actor=p["officer"], register="secrecy_copy", entry_id=copy, now=NOW + H).entry
    assert {k: done.values[k] for k in ("classification", "term", "distribution", "approved_by", "copies")} == {
        "classification": "top_secret", "term": "10年", "distribution": "局领导班子", "approved_by": "leader",
        "copies": 2}
    assert done.state == "approved"


def test_K9_K11_K12_top_secret_goes_with_two_people_and_destruction_waits_for_approval(office):
    """K9 收发 of 绝密 with two different escorts; K11 绝密 never abroad, carried by two; K12 a paper mill with two
    escorts, 销毁 recorded only after the 主管领导 approved."""
    engine, p = office
    dispatch = {"direction": "out", "title": "会议纪要", "classification": "top_secret", "number": "J-2026-01",
                "counterpart": "市委办公室", "count": 3, "channel": "courier", "signed_by_id": p["officer"].id,
                "escort_id": p["courier"].id, "at": NOW}
    with pytest.raises(ValidationFailed) as one:
        R.create_entry(engine, actor=p["officer"], register="secrecy_dispatch", values=dispatch, now=NOW)
    assert one.value.keys() == {"reg.secrecy_dispatch.second_escort_id": "registers.secrecy_dispatch.two_escorts"}
    R.create_entry(engine, actor=p["officer"], register="secrecy_dispatch", now=NOW,
                   values={**dispatch, "second_escort_id": p["clerk"].id})
    no = number(engine, p, "secrecy_carrier", carrier(engine, p))
    carry = {"carrier_no": no, "purpose": "abroad", "carrier_id": p["clerk"].id, "companion_id": p["courier"].id,
             "destination": "香港", "out_on": NOW.date()}
    with pytest.raises(ValidationFailed) as abroad:
        R.create_entry(engine, actor=p["officer"], register="secrecy_carry", values=carry, now=NOW)
    assert abroad.value.keys() == {"reg.secrecy_carry.purpose": "registers.secrecy_carry.top_secret_never"}
    R.create_entry(engine, actor=p["officer"], register="secrecy_carry", now=NOW,
                   values={**carry, "purpose": "work", "destination": "市保密局"})
    destroy = {"carriers": f"{no} 年度保密工作要点", "count": 5, "method": "paper_mill", "escort_id": p["courier"].id,
               "requested_on": NOW.date()}
    with pytest.raises(ValidationFailed) as escorts:
        R.create_entry(engine, actor=p["officer"], register="secrecy_destruction", values=destroy, now=NOW)
    assert escorts.value.keys() == {
        "reg.secrecy_destruction.second_escort_id": "registers.secrecy_destruction.two_escorts"}
    entry = R.create_entry(engine, actor=p["officer"], register="secrecy_destruction", now=NOW,
                           values={**destroy, "second_escort_id": p["clerk"].id})
    with pytest.raises(DomainError):
        R.edit_entry(engine, actor=p["officer"], register="secrecy_destruction", entry_id=entry,
                     values={"destroyed_on": NOW.date()}, now=NOW + H)
    R.approve_entry(engine, actor=p["leader"], register="secrecy_destruction", entry_id=entry, step_no=0, now=NOW + H)
    R.edit_entry(engine, actor=p["officer"], register="secrecy_destruction", entry_id=entry,
                 values={"destroyed_on": NOW.date()}, now=NOW + 2 * H)
    done = R.get_entry(engine, actor=p["officer"], register="secrecy_destruction", entry_id=entry, now=NOW + 2 * H)
    assert (done.entry.values["destroyed_on"], done.entry.values["approved_by"]) == (NOW.date(), "leader")


def test_K15_carriers_not_returned_hold_a_leaver(office):
    """K15: leaving the company lists a carrier kept in the clerk's name and one out to read; once both are back the
    clerk is held by nothing."""
    engine, p = office
    kept = carrier(engine, p, holder=p["clerk"].id)
    no = number(engine, p, "secrecy_carrier", carrier(engine, p, classification="confidential", serial=None))
    read = R.create_entry(engine, actor=p["officer"], register="secrecy_use", now=NOW, values={
        "carrier_no": no, "kind": "read", "user_id": p["clerk"].id, "out_at": NOW})
    assert R.get_entry(engine, actor=p["officer"], register="secrecy_use", entry_id=read,
                       now=NOW).entry.values["classification"] == "confidential"
    holds = accounts.departure_holds(engine, person_id=p["clerk"].id, now=NOW + H)
    assert sorted((h.ref, h.key) for h in holds) == sorted([
        (f"secrecy_carrier:{kept}", "registers.blocker.secrecy_carrier"),
        (f"secrecy_use:{read}", "registers.blocker.secrecy_use")])
    R.edit_entry(engine, actor=p["officer"], register="secrecy_carrier", entry_id=kept, values={"returned_on": NOW.date()},
                 now=NOW + H)
    R.edit_entry(engine, actor=p["officer"], register="secrecy_use", entry_id=read, values={"returned_at": NOW + H},
                 now=NOW + H)
    assert accounts.departure_holds(engine, person_id=p["clerk"].id, now=NOW + 2 * H) == []


def test_K3_the_period_is_extended_once_after_approval_and_a_correction_cannot_shorten_it(office):
    """K3: an important person's 2-year period (everything returned on leaving) is extended by 6 months after the
    保密工作领导小组 approved it; a corrected version ending earlier is refused, one ending later goes to the chain."""
    engine, p = office
    period = R.create_entry(engine, actor=p["officer"], register="secrecy_period", now=NOW, values={
        "person_id": p["clerk"].id, "level": "important", "left_post_on": LEFT, "returned_on": LEFT})
    R.approve_entry(engine, actor=p["group"], register="secrecy_period", entry_id=period, step_no=0, now=NOW + H)
    R.edit_entry(engine, actor=p["group"], register="secrecy_period", entry_id=period,
                 values={"extension_months": 6}, now=NOW + 2 * H)
    entry = R.get_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period, now=NOW + 2 * H).entry
    assert (entry.values["extension_months"], entry.values["ends_on"]) == (6, dt.date(2026, 7, 15))
    base = {"person_id": p["clerk"].id, "level": "important", "left_post_on": LEFT, "returned_on": LEFT}
    with pytest.raises(ValidationFailed) as shorter:
        R.correct_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period,
                        values={**base, "period_months": 24}, reason="按两年计", now=NOW + 3 * H)
    assert shorter.value.keys() == {"reg.secrecy_period.period_months": "registers.secrecy.extend_only"}
    longer = R.correct_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=period,
                             values={**base, "period_months": 36}, reason="工作需要延长", now=NOW + 3 * H)
    fixed = R.get_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=longer, now=NOW + 3 * H).entry
    assert (fixed.values["ends_on"], fixed.version, fixed.step_title) == (dt.date(2027, 1, 15), 2, "保密工作领导小组")


def _many(engine) -> list[tuple[str, str, str, dict]]:
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(AuditEvent).where(
            AuditEvent.entity == "register", AuditEvent.action.in_(("list_entries", "export_entries")))
            .order_by(AuditEvent.id)).scalars()
        return [(r.username, r.entity_id, r.action, r.after) for r in rows]


def test_K16_listing_and_exporting_person_records_is_audited_once_per_call(office):
    """K16 (seed 001 D1; issue 16 "every read of a person's record is audited"): a list page and a CSV or Excel
    export of 涉密人员 each write one audit row naming the register, how many records it showed and the filter —
    not one row per record; the carrier register, which does not audit reads, writes none."""
    engine, p = office
    for person in ("clerk", "courier"):
        R.create_entry(engine, actor=p["officer"], register="secrecy_person", now=NOW, values={
            "person_id": p[person].id, "level": "general", "post": "机要员", "since": dt.date(2020, 5, 1),
            "employment": "regular", "key_post": False, "proposal": "初审"})
    query = R.Query(first=dt.date(2020, 1, 1), last=dt.date(2020, 12, 31), state="pending")
    assert _many(engine) == []
    page = R.list_entries(engine, actor=p["officer"], register="secrecy_person", query=query, now=NOW)
    assert len(page.rows) == 2
    b"".join(R.export_csv(engine, actor=p["group"], register="secrecy_person", query=query, now=NOW))
    R.export_xlsx(engine, actor=p["admin"], register="secrecy_person", query=query, now=NOW)
    filt = {"first": "2020-01-01", "last": "2020-12-31", "state": "pending"}
    assert _many(engine) == [
        ("officer", "secrecy_person", "list_entries", {"register": "secrecy_person", "count": 2, "format": None,
                                                       "filter": filt}),
        ("group", "secrecy_person", "export_entries", {"register": "secrecy_person", "count": 2, "format": "csv",
                                                       "filter": filt}),
        ("admin", "secrecy_person", "export_entries", {"register": "secrecy_person", "count": 2, "format": "xlsx",
                                                       "filter": filt})]
    carrier(engine, p)
    R.list_entries(engine, actor=p["officer"], register="secrecy_carrier", query=R.Query(first=NOW.date(),
                   last=NOW.date()), now=NOW)
    assert len(_many(engine)) == 3


def _person(engine, p, who: str = "clerk", level: str = "general") -> int:
    return R.create_entry(engine, actor=p["officer"], register="secrecy_person", now=NOW, values={
        "person_id": p[who].id, "level": level, "post": "机要员", "since": dt.date(2020, 5, 1),
        "employment": "regular", "key_post": False, "proposal": "机要科初审名单"})


def _grade(engine, p, entry_id: int, at: dt.datetime) -> None:
    for n, who in enumerate(("head", "office", "group")):
        R.approve_entry(engine, actor=p[who], register="secrecy_person", entry_id=entry_id, step_no=n, now=at + n * H)


def test_K17_the_department_head_signs_the_grading_first_then_the_office_then_the_group(office):
    """K17 (seed 001 D1 第五条 「部门负责人审核确定后,报送本单位办公室和本单位保密工作领导小组审批」): the 保密员 (办公室)
    registers a 机要科 clerk; the first step waits on the 部门主管 of 机要科 — the person's department, not the
    保密员's — so another department's 部门主管 cannot sign it, nor can the 办公室 before him; then 办公室, then the
    group; who signed as 部门负责人 is recorded on the record."""
    engine, p = office
    with session_scope(engine) as session:
        office_unit = session.execute(select(OrgUnit.id).where(OrgUnit.name == "办公室")).scalar_one()
        other = User(username="other_head", name="other_head", password_hash="x", role="supervisor",
                     titles=["部门主管"], trained_posts=[], department_id=office_unit, created_at=NOW)
        session.add(other)
        session.flush()
        p["other_head"] = accounts.actor_of(other)
    person = _person(engine, p)
    detail = R.get_entry(engine, actor=p["officer"], register="secrecy_person", entry_id=person, now=NOW)
    assert (detail.entry.step_title, detail.entry.department_id, detail.entry.values["head_id"]) == (
        "部门主管", p["clerk"].department_id, None)
    assert [e.id for e in R.awaiting(engine, actor=p["head"], register="secrecy_person", now=NOW)] == [person]
    for who in ("other_head", "office", "group"):
        with pytest.raises(NotAllowed):
            R.approve_entry(engine, actor=p[who], register="secrecy_person", entry_id=person, step_no=0, now=NOW)
    _grade(engine, p, person, NOW + H)
    done = R.get_entry(engine, actor=p["group"], register="secrecy_person", entry_id=person, now=NOW + 5 * H)
    assert [(s.title, s.actor_name) for s in done.steps if s.action == "approve"] == [
        ("部门主管", "head"), ("行政主管", "office"), ("保密工作领导小组", "group")]
    assert (done.entry.state, done.entry.values["head_id"], done.entry.names[p["head"].id]) == (
        "approved", p["head"].id, "head")


def test_K18_a_level_change_is_an_audited_new_version_and_the_period_follows_the_new_level(office):
    """K18 (seed 001 D1 第六条 「涉密等级…变更」; 第十一条): raising a clerk from 一般 to 核心 is a correction — a new
    version with its reason, audited, through the same chain; version 1 stays as it was. A 脱密期 entered after that
    takes the record's current level: one at the old level is refused, and the default period is core's 3 years."""
    engine, p = office
    first = _person(engine, p)
    _grade(engine, p, first, NOW)
    later = NOW + dt.timedelta(days=30)
    second = R.correct_entry(engine, actor=p["officer"], register="secrecy_person", entry_id=first, now=later,
                             values={"person_id": p["clerk"].id, "level": "core", "post": "机要室 核心岗位",
                                     "since": dt.date(2020, 5, 1), "employment": "regular", "key_post": True,
                                     "proposal": "机要科调整名单"}, reason="调入核心涉密岗位")
    _grade(engine, p, second, later + H)
    detail = R.get_entry(engine, actor=p["group"], register="secrecy_person", entry_id=second, now=later + 5 * H)
    assert [(v.version, v.values["level"], v.superseded_by_id) for v in detail.versions] == [
        (1, "general", second), (2, "core", None)]
    assert (detail.entry.reason, detail.entry.state) == ("调入核心涉密岗位", "approved")
    with session_scope(engine, write=False) as session:
        corrected = session.execute(select(AuditEvent).where(
            AuditEvent.entity_id == f"secrecy_person:{first}", AuditEvent.action == "correct")).scalar_one()
    assert (corrected.username, corrected.reason, corrected.before["level"], corrected.after["level"]) == (
        "officer", "调入核心涉密岗位", "general", "core")
    period = {"person_id": p["clerk"].id, "level": "general", "left_post_on": dt.date(2026, 1, 5),
              "returned_on": dt.date(2026, 1, 5)}
    with pytest.raises(ValidationFailed) as old_level:
        R.create_entry(engine, actor=p["officer"], register="secrecy_period", values=period, now=later + D)
    assert old_level.value.keys() == {"reg.secrecy_period.level": "registers.secrecy_period.not_current_level"}
    entry_id = R.create_entry(engine, actor=p["officer"], register="secrecy_period", now=later + D,
                              values={**period, "level": "core"})
    ends = R.get_entry(engine, actor=p["officer"], register="secrecy_period", entry_id=entry_id,
                       now=later + D).entry.values["ends_on"]
    assert ends == dt.date(2029, 1, 5)


def test_K19_the_group_writes_the_vetting_record_and_every_read_of_it_is_audited(office):
    """K19 (seed 001 D1 第七条 「对审查情况书面记载备案」): the 保密工作领导小组 writes the vetting record — the three named
    aspects, each required, the conditions only attested — and the 保密员 cannot write one; it is recorded at once,
    locked (a correction is a new version); a department head cannot list or open it; the officer's read of the
    record and the group's list of the register are audited."""
    engine, p = office
    values = {"person_id": p["clerk"].id, "political": "政治立场坚定", "work": "工作认真负责,近三年考核称职",
              "discipline": "按期参加保密教育,遵守保密纪律", "conditions_checked": True, "result": "pass",
              "vetted_on": dt.date(2026, 2, 27)}
    with pytest.raises(NotAllowed):
        R.create_entry(engine, actor=p["officer"], register="secrecy_vetting", values=values, now=NOW)
    with pytest.raises(ValidationFailed) as blank:
        R.create_entry(engine, actor=p["group"], register="secrecy_vetting", values={**values, "work": ""}, now=NOW)
    assert blank.value.keys() == {"reg.secrecy_vetting.work": "field.required"}
    vetting = R.create_entry(engine, actor=p["group"], register="secrecy_vetting", values=values, now=NOW)
    query = R.Query(first=dt.date(2026, 2, 1), last=dt.date(2026, 2, 28))
    with pytest.raises(NotAllowed):
        R.list_entries(engine, actor=p["head"], register="secrecy_vetting", query=query, now=NOW)
    with pytest.raises(NotAllowed):
        R.get_entry(engine, actor=p["head"], register="secrecy_vetting", entry_id=vetting, now=NOW)
    seen = R.get_entry(engine, actor=p["officer"], register="secrecy_vetting", entry_id=vetting, now=NOW + H)
    assert (seen.entry.state, seen.entry.values["result"], seen.entry.locked, seen.may_edit) == (
        "recorded", "pass", True, ())
    assert len(R.list_entries(engine, actor=p["group"], register="secrecy_vetting", query=query, now=NOW + H).rows) == 1
    assert reads(engine, "secrecy_vetting", vetting) == ["officer"]
    assert [(u, e, a, d["count"]) for u, e, a, d in _many(engine)] == [
        ("group", "secrecy_vetting", "list_entries", 1)]


def test_K20_nobody_signs_or_returns_a_step_of_their_own_grading(office):
    """K20 (seed 001 D1 第五条 「部门负责人审核确定」; issue 16): the 部门主管 of 机要科 is himself graded 涉密. He holds
    the title of the first step and is of the person's department, yet he may neither approve nor return his own
    grading (a translated reason naming the title), nor does it wait in his list or offer him the buttons; another
    部门主管 of 机要科 signs, and is recorded as the 部门负责人."""
    engine, p = office
    with session_scope(engine) as session:
        unit = session.execute(select(OrgUnit.id).where(OrgUnit.name == "机要科")).scalar_one()
        deputy = User(username="deputy_head", name="deputy_head", password_hash="x", role="supervisor",
                      titles=["部门主管"], trained_posts=[], department_id=unit, created_at=NOW)
        session.add(deputy)
        session.flush()
        p["deputy_head"] = accounts.actor_of(deputy)
    person = _person(engine, p, who="head", level="important")
    with pytest.raises(NotAllowed) as own:
        R.approve_entry(engine, actor=p["head"], register="secrecy_person", entry_id=person, step_no=0, now=NOW + H)
    assert (own.value.key, own.value.params) == ("registers.own_record", {"title": "部门主管"})
    with pytest.raises(NotAllowed) as back:
        R.reject_entry(engine, actor=p["head"], register="secrecy_person", entry_id=person, step_no=0,
                       reason="不同意", now=NOW + H)
    assert back.value.key == "registers.own_record"
    assert R.awaiting(engine, actor=p["head"], register="secrecy_person", now=NOW + H) == ()
    assert R.get_entry(engine, actor=p["head"], register="secrecy_person", entry_id=person, now=NOW + H).may_act is False
    assert [e.id for e in R.awaiting(engine, actor=p["deputy_head"], register="secrecy_person", now=NOW + H)] == [person]

    def inbox_entries(who) -> list[int]:  # nor is it waiting in his inbox (nor sent to him by the sweeper)
        box = inbox.inbox(engine, actor=p[who], now=NOW + H).inbox
        return [i.record_id for i in (*box.overdue, *box.soon, *box.other) if i.link_param("register") ==
                "secrecy_person"]

    assert inbox_entries("head") == [] and inbox_entries("deputy_head") == [person]
    R.approve_entry(engine, actor=p["deputy_head"], register="secrecy_person", entry_id=person, step_no=0,
                    now=NOW + 2 * H)
    R.approve_entry(engine, actor=p["office"], register="secrecy_person", entry_id=person, step_no=1, now=NOW + 3 * H)
    R.approve_entry(engine, actor=p["group"], register="secrecy_person", entry_id=person, step_no=2, now=NOW + 4 * H)
    done = R.get_entry(engine, actor=p["group"], register="secrecy_person", entry_id=person, now=NOW + 5 * H).entry
    assert (done.state, done.values["head_id"]) == ("approved", p["deputy_head"].id)
