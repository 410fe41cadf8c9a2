"""Which pages each role sees; titles from the catalog (Home.py builds ``st.navigation`` from this)."""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("admin", "supervisor", "staff", "display")
WRITERS = ("admin", "supervisor", "staff")
SUPERVISORS = ("admin", "supervisor")
ADMINS = ("admin",)


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
    PageSpec("pages/admin_users.py", "nav.users", ":material/group:", "nav.section.admin", ADMINS, "users"),
    PageSpec("pages/admin_org.py", "nav.org", ":material/account_tree:", "nav.section.admin", ADMINS, "org"),
    PageSpec("pages/admin_settings.py", "nav.settings", ":material/tune:", "nav.section.admin", ADMINS, "settings"),
    PageSpec("pages/admin_audit.py", "nav.audit", ":material/history:", "nav.section.admin", SUPERVISORS, "audit"),
    PageSpec("pages/account.py", "nav.account", ":material/person:", "nav.section.me", WRITERS, "account"),
    # -- M1 duty rotation (issue 3) --
    # -- M3 complaints and service requests (issue 5) --
    # -- M2.3-2.5 showroom customers (issue 4) --
    # -- M4 KPIs and wall display (issue 6) --
]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
