"""Showroom customers on SQLite and PostgreSQL: registration through the queue, ownership, the day lock,
restricted areas, receptions and enquiries (SPEC M2.3-M2.5; S24-S34)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import (AccessEntryRecord, AuditEvent, ReceptionStep, ShowroomContactRecord, ShowroomCustomer,
                       ShowroomDaySheet, ShowroomOwnerChange)
from lib.domain.showroom import customers as rules
from lib.domain.errors import Conflict, DomainError, Locked, NotAllowed, ValidationFailed
from lib.services import access_log, reception_desk, rotation
from lib.services.showroom import write as showroom
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.showroom import read as showroom_read
from lib.services.access_log import AccessForm
from lib.services.reception_desk import MealForm, ReceptionForm
from lib.services.showroom.write import RegisterForm
from tests.db.helpers import audit_actions, count, make_user, race

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)  # a Monday


def day(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return (D + dt.timedelta(days=n)).replace(hour=hour, minute=minute)


@pytest.fixture
def floor(engine):
    boss = make_user(engine, username="boss", role="supervisor", name="经理甲", titles=["销售经理"])
    admin = make_user(engine, username="root", role="admin", name="管理员")
    desk = make_user(engine, username="pc", name="接待台")
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 6)]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people], now=D)
    return {"boss": boss, "admin": admin, "desk": desk, "c": people}


def reg(engine, actor, phone="13812345678", *, channel="walk_in", receiver=None, now=D, visit=None, **kw):
    form = RegisterForm(channel=channel, customer_name=kw.pop("name", "王先生"), phone=phone,
                        matter=kw.pop("matter", "卡罗拉试驾"), visit_date=visit or now.date(),
                        receiver_id=receiver.id if receiver else None, **kw)
    return showroom.register_contact(engine, actor=actor, form=form, now=now)


def customer(engine, customer_id) -> ShowroomCustomer:
    with session_scope(engine, write=False) as session:
        return session.get(ShowroomCustomer, customer_id)


# ---- registration and ownership ------------------------------------------------------------------------

def test_S25_hotline_holder_owns_a_new_caller_as_an_A_card(engine, floor):
    c1, c2 = floor["c"][:2]
    result = reg(engine, c2, channel="call")
    assert (result.receiver_id, result.owner_name, result.repeat_card) == (c2.id, "顾问2", False)
    row = customer(engine, result.customer_id)
    assert (row.owner_id, row.card, row.state) == (c2.id, "A", "owned_new")
    with session_scope(engine, write=False) as session:
        changes = session.exec(select(ShowroomOwnerChange)).all()
    assert [(c.seq, c.from_owner_id, c.to_owner_id, c.cause) for c in changes] == [
        (1, None, c2.id, "call_registered")]
    assert audit_actions(engine, "showroom_contact") == ["register"]


def test_walk_in_through_the_queue_goes_to_the_front_desk_holder_and_records_the_turn(engine, floor):
    c1 = floor["c"][0]
    result = showroom.register_contact(engine, actor=floor["boss"], queue_tap=True, now=D, form=RegisterForm(
        channel="walk_in", customer_name="李女士", phone="139 0000 1111", matter="询价", visit_date=D.date()))
    assert (result.receiver_id, result.queue_seq, result.queue_error) == (c1.id, 1, None)
    board = rotation.board(engine, actor=floor["boss"], now=D)
    assert board.slots[0].name == "顾问2" and board.events[0].type == "received_new"


def test_S30_blank_or_bad_fields_are_refused_and_nothing_is_written(engine, floor):
    with pytest.raises(ValidationFailed) as err:
        reg(engine, floor["c"][0], phone="  ", name="", matter="")
    assert set(err.value.keys()) == {"showroom_phone", "showroom_customer_name", "showroom_matter"}
    with pytest.raises(ValidationFailed) as err:
        reg(engine, floor["c"][0], phone="1234")
    assert err.value.keys() == {"showroom_phone": "customers.phone_invalid"}
    assert count(engine, ShowroomContactRecord) == 0 and count(engine, ShowroomCustomer) == 0
    assert count(engine, ShowroomDaySheet) == 0


def test_S24_an_unregistered_phone_has_no_owner(engine, floor):
    assert showroom_read.find_customer(engine, actor=floor["c"][0], phone="13812345678", now=D) is None
    reg(engine, floor["desk"], receiver=floor["c"][0])
    found = showroom_read.find_customer(engine, actor=floor["c"][1], phone="+86 138-1234-5678", now=D)
    assert (found.owner, found.state) == ("顾问1", "owned_new")


def test_S26_no_follow_up_in_a_week_releases_on_day_8_and_shows_as_overdue(engine, floor):
    c1 = floor["c"][0]
    cid = reg(engine, floor["desk"], receiver=c1).customer_id
    due = showroom_read.my_customers(engine, actor=c1, now=day(7))
    assert [r.id for r in due.due_today] == [cid] and due.owned[0].last_day == day(7).date()
    soon = showroom_read.my_customers(engine, actor=c1, now=day(5))
    assert [r.id for r in soon.about_to_lapse] == [cid]
    later = showroom_read.my_customers(engine, actor=c1, now=day(8, 0, 1))
    assert ([r.id for r in later.overdue], later.owned) == ([cid], ())
    assert showroom_read.find_customer(engine, actor=c1, phone="13812345678", now=day(8, 0, 1)).state == "released"
    released = showroom_read.releases(engine, actor=floor["boss"], first=day(7).date(), last=day(9).date(), now=day(9))
    assert [(r.customer_id, r.from_owner, r.cause) for r in released] == [(cid, "顾问1", "no_first_follow_up")]


def test_S26_a_follow_up_on_day_3_keeps_the_customer(engine, floor):
    c1 = floor["c"][0]
    cid = reg(engine, floor["desk"], receiver=c1).customer_id
    own = showroom.log_follow_up(engine, actor=c1, customer_id=cid, note="电话回访", now=day(3, 15))
    assert own.state == rules.OwnershipState.owned_following
    assert showroom_read.find_customer(engine, actor=c1, phone="13812345678", now=day(8)).owner == "顾问1"


def test_S27_released_after_more_than_30_days_without_follow_up(engine, floor):
    c1 = floor["c"][0]
    cid = reg(engine, floor["desk"], receiver=c1).customer_id
    showroom.log_follow_up(engine, actor=c1, customer_id=cid, now=day(2))
    assert showroom_read.find_customer(engine, actor=c1, phone="13812345678", now=day(32, 23)).owner == "顾问1"
    assert showroom_read.find_customer(engine, actor=c1, phone="13812345678", now=day(33)).state == "released"
    with pytest.raises(NotAllowed) as err:
        showroom.log_follow_up(engine, actor=c1, customer_id=cid, now=day(33))
    assert err.value.key == "showroom.not_your_customer"


def test_S28_unrecognised_revisit_goes_to_the_receiver_and_is_flagged_as_a_dispute(engine, floor):
    c2, c5 = floor["c"][1], floor["c"][4]
    cid = reg(engine, floor["desk"], receiver=c2).customer_id
    showroom.log_follow_up(engine, actor=c2, customer_id=cid, now=day(1))
    result = reg(engine, floor["desk"], receiver=c5, now=day(5))
    assert (result.owner_name, result.repeat_card, result.previous_owner_name) == ("顾问5", True, "顾问2")
    record = showroom_read.customer_record(engine, actor=c5, customer_id=cid, now=day(5))
    assert [(c.from_owner, c.to_owner, c.cause) for c in record.changes] == [
        ("", "顾问2", "walk_in_registered"), ("顾问2", "顾问5", "revisit_unrecognised")]
    found = showroom_read.disputes(engine, actor=floor["boss"], first=D.date(), last=day(5).date())
    assert [(d.customer_id, d.previous_owner, d.receiver) for d in found] == [(cid, "顾问2", "顾问5")]


def test_S28_revisit_asking_for_the_owner_keeps_the_owner(engine, floor):
    c2, c5 = floor["c"][1], floor["c"][4]
    cid = reg(engine, floor["desk"], receiver=c2).customer_id
    reg(engine, floor["desk"], receiver=c5, now=day(2), requested_consultant_id=c2.id)
    assert customer(engine, cid).owner_id == c2.id


def test_S8_demoted_consultant_cannot_take_new_customers_but_keeps_following(engine, floor):
    c1 = floor["c"][0]
    cid = reg(engine, floor["desk"], receiver=c1).customer_id
    rotation.set_demotion(engine, actor=floor["boss"], consultant_id=c1.id, month=day(1).date(), reason="末位")
    with pytest.raises(NotAllowed) as err:
        reg(engine, floor["desk"], phone="13900001111", receiver=c1, now=day(1))
    assert err.value.key == "customers.demoted_cannot_take_new" and err.value.params["consultant"] == "顾问1"
    showroom.log_follow_up(engine, actor=c1, customer_id=cid, now=day(1))  # O5: keeps following
    kept = reg(engine, floor["desk"], receiver=c1, now=day(2))  # and serves their own customer's revisit
    assert (kept.owner_name, kept.repeat_card) == ("顾问1", False)


def test_same_new_phone_registered_twice_at_once_gives_one_card(engine, floor):
    c1, c2 = floor["c"][:2]
    results = race(lambda: reg(engine, floor["desk"], receiver=c1), lambda: reg(engine, c2, channel="call"))
    assert all(isinstance(r, showroom.RegisterResult) for r in results), results
    assert count(engine, ShowroomCustomer) == 1 and count(engine, ShowroomContactRecord) == 2
    assert sorted(r.repeat_card for r in results) == [False, True]


def test_projection_equals_the_replay_of_the_record(engine, floor):
    """The stored owner and deadline answer exactly what the domain's replay of the record answers."""
    rng = random.Random(7)
    people = floor["c"]
    phones = ["13800000001", "13800000002", "13800000003"]
    now = D
    for _ in range(30):
        now += dt.timedelta(hours=rng.choice([3, 20, 50, 120, 400]))
        now = now.replace(hour=rng.choice([9, 11, 15]))
        phone = rng.choice(phones)
        found = showroom_read.find_customer(engine, actor=people[0], phone=phone, now=now)
        owner = next((p for p in people if found and p.name == found.owner and found.state != "released"), None)
        if owner is not None and rng.random() < 0.5:
            showroom.log_follow_up(engine, actor=owner, customer_id=found.id, now=now)
        else:
            receiver = rng.choice(people)
            requested = rng.choice([None, *people])
            reg(engine, floor["desk"], phone=phone, receiver=receiver, now=now,
                requested_consultant_id=requested.id if requested else None, recognised_by_owner=rng.random() < 0.3)
    with session_scope(engine, write=False) as session:
        tz = dt.timezone(dt.timedelta(hours=8))
        rows = session.exec(select(ShowroomCustomer)).all()
        for row in rows:
            history = showroom.history_of(session, row.id, tz)
            for probe in [now, now + dt.timedelta(days=8), now + dt.timedelta(days=40)]:
                replay = rules.ownership(history, probe.astimezone(tz))
                owner, state, due = showroom.effective(row, probe)
                assert (owner, state) == (replay.owner, replay.state.value), (row.id, probe)
                if replay.owner is not None:
                    assert due == replay.due_at
            logged = session.exec(select(ShowroomOwnerChange).where(ShowroomOwnerChange.customer_id == row.id)
                                  .order_by(ShowroomOwnerChange.seq)).all()
            # Changes are logged by the write that makes them visible; a release after the last write is derived.
            replay = rules.ownership(history, max(h.at for h in history))
            assert [(c.at, c.from_owner_id, c.to_owner_id, c.cause) for c in logged] == [
                (e.at, e.from_owner, e.to_owner, e.cause.value) for e in replay.events]


