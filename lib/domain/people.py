"""Who may be picked for what: every person picker offers only the people who may hold that role.

A picker names a *pick kind*; each kind is a setting listing the titles that may hold it
(T2, T13). An empty list means "any active member of staff". Display accounts never appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.domain.settings import SettingDef

# The office's job titles: the managed list admins pick titles from (SPEC M0 Roles, the titles the seeds name).
DEFAULT_TITLES = [
    "销售经理", "供需", "销售顾问", "实习销售顾问",
    "客服部经理", "客服主管", "客服专员", "客服工程师", "维修人员",
    "综合部主管", "行政主管", "前台接待员",
    "值班经理", "部长", "中控员", "秩序维护主管",
    "部门经理", "组长", "班长", "主任", "团队主任", "仓储物流主任",
    "总经理", "副总", "董事长", "校长", "保密员", "印章管理员", "保密工作领导小组",
    "部门主管", "信息中心经理", "信息查询员",
]

PERSON_ROLES = ("supervisor", "staff")

# pick kind -> setting key of the titles that may be picked (empty = any active staff)
PICK_KINDS: dict[str, str] = {
    "receiver": "people.receiver_titles",
    "consultant": "people.consultant_titles",
    "technician": "people.technician_titles",
    "staff": "people.staff_titles",
}

SETTINGS = [
    SettingDef("org.titles", DEFAULT_TITLES, "titles", "titles", "SPEC M0 Roles (titles named by seeds 000–004)"),
    SettingDef("people.receiver_titles", ["销售顾问", "实习销售顾问"], "titles", "titles",
               "seed 000 D1 「销售顾问」接待来店/来电客户"),
    SettingDef("people.consultant_titles", ["销售顾问", "实习销售顾问"], "titles", "titles",
               "seed 000 D1 「全体销售顾问抽签决定值班顺序」"),
    SettingDef("people.technician_titles", ["维修人员", "客服工程师"], "titles", "titles",
               "seed 000 D8 部门经理派工给维修人员"),
    SettingDef("people.staff_titles", [], "titles", "titles", "(assumed) any active member of staff"),
]


@dataclass(frozen=True)
class Candidate:
    """A person as pickers see them: name, 工号 and team, so two people with one name differ (T2)."""

    id: int
    name: str
    staff_no: str
    team: str
    titles: tuple[str, ...] = ()
    role: str = "staff"
    active: bool = True


def may_hold(candidate: Candidate, allowed_titles: list[str] | tuple[str, ...]) -> bool:
    """Whether a person may be picked for a kind whose setting lists ``allowed_titles`` (T2)."""
    if not candidate.active or candidate.role not in PERSON_ROLES:
        return False
    return not allowed_titles or bool(set(candidate.titles) & set(allowed_titles))


def label(candidate: Candidate) -> str:
    """「姓名（工号 · 团队）」: name, staff number and team on every picker (T2)."""
    extra = " · ".join(part for part in (candidate.staff_no, candidate.team) if part)
    return f"{candidate.name}（{extra}）" if extra else candidate.name
