"""Visitor check-in paths on SQLite and PostgreSQL: still on site (T4), pre-registration, kiosk, badge (T21),
host and relay pickers (T2)."""

import datetime as dt
import re
import zlib

import pytest

from db.engine import session_scope
from db.models import User, VisitorEntry, VisitorSignIn
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.visitors import PreregForm, StillOnSite, VisitorForm
from lib.services.visitors import badge as visitor_badge
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.visitors import prereg as visitor_prereg
from lib.services.visitors import register as visitors
from lib.services.settings import office_zone_now
from tests.db.helpers import audit_actions, count, make_user, race


@pytest.fixture
def people(engine):
    return {
        "staff": make_user(engine, username="desk", role="staff", name="前台小王"),
        "desk2": make_user(engine, username="desk2", role="staff", name="前台小李"),
        "boss": make_user(engine, username="boss", role="supervisor", name="主管老李"),
        "admin": make_user(engine, username="root", role="admin", name="管理员"),
        "wall": make_user(engine, username="wall", role="display", name="大屏"),
    }


def form(**overrides):
    values = dict(name="张三", headcount=1, purpose="商务洽谈", company="华为", phone="13800138000")
    values.update(overrides)
    return VisitorForm(**values)


def test_T4_second_check_in_of_a_visitor_on_site_is_refused_with_the_first_visit(engine, people):
    first = visitors.register_visitor(engine, actor=people["staff"], form=form())
    for again in (form(name="张三丰", company="别家"), form(phone="", company="华为")):  # same phone / name+company
        with pytest.raises(StillOnSite) as info:
            visitors.register_visitor(engine, actor=people["desk2"], form=again)
        assert [v.id for v in info.value.visits] == [first]
    assert count(engine, VisitorEntry) == 1
    visitors.register_visitor(engine, actor=people["staff"], form=form(name="李四", phone="13900139000"))
    assert count(engine, VisitorEntry) == 2


def test_T4_check_the_first_visit_out_then_check_in_in_one_step(engine, people):
    first = visitors.register_visitor(engine, actor=people["staff"], form=form())
    second = visitors.register_visitor(engine, actor=people["staff"], form=form(), check_out_ids=(first,))
    assert [r.id for r in visitors.on_site(engine, actor=people["staff"])] == [second]
    assert audit_actions(engine, "visitor") == ["register", "check_out", "register"]


def test_T4_a_warned_caller_may_check_in_anyway_but_not_past_a_visit_it_was_not_shown(engine, people):
    first = visitors.register_visitor(engine, actor=people["staff"], form=form())
    second = visitors.register_visitor(engine, actor=people["staff"], form=form(), seen_on_site=(first,))
    with pytest.raises(StillOnSite) as info:
        visitors.register_visitor(engine, actor=people["staff"], form=form(), seen_on_site=(first,))
    assert {v.id for v in info.value.visits} == {first, second}


def test_T4_two_desks_checking_the_same_visitor_in_at_once_make_one_visit(engine, people):
    results = race(lambda: visitors.register_visitor(engine, actor=people["staff"], form=form()),
                   lambda: visitors.register_visitor(engine, actor=people["desk2"], form=form()))
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert sum(isinstance(r, StillOnSite) for r in results) == 1, results
    assert count(engine, VisitorEntry) == 1


def test_T4_staff_search_their_own_day_by_name_phone_or_company(engine, people):
    visitors.register_visitor(engine, actor=people["staff"], form=form())
    _, today = office_zone_now(engine)
    for text in ("张三", "138 0013 8000", "华为"):
        assert [r.name for r in visitors.search(engine, actor=people["staff"], text=text, first=today,
                                                last=today)] == ["张三"]
    with pytest.raises(NotAllowed):
        visitors.search(engine, actor=people["staff"], text="张三", first=today - dt.timedelta(days=1), last=today)


def _deactivate(engine, user_id):
    with session_scope(engine) as session:
        session.get(User, user_id).active = False


