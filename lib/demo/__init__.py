"""A believable office for demos and first looks (Faker zh_CN).

Loaded from the first-run page ("load demo data") or ``make demo`` on a fresh database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys

from faker import Faker
from sqlmodel import func, select

from db.engine import make_engine, session_scope
from db.models import OrgUnit, PhoneMessage, User, VisitorEntry
from lib.domain.errors import DomainError
from lib.domain.phones import normalise_phone
from lib.services import accounts
from lib.services.base import ADMINS, Actor, audit, require, utcnow

DEMO_PASSWORD = "demo1234"
OFFICE_TZ = dt.timezone(dt.timedelta(hours=8))

# (department, teams, posts)
ORG = [
    ("销售部", ["销售一队"], ["展厅前台", "销售热线", "接待台电脑"]),
    ("客服部", ["订单组", "投诉组", "客服组"], ["客服值班室"]),
    ("行政部", ["前台接待"], ["前台"]),
    ("工程部", ["中控室", "消防控制室"], ["中控室", "消防控制室"]),
]

# (role, titles, department, team, count, is_intern)
PEOPLE = [
    ("supervisor", ["销售经理"], "销售部", "销售一队", 1, False),
    ("supervisor", ["供需"], "销售部", "销售一队", 1, False),
    ("staff", ["销售顾问"], "销售部", "销售一队", 10, False),
    ("staff", ["实习销售顾问"], "销售部", "销售一队", 2, True),
    ("supervisor", ["客服主管", "客服部经理"], "客服部", "客服组", 1, False),
    ("staff", ["客服专员"], "客服部", "订单组", 2, False),
    ("staff", ["客服专员"], "客服部", "投诉组", 2, False),
    ("staff", ["客服专员"], "客服部", "客服组", 2, False),
    ("supervisor", ["综合部主管"], "行政部", "前台接待", 1, False),
    ("staff", ["前台接待员"], "行政部", "前台接待", 3, False),
    ("supervisor", ["值班经理", "部长"], "工程部", "中控室", 1, False),
    ("staff", ["中控员"], "工程部", "中控室", 3, False),
    ("staff", ["中控员"], "工程部", "消防控制室", 2, False),
]

PURPOSES = ["商务洽谈", "面试", "送货", "参观展厅", "售后咨询", "合同签订", "拜访领导", "设备维修", "递交资料"]
MATTERS = ["询问订单进度", "预约看车", "投诉送货延迟", "咨询价格", "要求回电", "确认会议时间", "供应商对账"]


def _has_people(session) -> bool:
    return session.exec(select(func.count()).select_from(User).where(User.role != "admin")).one() > 0


def load_demo(engine, *, actor: Actor, days: int = 3, seed: int = 2026, now: dt.datetime | None = None) -> int:
    """Fill an empty install with ~30 staff, org units and ``days`` days of visitors and messages.

    Refused once the office has people, so it can never mix with real data. Returns the staff count.
    """
    require(actor, ADMINS)
    fake = Faker("zh_CN")
    Faker.seed(seed)
    rng = random.Random(seed)
    now = now or utcnow()
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    with session_scope(engine) as session:
        if _has_people(session):
            raise DomainError("setup.demo_not_empty")
        units = _org(session)
        staff = _people(session, fake, units, password_hash, now)
        _visits(session, fake, rng, staff, days, now)
        _messages(session, fake, rng, staff, days, now)
        audit(session, actor=actor, entity="demo", entity_id="", action="load_demo",
              after={"staff": len(staff), "days": days}, at=now)
    return len(staff)


def _org(session) -> dict[str, int]:
    ids: dict[str, int] = {}
    for department, teams, posts in ORG:
        dept = OrgUnit(kind="department", name=department)
        session.add(dept)
        session.flush()
        ids[department] = dept.id
        for team in teams:
            unit = OrgUnit(kind="team", name=team, parent_id=dept.id)
            session.add(unit)
            session.flush()
            ids[team] = unit.id
        for post in posts:
            control = post in {"中控室", "消防控制室"}
            unit = OrgUnit(kind="post", name=post, parent_id=dept.id, is_24x7=control, min_staff=1,
                           max_continuous_h=12 if post == "消防控制室" else (15 if control else None),
                           requires_training=control, requires_certificate=post == "消防控制室")
            session.add(unit)
        if department == "销售部":
            for group in ("一组", "二组"):
                unit = OrgUnit(kind="group", name=group, parent_id=dept.id)
                session.add(unit)
                session.flush()
                ids[group] = unit.id
    session.flush()
    return ids


def _people(session, fake, units, password_hash, now) -> list[int]:
    staff_ids: list[int] = []
    number = 1
    for role, titles, department, team, count, intern in PEOPLE:
        for index in range(count):
            group = None
            if department == "销售部" and "销售顾问" in titles[0]:
                group = units["一组" if index % 2 == 0 else "二组"]
            user = User(username=f"u{number:03d}", name=fake.name(), password_hash=password_hash, role=role,
                        staff_no=f"{number:03d}", titles=list(titles), department_id=units[department],
                        team_id=units[team], group_id=group, is_intern=intern, trained_posts=[],
                        created_at=now)
            session.add(user)
            session.flush()
            staff_ids.append(user.id)
            number += 1
    session.add(User(username="wall", name="展厅大屏", password_hash=password_hash, role="display",
                     titles=[], trained_posts=[], created_at=now))
    session.flush()
    return staff_ids


def _day_start(now: dt.datetime, days_ago: int) -> dt.datetime:
    local = now.astimezone(OFFICE_TZ).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(local, dt.time(8, 50), tzinfo=OFFICE_TZ).astimezone(dt.timezone.utc)


def _visits(session, fake, rng, staff, days, now) -> None:
    for days_ago in range(days - 1, -1, -1):
        opening = _day_start(now, days_ago)
        for _ in range(rng.randint(12, 20)):
            time_in = opening + dt.timedelta(minutes=rng.randint(0, 540))
            if time_in > now:
                continue
            out = time_in + dt.timedelta(minutes=rng.randint(10, 150))
            phone = fake.phone_number()
            session.add(VisitorEntry(
                name=fake.name(), headcount=rng.choice([1, 1, 1, 2, 3]), purpose=rng.choice(PURPOSES),
                company=fake.company(), phone=phone, phone_norm=normalise_phone(phone) or "",
                host_id=rng.choice(staff), has_appointment=rng.random() < 0.4,
                destination=rng.choice(["reception_area", "meeting_room"]),
                level=rng.choice(["standard", "standard", "high"]),
                state="departed" if out < now else "arrived", time_in=time_in,
                time_out=out if out < now else None, created_by_id=rng.choice(staff), created_at=time_in))


def _messages(session, fake, rng, staff, days, now) -> None:
    for days_ago in range(days - 1, -1, -1):
        opening = _day_start(now, days_ago)
        for _ in range(rng.randint(3, 7)):
            called = opening + dt.timedelta(minutes=rng.randint(0, 540))
            if called > now:
                continue
            relayed = called + dt.timedelta(minutes=rng.randint(5, 90))
            done = relayed < now and (days_ago > 0 or rng.random() < 0.5)
            session.add(PhoneMessage(
                called_at=called, caller_name=fake.name(), caller_phone=fake.phone_number(),
                matter=rng.choice(MATTERS), related="", relay_to_id=rng.choice(staff),
                relayed_at=relayed if done else None, relayed_by_id=rng.choice(staff) if done else None,
                created_by_id=rng.choice(staff), created_at=called))


def main() -> int:
    """``make demo``: a fresh database gets admin / the printed password, then the demo office."""
    from db.migrate import upgrade

    engine = make_engine()
    upgrade(engine)
    if not accounts.needs_first_run(engine):
        print("This database is already set up; make demo only fills a fresh one.", file=sys.stderr)
        return 1
    password = os.environ.get("DUTYDESK_ADMIN_PASSWORD") or "admin1234"
    admin = accounts.create_first_admin(engine, username="admin", name="管理员", password=password, repeat=password)
    staff = load_demo(engine, actor=admin)
    print(f"Demo office loaded: {staff} staff. Log in as admin / {password} "
          f"(staff: u001… / {DEMO_PASSWORD}; wall display: wall / {DEMO_PASSWORD}).")
    return 0
