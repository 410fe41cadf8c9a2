"""One inbox for everyone's work: the item every module's provider yields, whom it is for, how urgent it is.

Pure: the clock (``now``) and the settings come in as arguments (issue 15 "One inbox").
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lib.domain.settings import SettingDef, record_of


class Kind(enum.StrEnum):
    """What an item is; one or more per provider. The catalog label is ``inbox.kind.<value>``."""

    access_approval = "access_approval"
    reception_approval = "reception_approval"
    reception_feedback = "reception_feedback"
    swap_approval = "swap_approval"
    absence_approval = "absence_approval"
    roster_publish = "roster_publish"
    ticket_due = "ticket_due"
    ticket_unclaimed = "ticket_unclaimed"
    callback_due = "callback_due"
    dispatch_waiting = "dispatch_waiting"
    first_follow_up = "first_follow_up"
    customer_lapse = "customer_lapse"
    day_sheet_unsigned = "day_sheet_unsigned"
    message_relay = "message_relay"
    handover_due = "handover_due"
    handover_refused = "handover_refused"
    handover_no_relief = "handover_no_relief"
    discipline_decision = "discipline_decision"
    visitor_after_hours = "visitor_after_hours"
    enquiry_promised = "enquiry_promised"
    demotion_decision = "demotion_decision"
    warning_proposal = "warning_proposal"
    register_step = "register_step"
    register_due = "register_due"


class Level(enum.StrEnum):
    overdue = "overdue"
    soon = "soon"
    other = "other"


# How long before ``due_at`` an item turns amber, per kind (assumed: an hour for most, a day for the slow ones).
SOON_DEFAULT: dict[str, int] = {k.value: 60 for k in Kind} | {
    Kind.roster_publish.value: 24 * 60, Kind.reception_approval.value: 24 * 60,
    Kind.reception_feedback.value: 24 * 60, Kind.customer_lapse.value: 3 * 24 * 60,
    Kind.first_follow_up.value: 24 * 60, Kind.access_approval.value: 15,
    Kind.demotion_decision.value: 3 * 24 * 60, Kind.register_step.value: 4 * 60, Kind.register_due.value: 24 * 60,
}

SETTINGS: list[SettingDef] = [
    SettingDef("inbox.soon_minutes", SOON_DEFAULT, "json", "minutes per kind", "(assumed) issue 15 due soon",
               validate=record_of("settings.schema.inbox_soon", **{k: ("int", 0, 43_200) for k in SOON_DEFAULT})),
    SettingDef("inbox.access_wait_minutes", 30, "int", "minutes", "(assumed) a visitor waits at the door",
               minimum=1, maximum=1440),
]


@dataclass(frozen=True)
class Item:
    """One open piece of work (issue 15 I1): whom it is for, what it is, when it is due, where to act, why.

    ``for_user`` names a person, ``for_titles`` any holder of one of those titles, ``for_units`` anyone in
    that department, team or group, ``for_roles`` anyone with that app role. ``title_units`` narrows
    ``for_titles`` to holders in one of those units (a department-scoped approval step: the 部门主管 of the
    entry's department, not every 部门主管). ``title_roles`` narrows ``for_titles`` to holders with one of those
    app roles (an absence decided by the 综合部主管 as a 主管: a staff-role holder of the title may not decide it,
    so it is not their work). ``page`` is the page's url path; ``record_id`` the record the action is about;
    ``link`` the link's other query parameters, as (name, value) pairs (issue 15 I8, I9: ``register`` for a
    register's entry, since each register numbers its entries on its own; ``kind`` for a swap or an absence,
    kept in two tables). ``not_for`` are people it is never for, whatever they hold: the person a register entry
    is about, who may not sign its steps (issue 16 K20).
    """

    kind: str
    record_id: int
    title_key: str
    params: Mapping[str, object] = field(default_factory=dict)
    due_at: dt.datetime | None = None
    page: str = "home"
    reason_key: str = ""
    for_user: int | None = None
    for_titles: tuple[str, ...] = ()
    for_units: tuple[int, ...] = ()
    for_roles: tuple[str, ...] = ()
    also_users: tuple[int, ...] = ()
    title_units: tuple[int, ...] = ()
    title_roles: tuple[str, ...] = ()
    link: tuple[tuple[str, str], ...] = ()
    not_for: tuple[int, ...] = ()

    def link_param(self, name: str) -> str:
        """One of the link's other query parameters (``link``), or "" when the item has none by that name."""
        return next((value for key, value in self.link if key == name), "")

    @property
    def key(self) -> tuple[str, int, dt.datetime | None, tuple[tuple[str, str], ...]]:
        """The same work however many providers yield it; the link tells apart two registers' entry 1 (I8)."""
        return (self.kind, self.record_id, self.due_at, self.link)


@dataclass(frozen=True)
class Viewer:
    """Whose inbox: the person, their titles, role and org units."""

    id: int
    role: str
    titles: tuple[str, ...] = ()
    units: tuple[int, ...] = ()


def is_for(item: Item, viewer: Viewer) -> bool:
    """Whether the item is this person's work: named, by title, by org unit or by role (issue 15 I1); never for
    someone it excludes (``not_for``)."""
    if viewer.id in item.not_for:
        return False
    if item.for_user == viewer.id or viewer.id in item.also_users:
        return True
    if item.for_titles and any(t in viewer.titles for t in item.for_titles):
        if (not item.title_units or any(u in viewer.units for u in item.title_units)) and (
                not item.title_roles or viewer.role in item.title_roles):
            return True
    if item.for_units and any(u in viewer.units for u in item.for_units if u is not None):
        return True
    return bool(item.for_roles) and viewer.role in item.for_roles


def recipients(item: Item, people: Iterable[Viewer]) -> list[int]:
    """Every active person the item is for (the sweeper's fan-out)."""
    return sorted({p.id for p in people if is_for(item, p)})


def level(item: Item, now: dt.datetime, soon_minutes: Mapping[str, int]) -> Level:
    """Red when ``due_at`` has passed, amber within the kind's "soon" window, else neither (issue 15 I2)."""
    if item.due_at is None:
        return Level.other
    if item.due_at <= now:
        return Level.overdue
    window = dt.timedelta(minutes=int(soon_minutes.get(item.kind, SOON_DEFAULT.get(item.kind, 60))))
    return Level.soon if item.due_at - now <= window else Level.other


@dataclass(frozen=True)
class Inbox:
    overdue: tuple[Item, ...]
    soon: tuple[Item, ...]
    other: tuple[Item, ...]

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.soon) + len(self.other)


_FAR = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


def sort_inbox(items: Iterable[Item], now: dt.datetime, soon_minutes: Mapping[str, int]) -> Inbox:
    """Overdue first, then due soon, then the rest; within each the earliest due first (issue 15 I2)."""
    groups: dict[Level, list[Item]] = {lv: [] for lv in Level}
    seen: set[tuple] = set()
    for item in items:
        if item.key in seen:
            continue
        seen.add(item.key)
        groups[level(item, now, soon_minutes)].append(item)
    order = lambda i: (i.due_at or _FAR, i.kind, i.record_id)  # noqa: E731
    return Inbox(*(tuple(sorted(groups[lv], key=order)) for lv in (Level.overdue, Level.soon, Level.other)))


def local_end_of(day: dt.date, at: dt.time, tz) -> dt.datetime:
    """``at`` o'clock of ``day`` in the office zone, as an aware UTC moment."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.timezone.utc)
