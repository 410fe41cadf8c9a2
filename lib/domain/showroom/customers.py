"""Showroom customers: registration, contact validation and ownership (SPEC §M2 2.3, seed 000 D1).

Ownership is never stored as a guess: ``ownership`` replays a customer's contacts and
follow-ups and derives the owner, the state, the next deadline and every owner change
with its cause. Services persist the result for lists, but the record decides.

Times are local wall-clock datetimes (Asia/Shanghai): deadlines fall at local midnight.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lib.domain import phones
from lib.domain.errors import DomainError, FieldError, NotAllowed, ValidationFailed
from lib.domain.settings import CrossRule, SettingDef
from lib.domain.text import clean

SETTINGS: list[SettingDef] = [
    SettingDef("ownership.first_follow_up", 7, "int", "days", "seed 000 D1", minimum=1, maximum=366),
    SettingDef("ownership.lapse", 30, "int", "days", "seed 000 D1", minimum=1, maximum=3660),
    SettingDef("ownership.lapse_warning", 3, "int", "days", "(assumed)", minimum=0, maximum=366),
    SettingDef("showroom.duplicate_window_seconds", 120, "int", "seconds",
               "(assumed) a second click on 登记 is not a second visit", minimum=0, maximum=3600),
]
CROSS_RULES = [
    # "About to lapse" warns within a deadline's period, so it is shorter than both periods.
    CrossRule(("ownership.lapse_warning", "ownership.first_follow_up", "ownership.lapse"),
              lambda warning, first, lapse: warning < first and warning < lapse, "settings.cross.lapse_warning"),
]


class Card(enum.StrEnum):
    """SSP customer card; the seed names A and C without defining them (seed 000 D1 B9)."""

    A = "A"
    C = "C"


class Channel(enum.StrEnum):
    walk_in = "walk_in"  # 来店
    call = "call"  # 来电


class Post(enum.StrEnum):
    """Board posts that receive customers; same slugs as the rotation module's positions."""

    front_desk = "front_desk"
    hotline = "hotline"


class OwnershipState(enum.StrEnum):
    unregistered = "unregistered"
    owned_new = "owned_new"
    owned_following = "owned_following"
    released = "released"


class ChangeCause(enum.StrEnum):
    walk_in_registered = "walk_in_registered"
    call_registered = "call_registered"
    revisit_unrecognised = "revisit_unrecognised"
    no_first_follow_up = "no_first_follow_up"
    lapsed = "lapsed"


@dataclass(frozen=True)
class OwnershipSettings:
    """Ownership timers (SPEC M2 settings table)."""

    first_follow_up_days: int = 7
    lapse_days: int = 30
    lapse_warning_days: int = 3

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> OwnershipSettings:
        """Build from setting values keyed as in ``SETTINGS``; missing keys keep the default."""
        d = cls()
        return cls(
            first_follow_up_days=int(values.get("ownership.first_follow_up", d.first_follow_up_days)),
            lapse_days=int(values.get("ownership.lapse", d.lapse_days)),
            lapse_warning_days=int(values.get("ownership.lapse_warning", d.lapse_warning_days)),
        )


@dataclass(frozen=True)
class ShowroomContact:
    """One 来店/来电 registration row of the day sheet (SPEC §M2 2.3 ShowroomContact)."""

    at: dt.datetime
    channel: Channel
    received_by: str
    registered_by: str | None = None
    requested_consultant: str | None = None
    recognised_by_owner: bool = False
    card: Card = Card.A
    details: str = ""
    is_correction: bool = False
    id: int | str | None = None


@dataclass(frozen=True)
class FollowUp:
    """A 回访 logged by a consultant."""

    at: dt.datetime
    consultant: str


@dataclass(frozen=True)
class OwnerChange:
    """The owner moved from ``from_owner`` to ``to_owner`` (None = no owner) because of ``cause``."""

    at: dt.datetime
    from_owner: str | None
    to_owner: str | None
    cause: ChangeCause


@dataclass(frozen=True)
class Ownership:
    """Who owns a customer at ``now`` and why; ``due_at`` is the instant the ownership lapses."""

    owner: str | None
    state: OwnershipState
    card: Card | None
    since: dt.datetime | None
    due_at: dt.datetime | None
    last_follow_up_at: dt.datetime | None
    events: tuple[OwnerChange, ...]


@dataclass(frozen=True)
class Receiver:
    consultant: str
    card: Card


@dataclass(frozen=True)
class ContactForm:
    """A 客户记录表 row that passed validation, with the phone in canonical digits."""

    customer_name: str
    phone: str
    matter: str
    visit_date: dt.date


@dataclass(frozen=True)
class CustomerCard:
    """One customer card held by a consultant, for duplicate (重卡) detection."""

    customer_id: int | str
    phone: str
    owner: str | None


@dataclass(frozen=True)
class DuplicateCard:
    phone: str
    customer_ids: tuple[int | str, ...]
    owners: tuple[str, ...]


@dataclass(frozen=True)
class MyCustomers:
    """A consultant's follow-up worklist: customer ids per bucket."""

    due_today: tuple[int | str, ...]
    about_to_lapse: tuple[int | str, ...]
    overdue: tuple[int | str, ...]