# ---- the signed day sheet ----------------------------------------------------------------------------------

def test_S29_details_completed_until_1800_then_expired(engine, floor):
    c1 = floor["c"][0]
    contact = reg(engine, floor["desk"], receiver=c1).contact_id
    showroom.complete_details(engine, actor=c1, contact_id=contact, details="试驾，报价 12.8 万", now=day(0, 17, 59))
    with pytest.raises(Locked) as err:
        showroom.complete_details(engine, actor=c1, contact_id=contact, details="补充", now=day(0, 18))
    assert err.value.key == "daysheet.locked_expired"
    sheet = showroom_read.day_sheet(engine, actor=floor["boss"], day=D.date(), now=day(0, 18))
    assert (sheet.state, sheet.contacts[0].details) == ("expired", "试驾，报价 12.8 万")


def test_S29_after_signing_every_service_refuses_to_write_into_that_date(engine, floor):
    c1, c2 = floor["c"][:2]
    contact = reg(engine, floor["desk"], receiver=c1).contact_id
    seen = showroom_read.day_sheet(engine, actor=floor["boss"], now=day(0, 16))
    assert (seen.walk_ins, seen.incomplete, seen.state) == (1, 1, "open")
    showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=1, seen_version=seen.version,
                      early_reason="暴雨提前闭店", now=day(0, 16))
    attempts = {
        "walk_in": lambda: reg(engine, floor["desk"], phone="13900002222", receiver=c2, now=day(0, 16, 30)),
        "call": lambda: reg(engine, c2, phone="13900003333", channel="call", receiver=c2, now=day(0, 16, 30)),
        "details": lambda: showroom.complete_details(engine, actor=c1, contact_id=contact, details="x",
                                                     now=day(0, 16, 30)),
        "supervisor": lambda: showroom.complete_details(engine, actor=floor["boss"], contact_id=contact,
                                                        details="y", now=day(0, 16, 30)),
        "next_day_backdated": lambda: reg(engine, floor["desk"], phone="13900004444", receiver=c2, now=day(1),
                                          visit=D.date()),
        "second_signature": lambda: showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=3,
                                                      now=day(0, 16, 30)),
    }
    for name, attempt in attempts.items():
        with pytest.raises((Locked, Conflict)) as err:
            attempt()
        assert err.value.key in {"daysheet.locked_signed_early", "daysheet.locked_expired",
                                 "daysheet.already_signed"}, name
    assert count(engine, ShowroomContactRecord) == 1
    sheet = showroom_read.day_sheet(engine, actor=floor["boss"], day=D.date(), now=day(0, 17))
    assert (sheet.state, sheet.signer, sheet.traffic_count, sheet.contacts[0].details) == ("signed", "经理甲", 1, "")


