"""Accounts, login bookkeeping and the first-run admin (SPEC M0; STYLE Auth)."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

import bcrypt
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from db.engine import session_scope
from db.models import AppMeta, OrgUnit, User
from lib.domain import accounts as rules
from lib.domain import settings as sdef
from lib.domain.errors import Conflict, DomainError, FieldError, ValidationFailed
from lib.domain.text import clean, optional_text
from lib.services import sessions, settings
from lib.services.limits import column_max
from lib.services.base import ADMINS, Actor, acting, audit, require, snapshot, utcnow

SETUP_KEY = "setup_done"


def _rounds() -> int:
    return int(os.environ.get("DUTYDESK_BCRYPT_ROUNDS", "12"))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=_rounds())).decode("ascii")


@functools.lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds=rounds)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    """One bcrypt check; a secret bcrypt refuses (over 72 bytes) is simply wrong, for every account alike."""
    data = (password or "").encode("utf-8")
    if len(data) > rules.PASSWORD_MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, hashed.encode("ascii"))
    except ValueError:
        return False


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, username=user.username, name=user.name, role=user.role,
                 titles=tuple(user.titles or ()), lang=user.lang, department_id=user.department_id,
                 team_id=user.team_id, group_id=user.group_id)


def needs_first_run(engine: Engine) -> bool:
    """True until the first admin exists; then the first-run page is gone for good."""
    with session_scope(engine, write=False) as session:
        return session.get(AppMeta, SETUP_KEY) is None


def create_first_admin(engine: Engine, *, username: str, name: str, password: str, repeat: str) -> Actor:
    """Create the first admin on an empty install; a second attempt (or a race) is refused."""
    username, name = rules.validate_account(username=username, name=name, role="admin",
                                            password=password, repeat=repeat)
    now = utcnow()
    try:
        with session_scope(engine) as session:
            if session.get(AppMeta, SETUP_KEY) is not None:
                raise Conflict("setup.already_done")
            session.add(AppMeta(key=SETUP_KEY, value=now.isoformat()))
            session.flush()
            user = User(username=username, name=name, password_hash=hash_password(password), role="admin",
                        titles=[], trained_posts=[], created_at=now)
            session.add(user)
            session.flush()
            audit(session, actor=actor_of(user), entity="user", entity_id=user.id, action="first_run_admin",
                  after=snapshot(user))
            return actor_of(user)
    except IntegrityError as exc:
        raise Conflict("setup.already_done") from exc


def credentials(engine: Engine) -> dict:
    """The streamlit-authenticator credentials dict, built from active users (bcrypt hashes)."""
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(User.username, User.name, User.password_hash, User.role)
                            .where(User.active == True)).all()  # noqa: E712
    return {"usernames": {u: {"name": n, "password": h, "roles": [r], "email": "", "failed_login_attempts": 0,
                              "logged_in": False} for u, n, h, r in rows}}


def load_actor(engine: Engine, username: str | None) -> Actor | None:
    """The active user for a logged-in username, fresh from the database (roles may have changed)."""
    if not username:
        return None
    with session_scope(engine, write=False) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            return None
        return actor_of(user)


def check_can_login(engine: Engine, *, username: str, now: dt.datetime | None = None) -> None:
    """Refuse a locked or deactivated account before the password is checked; every refusal is audited (T25)."""
    now = now or utcnow()
    refused: DomainError | None = None
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == rules.normalise_username(username))).first()
        if user is None:
            return
        try:
            rules.ensure_can_login(user.active, user.locked_until, now)
        except DomainError as exc:
            refused = exc
            audit(session, actor=actor_of(user), entity="user", entity_id=user.id, at=now,
                  action="login_refused_locked" if user.active else "login_refused_inactive")
    if refused is not None:
        raise refused


def _unknown_actor(username: str) -> Actor:
    """Who tried, as typed (cut to the column), for the audit row of a login with an unknown name."""
    return Actor(id=None, username=username[:40], name="", role="")


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: the user and the new server session's secret, or the message to show."""

    actor: Actor | None = None
    session_secret: str | None = None
    message_key: str | None = None
    message_args: dict | None = None


def _reserve_attempt(session, user_id: int, now: dt.datetime, max_failed: int) -> int | None:
    """Count this attempt before its password is checked, in one conditional UPDATE (R1).

    The database re-checks "active, not locked, fewer than ``max_failed`` attempts counted" as it writes, so
    a burst of guesses gets at most ``max_failed`` password checks however many arrive at once. None: refused.
    """
    result = session.execute(
        update(User).where(User.id == user_id, User.active == True,  # noqa: E712
                           or_(User.locked_until.is_(None), User.locked_until <= now),
                           User.failed_logins < max_failed)
        .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins))
    return result.scalar_one_or_none()


