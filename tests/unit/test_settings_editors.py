"""T15: the grid and list editors of settings turn rows back into the stored value without loss."""

import datetime as dt

import pandas as pd

from lib.domain import settings as sdef
from lib.domain.access import DEFAULT_MATRIX, SETTINGS as ACCESS_SETTINGS, parse_matrix
from lib.views.settings_editors import date_values, list_value, matrix_rows, records_value, rows_matrix


def test_T15_access_matrix_round_trips_through_the_grid():
    stored = ACCESS_SETTINGS[0].default
    rows = matrix_rows(stored)
    assert len(rows) == 12 and {"allowed", "approvers", "escort", "pair"} <= set(rows[0])
    back = rows_matrix(rows)
    assert parse_matrix(back) == parse_matrix(DEFAULT_MATRIX)
    assert sdef.check_value(ACCESS_SETTINGS[0], back) == back


def test_T15_a_grid_edit_changes_one_cell_and_keeps_the_shape():
    rows = matrix_rows(ACCESS_SETTINGS[0].default)
    cell = next(r for r in rows if r["area"] == "fire_room" and r["category"] == "visit")
    cell.update(allowed=True, approvers=["部长"], escort="required")
    matrix = parse_matrix(rows_matrix(rows))
    assert matrix[("fire_room", "visit")].allowed and matrix[("fire_room", "visit")].approvers == ("部长",)


def test_T15_list_and_date_editors_drop_blank_rows_and_type_items():
    assert list_value([{"value": 4}, {"value": float("nan")}, {"value": 7.0}], 1) == [4, 7]
    assert list_value([{"value": " queue "}, {"value": None}, {"value": ""}], "x") == ["queue"]
    assert date_values([{"date": dt.date(2026, 10, 2)}, {"date": pd.NaT}, {"date": pd.Timestamp("2026-10-01")},
                        {"date": dt.date(2026, 10, 2)}]) == ["2026-10-01", "2026-10-02"]
    assert records_value([{"from": 1.0, "to": 3.0, "amount": 1500.0}, {"from": None, "to": None, "amount": None}],
                         {"from": 1, "to": 3, "amount": 1500}) == [{"from": 1, "to": 3, "amount": 1500}]


def test_T15_typed_values_are_checked_against_the_setting_schema():
    import pytest

    from lib.domain.errors import DomainError

    holidays = sdef.SettingDef("holidays", [], "json", "dates", "(assumed)")
    assert sdef.check_value(holidays, ["2026-10-02", dt.date(2026, 10, 1)]) == ["2026-10-01", "2026-10-02"]
    with pytest.raises(DomainError):
        sdef.check_value(holidays, ["not a date"])
    limit = sdef.SettingDef("x.limit", 5, "int", "times", "(assumed)", minimum=1, maximum=10)
    with pytest.raises(DomainError) as info:
        sdef.check_value(limit, 11)
    assert info.value.key == "settings.above_maximum"
    rule = sdef.SettingDef("x.rule", {"times": 2, "window": 3}, "json", "", "(assumed)")
    with pytest.raises(DomainError):
        sdef.check_value(rule, {"times": 2})
    with pytest.raises(DomainError):
        sdef.check_value(sdef.SettingDef("x.on", True, "bool", "", "(assumed)"), "yes")


def test_T15_the_settings_table_shows_values_as_people_read_them_never_json():
    import datetime as dt

    from lib.views.settings_editors import display_value

    assert display_value(dt.time(8, 50)) == "08:50"
    assert display_value(True) == "是"
    assert display_value(["部门经理", "客服部经理"]) == "部门经理、客服部经理"
    assert display_value({"consecutive": 2, "times": 2}) == "consecutive=2；times=2"
    nested = display_value({"control_room": {"external": {"allowed": True}}})
    assert "{" not in nested and "1" in nested