def test_S29_admin_correction_after_the_lock_needs_a_reason_and_shows_as_a_correction(engine, floor):
    c1 = floor["c"][0]
    contact = reg(engine, floor["desk"], receiver=c1).contact_id
    showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=1, now=day(0, 17, 5))
    with pytest.raises(NotAllowed):
        showroom.correct_contact(engine, actor=floor["boss"], contact_id=contact, details="改", reason="录错")
    with pytest.raises(ValidationFailed) as err:
        showroom.correct_contact(engine, actor=floor["admin"], contact_id=contact, details="改", reason=" ",
                                 now=day(1))
    assert err.value.keys() == {"showroom_reason": "daysheet.correction_reason_required"}
    showroom.correct_contact(engine, actor=floor["admin"], contact_id=contact, details="报价已发", reason="漏填",
                             now=day(1))
    late = RegisterForm(channel="walk_in", customer_name="赵先生", phone="13900005555", matter="看车",
                        visit_date=D.date(), receiver_id=c1.id)
    added = showroom.register_contact(engine, actor=floor["admin"], correction_reason="漏登记", now=day(1), form=late)
    assert added.correction
    sheet = showroom_read.day_sheet(engine, actor=floor["boss"], day=D.date(), now=day(1))
    assert [(c.details, c.corrected_details, c.is_correction) for c in sheet.contacts] == [
        ("", "报价已发", False), ("", "", True)]
    assert sheet.corrections == 2
    with session_scope(engine, write=False) as session:
        reasons = session.exec(select(AuditEvent.reason).where(AuditEvent.action.in_(
            ["correction", "correction_add"])).order_by(AuditEvent.id)).all()
    assert reasons == ["漏填", "漏登记"]