def _lock_minutes(locked_until: dt.datetime | None, now: dt.datetime, lockout_minutes: int) -> int:
    if locked_until is None or locked_until <= now:
        return lockout_minutes  # the last allowed guesses are still being checked: the lock is coming
    return max(1, int((locked_until - now).total_seconds() // 60) + 1)


def authenticate(engine: Engine, *, username: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a login (R1): count it atomically, check one bcrypt hash, then open a server session (R2).

    Every answer costs exactly one bcrypt check (a dummy hash of the same cost for an unknown, deactivated or
    locked account), so the time does not tell whether the name exists. Every refusal is audited (T25).
    """
    now = now or utcnow()
    username = rules.normalise_username(username or "")
    target: tuple[int, str, int] | None = None
    refusal = LoginResult(message_key="login.failed")
    with session_scope(engine) as session:
        values = settings.current_values(session, ["auth.max_failed_logins", "auth.lockout_minutes"])
        max_failed, lockout = int(values["auth.max_failed_logins"]), int(values["auth.lockout_minutes"])
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            audit(session, actor=_unknown_actor(username), entity="user", entity_id=None, action="login_unknown",
                  at=now)
        elif not user.active:
            audit(session, actor=actor_of(user), entity="user", entity_id=user.id, action="login_refused_inactive",
                  at=now)
        else:
            counted = _reserve_attempt(session, user.id, now, max_failed)
            if counted is None:
                session.refresh(user)
                audit(session, actor=actor_of(user), entity="user", entity_id=user.id, action="login_refused_locked",
                      at=now)
                refusal = LoginResult(message_key="login.locked",
                                      message_args={"minutes": _lock_minutes(user.locked_until, now, lockout)})
            else:
                target = (user.id, user.password_hash, counted)
    ok = check_password(password, target[1] if target else _dummy_hash(_rounds()))
    if target is None:
        return refusal
    user_id, _, counted = target
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        actor = actor_of(user)
        if ok:
            session.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_until=None))
            audit(session, actor=actor, entity="user", entity_id=user_id, action="login", at=now)
            return LoginResult(actor=actor, session_secret=sessions.open_session(session, user_id=user_id, now=now))
        if counted >= max_failed:
            session.execute(update(User).where(User.id == user_id)
                            .values(failed_logins=0, locked_until=now + dt.timedelta(minutes=lockout)))
            audit(session, actor=actor, entity="user", entity_id=user_id, action="login_locked", at=now)
            return LoginResult(message_key="login.locked_now")
        audit(session, actor=actor, entity="user", entity_id=user_id, action="login_failed", at=now)
        return LoginResult(message_key="login.failed")


def record_login(engine: Engine, *, username: str, ok: bool, now: dt.datetime | None = None) -> str | None:
    """Count a failure (the 5th locks for 15 min, audited) or clear the count on success.

    Returns the catalog key of the message to show after a failure.
    """
    now = now or utcnow()
    username = rules.normalise_username(username)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            audit(session, actor=_unknown_actor(username), entity="user", entity_id=None, action="login_unknown",
                  at=now)
            return "login.failed"
        actor = actor_of(user)
        if ok:
            if user.failed_logins or user.locked_until:
                user.failed_logins, user.locked_until = 0, None
                session.add(user)
            audit(session, actor=actor, entity="user", entity_id=user.id, action="login", at=now)
            return None
        values = settings.current_values(session, ["auth.max_failed_logins", "auth.lockout_minutes"])
        max_failed, lockout = int(values["auth.max_failed_logins"]), int(values["auth.lockout_minutes"])
        counted = _reserve_attempt(session, user.id, now, max_failed)
        if counted is not None and counted >= max_failed:
            session.execute(update(User).where(User.id == user.id)
                            .values(failed_logins=0, locked_until=now + dt.timedelta(minutes=lockout)))
        locked = counted is None or counted >= max_failed
        audit(session, actor=actor, entity="user", entity_id=user.id,
              action="login_locked" if locked else "login_failed", at=now)
        return "login.locked_now" if locked else "login.failed"


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    name: str
    role: str
    staff_no: str
    titles: tuple[str, ...]
    department_id: int | None
    team_id: int | None
    group_id: int | None
    is_intern: bool
    active: bool
    locked: bool
    lang: str
    trained_posts: tuple[int, ...] = ()
    cert_valid_until: dt.date | None = None


def list_users(engine: Engine, *, include_inactive: bool = True, roles: tuple[str, ...] | None = None) -> list[UserRow]:
    now = utcnow()
    with session_scope(engine, write=False) as session:
        query = select(User).order_by(User.active.desc(), User.name)
        if not include_inactive:
            query = query.where(User.active == True)  # noqa: E712
        if roles:
            query = query.where(User.role.in_(roles))
        users = session.exec(query).all()
        return [UserRow(id=u.id, username=u.username, name=u.name, role=u.role, staff_no=u.staff_no or "",
                        titles=tuple(u.titles or ()), department_id=u.department_id, team_id=u.team_id,
                        group_id=u.group_id, is_intern=u.is_intern, active=u.active,
                        locked=rules.is_locked(u.locked_until, now), lang=u.lang,
                        trained_posts=tuple(int(p) for p in u.trained_posts or () if str(p).isdigit()),
                        cert_valid_until=u.cert_valid_until) for u in users]


@dataclass(frozen=True)
class UserForm:
    username: str
    name: str
    role: str
    staff_no: str = ""
    titles: tuple[str, ...] = ()
    department_id: int | None = None
    team_id: int | None = None
    group_id: int | None = None
    is_intern: bool = False
    trained_posts: tuple[int, ...] | None = None  # None: leave training and certificate as they are
    cert_valid_until: dt.date | None = None


def _staff_no(form: UserForm) -> str | None:
    """The 工号 as typed, checked against its column before any query uses it (R4)."""
    errors: list[FieldError] = []
    value = optional_text("staff_no", form.staff_no, column_max("app_user.staff_no"), errors)
    if errors:
        raise ValidationFailed(errors)
    return value or None


def _titles(values) -> list[str]:
    return sorted({clean(t) for t in values if clean(t)})


def _check_titles_and_posts(session, form: UserForm) -> None:
    """Titles come from the managed list ``org.titles``; trained posts are org units of kind post (T13)."""
    errors = []
    unknown = sdef.unknown_titles(_titles(form.titles), list(settings.get(session, settings.MANAGED_TITLES) or []))
    if unknown:
        errors.append(FieldError("titles", "account.unknown_titles", {"titles": "、".join(unknown)}))
    if form.trained_posts:
        posts = set(session.exec(select(OrgUnit.id).where(OrgUnit.kind == "post",
                                                          OrgUnit.id.in_(form.trained_posts))).all())
        if set(form.trained_posts) - posts:
            errors.append(FieldError("trained_posts", "field.bad_choice"))
    if errors:
        raise ValidationFailed(errors)


def _apply_training(user: User, form: UserForm) -> None:
    if form.trained_posts is not None:
        user.trained_posts = sorted(str(p) for p in set(form.trained_posts))
        user.cert_valid_until = form.cert_valid_until


@acting
def create_user(engine: Engine, *, actor: Actor, form: UserForm, password: str, repeat: str) -> int:
    """Admin creates an account (SPEC M0); username and 工号 are unique."""
    require(actor, ADMINS)
    username, name = rules.validate_account(username=form.username, name=form.name, role=form.role,
                                            password=password, repeat=repeat)
    now = utcnow()
    try:
        with session_scope(engine) as session:
            _check_unique(session, username=username, staff_no=_staff_no(form), user_id=None)
            _check_titles_and_posts(session, form)
            user = User(username=username, name=name, password_hash=hash_password(password), role=form.role,
                        staff_no=_staff_no(form), titles=_titles(form.titles), trained_posts=[],
                        department_id=form.department_id, team_id=form.team_id, group_id=form.group_id,
                        is_intern=form.is_intern, created_at=now)
            _apply_training(user, form)
            session.add(user)
            session.flush()
            audit(session, actor=actor, entity="user", entity_id=user.id, action="create", after=snapshot(user))
            return user.id
    except IntegrityError as exc:
        raise ValidationFailed([FieldError("username", "account.taken")]) from exc


def _check_unique(session, *, username: str, staff_no: str | None, user_id: int | None) -> None:
    errors = []
    clash = session.exec(select(User.id).where(User.username == username)).first()
    if clash is not None and clash != user_id:
        errors.append(FieldError("username", "account.taken"))
    if staff_no:
        clash = session.exec(select(User.id).where(User.staff_no == staff_no)).first()
        if clash is not None and clash != user_id:
            errors.append(FieldError("staff_no", "account.staff_no_taken"))
    if errors:
        raise ValidationFailed(errors)


@acting
def update_user(engine: Engine, *, actor: Actor, user_id: int, form: UserForm) -> None:
    """Admin edits role and org fields; the last active admin cannot lose the admin role."""
    require(actor, ADMINS)
    username, name = rules.validate_account(username=form.username, name=form.name, role=form.role)
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("account.not_found")
        before = snapshot(user)
        _check_unique(session, username=username, staff_no=_staff_no(form), user_id=user_id)
        _check_titles_and_posts(session, form)
        if user.role == "admin" and form.role != "admin":
            _ensure_other_admin(session, user_id)
        if rules.access_changed(user.role, user.titles or [], form.role, _titles(form.titles)):
            sessions.end_user_sessions(session, user_id=user_id, reason="role_changed", now=utcnow())
        user.username, user.name, user.role = username, name, form.role
        user.staff_no = _staff_no(form)
        user.titles = _titles(form.titles)
        user.department_id, user.team_id, user.group_id = form.department_id, form.team_id, form.group_id
        user.is_intern = form.is_intern
        _apply_training(user, form)
        session.add(user)
        audit(session, actor=actor, entity="user", entity_id=user_id, action="update", before=before,
              after=snapshot(user))


def _ensure_other_admin(session, user_id: int) -> None:
    others = session.exec(select(func.count()).select_from(User)
                          .where(User.role == "admin", User.active == True, User.id != user_id)).one()  # noqa: E712
    if not others:
        raise DomainError("account.last_admin")


@dataclass(frozen=True)
class Hold:
    """Something that still holds a leaver (issue 16 "Leaving the company"): a register entry's blocker (its
    catalog key), an open ticket or a customer to hand over; ``ref`` names the entry (``phone_handover:3``)."""

    key: str
    ref: str


def departure_holds(engine: Engine, *, person_id: int, now: dt.datetime | None = None) -> list[Hold]:
    """What still holds ``person_id``: every register's ``blockers``, open tickets assigned to them and showroom
    customers they own (each an indexed read)."""
    from db.models_showroom import ShowroomCustomer
    from db.models_tickets import Ticket
    from lib.services import registers

    holds = [Hold(b.key, f"{b.register}:{b.entry_id}")
             for b in registers.blockers(engine, person_id=person_id, now=now or utcnow())]
    with session_scope(engine, write=False) as session:
        tickets = session.execute(select(Ticket.id).where(
            or_(Ticket.assignee_id == person_id, Ticket.technician_id == person_id),
            Ticket.state != "closed").order_by(Ticket.id).limit(200)).scalars().all()
        customers = session.execute(select(ShowroomCustomer.id).where(
            ShowroomCustomer.owner_id == person_id).order_by(ShowroomCustomer.id).limit(200)).scalars().all()
    holds += [Hold("account.hold.open_ticket", f"ticket:{i}") for i in tickets]
    holds += [Hold("account.hold.customer", f"customer:{i}") for i in customers]
    return holds


@acting
def set_active(engine: Engine, *, actor: Actor, user_id: int, active: bool, reason: str = "") -> None:
    """Deactivate (or reactivate) an account; history keeps the person. Nobody deactivates themself.

    A person still held (:func:`departure_holds`: a phone not handed over, a laptop on loan, open tickets,
    customers) is deactivated only with a reason, audited with what held them (issue 16)."""
    require(actor, ADMINS)
    if user_id == actor.id and not active:
        raise DomainError("account.not_self")
    reason = str(reason or "").strip()[:500]
    holds = departure_holds(engine, person_id=user_id) if not active else []
    if holds and not reason:
        raise DomainError("account.departure_blocked", count=len(holds))
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("account.not_found")
        if not active and user.role == "admin":
            _ensure_other_admin(session, user_id)
        before = snapshot(user)
        if holds:
            audit(session, actor=actor, entity="user", entity_id=user_id, action="deactivate_despite_holds",
                  after={"holds": [f"{h.ref} {h.key}" for h in holds[:100]]}, reason=reason)
        user.active = active
        session.add(user)
        if not active:
            sessions.end_user_sessions(session, user_id=user_id, reason="deactivated", now=utcnow())
        audit(session, actor=actor, entity="user", entity_id=user_id,
              action="activate" if active else "deactivate", before=before, after=snapshot(user), reason=reason)


@acting
def reset_password(engine: Engine, *, actor: Actor, user_id: int, password: str, repeat: str) -> None:
    """Admin sets a new password and lifts any lock (audited, the hash never logged)."""
    require(actor, ADMINS)
    problem = rules.password_problem(password, repeat)
    if problem:
        raise ValidationFailed([FieldError("password", problem, {"min": rules.PASSWORD_MIN_BYTES,
                                                                 "max": rules.PASSWORD_MAX_BYTES})])
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("account.not_found")
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        session.add(user)
        sessions.end_user_sessions(session, user_id=user_id, reason="password_reset", now=utcnow())
        audit(session, actor=actor, entity="user", entity_id=user_id, action="reset_password")


@acting
def change_own_password(engine: Engine, *, actor: Actor, old: str, password: str, repeat: str,
                        keep_session: str | None = None) -> None:
    """A user changes their own password after proving the old one; their other sessions end (R2)."""
    problem = rules.password_problem(password, repeat)
    if problem:
        raise ValidationFailed([FieldError("password", problem, {"min": rules.PASSWORD_MIN_BYTES,
                                                                 "max": rules.PASSWORD_MAX_BYTES})])
    with session_scope(engine) as session:
        user = session.get(User, actor.id)
        if user is None or not bcrypt.checkpw(old.encode("utf-8"), user.password_hash.encode("ascii")):
            raise ValidationFailed([FieldError("old", "password.old_wrong")])
        user.password_hash = hash_password(password)
        session.add(user)
        sessions.end_user_sessions(session, user_id=actor.id, reason="password_changed", now=utcnow(),
                                   keep=keep_session)
        audit(session, actor=actor, entity="user", entity_id=actor.id, action="change_password")


@acting
def set_language(engine: Engine, *, actor: Actor, lang: str) -> None:
    if lang not in ("zh_CN", "en"):
        raise DomainError("field.bad_choice")
    with session_scope(engine) as session:
        user = session.get(User, actor.id)
        if user is None:
            raise DomainError("account.not_found")
        before = user.lang
        user.lang = lang
        session.add(user)
        audit(session, actor=actor, entity="user", entity_id=actor.id, action="set_language",
              before={"lang": before}, after={"lang": lang})


# ---- org units -------------------------------------------------------------------------------

ORG_KINDS = ("department", "team", "group", "crew", "post")


@dataclass(frozen=True)
class OrgRow:
    id: int
    kind: str
    name: str
    parent_id: int | None
    is_24x7: bool
    min_staff: int
    max_continuous_h: int | None
    requires_training: bool
    requires_certificate: bool
    active: bool


def list_org(engine: Engine, *, kind: str | None = None) -> list[OrgRow]:
    with session_scope(engine, write=False) as session:
        query = select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.name)
        if kind:
            query = query.where(OrgUnit.kind == kind)
        return [OrgRow(**{f: getattr(u, f) for f in OrgRow.__dataclass_fields__}) for u in session.exec(query).all()]


@dataclass(frozen=True)
class OrgForm:
    kind: str
    name: str
    parent_id: int | None = None
    is_24x7: bool = False
    min_staff: int = 0
    max_continuous_h: int | None = None
    requires_training: bool = False
    requires_certificate: bool = False


@acting
def save_org_unit(engine: Engine, *, actor: Actor, form: OrgForm, unit_id: int | None = None) -> int:
    """Create or edit an org unit (SPEC M0 Org units); names are unique under one parent."""
    require(actor, ADMINS)
    errors = []
    name = clean(form.name)
    if form.kind not in ORG_KINDS:
        errors.append(FieldError("kind", "field.bad_choice"))
    if not name:
        errors.append(FieldError("name", "field.required"))
    elif len(name) > 100:
        errors.append(FieldError("name", "field.too_long", {"max": 100}))
    if form.min_staff < 0:
        errors.append(FieldError("min_staff", "org.bad_number"))
    if form.max_continuous_h is not None and not 1 <= form.max_continuous_h <= 48:
        errors.append(FieldError("max_continuous_h", "org.bad_hours"))
    if errors:
        raise ValidationFailed(errors)
    try:
        with session_scope(engine) as session:
            unit = session.get(OrgUnit, unit_id) if unit_id else OrgUnit(kind=form.kind, name=name)
            if unit is None:
                raise DomainError("org.not_found")
            before = snapshot(unit) if unit_id else None
            for attr in ("kind", "parent_id", "is_24x7", "min_staff", "max_continuous_h", "requires_training",
                         "requires_certificate"):
                setattr(unit, attr, getattr(form, attr))
            unit.name = name
            session.add(unit)
            session.flush()
            audit(session, actor=actor, entity="org_unit", entity_id=unit.id,
                  action="update" if unit_id else "create", before=before, after=snapshot(unit))
            return unit.id
    except IntegrityError as exc:
        raise ValidationFailed([FieldError("name", "org.duplicate")]) from exc

