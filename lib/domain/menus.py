"""Menus by job (issue 15): which pages each job uses, as a setting an admin edits; roles still gate access.

``nav.job_pages`` is a list of records ``{"titles": [...], "pages": [...]}``; the menu is decided by titles and
department (issue 15 M4). ``titles`` holds titles and departments, a department written ``dept:<org-unit id>``
(the admin's grid shows it by name; an id survives a rename). A record is for a person holding one of its
titles (if it names any) in one of its departments (if it names any): ``["部门经理", "dept:3"]`` is the
部门经理 of department 3 only, ``["dept:5"]`` everyone in department 5, ``["客服专员"]`` every 客服专员 as
before, so the records written before departments keep their meaning. The matching records' pages (url
paths of :data:`lib.navigation.PAGES`) come first in the menu, in the setting's order.
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


DEPARTMENT = "dept:"


def department_key(unit_id: int) -> str:
    """How a department stands among a record's titles (issue 15 M4)."""
    return f"{DEPARTMENT}{unit_id}"


def department_of(entry: str) -> int | None:
    """The org-unit id a ``dept:<id>`` entry names; None for a title (or a malformed entry)."""
    if not entry.startswith(DEPARTMENT):
        return None
    digits = entry[len(DEPARTMENT):]
    return int(digits) if digits.isascii() and digits.isdigit() and int(digits) > 0 else None


def check_job_pages(value: object) -> str | None:
    """Each record names at least one title or department (short, plain text; a department as
    ``dept:<positive id>``) and only known pages, each once."""
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
        if any(x.startswith(DEPARTMENT) and department_of(x) is None for x in titles):
            return "settings.schema.job_pages"
        if not isinstance(pages, list) or not all(isinstance(p, str) and p in SLUGS for p in pages):
            return "settings.schema.job_pages"
        if len(set(pages)) != len(pages):
            return "settings.schema.job_pages"
    return None


SETTINGS = [
    SettingDef(KEY, DEFAULT_JOB_PAGES, "json", "titles, departments → pages",
               "issue 15: the menu shows each person the pages their job uses (客服→工单, 中控→交接/值班, "
               "前台→来访, 销售→展厅)", validate=check_job_pages),
]


def matches(entries: Iterable[str], titles: Iterable[str], departments: Iterable[int | None]) -> bool:
    """Whether a record's titles are this person's job: one of its titles held (if it names titles) and in
    one of its departments (if it names departments) (issue 15 M4)."""
    named = [department_of(e) for e in entries]
    wanted_units = {u for u in named if u is not None}
    wanted_titles = {e for e, u in zip(entries, named) if u is None and not e.startswith(DEPARTMENT)}
    if not wanted_titles and not wanted_units:
        return False
    return ((not wanted_titles or bool(wanted_titles & set(titles)))
            and (not wanted_units or bool(wanted_units & set(departments))))


def job_pages(titles: Iterable[str], mapping: Sequence[dict], allowed: Iterable[str],
              departments: Iterable[int | None] = ()) -> list[str]:
    """The pages this person's titles and department use, in the setting's order, limited to ``allowed``
    (what their role may open); empty when no record matches them."""
    held, units, may = tuple(titles), tuple(d for d in departments if d is not None), set(allowed)
    out: list[str] = []
    for record in mapping or []:
        if matches(list(record.get("titles") or ()), held, units):
            out.extend(p for p in record.get("pages") or () if p in may and p not in out)
    return out
