"""The inbox (issue 15): every module's open items through one interface, for one person or for the sweeper.

A provider is a function ``(session, Context) -> list[Item]`` running ONE indexed query over open rows.
The built-in ones live in :mod:`lib.services.inbox.providers`.

REGISTER ENGINE HOOK: the register engine adds the provider for "steps of register entries waiting for a
title" by calling :func:`register_provider` once at import of its services package; nothing here changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import User
from lib.domain.errors import NotAllowed
from lib.domain.inbox import Inbox, Item, Viewer, is_for, sort_inbox
from lib.domain.office import zone
from lib.services import settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, require, utcnow
from lib.services.inbox.providers import BUILT_IN, SETTING_KEYS, Context

Provider = Callable[[Session, Context], list[Item]]
PROVIDERS: list[Provider] = list(BUILT_IN)


def register_provider(provider: Provider) -> Provider:
    """Add a module's provider (the register engine's step approvals land here); usable as a decorator."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def context(session: Session, now: dt.datetime) -> Context:
    values = settings.current_values(session, SETTING_KEYS)
    return Context(now=now, tz=zone(str(values["office.timezone"])), values=values)


def open_items(session: Session, ctx: Context) -> list[Item]:
    """Every open item of every module, for everyone (the sweeper's view)."""
    items: list[Item] = []
    for provider in PROVIDERS:
        items.extend(provider(session, ctx))
    return items


def viewer_of(user: User | Actor) -> Viewer:
    units = tuple(u for u in (user.department_id, user.team_id, user.group_id) if u is not None)
    return Viewer(id=user.id, role=user.role, titles=tuple(user.titles or ()), units=units)


@dataclass(frozen=True)
class InboxView:
    person_id: int
    person_name: str
    inbox: Inbox
    now: dt.datetime


def _may_view(actor: Actor, person: User) -> bool:
    """Own inbox; a supervisor the people of their department, team or group; an admin anyone's (issue 15 I2)."""
    if person.id == actor.id or actor.role == "admin":
        return True
    if actor.role not in SUPERVISORS:
        return False
    mine = {u for u in (actor.department_id, actor.team_id, actor.group_id) if u is not None}
    theirs = {u for u in (person.department_id, person.team_id, person.group_id) if u is not None}
    return not mine or bool(mine & theirs)


def inbox(engine: Engine, *, actor: Actor, person_id: int | None = None,
          now: dt.datetime | None = None) -> InboxView:
    """The person's open items: overdue first, due soon, then the rest (issue 15 I2)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        person = session.get(User, person_id or actor.id)
        if person is None or not person.active or not _may_view(actor, person):
            raise NotAllowed("inbox.not_your_team")
        ctx = context(session, now)
        viewer = viewer_of(person)
        mine = [i for i in open_items(session, ctx) if is_for(i, viewer)]
        return InboxView(person.id, person.name, sort_inbox(mine, now, ctx.values["inbox.soon_minutes"]), now)


def team(engine: Engine, *, actor: Actor) -> list[tuple[int, str]]:
    """Whose inbox this supervisor may open: active writers sharing an org unit (everyone for an admin)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        query = select(User.id, User.name).where(User.active == True, User.role.in_(WRITERS))  # noqa: E712
        mine = [u for u in (actor.department_id, actor.team_id, actor.group_id) if u is not None]
        if actor.role != "admin" and mine:
            query = query.where(or_(User.department_id.in_(mine), User.team_id.in_(mine), User.group_id.in_(mine)))
        return [(i, n) for i, n in session.exec(query.order_by(User.name)).all()]


def active_viewers(session: Session) -> list[tuple[Viewer, str, str]]:
    """Every active account that can hold work, with its name and language (the sweeper's recipients)."""
    rows = session.exec(select(User).where(User.active == True, User.role.in_(WRITERS))).all()  # noqa: E712
    return [(viewer_of(u), u.name, u.lang) for u in rows]


# The register engine's steps and loans (issue 14): added through the same hook any module uses.
from lib.services.inbox.engine_steps import register_items  # noqa: E402

register_provider(register_items)
