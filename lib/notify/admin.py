"""The admin side of notifications: failures and retries, what was sent, preferences, channel status (issue 15).

Secrets are shown masked only; a preference stores a robot's *name*, never its URL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import NotifyDelivery, NotifyOutbox, NotifyPreference, OrgUnit, User
from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.domain.inbox import Kind
from lib.domain.notify import Channel, DeliveryState, mask
from lib.notify import secrets
from lib.notify.sweeper import lease_holder
from lib.services.base import ADMINS, Actor, acting, audit, require, utcnow

LIST_LIMIT = 200
TARGET = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,100}\.[^@\s]{1,20}$")


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    at: dt.datetime
    recipient: str
    channel: str
    state: str
    attempts: int
    error: str
    next_at: dt.datetime | None
    sent_at: dt.datetime | None
    text: str


def _rows(engine: Engine, states: list[str], newest_first_by) -> list[DeliveryRow]:
    with session_scope(engine, write=False) as session:
        found = session.exec(select(NotifyDelivery, NotifyOutbox, User.name)
                             .join(NotifyOutbox, NotifyOutbox.id == NotifyDelivery.outbox_id)
                             .join(User, User.id == NotifyOutbox.recipient_id)
                             .where(NotifyDelivery.state.in_(states))
                             .order_by(newest_first_by.desc()).limit(LIST_LIMIT)).all()
        return [DeliveryRow(d.id, o.created_at, name, d.channel, d.state, d.attempts, d.last_error,
                            d.next_attempt_at, d.sent_at, o.text) for d, o, name in found]


def failures(engine: Engine, *, actor: Actor) -> list[DeliveryRow]:
    """Deliveries that failed (retrying) or were given up, newest first (issue 15 N4 "the failure shows")."""
    require(actor, ADMINS)
    return _rows(engine, [DeliveryState.failed.value, DeliveryState.dead.value], NotifyDelivery.id)


def sent(engine: Engine, *, actor: Actor) -> list[DeliveryRow]:
    """Each notification sent, with its time and channel (issue 15 "store what happened")."""
    require(actor, ADMINS)
    return _rows(engine, [DeliveryState.sent.value], NotifyDelivery.sent_at)


@acting
def retry(engine: Engine, *, actor: Actor, delivery_id: int, now: dt.datetime | None = None) -> None:
    """Send a failed or given-up delivery again at the next sweep, from a fresh count of attempts."""
    require(actor, ADMINS)
    now = now or utcnow()
    with session_scope(engine) as session:
        result = session.execute(update(NotifyDelivery).where(
            NotifyDelivery.id == delivery_id,
            NotifyDelivery.state.in_([DeliveryState.failed.value, DeliveryState.dead.value])).values(
            state=DeliveryState.pending.value, attempts=0, next_attempt_at=now))
        if result.rowcount != 1:
            raise DomainError("notify.error.not_found")
        audit(session, actor=actor, entity="notify_delivery", entity_id=delivery_id, action="retry", at=now)


@dataclass(frozen=True)
class PreferenceRow:
    id: int
    scope: str
    ref_id: int
    name: str
    channels: tuple[str, ...]
    kinds: tuple[str, ...]
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    target: str
    email: str


def preferences(engine: Engine, *, actor: Actor) -> list[PreferenceRow]:
    require(actor, ADMINS)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(NotifyPreference).order_by(NotifyPreference.scope, NotifyPreference.ref_id)).all()
        people = dict(session.exec(select(User.id, User.name)).all())
        units = dict(session.exec(select(OrgUnit.id, OrgUnit.name)).all())
        return [PreferenceRow(r.id, r.scope, r.ref_id, (people if r.scope == "user" else units).get(r.ref_id, ""),
                              tuple(r.channels), tuple(r.kinds), r.quiet_start, r.quiet_end, r.target, r.email)
                for r in rows]


def pickable(engine: Engine, *, actor: Actor) -> tuple[dict[int, str], dict[int, str]]:
    """People and org units (departments, teams, groups) a preference can be set for."""
    require(actor, ADMINS)
    with session_scope(engine, write=False) as session:
        people = dict(session.exec(select(User.id, User.name).where(User.active == True,  # noqa: E712
                                                                     User.role != "display").order_by(User.name)).all())
        units = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(
            OrgUnit.kind.in_(["department", "team", "group"]), OrgUnit.active == True)  # noqa: E712
            .order_by(OrgUnit.name)).all())
        return people, units


def check_preference(scope: str, ref_id: int | None, channels, kinds, quiet_start, quiet_end, target: str,
                     email: str) -> tuple[list[str], list[str], str, str]:
    """What a preference may hold; every problem named at its field (issue 15 N3)."""
    errors: list[FieldError] = []
    channels = [str(c) for c in channels or []]
    kinds = [str(k) for k in kinds or []]
    target, email = (target or "").strip(), (email or "").strip()
    if scope not in ("user", "unit") or ref_id is None:
        errors.append(FieldError("notify_ref", "notify.error.no_ref"))
    if not channels:
        errors.append(FieldError("notify_channels", "notify.error.no_channel"))
    if any(c not in set(Channel) for c in channels) or any(k not in set(Kind) for k in kinds):
        errors.append(FieldError("notify_channels", "notify.error.bad_choice"))
    robots = {Channel.wecom.value, Channel.dingtalk.value} & set(channels)
    if robots and not target:
        errors.append(FieldError("notify_target", "notify.error.target_needed"))
    elif target and not TARGET.match(target):
        errors.append(FieldError("notify_target", "notify.error.bad_target"))
    if Channel.email.value in channels and not email:
        errors.append(FieldError("notify_email", "notify.error.email_needed"))
    elif email and not EMAIL.match(email):
        errors.append(FieldError("notify_email", "notify.error.bad_email"))
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        errors.append(FieldError("notify_quiet", "notify.error.quiet_same"))
    if errors:
        raise ValidationFailed(errors)
    return channels, kinds, target, email


@acting
def save_preference(engine: Engine, *, actor: Actor, scope: str, ref_id: int | None, channels, kinds=(),
                    quiet_start: dt.time | None = None, quiet_end: dt.time | None = None, target: str = "",
                    email: str = "", now: dt.datetime | None = None) -> int:
    """Set a person's or a unit's channels, kinds and quiet hours (one row each; the newest wins)."""
    require(actor, ADMINS)
    channels, kinds, target, email = check_preference(scope, ref_id, channels, kinds, quiet_start, quiet_end,
                                                      target, email)
    now = now or utcnow()
    with session_scope(engine) as session:
        owner = session.get(User if scope == "user" else OrgUnit, ref_id)
        if owner is None:
            raise ValidationFailed([FieldError("notify_ref", "notify.error.no_ref")])
        row = session.exec(select(NotifyPreference).where(NotifyPreference.scope == scope,
                                                          NotifyPreference.ref_id == ref_id)).first()
        before = None
        if row is None:
            row = NotifyPreference(scope=scope, ref_id=ref_id)
        else:
            before = {"channels": list(row.channels), "kinds": list(row.kinds), "target": row.target}
        row.channels, row.kinds, row.target, row.email = channels, kinds, target, email
        row.quiet_start, row.quiet_end = quiet_start, quiet_end
        row.updated_by_id, row.updated_at = actor.id, now
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="notify_preference", entity_id=row.id, action="save", at=now,
              before=before, after={"scope": scope, "ref_id": ref_id, "channels": channels, "kinds": kinds,
                                    "target": target})
        return row.id


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    name: str
    shown: str


def channel_status(*, actor: Actor) -> list[ChannelStatus]:
    """Each configured robot and the SMTP server, masked: a URL or password is never shown back in full."""
    require(actor, ADMINS)
    rows = []
    for channel, names in secrets.robot_names().items():
        for name in names:
            shown = mask(secrets.secret(channel, name))
            if channel == Channel.dingtalk and secrets.secret(channel, name, suffix="secret"):
                shown += " + " + mask(secrets.secret(channel, name, suffix="secret"))
            rows.append(ChannelStatus(channel, name, shown))
    smtp = secrets.smtp()
    if smtp.configured:
        rows.append(ChannelStatus(Channel.email.value, f"{smtp.host}:{smtp.port}",
                                  f"{smtp.sender} {mask(smtp.password) if smtp.password else ''}".strip()))
    return rows


def lease(engine: Engine, *, actor: Actor) -> tuple[str, dt.datetime | None]:
    require(actor, ADMINS)
    return lease_holder(engine)
