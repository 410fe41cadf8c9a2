"""Logins kept on the server (R2): the cookie carries a random session secret, the ``user_session`` table decides.

A copied cookie is worth only as long as its server session: logout, a password reset, a role or title
change and deactivation end the person's sessions in the same transaction as the change, on every app
server (they all read the same table). The table keeps the SHA-256 of the secret, never the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, replace

import jwt
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import User, UserSession
from lib import cache
from lib.domain import accounts as rules
from lib.domain.errors import DomainError
from lib.services import settings
from lib.services.base import ADMINS, Actor, acting, audit, require, utcnow

TOKEN_ALGORITHM = "HS256"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def encode_token(secret: str, key: str, now: dt.datetime | None = None) -> str:
    """The cookie's value: a signed JWT naming the server session (nothing about the user)."""
    now = now or utcnow()
    expires = now + dt.timedelta(days=rules.SESSION_MAX_DAYS)
    return jwt.encode({"sid": secret, "exp": int(expires.timestamp())}, key, algorithm=TOKEN_ALGORITHM)


def decode_token(token: object, key: str) -> str | None:
    """The session secret of a cookie that verifies (HS256 with our key, not expired), else None.

    Anything else — another algorithm, ``none``, a bad signature, garbage, an old username-only cookie — is
    simply no login: the login page, never a traceback.
    """
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=[TOKEN_ALGORITHM], options={"require": ["exp", "sid"]})
    except Exception:  # noqa: BLE001 - whatever a forged cookie makes PyJWT raise, it is not a login
        return None
    sid = payload.get("sid") if isinstance(payload, dict) else None
    return sid if isinstance(sid, str) and 20 <= len(sid) <= 100 else None


def open_session(session: Session, *, user_id: int, now: dt.datetime) -> str:
    """Start a server session in the caller's transaction; returns the secret the cookie will carry."""
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(id=_hash(secret), user_id=user_id, created_at=now, last_seen_at=now))
    return secret


def end_user_sessions(session: Session, *, user_id: int, reason: str, now: dt.datetime,
                      keep: str | None = None) -> int:
    """End every open session of ``user_id`` (but ``keep``, a secret) in the caller's transaction."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.id != _hash(keep))
    return session.execute(query.values(ended_at=now, ended_reason=reason)).rowcount or 0


def start(engine: Engine, *, user_id: int, now: dt.datetime | None = None) -> str:
    """A server session for a login made inside this server (tests, bench), so it can be ended like any other."""
    now = now or utcnow()
    with session_scope(engine) as session:
        return open_session(session, user_id=user_id, now=now)


def resume(engine: Engine, *, secret: str | None, now: dt.datetime | None = None) -> Actor | None:
    """The user of a live server session, fresh from the database, or None (R2).

    Checked on every run: the session exists, is not ended, not idle past ``auth.idle_timeout_minutes``,
    not older than the cookie, and its user is active. ``last_seen`` is written at most once a minute;
    an idle or expired session is marked so the admin sees why it ended.
    """
    if not secret:
        return None
    now = now or utcnow()
    sid = _hash(secret)
    with session_scope(engine, write=False) as session:
        row = session.get(UserSession, sid)
        if row is None:
            return None
        user = session.get(User, row.user_id)
        idle = int(settings.current_values(session, ["auth.idle_timeout_minutes"])["auth.idle_timeout_minutes"])
        reason = rules.session_end_reason(ended_at=row.ended_at, created_at=row.created_at,
                                          last_seen_at=row.last_seen_at, user_active=bool(user and user.active),
                                          idle_minutes=idle, now=now)
        touch = reason is None and rules.session_needs_touch(row.last_seen_at, now)
        actor = _actor(user) if reason is None else None
    if reason in ("idle", "expired"):
        _close(engine, sid, reason, now)
    elif touch:
        with session_scope(engine) as session:
            session.execute(update(UserSession).where(UserSession.id == sid, UserSession.ended_at.is_(None))
                            .values(last_seen_at=now))
    return actor


@dataclass(frozen=True)
class _Seen:
    """What :func:`resume` decides from, as read under one ``auth`` counter (issue 13 L2)."""

    actor: Actor | None
    active: bool
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None


def _seen(engine: Engine, sid: str) -> _Seen | None:
    with session_scope(engine, write=False) as session:
        row = session.get(UserSession, sid)
        if row is None:
            return None
        user = session.get(User, row.user_id)
        return _Seen(_actor(user) if user else None, bool(user and user.active), row.created_at,
                     row.last_seen_at, row.ended_at)


def resume_cached(engine: Engine, *, secret: str | None, now: dt.datetime | None = None) -> Actor | None:
    """:func:`resume` answered from this process's memory while the ``auth`` counter stands still.

    Every account change and every session ending moves the counter in its own transaction (migration
    0021), on whichever server wrote it, so a logout or a deactivation is refused on the next run here.
    Only "still live" is answered from memory; idle, expired, ended or unknown goes through :func:`resume`,
    which reads the database again (another server may have seen the session more recently) and marks it.
    """
    if not secret:
        return None
    now = now or utcnow()
    sid = _hash(secret)
    version = cache.versions(engine).get("auth")
    seen = cache.cached(engine, ("session", sid), version, lambda: _seen(engine, sid))
    if seen is None or seen.actor is None:
        return None
    idle = int(settings.values(engine, ["auth.idle_timeout_minutes"])["auth.idle_timeout_minutes"])
    reason = rules.session_end_reason(ended_at=seen.ended_at, created_at=seen.created_at,
                                      last_seen_at=seen.last_seen_at, user_active=seen.active,
                                      idle_minutes=idle, now=now)
    if reason is not None:
        cache.drop(engine, ("session", sid))
        return resume(engine, secret=secret, now=now)
    if rules.session_needs_touch(seen.last_seen_at, now):
        with session_scope(engine) as session:
            session.execute(update(UserSession).where(UserSession.id == sid, UserSession.ended_at.is_(None))
                            .values(last_seen_at=now))
        cache.cached(engine, ("session", sid), version, lambda: replace(seen, last_seen_at=now),
                     still_good=lambda kept: kept.last_seen_at >= now)
    return seen.actor


def _actor(user: User) -> Actor:
    from lib.services.accounts import actor_of  # accounts imports this module

    return actor_of(user)


def _close(engine: Engine, sid: str, reason: str, now: dt.datetime) -> None:
    with session_scope(engine) as session:
        session.execute(update(UserSession).where(UserSession.id == sid, UserSession.ended_at.is_(None))
                        .values(ended_at=now, ended_reason=reason))


def logout(engine: Engine, *, secret: str | None, now: dt.datetime | None = None) -> None:
    """End this browser's session (the logout button); a copy of its cookie opens nothing afterwards."""
    if not secret:
        return
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.get(UserSession, _hash(secret))
        if row is None or row.ended_at is not None:
            return
        row.ended_at, row.ended_reason = now, "logout"
        session.add(row)
        user = session.get(User, row.user_id)
        audit(session, actor=Actor(id=row.user_id, username=user.username if user else "", name="", role=""),
              entity="user", entity_id=row.user_id, action="logout", at=now)