def test_T2_services_refuse_an_inactive_or_display_host_or_relay_target(engine, people):
    from lib.domain.visitors import MessageForm

    gone = make_user(engine, username="gone", role="staff", name="离职员工")
    _deactivate(engine, gone.id)
    for target in (gone.id, people["wall"].id, people["admin"].id):
        with pytest.raises(DomainError) as info:
            visitors.register_visitor(engine, actor=people["staff"], form=form(host_id=target))
        assert info.value.key == "people.not_eligible.staff"
        with pytest.raises(DomainError):
            visitors.log_message(engine, actor=people["staff"], form=MessageForm(
                caller_name="赵六", matter="回电", relay_to_id=target))
        with pytest.raises(DomainError):
            visitor_prereg.create_prereg(engine, actor=people["staff"], form=prereg_form(engine, host_id=target))
    assert count(engine, VisitorEntry) == 0


def prereg_form(engine, **overrides):
    _, today = office_zone_now(engine)
    values = dict(name="王五", phone="13700137000", company="小米", purpose="签合同", headcount=2,
                  expected_day=today, expected_time=dt.time(10, 0))
    values.update(overrides)
    return PreregForm(**values)


def test_T21_pre_registration_gives_a_code_and_the_desk_checks_in_from_it(engine, people):
    booking = visitor_prereg.create_prereg(engine, actor=people["staff"],
                                           form=prereg_form(engine, host_id=people["boss"].id))
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", booking.code)
    assert [r.id for r in visitor_prereg.expected_today(engine, actor=people["desk2"])] == [booking.id]
    found = visitor_prereg.find_code(engine, actor=people["desk2"], code=booking.code.lower()[:3] + " " +
                                     booking.code.lower()[3:])
    assert (found.name, found.host_id, found.headcount) == ("王五", people["boss"].id, 2)
    entry = visitor_prereg.check_in_prereg(engine, actor=people["desk2"], prereg_id=found.id, form=VisitorForm(
        name=found.name, headcount=found.headcount, purpose=found.purpose, company=found.company, phone=found.phone,
        host_id=found.host_id, has_appointment=True))
    rows = visitors.on_site(engine, actor=people["desk2"])
    assert [(r.id, r.name, r.host_name, r.has_appointment) for r in rows] == [(entry, "王五", "主管老李", True)]
    assert visitor_prereg.expected_today(engine, actor=people["desk2"]) == []
    with pytest.raises(DomainError) as info:
        visitor_prereg.find_code(engine, actor=people["desk2"], code=booking.code)
    assert info.value.key == "visitor.code_used"


def test_T21_pre_registration_validates_like_the_desk_and_refuses_past_days(engine, people):
    _, today = office_zone_now(engine)
    with pytest.raises(DomainError) as info:
        visitor_prereg.create_prereg(engine, actor=people["staff"], form=prereg_form(
            engine, name="", headcount=0, expected_day=today - dt.timedelta(days=1), host_id=people["staff"].id))
    assert set(info.value.keys()) == {"visitor_name", "headcount", "expected_day"}
    tomorrow = visitor_prereg.create_prereg(engine, actor=people["staff"], form=prereg_form(
        engine, expected_day=today + dt.timedelta(days=1), host_id=people["staff"].id))
    with pytest.raises(DomainError) as info:
        visitor_prereg.find_code(engine, actor=people["staff"], code=tomorrow.code)
    assert info.value.key == "visitor.code_other_day"


