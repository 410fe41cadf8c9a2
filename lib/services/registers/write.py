"""Register use cases that write (issue 14 "Life of an entry"): create, submit, approve, reject, edit, correct.

Each is one transaction: re-read the actor (``@acting``), load the entry, ask the pure transition and the
register's hooks, write the entry and its step, apply the hooks' effects, audit. Of two approvers pressing
at once one step is written (the entry's state and step number are re-checked by the UPDATE, and the step
table's ``UNIQUE(register, entry_id, seq)`` backs it); the other is told someone acted first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import session_scope
from lib.domain.errors import Conflict, FieldError, ValidationFailed
from lib.domain.registers import life as L
from lib.domain.registers.hooks import Audit, Ctx, Entry, LedgerProposal, OpenEntry
from lib.domain.registers.model import RegisterDef, coerce
from lib.services import ledger, people
from lib.services.base import WRITERS, Actor, acting, audit, require, snapshot, utcnow
from lib.services.registers import store



def _typed(rdef: RegisterDef, values: Mapping[str, object], names: tuple[str, ...] | None = None) -> dict[str, object]:
    """Typed values of the typed fields (or only ``names``); every problem at once, each naming its field."""
    errors: list[FieldError] = []
    wanted = [f for f in rdef.typed_fields if names is None or f.key in names]
    typed = {f.key: coerce(rdef, f, values.get(f.key), errors) for f in wanted}
    if errors:
        raise ValidationFailed(errors)
    return typed


def _check(session: Session, rdef: RegisterDef, values: dict[str, object], ctx: Ctx, *, row=None,
           exclude_id: int | None = None) -> dict[str, object]:
    """People exist and may be picked, derived fields computed, cross-field rules and unique fields hold."""
    for f in rdef.typed_fields:
        if f.type == "person" and values.get(f.key) is not None:
            people.require_eligible(session, values[f.key], "staff")
    entry = store.entry_of(rdef, row, values, steps=store.steps_of(session, rdef, row.id) if row is not None else ())
    merged = {**values, **store.hooks(rdef).derive(entry, ctx)}
    entry = store.entry_of(rdef, row, merged, steps=entry.steps)
    errors = list(store.hooks(rdef).validate(entry, ctx))
    tbl = store.table(rdef)
    for f in rdef.fields:
        if f.unique and merged.get(f.key) not in (None, ""):
            query = select(tbl.c.id).where(store.field_column(rdef, f.key) == merged[f.key],
                                           tbl.c.superseded_by_id.is_(None), *store.scope(rdef))
            if exclude_id is not None:
                query = query.where(tbl.c.id != exclude_id)
            if session.execute(query.limit(1)).first() is not None:
                errors.append(FieldError(rdef.error_field(f.key), "registers.duplicate", {"field": f.quote}))
    if errors:
        raise ValidationFailed(errors)
    return merged


def _department(session: Session, rdef: RegisterDef, values: Mapping[str, object], actor: Actor) -> int | None:
    """The entry's department: that of the person its ``department_field`` names (the graded 涉密人员), else the
    creator's."""
    if rdef.department_field is not None:
        person = values.get(rdef.department_field)
        if isinstance(person, int) and not isinstance(person, bool):
            return store._Lookups(session).department_of(person)
    return actor.department_id


def _insert(session: Session, rdef: RegisterDef, values: dict[str, object], actor: Actor, now: dt.datetime,
            conf: Mapping[str, object], *, version: int = 1, supersedes_id: int | None = None, reason: str = "",
            idem_key: str | None = None) -> int:
    row = {"stream": store.stream_of(rdef, values), "state": L.DRAFT, "version": version,
           "supersedes_id": supersedes_id,
           "created_by_id": actor.id, "department_id": _department(session, rdef, values, actor), "created_at": now,
           "chain": [],
           "step_no": 0, "reason": reason[:500], "idem_key": idem_key,
           "locked_at": store.lock_deadline(rdef, conf, now), **store.insert_columns(rdef, values)}
    entry_id = session.execute(insert(store.table(rdef)).values(**row)).inserted_primary_key[0]
    store.add_step(session, rdef, entry_id, L.Step("create" if supersedes_id is None else "correct",
                                                   note=reason), actor, now)
    return entry_id


