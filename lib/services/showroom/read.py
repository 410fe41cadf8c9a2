"""Showroom reads for the pages: the day sheet, "my customers", a customer's record, releases and disputes.

Every list reads an indexed range (one date's contacts, one consultant's deadlines, a window of
release dates), never the whole history: the customer row's ownership projection answers
"whose and until when"; the replay runs only for one customer's record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import (ShowroomContactCorrection, ShowroomContactRecord, ShowroomCustomer, ShowroomDaySheet,
                       ShowroomFollowUp)
from lib.domain.showroom import customers as rules
from lib.domain import office, privacy
from lib.domain.showroom import daysheet
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.showroom.customers import normalise_phone
from lib.services import settings
from lib.services.base import SUPERVISORS, WRITERS, Actor, acting, audit, require, utcnow
from lib.services.showroom.write import (effective, history_of, local_now, names_of, ownership_settings,
                                        sheet_settings, signoff_of)

LIST_LIMIT = 500
REPORT_MAX_DAYS = 92


@dataclass(frozen=True)
class ContactRow:
    id: int
    at: dt.datetime
    channel: str
    customer_id: int
    customer_name: str
    phone: str
    matter: str
    details: str
    corrected_details: str
    complete: bool
    receiver_id: int
    receiver: str
    registered_by: str
    requested: str
    recognised: bool
    repeat_card: bool
    previous_owner: str
    is_correction: bool
    masked: bool = False


@dataclass(frozen=True)
class DaySheetView:
    day: dt.date
    state: str
    deadline: dt.datetime
    version: int
    signer: str
    signer_title: str
    signed_at: dt.datetime | None
    traffic_count: int | None
    walk_ins: int
    calls: int
    incomplete: int
    corrections: int
    contacts: tuple[ContactRow, ...]
    can_sign: bool
    early_close_reason: str = ""
    sign_timing: str = daysheet.SignTiming.on_time.value
    sign_window_opens: dt.datetime | None = None
    incomplete_rows: tuple[ContactRow, ...] = ()
    duplicate_phones: tuple[tuple[str, tuple[ContactRow, ...]], ...] = ()


@dataclass(frozen=True)
class CustomerRow:
    """``owner`` is who holds the card now: empty once released, when ``released_from`` names the last owner (T25)."""

    id: int
    name: str
    phone: str
    state: str
    owner: str
    since: dt.datetime | None
    due_at: dt.datetime | None
    last_day: dt.date | None
    last_follow_up_at: dt.datetime | None
    last_contact_at: dt.datetime | None
    owner_id: int | None = None
    released_from: str = ""
    masked: bool = False


@dataclass(frozen=True)
class MyCustomers:
    due_today: tuple[CustomerRow, ...]
    about_to_lapse: tuple[CustomerRow, ...]
    overdue: tuple[CustomerRow, ...]
    owned: tuple[CustomerRow, ...]


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    kind: str
    who: str
    text: str


@dataclass(frozen=True)
class OwnerChangeRow:
    at: dt.datetime
    from_owner: str
    to_owner: str
    cause: str


@dataclass(frozen=True)
class CustomerRecord:
    customer: CustomerRow
    card: str
    history: tuple[HistoryRow, ...]
    changes: tuple[OwnerChangeRow, ...]


@dataclass(frozen=True)
class ReleaseRow:
    customer_id: int
    name: str
    phone: str
    released_at: dt.datetime
    from_owner: str
    cause: str


@dataclass(frozen=True)
class EvidenceRow:
    day: dt.date
    signer: str
    signer_title: str
    signed_at: dt.datetime
    at: dt.datetime
    channel: str
    receiver: str
    requested: str
    recognised: bool
    matter: str
    details: str


# ---- the day sheet ---------------------------------------------------------------------------------

def day_sheet(engine: Engine, *, actor: Actor, day: dt.date | None = None,
              now: dt.datetime | None = None) -> DaySheetView:
    """One date's 来店/来电 sheet: rows, completion, the signature and the lock state (seed 000 D1 B1, B2).

    Staff see today's sheet; supervisors any date. Reads that date's rows only (index on ``day``).
    """
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz, here = local_now(session, now)
        day = day or here.date()
        if day != here.date() and actor.role not in SUPERVISORS:
            raise NotAllowed("showroom.only_today")
        rows = session.exec(select(ShowroomContactRecord, ShowroomCustomer.phone, ShowroomCustomer.owner_id)
                            .join(ShowroomCustomer, ShowroomCustomer.id == ShowroomContactRecord.customer_id)
                            .where(ShowroomContactRecord.day == day)
                            .order_by(ShowroomContactRecord.at, ShowroomContactRecord.id)).all()
        corrections = _latest_corrections(session, day)
        sheet = session.exec(select(ShowroomDaySheet).where(ShowroomDaySheet.day == day)).first()
        signoff = signoff_of(session, day, tz)
        contacts = _contact_rows(session, rows, corrections)
        config = sheet_settings(session)
        domain_rows = [rules.ShowroomContact(
            at=c.at.astimezone(tz), channel=rules.Channel(c.channel), received_by=c.receiver_id, details=c.details,
            id=c.id) for c in contacts]
        status = daysheet.sheet_status(day, domain_rows, signoff, here, config)
        check = daysheet.sign_check(day, domain_rows, {c.id: c.phone for c in contacts}, here, config)
        can_sign = any(actor.has_title(title) for title in daysheet.signer_titles(config))
        viewer, managers = privacy.Viewer(actor.id, actor.role, tuple(actor.titles)), daysheet.signer_titles(config)
        people = {c.id: (c.received_by_id, c.registered_by_id, c.requested_consultant_id, owner)
                  for c, _phone, owner in rows}
    # Each row in full for those who work on it (its receiver, registrar, requested consultant, the customer's
    # owner), the sheet's signers and supervisors; masked for everybody else, the export too (R7).
    contacts = [c if privacy.sees_in_full(viewer, people[c.id], managers) else _masked_contact(c) for c in contacts]
    by_id = {c.id: c for c in contacts}
    return DaySheetView(
        day=day, state=status.state.value, deadline=status.deadline, version=sheet.version if sheet else 0,
        signer=signoff.signer if signoff else "", signer_title=signoff.title if signoff else "",
        signed_at=sheet.signed_at if sheet else None, traffic_count=sheet.traffic_count if sheet else None,
        walk_ins=sum(c.channel == rules.Channel.walk_in for c in contacts),
        calls=sum(c.channel == rules.Channel.call for c in contacts), incomplete=len(status.incomplete),
        corrections=sheet.corrections if sheet else 0, contacts=tuple(contacts),
        can_sign=can_sign and status.state == daysheet.SheetState.open,
        early_close_reason=sheet.early_close_reason if sheet else "", sign_timing=check.timing.value,
        sign_window_opens=check.window_opens, incomplete_rows=tuple(by_id[i] for i in check.incomplete),
        duplicate_phones=tuple((privacy.mask_phone(phone) if any(by_id[i].masked for i in ids) else phone,
                                tuple(by_id[i] for i in ids)) for phone, ids in check.duplicates))


def _masked_contact(row: ContactRow) -> ContactRow:
    return replace(row, customer_name=privacy.mask_name(row.customer_name), phone=privacy.mask_phone(row.phone),
                   details=privacy.mask_phones_in(row.details),
                   corrected_details=privacy.mask_phones_in(row.corrected_details), masked=True)


def _masked_customer(row: CustomerRow) -> CustomerRow:
    return replace(row, name=privacy.mask_name(row.name), phone=privacy.mask_phone(row.phone), masked=True)


def _viewer(actor: Actor) -> privacy.Viewer:
    return privacy.Viewer(actor.id, actor.role, tuple(actor.titles))


def _read_personal(engine: Engine, actor: Actor, customer_id: int, now: dt.datetime) -> None:
    """A supervisor reading a customer who is not theirs leaves a trace (R7, as tickets do)."""
    with session_scope(engine) as session:
        audit(session, actor=actor, entity="showroom_customer", entity_id=customer_id, action="read_personal", at=now)


def _latest_corrections(session: Session, day: dt.date) -> dict[int, str]:
    rows = session.exec(select(ShowroomContactCorrection.contact_id, ShowroomContactCorrection.details)
                        .where(ShowroomContactCorrection.day == day)
                        .order_by(ShowroomContactCorrection.at, ShowroomContactCorrection.id)).all()
    return dict(rows)


def _contact_rows(session: Session, rows, corrections: dict[int, str]) -> list[ContactRow]:
    people = set()
    for contact, *_rest in rows:
        people |= {contact.received_by_id, contact.registered_by_id, contact.requested_consultant_id,
                   contact.previous_owner_id}
    names = names_of(session, people)
    return [ContactRow(
        id=c.id, at=c.at, channel=c.channel, customer_id=c.customer_id, customer_name=c.customer_name, phone=phone,
        matter=c.matter, details=c.details, corrected_details=corrections.get(c.id, ""),
        complete=bool(c.details.strip()), receiver_id=c.received_by_id, receiver=names.get(c.received_by_id, ""),
        registered_by=names.get(c.registered_by_id, ""), requested=names.get(c.requested_consultant_id, ""),
        recognised=c.recognised_by_owner, repeat_card=c.repeat_card, previous_owner=names.get(c.previous_owner_id, ""),
        is_correction=c.is_correction) for c, phone, *_rest in rows]


# ---- my customers ----------------------------------------------------------------------------------

def _customer_row(row, now: dt.datetime, tz, names: dict[int, str]) -> CustomerRow:
    owner, state, due = effective(row, now)
    released_from = None if owner is not None else (row.owner_id or row.released_from_id)
    last_day = None
    if owner is not None and due is not None:
        last_day = due.astimezone(tz).date() - dt.timedelta(days=1)
    return CustomerRow(id=row.id, name=row.name, phone=row.phone, state=state, owner=names.get(owner, ""),
                       since=row.since, due_at=due, last_day=last_day, last_follow_up_at=row.last_follow_up_at,
                       last_contact_at=row.last_contact_at, owner_id=owner,
                       released_from=names.get(released_from, ""))


def _as_ownership(row, now: dt.datetime, tz) -> rules.Ownership:
    """The domain's view of a projected row at ``now`` (owner, deadline and the last release)."""
    owner, state, due = effective(row, now)
    local_due = due.astimezone(tz) if due else None
    events: tuple[rules.OwnerChange, ...] = ()
    released_from = row.owner_id if owner is None and row.owner_id is not None else row.released_from_id
    if owner is None and released_from is not None and local_due is not None:
        events = (rules.OwnerChange(local_due, released_from, None, rules.ChangeCause.lapsed),)
    return rules.Ownership(owner, rules.OwnershipState(state), rules.Card(row.card), row.since, local_due,
                           row.last_follow_up_at, events)


