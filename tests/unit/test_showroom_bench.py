"""The showroom bench generator at a tiny scale: volumes, today's open sheet, and a projection that is the replay."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from db.engine import session_scope
from db.models import ShowroomContactRecord, ShowroomCustomer, ShowroomDaySheet, ShowroomOwnerChange
from lib.domain.showroom import customers as rules
from lib.domain.office import zone
from tests.conftest import sqlite_engine

SCALE = 0.01  # 1,000 contacts over 4 days
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Shanghai


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    # Imported here, not at collection: importing registers the generator for every later generate() call.
    from bench import gen_showroom
    from bench.generate import generate

    engine = sqlite_engine(tmp_path_factory.mktemp("showroom_bench"))
    report = generate(engine, scale=SCALE, seed=11, now=NOW, modules=["showroom"])
    yield engine, report, gen_showroom
    engine.dispose()


def test_volumes_and_today(generated):
    engine, report, gen = generated
    assert report.rows["showroom_contact"] == round(gen.CONTACTS_PER_YEAR * SCALE)
    today = NOW.astimezone(zone("Asia/Shanghai")).date()
    with session_scope(engine, write=False) as session:
        assert session.exec(select(func.count()).select_from(ShowroomContactRecord)
                            .where(ShowroomContactRecord.day == today)).one() == gen.CONTACTS_TODAY
        sheets = session.exec(select(ShowroomDaySheet).order_by(ShowroomDaySheet.day)).all()
        assert [s.signed_at is None for s in sheets] == [False] * (len(sheets) - 1) + [True]
        assert session.exec(select(func.count()).select_from(ShowroomContactRecord)
                            .where(ShowroomContactRecord.at > NOW)).one() == 0


def test_projection_and_owner_log_are_the_replay(generated):
    engine, _report, _gen = generated
    from lib.services.showroom.write import effective, history_of

    tz = zone("Asia/Shanghai")
    with session_scope(engine, write=False) as session:
        customers = session.exec(select(ShowroomCustomer)).all()
        assert len(customers) > 10
        for row in customers:
            history = history_of(session, row.id, tz)
            replay = rules.ownership(history, NOW.astimezone(tz))
            owner, state, _due = effective(row, NOW)
            assert (owner, state) == (replay.owner, replay.state.value)
            logged = session.exec(select(ShowroomOwnerChange.to_owner_id).where(
                ShowroomOwnerChange.customer_id == row.id).order_by(ShowroomOwnerChange.seq)).all()
            last = max(h.at for h in history)
            assert logged == [e.to_owner for e in replay.events if e.at <= last]