def _write(session: Session, rdef: RegisterDef, row, new: L.Life, step: L.Step, actor: Actor, now: dt.datetime,
           conf: Mapping[str, object], action: str, extra: Mapping[str, object] | None = None) -> None:
    """The step, then the entry's new state, derived fields and next due, if nobody moved it meanwhile."""
    ctx = store.context(session, conf, now)
    old = store.life_of(row, rdef)
    store.hooks(rdef).guard(store.entry_of(rdef, row), action, frozenset(actor.titles), ctx)
    store.add_step(session, rdef, row.id, step, actor, now)
    values = {**store.values_of(rdef, row), **(extra or {})}
    steps = store.steps_of(session, rdef, row.id)
    entry = store.entry_of(rdef, row, values, state=new.state, steps=steps)
    derived = dict(store.hooks(rdef).derive(entry, ctx))
    entry = store.entry_of(rdef, row, {**values, **derived}, state=new.state, steps=steps)
    columns = {**store.life_columns(new), **store.update_columns(rdef, row, {**(extra or {}), **derived}),
               "updated_at": now,
               "due_at": store.due_at(rdef, entry, new, conf, ctx, now)}
    if action == "submit" and rdef.numbered and row.no is None:
        stream = row.stream
        if rdef.stream_field is not None:  # a draft may have changed the field its stream is named by
            stream = columns["stream"] = store.stream_of(rdef, values)
        columns["no"] = store.next_number(session, rdef, stream)
    tbl = store.table(rdef)
    result = session.execute(update(tbl).where(and_(tbl.c.id == row.id, tbl.c.state == old.state,
                                                    tbl.c.step_no == old.step_no,
                                                    tbl.c.superseded_by_id.is_(None))).values(**columns))
    if result.rowcount != 1:
        raise Conflict("registers.step_taken")
    for effect in store.hooks(rdef).effects(entry, action, ctx):
        if isinstance(effect, OpenEntry):
            target = store.definition(effect.register)
            opened = _typed(target, effect.values)
            # the new entry's derived fields are computed as for any other draft (need 7: a seal's status)
            opened.update(store.hooks(target).derive(store.entry_of(target, None, opened), ctx))
            _insert(session, target, opened, actor, now, conf)
        elif isinstance(effect, Audit):
            audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{row.id}", action=effect.action,
                  after=snapshot(dict(effect.detail)), at=now)
        elif isinstance(effect, LedgerProposal):
            ledger.propose_in(session, actor=actor, person_id=effect.person_id, code=effect.code,
                              occurred_on=effect.occurred_on, amount=effect.amount, quantity=effect.quantity,
                              note=effect.note, source=f"{rdef.key}:{row.id}", traceable=effect.traceable, now=now)
    audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{row.id}", action=action,
          before={"state": old.state, "step_no": old.step_no},
          after=snapshot({"state": new.state, "step_no": new.step_no, "title": step.title, **(extra or {})}),
          reason=step.note, at=now)


def _submit(session: Session, rdef: RegisterDef, entry_id: int, actor: Actor, conf, now: dt.datetime) -> None:
    row = store.load(session, rdef, entry_id, lock=True)
    new, step = L.submit(rdef, store.life_of(row, rdef), store.access(actor), chain=store.chain_for(rdef, conf), now=now)
    _write(session, rdef, row, new, step, actor, now, conf, "submit")


def _at_step(session: Session, rdef: RegisterDef, entry_id: int, step_no: int | None):
    row = store.load(session, rdef, entry_id, lock=True)
    if step_no is not None and (row.state != L.PENDING or row.step_no != step_no):
        raise Conflict("registers.step_taken")
    return row


@acting
def create_entry(engine: Engine, *, actor: Actor, register: str, values: Mapping[str, object], submit: bool = True,
                 idem_key: str | None = None, now: dt.datetime | None = None) -> int:
    """A new entry, submitted at once unless ``submit`` is False (a draft). A retried form (same ``idem_key``)
    finds the first entry instead of writing a second (R12)."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    L.check_may_create(rdef, store.access(actor))
    now = now or utcnow()
    typed = _typed(rdef, values)
    with session_scope(engine) as session:
        tbl = store.table(rdef)
        if idem_key:
            found = session.execute(select(tbl.c.id).where(tbl.c.idem_key == idem_key, *store.scope(rdef))).scalar()
            if found is not None:
                return found
        conf = store.settings_for(session)
        ctx = store.context(session, conf, now)
        merged = _check(session, rdef, typed, ctx)
        # the guard sees the draft before it is saved: a rule a draft may not break refuses it here (need 4)
        draft = Entry(register=rdef.key, id=None, state=L.DRAFT, values=merged, created_by_id=actor.id,
                      department_id=_department(session, rdef, merged, actor))
        store.hooks(rdef).guard(draft, "create", frozenset(actor.titles), ctx)
        entry_id = _insert(session, rdef, merged, actor, now, conf, idem_key=idem_key)
        audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{entry_id}", action="create",
              after=snapshot(merged), at=now)
        if submit:
            _submit(session, rdef, entry_id, actor, conf, now)
    return entry_id


def create_in(session: Session, *, actor: Actor, register: str, values: Mapping[str, object],
              now: dt.datetime) -> int:
    """A new entry, submitted at once, inside the caller's transaction: another service keeping its record in a
    register in one step with its own rows (the handover page's duty log is the control-room register,
    seed 004 D2). The caller re-read the actor (``@acting``) and holds the session."""
    require(actor, WRITERS)
    rdef = store.definition(register, session)
    L.check_may_create(rdef, store.access(actor))
    typed = _typed(rdef, values)
    conf = store.settings_for(session)
    ctx = store.context(session, conf, now)
    merged = _check(session, rdef, typed, ctx)
    draft = Entry(register=rdef.key, id=None, state=L.DRAFT, values=merged, created_by_id=actor.id,
                  department_id=_department(session, rdef, merged, actor))
    store.hooks(rdef).guard(draft, "create", frozenset(actor.titles), ctx)
    entry_id = _insert(session, rdef, merged, actor, now, conf)
    audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{entry_id}", action="create",
          after=snapshot(merged), at=now)
    _submit(session, rdef, entry_id, actor, conf, now)
    return entry_id


@acting
def submit_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int, now: dt.datetime | None = None) -> None:
    """A draft, or a rejected entry after its keeper changed it, goes (again) to its chain."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    with session_scope(engine) as session:
        _submit(session, rdef, entry_id, actor, store.settings_for(session), now)


