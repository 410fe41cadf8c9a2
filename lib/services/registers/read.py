"""Register use cases that read: lists bounded by date or state with cursor paging, one entry with its steps
and versions, what awaits an approver, exports, dues for the inbox and departure blockers.

A list never scans all history: it needs a date range (at most ``MAX_RANGE_DAYS``) unless it asks for
open entries (draft, pending, rejected), which are few; every filter is an indexed column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping
from functools import lru_cache
from dataclasses import dataclass, field, replace

from sqlalchemy import String, and_, false, func, literal, or_, select, union_all
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import session_scope
from lib import export
from lib.domain import office
from lib.domain.errors import DomainError, NotAllowed
from lib.domain.registers import REGISTRY
from lib.domain.registers import custom as C
from lib.domain.registers import life as L
from lib.domain.registers.hooks import Blocker, Ctx, RegisterHooks, StepView
from lib.domain.registers.model import (ChainStep, RegisterDef, choice_label, code_label, field_label, may_open, reads_all,
                                        register_title)
from lib.i18n import translate
from lib.services.base import WRITERS, Actor, acting, audit, require, utcnow
from lib.services.registers import store

MAX_RANGE_DAYS = 366
PAGE_SIZE = 50
EXCEL_CAP = 20_000
CSV_CHUNK = 1_000


@dataclass(frozen=True)
class EntryRow:
    """One entry as pages see it (plain data)."""

    register: str
    id: int
    no: int | None
    state: str
    version: int
    values: Mapping[str, object]
    names: Mapping[int, str]  # person ids in ``values`` (and the keeper) -> name
    created_by_id: int
    department_id: int | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    locked_at: dt.datetime | None
    locked: bool
    chain: tuple[ChainStep, ...]
    step_no: int
    step_title: str | None
    due_at: dt.datetime | None
    overdue: bool
    supersedes_id: int | None
    superseded_by_id: int | None
    reason: str

    @property
    def keeper(self) -> str:
        return self.names.get(self.created_by_id, "")


@dataclass(frozen=True)
class EntryDetail:
    entry: EntryRow
    steps: tuple[StepView, ...]
    versions: tuple[EntryRow, ...]  # every version of this entry, oldest first
    may_act: bool
    may_submit: bool
    may_edit: tuple[str, ...]  # fields the actor may change now
    may_correct: bool


@dataclass(frozen=True)
class Query:
    """What a list shows: office dates (inclusive), a state, field equalities, a text in the entry's title field."""

    first: dt.date | None = None
    last: dt.date | None = None
    state: str | None = None
    equals: Mapping[str, object] = field(default_factory=dict)
    text: str = ""
    include_superseded: bool = False


