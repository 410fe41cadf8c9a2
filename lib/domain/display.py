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

from lib.domain.errors import FieldError, ValidationFailed
from lib.domain.settings import TITLE_MAX, SettingDef, bad_text


class Panel(StrEnum):
    QUEUE = "queue"
    ON_DUTY = "on_duty"
    SALES_RANKING = "sales_ranking"
    QUARTERLY_TOP = "quarterly_top"
    TEAM_RANKING = "team_ranking"
    SATISFACTION = "satisfaction"
    FUND = "fund"


PANEL_ORDER: tuple[Panel, ...] = tuple(Panel)


def panel_order_problem(value: object) -> str | None:
    """Schema of ``display.panel_order`` (issue 12 R8): names without repeats, at least one a known panel
    (the wall skips a name it does not know)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and not bad_text(v, TITLE_MAX) for v in value):
        return "settings.schema.panel_order"
    if len(set(value)) != len(value) or not {p.value for p in Panel} & set(value):
        return "settings.schema.panel_order"
    return None


SETTINGS: list[SettingDef] = [
    SettingDef("display.refresh_seconds", 60, "int", "s", "(assumed)", minimum=10, maximum=3600),
    SettingDef("display.panel_order", [p.value for p in PANEL_ORDER], "json", "—", "(assumed)",
               validate=panel_order_problem),
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
# What a customer-facing wall leaves out (T12): 末位/降级 labels and per-person money.
PRIVATE_FIELDS: dict[Panel, frozenset[str]] = {
    Panel.SALES_RANKING: frozenset({"is_last", "demoted"}),
    Panel.QUARTERLY_TOP: frozenset({"bonus"}),
}
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
    """Privacy mode: keep the surname and the last character, star the middle (T12; SPEC 4.7, assumed).

    孙小俊 → 孙*俊, 欧阳娜娜 → 欧阳*娜, 张三 → 张* (two characters keep the surname only),
    a one-character name is starred whole; the middle dot of minority names is kept.
    """
    name = name.strip()
    return _masked(name, _kept_positions(name, compound_surnames))


def _kept_positions(name: str, compound_surnames: Collection[str]) -> set[int]:
    if len(name) <= 1:
        return set()
    if len(name) == 2:
        return {0}
    surname = 2 if name[:2] in compound_surnames else 1
    kept = set(range(surname)) | {i for i, ch in enumerate(name) if ch in "·・"}
    return kept | ({len(name) - 1} if len(name) > surname + 1 else set())


def _masked(name: str, kept: Collection[int]) -> str:
    return "".join(ch if i in kept else "*" for i, ch in enumerate(name))


def mask_names(names: Sequence[str], compound_surnames: Collection[str] = COMPOUND_SURNAMES) -> list[str]:
    """Masked names that stay distinguishable: where two different names would mask alike (张伟/张玮 → 张*),
    reveal the first starred place where they differ, until every different name reads differently (T12).
    """
    names = [n.strip() for n in names]
    kept = [_kept_positions(n, compound_surnames) for n in names]
    while True:
        groups: dict[str, set[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault(_masked(name, kept[i]), set()).add(i)
        clashes = [g for g in groups.values() if len({names[i] for i in g}) > 1]
        if not clashes:
            return [_masked(n, k) for n, k in zip(names, kept)]
        for group in clashes:
            members = sorted(group)
            place = next(p for p in range(len(names[members[0]]))
                         if len({names[i][p] for i in members}) > 1 and any(p not in kept[i] for i in members))
            for i in members:
                kept[i].add(place)


def scrub_phones(text: str) -> str:
    """Blank anything that looks like a phone number (SPEC S55)."""
    return _PHONE.sub("***", text)


def _clean_row(kind: Panel, row: Mapping[str, object], privacy: bool) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    hidden = PRIVATE_FIELDS.get(kind, frozenset()) if privacy else frozenset()
    for key in PANEL_FIELDS[kind]:
        if key not in row or key in hidden:
            continue
        value = row[key]
        cleaned[key] = scrub_phones(value) if isinstance(value, str) else value
    return cleaned


def _clean_rows(kind: Panel, rows: Sequence[Mapping[str, object]], privacy: bool) -> tuple[dict[str, object], ...]:
    cleaned = [_clean_row(kind, r, privacy) for r in rows]
    if privacy:
        named = [r for r in cleaned if isinstance(r.get("name"), str)]
        for row, masked in zip(named, mask_names([str(r["name"]) for r in named])):
            row["name"] = masked
    return tuple(cleaned)


def wall_panels(
    data: Mapping[str, Iterable[Mapping[str, object]]],
    privacy: bool,
    order: Sequence[str] = tuple(p.value for p in PANEL_ORDER),
) -> list[WallPanel]:
    """Wall panels in rotation order, without customer data, phones or fines (SPEC 4.7; seed 000 D1 「公开公正」).

    ``data`` maps a panel name to its rows (plain dicts); panels without data are
    left out. The quarterly panel shows only the top 8 (seed 003 M#13). With
    ``privacy`` (a customer-facing TV, T12) names are masked but stay distinguishable
    within a panel, and 末位/降级 labels and bonuses are left out.
    """
    panels = []
    for name in order:
        kind = Panel(name)
        if kind not in data:
            continue
        rows = list(data[kind])
        if kind is Panel.QUARTERLY_TOP:
            rows = [r for r in rows if int(r.get("rank", QUARTERLY_TOP_SIZE + 1)) <= QUARTERLY_TOP_SIZE]
        panels.append(WallPanel(kind, f"display.panel.{kind.value}", _clean_rows(kind, rows, privacy)))
    return panels


# ---- what one TV shows: its display link's profile (T12) ---------------------------------------------------

class Layout(StrEnum):
    SPLIT = "split"  # today's queue always on the left, the chosen panels rotating on the right
    QUEUE_ONLY = "queue_only"  # a showroom TV: the queue alone
    PANELS = "panels"  # a back-office TV: the chosen panels rotating full screen


ROTATING_PANELS: tuple[Panel, ...] = tuple(p for p in Panel if p not in (Panel.QUEUE, Panel.FUND))
DEFAULT_PANELS: tuple[Panel, ...] = ROTATING_PANELS


@dataclass(frozen=True)
class DisplayProfile:
    """What a TV shows; customer-safe by default: names masked, no fines fund (T12, assumed)."""

    layout: Layout = Layout.SPLIT
    panels: tuple[Panel, ...] = DEFAULT_PANELS
    privacy: bool = True
    show_fund: bool = False


def encode_panels(panels: Iterable[Panel | str]) -> str:
    return ",".join(Panel(p).value for p in panels)


def decode_panels(text: str | None) -> tuple[Panel, ...]:
    """Stored panel list back to panels; unknown names dropped, an empty list means the default set."""
    known = {p.value for p in ROTATING_PANELS}
    panels = tuple(Panel(v) for v in (text or "").split(",") if v.strip() in known)
    return panels or DEFAULT_PANELS


def make_profile(layout: object, panels: Iterable[object], privacy: object, show_fund: object) -> DisplayProfile:
    """A checked profile from a form (T12): a known layout, known panels, and something to rotate
    when the layout rotates panels."""
    errors: list[FieldError] = []
    try:
        chosen_layout = Layout(str(layout))
    except ValueError:
        errors.append(FieldError("display_layout", "display.profile.bad_layout"))
        chosen_layout = Layout.SPLIT
    known = {p.value: p for p in ROTATING_PANELS}
    names = [str(getattr(p, "value", p)) for p in panels]
    chosen = [known[n] for n in names if n in known]
    if len(chosen) != len(names):
        errors.append(FieldError("display_panels", "display.profile.bad_panel"))
    elif chosen_layout is not Layout.QUEUE_ONLY and not chosen and not show_fund:
        errors.append(FieldError("display_panels", "display.profile.no_panels"))
    if errors:
        raise ValidationFailed(errors)
    return DisplayProfile(chosen_layout, tuple(dict.fromkeys(chosen)), bool(privacy), bool(show_fund))


def rotating(profile: DisplayProfile, order: Sequence[str]) -> tuple[Panel, ...]:
    """The panels that take turns on this TV: the office's ``display.panel_order`` kept to what the
    link allows (T11, T12). The queue never rotates (it is the fixed left side, or the whole of a
    queue-only TV); the fines fund only when the link allows it.
    """
    if profile.layout is Layout.QUEUE_ONLY:
        return ()
    allowed = {p.value for p in profile.panels} | ({Panel.FUND.value} if profile.show_fund else set())
    return tuple(dict.fromkeys(Panel(p) for p in order if p in allowed))


def panel_index(elapsed_seconds: float, panel_count: int, refresh_seconds: int = 60) -> int:
    """Which panel shows after ``elapsed_seconds``: each stays ``display.refresh_seconds`` (SPEC 4.7, assumed 60 s)."""
    if panel_count < 1:
        return 0
    return int(elapsed_seconds // max(1, refresh_seconds)) % panel_count