# The columns a worklist needs (rows, not ORM objects: hundreds per page view).
_CARD = (ShowroomCustomer.id, ShowroomCustomer.name, ShowroomCustomer.phone, ShowroomCustomer.card,
         ShowroomCustomer.owner_id, ShowroomCustomer.released_from_id, ShowroomCustomer.state, ShowroomCustomer.since,
         ShowroomCustomer.due_at, ShowroomCustomer.last_follow_up_at, ShowroomCustomer.last_contact_at)


def my_customers(engine: Engine, *, actor: Actor, consultant_id: int | None = None,
                 now: dt.datetime | None = None) -> MyCustomers:
    """A consultant's cards: follow-ups due today, about to lapse, released for a missed one, and all held (B7, B8).

    Reads the consultant's deadlines by index: held cards (``owner_id``, ``due_at`` after now) and
    cards released from them within the last ``ownership.lapse`` days.
    """
    require(actor, WRITERS)
    consultant = consultant_id if consultant_id is not None else actor.id
    if consultant != actor.id and actor.role not in SUPERVISORS:
        raise NotAllowed("showroom.only_own_customers")
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz, here = local_now(session, now)
        own_settings = ownership_settings(session)
        window = now - dt.timedelta(days=own_settings.lapse_days)
        owned = session.exec(select(*_CARD).where(ShowroomCustomer.owner_id == consultant,
                                                  ShowroomCustomer.due_at > now)
                             .order_by(ShowroomCustomer.due_at).limit(LIST_LIMIT)).all()
        # Two index ranges rather than one OR, so both backends read only this consultant's recent deadlines.
        lapsed = session.exec(select(*_CARD).where(
            ShowroomCustomer.owner_id == consultant, ShowroomCustomer.due_at <= now, ShowroomCustomer.due_at >= window)
            .order_by(ShowroomCustomer.due_at.desc()).limit(LIST_LIMIT)).all()
        released = lapsed + session.exec(select(*_CARD).where(
            ShowroomCustomer.released_from_id == consultant, ShowroomCustomer.due_at >= window)
            .order_by(ShowroomCustomer.due_at.desc()).limit(LIST_LIMIT)).all()
        names = names_of(session, {consultant})
        managers = daysheet.signer_titles(sheet_settings(session))
    by_id = {r.id: r for r in [*owned, *released]}
    viewer = _viewer(actor)
    buckets = rules.my_customers_buckets({r.id: _as_ownership(r, now, tz) for r in by_id.values()}, consultant, here,
                                         own_settings)

    def shown(row: CustomerRow) -> CustomerRow:
        # A card released from this consultant and since taken by someone else is no longer theirs (R7).
        holder = row.owner_id if row.owner_id is not None else consultant
        return row if privacy.sees_in_full(viewer, (holder,), managers) else _masked_customer(row)

    def rows(ids) -> tuple[CustomerRow, ...]:
        return tuple(shown(_customer_row(by_id[i], now, tz, names)) for i in ids)

    return MyCustomers(due_today=rows(buckets.due_today), about_to_lapse=rows(buckets.about_to_lapse),
                       overdue=rows(buckets.overdue), owned=rows([r.id for r in owned]))


