"""Showroom registration, ownership and the signed day sheet (SPEC M2.3, seed 000 D1).

Writes: ``register_contact`` (来店/来电, S25, S28, S30), ``complete_details`` (O2),
``correct_contact`` (an admin after the lock, with a reason), ``log_follow_up`` (B8) and
``sign_day`` (O3, 过期不补). Reads for the pages live in ``showroom.read``.

Two rules hold whatever page or path writes:
- A date's contact writes and its signature serialize on that date's ``showroom_day_sheet``
  row: a write bumps ``version`` only ``WHERE signed_at IS NULL`` and the signature sets
  ``signed_at`` only ``WHERE signed_at IS NULL``. PostgreSQL re-checks the condition after
  waiting for the row; SQLite writers queue on ``BEGIN IMMEDIATE``. So an edit either lands
  before the signature or is refused, never after (S29).
- Ownership is the domain replay of the customer's contacts and follow-ups. Each write replays
  it, appends the owner changes not yet logged (with their cause) and stores the projection
  (owner, deadline) on the customer row under a version check, all in one transaction.

The domain gets office-local aware datetimes; rows keep aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import (QueueDemotion, ShowroomContactCorrection, ShowroomContactRecord, ShowroomCustomer,
                       ShowroomDaySheet, ShowroomFollowUp, ShowroomOwnerChange, User)
from lib.domain.showroom import customers as rules
from lib.domain.showroom import daysheet
from lib.domain.errors import Conflict, DomainError, FieldError, Locked, NotAllowed, ValidationFailed
from lib.domain.text import check as check_text
from lib.domain.text import clean, optional_text
from lib.services import people, settings
from lib.services.limits import column_max
from lib.services.base import ADMINS, SUPERVISORS, WRITERS, Actor, acting, audit, require, snapshot, utcnow

ATTEMPTS = 5
DETAILS_MAX = 2000
# Domain field names → this module's form fields (``field.showroom_*`` in showroom.json).
FIELD_NAMES = {"customer_name": "showroom_customer_name", "phone": "showroom_phone", "matter": "showroom_matter",
               "visit_date": "showroom_visit_date"}


class _Retry(Exception):
    """Someone changed the customer row under us: run the whole unit again on fresh data."""


@dataclass(frozen=True)
class RegisterForm:
    """What the registration form sends; ``receiver_id`` None means "today's post holder"."""

    channel: str
    customer_name: str
    phone: str
    matter: str
    visit_date: dt.date | None
    details: str = ""
    receiver_id: int | None = None
    requested_consultant_id: int | None = None
    recognised_by_owner: bool = False


@dataclass(frozen=True)
class RegisterResult:
    contact_id: int
    customer_id: int
    receiver_id: int
    receiver_name: str
    owner_name: str
    repeat_card: bool
    previous_owner_name: str
    correction: bool
    customer_name: str = ""
    queue_seq: int | None = None
    queue_error: DomainError | None = None


@dataclass(frozen=True)
class Holders:
    """Today's board as registration needs it: who holds the front desk and the hotline."""

    day: dt.date
    front_desk_id: int | None
    front_desk_name: str
    hotline_id: int | None
    hotline_name: str
    members: tuple[tuple[int, str], ...]
    demoted_ids: frozenset[int]
    seq: int = 0  # the queue step this board was read at: a registration through the queue carries it (R10)


# ---- shared helpers ------------------------------------------------------------------------------

def renamed(exc: ValidationFailed, names: dict[str, str]) -> ValidationFailed:
    """The domain's field names mapped to this module's form fields, for ``field.<name>`` labels."""
    return ValidationFailed([FieldError(names.get(e.field, e.field), e.key, e.params) for e in exc.errors])


def local_now(session: Session, now: dt.datetime):
    tz = settings.office_zone(session)
    return tz, now.astimezone(tz)


def ownership_settings(session: Session) -> rules.OwnershipSettings:
    return rules.OwnershipSettings.from_values(settings.current_values(session, [s.key for s in rules.SETTINGS]))