def test_S24_only_the_signed_record_is_evidence(engine, floor):
    c1, c4 = floor["c"][0], floor["c"][3]
    cid = reg(engine, floor["desk"], receiver=c1).customer_id
    showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=1, now=day(0, 17))
    reg(engine, floor["desk"], receiver=c4, now=day(1))  # day 1 is never signed
    rows = showroom_read.evidence(engine, actor=floor["boss"], customer_id=cid)
    assert [(r.day, r.receiver, r.signer) for r in rows] == [(D.date(), "顾问1", "经理甲")]
    assert showroom_read.evidence(engine, actor=floor["boss"], customer_id=cid, day=day(1).date()) == []
    with pytest.raises(NotAllowed):
        showroom_read.evidence(engine, actor=c1, customer_id=cid)


def test_only_the_manager_or_second_signer_signs_and_only_what_they_saw(engine, floor):
    with pytest.raises(NotAllowed) as err:
        showroom.sign_day(engine, actor=floor["c"][0], day=D.date(), traffic_count=0, now=day(0, 16))
    assert err.value.key == "daysheet.signer_title"
    seen = showroom_read.day_sheet(engine, actor=floor["boss"], now=day(0, 17))
    reg(engine, floor["desk"], receiver=floor["c"][0], now=day(0, 17, 15))
    with pytest.raises(Conflict) as err:
        showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=0, seen_version=seen.version,
                          now=day(0, 17, 30))
    assert err.value.key == "showroom.sheet_changed"
    supply = make_user(engine, username="gx", name="供需乙", titles=["供需"])
    signed = showroom.sign_day(engine, actor=supply, day=D.date(), traffic_count=1, now=day(0, 17, 40))
    assert signed.title == "供需"


