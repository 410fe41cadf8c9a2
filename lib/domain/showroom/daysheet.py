"""The signed showroom day sheet: completion, sign-off and the 过期不补 lock (SPEC §M2 2.3 O2–O4, seed 000 D1).

A day's 来店/来电 records can be added and completed until ``workday_end`` of that day;
the 销售经理 (or the second-signer title, 「供需」) signs before closing and confirms the
traffic count. Once signed, or once the day has ended, the date is read-only except for
an admin correction with a reason, which is flagged.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lib.domain.showroom.customers import ShowroomContact
from lib.domain.errors import Conflict, DomainError, Locked, NotAllowed
from lib.domain.settings import CrossRule, SettingDef, minutes_between

MANAGER_TITLE = "销售经理"
REASON_MAX = 500

SETTINGS: list[SettingDef] = [
    SettingDef("showroom.sign_window_minutes", 60, "int", "minutes",
               "(assumed) seed 000 D1 B2 「下班前…签字」 read as the last hour before workday_end",
               minimum=0, maximum=1440),
]
CROSS_RULES = [
    # The normal signing window is the last minutes of the workday: it cannot open before the showroom does.
    CrossRule(("showroom.sign_window_minutes", "workday_start", "workday_end"),
              lambda window, start, end: window <= minutes_between(start, end), "settings.cross.sign_window"),
]


class SheetState(enum.StrEnum):
    open = "open"
    signed = "signed"
    expired = "expired"  # day over, never signed: nothing can be added (过期不补)


class WriteMode(enum.StrEnum):
    normal = "normal"
    correction = "correction"


class SignTiming(enum.StrEnum):
    on_time = "on_time"  # within the closing window: sign normally
    early = "early"  # the showroom is still open: only as "close the day early", with a reason
    expired = "expired"  # workday_end passed, or another day: 过期不补


@dataclass(frozen=True)
class DaySheetSettings:
    """``workday_end`` and ``sheet_second_signer_title``, declared with the M0 settings in ``lib.domain.office``."""

    workday_end: dt.time = dt.time(18, 0)
    second_signer_title: str = "供需"
    sign_window_minutes: int = 60

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> DaySheetSettings:
        """Build from setting values (``workday_end``, ``sheet_second_signer_title``,
        ``showroom.sign_window_minutes``); missing keys keep the default."""
        d = cls()
        end = values.get("workday_end", d.workday_end)
        return cls(
            workday_end=end if isinstance(end, dt.time) else dt.time.fromisoformat(str(end)),
            second_signer_title=str(values.get("sheet_second_signer_title", d.second_signer_title)),
            sign_window_minutes=int(values.get("showroom.sign_window_minutes", d.sign_window_minutes)),
        )


@dataclass(frozen=True)
class SignOff:
    """The signature that confirms a day's traffic and locks the date."""

    day: dt.date
    signer: str
    title: str
    at: dt.datetime
    traffic_count: int
    early_reason: str = ""


@dataclass(frozen=True)
class SignCheck:
    """What the signer confirms before the day locks (T3): timing, blank rows, repeated phones."""

    timing: SignTiming
    window_opens: dt.datetime
    deadline: dt.datetime
    contact_count: int
    incomplete: tuple[int | str | None, ...]
    duplicates: tuple[tuple[str, tuple[int | str, ...]], ...]


@dataclass(frozen=True)
class SheetStatus:
    day: dt.date
    state: SheetState
    deadline: dt.datetime
    contact_count: int
    incomplete: tuple[int | str | None, ...]
    signoff: SignOff | None


@dataclass(frozen=True)
class Evidence:
    """One signed day's records about the disputed customer."""

    signoff: SignOff
    contacts: tuple[ShowroomContact, ...]


def deadline_for(day: dt.date, now: dt.datetime, settings: DaySheetSettings = DaySheetSettings()) -> dt.datetime:
    """``workday_end`` on ``day``, in the same timezone as ``now`` (seed 000 D1 B1 「最迟当日下班前补齐」)."""
    return dt.datetime.combine(day, settings.workday_end, tzinfo=now.tzinfo)


def signer_titles(settings: DaySheetSettings = DaySheetSettings()) -> tuple[str, ...]:
    """Titles that may sign the day sheet: 销售经理 or the second signer, default 供需 (seed 000 D1 B2; reading 2)."""
    return (MANAGER_TITLE, settings.second_signer_title)


def sign_timing(day: dt.date, now: dt.datetime, settings: DaySheetSettings = DaySheetSettings()) -> SignTiming:
    """May the sheet be signed now, or only as an early close with a reason (seed 000 D1 B1, B2; T3)?

    「下班前…签字」: the normal signature falls in the last ``sign_window_minutes`` before
    ``workday_end``. Earlier the showroom is still open and walk-ins keep coming (「最迟当日下班前补齐」),
    so signing then locks the day early and needs a stated reason. From ``workday_end`` on,
    or on any other day, 过期不补.
    """
    deadline = deadline_for(day, now, settings)
    if now.date() != day or now >= deadline:
        return SignTiming.expired
    if now >= deadline - dt.timedelta(minutes=settings.sign_window_minutes):
        return SignTiming.on_time
    return SignTiming.early


def repeated_phones(phones: Mapping[int | str, str]) -> tuple[tuple[str, tuple[int | str, ...]], ...]:
    """Phones registered more than once on the day, with their contact ids: to check before signing (seed 003 X9#6; T3)."""
    by_phone: dict[str, list[int | str]] = {}
    for contact_id, phone in phones.items():
        by_phone.setdefault(phone, []).append(contact_id)
    return tuple((phone, tuple(ids)) for phone, ids in sorted(by_phone.items()) if len(ids) > 1)


