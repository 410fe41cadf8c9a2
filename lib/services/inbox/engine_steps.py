"""The register engine's open items in the inbox (issue 15 I1, issue 14): approval steps waiting for a title,
loans and hand-ins due back from their keeper, registers due again (a cadence) for their title.

One read of each register's indexed ``due_at`` column (``lib.services.registers.open_dues``), open rows only.
A department-scoped step (its title listed in ``registers.department_titles``) is for holders of the title in
the entry's department; any other step for every holder; a hook due naming a title (``Due.title``: the phone
bill's payment by the 5th, 财务部) for the holders of that title, scoped the same way; a loan or hand-in for the
person who keeps it. A step is never for the person the entry is about (``subject_field``, issue 16 K20): they
may not sign it, so it is not their work.
Each item's link names its register (``Item.link``: ``register=<key>``) beside the entry id, since each register
numbers its entries on its own (issue 15 I8).
Added through :func:`lib.services.inbox.register_provider` when the inbox is imported.
"""

from __future__ import annotations

from sqlmodel import Session

from lib.domain.inbox import Item, Kind
from lib.services import settings
from lib.services.inbox.providers import LIMIT, Context

STEP = "step"
CADENCE = "cadence"  # a register-level recurring due: for the title that keeps the register


def register_items(session: Session, ctx: Context) -> list[Item]:
    """Pending register steps for their title (in the entry's department where the step is scoped) and
    overdue or due loans and hand-ins for their keeper."""
    from lib.services import registers  # the engine's package; imported late so the inbox loads without it

    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)  # session_scope binds a Connection; open_dues opens its own
    scoped = set(settings.current_values(session, ["registers.department_titles"])["registers.department_titles"]
                 or ())
    items = []
    for due in registers.open_dues(engine, ctx.now, limit=LIMIT):
        link = (("register", due.register),)  # the page opens this register's entry (issue 15 I8)
        if due.kind == STEP and due.step_title:
            units = (due.department_id,) if due.step_title in scoped and due.department_id is not None else ()
            items.append(Item(Kind.register_step, due.entry_id, f"registers.title.{due.register}", {}, due.due_at,
                              "registers", "inbox.reason.register_step", for_titles=(due.step_title,),
                              title_units=units, link=link,
                              not_for=(due.subject_id,) if due.subject_id is not None else ()))
        elif due.kind == CADENCE and due.step_title:  # a register due again (monthly inspection, the bill by the 5th)
            items.append(Item(Kind.register_due, due.entry_id, f"registers.title.{due.register}", {}, due.due_at,
                              "registers", f"registers.due.{due.kind}", for_titles=(due.step_title,), link=link))
        elif due.kind != STEP and due.for_title:  # a hook due naming who must act (the bill's payment: 财务部)
            units = (due.department_id,) if due.for_title in scoped and due.department_id is not None else ()
            items.append(Item(Kind.register_due, due.entry_id, f"registers.title.{due.register}", {}, due.due_at,
                              "registers", f"registers.due.{due.kind}", for_titles=(due.for_title,),
                              title_units=units, link=link))
        elif due.kind != STEP:
            items.append(Item(Kind.register_due, due.entry_id, f"registers.title.{due.register}", {}, due.due_at,
                              "registers", f"registers.due.{due.kind}", for_user=due.keeper_id, link=link))
    return items
