"""Who is asked is who can act (issue 15 I10), on SQLite and PostgreSQL: an absence's approval item goes to exactly
the people ``roster.decide_absence`` lets decide it. The seed names the title (seed 000 D9: the 综合部主管 approves
leaving the front desk; seed 004 D8: the 值班经理 in the CS duty room) and SPEC's roles table makes both titles
supervisor jobs, so a staff-role holder of the title is neither asked nor able to decide."""

from __future__ import annotations

import datetime as dt

import pytest

from db.engine import session_scope
from db.models import RosterAbsence
from lib.domain.errors import NotAllowed
from lib.services import inbox, roster
from tests.db.helpers import make_user
from tests.db.test_rotation_db import make_post

H = dt.timedelta(hours=1)


def _absence(engine, staff, post, policy, now) -> int:
    with session_scope(engine) as session:
        row = RosterAbsence(staff_id=staff.id, post_id=post, policy=policy, starts_at=now + 2 * H,
                            ends_at=now + 3 * H, reason="official", filed_by_id=staff.id, filed_at=now)
        session.add(row)
        session.flush()
        return row.id


def _asked(engine, actor, absence_id, now) -> bool:
    box = inbox.inbox(engine, actor=actor, now=now).inbox
    return any(i.kind == "absence_approval" and i.record_id == absence_id
               for i in box.overdue + box.soon + box.other)


def _may_decide(engine, actor, absence_id, now) -> bool:
    try:
        roster.decide_absence(engine, actor=actor, absence_id=absence_id, approve=False, now=now)
    except NotAllowed:
        return False
    return True


def test_I10_a_staff_role_holder_of_the_title_is_not_asked_and_may_not_decide(engine, now):
    """The front desk's absence: the supervisor-role 综合部主管 is asked and decides; a staff-role 综合部主管
    (the bug: asked, then refused) is not asked; a 主管 without the title neither."""
    desk = make_user(engine, username="desk", name="前台")
    deputy = make_user(engine, username="deputy", role="staff", name="代理主管", titles=("综合部主管",))
    chief = make_user(engine, username="chief", role="supervisor", name="综合部主管", titles=("综合部主管",))
    other = make_user(engine, username="boss", role="supervisor", name="别的主管", titles=("客服主管",))
    post = make_post(engine, "前台")
    absence = _absence(engine, desk, post, "front_desk", now)
    assert not _asked(engine, deputy, absence, now)
    assert not _asked(engine, other, absence, now)
    assert _asked(engine, chief, absence, now)
    with pytest.raises(NotAllowed):
        roster.decide_absence(engine, actor=deputy, absence_id=absence, approve=False, now=now)
    roster.decide_absence(engine, actor=chief, absence_id=absence, approve=False, now=now)
    assert not _asked(engine, chief, absence, now)


@pytest.mark.parametrize("policy", ["front_desk", "cs_duty_room", "control_room", "other"])
def test_I10_for_every_policy_asked_exactly_when_the_service_lets_them_decide(engine, now, policy):
    """Each person, each policy, a fresh absence: in their inbox if and only if ``decide_absence`` accepts them."""
    desk = make_user(engine, username="desk", name="员工")
    people = [
        make_user(engine, username="chief_s", role="supervisor", name="综合部主管", titles=("综合部主管",)),
        make_user(engine, username="chief_st", role="staff", name="综合部主管乙", titles=("综合部主管",)),
        make_user(engine, username="duty_s", role="supervisor", name="值班经理", titles=("值班经理",)),
        make_user(engine, username="duty_st", role="staff", name="值班经理乙", titles=("值班经理",)),
        make_user(engine, username="boss", role="supervisor", name="主管", titles=("客服主管",)),
        make_user(engine, username="plain", role="staff", name="员工乙"),
    ]
    post = make_post(engine, "岗位")
    outcomes = {}
    for person in people:
        absence = _absence(engine, desk, post, policy, now)
        asked = _asked(engine, person, absence, now)
        assert asked == _may_decide(engine, person, absence, now), person.username
        outcomes[person.username] = asked
    assert not outcomes["chief_st"] and not outcomes["duty_st"] and not outcomes["plain"]
    expected = {"front_desk": "chief_s", "cs_duty_room": "duty_s"}.get(policy)
    asked = {name for name, yes in outcomes.items() if yes}
    assert asked == ({expected} if expected else {"chief_s", "duty_s", "boss"})