def sign_check(
    day: dt.date,
    contacts: Sequence[ShowroomContact],
    phones: Mapping[int | str, str],
    now: dt.datetime,
    settings: DaySheetSettings = DaySheetSettings(),
) -> SignCheck:
    """The confirmation the signer sees: timing, rows with blank details and repeated phones (seed 000 D1 B1, B2; T3)."""
    deadline = deadline_for(day, now, settings)
    return SignCheck(
        timing=sign_timing(day, now, settings),
        window_opens=deadline - dt.timedelta(minutes=settings.sign_window_minutes),
        deadline=deadline,
        contact_count=len(contacts),
        incomplete=tuple(c.id for c in contacts if not c.details.strip()),
        duplicates=repeated_phones(phones),
    )


def sign_sheet(
    *,
    day: dt.date,
    signer: str,
    titles: Iterable[str],
    traffic_count: int,
    existing: SignOff | None,
    now: dt.datetime,
    settings: DaySheetSettings = DaySheetSettings(),
    early_reason: str | None = None,
) -> SignOff:
    """Sign the day sheet before closing and confirm the traffic count (seed 000 D1 B2).

    Reading of 「下班前…签字…过期不补」: the signature itself must be given on the day before
    ``workday_end``; a day left unsigned stays unsigned and gives no dispute evidence. Before
    the closing window (``sign_timing`` early) it is a deliberate early close and needs a reason,
    which stays on the sheet (T3).
    """
    allowed = [t for t in signer_titles(settings) if t in set(titles)]
    if not allowed:
        raise NotAllowed("daysheet.signer_title", titles="、".join(signer_titles(settings)))
    if existing is not None:
        raise Conflict("daysheet.already_signed", day=day.isoformat(), signer=existing.signer)
    if traffic_count < 0:
        raise DomainError("daysheet.traffic_negative")
    deadline = deadline_for(day, now, settings)
    timing = sign_timing(day, now, settings)
    if timing == SignTiming.expired:
        raise Locked("daysheet.sign_expired", day=day.isoformat(), deadline=deadline.strftime("%H:%M"))
    reason = (early_reason or "").strip()
    if timing == SignTiming.early:
        if not reason:
            opens = deadline - dt.timedelta(minutes=settings.sign_window_minutes)
            raise DomainError("daysheet.early_close_reason_required", opens=opens.strftime("%H:%M"),
                              deadline=deadline.strftime("%H:%M"))
        if len(reason) > REASON_MAX:
            raise DomainError("daysheet.early_close_reason_too_long", max=REASON_MAX)
    else:
        reason = ""
    return SignOff(day, signer, allowed[0], now, traffic_count, reason)


def locked_error(signoff: SignOff) -> Locked:
    """The refusal of a write into a signed day, saying when, by whom, why early, and what to do instead (T3).

    ``admins`` is left empty here; the service names the people who can add a correction.
    """
    key = "daysheet.locked_signed_early" if signoff.early_reason else "daysheet.locked_signed"
    return Locked(key, day=signoff.day.isoformat(), signer=signoff.signer, at=signoff.at.strftime("%H:%M"),
                  reason=signoff.early_reason, admins="")


def assert_day_writable(
    day: dt.date,
    signoff: SignOff | None,
    now: dt.datetime,
    settings: DaySheetSettings = DaySheetSettings(),
    admin_correction_reason: str | None = None,
) -> WriteMode:
    """A day's records can be added or edited until signed or ``workday_end``; 过期不补 (seed 000 D1 B1, B2; SPEC S29).

    Returns ``correction`` when an admin writes to a locked day with a reason: the caller
    checks the admin role, stores the reason in the audit and flags the row. Future dates
    are refused: a visit cannot be registered before it happens.
    """
    if day > now.date():
        raise DomainError("daysheet.future_day", day=day.isoformat())
    deadline = deadline_for(day, now, settings)
    if signoff is None and now < deadline:
        return WriteMode.normal
    if admin_correction_reason is not None:
        if not admin_correction_reason.strip():
            raise DomainError("daysheet.correction_reason_required")
        return WriteMode.correction
    if signoff is not None:
        raise locked_error(signoff)
    raise Locked("daysheet.locked_expired", day=day.isoformat(), deadline=deadline.strftime("%H:%M"))


def sheet_status(
    day: dt.date,
    contacts: Sequence[ShowroomContact],
    signed: SignOff | None,
    now: dt.datetime,
    settings: DaySheetSettings = DaySheetSettings(),
) -> SheetStatus:
    """The day sheet's lock state and the rows whose details are still blank (seed 000 D1 B1, B2)."""
    deadline = deadline_for(day, now, settings)
    if signed is not None:
        state = SheetState.signed
    elif now >= deadline:
        state = SheetState.expired
    else:
        state = SheetState.open
    incomplete = tuple(c.id for c in contacts if not c.details.strip())
    return SheetStatus(day, state, deadline, len(contacts), incomplete, signed)


def evidence_for_dispute(
    contacts: Iterable[ShowroomContact], signoffs: Iterable[SignOff], day: dt.date | None = None
) -> list[Evidence]:
    """Only records on a signed day sheet decide an ownership dispute (seed 000 D1 B4; SPEC S24, O4).

    Reading: an admin correction made after the signature was not part of what was signed,
    so flagged corrections are left out. With ``day`` given, only that day's sheet counts.
    An unregistered customer has no evidence and no owner.
    """
    signed = {s.day: s for s in signoffs if day is None or s.day == day}
    by_day: dict[dt.date, list[ShowroomContact]] = {}
    for contact in contacts:
        if contact.at.date() in signed and not contact.is_correction:
            by_day.setdefault(contact.at.date(), []).append(contact)
    return [
        Evidence(signed[d], tuple(sorted(rows, key=lambda c: c.at))) for d, rows in sorted(by_day.items())
    ]
