"""Which pages each role sees; titles from the catalog (Home.py builds ``st.navigation`` from this)."""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("admin", "supervisor", "staff", "display")
WRITERS = ("admin", "supervisor", "staff")
SUPERVISORS = ("admin", "supervisor")
ADMINS = ("admin",)
LINK_ONLY = ("kiosk",)  # no account holds this role: such a page opens only through its device link


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    section_key: str
    roles: tuple[str, ...]
    url_path: str


PAGES = [
    PageSpec("pages/home.py", "nav.home", ":material/home:", "nav.section.main", ALL, "home"),
    PageSpec("pages/visitors.py", "nav.visitors", ":material/badge:", "nav.section.front_desk", WRITERS, "visitors"),
    PageSpec("pages/messages.py", "nav.messages", ":material/call:", "nav.section.front_desk", WRITERS, "messages"),
    PageSpec("pages/visitor_prereg.py", "nav.visitor_prereg", ":material/event_available:", "nav.section.front_desk",
             WRITERS, "expected-visitors"),
    PageSpec("pages/visitor_kiosks.py", "nav.visitor_kiosks", ":material/tablet:", "nav.section.admin", ADMINS,
             "kiosk-links"),
    PageSpec("pages/admin_users.py", "nav.users", ":material/group:", "nav.section.admin", ADMINS, "users"),
    PageSpec("pages/admin_org.py", "nav.org", ":material/account_tree:", "nav.section.admin", ADMINS, "org"),
    PageSpec("pages/admin_settings.py", "nav.settings", ":material/tune:", "nav.section.admin", ADMINS, "settings"),
    PageSpec("pages/admin_notify.py", "nav.admin_notify", ":material/notifications:", "nav.section.admin", ADMINS,
             "notifications"),
    PageSpec("pages/admin_audit.py", "nav.audit", ":material/history:", "nav.section.admin", SUPERVISORS, "audit"),
    PageSpec("pages/account.py", "nav.account", ":material/person:", "nav.section.me", WRITERS, "account"),
    # -- M1 duty rotation (issue 3) --
    PageSpec("pages/rotation_queue.py", "nav.queue", ":material/groups:", "nav.section.rotation", WRITERS, "queue"),
    PageSpec("pages/on_duty.py", "nav.on_duty", ":material/how_to_reg:", "nav.section.rotation", WRITERS, "on-duty"),
    PageSpec("pages/roster.py", "nav.roster", ":material/calendar_month:", "nav.section.rotation", WRITERS, "roster"),
    PageSpec("pages/roster_requests.py", "nav.requests", ":material/swap_horiz:", "nav.section.rotation", WRITERS,
             "requests"),
    PageSpec("pages/handover.py", "nav.handover", ":material/handshake:", "nav.section.rotation", WRITERS,
             "handover"),
    PageSpec("pages/rotation_draw.py", "nav.rotation_draw", ":material/casino:", "nav.section.rotation", SUPERVISORS,
             "queue-admin"),
    # -- M3 complaints and service requests (issue 5) --
    PageSpec("pages/tickets_intake.py", "nav.tickets_intake", ":material/add_call:", "nav.section.tickets", WRITERS,
             "ticket-intake"),
    PageSpec("pages/tickets_mine.py", "nav.tickets_mine", ":material/assignment_ind:", "nav.section.tickets", WRITERS,
             "my-tickets"),
    PageSpec("pages/tickets_board.py", "nav.tickets_board", ":material/dashboard:", "nav.section.tickets",
             SUPERVISORS, "ticket-board"),
    PageSpec("pages/tickets_dispatch.py", "nav.tickets_dispatch", ":material/engineering:", "nav.section.tickets",
             SUPERVISORS, "dispatch"),
    PageSpec("pages/tickets_callbacks.py", "nav.tickets_callbacks", ":material/phone_callback:", "nav.section.tickets",
             WRITERS, "callbacks"),
    PageSpec("pages/ticket_detail.py", "nav.ticket_detail", ":material/receipt_long:", "nav.section.tickets", WRITERS,
             "ticket"),
    # -- M2.3-2.5 showroom customers (issue 4) --
    PageSpec("pages/showroom_register.py", "nav.showroom_register", ":material/person_add:", "nav.section.customers",
             WRITERS, "showroom-register"),
    PageSpec("pages/showroom_daysheet.py", "nav.showroom_daysheet", ":material/fact_check:", "nav.section.customers",
             WRITERS, "day-sheet"),
    PageSpec("pages/showroom_customers.py", "nav.showroom_customers", ":material/contacts:", "nav.section.customers",
             WRITERS, "my-customers"),
    PageSpec("pages/showroom_ownership.py", "nav.showroom_ownership", ":material/gavel:", "nav.section.customers",
             SUPERVISORS, "ownership"),
    PageSpec("pages/showroom_enquiries.py", "nav.showroom_enquiries", ":material/contact_support:",
             "nav.section.front_desk", WRITERS, "enquiries"),
    PageSpec("pages/access_log.py", "nav.access_log", ":material/lock_person:", "nav.section.front_desk", WRITERS,
             "access-log"),
    PageSpec("pages/receptions.py", "nav.receptions", ":material/event:", "nav.section.front_desk", WRITERS,
             "receptions"),
    # -- M4 KPIs and wall display (issue 6) --
    PageSpec("pages/kpi_dashboard.py", "nav.kpi_dashboard", ":material/monitoring:", "nav.section.kpi", SUPERVISORS,
             "kpi"),
    PageSpec("pages/sales_ranking.py", "nav.sales_ranking", ":material/leaderboard:", "nav.section.kpi", WRITERS,
             "sales-ranking"),
    PageSpec("pages/quarterly.py", "nav.quarterly", ":material/emoji_events:", "nav.section.kpi", WRITERS,
             "quarterly"),
    PageSpec("pages/ledger.py", "nav.ledger", ":material/receipt_long:", "nav.section.kpi", WRITERS, "ledger"),
    PageSpec("pages/warning_cases.py", "nav.warnings", ":material/report:", "nav.section.kpi", SUPERVISORS, "warnings"),
    PageSpec("pages/registers.py", "nav.registers", ":material/menu_book:", "nav.section.registers", WRITERS, "registers"),
    PageSpec("pages/admin_registers.py", "nav.admin_registers", ":material/edit_note:", "nav.section.admin", ADMINS,
             "register-definitions"),
    PageSpec("pages/catalogue.py", "nav.catalogue", ":material/rule:", "nav.section.admin", ADMINS, "catalogue"),
    PageSpec("pages/display_links.py", "nav.display_links", ":material/cast:", "nav.section.admin", ADMINS,
             "display-links"),
    PageSpec("pages/wall.py", "nav.wall", ":material/tv:", "nav.section.kpi", ALL, "wall"),
    # in nobody's menu: the entrance tablet opens it by its kiosk link (T21b)
    PageSpec("pages/kiosk.py", "nav.kiosk", ":material/tablet_mac:", "nav.section.front_desk", LINK_ONLY,
             "kiosk"),
]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


def menu_sections(role: str, jobs: list[str] | tuple[str, ...] = ()) -> list[tuple[str, bool, list[PageSpec]]]:
    """The role's menu as ``(section key, under "all pages", pages)`` (issue 15 menus by job).

    Without job pages: the role's sections as always. With them: first a section with home and the job's
    pages (in the job's order), then every other page the role allows, in its own section marked "all
    pages", so nothing the role may open goes out of reach."""
    allowed = pages_for(role)
    by_slug = {p.url_path: p for p in allowed}
    first = [by_slug[s] for s in dict.fromkeys(["home", *jobs]) if s in by_slug]
    if len(first) < 2:  # no job page this role may open: the role menu as before
        first = []
    shown = {p.url_path for p in first}
    sections: dict[str, list[PageSpec]] = {}
    for spec in allowed:
        if spec.url_path not in shown:
            sections.setdefault(spec.section_key, []).append(spec)
    rest = [(key, bool(first), specs) for key, specs in sections.items()]
    return ([("nav.section.job", False, first)] if first else []) + rest