def test_S29_sign_and_edit_at_the_same_moment_never_lets_the_edit_land_after_the_signature(engine, floor):
    c1 = floor["c"][0]
    now = dt.datetime.now(SH)
    if not dt.time(0, 30) < now.time() < dt.time(17, 0):
        now = now.replace(hour=10)  # the services get the clock; keep the day open whatever the wall time
    outcomes = set()
    for round_no in range(6):
        visit = now + dt.timedelta(days=round_no)
        contact = reg(engine, floor["desk"], phone=f"1380000{round_no:04d}", receiver=c1, now=visit).contact_id
        results = race(
            lambda: showroom.sign_day(engine, actor=floor["boss"], day=visit.date(), traffic_count=1, now=visit,
                                      early_reason="演练"),
            lambda: showroom.complete_details(engine, actor=c1, contact_id=contact, details=f"第{round_no}轮",
                                              now=visit))
        signed, edited = results
        assert not isinstance(signed, Exception), signed
        with session_scope(engine, write=False) as session:
            row = session.get(ShowroomContactRecord, contact)
            ids = dict(session.exec(select(AuditEvent.action, AuditEvent.id).where(
                AuditEvent.entity_id.in_([str(contact), visit.date().isoformat()]),
                AuditEvent.action.in_(["sign", "complete"]))).all())
            sheet = session.exec(select(ShowroomDaySheet).where(ShowroomDaySheet.day == visit.date())).one()
        if isinstance(edited, Exception):
            assert isinstance(edited, Locked), edited
            assert row.details == "" and "complete" not in ids
            outcomes.add("refused")
        else:
            assert row.details == f"第{round_no}轮" and ids["complete"] < ids["sign"]
            assert sheet.version == 2  # the registration and the edit, both counted before the signature
            outcomes.add("before")
    assert outcomes <= {"refused", "before"}


# ---- restricted areas ------------------------------------------------------------------------------------

def access(engine, actor, **kw):
    form = dict(area="control_room", category="external", name="李工", unit="设备公司", purpose="检修")
    form.update(kw)
    return access_log.register_entry(engine, actor=actor, form=AccessForm(**form), now=D)


def test_S31_external_visitor_needs_a_leader_and_a_signature_before_going_in(engine, floor):
    entry = access(engine, floor["desk"])
    with pytest.raises(ValidationFailed) as err:
        access_log.mark_in(engine, actor=floor["desk"], entry_id=entry, now=D)
    assert set(err.value.keys()) == {"access_approval", "access_signature"}
    with pytest.raises(NotAllowed):
        access_log.approve_entry(engine, actor=floor["c"][0], entry_id=entry, now=D)
    chief = make_user(engine, username="chief", name="秩序主管", titles=["秩序维护主管"])
    assert access_log.approve_entry(engine, actor=chief, entry_id=entry, now=D) == "秩序维护主管"
    with pytest.raises(ValidationFailed) as err:
        access_log.mark_in(engine, actor=floor["desk"], entry_id=entry, now=D)
    assert err.value.keys() == {"access_signature": "access.signature_required"}
    access_log.mark_in(engine, actor=floor["desk"], entry_id=entry, signed=True, now=D)
    rows = access_log.register_today(engine, actor=floor["desk"], now=D)
    assert rows[0].time_in is not None and "秩序主管" in rows[0].approvals


def test_S31_other_department_needs_the_vice_gm_and_fire_room_is_closed(engine, floor):
    entry = access(engine, floor["desk"], category="other_department", signed=True)
    chief = make_user(engine, username="chief", name="秩序主管", titles=["秩序维护主管"])
    with pytest.raises(NotAllowed) as err:
        access_log.approve_entry(engine, actor=chief, entry_id=entry, now=D)
    assert err.value.params["titles"] == "副总"
    vp = make_user(engine, username="vp", name="张副总", titles=["副总"])
    access_log.approve_entry(engine, actor=vp, entry_id=entry, now=D)
    results = race(lambda: access_log.mark_in(engine, actor=floor["desk"], entry_id=entry, now=D),
                   lambda: access_log.mark_in(engine, actor=chief, entry_id=entry, now=D))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "datetime"], results
    with pytest.raises(NotAllowed) as err:
        access(engine, floor["desk"], area="fire_room")
    assert err.value.key == "access.area_closed"
    assert count(engine, AccessEntryRecord) == 1