# ---- one customer's record -----------------------------------------------------------------------

def find_customer(engine: Engine, *, actor: Actor, phone: str, now: dt.datetime | None = None) -> CustomerRow | None:
    """The card registered under this phone (normalised), with its owner now; None when unregistered (O1).

    Name and phone in full only to its owner, the sheet's signers and supervisors; masked for others (R7): the
    front desk learns whose customer it is, not who the customer is."""
    require(actor, WRITERS)
    try:
        norm = normalise_phone(phone)
    except DomainError:
        return None
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        row = session.exec(select(ShowroomCustomer).where(ShowroomCustomer.phone_norm == norm)).first()
        if row is None:
            return None
        tz = settings.office_zone(session)
        names = names_of(session, {row.owner_id, row.released_from_id})
        found = _customer_row(row, now, tz, names)
        managers = daysheet.signer_titles(sheet_settings(session))
    # Not audited: the reader typed the phone; opening the record (``customer_record``) is.
    return found if privacy.sees_in_full(_viewer(actor), (found.owner_id,), managers) else _masked_customer(found)


@acting
def customer_record(engine: Engine, *, actor: Actor, customer_id: int,
                    now: dt.datetime | None = None) -> CustomerRecord:
    """A customer's contacts, follow-ups and owner changes, replayed from the record (seed 000 D1 B4-B8).

    In full to the people on the record (owner, last owner, receivers, registrars, follow-up consultants), the
    sheet's signers and supervisors, masked for others; a supervisor's read of a record not theirs is audited (R7)."""
    require(actor, WRITERS)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        row = session.get(ShowroomCustomer, customer_id)
        if row is None:
            raise DomainError("showroom.customer_not_found")
        tz = settings.office_zone(session)
        contacts = session.exec(select(ShowroomContactRecord).where(ShowroomContactRecord.customer_id == customer_id)
                                .order_by(ShowroomContactRecord.at)).all()
        follow_ups = session.exec(select(ShowroomFollowUp).where(ShowroomFollowUp.customer_id == customer_id)
                                  .order_by(ShowroomFollowUp.at)).all()
        own = rules.ownership(history_of(session, customer_id, tz), now.astimezone(tz), ownership_settings(session))
        people = {row.owner_id, row.released_from_id} | {c.received_by_id for c in contacts} \
            | {f.consultant_id for f in follow_ups} | {e.from_owner for e in own.events} \
            | {e.to_owner for e in own.events}
        names = names_of(session, people)
        history = [HistoryRow(c.at, c.channel, names.get(c.received_by_id, ""), c.matter + (" — " + c.details
                                                                                            if c.details else ""))
                   for c in contacts] + [HistoryRow(f.at, "follow_up", names.get(f.consultant_id, ""), f.note)
                                         for f in follow_ups]
        changes = tuple(OwnerChangeRow(e.at, names.get(e.from_owner, ""), names.get(e.to_owner, ""), e.cause.value)
                        for e in own.events)
        record = CustomerRecord(customer=_customer_row(row, now, tz, names), card=row.card,
                                history=tuple(sorted(history, key=lambda h: h.at, reverse=True)), changes=changes)
        managers = daysheet.signer_titles(sheet_settings(session))
        on_record = people | {c.registered_by_id for c in contacts} | {c.requested_consultant_id for c in contacts}
    viewer = _viewer(actor)
    if not privacy.sees_in_full(viewer, on_record, managers):
        return replace(record, customer=_masked_customer(record.customer),
                       history=tuple(replace(h, text=privacy.mask_phones_in(h.text)) for h in record.history))
    if privacy.outsider_read(viewer, on_record, managers):
        _read_personal(engine, actor, customer_id, now)
    return record


