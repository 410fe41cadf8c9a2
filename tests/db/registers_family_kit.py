"""People and values for the family register DB tests (seals, lost and found, equipment, minor registers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from db.engine import session_scope
from db.models import OrgUnit, User
from lib.domain.registers import REGISTRY
from lib.services import accounts

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Shanghai
DAY = NOW.date()

# name -> (department, role, titles)
PEOPLE = {
    "applicant": ("销售部", "staff", ()),
    "colleague": ("销售部", "staff", ()),
    "seal_keeper": ("行政部", "staff", ("印章管理员",)),
    "admin_office": ("行政部", "supervisor", ("行政主管",)),
    "supervisor": ("销售部", "supervisor", ("部门主管",)),
    "info_manager": ("行政部", "staff", ("信息中心经理",)),
    "vice": ("行政部", "supervisor", ("副总",)),
    "security": ("工程部", "supervisor", ("秩序维护主管",)),
    "clerk": ("行政部", "staff", ("前台接待员",)),
    "all_titles": ("行政部", "supervisor", ("行政主管", "印章管理员", "部门主管", "综合部主管")),
    "admin": ("行政部", "admin", ()),
}


def at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def make_office(engine) -> dict:
    departments: dict[str, int] = {}
    people = {}
    with session_scope(engine) as session:
        for name in sorted({d for d, _, _ in PEOPLE.values()}):
            unit = OrgUnit(kind="department", name=name)
            session.add(unit)
            session.flush()
            departments[name] = unit.id
        for username, (department, role, titles) in PEOPLE.items():
            user = User(username=username, name=username, password_hash="x", role=role, titles=list(titles),
                        trained_posts=[], department_id=departments[department], created_at=NOW)
            session.add(user)
            session.flush()
            people[username] = accounts.actor_of(user)
    return people


def sample_values(register: str, person_id: int, when: dt.datetime = NOW) -> dict[str, object]:
    """Required fields filled with a plain value of their type, every check box ticked (late fields left empty)."""
    values: dict[str, object] = {}
    for f in REGISTRY[register].typed_fields:
        if not (f.required or f.type == "bool"):
            continue
        values[f.key] = {
            "text": f"样例{register}"[: f.length], "long_text": "样例内容", "phone": "13800138000",
            "int": max(f.minimum or 1, 1) if f.key != "year" else 2026, "money": Decimal("12.50"),
            "date": when.date(), "datetime": when, "time": dt.time(9, 30), "choice": f.choices[0] if f.choices else None,
            "person": person_id, "bool": True,
        }[f.type]
    return values
