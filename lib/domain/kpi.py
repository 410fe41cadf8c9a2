"""KPIs and rankings (SPEC M4 4.1–4.3, 4.6): sales ranking and demotion, quarterly CS
ranking and bonuses, satisfaction KPIs and the team style score.

Pure functions over plain data. Months are ``datetime.date`` values; any day of a
month stands for that month. Money is ``Decimal`` yuan; rates are percentages.

Tie rule (all rankings here): **standard competition ranking** ("1224"). Tied
people share the best rank of their group and the next rank skips, so ranks stay
comparable with the seeds' 「前3名」/「第4~8名」 and a tie at a tier boundary
shares the higher tier (SPEC 4.2, assumed). In the sales ranking everyone tied
for the lowest figure is last (SPEC reading 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lib.domain.errors import DomainError
from lib.domain.settings import SettingDef, record_of, whole_list

DEFAULT_SCORE_WEIGHTS = {"survey_score": 5.0, "resolution_rate": 0.5, "sla_breaches": -2.0, "ledger_points": 1.0}



def bonus_tiers_problem(value: object) -> str | None:
    """Schema of ``quarterly.bonus`` (issue 12 R8): tiers of ranks ``from`` ≤ ``to`` (1–1000) that do not overlap,
    each with an amount of 0–1,000,000."""
    check = record_of("settings.schema.bonus_tiers", **{"from": ("int", 1, 1000), "to": ("int", 1, 1000),
                                                         "amount": ("number", 0, 1_000_000)})
    if not isinstance(value, list) or any(check(tier) for tier in value):
        return "settings.schema.bonus_tiers"
    spans = sorted((tier["from"], tier["to"]) for tier in value)
    if any(first > last for first, last in spans) or any(a[1] >= b[0] for a, b in zip(spans, spans[1:])):
        return "settings.schema.bonus_tiers"
    return None


SETTINGS: list[SettingDef] = [
    SettingDef("demotion.rule", {"consecutive": 2, "times": 2, "window_months": 3}, "json", "months", "seed 000 D1",
               validate=record_of("settings.schema.demotion_rule", consecutive=("int", 1, 12), times=("int", 1, 12),
                                  window_months=("int", 1, 24))),
    SettingDef("demotion.length", 1, "int", "month", "seed 000 D1", minimum=1, maximum=24),
    SettingDef(
        "quarterly.bonus",
        [{"from": 1, "to": 3, "amount": 1500}, {"from": 4, "to": 8, "amount": 1000}],
        "json",
        "¥",
        "seed 003 M#13",
        validate=bonus_tiers_problem,
    ),
    SettingDef("quarterly.payout_months", [4, 7, 10, 1], "json", "month", "seed 003 X3#6",
               validate=whole_list("settings.schema.payout_months", low=1, high=12, length=4)),
    SettingDef("quarterly.score_weights", DEFAULT_SCORE_WEIGHTS, "json", "weight", "(assumed)",
               validate=record_of("settings.schema.score_weights",
                                  **{k: ("number", -100, 100) for k in DEFAULT_SCORE_WEIGHTS})),
    # T13 reading: 「客服工程师、客服管理部员工」 = the engineers and the CS department's staff, whose title is
    # 客服专员; its managers (客服主管, 客服部经理) do the ranking and are not ranked. One list, by title only.
    SettingDef(
        "quarterly.participant_titles",
        ["客服工程师", "客服专员"],
        "titles",
        "titles",
        "seed 003 M#13 「对客服工程师、客服管理部员工进行考核排名」 (reading: one list; 员工 = 客服专员)",
    ),
    SettingDef("project_bonus", {"amount": 30, "window_months": 6}, "json", "¥", "seed 003 M#16",
               validate=record_of("settings.schema.project_bonus", amount=("number", 0, 100_000),
                                  window_months=("int", 1, 60))),
    SettingDef(
        "kpi.satisfaction_target",
        {"percent": 95.0, "step_per_year": 0.5, "base_year": 2026},
        "json",
        "%",
        "seed 002 #10 (base year assumed)",
        validate=record_of("settings.schema.satisfaction_target", percent=("number", 0, 100),
                           step_per_year=("number", -10, 10), base_year=("int", 2000, 2100)),
    ),
    SettingDef("kpi.answer_rate_min", 90.0, "float", "%", "seed 001 D20", minimum=0, maximum=100),
    SettingDef("style_score.base", 100, "int", "points", "(assumed)", minimum=0, maximum=100_000),
]


@dataclass(frozen=True)
class BonusTier:
    """Ranks ``first``..``last`` (inclusive) earn ``amount`` yuan."""

    first: int
    last: int
    amount: Decimal


@dataclass(frozen=True)
class KpiSettings:
    """The M4 KPI settings with their SPEC defaults."""

    demotion_consecutive: int = 2
    demotion_times: int = 2
    demotion_window_months: int = 3
    demotion_length_months: int = 1
    bonus_tiers: tuple[BonusTier, ...] = (BonusTier(1, 3, Decimal(1500)), BonusTier(4, 8, Decimal(1000)))
    payout_months: tuple[int, int, int, int] = (4, 7, 10, 1)
    score_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SCORE_WEIGHTS))
    project_bonus_amount: Decimal = Decimal(30)
    project_bonus_window_months: int = 6
    satisfaction_target_percent: float = 95.0
    satisfaction_step_per_year: float = 0.5
    satisfaction_base_year: int = 2026
    answer_rate_min: float = 90.0
    style_score_base: int = 100

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> KpiSettings:
        """Build from the settings service's ``{key: value}``; missing keys keep their defaults."""
        base = cls()
        rule = values.get("demotion.rule") or {}
        tiers = values.get("quarterly.bonus")
        project = values.get("project_bonus") or {}
        target = values.get("kpi.satisfaction_target") or {}
        return cls(
            demotion_consecutive=int(rule.get("consecutive", base.demotion_consecutive)),
            demotion_times=int(rule.get("times", base.demotion_times)),
            demotion_window_months=int(rule.get("window_months", base.demotion_window_months)),
            demotion_length_months=int(values.get("demotion.length", base.demotion_length_months)),
            bonus_tiers=(
                tuple(BonusTier(int(t["from"]), int(t["to"]), Decimal(str(t["amount"]))) for t in tiers)
                if tiers
                else base.bonus_tiers
            ),
            payout_months=tuple(values.get("quarterly.payout_months", base.payout_months)),
            score_weights=dict(values.get("quarterly.score_weights", base.score_weights)),
            project_bonus_amount=Decimal(str(project.get("amount", base.project_bonus_amount))),
            project_bonus_window_months=int(project.get("window_months", base.project_bonus_window_months)),
            satisfaction_target_percent=float(target.get("percent", base.satisfaction_target_percent)),
            satisfaction_step_per_year=float(target.get("step_per_year", base.satisfaction_step_per_year)),
            satisfaction_base_year=int(target.get("base_year", base.satisfaction_base_year)),
            answer_rate_min=float(values.get("kpi.answer_rate_min", base.answer_rate_min)),
            style_score_base=int(values.get("style_score.base", base.style_score_base)),
        )


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def competition_ranks(values: Mapping[str, float], *, highest_first: bool = True) -> dict[str, int]:
    """Standard competition ranks ("1224"): ties share the best rank, the next rank skips (SPEC 4.2 ties, assumed)."""
    ordered = sorted(values.values(), reverse=highest_first)
    first_index: dict[float, int] = {}
    for index, value in enumerate(ordered):
        first_index.setdefault(value, index + 1)
    return {person: first_index[value] for person, value in values.items()}