def sheet_settings(session: Session) -> daysheet.DaySheetSettings:
    return daysheet.DaySheetSettings.from_values(settings.current_values(
        session, ["workday_end", "sheet_second_signer_title", "showroom.sign_window_minutes"]))


def names_of(session: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all())


def demoted_on(session: Session, day: dt.date) -> set[int]:
    """Consultants demoted on ``day`` (the rotation module's ``queue_demotion``, read only; seed 000 D1 A13)."""
    return set(session.exec(select(QueueDemotion.consultant_id).where(
        QueueDemotion.month_start <= day, QueueDemotion.end_day >= day, QueueDemotion.revoked_at.is_(None))).all())


def signoff_of(session: Session, day: dt.date, tz) -> daysheet.SignOff | None:
    sheet = session.exec(select(ShowroomDaySheet).where(ShowroomDaySheet.day == day)).first()
    if sheet is None or sheet.signed_at is None:
        return None
    name = names_of(session, [sheet.signed_by_id]).get(sheet.signed_by_id, "")
    return daysheet.SignOff(day, name, sheet.signer_title, sheet.signed_at.astimezone(tz), sheet.traffic_count or 0,
                            sheet.early_close_reason or "")


def _admin_names(session: Session) -> str:
    names = session.exec(select(User.name).where(User.role.in_(ADMINS), User.active == True)  # noqa: E712
                         .order_by(User.name)).all()
    return "、".join(names)


def _locked(session: Session, exc: Locked) -> Locked:
    """A signed day's refusal names the admins who can add a correction (T3: say what to do next)."""
    if exc.key.startswith("daysheet.locked_signed"):
        admins = _admin_names(session)
        return Locked(exc.key, **{**exc.params, "admins": f"（{admins}）" if admins else ""})
    return exc


def _ensure_sheet(session: Session, day: dt.date) -> None:
    """Create the date's sheet row if missing; two writers creating it at once agree on one row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ShowroomDaySheet).values(day=day, version=0, corrections=0)
                    .on_conflict_do_nothing(index_elements=["day"]))


def claim_day(session: Session, *, day: dt.date, now_local: dt.datetime, tz,
              correction_reason: str | None = None) -> daysheet.WriteMode:
    """Refuse a write into a signed or expired date (S29); otherwise hold the date's sheet row.

    The conditional UPDATE is the gate: if the signature commits first, it matches no row and the
    write is refused; if the write goes first, the signature waits for it.
    """
    try:
        mode = daysheet.assert_day_writable(day, signoff_of(session, day, tz), now_local, sheet_settings(session),
                                            correction_reason)
    except Locked as exc:
        raise _locked(session, exc) from None
    _ensure_sheet(session, day)
    if mode == daysheet.WriteMode.correction:
        session.execute(update(ShowroomDaySheet).where(ShowroomDaySheet.day == day)
                        .values(corrections=ShowroomDaySheet.corrections + 1))
        return mode
    result = session.execute(update(ShowroomDaySheet)
                             .where(ShowroomDaySheet.day == day, ShowroomDaySheet.signed_at.is_(None))
                             .values(version=ShowroomDaySheet.version + 1))
    if result.rowcount != 1:
        signed = signoff_of(session, day, tz)
        if signed is None:
            raise Conflict("showroom.try_again")
        raise _locked(session, daysheet.locked_error(signed))
    return mode


def history_of(session: Session, customer_id: int, tz) -> list:
    """The customer's contacts and follow-ups as domain records (local times)."""
    contacts = session.exec(select(ShowroomContactRecord).where(ShowroomContactRecord.customer_id == customer_id)
                            .order_by(ShowroomContactRecord.at, ShowroomContactRecord.id)).all()
    follow_ups = session.exec(select(ShowroomFollowUp).where(ShowroomFollowUp.customer_id == customer_id)
                              .order_by(ShowroomFollowUp.at, ShowroomFollowUp.id)).all()
    return [to_domain_contact(c, tz) for c in contacts] + [
        rules.FollowUp(f.at.astimezone(tz), f.consultant_id) for f in follow_ups]