# ---- the manager's views ---------------------------------------------------------------------------

def _check_range(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise DomainError("search.bad_range")
    if (last - first).days + 1 > REPORT_MAX_DAYS:
        raise DomainError("search.range_too_long", days=REPORT_MAX_DAYS)


def releases(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date,
             now: dt.datetime | None = None) -> list[ReleaseRow]:
    """Customers released in a date range for a missed first follow-up or a lapse (S26, S27), newest first."""
    require(actor, SUPERVISORS)
    _check_range(first, last)
    now = now or utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        start, end = office.range_bounds(first, last, tz)
        end = min(end, now)
        rows = session.exec(select(ShowroomCustomer).where(
            ShowroomCustomer.due_at >= start, ShowroomCustomer.due_at <= end,
            or_(ShowroomCustomer.owner_id.is_not(None), ShowroomCustomer.released_from_id.is_not(None)))
            .order_by(ShowroomCustomer.due_at.desc()).limit(LIST_LIMIT)).all()
        names = names_of(session, {r.owner_id for r in rows} | {r.released_from_id for r in rows})
    result = []
    for r in rows:
        was_following = r.state == rules.OwnershipState.owned_following.value or r.last_follow_up_at is not None
        cause = rules.ChangeCause.lapsed if was_following else rules.ChangeCause.no_first_follow_up
        result.append(ReleaseRow(r.id, r.name, r.phone, r.due_at, names.get(r.owner_id or r.released_from_id, ""),
                                 cause.value))
    return result


def disputes(engine: Engine, *, actor: Actor, first: dt.date, last: dt.date) -> list[ContactRow]:
    """Contacts registered to someone else while a consultant held the card (重卡, O6): the cases to settle."""
    require(actor, SUPERVISORS)
    _check_range(first, last)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ShowroomContactRecord, ShowroomCustomer.phone)
                            .join(ShowroomCustomer, ShowroomCustomer.id == ShowroomContactRecord.customer_id)
                            .where(ShowroomContactRecord.day >= first, ShowroomContactRecord.day <= last,
                                   ShowroomContactRecord.repeat_card == True)  # noqa: E712
                            .order_by(ShowroomContactRecord.at.desc()).limit(LIST_LIMIT)).all()
        return _contact_rows(session, rows, {})


