"""R8 (issue 12): every setting has a schema (type, range, shape, cross-field rules) checked on save with a
translated message; NaN, unknown keys and hostile nesting are refusals, never another exception."""

import datetime as dt
import json
import math

import pytest

from lib.domain import settings as sdef
from lib.domain.errors import DomainError
from lib.i18n import catalog
from lib.services.settings import definitions

DEFS = definitions()


def refused(key: str, *, text: str | None = None, value: object = None) -> DomainError:
    """The DomainError a value meets on the settings' text path or typed path (nothing else may escape)."""
    with pytest.raises(DomainError) as info:
        if text is not None:
            sdef.parse_value(DEFS[key], text)
        else:
            sdef.check_value(DEFS[key], value)
    assert info.value.key in catalog("zh_CN") and info.value.key in catalog("en"), info.value.key
    return info.value


def test_R8_every_default_passes_its_own_schema():
    for key, definition in DEFS.items():
        assert sdef.check_value(definition, definition.default) == definition.default, key
        assert sdef.parse_value(definition, sdef.encode(definition.default).strip('"')
                                if definition.kind in ("str", "time") else sdef.encode(definition.default)) \
            == sdef.check_value(definition, definition.default), key


def test_R8_every_json_and_text_setting_declares_a_schema_and_every_number_a_range():
    missing = [k for k, d in DEFS.items() if d.kind in ("json", "str") and d.validate is None and d.unit != "dates"]
    assert missing == []
    unbounded = [k for k, d in DEFS.items() if d.kind in ("int", "float") and (d.minimum is None or d.maximum is None)]
    assert unbounded == []


def test_R8_score_range_must_be_two_rising_whole_numbers():
    for text in ("5", "[]", "[1]", "[10, 1]", "[3, 3]", "[1, 2, 3]", "[1.5, 10]", "[true, 10]", "[-1, 10]",
                 "[1, 1000]", '["1", "10"]', "{}"):
        refused("survey.score_range", text=text)
    for value in (5, [10, 1], (1, 10.5), None, "1-10"):
        refused("survey.score_range", value=value)
    assert refused("survey.score_range", value=[10, 1]).key == "settings.schema.score_range"
    assert sdef.parse_value(DEFS["survey.score_range"], "[0, 5]") == [0, 5]


def test_R8_access_matrix_must_be_known_areas_categories_and_cells():
    good = DEFS["access.matrix"].default
    assert sdef.check_value(DEFS["access.matrix"], good) == good
    refused("access.matrix", text="[]")
    refused("access.matrix", value=[])
    refused("access.matrix", value={})
    refused("access.matrix", value={**good, "roof": good["fire_room"]})
    broken = json.loads(json.dumps(good))
    broken["control_room"]["visit"]["escort"] = "sometimes"
    assert refused("access.matrix", value=broken).key == "settings.schema.access_matrix"
    broken = json.loads(json.dumps(good))
    broken["control_room"]["visit"]["approvers"] = "部长"
    refused("access.matrix", value=broken)
    broken = json.loads(json.dumps(good))
    broken["control_room"]["visit"]["allowed"] = "yes"
    refused("access.matrix", value=broken)


def test_R8_dates_times_and_zones_are_checked():
    for text in ("tomorrow", "2026-02-30", "20260105", "", "2026-01-05T00:00"):
        refused("queue.midday_anchor_date", text=text)
    assert sdef.parse_value(DEFS["queue.midday_anchor_date"], "2026-03-02") == "2026-03-02"
    for value in (["13:30", "12:00"], ["12:00"], ["noon", "13:00"], ["12:00", "25:00"], "12:00-13:30"):
        refused("queue.midday_window", value=value)
    for text in ('["2026-10-01", "soon"]', '"2026-10-01"', "5"):
        refused("holidays", text=text)
    for text in ("Mars/Base", "../../etc/passwd", "", "Asia/Shanghai\x00"):
        refused("office.timezone", text=text)
    assert sdef.parse_value(DEFS["office.timezone"], "Europe/Berlin") == "Europe/Berlin"


def test_R8_nan_and_infinity_are_refused_everywhere():
    for text in ("nan", "NaN", "inf", "-inf", "1e999"):
        assert refused("sla.amber_fraction", text=text).key in ("settings.not_finite", "settings.invalid_value")
    for value in (math.nan, math.inf, -math.inf):
        refused("sla.amber_fraction", value=value)
        refused("kpi.answer_rate_min", value=value)
        refused("kpi.satisfaction_target", value={"percent": value, "step_per_year": 0.5, "base_year": 2026})
    refused("kpi.satisfaction_target", text='{"percent": NaN, "step_per_year": 0.5, "base_year": 2026}')
    refused("quarterly.score_weights", text='{"survey_score": Infinity, "resolution_rate": 0.5, '
                                            '"sla_breaches": -2.0, "ledger_points": 1.0}')


