"""KPIs and rankings (SPEC M4 4.1–4.3, 4.6): scenarios S47, S48, S51 and ranking properties."""

from __future__ import annotations

import ast
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import display, kpi, ledger
from lib.domain.errors import DomainError
from lib.domain.kpi import (
    Attitude,
    CommissionedProject,
    DemotionReason,
    KpiSettings,
    Survey,
    demoted_on,
    demotions,
    payout_month,
    quarterly_ranking,
    sales_ranking,
    style_ranking,
)
from lib.i18n import LOCALES_DIR

D = dt.date


def months(*rows: tuple[dt.date, dict[str, int]]) -> dict[dt.date, dict[str, int]]:
    return dict(rows)


FLOOR = {"C1": 9, "C2": 8, "C3": 7, "C4": 6, "C5": 5, "C6": 4}


def with_last(person: str, units: int = 1) -> dict[str, int]:
    return {**FLOOR, person: units}


# --- 4.1 sales ranking and demotion -----------------------------------------------------------


def test_S47_last_in_march_and_april_is_demoted_for_may():
    history = months((D(2026, 3, 1), with_last("C6")), (D(2026, 4, 1), with_last("C6")))
    result = demotions(history, D(2026, 4, 1))
    assert [(d.consultant, d.start, d.end, d.reason) for d in result] == [
        ("C6", D(2026, 5, 1), D(2026, 5, 31), DemotionReason.CONSECUTIVE)
    ]
    assert demoted_on(result, D(2026, 5, 15)) == {"C6"}
    assert demoted_on(result, D(2026, 6, 1)) == set()


def test_S47_last_in_january_and_march_is_demoted_twice_in_three_months():
    history = months(
        (D(2026, 1, 1), with_last("C3")),
        (D(2026, 2, 1), with_last("C5")),
        (D(2026, 3, 1), with_last("C3")),
    )
    assert demotions(history, D(2026, 2, 1)) == []
    result = demotions(history, D(2026, 3, 1))
    assert [(d.consultant, d.start, d.reason, d.last_months) for d in result] == [
        ("C3", D(2026, 4, 1), DemotionReason.TWICE_IN_WINDOW, (D(2026, 1, 1), D(2026, 3, 1)))
    ]


def test_S47_last_twice_four_months_apart_is_not_demoted():
    history = months(
        (D(2026, 1, 1), with_last("C3")),
        (D(2026, 2, 1), with_last("C5")),
        (D(2026, 3, 1), with_last("C4")),
        (D(2026, 4, 1), with_last("C3")),
    )
    assert [demotions(history, D(2026, m, 1)) for m in (1, 2, 3, 4)] == [[], [], [], []]


def test_S47_everyone_tied_for_last_is_last_and_all_are_demoted():
    tie = {**FLOOR, "C5": 1, "C6": 1}
    history = months((D(2026, 3, 1), tie), (D(2026, 4, 1), tie))
    assert {d.consultant for d in demotions(history, D(2026, 4, 1))} == {"C5", "C6"}
    assert [r.consultant for r in sales_ranking(tie) if r.is_last] == ["C5", "C6"]


def test_S47_nobody_is_last_when_everyone_sold_the_same():
    assert not any(r.is_last for r in sales_ranking({"C1": 3, "C2": 3, "C3": 3}))


def test_S47_demoted_month_is_not_ranked_and_used_lasts_do_not_count_twice():
    history = months(
        (D(2026, 3, 1), with_last("C6")),
        (D(2026, 4, 1), with_last("C6")),
        (D(2026, 5, 1), with_last("C6", 0)),
        (D(2026, 6, 1), with_last("C6")),
        (D(2026, 7, 1), with_last("C6")),
    )
    assert demotions(history, D(2026, 5, 1)) == []
    assert demotions(history, D(2026, 6, 1)) == []
    assert [(d.consultant, d.start) for d in demotions(history, D(2026, 7, 1))] == [("C6", D(2026, 8, 1))]


def test_S47_demotion_length_setting_spans_months():
    history = months((D(2026, 11, 1), with_last("C6")), (D(2026, 12, 1), with_last("C6")))
    result = demotions(history, D(2026, 12, 1), KpiSettings(demotion_length_months=2))
    assert (result[0].start, result[0].end) == (D(2027, 1, 1), D(2027, 2, 28))


def test_sales_ranking_uses_competition_ranks():
    rows = sales_ranking({"A": 10, "B": 7, "C": 10, "D": 3})
    assert [(r.consultant, r.rank, r.is_last) for r in rows] == [
        ("A", 1, False),
        ("C", 1, False),
        ("B", 3, False),
        ("D", 4, True),
    ]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 20), max_size=12))