def to_domain_contact(row: ShowroomContactRecord, tz) -> rules.ShowroomContact:
    return rules.ShowroomContact(
        at=row.at.astimezone(tz), channel=rules.Channel(row.channel), received_by=row.received_by_id,
        registered_by=row.registered_by_id, requested_consultant=row.requested_consultant_id,
        recognised_by_owner=row.recognised_by_owner, card=rules.Card(row.card), details=row.details,
        is_correction=row.is_correction, id=row.id)


def projection(own: rules.Ownership) -> dict:
    """The customer-row columns that stand for the replay until the next event (see ``effective``)."""
    released_from = None
    due_at = own.due_at
    if own.owner is None and own.events and own.events[-1].to_owner is None:
        released_from, due_at = own.events[-1].from_owner, own.events[-1].at
    return {"owner_id": own.owner, "released_from_id": released_from, "state": own.state.value,
            "card": (own.card or rules.Card.A).value, "since": own.since, "due_at": due_at,
            "last_follow_up_at": own.last_follow_up_at}


def effective(row, now: dt.datetime) -> tuple[int | None, str, dt.datetime | None]:
    """Owner, state and deadline at ``now`` from the stored projection: a passed deadline released the owner."""
    if row.owner_id is not None and row.due_at is not None and row.due_at <= now:
        return None, rules.OwnershipState.released.value, row.due_at
    return row.owner_id, row.state, row.due_at


def _record_ownership(session: Session, actor: Actor, customer: ShowroomCustomer, tz,
                      now: dt.datetime) -> rules.Ownership:
    """Replay the record, log the owner changes not logged yet, store the projection (version-checked)."""
    own = rules.ownership(history_of(session, customer.id, tz), now.astimezone(tz), ownership_settings(session))
    logged = [(r.at, r.from_owner_id, r.to_owner_id, r.cause) for r in session.exec(
        select(ShowroomOwnerChange).where(ShowroomOwnerChange.customer_id == customer.id)
        .order_by(ShowroomOwnerChange.seq)).all()]
    pending = list(logged)
    seq = len(logged)
    for change in own.events:
        key = (change.at, change.from_owner, change.to_owner, change.cause.value)
        if key in pending:
            pending.remove(key)
            continue
        seq += 1
        session.add(ShowroomOwnerChange(customer_id=customer.id, seq=seq, at=change.at, from_owner_id=change.from_owner,
                                        to_owner_id=change.to_owner, cause=change.cause.value, recorded_at=now))
        audit(session, actor=actor, entity="showroom_customer", entity_id=customer.id, action="owner_change", at=now,
              before={"owner_id": change.from_owner}, after={"owner_id": change.to_owner, "cause": change.cause.value,
                                                             "at": change.at.isoformat()})
    values = projection(own)
    result = session.execute(update(ShowroomCustomer)
                             .where(ShowroomCustomer.id == customer.id, ShowroomCustomer.version == customer.version)
                             .values(**values, owner_changes=seq, version=customer.version + 1))
    if result.rowcount != 1:
        raise _Retry()
    return own


def _retrying(unit):
    """Run a unit of work again when it lost a race on a customer row (version or a new phone)."""
    for _attempt in range(ATTEMPTS):
        try:
            return unit()
        except (_Retry, IntegrityError):
            continue
    raise Conflict("showroom.try_again")


# ---- today's board -------------------------------------------------------------------------------

def board_holders(engine: Engine, *, actor: Actor, now: dt.datetime | None = None) -> Holders:
    """Who holds the front desk and the hotline on today's queue board (the rotation module's read)."""
    from lib.services import rotation

    now = now or utcnow()
    view = rotation.board(engine, actor=actor, now=now)
    by_post = {s.position: s for s in view.slots}
    with session_scope(engine, write=False) as session:
        demoted = frozenset(demoted_on(session, view.day))
    desk, line = by_post.get("front_desk"), by_post.get("hotline")
    return Holders(day=view.day, front_desk_id=desk.consultant_id if desk else None,
                   front_desk_name=desk.name if desk else "", hotline_id=line.consultant_id if line else None,
                   hotline_name=line.name if line else "",
                   members=tuple((s.consultant_id, s.name) for s in view.slots), demoted_ids=demoted,
                   seq=view.seq)


