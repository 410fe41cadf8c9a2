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
from db.models import NotifyLease, SlaBreach, Ticket
from lib.notify.outbox import Sent, deliver_due, enqueue, insert_ignore
from lib.services import handover
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


def sweep_once(engine: Engine, *, now: dt.datetime | None = None, holder: str = HOLDER,
               send: bool = True) -> SweepResult:
    """One sweep if this process holds the lease; ``swept`` is False when another one does."""
    now = now or utcnow()
    if not take_lease(engine, holder=holder, now=now):
        return SweepResult(swept=False)
    no_relief = handover.sweep_no_relief(engine, actor=SYSTEM, now=now)
    breaches = record_breaches(engine, now=now)
    queued = enqueue(engine, now=now)
    result = deliver_due(engine, now=now, holder=holder) if send else Sent(0, 0)
    return SweepResult(True, no_relief, breaches, queued, result.sent, result.failed)
