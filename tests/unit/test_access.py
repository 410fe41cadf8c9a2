"""Restricted-area access log (SPEC §M2 2.4, reading 12; S31)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import lib.domain.access as access_module
from lib.i18n import catalog
from lib.domain.access import (
    DEFAULT_REQUIREMENTS,
    SETTINGS,
    AccessEntry,
    Approval,
    Area,
    Category,
    EscortRule,
    can_mark_in,
    parse_matrix,
    requirement_for,
)
from lib.domain.errors import NotAllowed, ValidationFailed

NOW = dt.datetime(2025, 3, 3, 9, 30)


def entry(category, area=Area.control_room, **kw):
    return AccessEntry(area=area, category=category, name="李工", unit="某设备公司", purpose="检修", **kw)


def approval(title):
    return Approval("领导", title, NOW)


def test_S31_external_visitor_without_leader_is_refused():
    with pytest.raises(ValidationFailed) as err:
        can_mark_in(entry(Category.external, signed=True), [])
    assert err.value.keys() == {"approval": "access.leader_escort_or_approval_required"}


def test_S31_external_visitor_escorted_by_non_leader_is_refused():
    with pytest.raises(ValidationFailed):
        can_mark_in(entry(Category.external, signed=True, escort="保安小王", escort_titles=frozenset({"保安员"})), [])


def test_S31_external_visitor_with_leader_escort_and_signature_enters():
    escorted = entry(Category.external, signed=True, escort="张副总", escort_titles=frozenset({"副总"}))
    assert can_mark_in(escorted, []).escort == EscortRule.leader_or_approval


def test_S31_external_visitor_with_leader_approval_and_signature_enters():
    can_mark_in(entry(Category.external, signed=True), [approval("秩序维护主管")])


def test_S31_external_visitor_without_signature_is_refused():
    with pytest.raises(ValidationFailed) as err:
        can_mark_in(entry(Category.external), [approval("副总")])
    assert err.value.keys() == {"signature": "access.signature_required"}


def test_S31_other_department_needs_vice_president():
    with pytest.raises(ValidationFailed) as err:
        can_mark_in(entry(Category.other_department, signed=True), [approval("部长")])
    assert err.value.keys() == {"approval": "access.approval_required"}
    assert err.value.errors[0].params == {"titles": "副总"}
    can_mark_in(entry(Category.other_department, signed=True), [approval("副总")])


def test_visit_needs_supervisor_approval_and_escort():
    with pytest.raises(ValidationFailed) as err:
        can_mark_in(entry(Category.visit), [])
    assert err.value.keys() == {
        "approval": "access.approval_required",
        "escort": "access.escort_required",
        "signature": "access.signature_required",
    }
    can_mark_in(entry(Category.visit, signed=True, escort="中控员小赵"), [approval("部长")])


def test_machine_room_needs_information_centre_and_support_staff_in_pairs():
    alone = entry(Category.support_staff, area=Area.machine_room, signed=True)
    with pytest.raises(ValidationFailed) as err:
        can_mark_in(alone, [approval("信息中心经理")])
    assert err.value.keys() == {"companion": "access.companion_required"}
    paired = entry(Category.support_staff, area=Area.machine_room, signed=True, companion="保洁老刘")
    can_mark_in(paired, [approval("信息中心经理")])
    with pytest.raises(ValidationFailed):
        can_mark_in(paired, [approval("副总")])


@pytest.mark.parametrize("category", list(Category))
def test_fire_room_is_closed_to_register_entries(category):
    with pytest.raises(NotAllowed) as err:
        can_mark_in(entry(category, area=Area.fire_room, signed=True), [approval("总经理")])
    assert err.value.key == "access.area_closed"


def test_matrix_setting_round_trips_through_json():
    (setting,) = SETTINGS
    assert setting.key == "access.matrix" and setting.kind == "json"
    assert parse_matrix(json.loads(json.dumps(setting.default, ensure_ascii=False))) == DEFAULT_REQUIREMENTS


def test_matrix_is_data_an_admin_can_change():
    matrix = parse_matrix({"control_room": {"other_department": {"approvers": ["部长"]}}})
    can_mark_in(entry(Category.other_department, signed=True), [approval("部长")], matrix)
    assert requirement_for(Area.control_room, Category.external, matrix).allowed is False


def test_labels_and_setting_names_exist_in_both_languages():
    keys = {f"{prefix}.{member}" for enum_cls, prefix in [(access_module.Area, "access.area"), (access_module.Category, "access.category"), (access_module.EscortRule, "access.escort_rule")] for member in enum_cls}
    keys |= {f"setting.{s.key}" for s in access_module.SETTINGS}
    for lang in ("zh_CN", "en"):
        assert keys <= catalog(lang).keys(), sorted(keys - catalog(lang).keys())
