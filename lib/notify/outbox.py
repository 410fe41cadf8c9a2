"""The outbox: what the sweeper found goes in once per (kind, record, due_at, recipient, event); the sender claims
each channel's delivery with a conditional UPDATE, sends it, and marks it sent or schedules a retry (issue 15 N2, N4).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import (CustomerEnquiry, NotifyDelivery, NotifyOutbox, NotifyPreference, PhoneMessage, Ticket,
                       VisitorEntry)
from lib.domain import notify as rules
from lib.domain.inbox import Item, Level, Viewer, is_for, level
from lib.domain.notify import DeliveryState, Preference
from lib.i18n import translate
from lib.notify.channels import ChannelError, send
from lib.services import inbox, settings

CLAIM_S = 120  # a claimed delivery whose sender died is retried after this
BATCH = 200

# Kinds whose record names the person who made it: that person is not told "new" about their own phone message,
# visitor, enquiry or ticket (issue 15 N10); "due soon" and "overdue" still reach them. Other kinds are not made
# by their recipient (an approval, a handover, a register step for another title), or their record does not
# say who made the work (a ticket someone claimed: the claim is only in the audit trail).
MADE_BY = {"message_relay": (PhoneMessage, PhoneMessage.created_by_id),
           "visitor_after_hours": (VisitorEntry, VisitorEntry.created_by_id),
           "enquiry_promised": (CustomerEnquiry, CustomerEnquiry.created_by_id),
           "ticket_due": (Ticket, Ticket.created_by_id), "ticket_unclaimed": (Ticket, Ticket.created_by_id),
           "dispatch_waiting": (Ticket, Ticket.created_by_id)}


def insert_ignore(session: Session, model, values: dict, conflict: list[str]):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new id, or None when the row was already there."""
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(model.id)
    return session.execute(statement).scalar_one_or_none()


def preferences(session: Session) -> dict[tuple[str, int], Preference]:
    rows = session.exec(select(NotifyPreference)).all()
    return {(r.scope, r.ref_id): Preference(tuple(r.channels or ()), tuple(r.kinds or ()), r.quiet_start, r.quiet_end,
                                            r.target, r.email) for r in rows}


def preference_for(viewer: Viewer, prefs: dict[tuple[str, int], Preference]) -> Preference | None:
    """The person's own preference, else their group's, team's or department's (issue 15 N3)."""
    if ("user", viewer.id) in prefs:
        return prefs[("user", viewer.id)]
    for unit in reversed(viewer.units):  # group, then team, then department
        if ("unit", unit) in prefs:
            return prefs[("unit", unit)]
    return None


