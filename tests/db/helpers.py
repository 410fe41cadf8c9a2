"""Small builders for DB tests: people and actors without going through forms."""

from __future__ import annotations

import datetime as dt
import threading

from sqlmodel import func, select

from db.engine import session_scope
from db.models import AuditEvent, User
from lib.services import accounts
from lib.services.base import Actor


def make_user(engine, *, username: str, role: str = "staff", name: str | None = None, titles=()) -> Actor:
    with session_scope(engine) as session:
        user = User(username=username, name=name or username, password_hash=accounts.hash_password("password1"),
                    role=role, titles=list(titles), trained_posts=[],
                    created_at=dt.datetime.now(dt.timezone.utc))
        session.add(user)
        session.flush()
        return accounts.actor_of(user)


def count(engine, model, *conditions) -> int:
    with session_scope(engine, write=False) as session:
        return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def audit_actions(engine, entity: str) -> list[str]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.entity == entity)
                                 .order_by(AuditEvent.id)).all())


def race(*calls):
    """Run the calls at the same moment in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
