"""Customer data by need: who sees a ticket's customer in full, and how others see it masked (R7).

Pure rules: the service gathers who works on the record and passes plain ids and titles.
Reading (assumed, as the issue states it): the people who work on a ticket are its assignee,
its technician, whoever logged it, its group (the org group of the assignee), the staff who
made a follow-up call on it, supervisors and the customer-service titles; everybody else sees
the phone as 138****0000, the address as its first 6 characters and ***, the name as 张**.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from lib.domain.settings import SettingDef

SUPERVISOR_ROLES = ("admin", "supervisor")

SETTINGS = [
    SettingDef("privacy.customer_service_titles", ["客服部经理", "客服主管", "客服专员"], "titles", "titles",
               "seed 004 D19 客服部 (订单组、投诉组、客服组) handles every customer's ticket; R7 customer data by need"),
]

MASK = "*"
ADDRESS_KEEP = 6


@dataclass(frozen=True)
class Viewer:
    """Who is looking: user id, role and titles, and the org group they belong to."""

    id: int | None
    role: str
    titles: tuple[str, ...] = ()
    group_id: int | None = None


@dataclass(frozen=True)
class RecordPeople:
    """Who works on one ticket: the people named on it, the group it sits with, its callback staff."""

    named: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    callback_staff: frozenset[int] = frozenset()
    assigned: bool = True


def is_customer_service(viewer: Viewer, cs_titles: Collection[str]) -> bool:
    """A customer-service title works on every customer's ticket (seed 004 D19)."""
    return any(title in cs_titles for title in viewer.titles)


def works_on(viewer: Viewer, record: RecordPeople, cs_titles: Collection[str]) -> bool:
    """Whether the viewer works on the record, so sees its customer in full (R7)."""
    if viewer.id is None:
        return False
    if viewer.role in SUPERVISOR_ROLES or is_customer_service(viewer, cs_titles):
        return True
    if viewer.id in record.named or viewer.id in record.callback_staff:
        return True
    return viewer.group_id is not None and viewer.group_id in record.group_ids


def is_own(viewer: Viewer, record: RecordPeople, cs_titles: Collection[str]) -> bool:
    """On the record for a reason other than being a supervisor: an unmasked supervisor read outside it is audited."""
    return viewer.id is not None and works_on(Viewer(viewer.id, "staff", viewer.titles, viewer.group_id),
                                              record, cs_titles)


def may_note(viewer: Viewer, record: RecordPeople, cs_titles: Collection[str]) -> bool:
    """Who may add a note to a ticket (R6): its assignee and the people named on it, its group's
    members, customer-service titles and supervisors; an unclaimed ticket, which any writer may take, to any writer."""
    if viewer.role not in ("admin", "supervisor", "staff"):
        return False
    if not record.assigned:
        return True
    return works_on(viewer, RecordPeople(record.named, record.group_ids), cs_titles)


def mask_phone(phone: str) -> str:
    """138****0000: the first 3 and last 4 characters kept, 4 stars between; short numbers keep their last 2."""
    text = (phone or "").strip()
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + MASK * 4 + text[-4:]
    if len(text) > 2:
        return MASK * (len(text) - 2) + text[-2:]
    return MASK * len(text)


def mask_address(address: str) -> str:
    """The first 6 characters and *** (the district, not the door)."""
    text = (address or "").strip()
    if not text:
        return ""
    return text[:ADDRESS_KEEP] + MASK * 3


def mask_name(name: str) -> str:
    """The family name and a star per further character: 张三丰 → 张**."""
    text = (name or "").strip()
    if not text:
        return ""
    return text[0] + MASK * max(len(text) - 1, 1)


def sees_in_full(viewer: Viewer, people: Collection[int | None], titles: Collection[str]) -> bool:
    """A record worked on by ``people`` (its owner, receiver, registrar, ...): shown in full to them, to
    supervisors and to the given titles (the showroom's sheet signers, customer service), masked for others (R7)."""
    return works_on(viewer, RecordPeople(named=frozenset(i for i in people if i is not None)), titles)


def outsider_read(viewer: Viewer, people: Collection[int | None], titles: Collection[str]) -> bool:
    """Seen in full only because of the viewer's role: such a read of personal data is audited (R7)."""
    named = RecordPeople(named=frozenset(i for i in people if i is not None))
    return works_on(viewer, named, titles) and not is_own(viewer, named, titles)


# A mobile number (138 1234 5678, 138-1234-5678), a landline with its area code (021-12345678) or any run of
# 7 or more digits; dates (2026-01-05) and times are not phones.
_PHONE_IN_TEXT = re.compile(r"(?<![\d-])(?:1\d{2}[- ]\d{4}[- ]\d{4}|0\d{2,3}-\d{7,8}|\+?\d{7,})(?![\d-])")


def mask_phones_in(text: str) -> str:
    """Free text (a note, a ticket step, a contact's details) with every phone number in it masked (R7)."""
    if not text:
        return text
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))), text)


def mask_phones_deep(value: object) -> object:
    """``mask_phones_in`` applied to every string of a JSON-like value (a ticket step's data)."""
    if isinstance(value, str):
        return mask_phones_in(value)
    if isinstance(value, dict):
        return {k: mask_phones_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_phones_deep(v) for v in value]
    return value