@dataclass(frozen=True)
class Page:
    rows: tuple[EntryRow, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class DueItem:
    """An open item for the inbox: the entry, what is due, when, and who it waits on."""

    register: str
    entry_id: int
    kind: str  # ``registers.due.<kind>``
    due_at: dt.datetime
    overdue: bool
    keeper_id: int
    step_title: str | None
    department_id: int | None
    for_title: str | None = None  # a hook due's title (``Due.title``): its holders act, not the keeper
    subject_id: int | None = None  # whom the entry is about (``subject_field``): never asked to sign it (K20)


def _row(rdef: RegisterDef, row, names: Mapping[int, str], now: dt.datetime) -> EntryRow:
    return EntryRow(register=rdef.key, id=row.id, no=row.no, state=row.state, version=row.version,
                    values=store.values_of(rdef, row), names=names, created_by_id=row.created_by_id,
                    department_id=row.department_id, created_at=row.created_at, submitted_at=row.submitted_at,
                    decided_at=row.decided_at, locked_at=row.locked_at,
                    locked=row.locked_at is not None and row.locked_at <= now,
                    chain=tuple(ChainStep.from_json(s) for s in (row.chain or [])), step_no=row.step_no,
                    step_title=row.step_title, due_at=row.due_at,
                    overdue=row.due_at is not None and row.due_at <= now, supersedes_id=row.supersedes_id,
                    superseded_by_id=row.superseded_by_id, reason=row.reason)


def _rows(session: Session, rdef: RegisterDef, rows, now: dt.datetime) -> tuple[EntryRow, ...]:
    people = [f.key for f in rdef.fields if f.type == "person"]
    ids = {r.created_by_id for r in rows} | {v for r in rows for k, v in store.values_of(rdef, r).items()
                                             if k in people}
    found = store.names(session, ids)
    shown = _rows_shown(session, rdef, rows, now)
    return tuple(replace(e, values={**e.values, **extra}) if extra else e
                 for e, extra in zip((_row(rdef, r, found, now) for r in rows), shown))


def _rows_shown(session: Session, rdef: RegisterDef, rows, now: dt.datetime) -> list[Mapping[str, object]]:
    """What the register's ``shown`` hook puts over the stored values at read time (equipment 维修中)."""
    hooks = store.hooks(rdef)
    if not rows or type(hooks).shown is RegisterHooks.shown:
        return [{} for _ in rows]
    current = [r for r in rows if r.superseded_by_id is None]  # an old version shows what it said
    ctx = Ctx(now=now, lookups=store._Lookups(session))
    extra = iter(hooks.shown([store.values_of(rdef, r) for r in current], ctx) if current else ())
    return [next(extra) if r.superseded_by_id is None else {} for r in rows]


def _visible(rdef: RegisterDef, actor: Actor):
    """The read scope as a WHERE clause on indexed columns (keeper, department, the step awaiting a title)."""
    tbl = store.table(rdef)
    who = store.access(actor)
    if reads_all(rdef, who):
        return None
    clauses = [tbl.c.created_by_id == actor.id]
    if rdef.read_scope == "department" and actor.department_id is not None:
        clauses.append(tbl.c.department_id == actor.department_id)
    if actor.titles:
        clauses.append(tbl.c.step_title.in_(list(actor.titles)))
    return or_(*clauses) if clauses else false()


def _date_column(rdef: RegisterDef):
    return store.table(rdef).c[rdef.date_field or "created_at"]


def _where(session: Session, rdef: RegisterDef, actor: Actor, query: Query) -> list:
    if not may_open(rdef, store.access(actor)):
        raise NotAllowed("registers.may_not_open")  # lists and exports of a closed register (open_titles)
    tbl = store.table(rdef)
    clauses: list = store.scope(rdef)
    if query.first is not None or query.last is not None:
        if query.first is None or query.last is None:
            raise DomainError("registers.bad_filter")
        if (query.last - query.first).days >= MAX_RANGE_DAYS:
            raise DomainError("registers.range_too_long", days=MAX_RANGE_DAYS)
        tz = store.zone(store.settings_for(session))
        start, end = office.range_bounds(query.first, query.last, tz)
        column = _date_column(rdef)
        clauses += [column >= start, column < end]
    elif query.state not in L.OPEN_STATES:
        raise DomainError("registers.bad_filter")  # bounded by date or by an open state, never all history
    if query.state is not None:
        if query.state not in L.STATES:
            raise DomainError("registers.bad_filter")
        clauses.append(tbl.c.state == query.state)
    if not query.include_superseded:
        clauses.append(tbl.c.superseded_by_id.is_(None))
    for name, value in query.equals.items():
        if name not in {f.key for f in rdef.fields}:
            raise DomainError("registers.bad_filter")
        clauses.append(store.field_column(rdef, name) == value)
    text = (query.text or "").strip()[:50]
    if text and rdef.title_field:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(store.field_column(rdef, rdef.title_field).like(f"%{escaped}%", escape="\\"))
    visible = _visible(rdef, actor)
    if visible is not None:
        clauses.append(visible)
    return clauses


def _filter(query: Query, cursor: str | None = None) -> dict[str, object]:
    """What a list or export asked for, as plain audit data (dates, state, field equalities, text, page)."""
    shown = {"first": query.first.isoformat() if query.first else None,
             "last": query.last.isoformat() if query.last else None, "state": query.state,
             "equals": {k: str(v) for k, v in query.equals.items()} or None, "text": (query.text or "").strip()[:50]
             or None, "include_superseded": query.include_superseded or None, "cursor": cursor}
    return {k: v for k, v in shown.items() if v is not None}


@acting  # the audit row is a write: the reader is re-read like any writer (R6)
def _audit_many(engine: Engine, *, actor: Actor, rdef: RegisterDef, export: str | None, count: int, query: Query,
                cursor: str | None, now: dt.datetime) -> None:
    """One audit row per list or export of a closely kept register (涉密人员, seed 001 D1: every read audited,
    issue 16 K16): the register, how many rows it showed, and the filter — never one row per entry."""
    with session_scope(engine) as session:
        audit(session, actor=actor, entity="register", entity_id=rdef.key,
              action="export_entries" if export else "list_entries",
              after={"register": rdef.key, "count": count, "format": export, "filter": _filter(query, cursor)},
              at=now)


def _cursor(text: str | None):
    if not text:
        return None
    try:
        stamp, _, ident = text.partition("|")
        return dt.datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        raise DomainError("registers.bad_filter") from None


@acting  # a register that audits reads writes an audit row per list or export: the reader is re-read (R6)
def list_entries(engine: Engine, *, actor: Actor, register: str, query: Query, cursor: str | None = None,
                 limit: int = PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """A page of entries, newest first by the register's date; ``next_cursor`` opens the next page."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    limit = max(1, min(int(limit), 200))
    tbl = store.table(rdef)
    column = _date_column(rdef)
    with session_scope(engine, write=False) as session:
        clauses = _where(session, rdef, actor, query)
        after = _cursor(cursor)
        if after is not None:
            clauses.append(or_(column < after[0], and_(column == after[0], tbl.c.id < after[1])))
        rows = session.execute(select(tbl).where(*clauses).order_by(column.desc(), tbl.c.id.desc())
                               .limit(limit + 1)).all()
        page = _rows(session, rdef, rows[:limit], now)
    if rdef.audit_reads:
        _audit_many(engine, actor=actor, rdef=rdef, export=None, count=len(page), query=query, cursor=cursor, now=now)
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    next_cursor = f"{last._mapping[column.name].isoformat()}|{last.id}" if last is not None else None
    return Page(rows=page, next_cursor=next_cursor)


def awaiting(engine: Engine, *, actor: Actor, register: str, limit: int = PAGE_SIZE,
             now: dt.datetime | None = None) -> tuple[EntryRow, ...]:
    """Pending entries whose current step the actor may sign (the approve/reject list)."""
    rdef = store.definition(register, engine)
    if not actor.titles or not rdef.has_chain:
        return ()
    now = now or utcnow()
    tbl = store.table(rdef)
    who = store.access(actor)
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(tbl).where(tbl.c.step_title.in_(list(actor.titles)), tbl.c.state == L.PENDING,
                                                 tbl.c.superseded_by_id.is_(None), *store.scope(rdef))
                               .order_by(tbl.c.submitted_at, tbl.c.id).limit(limit)).all()
        rows = [r for r in rows if L.may_act(rdef, who, store.life_of(r, rdef))]
        return _rows(session, rdef, rows, now)


@acting  # a closely kept register audits every read (a write): the reader is re-read like any writer (R6)
def get_entry(engine: Engine, *, actor: Actor, register: str, entry_id: int,
              now: dt.datetime | None = None) -> EntryDetail:
    """One entry with its steps, every version, and what the actor may do with it (never for a wall display)."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    who = store.access(actor)
    with session_scope(engine, write=False) as session:
        row = store.load(session, rdef, entry_id)
        life = store.life_of(row, rdef)
        if not L.may_read(rdef, who, life):
            raise NotAllowed("registers.may_not_read")
        chain_rows = [row]
        while chain_rows[0].supersedes_id is not None:
            chain_rows.insert(0, store.load(session, rdef, chain_rows[0].supersedes_id))
        while chain_rows[-1].superseded_by_id is not None:
            chain_rows.append(store.load(session, rdef, chain_rows[-1].superseded_by_id))
        steps = store.steps_of(session, rdef, row.id)
        versions = _rows(session, rdef, chain_rows, now)
        entry = next(v for v in versions if v.id == row.id)
    if rdef.audit_reads:  # who opened a record the register keeps closely (涉密人员, seed 001 D1)
        with session_scope(engine) as session:
            audit(session, actor=actor, entity="register", entity_id=f"{rdef.key}:{row.id}", action="read_entry",
                  at=now)
    keeper = row.created_by_id == actor.id or actor.role == "admin"
    open_edit = keeper and not life.superseded and life.state in (L.DRAFT, L.REJECTED) and not life.locked(now)
    late_hand = keeper or (L.fills_late(rdef, who) and (life.locked(now) or life.state in (
        L.PENDING, L.APPROVED, L.RECORDED)))
    late = tuple(k for k in rdef.editable_after_lock if entry.values.get(k) in (None, "")) \
        if late_hand and not life.superseded and life.state != L.DRAFT else ()
    return EntryDetail(
        entry=entry, steps=steps, versions=versions, may_act=L.may_act(rdef, who, life),
        may_submit=open_edit,
        may_edit=tuple(f.key for f in rdef.typed_fields) if open_edit else late,
        may_correct=life.locked(now) and not life.superseded and (keeper or actor.role == "supervisor"))


def _export_rows(session: Session, rdef: RegisterDef, actor: Actor, query: Query, limit: int | None):
    tbl = store.table(rdef)
    column = _date_column(rdef)
    statement = select(tbl).where(*_where(session, rdef, actor, query)).order_by(column, tbl.c.id)
    if limit is not None:
        statement = statement.limit(limit)
    return session.execute(statement.execution_options(yield_per=CSV_CHUNK))


def export_headers(rdef: RegisterDef, lang: str) -> list[str]:
    """No., the fields' labels in the seed's order, then state and keeper."""
    return ([translate("registers.col.no", lang)] + [field_label(rdef, f, lambda k: translate(k, lang))
                                                     for f in rdef.fields]
            + [translate("registers.col.state", lang), translate("registers.col.keeper", lang)])


def _cells(rdef: RegisterDef, entry: EntryRow, lang: str, tz) -> list[object]:
    cells: list[object] = [entry.no]
    for f in rdef.fields:
        value = entry.values.get(f.key)
        if f.type == "person":
            value = entry.names.get(value, "") if value is not None else ""
        elif f.type == "choice" and value:
            value = choice_label(rdef, f, value, lambda k: translate(k, lang))
        elif f.codes and value:
            value = code_label(f, str(value), lambda k: translate(k, lang))
        elif f.type == "datetime" and value is not None:
            value = value.astimezone(tz)
        cells.append(value)
    return cells + [translate(f"registers.state.{entry.state}", lang), entry.keeper]


@acting  # a register that audits reads writes an audit row per list or export: the reader is re-read (R6)
def export_csv(engine: Engine, *, actor: Actor, register: str, query: Query,
               now: dt.datetime | None = None) -> Iterator[bytes]:
    """CSV chunks (UTF-8 with BOM, formula-safe cells), read from the database a chunk at a time. The actor, the
    register and its read audit are checked when called, before any chunk is asked for."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    if rdef.audit_reads:  # audited before the first byte leaves, with how many rows the file holds
        with session_scope(engine, write=False) as session:
            total = session.execute(select(func.count()).select_from(store.table(rdef)).where(
                *_where(session, rdef, actor, query))).scalar()
        _audit_many(engine, actor=actor, rdef=rdef, export="csv", count=total, query=query, cursor=None, now=now)
    return _csv_chunks(engine, rdef, actor, query, now)


def _csv_chunks(engine: Engine, rdef: RegisterDef, actor: Actor, query: Query, now: dt.datetime) -> Iterator[bytes]:
    lang = actor.lang
    with session_scope(engine, write=False) as session:
        tz = store.zone(store.settings_for(session))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([export.neutralise(h) for h in export_headers(rdef, lang)])
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        result = _export_rows(session, rdef, actor, query, None)
        for chunk in result.partitions(CSV_CHUNK):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for entry in _rows(session, rdef, chunk, now):
                writer.writerow([export.csv_cell(v) for v in _cells(rdef, entry, lang, tz)])
            yield buffer.getvalue().encode("utf-8")


@acting  # a register that audits reads writes an audit row per list or export: the reader is re-read (R6)
def export_xlsx(engine: Engine, *, actor: Actor, register: str, query: Query, cap: int = EXCEL_CAP,
                now: dt.datetime | None = None) -> bytes:
    """An Excel workbook of the list, refused beyond ``cap`` rows with a message saying so (CSV has no cap)."""
    require(actor, WRITERS)
    rdef = store.definition(register, engine)
    now = now or utcnow()
    lang = actor.lang
    with session_scope(engine, write=False) as session:
        tbl = store.table(rdef)
        total = session.execute(select(func.count()).select_from(tbl).where(
            *_where(session, rdef, actor, query))).scalar()
        if total > cap:
            raise DomainError("registers.export_cap", cap=cap)
        tz = store.zone(store.settings_for(session))
        rows = _export_rows(session, rdef, actor, query, cap).all()
        cells = [_cells(rdef, e, lang, tz) for e in _rows(session, rdef, rows, now)]
    if rdef.audit_reads:
        _audit_many(engine, actor=actor, rdef=rdef, export="xlsx", count=len(cells), query=query, cursor=None, now=now)
    return export.to_xlsx(export_headers(rdef, lang), cells,
                          sheet=register_title(rdef, lambda k: translate(k, lang))[:31])


def open_dues(engine: Engine, now: dt.datetime, *, register: str | None = None, limit: int = 500) -> list[DueItem]:
    """Open items with a deadline across the registers (or one), earliest first: loans due back, approval
    steps waiting, a recurring register due again (kind ``cadence``, its ``step_title`` the title it is for;
    ``entry_id`` its latest entry) — for the inbox; ``overdue`` once passed. Reads the indexed ``due_at`` column
    and, for a recurring register, its latest entry by the indexed date column."""
    custom_id = C.id_of(register)
    keys = [] if custom_id is not None else [register] if register else list(REGISTRY)
    items: list[DueItem] = []
    with session_scope(engine, write=False) as session:
        conf = store.settings_for(session)
        ctx = store.context(session, conf, now)
        if register is None or custom_id is not None:  # admin-made registers: waiting approval steps only
            tbl = store.CUSTOM_ENTRY
            where = [tbl.c.due_at.is_not(None), tbl.c.superseded_by_id.is_(None)]
            if custom_id is not None:
                where.append(tbl.c.definition_id == custom_id)
            for row in session.execute(select(tbl).where(*where).order_by(tbl.c.due_at).limit(limit)).all():
                items.append(DueItem(register=C.key_of(row.definition_id), entry_id=row.id, kind="step",
                                     due_at=row.due_at, overdue=row.due_at <= now, keeper_id=row.created_by_id,
                                     step_title=row.step_title, department_id=row.department_id))
        for key in keys:
            rdef = store.definition(key)
            if rdef.every is not None:
                item = _cadence_item(session, rdef, conf, now)
                if item is not None:
                    items.append(item)
        step_hours = int(conf.get("registers.step_hours") or 24)
        for key, rows in _open_rows(session, keys, limit).items():
            rdef = store.definition(key)
            for row in rows:
                items += _row_dues(rdef, row, store.hooks(rdef).dues(store.entry_of(rdef, row), ctx), now,
                                   step_hours)
    return sorted(items, key=lambda i: (i.due_at, i.register, i.entry_id))[:limit]


def _row_dues(rdef: RegisterDef, row, dues, now: dt.datetime, step_hours: int) -> list[DueItem]:
    """An open entry's item at its stored ``due_at``: the hook due falling then (its kind and title) or else the
    waiting step. When a hook due for someone else comes first, the waiting step is listed too, at its own
    deadline (``registers.step_hours`` after the entry reached it, its last write): the 财务部's payment step
    is not hidden behind the 行政管理中心's bill due (issue 16 P7)."""
    due = next((d for d in dues if d.due_at == row.due_at), None)
    subject = store.values_of(rdef, row).get(rdef.subject_field) if rdef.subject_field else None
    subject = subject if isinstance(subject, int) and not isinstance(subject, bool) else None
    item = DueItem(register=rdef.key, entry_id=row.id, kind=due.kind if due else "step", due_at=row.due_at,
                   overdue=row.due_at <= now, keeper_id=row.created_by_id, step_title=row.step_title,
                   department_id=row.department_id, for_title=due.title if due else None, subject_id=subject)
    if due is None or row.state != L.PENDING or not row.step_title or due.title == row.step_title:
        return [item]
    step_due = L.step_due(store.life_of(row), row.updated_at or row.submitted_at, step_hours)
    if step_due is None:
        return [item]
    return [item, DueItem(register=rdef.key, entry_id=row.id, kind="step", due_at=step_due,
                          overdue=step_due <= now, keeper_id=row.created_by_id, step_title=row.step_title,
                          department_id=row.department_id, subject_id=subject)]


@lru_cache(maxsize=8)
def _due_union(keys: tuple[str, ...], limit: int):
    """The statement :func:`_open_rows` runs, built once per process (76 parts: building it costs more than running
    it). Each part walks its table's ``due_at`` index in order (a subquery: ORDER BY and LIMIT inside a compound)."""
    parts = []
    for key in keys:
        tbl = store.table(store.definition(key))
        first = (select(literal(key, String(40)).label("reg"), tbl.c.id.label("id"), tbl.c.due_at.label("due_at"))
                 .where(tbl.c.due_at.is_not(None), tbl.c.superseded_by_id.is_(None))
                 .order_by(tbl.c.due_at).limit(limit).subquery())
        parts.append(select(first.c.reg, first.c.id, first.c.due_at))
    due = union_all(*parts).subquery()
    return select(due.c.reg, due.c.id).order_by(due.c.due_at).limit(limit)


def _open_rows(session: Session, keys: list[str], limit: int) -> dict[str, list]:
    """The ``limit`` earliest open entries with a deadline across the code registers ``keys``: one query over
    every table's indexed ``due_at`` (UNION ALL, open entries only, never history), then the rows themselves
    from the few registers that have any (issue 15: a provider is one indexed query, not one per register)."""
    if not keys:
        return {}
    ids: dict[str, list[int]] = {}
    for reg, entry_id in session.execute(_due_union(tuple(keys), limit)).all():
        ids.setdefault(reg, []).append(entry_id)
    found = {}
    for key, wanted in ids.items():
        tbl = store.table(store.definition(key))
        found[key] = session.execute(select(tbl).where(tbl.c.id.in_(wanted))).all()
    return found


CADENCE = "cadence"


def _cadence_item(session: Session, rdef: RegisterDef, conf: Mapping[str, object], now: dt.datetime
                  ) -> DueItem | None:
    """A recurring register's next due: one indexed read of its latest entry (never its history); listed from
    ``registers.cadence_notice_days`` before it and once overdue. Nothing before the register's first entry."""
    cadence = rdef.every
    tbl = store.table(rdef)
    column = tbl.c[cadence.field or rdef.date_field or "created_at"]
    latest = session.execute(
        select(column.label("latest"), tbl.c.id, tbl.c.created_by_id, tbl.c.department_id)
        .where(column.is_not(None), tbl.c.superseded_by_id.is_(None), tbl.c.state.not_in((L.DRAFT, L.REJECTED)),
               *store.scope(rdef))
        .order_by(column.desc(), tbl.c.id.desc()).limit(1)).first()
    if latest is None:
        return None
    tz = store.zone(conf)
    every = int(conf.get(cadence.setting) or cadence.every) if cadence.setting else cadence.every
    day = int(conf.get(cadence.day_setting) or 1) if cadence.day_setting else None
    due = L.cadence_due(cadence, latest.latest, every=every, day=day, tz=tz)
    start = latest.latest if isinstance(latest.latest, dt.datetime) \
        else office.local_to_utc(latest.latest, dt.time(0, 0), tz)
    if not L.cadence_listed(due, start, now, int(conf.get("registers.cadence_notice_days") or 0)):
        return None
    return DueItem(register=rdef.key, entry_id=latest.id, kind=CADENCE, due_at=due, overdue=due <= now,
                   keeper_id=latest.created_by_id, step_title=cadence.title or None,
                   department_id=latest.department_id)


def blockers(engine: Engine, *, person_id: int, now: dt.datetime | None = None) -> list[Blocker]:
    """What keeps ``person_id`` from leaving: each register's ``blockers`` hook over the entries the person holds
    (REGISTERS.md §2.3 DepartureHooks)."""
    now = now or utcnow()
    found: list[Blocker] = []
    with session_scope(engine, write=False) as session:
        ctx = store.context(session, store.settings_for(session), now)
        for rdef in REGISTRY.values():
            hooks = store.hooks(rdef)
            column = hooks.blocking_field() or "created_by_id"
            if type(hooks).blockers is RegisterHooks.blockers:
                continue  # a register without departure rules is not read
            tbl = store.table(rdef)
            rows = session.execute(select(tbl).where(tbl.c[column] == person_id, tbl.c.superseded_by_id.is_(None),
                                                     tbl.c.state != L.REJECTED)).all()
            for row in rows:
                found += hooks.blockers(store.entry_of(rdef, row), ctx)
    return found
