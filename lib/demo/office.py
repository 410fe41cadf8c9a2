"""The demo office: org units, people with titles from the managed list, training and certificates.

Every person has a 工号 and a team; the titles are the ones each workflow asks for (T13, T14):
a 客服部经理 who dispatches repairs, 维修人员 and 客服工程师 to dispatch to and rank, 中控员
trained (and, in the fire-control room, certified) for their posts, a 总经理 who decides ledger entries.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from faker import Faker

from db.engine import session_scope
from db.models import OrgUnit, User
from lib.services import accounts, roster, settings
from lib.services.base import Actor

# (department, teams, posts)
ORG = [
    ("销售部", ["销售一队"], ["展厅前台", "销售热线", "接待台电脑"]),
    ("客服部", ["订单组", "投诉组", "客服组"], ["客服值班室"]),
    ("行政部", ["前台接待", "总经办"], ["前台"]),
    ("工程部", ["中控室", "消防控制室", "维修组"], ["中控室", "消防控制室"]),
]
CONTROL_POSTS = ("中控室", "消防控制室")
FIRE_POST = "消防控制室"
FRONT_DESK_POST = "前台"

# (role, titles, department, team, count, is_intern); every title is on the managed list (``org.titles``).
PEOPLE = [
    ("supervisor", ["销售经理"], "销售部", "销售一队", 1, False),
    ("supervisor", ["供需"], "销售部", "销售一队", 1, False),
    ("staff", ["销售顾问"], "销售部", "销售一队", 10, False),
    ("staff", ["实习销售顾问"], "销售部", "销售一队", 2, True),
    ("supervisor", ["客服部经理", "客服主管"], "客服部", "客服组", 1, False),
    ("staff", ["客服专员"], "客服部", "订单组", 2, False),
    ("staff", ["客服专员"], "客服部", "投诉组", 2, False),
    ("staff", ["客服专员"], "客服部", "客服组", 2, False),
    ("staff", ["客服工程师"], "客服部", "客服组", 3, False),
    ("staff", ["维修人员"], "工程部", "维修组", 3, False),
    ("supervisor", ["综合部主管"], "行政部", "前台接待", 1, False),
    ("staff", ["前台接待员"], "行政部", "前台接待", 3, False),
    ("supervisor", ["总经理"], "行政部", "总经办", 1, False),
    ("supervisor", ["值班经理", "部长"], "工程部", "中控室", 1, False),
    ("staff", ["中控员"], "工程部", "中控室", 3, False),
    ("staff", ["中控员"], "工程部", "消防控制室", 3, False),
]


@dataclass
class Person:
    actor: Actor
    titles: tuple[str, ...]
    team: str
    department: str
    is_intern: bool = False

    @property
    def id(self) -> int:
        return self.actor.id


@dataclass
class Office:
    """What every module's loader needs: the clock, the zone, the randomness and who is who."""

    engine: object
    admin: Actor
    now: dt.datetime
    tz: object
    fake: Faker
    rng: random.Random
    departments: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.tz).date()

    def at(self, day: dt.date, hhmm: str) -> dt.datetime:
        """An office-local wall time on ``day`` as aware UTC."""
        local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=self.tz)
        return local.astimezone(dt.timezone.utc)

    def with_title(self, title: str) -> list[Person]:
        return [p for p in self.people if title in p.titles]

    def in_team(self, team: str, title: str | None = None) -> list[Person]:
        return [p for p in self.people if p.team == team and (title is None or title in p.titles)]

    def one(self, title: str) -> Actor:
        return self.with_title(title)[0].actor

    @property
    def staff_ids(self) -> list[int]:
        return [p.id for p in self.people]


