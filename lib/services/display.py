"""Wall display (SPEC M4 4.7): display links and the data of each rotating panel.

A display link is a random token an admin creates for a TV; only its SHA-256 is
stored, it can be revoked, and it reaches the wall page only (checked on every run).
Each refresh computes just the panel on screen, from today's or this period's rows
by indexed columns, then the domain keeps only the fields the wall may show (no
customer data, phones or per-person fines; names masked in privacy mode, S55).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import DisplayLink
from lib import cache
from lib.domain import display as rules
from lib.domain.display import DisplayProfile, Panel, WallPanel, decode_panels, encode_panels, make_profile
from lib.domain.errors import DomainError
from lib.domain.kpi import satisfaction_target
from lib.services import ledger, link_tokens, roster, rotation, settings
from lib.services.kpi import rankings as kpi
from lib.services.base import ADMINS, Actor, acting, audit, require, utcnow
from lib.services.kpi.common import kpi_settings, month_bounds, names, office_today

token_hash = link_tokens.token_hash


@dataclass(frozen=True)
class LinkRow:
    id: int
    label: str
    privacy: bool
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str
    active: bool
    profile: DisplayProfile = DisplayProfile()


@dataclass(frozen=True)
class WallAccess:
    """A valid display link: which one, whether it masks names, and what its TV shows (T12)."""

    link_id: int
    label: str
    privacy: bool
    profile: DisplayProfile = DisplayProfile()


def _profile(row: DisplayLink) -> DisplayProfile:
    return make_profile(row.layout, decode_panels(row.panels), row.privacy, row.show_fund)


def _profile_facts(profile: DisplayProfile) -> dict[str, object]:
    return {"layout": profile.layout.value, "panels": encode_panels(profile.panels), "privacy": profile.privacy,
            "show_fund": profile.show_fund}


@acting
def create_link(engine: Engine, *, actor: Actor, label: str, privacy: bool = True, layout: str = "split",
                panels: list[str] | tuple[str, ...] | None = None, show_fund: bool = False,
                now: dt.datetime | None = None) -> tuple[int, str]:
    """A new display link with its TV's profile (customer-safe unless chosen otherwise, T12); the token is
    returned once and only its hash is kept (SPEC 4.7)."""
    require(actor, ADMINS)
    now = now or utcnow()
    label = link_tokens.checked_label("display_label", label)
    profile = make_profile(layout, decode_panels(None) if panels is None else panels, privacy, show_fund)
    token, hashed = link_tokens.new_token()
    with session_scope(engine) as session:
        row = DisplayLink(label=label, token_hash=hashed, created_by_id=actor.id, created_at=now,
                          **_profile_facts(profile))
        session.add(row)
        session.flush()
        audit(session, actor=actor, entity="kpi_display_link", entity_id=row.id, action="create",
              after={"label": label, **_profile_facts(profile)}, at=now)
        return row.id, token


@acting
def update_link(engine: Engine, *, actor: Actor, link_id: int, layout: str, panels: list[str] | tuple[str, ...],
                privacy: bool, show_fund: bool, now: dt.datetime | None = None) -> bool:
    """Change what a TV shows (T12); the wall picks it up at its next refresh. False when nothing changed
    (no audit row then); a revoked link is refused."""
    require(actor, ADMINS)
    now = now or utcnow()
    profile = make_profile(layout, panels, privacy, show_fund)
    with session_scope(engine) as session:
        row = session.get(DisplayLink, link_id)
        if row is None:
            raise DomainError("display.link_not_found")
        if row.revoked_at is not None:
            raise DomainError("display.link_already_revoked")
        before, after = _profile_facts(_profile(row)), _profile_facts(profile)
        if before == after:
            return False
        for key, value in after.items():
            setattr(row, key, value)
        session.add(row)
        audit(session, actor=actor, entity="kpi_display_link", entity_id=link_id, action="update",
              before=before, after=after, at=now)
        return True


@acting
def revoke_link(engine: Engine, *, actor: Actor, link_id: int, reason: str = "",
                now: dt.datetime | None = None) -> None:
    """Revoke a link: the next refresh of a wall using it says it was revoked."""
    link_tokens.revoke(engine, actor=actor, model=DisplayLink, row_id=link_id, reason=reason,
                       entity="kpi_display_link", reason_field="display_reason",
                       not_found_key="display.link_not_found", already_key="display.link_already_revoked", now=now)


def links(engine: Engine, *, actor: Actor) -> list[LinkRow]:
    require(actor, ADMINS)
    with session_scope(engine, write=False) as session:
        rows = list(session.exec(select(DisplayLink).order_by(DisplayLink.revoked_at.is_not(None),
                                                              DisplayLink.created_at.desc())))
        who = names(session, [r.created_by_id for r in rows] + [r.revoked_by_id for r in rows])
    return [LinkRow(r.id, r.label, r.privacy, who.get(r.created_by_id, ""), r.created_at, r.revoked_at,
                    who.get(r.revoked_by_id, ""), r.revoked_at is None, _profile(r)) for r in rows]


def _link_of(engine: Engine, token: object) -> DisplayLink | None:
    return link_tokens.find(engine, DisplayLink, token)


def wall_access(engine: Engine, token: object) -> WallAccess | None:
    """The link a token opens, if it is well-formed, known and not revoked (one unique-index lookup)."""
    row = _link_of(engine, token)
    if row is None or row.revoked_at is not None:
        return None
    return WallAccess(row.id, row.label, row.privacy, _profile(row))


def token_revoked(engine: Engine, token: object) -> bool:
    """True when the token belonged to a link that was revoked (the TV then says so, T10)."""
    row = _link_of(engine, token)
    return row is not None and row.revoked_at is not None


def wall_token_valid(engine: Engine, token: object) -> bool:
    return wall_access(engine, token) is not None


# ---- the panels --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WallConfig:
    refresh_seconds: int
    order: tuple[str, ...]
    privacy: bool


def wall_config(engine: Engine) -> WallConfig:
    """Refresh interval, panel order and privacy mode from the settings (unknown panel names dropped)."""
    values = settings.values(engine, [d.key for d in rules.SETTINGS])
    known = {p.value for p in Panel}
    order = tuple(p for p in values["display.panel_order"] if p in known) or tuple(p.value for p in rules.PANEL_ORDER)
    return WallConfig(int(values["display.refresh_seconds"]), order, bool(values["display.privacy_mode"]))


@dataclass(frozen=True)
class PanelView:
    """One panel ready to draw: cleaned rows, and the period they cover (a month, a quarter, a year)."""

    panel: WallPanel
    period: str


def _rows(engine: Engine, panel: Panel, now: dt.datetime) -> tuple[list[dict], str]:
    if panel is Panel.QUEUE:
        return rotation.wall_queue(engine, now=now), ""
    if panel is Panel.ON_DUTY:
        return roster.wall_on_duty(engine, now=now), ""
    if panel is Panel.SALES_RANKING:
        month, rows = kpi.wall_sales(engine, now=now)
        return rows, month.strftime("%Y-%m") if month else ""
    if panel is Panel.QUARTERLY_TOP:
        label, rows = kpi.wall_quarter(engine)
        return rows, label
    with session_scope(engine, write=False) as session:
        today = office_today(session, now)
        if panel is Panel.TEAM_RANKING:
            rows = ledger.team_ranking_in(session, today)
            return [{"rank": r.rank, "team": r.team, "points": r.points, "score": r.score} for r in rows], \
                today.strftime("%Y-%m")
        if panel is Panel.SATISFACTION:
            first, last = month_bounds(today)
            view = kpi.satisfaction_in(session, first, last)
            if not view.kpis.surveys:
                return [], today.strftime("%Y-%m")
            target = satisfaction_target(today.year, kpi_settings(session))
            k = view.kpis
            return [{"metric": "satisfaction_rate", "value": k.satisfaction_rate, "target": target},
                    {"metric": "average_score", "value": k.average_score, "target": None},
                    {"metric": "resolution_rate", "value": k.resolution_rate, "target": None},
                    {"metric": "charge_rate", "value": k.charge_rate, "target": None}], today.strftime("%Y-%m")
        fund = ledger.fund_view(session, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
        return [{"collected": fund.collected, "outstanding": fund.outstanding, "total": fund.total}], str(today.year)


def shared_panel(engine: Engine, *, panel: str, privacy: bool, every: int) -> PanelView:
    """:func:`wall_panel` for every TV of this app server at once (issue 13 L4): computed once per ``every``
    seconds (the refresh interval, so a TV shows data at most one interval older than its own refresh) and
    again when the settings change, then shared by all sessions. Safe to share: a panel holds only what a
    wall may show anyone, and nothing depends on who is looking but ``privacy``, which is part of the key."""
    now = utcnow()
    bucket = int(now.timestamp()) // max(int(every), 1)
    version = (bucket, cache.versions(engine).get("settings"))
    return cache.cached(engine, ("wall", panel, bool(privacy)), version,
                        lambda: wall_panel(engine, panel=panel, privacy=privacy, now=now))


def wall_panel(engine: Engine, *, panel: str, privacy: bool, now: dt.datetime | None = None) -> PanelView:
    """The data of the one panel on screen, stripped to what the wall may show (SPEC 4.7; S55)."""
    now = now or utcnow()
    kind = Panel(panel)
    rows, period = _rows(engine, kind, now)
    cleaned = rules.wall_panels({kind.value: rows}, privacy=privacy, order=[kind.value])
    return PanelView(cleaned[0], period)
