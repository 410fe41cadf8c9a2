"""Menus by job (issue 15): which pages each job uses, as a setting an admin edits; roles still gate access.

``nav.job_pages`` is a list of records ``{"titles": [...], "pages": [...]}``: anyone holding one of the
titles sees those pages (url paths of :data:`lib.navigation.PAGES`) first in the menu, in that order.
Every page their role allows stays reachable under "all pages"; a person whose titles are in no record
(and every admin) keeps the role menu as before. ``require_role`` on each page remains the guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lib.domain.settings import SettingDef, bad_text, TITLE_MAX
from lib.navigation import PAGES

KEY = "nav.job_pages"
SLUGS = tuple(p.url_path for p in PAGES if p.url_path != "kiosk")
NO_JOB_MENU = ("admin", "display")  # admins keep everything; the TV has no menu

TICKETS = ["my-tickets", "ticket-intake", "callbacks", "ticket", "ticket-board", "dispatch"]
# office defaults (seeds: 客服 handles tickets; 中控 the duty log and handovers; 前台 the visitors; 销售 the showroom)
DEFAULT_JOB_PAGES: list[dict[str, list[str]]] = [
    {"titles": ["客服专员", "客服主管", "客服部经理", "客服工程师"], "pages": TICKETS},
    {"titles": ["中控员", "秩序维护主管"], "pages": ["handover", "on-duty", "roster", "requests", "registers"]},
    {"titles": ["前台接待员"], "pages": ["visitors", "messages", "expected-visitors", "receptions", "access-log",
                                        "kiosk-links"]},
    {"titles": ["销售顾问", "实习销售顾问", "销售经理"],
     "pages": ["queue", "showroom-register", "my-customers", "day-sheet", "enquiries", "sales-ranking"]},
]


def check_job_pages(value: object) -> str | None:
    """Each record names at least one title (short, plain text) and only known pages, each once."""
    if not isinstance(value, list):
        return "settings.schema.job_pages"
    for record in value:
        if not isinstance(record, dict) or set(record) != {"titles", "pages"}:
            return "settings.schema.job_pages"
        titles, pages = record["titles"], record["pages"]
        if not isinstance(titles, list) or not titles or not all(isinstance(x, str) for x in titles):
            return "settings.schema.job_pages"
        if any(bad_text(x, TITLE_MAX) for x in titles):
            return "settings.schema.job_pages"
        if not isinstance(pages, list) or not all(isinstance(p, str) and p in SLUGS for p in pages):
            return "settings.schema.job_pages"
        if len(set(pages)) != len(pages):
            return "settings.schema.job_pages"
    return None


SETTINGS = [
    SettingDef(KEY, DEFAULT_JOB_PAGES, "json", "titles → pages",
               "issue 15: the menu shows each person the pages their job uses (客服→工单, 中控→交接/值班, "
               "前台→来访, 销售→展厅)", validate=check_job_pages),
]


def job_pages(titles: Iterable[str], mapping: Sequence[dict], allowed: Iterable[str]) -> list[str]:
    """The pages this person's titles use, in the setting's order, limited to ``allowed`` (what their role
    may open); empty when no record names one of their titles."""
    held, may = set(titles), set(allowed)
    out: list[str] = []
    for record in mapping or []:
        if held & set(record.get("titles") or ()):
            out.extend(p for p in record.get("pages") or () if p in may and p not in out)
    return out