def _receiver(session: Session, form: RegisterForm, channel: rules.Channel, holders: Holders | None,
              day: dt.date) -> int:
    """The receiver: chosen on the form, else today's post holder (S25); the board leaves the demoted out."""
    if form.receiver_id is None:
        demoted = demoted_on(session, day)
        board = {}
        if holders is not None:
            board = {k: v for k, v in {rules.Post.front_desk.value: holders.front_desk_id,
                                       rules.Post.hotline.value: holders.hotline_id}.items() if v is not None}
        try:
            return rules.receiver_for(channel, board, demoted).consultant
        except NotAllowed as exc:
            raise _with_name(session, exc) from None
    if session.get(User, form.receiver_id) is None:
        raise ValidationFailed([FieldError("showroom_receiver", "field.bad_choice")])
    people.require_eligible(session, form.receiver_id, "receiver")
    return form.receiver_id


def _may_take(session: Session, receiver: int, previous_owner: int | None, day: dt.date) -> None:
    """A demoted consultant serves their own customers (O5) but takes no new one (seed 000 D1 A13; S8)."""
    if receiver == previous_owner:
        return
    try:
        rules.assert_can_take_new_customer(receiver, demoted_on(session, day))
    except NotAllowed as exc:
        raise _with_name(session, exc) from None


def _with_name(session: Session, exc: DomainError) -> DomainError:
    consultant = exc.params.get("consultant")
    if isinstance(consultant, int):
        return type(exc)(exc.key, **{**exc.params, "consultant": names_of(session, [consultant]).get(consultant, "")})
    return exc


# ---- registration ---------------------------------------------------------------------------------

@acting
def register_contact(engine: Engine, *, actor: Actor, form: RegisterForm, queue_tap: bool = False,
                     correction_reason: str | None = None, holders: Holders | None = None,
                     seen_seq: int | None = None, now: dt.datetime | None = None) -> RegisterResult:
    """Register a 来店 or 来电 (seed 000 D1 B1, B3; S25, S28, S30); refused on a locked date (S29).

    The customer is matched by normalised phone: a known phone adds the contact to the existing
    card, and one another consultant owns is flagged 重卡 (O6). With ``queue_tap`` a walk-in also
    records "received a new group" for the receiver on today's queue board, in the same transaction.
    ``seen_seq`` is the queue step the screen showed (``Holders.seq``): when the queue has moved on
    since, the whole registration is refused with who is due now and nothing is saved (R10). Any other
    refusal of the tap (no draw today, not the receiver's turn) is returned and the contact stays.
    """
    require(actor, WRITERS)
    if correction_reason is not None:
        require(actor, ADMINS)
    now = now or utcnow()
    try:
        channel = rules.Channel(form.channel)
    except ValueError:
        raise ValidationFailed([FieldError("showroom_channel", "field.bad_choice")]) from None
    try:
        valid = rules.validate_contact(customer_name=form.customer_name, phone=form.phone, matter=form.matter,
                                       visit_date=form.visit_date)
    except ValidationFailed as exc:
        raise renamed(exc, FIELD_NAMES) from None
    errors: list[FieldError] = []
    check_text("showroom_customer_name", valid.customer_name, column_max("showroom_contact.customer_name"), errors)
    check_text("showroom_phone", clean(form.phone), column_max("showroom_customer.phone"), errors)
    check_text("showroom_matter", valid.matter, column_max("showroom_contact.matter"), errors)
    details = optional_text("showroom_details", form.details, column_max("showroom_contact.details"), errors)
    if errors:
        raise ValidationFailed(errors)
    if form.receiver_id is None and holders is None:
        holders = board_holders(engine, actor=actor, now=now)
    tap = queue_tap and channel == rules.Channel.walk_in
    return _retrying(lambda: _register_once(engine, actor, form, channel, valid, details, correction_reason,
                                            holders, now, tap=tap, seen_seq=seen_seq))