def build(engine, *, admin: Actor, now: dt.datetime, seed: int, password_hash: str) -> Office:
    """Org units and people written directly (the account service has no clock and hashes one password per call);
    the rows have the shape ``accounts`` writes. Training and certificates go through ``roster.set_qualification``."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    with session_scope(engine) as session:
        tz = settings.office_zone(session)
        office = Office(engine=engine, admin=admin, now=now, tz=tz, fake=fake, rng=random.Random(seed))
        _org(session, office)
        _people(session, office, password_hash, _dispatcher_titles(session))
    _qualifications(office)
    return office


def _dispatcher_titles(session) -> list[str]:
    """The titles the dispatch rule names (setting ``repair.dispatcher_titles``) that are on the managed list."""
    known = settings.definitions()
    key = next((k for k in ("repair.dispatcher_titles", "repair.dispatcher_title") if k in known), None)
    value = settings.get(session, key) if key else []
    wanted = [value] if isinstance(value, str) else list(value or [])
    managed = set(settings.get(session, "org.titles") or [])
    return [t for t in wanted if t in managed]


def _org(session, office: Office) -> None:
    for department, teams, posts in ORG:
        dept = OrgUnit(kind="department", name=department)
        session.add(dept)
        session.flush()
        office.departments[department] = dept.id
        for team in teams:
            unit = OrgUnit(kind="team", name=team, parent_id=dept.id)
            session.add(unit)
            session.flush()
            office.teams[team] = unit.id
        for post in posts:
            control = post in CONTROL_POSTS
            unit = OrgUnit(kind="post", name=post, parent_id=dept.id, is_24x7=control, min_staff=1,
                           max_continuous_h=12 if post == FIRE_POST else (15 if control else None),
                           requires_training=control, requires_certificate=post == FIRE_POST)
            session.add(unit)
            session.flush()
            office.posts[post] = unit.id
        if department == "销售部":
            for group in ("一组", "二组"):
                unit = OrgUnit(kind="group", name=group, parent_id=dept.id)
                session.add(unit)
                session.flush()
                office.groups[group] = unit.id


def _people(session, office: Office, password_hash: str, dispatcher: list[str]) -> None:
    number = 1
    for role, titles, department, team, count, intern in PEOPLE:
        titles = list(titles)
        if "客服部经理" in titles and dispatcher and not set(titles) & set(dispatcher):
            titles.append(dispatcher[0])  # the manager must be able to dispatch repairs (seed 000 D8)
        for index in range(count):
            group = None
            if department == "销售部" and role == "staff":
                group = office.groups["一组" if index % 2 == 0 else "二组"]
            user = User(username=f"u{number:03d}", name=office.fake.name(), password_hash=password_hash, role=role,
                        staff_no=f"{number:03d}", titles=titles, department_id=office.departments[department],
                        team_id=office.teams[team], group_id=group, is_intern=intern, trained_posts=[],
                        created_at=office.now)
            session.add(user)
            session.flush()
            office.people.append(Person(accounts.actor_of(user), tuple(titles), team, department, intern))
            number += 1
    session.add(User(username="wall", name="展厅大屏", password_hash=password_hash, role="display",
                     titles=[], trained_posts=[], created_at=office.now))
    session.flush()


def _qualifications(office: Office) -> None:
    """中控员 trained for their posts; the fire-control room also needs a valid certificate (seed 004 D12, D20)."""
    chief = office.one("部长")
    for post in CONTROL_POSTS:
        for index, person in enumerate(office.in_team(post, "中控员")):
            # one certificate runs out within the month, so the roster page has something to warn about
            valid = office.today + dt.timedelta(days=25 if index == 0 else 365)
            roster.set_qualification(office.engine, actor=chief, staff_id=person.id, post_id=office.posts[post],
                                     trained=True, cert_valid_until=valid if post == FIRE_POST else None)
    # the control-room operators also know the fire-control room, so one can stand in there
    for person in office.in_team("中控室", "中控员")[:1]:
        roster.set_qualification(office.engine, actor=chief, staff_id=person.id, post_id=office.posts[FIRE_POST],
                                 trained=True, cert_valid_until=office.today + dt.timedelta(days=200))

