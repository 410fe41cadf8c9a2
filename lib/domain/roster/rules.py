"""Shift rosters (SPEC M1 1.2): templates, publish validation, status, who is on duty.

Presets live in ``roster_presets``; swaps, absences, the request cut-off and
check-in in ``roster_requests``.

All datetimes are naive local wall times (Asia/Shanghai); the service converts
from UTC before calling. A shift whose end is not after its start ends the next
day (夜班 17:00–08:00).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lib.domain.errors import DomainError, Locked, NotAllowed
from lib.domain.rotation.rules import PersonId
from lib.domain.settings import SettingDef, record_of
from lib.domain.workdays import is_working_day

SETTINGS: list[SettingDef] = [
    SettingDef(
        "roster.early_arrival",
        10,
        "int",
        "min",
        "seed 000 D2; seed 004 D12",
        scope="post",
        minimum=0,
        maximum=60,
    ),
    SettingDef("roster.change_cutoff", 4, "int", "weekday (0 = Mon)", "seed 003 X7#28", minimum=0, maximum=6),
    SettingDef("roster.cs_rest_days", 4, "int", "days / month", "seed 001 D8", minimum=0, maximum=31),
    SettingDef(
        "roster.callcentre_min", {"day": 8, "night": 2}, "json", "agents", "seed 001 D20; seed 000 D2",
        validate=record_of("settings.schema.callcentre_min", day=("int", 0, 500), night=("int", 0, 500)),
    ),
    SettingDef(
        "post.fire",
        {"min_staff": 1, "max_continuous_h": 12},
        "json",
        "staff / h",
        "seed 004 D20",
        scope="post",
        validate=record_of("settings.schema.post_fire", min_staff=("int", 1, 50), max_continuous_h=("number", 1, 24)),
    ),
    SettingDef("frontdesk.private_leave", False, "bool", "—", "seed 000 D9"),
]


@dataclass(frozen=True)
class RosterSettings:
    """Roster settings with the SPEC defaults (M1 settings table)."""

    early_arrival_min: int = 10
    change_cutoff_weekday: int = 4
    cs_rest_days: int = 4
    callcentre_day_min: int = 8
    callcentre_night_min: int = 2
    fire_min_staff: int = 1
    fire_max_continuous_h: float = 12
    frontdesk_private_leave: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> RosterSettings:
        """Build from the settings service's typed values (missing keys keep the defaults)."""
        base = cls()
        callcentre = dict(values.get("roster.callcentre_min") or {})
        fire = dict(values.get("post.fire") or {})
        return cls(
            early_arrival_min=int(values.get("roster.early_arrival", base.early_arrival_min)),
            change_cutoff_weekday=int(values.get("roster.change_cutoff", base.change_cutoff_weekday)),
            cs_rest_days=int(values.get("roster.cs_rest_days", base.cs_rest_days)),
            callcentre_day_min=int(callcentre.get("day", base.callcentre_day_min)),
            callcentre_night_min=int(callcentre.get("night", base.callcentre_night_min)),
            fire_min_staff=int(fire.get("min_staff", base.fire_min_staff)),
            fire_max_continuous_h=float(fire.get("max_continuous_h", base.fire_max_continuous_h)),
            frontdesk_private_leave=bool(values.get("frontdesk.private_leave", base.frontdesk_private_leave)),
        )


class EntryKind(StrEnum):
    on_duty = "on_duty"
    first_responsible = "first_responsible"
    helper = "helper"
    cover = "cover"


class RosterStatus(StrEnum):
    draft = "draft"
    published = "published"
    locked = "locked"


class Severity(StrEnum):
    block = "block"
    warn = "warn"


@dataclass(frozen=True)
class ShiftDef:
    """One shift of a template; ``min_staff`` None means the post's minimum."""

    code: str
    start: dt.time
    end: dt.time
    min_staff: int | None = None

    def span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, self.start)
        end = dt.datetime.combine(day, self.end)
        if end <= start:
            end += dt.timedelta(days=1)
        return start, end


@dataclass(frozen=True)
class CoverageRule:
    """At least ``min_staff`` on duty at every moment of a daily window (may cross midnight)."""

    start: dt.time
    end: dt.time
    min_staff: int


@dataclass(frozen=True)
class ShiftTemplate:
    code: str
    crews: int
    shifts: tuple[ShiftDef, ...]
    coverage: tuple[CoverageRule, ...] = ()

    def shift(self, code: str) -> ShiftDef | None:
        return next((s for s in self.shifts if s.code == code), None)