@acting
def approve_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int, note: str = "",
                  step_no: int | None = None, now: dt.datetime | None = None) -> None:
    """The current step's title signs (S59). ``step_no`` is the step the approver saw: if someone acted on it
    first, this is a Conflict, not a signature on the next step."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    with session_scope(engine) as session:
        conf = store.settings_for(session)
        row = _at_step(session, rdef, entry_id, step_no)
        new, step = L.approve(rdef, store.life_of(row, rdef), store.access(actor), now=now, note=str(note or "")[:500])
        _write(session, rdef, row, new, step, actor, now, conf, "approve")


@acting
def reject_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int, reason: str,
                 step_no: int | None = None, now: dt.datetime | None = None) -> None:
    """The current step's title refuses, saying why (``step_no`` as for :func:`approve_entry`)."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    with session_scope(engine) as session:
        conf = store.settings_for(session)
        row = _at_step(session, rdef, entry_id, step_no)
        new, step = L.reject(rdef, store.life_of(row, rdef), store.access(actor), now=now, reason=str(reason or "")[:500])
        _write(session, rdef, row, new, step, actor, now, conf, "reject")


@acting
def edit_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int, values: Mapping[str, object],
               now: dt.datetime | None = None) -> None:
    """The keeper changes a draft or a rejected entry; after lock only the register's late fields, once each
    (归还时间 when the loan comes back, 处理结果)."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    with session_scope(engine) as session:
        conf = store.settings_for(session)
        row = store.load(session, rdef, entry_id, lock=True)
        life = store.life_of(row, rdef)
        current = store.values_of(rdef, row)
        late = life.locked(now) or life.state in (L.PENDING, L.APPROVED, L.RECORDED)
        names = tuple(values) if late else None
        typed = _typed(rdef, values, names)
        changed = {k: v for k, v in typed.items() if v != current.get(k)}
        L.check_edit(rdef, life, store.access(actor), fields=set(changed), current=current, now=now)
        ctx = store.context(session, conf, now)
        merged = _check(session, rdef, {**current, **changed}, ctx, row=row, exclude_id=row.id)
        entry = store.entry_of(rdef, row, merged)
        store.hooks(rdef).guard(entry, "edit", frozenset(actor.titles), ctx)
        store.add_step(session, rdef, row.id, L.Step("edit", note="、".join(sorted(changed))), actor, now)
        tbl = store.table(rdef)
        derived = {f.key: merged[f.key] for f in rdef.fields if f.derived}
        result = session.execute(update(tbl).where(tbl.c.id == row.id, tbl.c.superseded_by_id.is_(None)).values(
            **store.update_columns(rdef, row, {**changed, **derived}), updated_at=now,
            due_at=store.due_at(rdef, entry, life, conf, ctx, now),
            **({"department_id": _department(session, rdef, merged, actor)}
               if rdef.department_field in changed and not late else {})))
        if result.rowcount != 1:
            raise Conflict("registers.step_taken")
        audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{row.id}", action="edit",
              before=snapshot({k: current.get(k) for k in changed}), after=snapshot(changed), at=now)


@acting
def correct_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int, values: Mapping[str, object],
                  reason: str, now: dt.datetime | None = None) -> int:
    """A locked entry is corrected by a new version that supersedes it, with a reason; both stay visible and the
    new version goes through the register's chain again. Returns the new version's id."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    reason = str(reason or "").strip()
    typed = _typed(rdef, values)
    with session_scope(engine) as session:
        conf = store.settings_for(session)
        row = store.load(session, rdef, entry_id, lock=True)
        L.check_correct(store.life_of(row, rdef), store.access(actor), reason=reason, now=now)
        merged = _check(session, rdef, typed, store.context(session, conf, now), exclude_id=row.id)
        new_id = _insert(session, rdef, merged, actor, now, conf, version=row.version + 1, supersedes_id=row.id,
                         reason=reason)
        tbl = store.table(rdef)
        result = session.execute(update(tbl).where(tbl.c.id == row.id, tbl.c.superseded_by_id.is_(None))
                                 .values(superseded_by_id=new_id, due_at=None))
        if result.rowcount != 1:
            raise Conflict("registers.superseded")
        store.add_step(session, rdef, row.id, L.Step("correct", note=reason), actor, now)
        audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{row.id}", action="correct",
              before=snapshot(store.values_of(rdef, row)), after=snapshot({**merged, "new_version": new_id}),
              reason=reason, at=now)
        _submit(session, rdef, new_id, actor, conf, now)
    return new_id