def test_S31_leader_escort_lets_an_external_visitor_in_without_a_separate_approval(engine, floor):
    vp = make_user(engine, username="vp", name="张副总", titles=["副总"])
    entry = access(engine, floor["desk"], escort_id=vp.id, signed=True)
    access_log.mark_in(engine, actor=floor["desk"], entry_id=entry, now=D)
    access_log.mark_out(engine, actor=floor["desk"], entry_id=entry, now=D + dt.timedelta(hours=1))
    with pytest.raises(Conflict):
        access_log.mark_out(engine, actor=floor["desk"], entry_id=entry, now=D + dt.timedelta(hours=2))


# ---- receptions ------------------------------------------------------------------------------------------

def application(engine, actor, klass="B", meals=(), **kw):
    form = dict(guest_count=4, reception_class=klass, starts_on=dt.date(2026, 5, 14), ends_on=dt.date(2026, 5, 14),
                reason="考察工厂", host="销售部王经理", meals=tuple(meals))
    form.update(kw)
    return reception_desk.create_application(engine, actor=actor, form=ReceptionForm(**form), now=D)


def test_S32_class_B_dinner_over_the_cap_is_flagged(engine, floor):
    app_id, flags = application(engine, floor["desk"], meals=[MealForm("outside", 4, "600")])
    assert [(f.key, f.params["per_head"], f.params["cap"]) for f in flags] == [
        ("reception.meal_over_cap", "150.00", "130")]
    rows = reception_desk.applications(engine, actor=floor["desk"], first=D.date(), last=day(10).date(), now=D)
    assert rows[0].id == app_id and rows[0].flags[0].key == "reception.meal_over_cap"


def test_S33_class_A_needs_the_chairman_and_feedback_is_due_in_two_working_days(engine, floor):
    desk = floor["desk"]
    app_id, _ = application(engine, desk, klass="A")  # ends Thursday 2026-05-14
    dept = make_user(engine, username="dm", name="部门经理", titles=["部门经理"])
    gm = make_user(engine, username="gm", name="总经理", titles=["总经理"])
    chair = make_user(engine, username="cm", name="蔡总", titles=["董事长"])
    with pytest.raises(NotAllowed) as err:
        reception_desk.advance(engine, actor=desk, application_id=app_id, action="hold", now=D)
    assert err.value.key == "reception.hold_before_approval"
    reception_desk.advance(engine, actor=desk, application_id=app_id, action="submit", now=D)
    with pytest.raises(NotAllowed):
        reception_desk.advance(engine, actor=desk, application_id=app_id, action="dept_review", now=D)
    reception_desk.advance(engine, actor=dept, application_id=app_id, action="dept_review", now=D)
    reception_desk.advance(engine, actor=gm, application_id=app_id, action="approve", now=D)
    with pytest.raises(NotAllowed) as err:
        reception_desk.advance(engine, actor=desk, application_id=app_id, action="confirm_itinerary", now=D)
    assert err.value.key == "reception.chairman_confirmation_required"
    reception_desk.chairman_confirm(engine, actor=chair, application_id=app_id, now=D)
    reception_desk.advance(engine, actor=desk, application_id=app_id, action="confirm_itinerary", now=D)
    reception_desk.advance(engine, actor=desk, application_id=app_id, action="hold", now=D)
    monday = dt.datetime(2026, 5, 18, 10, tzinfo=SH)
    row = reception_desk.applications(engine, actor=desk, first=D.date(), last=D.date(), now=monday)[0]
    assert (row.feedback_due, row.feedback_overdue) == (monday.date(), False)
    row = reception_desk.applications(engine, actor=desk, first=D.date(), last=D.date(),
                                      now=monday + dt.timedelta(days=1))[0]
    assert row.feedback_overdue
    with pytest.raises(ValidationFailed):
        reception_desk.advance(engine, actor=desk, application_id=app_id, action="file_feedback", now=monday)
    reception_desk.advance(engine, actor=desk, application_id=app_id, action="file_feedback", note="客户满意",
                           now=monday)
    assert [s[1] for s in reception_desk.steps(engine, actor=desk, application_id=app_id)] == [
        "submit", "dept_review", "approve", "confirm_itinerary", "hold", "file_feedback"]