@dataclass(frozen=True)
class PostRules:
    """The post flags that roster validation enforces (SPEC M0 Post)."""

    post: str
    is_24x7: bool = False
    min_staff: int = 1
    max_continuous_h: float | None = None
    requires_training: bool = False
    requires_certificate: bool = False
    rest_days_per_month: int | None = None
    shortfall_warns_only: bool = False
    first_responsible_daily: bool = False
    working_days_only: bool = False


@dataclass(frozen=True)
class RosterEntry:
    day: dt.date
    shift: str
    staff: PersonId
    kind: EntryKind = EntryKind.on_duty


@dataclass(frozen=True)
class StaffInfo:
    id: PersonId
    name: str
    trained_posts: frozenset[str] = frozenset()
    cert_valid_until: dt.date | None = None


@dataclass(frozen=True)
class Problem:
    """One roster problem; ``params`` are ready for ``t(key, **params)``."""

    key: str
    severity: Severity
    params: Mapping[str, object] = field(default_factory=dict)
    staff: PersonId | None = None
    day: dt.date | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def entry_span(entry: RosterEntry, template: ShiftTemplate) -> tuple[dt.datetime, dt.datetime] | None:
    """Start and end of an entry's shift, or None if the template has no such shift."""
    shift = template.shift(entry.shift)
    return shift.span(entry.day) if shift else None


def validate_roster(
    entries: Sequence[RosterEntry],
    template: ShiftTemplate,
    rules: PostRules,
    staff: Mapping[PersonId, StaffInfo],
    period_start: dt.date,
    period_end: dt.date,
    extra_holidays: frozenset[dt.date] = frozenset(),
) -> list[Problem]:
    """Every problem that blocks publishing or warns (seed 004 D2, D20; seed 001 D8, D20; seed 000 D9).

    Blocks: a gap on a 24×7 post (S13), a shift under its minimum, back-to-back
    shifts of one person merged over ``max_continuous_h`` or overlapping (S14),
    untrained or uncertified staff, too few rest days, no single 第一责任人 per
    date on the front desk. Call-centre shortfalls only warn (SPEC 1.2 reading).
    Rest days are days with no shift starting, required pro rata for a month
    only partly in the period (rounded down). Pass the day before the period
    too, so a night shift running into its first morning counts. A post open on
    working days only (front desk) is checked on China working days.
    """
    problems: list[Problem] = []
    spans: list[tuple[RosterEntry, dt.datetime, dt.datetime]] = []
    for entry in entries:
        span = entry_span(entry, template)
        if span is None:
            problems.append(
                Problem(
                    "rotation.roster.unknown_shift",
                    Severity.block,
                    {"day": entry.day.isoformat(), "shift": entry.shift},
                    entry.staff,
                    entry.day,
                )
            )
        else:
            spans.append((entry, *span))
    days = [period_start + dt.timedelta(days=i) for i in range((period_end - period_start).days + 1)]
    open_days = [d for d in days if is_working_day(d, extra_holidays)] if rules.working_days_only else days
    problems += _check_min_staff(entries, template, rules, open_days)
    if rules.is_24x7:
        window = (
            dt.datetime.combine(period_start, dt.time()),
            dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time()),
        )
        for start, end, _count in _short_segments([(s, e) for _, s, e in spans], *window, 1):
            problems.append(
                Problem(
                    "rotation.roster.gap",
                    Severity.block,
                    {"span": _fmt_span(start, end)},
                    start=start,
                    end=end,
                )
            )
    problems += _check_coverage_rules(spans, template, rules, open_days)
    people = {e.staff for e, _, _ in spans}
    for person in sorted(people, key=str):
        info = staff.get(person, StaffInfo(person, str(person)))
        own = sorted(((s, e) for entry, s, e in spans if entry.staff == person))
        problems += _check_continuous(info, own, rules)
        problems += _check_qualification(
            info, [(entry, e) for entry, _, e in spans if entry.staff == person], rules
        )
        if rules.rest_days_per_month is not None:
            problems += _check_rest_days(
                info,
                {entry.day for entry, _, _ in spans if entry.staff == person},
                days,
                rules.rest_days_per_month,
            )
    if rules.first_responsible_daily:
        for day in open_days:
            count = sum(1 for e in entries if e.day == day and e.kind == EntryKind.first_responsible)
            if count != 1:
                key = (
                    "rotation.roster.no_first_responsible"
                    if count == 0
                    else "rotation.roster.several_first_responsible"
                )
                problems.append(
                    Problem(key, Severity.block, {"day": day.isoformat(), "count": count}, day=day)
                )
    return problems


