"""The control room through the register and handover services on SQLite and PostgreSQL (seed 004 D2, D9, D12,
D16, D20; REGISTERS.md §1.5; SPEC 5.5): S60, C1–C9 and the engine's numbering per post under two writers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.engine import session_scope
from db.models import HandoverLogEntry, OrgUnit, User
from db.models_registers import register_table
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.services import accounts, handover, inbox, roster
from lib.services import registers as R
from lib.services import settings as settings_service

NOW = dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.timezone.utc)  # Monday 1 March 08:00 in Shanghai
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
CONTROL, FIRE = "中控室", "消防控制室"

PEOPLE = {  # name -> (department, role, titles)
    "op1": ("秩序维护部", "staff", ("中控员",)),
    "op2": ("秩序维护部", "staff", ("中控员",)),
    "guard": ("秩序维护部", "staff", ()),
    "chief": ("秩序维护部", "supervisor", ("秩序维护主管",)),
    "head": ("秩序维护部", "supervisor", ("部长",)),
    "clerk": ("行政部", "staff", ()),
    "admin": ("行政部", "admin", ()),
}
ALL_OK = {**{k: (True, "") for k in ("equipment", "incidents", "duty_log", "tools", "instructions", "hygiene")},
          **{f"five_{k}": (True, "") for k in ("problems_experience", "tools", "safety", "records", "hygiene")}}


@pytest.fixture
def office(engine):
    people = {}
    posts = {}
    with session_scope(engine) as session:
        departments = {}
        for name in sorted({d for d, _, _ in PEOPLE.values()}):
            unit = OrgUnit(kind="department", name=name)
            session.add(unit)
            session.flush()
            departments[name] = unit.id
        for name, flags in ((CONTROL, {}), (FIRE, {"requires_certificate": True})):
            post = OrgUnit(kind="post", name=name, min_staff=1, is_24x7=True, **flags)
            session.add(post)
            session.flush()
            posts[name] = post.id
        for username, (department, role, titles) in PEOPLE.items():
            user = User(username=username, name=username, password_hash="x", role=role, titles=list(titles),
                        trained_posts=[], department_id=departments[department], created_at=NOW - DAY)
            session.add(user)
            session.flush()
            people[username] = accounts.actor_of(user)
    return engine, people, posts


def log_values(post: str = CONTROL, **extra) -> dict:
    return {"post": post, "occurred_at": NOW, "type": "abnormal", "description": "3号泵异响", **extra}


def numbers(engine, register: str, post: str | None = None) -> list[int]:
    tbl = register_table(register)
    query = select(tbl.c.no)
    if post is not None:
        query = query.where(tbl.c.post == post)
    with session_scope(engine, write=False) as session:
        return sorted(session.execute(query).scalars())


# ---------------------------------------------------------------------------------------------- duty log
def test_S60_duty_log_entry_is_never_deleted_and_a_correction_is_a_new_version(office):
    """S60: deleting a duty-log entry is refused (the table's trigger; no service deletes); a correction is a new
    version beside the first, with its reason."""
    engine, p, _posts = office
    first = R.create_entry(engine, actor=p["op1"], register="cr_duty_log", values=log_values(), now=NOW)
    with pytest.raises(DBAPIError, match="never deleted"):
        with session_scope(engine) as session:
            session.execute(text("DELETE FROM reg_cr_duty_log"))
    assert not hasattr(R, "delete_entry")
    with pytest.raises(DomainError):  # a locked page is not changed in place
        R.edit_entry(engine, actor=p["op1"], register="cr_duty_log", entry_id=first,
                     values={"description": "改过的"}, now=NOW + MIN)
    second = R.correct_entry(engine, actor=p["op1"], register="cr_duty_log", entry_id=first, now=NOW + 5 * MIN,
                             values=log_values(description="3号泵异响,轴承温度偏高"), reason="补充轴承温度")
    detail = R.get_entry(engine, actor=p["chief"], register="cr_duty_log", entry_id=second, now=NOW + 6 * MIN)
    assert [(v.id, v.version, v.values["description"]) for v in detail.versions] == [
        (first, 1, "3号泵异响"), (second, 2, "3号泵异响,轴承温度偏高")]
    assert detail.entry.reason == "补充轴承温度" and detail.versions[0].superseded_by_id == second
    assert numbers(engine, "cr_duty_log") == [1, 2]  # both pages kept, none missing


def test_S60_a_fault_that_did_not_clear_by_itself_closes_only_once_reported(office):
    """S60: 「如果故障不能自动消除立即上报生产调度室和具体部门」 — closing without ``reported_to`` is refused;
    reported, it closes; a fault that cleared by itself closes without a report."""
    engine, p, _posts = office
    fault = R.create_entry(engine, actor=p["op1"], register="cr_duty_log", now=NOW,
                           values=log_values(type="fault", description="SCADA 报警: 2号水泵故障"))
    with pytest.raises(ValidationFailed) as refused:
        R.edit_entry(engine, actor=p["op1"], register="cr_duty_log", entry_id=fault,
                     values={"closed_at": NOW + 30 * MIN}, now=NOW + 30 * MIN)
    assert refused.value.keys() == {"reg.cr_duty_log.reported_to": "registers.cr_duty_log.fault_not_reported"}
    R.edit_entry(engine, actor=p["op1"], register="cr_duty_log", entry_id=fault, now=NOW + 5 * MIN,
                 values={"reported_to": "dispatch", "reported_at": NOW + 5 * MIN})
    R.edit_entry(engine, actor=p["op1"], register="cr_duty_log", entry_id=fault,
                 values={"closed_at": NOW + 30 * MIN}, now=NOW + 30 * MIN)
    cleared = R.create_entry(engine, actor=p["op2"], register="cr_duty_log", now=NOW,
                             values=log_values(type="fault", description="UPS 报警"))
    R.edit_entry(engine, actor=p["op2"], register="cr_duty_log", entry_id=cleared, now=NOW + 9 * MIN,
                 values={"auto_cleared_at": NOW + 2 * MIN, "closed_at": NOW + 9 * MIN})
    rows = {e.id: e.values for e in R.list_entries(engine, actor=p["chief"], register="cr_duty_log",
                                                    query=R.Query(first=NOW.date(), last=NOW.date())).rows}
    assert rows[fault]["reported_to"] == "dispatch" and rows[fault]["closed_at"] == NOW + 30 * MIN
    assert rows[cleared]["reported_to"] is None and rows[cleared]["closed_at"] == NOW + 9 * MIN


def test_C1_duty_log_is_numbered_per_post_without_gaps_under_two_writers(office):
    """C1: two operators writing at once, each on both posts: every post's pages are 1..N, none missing, none
    twice (the engine's ``stream_field``: the counter row per post moves in the submitting transaction)."""
    engine, p, _posts = office
    per_thread = 6
    barrier = threading.Barrier(2)
    errors: list = []

    def write(who: str) -> None:
        barrier.wait()
        try:
            for n in range(per_thread):
                post = CONTROL if n % 2 == 0 else FIRE
                R.create_entry(engine, actor=p[who], register="cr_duty_log", now=NOW + n * MIN,
                               values=log_values(post, description=f"{who} 第{n}条"))
        except Exception as exc:  # noqa: BLE001 - the test reports what a writer got
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(who,)) for who in ("op1", "op2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert numbers(engine, "cr_duty_log", CONTROL) == list(range(1, per_thread + 1))
    assert numbers(engine, "cr_duty_log", FIRE) == list(range(1, per_thread + 1))
    tbl = register_table("cr_duty_log")
    with session_scope(engine, write=False) as session:
        streams = set(session.execute(select(tbl.c.stream)).scalars())
    assert streams == {CONTROL, FIRE}
    for register, values in (("cr_duty_log", log_values("中控 室")),
                             ("cr_fire_record", {"post": "消防室", "shift": "night", "recorded_at": NOW, "system_ok": True})):
        with pytest.raises(ValidationFailed) as unknown:  # a page names a post of the office: its stream
            R.create_entry(engine, actor=p["op1"], register=register, values=values, now=NOW)
        assert unknown.value.keys() == {f"reg.{register}.post": "registers.cr.unknown_post"}


def _hand_over(engine, out, inc, post_id, start, *, out_shift="night", in_shift="day"):
    hid = handover.schedule(engine, actor=out, post_id=post_id, out_shift=out_shift, in_shift=in_shift,
                            shift_start=start, incoming_id=inc.id, now=start - 30 * MIN)
    handover.check_in(engine, actor=inc, handover_id=hid, now=start - 15 * MIN)
    handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=[], now=start - 10 * MIN)
    return hid


def test_C2_duty_log_responsible_shift_comes_from_the_handover_times(office):
    """C2 (S19): an entry of 08:10 after the handover completed at 08:02 belongs to the incoming shift; one of 07:50
    to the outgoing one, whatever shift the operator typed."""
    engine, p, posts = office
    hid = _hand_over(engine, p["op1"], p["op2"], posts[CONTROL], NOW)
    handover.submit_checklist(engine, actor=p["op2"], handover_id=hid, checks=ALL_OK, now=NOW - 5 * MIN)
    handover.sign(engine, actor=p["op1"], handover_id=hid, now=NOW + MIN)
    handover.sign(engine, actor=p["op2"], handover_id=hid, now=NOW + 2 * MIN)
    before = R.create_entry(engine, actor=p["op1"], register="cr_duty_log", now=NOW + 3 * MIN,
                            values=log_values(occurred_at=NOW - 10 * MIN, shift="day"))
    after = R.create_entry(engine, actor=p["op2"], register="cr_duty_log", now=NOW + 10 * MIN,
                           values=log_values(type="fault", occurred_at=NOW + 10 * MIN, shift="night"))
    shift = {e.id: e.values["responsible_shift"] for e in R.list_entries(
        engine, actor=p["chief"], register="cr_duty_log", query=R.Query(first=NOW.date(), last=NOW.date())).rows}
    assert shift == {before: "night", after: "day"}


# ---------------------------------------------------------------------------------------------- alarms
def test_C3_C4_alarm_two_people_then_a_reset_or_a_confirmed_fire(office):
    """C3: one on site and one at the console, two different people. C4: it ends in a reset, or in a fire with
    119 called and the 部门主管 told."""
    engine, p, _posts = office
    alarm = {"zone": "B1 配电房烟感", "received_at": NOW, "onsite_id": p["op1"].id, "console_id": p["op1"].id}
    with pytest.raises(ValidationFailed) as alone:
        R.create_entry(engine, actor=p["op1"], register="cr_alarm", values=alarm, now=NOW)
    assert alone.value.keys() == {"reg.cr_alarm.console_id": "registers.cr_alarm.two_people"}
    entry_id = R.create_entry(engine, actor=p["op1"], register="cr_alarm", now=NOW,
                              values={**alarm, "onsite_id": p["guard"].id})
    with pytest.raises(ValidationFailed) as no_call:
        R.edit_entry(engine, actor=p["op1"], register="cr_alarm", entry_id=entry_id, now=NOW + 20 * MIN,
                     values={"outcome": "fire", "ended_at": NOW + 20 * MIN})
    assert no_call.value.keys() == {"reg.cr_alarm.fire_called_at": "registers.cr_alarm.call_119",
                                    "reg.cr_alarm.head_told_at": "registers.cr_alarm.tell_head"}
    R.edit_entry(engine, actor=p["op1"], register="cr_alarm", entry_id=entry_id, now=NOW + 20 * MIN,
                 values={"outcome": "fire", "fire_called_at": NOW + 3 * MIN, "head_told_at": NOW + 4 * MIN,
                         "ended_at": NOW + 20 * MIN})
    reset = R.create_entry(engine, actor=p["op2"], register="cr_alarm", now=NOW,
                           values={**alarm, "console_id": p["op2"].id})
    R.edit_entry(engine, actor=p["op2"], register="cr_alarm", entry_id=reset, now=NOW + 8 * MIN,
                 values={"cause": "灰尘误报", "outcome": "reset", "ended_at": NOW + 8 * MIN})
    outcomes = {e.id: e.values["outcome"] for e in R.list_entries(
        engine, actor=p["chief"], register="cr_alarm", query=R.Query(first=NOW.date(), last=NOW.date())).rows}
    assert outcomes == {entry_id: "fire", reset: "reset"}


def test_C3_alarm_responders_must_be_on_the_published_roster(office):
    """C3: with a published roster covering the alarm, someone not on duty then cannot be the one on site."""
    engine, p, _posts = office
    with session_scope(engine) as session:
        unit = OrgUnit(kind="post", name="保安岗", min_staff=1)
        session.add(unit)
        session.flush()
        guard_post = unit.id
    template = roster.create_template(engine, actor=p["chief"], preset="call_centre_24h", name="保安岗班次")
    period = roster.create_period(engine, actor=p["chief"], post_id=guard_post, template_id=template,
                                  first_day=dt.date(2027, 3, 1), last_day=dt.date(2027, 3, 1))
    for who in ("guard", "op1"):
        roster.add_entries(engine, actor=p["chief"], period_id=period, staff_id=p[who].id, shift="day",
                           days=[dt.date(2027, 3, 1)])
    roster.change_status(engine, actor=p["chief"], period_id=period, target="published")
    at = NOW + 2 * 60 * MIN  # 10:00, the day shift (08:00–20:00)
    alarm = {"zone": "3F 烟感", "received_at": at, "onsite_id": p["clerk"].id, "console_id": p["op1"].id}
    with pytest.raises(ValidationFailed) as off_duty:
        R.create_entry(engine, actor=p["op1"], register="cr_alarm", values=alarm, now=at)
    assert off_duty.value.keys() == {"reg.cr_alarm.onsite_id": "registers.cr_alarm.not_on_duty"}
    assert R.create_entry(engine, actor=p["op1"], register="cr_alarm", now=at,
                          values={**alarm, "onsite_id": p["guard"].id})


# ---------------------------------------------------------------------------------------------- check calendar
def test_C5_a_missed_video_check_is_overdue_in_the_operators_inbox(office):
    """C5: a video check every 15 minutes — due 15 minutes after the latest, overdue once missed, in the inbox of
    every 中控员 (not the clerk's), and no longer once the next check is entered. The supervisor's daily check is
    the 秩序维护主管's."""
    engine, p, _posts = office
    R.create_entry(engine, actor=p["op1"], register="cr_check_video", now=NOW,
                   values={"post": CONTROL, "done_at": NOW, "result": "ok"})
    R.create_entry(engine, actor=p["chief"], register="cr_check_supervisor", now=NOW,
                   values={"post": CONTROL, "done_at": NOW, "result": "ok"})

    def video(at):
        return [d for d in R.open_dues(engine, at) if d.register == "cr_check_video"]

    assert video(NOW + 5 * MIN) == []  # not yet listed
    soon = video(NOW + 10 * MIN)
    assert [(d.kind, d.due_at, d.overdue, d.step_title) for d in soon] == [("cadence", NOW + 15 * MIN, False, "中控员")]
    late = NOW + 20 * MIN
    assert [(d.due_at, d.overdue) for d in video(late)] == [(NOW + 15 * MIN, True)]
    for who in ("op1", "op2"):
        view = inbox.inbox(engine, actor=p[who], now=late)
        assert [i.title_key for i in view.inbox.overdue] == ["registers.title.cr_check_video"], who
    assert inbox.inbox(engine, actor=p["clerk"], now=late).inbox.overdue == ()
    daily = [d for d in R.open_dues(engine, NOW + DAY + MIN) if d.register == "cr_check_supervisor"]
    assert [(d.due_at, d.overdue, d.step_title) for d in daily] == [(NOW + DAY, True, "秩序维护主管")]
    R.create_entry(engine, actor=p["op2"], register="cr_check_video", now=late,
                   values={"post": CONTROL, "done_at": late, "result": "ok"})
    assert video(late + MIN) == []


# ---------------------------------------------------------------------------------------------- fire record
def test_C6_fire_room_handover_needs_the_outgoing_shifts_record(office):
    """C6 (H4): on the fire post the handover cannot go on to the signatures until the outgoing shift's
    消防监控系统运行情况记录表 is in the register (no tick box stands in for it); another shift's record does not count."""
    engine, p, posts = office
    hid = _hand_over(engine, p["op1"], p["op2"], posts[FIRE], NOW)
    with pytest.raises(DomainError, match="missing_for_handover"):
        handover.submit_checklist(engine, actor=p["op2"], handover_id=hid, checks=ALL_OK, now=NOW - 5 * MIN)
    R.create_entry(engine, actor=p["op1"], register="cr_fire_record", now=NOW - DAY / 2,
                   values={"post": FIRE, "shift": "day", "recorded_at": NOW - DAY / 2, "system_ok": True})
    with pytest.raises(DomainError, match="missing_for_handover"):
        handover.submit_checklist(engine, actor=p["op2"], handover_id=hid, checks=ALL_OK, now=NOW - 5 * MIN)
    R.create_entry(engine, actor=p["op1"], register="cr_fire_record", now=NOW - 20 * MIN,
                   values={"post": FIRE, "shift": "night", "recorded_at": NOW - 20 * MIN, "system_ok": True})
    handover.submit_checklist(engine, actor=p["op2"], handover_id=hid, checks=ALL_OK, now=NOW - 5 * MIN)
    handover.sign(engine, actor=p["op1"], handover_id=hid, now=NOW)
    assert handover.sign(engine, actor=p["op2"], handover_id=hid, now=NOW + MIN) == "completed"


def test_C6_a_post_without_the_fire_system_needs_no_record(office):
    engine, p, posts = office
    hid = _hand_over(engine, p["op1"], p["op2"], posts[CONTROL], NOW)
    handover.submit_checklist(engine, actor=p["op2"], handover_id=hid, checks=ALL_OK, now=NOW - 5 * MIN)


# ---------------------------------------------------------------------------------------------- CCTV
def cctv(p, **extra) -> dict:
    return {"requester_id": p["clerk"].id, "org": "internal", "kind": "view", "camera": "大门",
            "from_at": NOW - 2 * DAY, "to_at": NOW - 2 * DAY + 30 * MIN, "purpose": "查找遗失的钥匙", **extra}


def test_C7_outsiders_are_refused_and_C8_copy_is_off_and_execution_waits_for_the_head(office):
    """C7: a request for someone from outside is refused outright. C8: copying is refused while the setting is off
    (the default), allowed once an admin turns it on; the operator carries a request out only after the 部长
    signed, and the signer is kept."""
    engine, p, _posts = office
    with pytest.raises(DomainError, match="outsider_refused"):
        R.create_entry(engine, actor=p["clerk"], register="cr_cctv_request", values=cctv(p, org="external"), now=NOW)
    with pytest.raises(ValidationFailed) as copy:
        R.create_entry(engine, actor=p["clerk"], register="cr_cctv_request", values=cctv(p, kind="copy"), now=NOW)
    assert copy.value.keys() == {"reg.cr_cctv_request.kind": "registers.cr_cctv_request.copy_off"}
    settings_service.change_setting(engine, actor=p["admin"], key="registers.cr_cctv.copy_allowed", value=True,
                                    reason="D12: 部长可批准复制")
    copied = R.create_entry(engine, actor=p["clerk"], register="cr_cctv_request", values=cctv(p, kind="copy"),
                            now=NOW + MIN)
    entry_id = R.create_entry(engine, actor=p["clerk"], register="cr_cctv_request", values=cctv(p), now=NOW)
    with pytest.raises((DomainError, ValidationFailed)):
        R.edit_entry(engine, actor=p["op1"], register="cr_cctv_request", entry_id=entry_id,
                     values={"executed_at": NOW + MIN}, now=NOW + MIN)
    with pytest.raises(NotAllowed):  # the 秩序维护主管 is not the 部长
        R.approve_entry(engine, actor=p["chief"], register="cr_cctv_request", entry_id=entry_id, now=NOW + MIN)
    R.approve_entry(engine, actor=p["head"], register="cr_cctv_request", entry_id=entry_id, step_no=0,
                    now=NOW + 2 * MIN)
    R.edit_entry(engine, actor=p["op1"], register="cr_cctv_request", entry_id=entry_id,
                 values={"executed_at": NOW + 10 * MIN}, now=NOW + 10 * MIN)
    done = R.get_entry(engine, actor=p["op1"], register="cr_cctv_request", entry_id=entry_id, now=NOW + 11 * MIN)
    assert (done.entry.state, done.entry.values["approved_by"], done.entry.values["executed_at"]) == (
        "approved", "head", NOW + 10 * MIN)
    assert R.get_entry(engine, actor=p["head"], register="cr_cctv_request", entry_id=copied,
                       now=NOW + MIN).entry.state == "pending"


def test_C9_a_recording_is_kept_at_least_one_month(office):
    """C9: 「录相带应保存不少于1个月」 — erasing a recording that ended 20 days ago is refused; after 31 days it is
    recorded."""
    engine, p, _posts = office
    end = NOW - 20 * DAY
    entry_id = R.create_entry(engine, actor=p["op1"], register="cr_recording", now=NOW,
                              values={"media": "D-0042", "camera": "大门", "from_at": end - DAY, "to_at": end})
    with pytest.raises(ValidationFailed) as early:
        R.edit_entry(engine, actor=p["op1"], register="cr_recording", entry_id=entry_id, values={"erased_at": NOW},
                     now=NOW)
    assert early.value.keys() == {"reg.cr_recording.erased_at": "registers.cr_recording.kept_one_month"}
    later = end + 31 * DAY
    R.edit_entry(engine, actor=p["op1"], register="cr_recording", entry_id=entry_id, values={"erased_at": later},
                 now=later)
    kept = R.get_entry(engine, actor=p["op1"], register="cr_recording", entry_id=entry_id, now=later).entry
    assert (kept.values["retain_until"], kept.values["erased_at"]) == (end + 31 * DAY, later)


# ---------------------------------------------------------------------------------------------- one duty log
def test_C11_one_duty_log_the_handover_page_writes_the_register_and_reads_it_back(office):
    """C11: 「一份值班记录」 — an entry from the handover page is a numbered page of the register; a fault entered in
    the register is an abnormal entry the incoming operator acknowledges at the handover; a page of the old
    handover_log (before 0055) is still read, read-only."""
    engine, p, posts = office
    with session_scope(engine) as session:
        session.add(HandoverLogEntry(post_id=posts[CONTROL], at=NOW - 4 * 60 * MIN, author_id=p["op1"].id,
                                     text="旧记录: 巡视正常"))
    handover.add_log_entry(engine, actor=p["op1"], post_id=posts[CONTROL], text="配电柜温度偏高", abnormal=True,
                           now=NOW - 3 * 60 * MIN)
    handover.add_log_entry(engine, actor=p["op1"], post_id=posts[CONTROL], text="巡视一次", now=NOW - 2 * 60 * MIN)
    fault = R.create_entry(engine, actor=p["op1"], register="cr_duty_log", now=NOW - 60 * MIN,
                           values=log_values(type="fault", occurred_at=NOW - 60 * MIN, description="2号泵故障"))
    pages = R.list_entries(engine, actor=p["chief"], register="cr_duty_log",
                           query=R.Query(first=NOW.date() - DAY, last=NOW.date())).rows
    assert sorted((e.no, e.values["description"], e.values["type"]) for e in pages) == [
        (1, "配电柜温度偏高", "abnormal"), (2, "巡视一次", "other"), (3, "2号泵故障", "fault")]
    log = handover.log(engine, actor=p["op1"], post_id=posts[CONTROL], now=NOW)
    assert [(r.text, r.abnormal) for r in log] == [("2号泵故障", True), ("巡视一次", False),
                                                   ("配电柜温度偏高", True), ("旧记录: 巡视正常", False)]
    assert log[-1].id < 0  # the old table's page, read with its id negated
    hid = handover.schedule(engine, actor=p["op1"], post_id=posts[CONTROL], out_shift="night", in_shift="day",
                            shift_start=NOW, incoming_id=p["op2"].id, now=NOW - 30 * MIN)
    handover.check_in(engine, actor=p["op2"], handover_id=hid, now=NOW - 15 * MIN)
    view = handover.get(engine, actor=p["op2"], handover_id=hid)
    abnormal = [e.id for e in view.previous_log if e.abnormal]
    assert fault in abnormal and len(abnormal) == 2
    with pytest.raises(DomainError, match="unacknowledged_abnormal"):
        handover.acknowledge(engine, actor=p["op2"], handover_id=hid, entry_ids=[fault])
    handover.acknowledge(engine, actor=p["op2"], handover_id=hid, entry_ids=abnormal)
    assert all(e.acknowledged for e in handover.get(engine, actor=p["op2"], handover_id=hid).previous_log
               if e.abnormal)


def test_C11_migration_0055_names_the_old_log_pages_by_negated_ids_and_gives_them_back(office):
    """C11: the handovers' abnormal and acknowledged entries of the old handover_log keep pointing at them once
    they are read with negated ids; the downgrade gives the ids back."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from db.models import HandoverRecord

    engine, p, posts = office
    with session_scope(engine) as session:
        row = HandoverRecord(post_id=posts[CONTROL], out_shift="night", in_shift="day", shift_start=NOW,
                             outgoing_id=p["op1"].id, state="checklist", created_at=NOW,
                             data={"abnormal_entry_ids": [4, 7], "acknowledged_ids": [4], "fire_record_filed": False})
        plain = HandoverRecord(post_id=posts[FIRE], out_shift="night", in_shift="day", shift_start=NOW,
                               outgoing_id=p["op1"].id, state="scheduled", created_at=NOW, data={})
        session.add_all([row, plain])
        session.flush()
        ids = (row.id, plain.id)
    path = Path("db/migrations/versions/0055_registers_control_room.py")
    spec = importlib.util.spec_from_file_location("migration_0055", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def run() -> dict:
        with engine.begin() as connection:
            with Operations.context(MigrationContext.configure(connection)):
                migration._negate_legacy_log_ids()
        with session_scope(engine, write=False) as session:
            return {i: session.get(HandoverRecord, i).data for i in ids}

    upgraded = run()
    assert (upgraded[ids[0]]["abnormal_entry_ids"], upgraded[ids[0]]["acknowledged_ids"]) == ([-4, -7], [-4])
    assert upgraded[ids[1]] == {} and upgraded[ids[0]]["fire_record_filed"] is False
    downgraded = run()
    assert (downgraded[ids[0]]["abnormal_entry_ids"], downgraded[ids[0]]["acknowledged_ids"]) == ([4, 7], [4])