def test_two_approvers_at_once_give_one_step(engine, floor):
    app_id, _ = application(engine, floor["desk"])
    reception_desk.advance(engine, actor=floor["desk"], application_id=app_id, action="submit", now=D)
    d1 = make_user(engine, username="d1", name="部门经理1", titles=["部门经理"])
    d2 = make_user(engine, username="d2", name="部门经理2", titles=["部门主管"])
    results = race(lambda: reception_desk.advance(engine, actor=d1, application_id=app_id, action="dept_review", now=D),
                   lambda: reception_desk.advance(engine, actor=d2, application_id=app_id, action="dept_review", now=D))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"], results
    assert count(engine, ReceptionStep) == 2


def test_outside_meal_needs_the_general_manager_to_approve(engine, floor):
    app_id, _ = application(engine, floor["desk"], meals=[MealForm("outside", 4, "400")])
    dept = make_user(engine, username="dm", name="部门经理", titles=["部门经理"])
    vp = make_user(engine, username="vp", name="副总", titles=["副总"])
    for actor, action in [(floor["desk"], "submit"), (dept, "dept_review")]:
        reception_desk.advance(engine, actor=actor, application_id=app_id, action=action, now=D)
    with pytest.raises(NotAllowed) as err:
        reception_desk.advance(engine, actor=vp, application_id=app_id, action="approve", now=D)
    assert err.value.key == "reception.meal_needs_approver"


# ---- enquiries --------------------------------------------------------------------------------------------

def test_S34_open_enquiry_needs_a_promised_time_and_a_repeat_call_is_flagged(engine, floor):
    desk = floor["desk"]
    with pytest.raises(ValidationFailed) as err:
        showroom_enquiries.log_enquiry(engine, actor=desk, question="保养价格？", status="open",
                                       promised_response_at=None, caller_phone="13812345678", now=D)
    assert err.value.keys() == {"enquiry_promised_response_at": "enquiries.promise_required"}
    first, repeats = showroom_enquiries.log_enquiry(engine, actor=desk, question="保养价格？", status="open",
                                                    promised_response_at=D + dt.timedelta(hours=2),
                                                    caller_phone="13812345678", now=D)
    assert repeats == ()
    _, repeats = showroom_enquiries.log_enquiry(engine, actor=desk, question="还没回复", status="open",
                                                promised_response_at=D + dt.timedelta(hours=3),
                                                caller_phone="138-1234-5678", now=D)
    assert repeats == (first,)
    board = showroom_enquiries.enquiry_board(engine, actor=desk, now=D + dt.timedelta(hours=2, minutes=1))
    assert [(r.id, r.overdue) for r in board][:1] == [(first, True)]
    showroom_enquiries.answer_enquiry(engine, actor=desk, enquiry_id=first, answer="已报价", now=D)
    with pytest.raises(Conflict):
        showroom_enquiries.answer_enquiry(engine, actor=desk, enquiry_id=first, answer="再答", now=D)


def test_display_role_cannot_write_or_read_customers(engine, floor):
    wall = make_user(engine, username="wall", role="display")
    with pytest.raises(NotAllowed):
        reg(engine, wall, receiver=floor["c"][0])
    with pytest.raises(NotAllowed):
        showroom_read.day_sheet(engine, actor=wall, now=D)
    with pytest.raises(DomainError):
        showroom_read.my_customers(engine, actor=floor["c"][0], consultant_id=floor["c"][1].id, now=D)


# ---- issue 10: double registration, eligible receivers, early close ----------------------------------------

def test_T1_the_same_phone_to_the_same_receiver_twice_within_the_window_is_refused_showing_the_first(engine, floor):
    c1, c2 = floor["c"][:2]
    first = reg(engine, floor["desk"], receiver=c1, now=day(0, 10))
    with pytest.raises(Conflict) as err:
        reg(engine, floor["desk"], phone="138-1234-5678", receiver=c1, now=day(0, 10, 0) + dt.timedelta(seconds=1))
    assert err.value.key == "showroom.duplicate_contact"
    assert (err.value.params["at"], err.value.params["registered_by"], err.value.params["receiver"]) == (
        "10:00:00", "接待台", "顾问1")
    assert count(engine, ShowroomContactRecord) == 1
    reg(engine, floor["desk"], receiver=c2, now=day(0, 10, 1))  # another receiver: a 重卡, not a double click
    later = reg(engine, floor["desk"], receiver=c1, now=day(0, 10, 3))  # after the 120 s window: a real revisit
    assert later.customer_id == first.customer_id
    assert count(engine, ShowroomContactRecord) == 3