def blocks_publish(problems: Iterable[Problem]) -> bool:
    return any(p.severity == Severity.block for p in problems)


def validate_assignment(
    entry: RosterEntry,
    entries: Sequence[RosterEntry],
    template: ShiftTemplate,
    rules: PostRules,
    staff: Mapping[PersonId, StaffInfo],
) -> None:
    """Refuse one assignment that breaks the continuous-hours, overlap or certificate rule (S14, seed 004 D20)."""
    span = entry_span(entry, template)
    if span is None:
        raise DomainError("rotation.roster.unknown_shift", day=entry.day.isoformat(), shift=entry.shift)
    info = staff.get(entry.staff, StaffInfo(entry.staff, str(entry.staff)))
    own = [entry_span(e, template) for e in entries if e.staff == entry.staff and e != entry]
    problems = _check_continuous(info, sorted([s for s in own if s] + [span]), rules)
    problems += _check_qualification(info, [(entry, span[1])], rules)
    for problem in problems:
        if problem.severity == Severity.block:
            raise DomainError(problem.key, **problem.params)


def change_status(
    current: RosterStatus, target: RosterStatus, problems: Iterable[Problem] = ()
) -> RosterStatus:
    """draft → published (only with no blocking problem) → locked (SPEC 1.2; seed 004 D19, seed 003 X7#28)."""
    if current == RosterStatus.locked:
        raise Locked("rotation.roster.error.locked")
    if (current, target) == (RosterStatus.draft, RosterStatus.published):
        blocking = [p for p in problems if p.severity == Severity.block]
        if blocking:
            raise DomainError("rotation.roster.error.publish_blocked", count=len(blocking))
        return target
    if (current, target) == (RosterStatus.published, RosterStatus.locked):
        return target
    raise DomainError("rotation.roster.error.bad_transition", current=current.value, target=target.value)


def ensure_editable(status: RosterStatus, via_approved_request: bool = False) -> None:
    """Drafts are edited freely; a published roster only through an approved swap or absence (seed 000 D2 「必须经主管批准」)."""
    if status == RosterStatus.locked:
        raise Locked("rotation.roster.error.locked")
    if status == RosterStatus.published and not via_approved_request:
        raise NotAllowed("rotation.roster.error.published_use_request")


def on_duty_now(
    entries: Iterable[RosterEntry], template: ShiftTemplate, now: dt.datetime
) -> list[RosterEntry]:
    """Entries whose shift covers ``now``, start inclusive, end exclusive (SPEC 1.2 "on duty today")."""
    result = []
    for entry in entries:
        span = entry_span(entry, template)
        if span and span[0] <= now < span[1]:
            result.append(entry)
    return result


def first_responsible(entries: Iterable[RosterEntry], day: dt.date) -> PersonId | None:
    """The day's 第一责任人 on the front desk (seed 000 D9)."""
    return next((e.staff for e in entries if e.day == day and e.kind == EntryKind.first_responsible), None)


def _fmt_span(start: dt.datetime, end: dt.datetime) -> str:
    """'2026-05-04 16:00–24:00', or with the end date when a span runs past midnight."""
    if end.date() == start.date():
        end_text = f"{end:%H:%M}"
    elif end == dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time()):
        end_text = "24:00"
    else:
        end_text = f"{end:%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end_text}"


