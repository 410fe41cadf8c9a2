"""Restricted-area access log: who may enter 机房 / 中控室 / 消防控制室 and on whose approval (SPEC §M2 2.4).

The seeds name different approvers for different rooms (reading 12), so the rule is a
category × area matrix kept as data (setting ``access.matrix``). An entry cannot be
marked "in" until the matrix's approval, escort, companion and the visitor's signature
are all recorded.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lib.domain.errors import FieldError, NotAllowed, ValidationFailed
from lib.domain.settings import TITLE_MAX, SettingDef, bad_text


class Area(enum.StrEnum):
    machine_room = "machine_room"  # 机房
    control_room = "control_room"  # 中控室
    fire_room = "fire_room"  # 消防控制室


class Category(enum.StrEnum):
    external = "external"  # 外单位
    other_department = "other_department"  # 其他部门
    visit = "visit"  # 参观
    support_staff = "support_staff"  # 工勤


class EscortRule(enum.StrEnum):
    none = "none"
    required = "required"
    leader_or_approval = "leader_or_approval"  # a leader escorts, or a leader approves


@dataclass(frozen=True)
class Requirement:
    """What one category needs to enter one area."""

    allowed: bool = True
    approvers: tuple[str, ...] = ()
    escort: EscortRule = EscortRule.none
    pair: bool = False


_LEADERS = ["总经理", "副总", "部长", "秩序维护主管"]
_CONTROL_SUPERVISORS = ["秩序维护主管", "部长"]
_INFO_CENTRE = ["信息中心经理"]
_CLOSED = {"allowed": False, "approvers": [], "escort": "none", "pair": False}

DEFAULT_MATRIX: dict[str, dict[str, dict[str, object]]] = {
    Area.control_room: {
        Category.external: {"allowed": True, "approvers": _LEADERS, "escort": "leader_or_approval", "pair": False},
        Category.other_department: {"allowed": True, "approvers": ["副总"], "escort": "none", "pair": False},
        Category.visit: {"allowed": True, "approvers": _CONTROL_SUPERVISORS, "escort": "required", "pair": False},
        Category.support_staff: {
            "allowed": True, "approvers": _CONTROL_SUPERVISORS, "escort": "none", "pair": False,
        },
    },
    Area.machine_room: {
        Category.external: {"allowed": True, "approvers": _INFO_CENTRE, "escort": "none", "pair": False},
        Category.other_department: {"allowed": True, "approvers": _INFO_CENTRE, "escort": "none", "pair": False},
        Category.visit: {"allowed": True, "approvers": _INFO_CENTRE, "escort": "none", "pair": False},
        Category.support_staff: {"allowed": True, "approvers": _INFO_CENTRE, "escort": "none", "pair": True},
    },
    Area.fire_room: {category: _CLOSED for category in Category},
}

_CELL = {"allowed": bool, "approvers": list, "escort": str, "pair": bool}


def matrix_problem(value: object) -> str | None:
    """Schema of ``access.matrix`` (issue 12 R8): known areas → known categories → a cell with allowed, approvers
    (titles), escort (an ``EscortRule``) and pair; a missing area or category is closed (reading 12)."""
    message = "settings.schema.access_matrix"
    if not isinstance(value, dict) or not set(value) <= {a.value for a in Area}:
        return message
    for rows in value.values():
        if not isinstance(rows, dict) or not set(rows) <= {c.value for c in Category}:
            return message
        for cell in rows.values():
            if not isinstance(cell, dict) or set(cell) != set(_CELL):
                return message
            if not all(isinstance(cell[k], kind) for k, kind in _CELL.items()):
                return message
            if cell["escort"] not in {e.value for e in EscortRule}:
                return message
            if not all(isinstance(a, str) and not bad_text(a, TITLE_MAX) for a in cell["approvers"]):
                return message
    return None


SETTINGS: list[SettingDef] = [
    SettingDef(
        "access.matrix",
        {str(a): {str(c): rule for c, rule in rows.items()} for a, rows in DEFAULT_MATRIX.items()},
        "json",
        "",
        "seed 004 D12, D16, D20; seed 000 D10; seed 001 D2 (reading 12)",
        validate=matrix_problem,
    ),
]


@dataclass(frozen=True)
class Approval:
    by: str
    title: str
    at: dt.datetime


@dataclass(frozen=True)
class AccessEntry:
    """One row of the access register (「登记和签名确认」, seed 004 D12)."""

    area: Area
    category: Category
    name: str
    unit: str = ""
    purpose: str = ""
    escort: str | None = None
    escort_titles: frozenset[str] = frozenset()
    companion: str | None = None
    signed: bool = False


Matrix = Mapping[tuple[Area, Category], Requirement]


def parse_matrix(data: Mapping[str, Mapping[str, Mapping[str, object]]]) -> dict[tuple[Area, Category], Requirement]:
    """Turn the ``access.matrix`` setting into requirements; a missing cell means entry is closed (reading 12)."""
    matrix = {}
    for area in Area:
        for category in Category:
            cell = data.get(area, {}).get(category)
            if cell is None:
                matrix[(area, category)] = Requirement(allowed=False)
                continue
            matrix[(area, category)] = Requirement(
                allowed=bool(cell.get("allowed", True)),
                approvers=tuple(str(t) for t in cell.get("approvers", ()) or ()),
                escort=EscortRule(str(cell.get("escort", EscortRule.none))),
                pair=bool(cell.get("pair", False)),
            )
    return matrix


DEFAULT_REQUIREMENTS = parse_matrix(DEFAULT_MATRIX)


def requirement_for(area: Area, category: Category, matrix: Matrix | None = None) -> Requirement:
    """What the register must show before this category enters this area (SPEC §M2 2.4; reading 12)."""
    return (matrix or DEFAULT_REQUIREMENTS)[(area, category)]


def can_mark_in(entry: AccessEntry, approvals: Iterable[Approval], matrix: Matrix | None = None) -> Requirement:
    """Refuse "in" until approval, escort, companion and signature exist (seed 004 D12, D16; seed 001 D2; SPEC S31).

    - 外单位 in the 中控室: a leader escorts **or** approves, and signs the register (D16, D12).
    - Other departments: the 副总 approves (D16). 参观: 秩序维护主管 or 部长 approves and an escort
      goes in (D12 special entry). 机房: the 信息中心 approves (seed 000 D10); 工勤 work in pairs
      there (seed 001 D2, reading: the machine room is a confidential site).
    - 消防控制室: on-duty staff only, so no register entry can go in (seed 004 D20).
    Raises ``NotAllowed`` for a closed area, else ``ValidationFailed`` listing every missing item.
    """
    rule = requirement_for(entry.area, entry.category, matrix)
    if not rule.allowed:
        raise NotAllowed("access.area_closed", area=str(entry.area), category=str(entry.category))
    titles = "、".join(rule.approvers)
    approved = any(a.title in rule.approvers for a in approvals)
    errors: list[FieldError] = []
    if rule.escort == EscortRule.leader_or_approval:
        leader_escort = bool((entry.escort or "").strip()) and bool(entry.escort_titles & set(rule.approvers))
        if not (approved or leader_escort):
            errors.append(FieldError("approval", "access.leader_escort_or_approval_required", {"titles": titles}))
    elif rule.approvers and not approved:
        errors.append(FieldError("approval", "access.approval_required", {"titles": titles}))
    if rule.escort == EscortRule.required and not (entry.escort or "").strip():
        errors.append(FieldError("escort", "access.escort_required"))
    if rule.pair and not (entry.companion or "").strip():
        errors.append(FieldError("companion", "access.companion_required"))
    if not entry.signed:
        errors.append(FieldError("signature", "access.signature_required"))
    if errors:
        raise ValidationFailed(errors)
    return rule