_SEPARATORS = re.compile(r"[\s\-–—()./]")
# A bare "86" is only a country code when 10-11 national digits follow (no domestic number starts with 86).
_COUNTRY_PREFIX = re.compile(r"\+86|0086|86(?=\d{10,11}$)")
# After +86 an area code loses its trunk 0: 10 (Beijing), 2x, 3xx-9xx; mobiles start 1[3-9].
_AREA_WITHOUT_ZERO = re.compile(r"10|[2-9]")


def normalise_phone(text: str | None) -> str:
    """Canonical digits of a Chinese mobile or landline (with area code), else ``customers.phone_invalid``.

    Seed 003 X9#6 (重卡 by phone). The canonical form is the platform's
    ``lib.domain.phones.normalise_phone`` so visitors, callers and customers match on one key.
    Readings added here: full-width digits are accepted, and a landline written after
    +86 without its trunk 0 (+86 10 12345678) gets the 0 back; a bare local number
    without area code is refused, because it cannot be matched against other cards.
    """
    raw = unicodedata.normalize("NFKC", text or "").strip()
    compact = _SEPARATORS.sub("", raw)
    prefix = _COUNTRY_PREFIX.match(compact)
    if prefix:
        compact = compact[prefix.end():]
        if _AREA_WITHOUT_ZERO.match(compact):
            compact = "0" + compact
    canonical = phones.normalise_phone(compact)
    if canonical is None:
        raise DomainError("customers.phone_invalid", phone=raw)
    return canonical


def validate_contact(
    *, customer_name: str | None, phone: str | None, matter: str | None, visit_date: dt.date | None
) -> ContactForm:
    """客户姓名, 联系方式, 咨询事项, 来访日期 are all required, no blanks (seed 003 X9#30).

    Text follows every form's rule (``lib.domain.text.clean``): stripped and NFC-normalised, so a name typed with
    a combining mark is stored, matched and masked as the same name as its composed form."""
    values = {"customer_name": clean(customer_name), "phone": clean(phone), "matter": clean(matter)}
    errors = [FieldError(name, "customers.field_required") for name, value in values.items() if not value]
    if visit_date is None:
        errors.append(FieldError("visit_date", "customers.field_required"))
    canonical = ""
    if values["phone"]:
        try:
            canonical = normalise_phone(values["phone"])
        except DomainError as exc:
            errors.append(FieldError("phone", exc.key, dict(exc.params)))
    if errors or visit_date is None:
        raise ValidationFailed(errors)
    return ContactForm(values["customer_name"], canonical, values["matter"], visit_date)


def assert_can_take_new_customer(consultant: str, demoted: Iterable[str]) -> None:
    """A demoted consultant (销售助理) may not receive new customers (seed 000 D1 A13; SPEC S8)."""
    if consultant in set(demoted):
        raise NotAllowed("customers.demoted_cannot_take_new", consultant=consultant)


def receiver_for(
    channel: Channel, board_holders: Mapping[str, str], demoted: Iterable[str] = ()
) -> Receiver:
    """Walk-ins go to the front-desk holder; a caller becomes the hotline holder's A card (seed 000 D1 A4, A5).

    Reading: A/C are not defined by the seed (SSP prospect/owner cards), so every new
    registration starts as an A card; a C card is set outside this module.
    """
    post = Post.front_desk if channel == Channel.walk_in else Post.hotline
    holder = board_holders.get(post)
    if not holder:
        raise DomainError("customers.post_unstaffed", post=str(post))
    assert_can_take_new_customer(holder, demoted)
    return Receiver(holder, Card.A)


def _midnight_after(anchor: dt.datetime, days: int) -> dt.datetime:
    """Start of the day after ``anchor.date() + days``: the whole last day still counts."""
    return dt.datetime.combine(anchor.date() + dt.timedelta(days=days + 1), dt.time(0), tzinfo=anchor.tzinfo)


def _sort_key(item: ShowroomContact | FollowUp) -> tuple[dt.datetime, int]:
    return (item.at, 0 if isinstance(item, ShowroomContact) else 1)