def _queue_tap(session: Session, actor: Actor, receiver: int, contact_id: int, seen_seq: int | None,
               now: dt.datetime) -> tuple[int | None, DomainError | None]:
    """Record the walk-in on the queue inside the registration (R10): a stale screen refuses the whole
    registration; another refusal is rolled back to the savepoint and returned beside the saved contact."""
    from lib.services import rotation

    try:
        with session.begin_nested():
            return rotation.record_walk_in(session, actor=actor, consultant_id=receiver, contact_id=contact_id,
                                           seen_seq=seen_seq, now=now), None
    except DomainError as exc:
        if exc.key in rotation.STALE_SCREEN_KEYS:
            raise
        return None, exc


def _register_once(engine, actor, form, channel, valid, details, correction_reason, holders, now, *, tap: bool,
                   seen_seq: int | None) -> RegisterResult:
    with session_scope(engine) as session:
        tz, here = local_now(session, now)
        day = valid.visit_date
        mode = claim_day(session, day=day, now_local=here, tz=tz, correction_reason=correction_reason)
        correction = mode == daysheet.WriteMode.correction
        receiver = _receiver(session, form, channel, holders, day)
        requested = form.requested_consultant_id
        if requested is not None and session.get(User, requested) is None:
            raise ValidationFailed([FieldError("showroom_requested", "field.bad_choice")])
        people.require_eligible(session, requested, "receiver")
        at = now if day == here.date() else _late_moment(day, session, tz)
        customer = session.exec(select(ShowroomCustomer).where(ShowroomCustomer.phone_norm == valid.phone)).first()
        if customer is None:
            customer = ShowroomCustomer(name=valid.customer_name, phone=clean(form.phone),
                                        phone_norm=valid.phone, created_by_id=actor.id, created_at=now)
            session.add(customer)
            session.flush()
        if not correction:
            _refuse_repeat(session, customer, receiver, tz, now)
        previous_owner, _state, _due = effective(customer, at)
        _may_take(session, receiver, previous_owner, day)
        repeat = previous_owner is not None and previous_owner != receiver
        contact = ShowroomContactRecord(
            customer_id=customer.id, day=day, at=at, channel=channel.value, customer_name=valid.customer_name,
            matter=valid.matter, details=details, completed_at=now if details else None, registered_by_id=actor.id,
            received_by_id=receiver, requested_consultant_id=requested,
            recognised_by_owner=bool(form.recognised_by_owner), card=rules.Card.A.value,
            previous_owner_id=previous_owner, repeat_card=repeat, is_correction=correction,
            correction_reason=clean(correction_reason) if correction else "", created_at=now)
        session.add(contact)
        session.execute(update(ShowroomCustomer).where(ShowroomCustomer.id == customer.id)
                        .values(last_contact_at=at))
        session.flush()
        own = _record_ownership(session, actor, customer, tz, now)
        audit(session, actor=actor, entity="showroom_contact", entity_id=contact.id,
              action="correction_add" if correction else "register", after=snapshot(contact),
              reason=contact.correction_reason, at=now)
        queue_seq = queue_error = None
        if tap and not correction:
            queue_seq, queue_error = _queue_tap(session, actor, receiver, contact.id, seen_seq, now)
        names = names_of(session, [receiver, own.owner, previous_owner])
        return RegisterResult(contact_id=contact.id, customer_id=customer.id, receiver_id=receiver,
                              receiver_name=names.get(receiver, ""), owner_name=names.get(own.owner, ""),
                              repeat_card=repeat, previous_owner_name=names.get(previous_owner, ""),
                              correction=correction, customer_name=valid.customer_name, queue_seq=queue_seq,
                              queue_error=queue_error)