@acting
def logout_everywhere(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> int:
    """The user ends all their own sessions, this one included ("log out everywhere")."""
    if actor.id is None:
        raise DomainError("auth.login_required")
    now = now or utcnow()
    with session_scope(engine) as session:
        count = end_user_sessions(session, user_id=actor.id, reason="logout_all", now=now)
        audit(session, actor=actor, entity="user", entity_id=actor.id, action="logout_everywhere", at=now,
              after={"sessions": count})
    return count


@dataclass(frozen=True)
class SessionRow:
    id: str  # the first 12 characters of the stored hash: enough to tell sessions apart, useless as a cookie
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None
    ended_reason: str
    open: bool


def list_sessions(engine: Engine, *, actor: Actor, user_id: int, limit: int = 20,
                  now: dt.datetime | None = None) -> list[SessionRow]:
    """A user's sessions, newest first, for the admin (open ones say so; idle ones count as ended)."""
    require(actor, ADMINS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        user = session.get(User, user_id)
        idle = int(settings.current_values(session, ["auth.idle_timeout_minutes"])["auth.idle_timeout_minutes"])
        rows = session.exec(select(UserSession).where(UserSession.user_id == user_id)
                            .order_by(UserSession.last_seen_at.desc()).limit(limit)).all()
    result = []
    for r in rows:
        why = rules.session_end_reason(ended_at=r.ended_at, created_at=r.created_at, last_seen_at=r.last_seen_at,
                                       user_active=bool(user and user.active), idle_minutes=idle, now=now)
        result.append(SessionRow(id=r.id[:12], created_at=r.created_at, last_seen_at=r.last_seen_at,
                                 ended_at=r.ended_at, open=why is None,
                                 ended_reason=r.ended_reason or (why if why in ("idle", "expired") else "")))
    return result


@acting
def end_sessions_by_admin(engine: Engine, *, actor: Actor, user_id: int, now: dt.datetime | None = None) -> int:
    """The admin ends every open session of a user (e.g. a lost phone); audited with the count."""
    require(actor, ADMINS)
    now = now or utcnow()
    with session_scope(engine) as session:
        if session.get(User, user_id) is None:
            raise DomainError("account.not_found")
        count = end_user_sessions(session, user_id=user_id, reason="admin", now=now)
        audit(session, actor=actor, entity="user", entity_id=user_id, action="end_sessions", at=now,
              after={"sessions": count})
    return count