def test_sales_ranking_is_a_permutation_with_competition_ties(units):
    rows = sales_ranking(units)
    assert sorted(r.consultant for r in rows) == sorted(units)
    distinct = len(set(units.values()))
    for r in rows:
        assert r.units == units[r.consultant]
        assert r.rank == 1 + sum(1 for v in units.values() if v > r.units)
        assert r.is_last == (distinct > 1 and r.units == min(units.values()))
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGHIJKL"), st.integers(60, 100), max_size=12))
def test_quarterly_ranking_is_a_permutation_and_ties_share_the_higher_tier(surveys):
    rows = quarterly_ranking({p: {"survey_score": s / 10} for p, s in surveys.items()})
    assert sorted(r.person for r in rows) == sorted(surveys)
    for r in rows:
        better = sum(1 for other in rows if other.score > r.score)
        assert r.rank == better + 1
        assert r.bonus == (Decimal(1500) if r.rank <= 3 else Decimal(1000) if r.rank <= 8 else Decimal(0))
    for a in rows:
        for b in rows:
            if a.score == b.score:
                assert (a.rank, a.bonus) == (b.rank, b.bonus)


# --- 4.2 quarterly ranking ---------------------------------------------------------------------


def test_S48_ten_staff_ranks_one_to_three_get_1500_four_to_eight_1000_rest_zero_paid_in_april():
    staff = {f"S{i:02d}": {"survey_score": 10 - i * 0.5} for i in range(10)}
    rows = quarterly_ranking(staff)
    assert [r.person for r in rows] == sorted(staff)
    assert [int(r.bonus) for r in rows] == [1500] * 3 + [1000] * 5 + [0] * 2
    assert payout_month(2026, 1) == D(2026, 4, 1)


def test_S48_q4_pays_in_january_of_the_next_year():
    paid = [payout_month(2026, q) for q in (1, 2, 3, 4)]
    assert paid == [D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1), D(2027, 1, 1)]


def test_S48_tie_across_the_tier_boundary_shares_the_higher_tier():
    scores = {"A": 90, "B": 85, "C": 80, "D": 80, "E": 70, "F": 60, "G": 50, "H": 40, "I": 40, "J": 30}
    rows = {r.person: r for r in quarterly_ranking({p: {"ledger_points": s} for p, s in scores.items()})}
    assert (rows["C"].rank, rows["D"].rank, rows["E"].rank) == (3, 3, 5)
    assert rows["D"].bonus == Decimal(1500)
    assert (rows["I"].rank, rows["I"].bonus, rows["J"].rank, rows["J"].bonus) == (8, Decimal(1000), 10, Decimal(0))


def test_quarterly_score_uses_configurable_weights():
    inputs = {"survey_score": 9, "resolution_rate": 80, "sla_breaches": 3, "ledger_points": -4}
    assert kpi.quarterly_score(inputs, KpiSettings().score_weights) == 45 + 40 - 6 - 4
    assert kpi.quarterly_score(inputs, {"sla_breaches": -1}) == -3
    with pytest.raises(DomainError) as err:
        kpi.quarterly_score(inputs, {"bogus": 1})
    assert err.value.key == "kpi.unknown_component"


def test_payout_month_rejects_a_fifth_quarter():
    with pytest.raises(DomainError) as err:
        payout_month(2026, 5)
    assert err.value.key == "kpi.bad_quarter"


def test_repeat_service_bonus_30_per_clean_project_paid_at_next_payout():
    projects = [
        CommissionedProject("Wang", "P1", D(2025, 12, 10)),
        CommissionedProject("Wang", "P2", D(2025, 11, 1), (D(2026, 2, 1),)),
        CommissionedProject("Li", "P3", D(2026, 1, 5)),
        CommissionedProject("Li", "P4", D(2026, 2, 1), (D(2026, 9, 1),)),
        CommissionedProject("Zhao", "P5", D(2026, 3, 1)),
    ]
    first_half, paid = kpi.repeat_service_bonus(projects, 2026, 1)
    assert first_half == {"Wang": Decimal(30)}
    assert paid == D(2026, 7, 1)
    second_half, paid = kpi.repeat_service_bonus(projects, 2026, 2)
    assert second_half == {"Li": Decimal(60), "Zhao": Decimal(30)}
    assert paid == D(2027, 1, 1)


# --- 4.3 satisfaction -----------------------------------------------------------------------


def test_satisfaction_kpis_from_surveys():
    surveys = [
        Survey(10, Attitude.SATISFIED, True, False),
        Survey(8, Attitude.SATISFIED, True, True),
        Survey(6, Attitude.FAIR, False, False),
        Survey(None, Attitude.DISSATISFIED, None, None),
    ]
    k = kpi.satisfaction_kpis(surveys)
    assert k.surveys == 4
    assert k.average_score == 8.0
    assert k.attitude_mix == {Attitude.SATISFIED: 2, Attitude.FAIR: 1, Attitude.DISSATISFIED: 1}
    assert k.satisfaction_rate == 50.0
    assert k.resolution_rate == pytest.approx(200 / 3)
    assert k.charge_rate == pytest.approx(100 / 3)