def test_R8_unknown_keys_are_a_domain_error_not_a_type_error():
    target = {"percent": 95.0, "step_per_year": 0.5, "base_year": 2026}
    refused("kpi.satisfaction_target", value={**target, "bonus": 1})
    refused("kpi.satisfaction_target", text=json.dumps({**target, "bonus": 1}))
    refused("demotion.rule", value={"consecutive": 2, "times": 2})
    refused("quarterly.bonus", value=[{"from": 1, "to": 3, "amount": 1500, "extra": 1}])


def test_R8_deep_nesting_and_huge_text_are_refused_before_parsing():
    assert refused("access.matrix", text="[" * 100_000 + "]" * 100_000).key in ("settings.too_deep",
                                                                              "settings.too_long")
    assert refused("access.matrix", text="[" * 1_000 + "]" * 1_000).key == "settings.too_deep"
    assert refused("quarterly.bonus", text='[{"a": ' * 7 + "1" + "}" * 7 + "]").key == "settings.too_deep"
    assert refused("org.titles", text="[" + ", ".join(['"销售"'] * 10_000) + "]").key == "settings.too_long"
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert refused("quarterly.payout_months", value=deep).key == "settings.too_deep"
    cycle: list = [1]
    cycle.append(cycle)
    assert refused("quarterly.payout_months", value=cycle).key == "settings.too_deep"
    assert sdef.parse_value(DEFS["holidays"], '["2026-10-01"]') == ["2026-10-01"]


def test_R8_kpi_records_keep_their_ranges_and_rules():
    refused("quarterly.bonus", value=[{"from": 3, "to": 1, "amount": 1500}])
    refused("quarterly.bonus", value=[{"from": 1, "to": 5, "amount": 1}, {"from": 4, "to": 8, "amount": 1}])
    refused("quarterly.bonus", value=[{"from": 1, "to": 3, "amount": -5}])
    refused("quarterly.bonus", value={"from": 1, "to": 3, "amount": 1500})
    assert sdef.check_value(DEFS["quarterly.bonus"], []) == []
    for value in ([4, 7, 10], [4, 7, 10, 13], [0, 7, 10, 1], 4):
        refused("quarterly.payout_months", value=value)
    refused("demotion.rule", value={"consecutive": 0, "times": 2, "window_months": 3})
    refused("project_bonus", value={"amount": 30, "window_months": 0})
    refused("roster.callcentre_min", value={"day": -1, "night": 2})
    refused("post.fire", value={"min_staff": 1, "max_continuous_h": 0})
    refused("display.panel_order", value=[])
    refused("display.panel_order", value=["fund", "fund"])
    refused("display.panel_order", value=["bogus"])


def test_R8_text_and_titles_are_one_line_of_bounded_length():
    refused("sheet_second_signer_title", text="")
    refused("sheet_second_signer_title", text="供" * 41)
    refused("sheet_second_signer_title", value="供需\x00")
    refused("route.packaging_owner_title", value="主任\n经理")
    refused("org.titles", value=["销售", "x" * 41])
    refused("org.titles", value=["销售\x1b[31m"])
    refused("repair.dispatcher_titles", value="部门经理")
    assert sdef.parse_value(DEFS["repair.dispatcher_titles"], "部门经理、客服部经理") == ["部门经理", "客服部经理"]


def test_R8_numbers_have_ranges_on_both_paths():
    refused("ownership.lapse", text=str(10**9))
    refused("ownership.lapse", value=10**9)
    refused("sla.service_reply", value=True)
    refused("workday_start", value="08:50")
    assert sdef.check_value(DEFS["workday_start"], dt.time(9, 0, 30)) == dt.time(9, 0)
    refused("auth.max_failed_logins", text="1" * 5000)


def test_R8_the_size_limit_is_the_stored_column_and_long_values_are_refused_not_cut():
    from db.models import SettingValue

    assert sdef.MAX_TEXT == SettingValue.__table__.c.value.type.length
    many = [{"from": i, "to": i, "amount": 123456.5} for i in range(1, 200)]
    assert refused("quarterly.bonus", value=many).key == "settings.too_long"