# --- 4.1 Monthly sales ranking and demotion -------------------------------------------------


class DemotionReason(StrEnum):
    CONSECUTIVE = "consecutive"
    TWICE_IN_WINDOW = "twice_in_window"


@dataclass(frozen=True)
class SalesRank:
    """One consultant's line in a month's sales ranking."""

    consultant: str
    units: int
    rank: int
    is_last: bool


@dataclass(frozen=True)
class Demotion:
    """Consultant works as 销售助理 from ``start`` to ``end`` (inclusive); ``last_months`` triggered it."""

    consultant: str
    start: dt.date
    end: dt.date
    reason: DemotionReason
    last_months: tuple[dt.date, ...]


def sales_ranking(units_by_consultant: Mapping[str, int]) -> list[SalesRank]:
    """Monthly sales ranking, most units first; all tied for the fewest units are last (seed 000 D1; reading 5).

    Reading: when every consultant has the same figure nobody is below anybody, so
    nobody is last (otherwise a month of equal sales would demote the whole floor).
    """
    ranks = competition_ranks(units_by_consultant)
    lowest = min(units_by_consultant.values(), default=None)
    has_last = len(set(units_by_consultant.values())) > 1
    rows = [
        SalesRank(person, units, ranks[person], has_last and units == lowest)
        for person, units in units_by_consultant.items()
    ]
    return sorted(rows, key=lambda r: (r.rank, r.consultant))


