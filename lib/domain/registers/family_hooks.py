"""Hook pieces the seal, lost-and-found, equipment and minor registers share (pure: no streamlit, no SQL).

- :func:`signer`: the name of whoever approved a chain step (a paper form's 审核人 line);
- :class:`AfterApproval`: fields a register fills only once its chain has approved it (用印 is registered after
  the 印章管理员's 用印审核, seed 001 D18; 机房 changes are made after 负责人书面批准, seed 000 D10);
- :func:`not_before`: one time not earlier than another, as a FieldError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain.errors import DomainError, FieldError
from lib.domain.registers.hooks import Ctx, Entry, RegisterHooks


def signer(entry: Entry, index: int) -> str:
    """Who approved step ``index`` since the entry was last submitted ("" while nobody has)."""
    submits = [s.seq for s in entry.steps if s.action == "submit"]
    since = submits[-1] if submits else 0
    names = [s.actor_name for s in entry.steps if s.action == "approve" and s.seq > since and s.step_index == index]
    return names[-1] if names else ""


def is_set(value: object) -> bool:
    return value not in (None, "")


def not_before(entry: Entry, later: str, earlier: str, key: str) -> list[FieldError]:
    """``later`` (a date or datetime) is not before ``earlier``; the error names ``later``."""
    a, b = entry.values.get(later), entry.values.get(earlier)
    if a is None or b is None:
        return []
    if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
        a = a.date() if isinstance(a, dt.datetime) else a
        b = b.date() if isinstance(b, dt.datetime) else b
    return [FieldError(f"reg.{entry.register}.{later}", key)] if a < b else []


class AfterApproval(RegisterHooks):
    """``late`` fields are filled only after the chain approved the entry: refused while it is a draft, waiting
    or rejected (validate names the field; guard refuses the edit with ``refusal``)."""

    late: tuple[str, ...] = ()
    refusal = "registers.not_approved_yet"
    signed_by: str | None = None  # a derived field holding the first step's approver

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {self.signed_by: signer(entry, 0)} if self.signed_by else {}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        if entry.state == "approved":
            return []
        return [FieldError(f"reg.{entry.register}.{name}", self.refusal)
                for name in self.late if is_set(entry.values.get(name))]

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        if action == "edit" and entry.state != "approved" and any(is_set(entry.values.get(n)) for n in self.late):
            raise DomainError(self.refusal)