def message_text(item: Item, event: str, lang: str, tz) -> str:
    """The plain text a robot or a mail carries: event, what, why, when (user values stay plain text)."""
    params = {k: str(v) for k, v in item.params.items()}
    lines = [f"【{translate('notify.app_name', lang)}】{translate('notify.event.' + event, lang)}",
             translate(item.title_key, lang, **params)]
    if item.reason_key:
        lines.append(translate(item.reason_key, lang))
    if item.due_at is not None:
        lines.append(translate("notify.due_line", lang, at=item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")))
    return "\n".join(lines)[:1000]


@dataclass(frozen=True)
class Candidate:
    key: rules.OutboxKey
    event: str
    item: Item
    lang: str
    pref: Preference

    def text(self, tz) -> str:
        """Written only for a key not yet in the outbox (a steady sweep finds almost every key known)."""
        return message_text(self.item, self.event, self.lang, tz)


def _candidates(items: Iterable[Item], people: list[tuple[Viewer, str, str]], prefs, now: dt.datetime, soon,
                tz) -> list[Candidate]:
    found = []
    for item in items:
        lv = level(item, now, soon)
        due = item.due_at if lv in (Level.overdue, Level.soon) else None
        event = rules.event_for(lv.value, due)
        for viewer, _name, lang in people:
            if not is_for(item, viewer):
                continue
            pref = preference_for(viewer, prefs)
            if pref is None or not pref.channels or not pref.wants(item.kind):
                continue
            key = rules.outbox_key(outbox_kind(item), item.record_id, due, viewer.id, event.value)
            found.append(Candidate(key, event.value, item, lang, pref))
    return found


def _known(session: Session, candidates: list[Candidate]) -> set[rules.OutboxKey]:
    """Keys already in the outbox, looked up per kind by record id (the unique key's leading columns)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for c in candidates:
        by_kind[c.key.kind].add(c.key.record_id)
    known = set()
    for kind, ids in by_kind.items():
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            rows = session.exec(select(NotifyOutbox.record_id, NotifyOutbox.due_at, NotifyOutbox.recipient_id,
                                       NotifyOutbox.event)
                                .where(NotifyOutbox.kind == kind, NotifyOutbox.record_id.in_(ids[start:start + 500])))
            known |= {rules.outbox_key(kind, r, d, p, e) for r, d, p, e in rows}
    return known


def outbox_kind(item: Item) -> str:
    """The outbox key's kind: the item's, and for a register's item the register as well, since each register
    numbers its entries on its own: the video check and the device check may both be entry 1, due at the same
    moment (issue 15 N9). The register is the one the item's link names (``Item.link``, issue 15 I8). A
    preference's kinds still match the item's kind."""
    register = item.link_param("register")
    if register:
        return f"{item.kind}:{register}"[:40]
    return str(item.kind)


def _not_their_own(session: Session, candidates: list[Candidate]) -> list[Candidate]:
    """Drops "assigned" messages to the person who made the item (:data:`MADE_BY`), one read by id per kind."""
    ids: dict[str, set[int]] = defaultdict(set)
    for c in candidates:
        if c.event == rules.Event.assigned and c.key.kind in MADE_BY:
            ids[c.key.kind].add(c.key.record_id)
    made: set[tuple[str, int, int]] = set()
    for kind, record_ids in ids.items():
        model, column = MADE_BY[kind]
        record_ids = sorted(record_ids)
        for start in range(0, len(record_ids), 500):
            rows = session.exec(select(model.id, column).where(model.id.in_(record_ids[start:start + 500])))
            made |= {(kind, record, maker) for record, maker in rows if maker is not None}
    return [c for c in candidates if c.event != rules.Event.assigned
            or (c.key.kind, c.key.record_id, c.key.recipient_id) not in made]


def enqueue(engine: Engine, *, now: dt.datetime) -> int:
    """Put every new (item, recipient) into the outbox with one delivery per wanted channel; returns how many.

    Quiet hours defer a delivery's first try to their end (issue 15 N3); a key already there is skipped; no one
    is told "new" about an item they made themselves (N10).
    The providers are read in a read-only unit; only the new rows take the write lock (on SQLite a sweep
    must not hold the database's one writer while every provider runs)."""
    with session_scope(engine, write=False) as session:
        ctx = inbox.context(session, now)
        prefs = preferences(session)
        if not prefs:
            return 0
        candidates = _candidates(inbox.open_items(session, ctx), inbox.active_viewers(session), prefs, now,
                                 ctx.values["inbox.soon_minutes"], ctx.tz)
        known = _known(session, candidates)
        candidates = _not_their_own(session, [c for c in candidates if c.key not in known])
    if not candidates:
        return 0
    with session_scope(engine) as session:
        added = 0
        for c in candidates:
            if c.key in known:
                continue
            known.add(c.key)
            outbox_id = insert_ignore(session, NotifyOutbox, {
                "kind": c.key.kind, "record_id": c.key.record_id, "due_at": c.key.due_at,
                "recipient_id": c.key.recipient_id, "event": c.event, "text": c.text(ctx.tz), "created_at": now},
                ["kind", "record_id", "due_at", "recipient_id", "event"])
            if outbox_id is None:
                continue  # another sweeper got there first
            added += 1
            first_try = rules.not_before(now, ctx.tz, c.pref.quiet_start, c.pref.quiet_end)
            for channel in c.pref.channels:
                target = c.pref.email if channel == rules.Channel.email else c.pref.target
                session.add(NotifyDelivery(outbox_id=outbox_id, channel=channel, target=target or "",
                                           state=DeliveryState.pending.value, next_attempt_at=first_try,
                                           claimed_by="", last_error=""))
        return added


@dataclass(frozen=True)
class Sent:
    sent: int
    failed: int


def _due(now: dt.datetime):
    waiting = and_(NotifyDelivery.state.in_([DeliveryState.pending.value, DeliveryState.failed.value]),
                   NotifyDelivery.next_attempt_at <= now)
    abandoned = and_(NotifyDelivery.state == DeliveryState.claimed.value, NotifyDelivery.claimed_until < now)
    return or_(waiting, abandoned)


def _claim(engine: Engine, delivery_id: int, now: dt.datetime, holder: str) -> bool:
    """pending/failed (or an abandoned claim) → claimed, by a conditional UPDATE: one winner (issue 15 N5)."""
    with session_scope(engine) as session:
        result = session.execute(update(NotifyDelivery).where(NotifyDelivery.id == delivery_id, _due(now)).values(
            state=DeliveryState.claimed.value, claimed_until=now + dt.timedelta(seconds=CLAIM_S), claimed_by=holder,
            attempts=NotifyDelivery.attempts + 1))
        return result.rowcount == 1


def deliver_due(engine: Engine, *, now: dt.datetime, holder: str) -> Sent:
    """Send every delivery whose time has come; each is claimed first, so two senders never send one twice."""
    with session_scope(engine, write=False) as session:
        values = settings.current_values(session, ["notify.max_attempts", "notify.backoff_seconds"])
        ids = session.exec(select(NotifyDelivery.id).where(_due(now)).order_by(NotifyDelivery.next_attempt_at)
                           .limit(BATCH)).all()
    sent = failed = 0
    for delivery_id in ids:
        if not _claim(engine, delivery_id, now, holder):
            continue
        with session_scope(engine, write=False) as session:
            delivery = session.get(NotifyDelivery, delivery_id)
            outbox = session.get(NotifyOutbox, delivery.outbox_id)
            channel, target, attempts, text = delivery.channel, delivery.target, delivery.attempts, outbox.text
        try:
            send(channel, target, text, text.splitlines()[0])
        except ChannelError as exc:
            state, retry_at = rules.after_failure(attempts, now, int(values["notify.max_attempts"]),
                                                  int(values["notify.backoff_seconds"]))
            _finish(engine, delivery_id, holder, state=state.value, next_attempt_at=retry_at,
                    last_error=str(exc)[:500], claimed_until=None)
            failed += 1
            continue
        _finish(engine, delivery_id, holder, state=DeliveryState.sent.value, sent_at=now, last_error="",
                claimed_until=None)
        sent += 1
    return Sent(sent, failed)


def _finish(engine: Engine, delivery_id: int, holder: str, **values) -> None:
    with session_scope(engine) as session:
        session.execute(update(NotifyDelivery).where(NotifyDelivery.id == delivery_id,
                                                     NotifyDelivery.claimed_by == holder,
                                                     NotifyDelivery.state == DeliveryState.claimed.value)
                        .values(**values))