def test_T21_kiosk_sign_in_waits_for_a_receptionist_then_is_a_normal_check_in(engine, people):
    kiosk_id, token = visitor_kiosk.create_kiosk(engine, actor=people["admin"], label="一楼大门")
    kiosk = visitor_kiosk.kiosk_access(engine, token)
    assert (kiosk.kiosk_id, kiosk.state) == (kiosk_id, visitor_kiosk.KioskState.VALID)
    sign_in = visitor_kiosk.kiosk_sign_in(engine, kiosk=kiosk, form=form(), host_text="主管老李")
    assert visitors.on_site(engine, actor=people["staff"]) == []  # pending, not yet a visit
    pending = visitor_kiosk.pending_sign_ins(engine, actor=people["staff"])
    assert [(p.id, p.name, p.host_text, p.kiosk) for p in pending] == [(sign_in, "张三", "主管老李", "一楼大门")]
    entry = visitor_kiosk.confirm_sign_in(engine, actor=people["staff"], sign_in_id=sign_in,
                                          form=form(host_id=people["boss"].id))
    assert [r.id for r in visitors.on_site(engine, actor=people["staff"])] == [entry]
    assert visitor_kiosk.pending_sign_ins(engine, actor=people["staff"]) == []
    with pytest.raises(DomainError) as info:
        visitor_kiosk.confirm_sign_in(engine, actor=people["desk2"], sign_in_id=sign_in, form=form())
    assert info.value.key == "kiosk.sign_in_decided"
    assert audit_actions(engine, "visitor_sign_in") == ["sign_in", "confirm"]


def test_T21_kiosk_code_sign_in_uses_the_booking_once(engine, people):
    booking = visitor_prereg.create_prereg(engine, actor=people["staff"],
                                           form=prereg_form(engine, host_id=people["boss"].id))
    _, token = visitor_kiosk.create_kiosk(engine, actor=people["admin"], label="平板")
    kiosk = visitor_kiosk.kiosk_access(engine, token)
    sign_in = visitor_kiosk.kiosk_sign_in_code(engine, kiosk=kiosk, code=booking.code)
    [pending] = visitor_kiosk.pending_sign_ins(engine, actor=people["staff"])
    assert (pending.id, pending.name, pending.host_id, pending.prereg_id) == (sign_in, "王五", people["boss"].id,
                                                                             booking.id)
    visitor_kiosk.confirm_sign_in(engine, actor=people["staff"], sign_in_id=sign_in,
                                  form=form(name="王五", phone="13700137000", host_id=people["boss"].id))
    assert visitor_prereg.expected_today(engine, actor=people["staff"]) == []


def test_T21_a_revoked_kiosk_says_so_and_signs_nobody_in(engine, people):
    kiosk_id, token = visitor_kiosk.create_kiosk(engine, actor=people["admin"], label="平板")
    kiosk = visitor_kiosk.kiosk_access(engine, token)
    visitor_kiosk.revoke_kiosk(engine, actor=people["admin"], kiosk_id=kiosk_id, reason="丢失")
    assert visitor_kiosk.kiosk_access(engine, token).state is visitor_kiosk.KioskState.REVOKED
    assert visitor_kiosk.kiosk_access(engine, "not-a-token") is None
    with pytest.raises(DomainError) as info:
        visitor_kiosk.kiosk_sign_in(engine, kiosk=kiosk, form=form())
    assert info.value.key == "kiosk.revoked"
    assert count(engine, VisitorSignIn) == 0
    with pytest.raises(NotAllowed):
        visitor_kiosk.create_kiosk(engine, actor=people["boss"], label="x")


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, read through its ToUnicode maps (fpdf2 writes glyph ids, so decode them)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    cmap: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = ord(bytes.fromhex(dst.decode()).decode("utf-16-be"))
                for offset, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[gid] = chr(start + offset)
    text = []
    for stream in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r"}.get(m.group(1), m.group(1)), literal)
            text.append("".join(cmap.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2)))
    return "\n".join(text)


def test_T21_badge_is_a_pdf_with_the_visitors_name_host_and_visit_number(engine, people):
    entry = visitors.register_visitor(engine, actor=people["staff"], form=form(name="欧阳娜娜", company="http://x",
                                                                               host_id=people["boss"].id))
    data = visitor_badge.badge_pdf(engine, actor=people["staff"], visitor_id=entry)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "欧阳娜娜" in text and "主管老李" in text and "http://x" in text
    assert visitor_badge.visit_number(entry) in text
    with pytest.raises(NotAllowed):
        visitor_badge.badge_pdf(engine, actor=people["wall"], visitor_id=entry)