def evidence(engine: Engine, *, actor: Actor, customer_id: int, day: dt.date | None = None) -> list[EvidenceRow]:
    """Only the signed day sheets' records about this customer decide a dispute (seed 000 D1 B4; S24)."""
    require(actor, SUPERVISORS)
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        contacts = session.exec(select(ShowroomContactRecord).where(ShowroomContactRecord.customer_id == customer_id)
                                .order_by(ShowroomContactRecord.at)).all()
        days = sorted({c.day for c in contacts})
        signoffs = [s for s in (signoff_of(session, d, tz) for d in days) if s is not None]
        by_id = {c.id: c for c in contacts}
        found = daysheet.evidence_for_dispute(
            [rules.ShowroomContact(at=c.at.astimezone(tz), channel=rules.Channel(c.channel),
                                   received_by=c.received_by_id, requested_consultant=c.requested_consultant_id,
                                   recognised_by_owner=c.recognised_by_owner, details=c.details,
                                   is_correction=c.is_correction, id=c.id) for c in contacts], signoffs, day)
        names = names_of(session, {c.received_by_id for c in contacts} | {c.requested_consultant_id for c in contacts})
    rows = []
    for item in found:
        for contact in item.contacts:
            record = by_id[contact.id]
            rows.append(EvidenceRow(day=item.signoff.day, signer=item.signoff.signer, signer_title=item.signoff.title,
                                    signed_at=item.signoff.at, at=record.at, channel=record.channel,
                                    receiver=names.get(record.received_by_id, ""),
                                    requested=names.get(record.requested_consultant_id, ""),
                                    recognised=record.recognised_by_owner, matter=record.matter,
                                    details=record.details))
    return rows

