"""The bench generator at a tiny scale: right volumes, today's desk as described, history consistent."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlmodel import Session, func, select

from bench import generate as gen
from db.models import AuditEvent, PhoneMessage, User, VisitorEntry
from lib.domain.office import day_bounds, zone
from lib.domain.phones import normalise_phone
from tests.conftest import sqlite_engine

SCALE = 0.01  # 1,000 visitors and 300 messages over 4 days


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    now = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Shanghai
    engine = sqlite_engine(tmp_path_factory.mktemp("bench"))
    report = gen.generate(engine, scale=SCALE, seed=7, now=now, modules=["visitors", "messages"])
    yield engine, report, now
    engine.dispose()


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_volumes_follow_the_scale(generated):
    engine, report, _ = generated
    assert report.rows["visitor_entry"] == round(gen.VISITORS_PER_YEAR * SCALE)
    assert report.rows["phone_message"] == round(gen.MESSAGES_PER_YEAR * SCALE)
    with Session(engine) as session:
        assert _count(session, VisitorEntry) == report.rows["visitor_entry"]
        assert _count(session, PhoneMessage) == report.rows["phone_message"]
        staff = _count(session, User, User.role.in_(("staff", "supervisor")))
        assert 30 <= staff <= 45  # the demo office (lib/demo/office.py)
        assert session.exec(select(User.role).where(User.username == gen.ADMIN_USERNAME)).one() == "admin"


def test_today_has_about_300_visitors_and_a_handful_on_site(generated):
    engine, _, now = generated
    start, end = day_bounds(now.astimezone(zone("Asia/Shanghai")).date(), zone("Asia/Shanghai"))
    with Session(engine) as session:
        assert _count(session, VisitorEntry, VisitorEntry.time_in >= start, VisitorEntry.time_in < end) \
            == gen.VISITORS_TODAY
        on_site = _count(session, VisitorEntry, VisitorEntry.time_out.is_(None))
        assert gen.ON_SITE_NOW <= on_site <= gen.ON_SITE_NOW + len(gen.FORGOTTEN_CHECKOUTS)
        assert _count(session, VisitorEntry, VisitorEntry.time_in > now) == 0
        assert _count(session, VisitorEntry, VisitorEntry.time_out > now) == 0
        assert _count(session, VisitorEntry, VisitorEntry.time_out < VisitorEntry.time_in) == 0
        assert _count(session, VisitorEntry, VisitorEntry.time_in < start) > 0
        unrelayed = _count(session, PhoneMessage, PhoneMessage.relayed_at.is_(None))
        assert gen.UNRELAYED_TODAY <= unrelayed <= gen.UNRELAYED_TODAY + len(gen.UNRELAYED_OLD)
        assert _count(session, PhoneMessage, PhoneMessage.relayed_at > now) == 0


def test_rows_are_believable_and_audited(generated):
    engine, report, _ = generated
    with Session(engine) as session:
        sample = session.exec(select(VisitorEntry).order_by(VisitorEntry.id).limit(200)).all()
        assert all(v.phone_norm == (normalise_phone(v.phone) or "") for v in sample)
        assert any(v.phone_norm for v in sample)
        assert all(v.name and v.purpose and v.headcount >= 1 for v in sample)
        assert all(v.time_in.astimezone(zone("Asia/Shanghai")).hour in range(8, 20) for v in sample)
        # A returning visitor is recognised by phone: some numbers come back.
        repeats = session.exec(select(VisitorEntry.phone_norm).where(VisitorEntry.phone_norm != "")
                               .group_by(VisitorEntry.phone_norm).having(func.count() > 1)).all()
        assert repeats
        registered = _count(session, AuditEvent, AuditEvent.entity == "visitor", AuditEvent.action == "register")
        checked_out = _count(session, AuditEvent, AuditEvent.entity == "visitor", AuditEvent.action == "check_out")
        departed = _count(session, VisitorEntry, VisitorEntry.time_out.is_not(None))
        assert registered == report.rows["visitor_entry"] and checked_out == departed


def test_spread_puts_the_rest_of_the_history_on_past_days():
    ctx = gen.Context(scale=1, now=dt.datetime(2026, 11, 20, 2, tzinfo=dt.timezone.utc), tz=zone("Asia/Shanghai"),
                      days=gen.history_days(1, dt.date(2026, 11, 20)), rng=random.Random(1), fake=None,
                      staff=[], desk=[])
    counts = ctx.spread(100_000, 300)
    assert len(counts) == 365 and ctx.days[-1] == dt.date(2026, 11, 20)
    assert sum(counts) == 100_000 and counts[-1] == 300
    assert min(counts[:-1]) > 150


def test_unknown_generator_is_refused(tmp_path):
    engine = sqlite_engine(tmp_path)
    with pytest.raises(ValueError, match="unknown bench generators"):
        gen.generate(engine, scale=SCALE, modules=["visitors", "nope"])
    engine.dispose()
