"""The pure hooks a register may add to the engine (REGISTERS.md §2.3): no streamlit, no SQL, no clock reads.

Services give the hook an :class:`Entry` and a :class:`Ctx` (the clock, resolved settings, read-only
lookups) and apply what it returns in the same transaction. A register without rules uses
:class:`RegisterHooks` itself: every method is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from lib.domain.errors import FieldError


@dataclass(frozen=True)
class StepView:
    """One step already taken on an entry (who, which title, what)."""

    seq: int
    action: str
    title: str
    actor_id: int | None
    actor_name: str
    at: dt.datetime
    note: str = ""
    step_index: int | None = None


@dataclass(frozen=True)
class Entry:
    """What a hook sees: one entry, typed, with its state and steps."""

    register: str
    id: int | None
    state: str
    values: Mapping[str, object]
    created_by_id: int | None = None
    department_id: int | None = None
    locked_at: dt.datetime | None = None
    steps: tuple[StepView, ...] = ()


class Lookups(Protocol):
    """Read-only ports the services implement (lib/services/registers)."""

    def name_of(self, user_id: int) -> str: ...


@dataclass(frozen=True)
class Ctx:
    now: dt.datetime
    settings: Mapping[str, object] = field(default_factory=dict)
    lookups: Lookups | None = None


@dataclass(frozen=True)
class OpenEntry:
    """An effect: a new entry in a register (e.g. a follow-up), written by the service in the same transaction."""

    register: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class Audit:
    """An effect: one more audit row (e.g. a loan marked overdue)."""

    action: str
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerProposal:
    """An effect: a proposed ledger entry (SPEC M4 4.4) for ``person_id`` under catalogue ``code``, made through
    the ledger service in the register's transaction; the 总经理 confirms or waives it as any other proposal.
    ``amount`` is the code's money fact (a loss, a purchase price), ``quantity`` its per-item multiplier."""

    code: str
    person_id: int
    occurred_on: dt.date
    amount: Decimal | None = None
    quantity: int = 1
    note: str = ""
    traceable: bool = True  # False: nobody is known; the ledger splits ``amount`` over ``person_id``'s team (PH5)


Effect = OpenEntry | Audit | LedgerProposal


@dataclass(frozen=True)
class Due:
    """Something open with a deadline: the inbox lists it, ``overdue`` once ``due_at`` has passed."""

    kind: str  # catalog key under ``registers.due.``
    due_at: dt.datetime
    # the title that must act (any holder; only in the entry's department where the title is department-scoped,
    # ``registers.department_titles``); None: whoever keeps the entry (a loan's borrower, the attendant)
    title: str | None = None


@dataclass(frozen=True)
class Blocker:
    """Why a person cannot leave yet (REGISTERS.md §2.3 DepartureHooks): the entry and a catalog key."""

    register: str
    entry_id: int
    key: str


ACTIONS = ("create", "submit", "approve", "reject", "edit", "correct")


class RegisterHooks:
    """The engine's defaults: derive nothing, accept everything, no effects, no dues, no blockers."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        """Computed field values (merged into the entry before validate)."""
        return {}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        """Cross-field problems, each naming a field."""
        return ()

    def guard(self, entry: Entry, action: str, actor_titles: frozenset[str], ctx: Ctx) -> None:
        """Refuse ``action`` by raising a DomainError with a catalog key."""

    def effects(self, entry: Entry, action: str, ctx: Ctx) -> Sequence[Effect]:
        """What else happens when ``action`` succeeds (applied by the service in the same transaction)."""
        return ()

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        """Open items with a deadline; the earliest is stored as the entry's ``due_at``."""
        return ()

    def blockers(self, entry: Entry, ctx: Ctx) -> Sequence[Blocker]:
        """What this entry holds against its keeper leaving (e.g. an open loan)."""
        return ()

    def blocking_field(self) -> str | None:
        """The person field whose holder an open entry blocks (services query by it; None: the keeper)."""
        return None

    def shown(self, entries: Sequence[Mapping[str, object]], ctx: Ctx) -> Sequence[Mapping[str, object]]:
        """Values shown over the stored ones when entries are read (lists, one entry, exports), one mapping per
        entry: a state another register decides (equipment 维修中 while a repair form is open) without editing a
        locked entry. Called once per page with ``ctx.lookups``; never stored, so never filtered by."""
        return [{} for _ in entries]


NO_HOOKS = RegisterHooks()
