"""A believable office and its week for demos and first looks (Faker zh_CN, deterministic seed, relative to ``now``).

Loaded from the first-run page ("load demo data") or ``make demo`` (``python -m lib.demo``) on a fresh
database. The office (org units, people, titles, training) is written first; then every module's week
goes through its services with the clock set back to when each step happened, so every rule holds:
one file per module (``front_desk``, ``rotation``, ``showroom``, ``tickets``, ``kpi``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from sqlmodel import func, select

from db.engine import make_engine, session_scope
from db.models import User
from lib.demo import admin_setup, front_desk, kpi, office, registers, registers_families, rotation, showroom, tickets
from lib.demo import registers_rest
from lib.demo import registers_rules
from lib.demo.front_desk import MATTERS, PURPOSES
from lib.domain.errors import DomainError
from lib.services import accounts
from lib.services.base import ADMINS, Actor, audit, require, utcnow

__all__ = ["DEMO_PASSWORD", "MATTERS", "PURPOSES", "load_demo", "main"]

DEMO_PASSWORD = "demo1234"
DEFAULT_DAYS = 7


def _has_people(session) -> bool:
    return session.exec(select(func.count()).select_from(User).where(User.role != "admin")).one() > 0


def load_demo(engine, *, actor: Actor, days: int = DEFAULT_DAYS, seed: int = 2026,
              now: dt.datetime | None = None) -> int:
    """Fill an empty install with the demo office and, unless ``days`` is 0, a week in every module.

    Refused once the office has people, so it can never mix with real data. ``days=0`` loads the office
    only (the bench adds its own history). Returns the staff count.
    """
    require(actor, ADMINS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        if _has_people(session):
            raise DomainError("setup.demo_not_empty")
    the_office = office.build(engine, admin=actor, now=now, seed=seed,
                              password_hash=accounts.hash_password(DEMO_PASSWORD))
    if days > 0:
        _week(the_office, days)
    with session_scope(engine) as session:
        audit(session, actor=actor, entity="demo", entity_id="", action="load_demo",
              after={"staff": len(the_office.people), "days": days}, at=now)
    return len(the_office.people)


def _week(the_office: office.Office, days: int) -> None:
    kpi.sales(the_office)
    rotation.draw(the_office, showroom.queue_start(the_office))
    periods = rotation.rosters(the_office)
    rotation.requests(the_office, periods[office.FRONT_DESK_POST][-1])
    rotation.handovers(the_office)
    front_desk.load(the_office, days)
    showroom.load(the_office, days)
    showroom.front_desk_extras(the_office)
    tickets.load(the_office)
    kpi.quarter(the_office)
    kpi.ledger_entries(the_office)
    kpi.lateness_case(the_office)
    kpi.warnings(the_office)
    kpi.wall_link(the_office)
    registers.load(the_office)
    registers_families.load(the_office)
    registers_rest.load(the_office)
    registers_rules.load(the_office)
    admin_setup.load(the_office)


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