def demotions(
    monthly_sales_by_month: Mapping[dt.date, Mapping[str, int]],
    month: dt.date,
    settings: KpiSettings = KpiSettings(),
    waived: Collection[tuple[str, dt.date]] = (),
) -> list[Demotion]:
    """Demotions triggered by ``month``'s ranking, starting on the next 1st (seed 000 D1; SPEC 4.1, reading 5).

    Trigger: last ``consecutive`` calendar months running, or last ``times`` times
    within a rolling window of ``window_months`` months ending with ``month``.
    Readings (seed note 000 §5.6): a consultant is not ranked in a month they spend
    demoted (they take no new customers), and last places that already caused a
    demotion are used up, so one bad month is not punished twice. The whole history
    is replayed from the first month given, so the result depends on data only.
    ``waived`` lists ``(consultant, start)`` of demotions the manager waived: the
    consultant keeps working and is ranked in that month, and the last places
    that triggered it are used up all the same.
    """
    return _replay(monthly_sales_by_month, settings, frozenset(waived)).get(month_start(month), [])


def demoted_on(demotion_list: Iterable[Demotion], day: dt.date) -> set[str]:
    """Consultants serving a demotion on ``day``: out of the queue, no new customers (seed 000 D1)."""
    return {d.consultant for d in demotion_list if d.start <= day <= d.end}


def _replay(
    monthly_sales_by_month: Mapping[dt.date, Mapping[str, int]],
    settings: KpiSettings,
    waived: frozenset[tuple[str, dt.date]] = frozenset(),
) -> dict[dt.date, list[Demotion]]:
    by_month = {month_start(m): units for m, units in monthly_sales_by_month.items()}
    unused_lasts: dict[str, list[dt.date]] = {}
    issued: list[Demotion] = []
    triggered: dict[dt.date, list[Demotion]] = {}
    for month in sorted(by_month):
        serving = demoted_on(issued, month)
        ranked = {p: u for p, u in by_month[month].items() if p not in serving}
        for row in sales_ranking(ranked):
            if not row.is_last:
                continue
            lasts = unused_lasts.setdefault(row.consultant, [])
            lasts.append(month)
            demotion = _check_trigger(row.consultant, lasts, month, settings)
            if demotion is not None:
                lasts.clear()
                if (demotion.consultant, demotion.start) not in waived:
                    issued.append(demotion)
                triggered.setdefault(month, []).append(demotion)
    return triggered


def _check_trigger(consultant: str, lasts: list[dt.date], month: dt.date, settings: KpiSettings) -> Demotion | None:
    run = [add_months(month, -i) for i in range(settings.demotion_consecutive)]
    window_start = add_months(month, 1 - settings.demotion_window_months)
    in_window = tuple(m for m in lasts if m >= window_start)
    if all(m in lasts for m in run):
        reason, cause = DemotionReason.CONSECUTIVE, tuple(sorted(run))
    elif len(in_window) >= settings.demotion_times:
        reason, cause = DemotionReason.TWICE_IN_WINDOW, in_window
    else:
        return None
    start = add_months(month, 1)
    end = add_months(start, settings.demotion_length_months) - dt.timedelta(days=1)
    return Demotion(consultant, start, end, reason, cause)


# --- 4.2 Quarterly CS ranking ---------------------------------------------------------------


class ScoreComponent(StrEnum):
    SURVEY_SCORE = "survey_score"
    RESOLUTION_RATE = "resolution_rate"
    SLA_BREACHES = "sla_breaches"
    LEDGER_POINTS = "ledger_points"


@dataclass(frozen=True)
class QuarterlyRank:
    """One person's quarterly result: weighted score, competition rank and bonus."""

    person: str
    score: float
    rank: int
    bonus: Decimal