def ownership(
    history: Sequence[ShowroomContact | FollowUp],
    now: dt.datetime,
    settings: OwnershipSettings = OwnershipSettings(),
) -> Ownership:
    """Replay a customer's record up to ``now`` into its owner and owner changes (seed 000 D1 B5–B8).

    - No registration: no owner (O1 「没有登记的一律视为新客户」).
    - A registration (or a contact after release) makes the receiver the owner; a call makes
      the hotline holder the owner of an A card.
    - The first follow-up is due within ``first_follow_up_days`` of registration, the whole last
      day included: registered on D, released at the start of D+8 without one.
    - After a follow-up, more than ``lapse_days`` without another releases the customer
      (last on L: released at the start of L+31).
    - A revisit where the customer neither asked for the owner nor was recognised by them
      makes the receiver the new owner, starting a new first-follow-up timer.
    Readings: only the owner's own follow-ups count; a revisit received by the owner counts
    as a follow-up (they met the customer in person); a demoted owner keeps following (O5).
    """
    owner: str | None = None
    state = OwnershipState.unregistered
    card: Card | None = None
    since: dt.datetime | None = None
    due_at: dt.datetime | None = None
    last_follow_up: dt.datetime | None = None
    events: list[OwnerChange] = []

    def release_if_due(at: dt.datetime) -> None:
        nonlocal owner, state, since, due_at
        if owner is not None and due_at is not None and due_at <= at:
            cause = ChangeCause.no_first_follow_up if state == OwnershipState.owned_new else ChangeCause.lapsed
            events.append(OwnerChange(due_at, owner, None, cause))
            owner, state, since, due_at = None, OwnershipState.released, due_at, None

    def take(item: ShowroomContact, cause: ChangeCause) -> None:
        nonlocal owner, state, card, since, due_at
        events.append(OwnerChange(item.at, owner, item.received_by, cause))
        owner, state, card, since = item.received_by, OwnershipState.owned_new, item.card, item.at
        due_at = _midnight_after(item.at, settings.first_follow_up_days)

    def follow(at: dt.datetime) -> None:
        nonlocal state, due_at, last_follow_up
        state, last_follow_up = OwnershipState.owned_following, at
        due_at = _midnight_after(at, settings.lapse_days)

    for item in sorted((i for i in history if i.at <= now), key=_sort_key):
        release_if_due(item.at)
        if isinstance(item, FollowUp):
            if owner is not None and item.consultant == owner:
                follow(item.at)
            continue
        if owner is None:
            cause = ChangeCause.call_registered if item.channel == Channel.call else ChangeCause.walk_in_registered
            take(item, cause)
        elif item.received_by == owner:
            follow(item.at)
        elif item.requested_consultant != owner and not item.recognised_by_owner:
            take(item, ChangeCause.revisit_unrecognised)
    release_if_due(now)
    return Ownership(owner, state, card, since, due_at, last_follow_up, tuple(events))


def my_customers_buckets(
    ownerships: Mapping[int | str, Ownership],
    consultant: str,
    now: dt.datetime,
    settings: OwnershipSettings = OwnershipSettings(),
) -> MyCustomers:
    """Follow-ups due today, about to lapse, or already lost for lack of one (seed 000 D1 B7, B8).

    ``due_today``: today is the last day to follow up. ``about_to_lapse``: the last day is
    within ``lapse_warning_days`` after today. ``overdue``: released from this consultant
    for a missed follow-up and not registered by anyone since (SPEC S26 "shows as overdue").
    """
    today = now.date()
    due_today: list[int | str] = []
    soon: list[int | str] = []
    overdue: list[int | str] = []
    for customer_id, own in ownerships.items():
        if own.owner == consultant and own.due_at is not None:
            last_day = own.due_at.date() - dt.timedelta(days=1)
            if last_day == today:
                due_today.append(customer_id)
            elif today < last_day <= today + dt.timedelta(days=settings.lapse_warning_days):
                soon.append(customer_id)
        elif own.owner is None and own.events and own.events[-1].from_owner == consultant:
            overdue.append(customer_id)
    return MyCustomers(tuple(due_today), tuple(soon), tuple(overdue))


def duplicate_cards(cards: Iterable[CustomerCard]) -> list[DuplicateCard]:
    """Customer records sharing one phone number are flagged 重卡 (seed 003 X9#6; SPEC O6).

    Cards whose phone cannot be normalised are skipped: they cannot be matched.
    """
    by_phone: dict[str, list[CustomerCard]] = {}
    for card in cards:
        try:
            phone = normalise_phone(card.phone)
        except DomainError:
            continue
        by_phone.setdefault(phone, []).append(card)
    found = []
    for phone, group in sorted(by_phone.items()):
        ids = tuple(dict.fromkeys(c.customer_id for c in group))
        if len(ids) > 1:
            owners = tuple(dict.fromkeys(c.owner for c in group if c.owner))
            found.append(DuplicateCard(phone, ids, owners))
    return found


def existing_cards_for(phone: str, cards: Iterable[CustomerCard]) -> list[CustomerCard]:
    """Cards already registered under this phone, to warn before a 重卡 is created (seed 003 X9#6)."""
    canonical = normalise_phone(phone)
    matches = []
    for card in cards:
        try:
            if normalise_phone(card.phone) == canonical:
                matches.append(card)
        except DomainError:
            continue
    return matches


def recent_duplicate(
    earlier: Iterable[ShowroomContact], *, received_by: object, now: dt.datetime, window_seconds: int
) -> ShowroomContact | None:
    """The first contact of this customer to the same receiver within ``window_seconds`` before ``now``, if any.

    (assumed; T1) A registration repeated within the window is the same visit clicked twice, not a
    revisit: the caller passes the customer's contacts (one phone), and refuses the new row when
    one is found. Corrections are not visits and never count. A window of 0 turns the check off.
    """
    if window_seconds <= 0:
        return None
    start = now - dt.timedelta(seconds=window_seconds)
    found = [c for c in earlier
             if c.received_by == received_by and not c.is_correction and start <= c.at <= now]
    return min(found, key=lambda c: c.at) if found else None