def _refuse_repeat(session: Session, customer: ShowroomCustomer, receiver: int, tz, now: dt.datetime) -> None:
    """A second registration of the same phone to the same receiver within the window is a double click (T1).

    Runs after ``claim_day`` holds the date's sheet row, so two clicks at once queue and the second
    one sees the first row.
    """
    if customer.id is None:
        return
    window = int(settings.current_values(session, ["showroom.duplicate_window_seconds"])
                 .get("showroom.duplicate_window_seconds", 120))
    if window <= 0:
        return
    rows = session.exec(select(ShowroomContactRecord).where(
        ShowroomContactRecord.customer_id == customer.id, ShowroomContactRecord.received_by_id == receiver,
        ShowroomContactRecord.at >= now - dt.timedelta(seconds=window))).all()
    first = rules.recent_duplicate([to_domain_contact(r, tz) for r in rows], received_by=receiver,
                                   now=now.astimezone(tz), window_seconds=window)
    if first is None:
        return
    names = names_of(session, [first.registered_by, first.received_by])
    raise Conflict("showroom.duplicate_contact", name=customer.name, phone=customer.phone,
                   at=first.at.strftime("%H:%M:%S"), registered_by=names.get(first.registered_by, ""),
                   receiver=names.get(first.received_by, ""), seconds=window)


def _late_moment(day: dt.date, session: Session, tz) -> dt.datetime:
    """A correction added to a past date is placed just before that date's closing time."""
    end = sheet_settings(session).workday_end
    return (dt.datetime.combine(day, end, tzinfo=tz) - dt.timedelta(minutes=1)).astimezone(dt.timezone.utc)


# ---- details, corrections, follow-ups -------------------------------------------------------------

@acting
def complete_details(engine: Engine, *, actor: Actor, contact_id: int, details: str,
                     now: dt.datetime | None = None) -> None:
    """The receiver completes a contact's details until the date locks (seed 000 D1 B1 「最迟当日下班前补齐」; S29)."""
    require(actor, WRITERS)
    text = clean(details)
    if not text:
        raise ValidationFailed([FieldError("showroom_details", "field.required")])
    if len(text) > DETAILS_MAX:
        raise ValidationFailed([FieldError("showroom_details", "field.too_long", {"max": DETAILS_MAX})])
    now = now or utcnow()
    with session_scope(engine) as session:
        contact = session.get(ShowroomContactRecord, contact_id)
        if contact is None:
            raise DomainError("showroom.contact_not_found")
        if actor.role not in SUPERVISORS and actor.id not in (contact.received_by_id, contact.registered_by_id):
            raise NotAllowed("showroom.not_your_contact")
        tz, here = local_now(session, now)
        claim_day(session, day=contact.day, now_local=here, tz=tz)
        before = {"details": contact.details}
        session.execute(update(ShowroomContactRecord).where(ShowroomContactRecord.id == contact_id)
                        .values(details=text, completed_at=now))
        audit(session, actor=actor, entity="showroom_contact", entity_id=contact_id, action="complete",
              before=before, after={"details": text}, at=now)


@acting
def correct_contact(engine: Engine, *, actor: Actor, contact_id: int, details: str, reason: str,
                    now: dt.datetime | None = None) -> int:
    """An admin corrects a locked contact with a reason; the signed text stays and the correction shows beside it."""
    require(actor, ADMINS)
    text, why = clean(details), clean(reason)
    errors = []
    if not text:
        errors.append(FieldError("showroom_details", "field.required"))
    if not why:
        errors.append(FieldError("showroom_reason", "daysheet.correction_reason_required"))
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    with session_scope(engine) as session:
        contact = session.get(ShowroomContactRecord, contact_id)
        if contact is None:
            raise DomainError("showroom.contact_not_found")
        tz, here = local_now(session, now)
        mode = daysheet.assert_day_writable(contact.day, signoff_of(session, contact.day, tz), here,
                                            sheet_settings(session), why)
        if mode != daysheet.WriteMode.correction:
            raise DomainError("showroom.not_locked_use_edit")
        claim_day(session, day=contact.day, now_local=here, tz=tz, correction_reason=why)
        row = ShowroomContactCorrection(contact_id=contact_id, day=contact.day, details=text, reason=why,
                                        by_id=actor.id, at=now)
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="showroom_contact", entity_id=contact_id, action="correction",
              before={"details": contact.details}, after={"details": text}, reason=why, at=now)
        return row.id


