"""Wall display helpers (SPEC M4 4.7): which panels rotate, in what order, and what
each may show. The wall runs under the ``display`` role, so it never shows customer
data, phone numbers or per-person fines (assumed).

Each panel keeps only the fields on its allow-list; anything else in the input
(customer names, phones, fines) is dropped, and digits that look like a phone number
are blanked in the text that remains.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lib.domain.settings import SettingDef


class Panel(StrEnum):
    QUEUE = "queue"
    ON_DUTY = "on_duty"
    SALES_RANKING = "sales_ranking"
    QUARTERLY_TOP = "quarterly_top"
    TEAM_RANKING = "team_ranking"
    SATISFACTION = "satisfaction"
    FUND = "fund"


PANEL_ORDER: tuple[Panel, ...] = tuple(Panel)

SETTINGS: list[SettingDef] = [
    SettingDef("display.refresh_seconds", 60, "int", "s", "(assumed)", minimum=10, maximum=3600),
    SettingDef("display.panel_order", [p.value for p in PANEL_ORDER], "json", "—", "(assumed)"),
    SettingDef("display.privacy_mode", False, "bool", "—", "(assumed)"),
]

PANEL_FIELDS: dict[Panel, tuple[str, ...]] = {
    Panel.QUEUE: ("position", "post", "name", "group"),
    Panel.ON_DUTY: ("post", "name", "first_responsible", "shift"),
    Panel.SALES_RANKING: ("rank", "name", "units", "is_last", "demoted"),
    Panel.QUARTERLY_TOP: ("rank", "name", "score", "bonus"),
    Panel.TEAM_RANKING: ("rank", "team", "points", "score"),
    Panel.SATISFACTION: ("metric", "value", "target"),
    Panel.FUND: ("collected", "outstanding", "total"),
}
NAME_FIELDS = frozenset({"name"})
QUARTERLY_TOP_SIZE = 8

# Data, not UI text: two-character surnames kept whole when masking.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙", "宇文", "司徒", "端木", "南宫", "西门", "独孤"}
)

# Mobiles (138 0013 8000), landlines with area code (010-12345678) and any run of 7+ digits;
# dates such as 2026-05-01 stay readable.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(?:1\d{2}[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8}|\d{7,})(?!\d)")


@dataclass(frozen=True)
class WallPanel:
    """One rotating panel: its kind, title catalog key and cleaned rows."""

    kind: Panel
    title_key: str
    rows: tuple[Mapping[str, object], ...]


def mask_name(name: str, compound_surnames: Collection[str] = COMPOUND_SURNAMES) -> str:
    """Privacy mode: keep the surname, star the given name, 张三 → 张*, 欧阳娜娜 → 欧阳** (SPEC 4.7, assumed).

    A one-character name is starred whole; the middle dot of minority names is kept.
    """
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    keep = 2 if len(name) > 2 and name[:2] in compound_surnames else 1
    return name[:keep] + "".join("·" if ch in "·・" else "*" for ch in name[keep:])


def scrub_phones(text: str) -> str:
    """Blank anything that looks like a phone number (SPEC S55)."""
    return _PHONE.sub("***", text)


def _clean_row(kind: Panel, row: Mapping[str, object], privacy: bool) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    for key in PANEL_FIELDS[kind]:
        if key not in row:
            continue
        value = row[key]
        if isinstance(value, str):
            value = scrub_phones(value)
            if privacy and key in NAME_FIELDS:
                value = mask_name(value)
        cleaned[key] = value
    return cleaned


def wall_panels(
    data: Mapping[str, Iterable[Mapping[str, object]]],
    privacy: bool,
    order: Sequence[str] = tuple(p.value for p in PANEL_ORDER),
) -> list[WallPanel]:
    """Wall panels in rotation order, without customer data, phones or fines (SPEC 4.7; seed 000 D1 「公开公正」).

    ``data`` maps a panel name to its rows (plain dicts); panels without data are
    left out. The quarterly panel shows only the top 8 (seed 003 M#13). With
    ``privacy`` the names are masked.
    """
    panels = []
    for name in order:
        kind = Panel(name)
        if kind not in data:
            continue
        rows = list(data[kind])
        if kind is Panel.QUARTERLY_TOP:
            rows = [r for r in rows if int(r.get("rank", QUARTERLY_TOP_SIZE + 1)) <= QUARTERLY_TOP_SIZE]
        panels.append(WallPanel(kind, f"display.panel.{kind.value}", tuple(_clean_row(kind, r, privacy) for r in rows)))
    return panels


def panel_index(elapsed_seconds: float, panel_count: int, refresh_seconds: int = 60) -> int:
    """Which panel shows after ``elapsed_seconds``: each stays ``display.refresh_seconds`` (SPEC 4.7, assumed 60 s)."""
    if panel_count < 1:
        return 0
    return int(elapsed_seconds // max(1, refresh_seconds)) % panel_count
