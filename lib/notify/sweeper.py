"""One sweep: take the lease, raise what timers raise (no relief, SLA breaches), enqueue, send (issue 15 N5).

Only the lease holder sweeps: ``UPDATE notify_lease … WHERE expires_at < now OR holder = me`` has one winner
on SQLite and PostgreSQL alike. The holder renews it every sweep; another app server takes over once it
lapses (the holder stopped). Enqueue and send are exactly-once on their own too (unique key, claim), so a
lease lost mid-sweep costs time, never a second message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import LedgerEntryRecord, NotifyLease, QueueDay, QueueEventRecord, SlaBreach, Ticket
from lib.domain.errors import DomainError
from lib.i18n import translate
from lib.notify.outbox import Sent, deliver_due, enqueue, insert_ignore
from lib.services import handover, ledger, settings
from lib.services.base import SYSTEM, utcnow
from lib.services.inbox.providers import OPEN_TICKETS

log = logging.getLogger(__name__)
LEASE = "sweeper"
LEASE_S = 120
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class SweepResult:
    swept: bool
    no_relief: int = 0
    breaches: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    proposals: int = 0


def take_lease(engine: Engine, *, holder: str, now: dt.datetime, seconds: int = LEASE_S) -> bool:
    """One winner: the lease moves to ``holder`` only when it lapsed or ``holder`` has it already."""
    with session_scope(engine) as session:
        result = session.execute(update(NotifyLease).where(
            NotifyLease.name == LEASE, or_(NotifyLease.expires_at < now, NotifyLease.holder == holder)).values(
            holder=holder, expires_at=now + dt.timedelta(seconds=seconds)))
        return result.rowcount == 1


def lease_holder(engine: Engine) -> tuple[str, dt.datetime | None]:
    with session_scope(engine, write=False) as session:
        row = session.get(NotifyLease, LEASE)
        return (row.holder, row.expires_at) if row else ("", None)


def record_breaches(engine: Engine, *, now: dt.datetime) -> int:
    """Open tickets past their running deadline become SLA-breach history, once per deadline (issue 15 N6)."""
    with session_scope(engine) as session:
        rows = session.exec(select(Ticket.id, Ticket.due_kind, Ticket.due_at, Ticket.assignee_id)
                            .where(Ticket.state.in_(OPEN_TICKETS), Ticket.due_at <= now)).all()
        known = set(session.exec(select(SlaBreach.ticket_id, SlaBreach.due_kind, SlaBreach.due_at)
                                 .where(SlaBreach.ticket_id.in_([r[0] for r in rows]))).all()) if rows else set()
        added = 0
        for ticket_id, kind, due_at, assignee in rows:
            if (ticket_id, kind or "", due_at) in known:
                continue
            if insert_ignore(session, SlaBreach, {"ticket_id": ticket_id, "due_kind": kind or "", "due_at": due_at,
                                                  "assignee_id": assignee, "recorded_at": now},
                             ["ticket_id", "due_kind", "due_at"]) is not None:
                added += 1
        return added


SQ1 = "SQ1"
SQ1_DAYS = 2  # today and yesterday: a step-away flagged just before midnight is still found after it
FLAG_LEFT_DESK = "left_desk"  # lib.services.rotation.FLAG_LEFT_DESK (the queue event's flag)


def sq1_ref(event_id: int) -> str:
    return f"queue_event:{event_id}"


def raise_sq1(engine: Engine, *, now: dt.datetime) -> int:
    """A desk left without handover (the queue event flagged ``left_desk``) becomes an SQ1 written-warning
    proposal in the ledger, once per event (SPEC Q4, S6; issue 15 N6). Reads the last ``SQ1_DAYS`` queue
    days by their unique ``day`` (never older history); the proposal's note carries the event's reference,
    looked up by (person, code) before writing, so a second sweep writes nothing (the lease keeps sweeps
    one at a time). A proposal the ledger refuses (the code switched off for the department, the person
    no longer eligible) is logged and left."""
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        today = now.astimezone(tz).date()
        rows = session.exec(select(QueueEventRecord.id, QueueEventRecord.consultant_id, QueueDay.day)
                            .join(QueueDay, QueueDay.id == QueueEventRecord.day_id)
                            .where(QueueDay.day > today - dt.timedelta(days=SQ1_DAYS), QueueDay.day <= today,
                                   QueueEventRecord.flag == FLAG_LEFT_DESK)).all()
        if not rows:
            return 0
        notes = set(session.exec(select(LedgerEntryRecord.note).where(
            LedgerEntryRecord.person_id.in_({r[1] for r in rows}), LedgerEntryRecord.code == SQ1)).all())
    added = 0
    for event_id, consultant_id, day in rows:
        ref = sq1_ref(event_id)
        if consultant_id is None or any(n.endswith("#" + ref) for n in notes):
            continue
        try:
            ledger.propose_entry(engine, actor=SYSTEM, person_id=consultant_id, code=SQ1, occurred_on=day,
                                 note=translate("notify.sq1_note", "zh_CN", ref=ref), now=now)
        except DomainError:
            log.warning("SQ1 proposal for queue event %s refused by the ledger", event_id, exc_info=True)
            continue
        added += 1
    return added


def sweep_once(engine: Engine, *, now: dt.datetime | None = None, holder: str = HOLDER,
               send: bool = True) -> SweepResult:
    """One sweep if this process holds the lease; ``swept`` is False when another one does."""
    now = now or utcnow()
    if not take_lease(engine, holder=holder, now=now):
        return SweepResult(swept=False)
    no_relief = handover.sweep_no_relief(engine, actor=SYSTEM, now=now)
    breaches = record_breaches(engine, now=now)
    proposals = raise_sq1(engine, now=now)
    queued = enqueue(engine, now=now)
    result = deliver_due(engine, now=now, holder=holder) if send else Sent(0, 0)
    return SweepResult(True, no_relief, breaches, queued, result.sent, result.failed, proposals)