def test_satisfaction_kpis_without_surveys_are_empty_not_zero():
    k = kpi.satisfaction_kpis([])
    assert (k.average_score, k.satisfaction_rate, k.resolution_rate, k.charge_rate) == (None, None, None, None)


def test_satisfaction_target_rises_half_a_point_a_year_and_caps_at_100():
    assert kpi.satisfaction_target(2025) == 95.0
    assert kpi.satisfaction_target(2026) == 95.0
    assert kpi.satisfaction_target(2028) == 96.0
    assert kpi.satisfaction_target(2040) == 100.0


def test_answer_rate_minimum_is_inclusive_and_conversion_rate():
    assert kpi.answer_rate(90, 100) == 90.0
    assert kpi.meets_answer_rate(90.0) is True
    assert kpi.meets_answer_rate(89.9) is False
    assert kpi.meets_answer_rate(kpi.answer_rate(0, 0)) is False
    assert kpi.conversion_rate(10, 40) == 25.0


# --- 4.6 team style score -------------------------------------------------------------------


def test_S51_team_at_minus_5_ranks_above_team_at_minus_7():
    rows = style_ranking({"T1": -7, "T2": -5, "T3": 0})
    assert [(r.team, r.score, r.rank) for r in rows] == [("T3", 100, 1), ("T2", 95, 2), ("T1", 93, 3)]


def test_S51_style_points_from_the_ledger():
    p1 = ledger.assess("PH1", 0)
    p4 = ledger.assess("PH4", 0)
    p3 = ledger.assess("PH3", 0, amount=80)
    entries = [
        ledger.LedgerEntry(i, "x", team, a.code, D(2026, 5, 3), 1, a.team_points, a.fine, a.compensation,
                           status=ledger.EntryStatus.CONFIRMED)
        for i, (team, a) in enumerate([("T1", p1), ("T1", p4), ("T2", p3)], start=1)
    ]
    points = {t: v.team_points for t, v in ledger.by_team(entries, D(2026, 5, 1)).items()}
    assert [(r.team, r.score) for r in style_ranking(points)] == [("T2", 95), ("T1", 93)]


# --- settings, catalogs, purity -----------------------------------------------------------


def test_settings_defaults_build_the_default_kpi_settings():
    values = {d.key: d.default for d in kpi.SETTINGS}
    assert KpiSettings.from_values(values) == KpiSettings()
    assert KpiSettings.from_values({}) == KpiSettings()
    assert KpiSettings.from_values({"demotion.length": 2}).demotion_length_months == 2


def _module_keys() -> set[str]:
    keys = {f"setting.{d.key}" for d in kpi.SETTINGS + display.SETTINGS}
    for enum_cls in (kpi.DemotionReason, kpi.ScoreComponent, kpi.Attitude):
        keys |= {f"kpi.{_snake(enum_cls.__name__)}.{m.value}" for m in enum_cls}
    keys |= {"kpi.unknown_component", "kpi.bad_quarter", "kpi.bad_half"}
    return keys


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def kpi_catalog(lang: str) -> dict[str, str]:
    """This module's catalog file; the merged catalog is checked by the platform's i18n test."""
    return json.loads((LOCALES_DIR / lang / "kpi.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_kpi_key_is_in_both_catalogs(lang):
    missing = _module_keys() - set(kpi_catalog(lang))
    assert missing == set()


FORBIDDEN_IMPORTS = {"streamlit", "sqlmodel", "sqlalchemy"}
CLOCK_CALLS = {"now", "today", "utcnow", "time"}


@pytest.mark.parametrize("name", ["kpi.py", "ledger.py", "discipline.py", "display.py"])
def test_domain_module_is_pure(name):
    tree = ast.parse((Path(kpi.__file__).parent / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_IMPORTS
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in FORBIDDEN_IMPORTS
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in CLOCK_CALLS, f"{name} reads the clock"


def test_T23_people_without_scored_work_are_not_ranked_and_get_no_tier():
    from lib.domain.kpi import unscored

    inputs = {"甲": {"survey_score": 8}, "乙": {}, "丙": {}}
    everyone_zero = quarterly_ranking({"乙": {}, "丙": {}}, scored_work={"乙": 0, "丙": 0})
    assert everyone_zero == []
    rows = quarterly_ranking(inputs, scored_work={"甲": 3})
    assert [(r.person, r.rank, r.bonus) for r in rows] == [("甲", 1, Decimal(1500))]
    assert unscored(inputs, {"甲": 3}) == sorted(["乙", "丙"])