@acting
def log_follow_up(engine: Engine, *, actor: Actor, customer_id: int, note: str = "",
                  now: dt.datetime | None = None) -> rules.Ownership:
    """The owner records a 回访 now; only the owner's follow-ups keep the customer (seed 000 D1 B7, B8; S26, S27).

    A demoted consultant keeps following their cards (O5). Follow-ups are not rows of the day
    sheet and are never back-dated, so the sheet's lock does not apply to them.
    """
    require(actor, WRITERS)
    text = clean(note)
    if len(text) > 1000:
        raise ValidationFailed([FieldError("showroom_note", "field.too_long", {"max": 1000})])
    now = now or utcnow()

    def unit() -> rules.Ownership:
        with session_scope(engine) as session:
            customer = session.get(ShowroomCustomer, customer_id)
            if customer is None:
                raise DomainError("showroom.customer_not_found")
            owner, _state, _due = effective(customer, now)
            if owner != actor.id:
                raise NotAllowed("showroom.not_your_customer")
            tz = settings.office_zone(session)
            row = ShowroomFollowUp(customer_id=customer_id, consultant_id=actor.id, at=now, note=text,
                                   recorded_by_id=actor.id)
            session.add(row)
            session.flush()
            own = _record_ownership(session, actor, customer, tz, now)
            audit(session, actor=actor, entity="showroom_customer", entity_id=customer_id, action="follow_up",
                  after={"note": text, "due_at": own.due_at.isoformat() if own.due_at else None}, at=now)
            return own

    return _retrying(unit)


# ---- sign-off --------------------------------------------------------------------------------------

@acting
def sign_day(engine: Engine, *, actor: Actor, day: dt.date, traffic_count: int, seen_version: int | None = None,
             early_reason: str | None = None, now: dt.datetime | None = None) -> daysheet.SignOff:
    """The 销售经理 (or 供需) confirms the day's traffic before closing; the date then locks (O3, S29).

    ``seen_version`` is the sheet the signer looked at: if a contact was added or edited since,
    the signature is refused so the signer checks the new rows first. Before the closing window
    the signature is an early close and needs ``early_reason``, kept on the sheet and audited (T3).
    """
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine) as session:
        tz, here = local_now(session, now)
        signoff = daysheet.sign_sheet(day=day, signer=actor.name, titles=actor.titles, traffic_count=traffic_count,
                                      existing=signoff_of(session, day, tz), now=here, settings=sheet_settings(session),
                                      early_reason=clean(early_reason or ""))
        _ensure_sheet(session, day)
        conditions = [ShowroomDaySheet.day == day, ShowroomDaySheet.signed_at.is_(None)]
        if seen_version is not None:
            conditions.append(ShowroomDaySheet.version == seen_version)
        result = session.execute(update(ShowroomDaySheet).where(*conditions).values(
            signed_by_id=actor.id, signer_title=signoff.title, signed_at=now, traffic_count=traffic_count,
            early_close_reason=signoff.early_reason))
        if result.rowcount != 1:
            existing = signoff_of(session, day, tz)
            if existing is not None:
                raise Conflict("daysheet.already_signed", day=day.isoformat(), signer=existing.signer)
            raise Conflict("showroom.sheet_changed")
        audit(session, actor=actor, entity="showroom_day_sheet", entity_id=day.isoformat(), action="sign", at=now,
              after={"traffic_count": traffic_count, "title": signoff.title,
                     "early_close": bool(signoff.early_reason)}, reason=signoff.early_reason)
        return signoff
