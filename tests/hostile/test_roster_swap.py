"""R15 hostile inputs: a roster request, here a shift swap (lib.services.roster.file_swap)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from db.engine import session_scope
from db.models import OrgUnit, RosterEntryRecord
from lib.services import roster
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

SH = dt.timezone(dt.timedelta(hours=8))
WEEK = [dt.date(2026, 5, 11) + dt.timedelta(days=i) for i in range(7)]
THURSDAY_BEFORE = dt.datetime(2026, 5, 7, 10, 0, tzinfo=SH)


def setup(engine):
    """A published two-shift week on 中控室: A on days, B on nights (as tests/db/test_races_r.py builds it)."""
    boss = make_user(engine, username="chief", role="supervisor", name="值班经理", titles=["值班经理"])
    a, b = (make_user(engine, username=f"s{i}", name=f"中控员{i}") for i in (1, 2))
    with session_scope(engine) as session:
        post = OrgUnit(kind="post", name="中控室", min_staff=1, is_24x7=True, requires_training=True)
        session.add(post)
        session.flush()
        post_id = post.id
    for person in (a, b):
        roster.set_qualification(engine, actor=boss, staff_id=person.id, post_id=post_id, trained=True,
                                 cert_valid_until=None)
    template = roster.create_template(engine, actor=boss, preset="three_crew_two_shift", name="两班")
    period = roster.create_period(engine, actor=boss, post_id=post_id, template_id=template, first_day=WEEK[0],
                                  last_day=WEEK[-1])
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=WEEK)
    roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="night", days=WEEK)
    prior = roster.create_period(engine, actor=boss, post_id=post_id, template_id=template,
                                 first_day=WEEK[0] - dt.timedelta(days=1), last_day=WEEK[0] - dt.timedelta(days=1))
    roster.add_entries(engine, actor=boss, period_id=prior, staff_id=b.id, shift="night",
                       days=[WEEK[0] - dt.timedelta(days=1)])
    roster.change_status(engine, actor=boss, period_id=period, target="published")
    with session_scope(engine, write=False) as session:
        entries = {(e.day, e.shift): e.id for e in session.exec(
            select(RosterEntryRecord).where(RosterEntryRecord.period_id == period))}
    return {"boss": boss, "a": a, "b": b, "entries": entries}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("roster request (swap)", setup)


SLOTS = st.tuples(st.sampled_from(WEEK), st.sampled_from(["day", "night"]))
forms = hs.form({
    "mine": (st.tuples(st.sampled_from(WEEK), st.just("own")), st.sampled_from([None, "ghost"]) | SLOTS),
    "theirs": (st.tuples(st.sampled_from(WEEK), st.just("other")), st.sampled_from([None, "ghost"]) | SLOTS),
    "actor": (st.sampled_from(["a", "b"]), st.just("boss")), "override": (st.just(False), st.booleans()),
    "reason": (hs.SHORT | st.just(""), hs.text()),
})


TICK = itertools.count()


@HOSTILE
@given(data=forms)
def test_R15_swap_request_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = THURSDAY_BEFORE + dt.timedelta(milliseconds=next(TICK))  # the newest request heads the (limited) list

    def attempt(engine, ctx):
        actor = ctx[data["actor"]]
        shift_of = {"a": "day", "b": "night", "boss": "day"}

        def entry(slot):
            if slot in (None, "ghost"):
                return {None: None, "ghost": 987654}[slot]
            day, whose = slot
            if whose in ("own", "other"):  # the actor's own shift that day, or the other person's
                mine = shift_of[data["actor"]]
                whose = mine if whose == "own" else {"day": "night", "night": "day"}[mine]
            return ctx["entries"][(day, whose)]

        swap_id = roster.file_swap(engine, actor=actor, entry_id=entry(data["mine"]),
                                   counterpart_entry_id=entry(data["theirs"]), reason=data["reason"],
                                   override=data["override"], now=now)
        row = next(r for r in roster.requests_list(engine, actor=ctx["boss"]) if r.kind == "swap" and r.id == swap_id)
        roster.decide_swap(engine, actor=ctx["boss"], swap_id=swap_id, approve=False)  # keep the week as published
        got = (row.reason, row.status)
        expected = (hs.typed(data["reason"]), "requested")
        return got, expected

    layer.check(attempt)