def test_T1_two_clicks_at_the_same_moment_save_one_row(engine, floor):
    c1 = floor["c"][0]
    now = dt.datetime.now(SH)
    if not dt.time(0, 30) < now.time() < dt.time(17, 0):
        now = now.replace(hour=10)
    for round_no in range(3):
        visit = now + dt.timedelta(days=round_no)
        phone = f"1390000{round_no:04d}"
        results = race(*[lambda: reg(engine, floor["desk"], phone=phone, receiver=c1, now=visit)] * 2)
        saved = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(saved) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], Conflict) and refused[0].key == "showroom.duplicate_contact", refused
    assert count(engine, ShowroomContactRecord) == 3


def test_T2_a_namesake_without_a_receiver_title_is_refused_as_receiver_or_requested(engine, floor):
    operator = make_user(engine, username="op", name="顾问1", titles=["中控员"])
    with pytest.raises(DomainError) as err:
        reg(engine, floor["desk"], receiver=operator)
    assert err.value.key == "people.not_eligible.receiver"
    with pytest.raises(DomainError) as err:
        reg(engine, floor["desk"], receiver=floor["c"][0], requested_consultant_id=operator.id)
    assert err.value.key == "people.not_eligible.receiver"
    assert count(engine, ShowroomContactRecord) == 0


def test_T2_the_escort_must_be_active_staff(engine, floor):
    screen = make_user(engine, username="tv", role="display", name="大屏")
    with pytest.raises(DomainError) as err:
        access(engine, floor["desk"], escort_id=screen.id, signed=True)
    assert err.value.key == "people.not_eligible.staff"


def test_T3_an_early_close_needs_a_reason_kept_on_the_sheet_and_the_refusal_says_what_to_do(engine, floor):
    reg(engine, floor["desk"], receiver=floor["c"][0], now=day(0, 9, 30))
    with pytest.raises(DomainError) as err:
        showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=1, now=day(0, 9, 56))
    assert err.value.key == "daysheet.early_close_reason_required" and err.value.params["opens"] == "17:00"
    showroom.sign_day(engine, actor=floor["boss"], day=D.date(), traffic_count=1, early_reason="停电闭店",
                      now=day(0, 9, 56))
    sheet = showroom_read.day_sheet(engine, actor=floor["boss"], day=D.date(), now=day(0, 10))
    assert (sheet.state, sheet.early_close_reason) == ("signed", "停电闭店")
    with session_scope(engine, write=False) as session:
        audit_row = session.exec(select(AuditEvent).where(AuditEvent.action == "sign")).one()
    assert audit_row.reason == "停电闭店"
    with pytest.raises(Locked) as err:
        reg(engine, floor["c"][1], phone="13900009999", receiver=floor["c"][1], now=day(0, 10, 5))
    assert err.value.key == "daysheet.locked_signed_early"
    assert (err.value.params["at"], err.value.params["signer"], err.value.params["reason"]) == (
        "09:56", "经理甲", "停电闭店")
    assert err.value.params["admins"] == "（管理员）"


def test_T3_the_sign_check_lists_incomplete_rows_and_repeated_phones(engine, floor):
    c1, c2 = floor["c"][:2]
    reg(engine, floor["desk"], receiver=c1, now=day(0, 9))
    reg(engine, floor["desk"], receiver=c2, now=day(0, 11), details="试驾")
    reg(engine, floor["desk"], phone="13900001111", receiver=c1, now=day(0, 12), details="询价")
    sheet = showroom_read.day_sheet(engine, actor=floor["boss"], day=D.date(), now=day(0, 12))
    assert sheet.sign_timing == "early"
    assert [r.receiver for r in sheet.incomplete_rows] == ["顾问1"]
    assert [(phone, [r.receiver for r in rows]) for phone, rows in sheet.duplicate_phones] == [
        ("13812345678", ["顾问1", "顾问2"])]