def quarterly_score(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Weighted sum of a person's score inputs; a missing input counts 0 (SPEC 4.2 score inputs, assumed).

    Default weights (setting ``quarterly.score_weights``): average survey score
    (1–10) × 5, resolution rate (%) × 0.5, each SLA breach −2, ledger team points
    (already negative) × 1, so a flawless quarter scores 100.
    """
    unknown = set(weights) - set(ScoreComponent)
    if unknown:
        raise DomainError("kpi.unknown_component", names=", ".join(sorted(unknown)))
    return round(sum(weight * float(components.get(name, 0.0)) for name, weight in weights.items()), 6)


def bonus_for_rank(rank: int, settings: KpiSettings = KpiSettings()) -> Decimal:
    """Bonus of a quarterly rank: 1–3 ¥1500, 4–8 ¥1000, the rest 0 (seed 003 M#13)."""
    for tier in settings.bonus_tiers:
        if tier.first <= rank <= tier.last:
            return tier.amount
    return Decimal(0)


def unscored(inputs: Mapping[str, object], scored_work: Mapping[str, int]) -> list[str]:
    """People with no scored work in the quarter: not ranked, no tier (T23, reading of seed 003 M#13).

    Reading: a 考核排名 ranks work that was assessed; the assessment of a job is its follow-up
    survey (seed 000 D2). Someone with no answered survey has nothing to rank: scoring them 0 would tie
    everyone at rank 1 in a quiet quarter and pay the top tier for nothing.
    """
    return sorted((p for p in inputs if scored_work.get(p, 0) <= 0), key=str)


def quarterly_ranking(
    inputs: Mapping[str, Mapping[str, float]],
    settings: KpiSettings = KpiSettings(),
    *,
    scored_work: Mapping[str, int] | None = None,
) -> list[QuarterlyRank]:
    """客服工程师 and 客服管理部 ranked in one list by weighted score; ties share the higher tier (seed 003 M#13).

    ``inputs`` maps each person to their score inputs (``ScoreComponent`` names). With
    ``scored_work`` (scored jobs per person), people without any are left out (see ``unscored``, T23).
    Ties: standard competition ranking, the tied share the better rank and tier and the next rank is skipped.
    """
    if scored_work is not None:
        left_out = set(unscored(inputs, scored_work))
        inputs = {p: c for p, c in inputs.items() if p not in left_out}
    scores = {p: quarterly_score(c, settings.score_weights) for p, c in inputs.items()}
    ranks = competition_ranks(scores)
    rows = [QuarterlyRank(p, scores[p], ranks[p], bonus_for_rank(ranks[p], settings)) for p in scores]
    return sorted(rows, key=lambda r: (r.rank, r.person))


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, quarter 1–4) of ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def payout_month(year: int, quarter: int, settings: KpiSettings = KpiSettings()) -> dt.date:
    """First day of the month a quarter's incentives are paid: Q1→April … Q4→January next year (seed 003 X3#6)."""
    if quarter not in (1, 2, 3, 4):
        raise DomainError("kpi.bad_quarter", quarter=quarter)
    month = settings.payout_months[quarter - 1]
    quarter_end_month = quarter * 3
    return dt.date(year + 1 if month <= quarter_end_month else year, month, 1)


@dataclass(frozen=True)
class CommissionedProject:
    """A project a service person commissioned, with the dates of repair visits caused by faulty commissioning."""

    person: str
    project: str
    commissioned_on: dt.date
    repeat_service_on: tuple[dt.date, ...] = ()


def repeat_service_bonus(
    projects: Iterable[CommissionedProject], year: int, half: int, settings: KpiSettings = KpiSettings()
) -> tuple[dict[str, Decimal], dt.date]:
    """Per person, ¥30 per project with no commissioning repeat service in 6 months; and the payout (seed 003 M#16).

    Readings (SPEC reading 24): computed per half-year and paid at the next quarterly
    payout (H1 → July, H2 → January). A project belongs to the half-year in which its
    6-month window closes, so each project is judged once, on complete evidence.
    """
    if half not in (1, 2):
        raise DomainError("kpi.bad_half", half=half)
    half_start = dt.date(year, 1 if half == 1 else 7, 1)
    half_end = add_months(half_start, 6) - dt.timedelta(days=1)
    totals: dict[str, Decimal] = {}
    for project in projects:
        window_end = _add_months_to_day(project.commissioned_on, settings.project_bonus_window_months)
        if not half_start <= window_end <= half_end:
            continue
        if any(project.commissioned_on <= d <= window_end for d in project.repeat_service_on):
            continue
        totals[project.person] = totals.get(project.person, Decimal(0)) + settings.project_bonus_amount
    return totals, payout_month(year, half * 2, settings)


def _add_months_to_day(day: dt.date, n: int) -> dt.date:
    target = add_months(day, n)
    next_month = add_months(target, 1)
    return target.replace(day=min(day.day, (next_month - dt.timedelta(days=1)).day))


# --- 4.3 Satisfaction KPIs --------------------------------------------------------------------


class Attitude(StrEnum):
    SATISFIED = "satisfied"
    FAIR = "fair"
    DISSATISFIED = "dissatisfied"


@dataclass(frozen=True)
class Survey:
    """One follow-up survey: score 1–10, attitude, resolved?, charged? (seed 000 D2); None = not answered."""

    score: int | None = None
    attitude: Attitude | None = None
    resolved: bool | None = None
    charged: bool | None = None


@dataclass(frozen=True)
class SatisfactionKpis:
    """Survey KPIs; rates are percentages of the surveys that answered that item, None without answers."""

    surveys: int
    average_score: float | None
    attitude_mix: dict[Attitude, int]
    satisfaction_rate: float | None
    resolution_rate: float | None
    charge_rate: float | None


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class SurveyTally:
    """The counts the satisfaction KPIs need, from a list of surveys or summed by the database."""

    surveys: int = 0
    score_sum: float = 0.0
    scored: int = 0
    attitudes: Mapping[Attitude, int] = field(default_factory=dict)
    resolved: int = 0
    resolution_answers: int = 0
    charged: int = 0
    charge_answers: int = 0

    def __add__(self, other: SurveyTally) -> SurveyTally:
        return SurveyTally(
            self.surveys + other.surveys,
            self.score_sum + other.score_sum,
            self.scored + other.scored,
            {a: self.attitudes.get(a, 0) + other.attitudes.get(a, 0) for a in Attitude},
            self.resolved + other.resolved,
            self.resolution_answers + other.resolution_answers,
            self.charged + other.charged,
            self.charge_answers + other.charge_answers,
        )


def tally(surveys: Iterable[Survey]) -> SurveyTally:
    """Count a list of surveys; unanswered items are left out of their rate."""
    rows = list(surveys)
    scores = [s.score for s in rows if s.score is not None]
    resolved = [s.resolved for s in rows if s.resolved is not None]
    charged = [s.charged for s in rows if s.charged is not None]
    return SurveyTally(
        surveys=len(rows),
        score_sum=float(sum(scores)),
        scored=len(scores),
        attitudes={a: sum(1 for s in rows if s.attitude == a) for a in Attitude},
        resolved=sum(resolved),
        resolution_answers=len(resolved),
        charged=sum(charged),
        charge_answers=len(charged),
    )


def satisfaction_of(counts: SurveyTally) -> SatisfactionKpis:
    """Average score, attitude mix, satisfaction, resolution and charge rates of a tally (seed 000 D2, D8).

    Reading: the satisfaction rate compared with the 95 % target (seed 002 #10) is
    the share of answered attitudes that are 满意.
    """
    mix = {a: counts.attitudes.get(a, 0) for a in Attitude}
    return SatisfactionKpis(
        surveys=counts.surveys,
        average_score=counts.score_sum / counts.scored if counts.scored else None,
        attitude_mix=mix,
        satisfaction_rate=_percent(mix[Attitude.SATISFIED], sum(mix.values())),
        resolution_rate=_percent(counts.resolved, counts.resolution_answers),
        charge_rate=_percent(counts.charged, counts.charge_answers),
    )


def satisfaction_kpis(surveys: Iterable[Survey]) -> SatisfactionKpis:
    """Average score, attitude mix, satisfaction, resolution and charge rates (seed 000 D2, D8)."""
    return satisfaction_of(tally(surveys))


def satisfaction_target(year: int, settings: KpiSettings = KpiSettings()) -> float:
    """Satisfaction target of ``year``: 95 % rising 0.5 pp a year from the base year, capped at 100 (seed 002 #10)."""
    years = max(0, year - settings.satisfaction_base_year)
    return min(100.0, settings.satisfaction_target_percent + settings.satisfaction_step_per_year * years)


def answer_rate(answered: int, offered: int) -> float | None:
    """Answered calls as a percentage of offered calls, None without calls (seed 001 D20)."""
    return _percent(answered, offered)


def meets_answer_rate(rate: float | None, settings: KpiSettings = KpiSettings()) -> bool:
    """True when the answer rate reaches the minimum, 90 % inclusive (seed 001 D20; SPEC reading 26)."""
    return rate is not None and rate >= settings.answer_rate_min


def conversion_rate(converted: int, served: int) -> float | None:
    """Converted ÷ served as a percentage, None when nobody was served (seed 001 D8)."""
    return _percent(converted, served)


# --- 4.6 Team style score ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamScore:
    """A team's 作风评比 line: points lost (negative), score and rank."""

    team: str
    points: int
    score: int
    rank: int


def style_ranking(points_by_team: Mapping[str, int], settings: KpiSettings = KpiSettings()) -> list[TeamScore]:
    """Team style score = base + (negative) ledger points for the month, highest first (seed 002 #1).

    Pass every team, with 0 for a clean month, so clean teams are ranked too.
    """
    scores = {team: settings.style_score_base + points for team, points in points_by_team.items()}
    ranks = competition_ranks(scores)
    rows = [TeamScore(team, points_by_team[team], scores[team], ranks[team]) for team in scores]
    return sorted(rows, key=lambda r: (r.rank, r.team))