def _short_segments(
    spans: Sequence[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime, required: int
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """Maximal parts of [start, end) with fewer than ``required`` people on duty, with the lowest count."""
    points = sorted({start, end} | {t for s, e in spans for t in (s, e) if start < t < end})
    short: list[tuple[dt.datetime, dt.datetime, int]] = []
    for a, b in zip(points, points[1:], strict=False):
        count = sum(1 for s, e in spans if s <= a and e >= b)
        if count >= required:
            continue
        if short and short[-1][1] == a:
            short[-1] = (short[-1][0], b, min(short[-1][2], count))
        else:
            short.append((a, b, count))
    return short


def _check_min_staff(
    entries: Sequence[RosterEntry], template: ShiftTemplate, rules: PostRules, days: list[dt.date]
) -> list[Problem]:
    severity = Severity.warn if rules.shortfall_warns_only else Severity.block
    problems = []
    for day in days:
        for shift in template.shifts:
            minimum = rules.min_staff if shift.min_staff is None else shift.min_staff
            count = len({e.staff for e in entries if e.day == day and e.shift == shift.code})
            if count < minimum:
                start, end = shift.span(day)
                params = {"span": _fmt_span(start, end), "count": count, "minimum": minimum}
                problems.append(
                    Problem("rotation.roster.understaffed", severity, params, day=day, start=start, end=end)
                )
    return problems


def _check_coverage_rules(
    spans: Sequence[tuple[RosterEntry, dt.datetime, dt.datetime]],
    template: ShiftTemplate,
    rules: PostRules,
    days: list[dt.date],
) -> list[Problem]:
    severity = Severity.warn if rules.shortfall_warns_only else Severity.block
    problems = []
    intervals = [(s, e) for _, s, e in spans]
    for day in days:
        for rule in template.coverage:
            window = ShiftDef("", rule.start, rule.end).span(day)
            for start, end, count in _short_segments(intervals, *window, rule.min_staff):
                params = {"span": _fmt_span(start, end), "count": count, "minimum": rule.min_staff}
                problems.append(
                    Problem("rotation.roster.coverage_short", severity, params, day=day, start=start, end=end)
                )
    return problems


def _check_continuous(
    info: StaffInfo, own: list[tuple[dt.datetime, dt.datetime]], rules: PostRules
) -> list[Problem]:
    """Back-to-back shifts of one person merge into one stretch (S14, seed 004 D20 「连续工作时间不超过12小时」)."""
    problems = []
    blocks: list[list[dt.datetime]] = []
    for start, end in own:
        if blocks and start < blocks[-1][1]:
            params = {"staff": info.name, "span": _fmt_span(start, min(end, blocks[-1][1]))}
            problems.append(
                Problem("rotation.roster.overlap", Severity.block, params, info.id, start.date(), start, end)
            )
        if blocks and start <= blocks[-1][1]:
            blocks[-1][1] = max(blocks[-1][1], end)
        else:
            blocks.append([start, end])
    if rules.max_continuous_h is not None:
        for start, end in blocks:
            hours = (end - start).total_seconds() / 3600
            if hours > rules.max_continuous_h:
                params = {
                    "staff": info.name,
                    "span": _fmt_span(start, end),
                    "hours": f"{hours:g}",
                    "maximum": f"{rules.max_continuous_h:g}",
                }
                problems.append(
                    Problem(
                        "rotation.roster.over_max_continuous",
                        Severity.block,
                        params,
                        info.id,
                        start.date(),
                        start,
                        end,
                    )
                )
    return problems


def _check_qualification(
    info: StaffInfo, own: list[tuple[RosterEntry, dt.datetime]], rules: PostRules
) -> list[Problem]:
    """Control posts take only trained staff, and the fire room only holders of a valid certificate (seed 004 D12, D20)."""
    problems = []
    for entry, end in own:
        params = {"staff": info.name, "day": entry.day.isoformat()}
        if rules.requires_training and rules.post not in info.trained_posts:
            problems.append(Problem("rotation.roster.untrained", Severity.block, params, info.id, entry.day))
        if rules.requires_certificate and (
            info.cert_valid_until is None or info.cert_valid_until < end.date()
        ):
            problems.append(
                Problem("rotation.roster.uncertified", Severity.block, params, info.id, entry.day)
            )
    return problems


def _check_rest_days(
    info: StaffInfo, work_days: set[dt.date], days: list[dt.date], per_month: int
) -> list[Problem]:
    """At least ``per_month`` rest days a month, pro rata for part months (seed 001 D8 「每月四天休息」)."""
    problems = []
    months: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        months.setdefault((day.year, day.month), []).append(day)
    for (year, month), month_days in months.items():
        length = ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.date(year, month, 1)).days
        required = per_month * len(month_days) // length
        rest = sum(1 for d in month_days if d not in work_days)
        if rest < required:
            params = {"staff": info.name, "month": f"{year}-{month:02d}", "rest": rest, "required": required}
            problems.append(Problem("rotation.roster.rest_days_short", Severity.block, params, info.id))
    return problems
