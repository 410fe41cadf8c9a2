"""What the register services share: the table of a register, rows as plain values, steps, numbers, settings.

Nothing here opens a transaction: every function takes the caller's session.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.models import OrgUnit, User
from db.engine import session_scope
from db.models_registers import (CUSTOM_ENTRY, REGISTER_TABLES, RegisterCounter, RegisterDefinition,
                                 RegisterDefinitionVersion, RegisterStep)
from lib.domain import office
from lib.domain.errors import Conflict, DomainError
from lib.domain.registers import REGISTRY
from lib.domain.registers import custom as C
from lib.domain.registers import life as L
from lib.domain.registers.hooks import NO_HOOKS, Ctx, Entry, RegisterHooks, StepView
from lib.domain.registers.model import Access, ChainStep, RegisterDef, build_chain
from lib.services import settings as settings_service
from lib.services.base import Actor

ENGINE_KEYS = ("workday_end", "office.timezone")


def definition(key: object, source: Engine | Session | None = None) -> RegisterDef:
    """A code register's definition, or (given an engine or session to read it from) an admin-made one's
    current version (``custom_<id>``)."""
    if isinstance(key, str) and key in REGISTRY:
        return REGISTRY[key]
    custom_id = C.id_of(key)
    if custom_id is None or source is None:
        raise DomainError("registers.unknown_register")
    if isinstance(source, Session):
        return custom_definition(source, custom_id)
    with session_scope(source, write=False) as session:
        return custom_definition(session, custom_id)


_BUILT: dict[tuple[int, int, str], RegisterDef] = {}


def custom_definition(session: Session, custom_id: int, version: int | None = None) -> RegisterDef:
    """An admin-made register at its current version (or ``version``): one indexed read, built once per process
    for each (definition, version, spec) seen."""
    head = RegisterDefinition.__table__
    versions = RegisterDefinitionVersion.__table__
    query = select(versions.c.version, versions.c.spec).where(versions.c.definition_id == custom_id)
    if version is None:
        query = query.join(head, head.c.id == versions.c.definition_id).where(versions.c.version == head.c.version)
    else:
        query = query.where(versions.c.version == version)
    row = session.execute(query).first()
    if row is None:
        raise DomainError("registers.unknown_register")
    spec = row.spec if isinstance(row.spec, dict) else json.loads(row.spec)
    cache_key = (custom_id, row.version, json.dumps(spec, sort_keys=True, ensure_ascii=False))
    built = _BUILT.get(cache_key)
    if built is None:
        if len(_BUILT) > 500:
            _BUILT.clear()
        built = _BUILT[cache_key] = C.build_definition(custom_id, row.version, spec)
    return built


def table(rdef: RegisterDef) -> Table:
    return CUSTOM_ENTRY if rdef.custom else REGISTER_TABLES[rdef.key]


def scope(rdef: RegisterDef) -> list:
    """The WHERE clauses that keep a query to one register (an admin-made one shares its table)."""
    return [CUSTOM_ENTRY.c.definition_id == rdef.custom_id] if rdef.custom else []


def field_column(rdef: RegisterDef, key: str):
    """The SQL expression of a field: its typed column, or its value in an admin-made entry's JSON."""
    tbl = table(rdef)
    if not rdef.custom:
        return tbl.c[key]
    kind = rdef.field(key).type
    item = tbl.c.field_values[key]
    if kind in ("int", "person"):
        return item.as_integer()
    if kind == "bool":
        return item.as_boolean()
    return item.as_string()


def _encode(value: object) -> object:
    if isinstance(value, (dt.date, dt.time)):  # datetimes are aware UTC (coerce); dates and times ISO text
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(kind: str, value: object) -> object:
    if value is None:
        return None
    try:
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)
        if kind == "time":
            return dt.time.fromisoformat(value)
        if kind == "money":
            return Decimal(str(value))
    except (TypeError, ValueError):
        return None
    return value


def encode_values(rdef: RegisterDef, values: Mapping[str, object]) -> dict[str, object]:
    return {f.key: _encode(values[f.key]) for f in rdef.fields if values.get(f.key) is not None}


def insert_columns(rdef: RegisterDef, values: Mapping[str, object]) -> dict[str, object]:
    """The field part of a new row: typed columns, or the definition, its version and the JSON values."""
    if not rdef.custom:
        return dict(values)
    return {"definition_id": rdef.custom_id, "definition_version": rdef.custom_version,
            "field_values": encode_values(rdef, values)}


def update_columns(rdef: RegisterDef, row, changes: Mapping[str, object]) -> dict[str, object]:
    """The field part of an UPDATE: typed columns, or the whole JSON with the changes merged in."""
    if not rdef.custom:
        return dict(changes)
    if not changes:
        return {}
    return {"field_values": encode_values(rdef, {**values_of(rdef, row), **changes})}


def hooks(rdef: RegisterDef) -> RegisterHooks:
    return rdef.hooks or NO_HOOKS


def access(actor: Actor) -> Access:
    return Access(user_id=actor.id, role=actor.role, titles=tuple(actor.titles), department_id=actor.department_id)


def settings_for(session: Session) -> dict[str, object]:
    """The register settings in force (chains, flags, durations) and the office clock settings."""
    keys = [k for k in settings_service.definitions() if k.startswith("registers.")] + list(ENGINE_KEYS)
    return settings_service.current_values(session, keys)


def zone(conf: Mapping[str, object]):
    return office.zone(str(conf["office.timezone"]))


def chain_for(rdef: RegisterDef, conf: Mapping[str, object]) -> tuple[ChainStep, ...]:
    """The chain as the settings give it now (copied onto the entry at submit); an admin-made register carries
    its own (none: the entry is recorded at once)."""
    if rdef.custom:
        return build_chain(list(rdef.chain_titles), return_to_first=False,
                           department_titles=list(conf.get("registers.department_titles") or []))
    if rdef.chain_setting is None:
        return ()
    titles = list(conf.get(rdef.chain_setting) or [])
    back = bool(conf.get(rdef.return_setting)) if rdef.return_setting else False
    chain = build_chain(titles, return_to_first=back,
                        department_titles=list(conf.get("registers.department_titles") or []))
    if not chain:
        raise DomainError("registers.no_chain")
    return chain


def life_of(row, rdef: RegisterDef | None = None) -> L.Life:
    """The entry's lifecycle columns; with ``rdef``, also whom it is about (its ``subject_field``, issue 16 K20)."""
    subject = None
    if rdef is not None and rdef.subject_field is not None:
        value = values_of(rdef, row).get(rdef.subject_field)
        subject = value if isinstance(value, int) and not isinstance(value, bool) else None
    return L.Life(state=row.state, created_by_id=row.created_by_id, department_id=row.department_id,
                  chain=tuple(ChainStep.from_json(s) for s in (row.chain or [])), step_no=row.step_no,
                  locked_at=row.locked_at, submitted_at=row.submitted_at, decided_at=row.decided_at,
                  superseded=row.superseded_by_id is not None, subject_id=subject)


def life_columns(new: L.Life) -> dict[str, object]:
    step = new.current_step
    return {"state": new.state, "chain": [s.as_json() for s in new.chain], "step_no": new.step_no,
            "step_title": step.title if step else None, "locked_at": new.locked_at,
            "submitted_at": new.submitted_at, "decided_at": new.decided_at}


def values_of(rdef: RegisterDef, row) -> dict[str, object]:
    mapping = row._mapping
    if rdef.custom:
        stored = mapping["field_values"] or {}
        if isinstance(stored, str):
            stored = json.loads(stored)
        return {f.key: _decode(f.type, stored.get(f.key)) for f in rdef.fields}
    return {f.key: mapping[f.key] for f in rdef.fields}


def load(session: Session, rdef: RegisterDef, entry_id: object, *, lock: bool = False):
    """The entry's row; on PostgreSQL ``lock`` holds it (``FOR UPDATE``) until the transaction ends."""
    if isinstance(entry_id, bool) or not isinstance(entry_id, int):
        raise DomainError("registers.no_entry")
    query = select(table(rdef)).where(table(rdef).c.id == entry_id, *scope(rdef))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    if row is None:
        raise DomainError("registers.no_entry")
    return row


def steps_of(session: Session, rdef: RegisterDef, entry_id: int) -> tuple[StepView, ...]:
    rows = session.scalars(select(RegisterStep).where(RegisterStep.reg == rdef.key, RegisterStep.entry_id == entry_id)
                           .order_by(RegisterStep.seq)).all()
    return tuple(StepView(seq=s.seq, action=s.action, title=s.title, actor_id=s.actor_id, actor_name=s.actor_name,
                          at=s.at, note=s.note, step_index=s.step_index) for s in rows)


def entry_of(rdef: RegisterDef, row, values: Mapping[str, object] | None = None, state: str | None = None,
             steps: tuple[StepView, ...] = ()) -> Entry:
    return Entry(register=rdef.key, id=row.id if row is not None else None,
                 state=state or (row.state if row is not None else L.DRAFT),
                 values=dict(values if values is not None else values_of(rdef, row)),
                 created_by_id=row.created_by_id if row is not None else None,
                 department_id=row.department_id if row is not None else None,
                 locked_at=row.locked_at if row is not None else None, steps=steps)


class _Lookups:
    def __init__(self, session: Session) -> None:
        self.session = session

    def name_of(self, user_id: int) -> str:
        return names(self.session, [user_id]).get(user_id, "")

    def shift_at(self, post: str, at: dt.datetime) -> str:
        """The shift responsible on ``post`` at ``at``, from the handover times (the duty log's, S19)."""
        from lib.services import handover  # late: the handover service is not part of the engine

        return handover.shift_at(self.session, post, at)

    def is_post(self, name: str) -> bool:
        """Whether ``name`` is an active post of the office (a duty log is numbered per post by its name)."""
        return self.session.execute(select(OrgUnit.id).where(
            OrgUnit.kind == "post", OrgUnit.name == name, OrgUnit.active.is_(True)).limit(1)).first() is not None

    def department_of(self, user_id: int) -> int | None:
        """The person's department (a 团队主任 assigns a shared phone only within their own, seed 002 #1)."""
        return self.session.execute(select(User.department_id).where(User.id == user_id)).scalar()

    def team_of(self, user_id: int) -> int | None:
        """The person's team (a 团队主任 assigns a shared phone only within their own team, seed 002 #1)."""
        return self.session.execute(select(User.team_id).where(User.id == user_id)).scalar()

    def team_member(self, name: str) -> int | None:
        """An active member of the team named ``name`` (the ledger splits an untraceable charge over that member's
        team); None when no active team has the name or nobody is in it."""
        return self.session.execute(select(User.id).join(OrgUnit, OrgUnit.id == User.team_id).where(
            OrgUnit.kind == "team", OrgUnit.name == name, OrgUnit.active.is_(True), User.active.is_(True),
            User.role != "display").order_by(User.id).limit(1)).scalar()

    def on_duty(self, at: dt.datetime) -> frozenset[int]:
        """Who a published roster has on duty at ``at`` (empty: no roster covers it; the alarm's responders)."""
        from lib.services import roster  # late: the roster service is not part of the engine

        return roster.on_duty_ids(self.session, at)

    def entries(self, register: str, **equals: object) -> tuple[Entry, ...]:
        """Current entries of another code register whose fields (or ``id``) equal ``equals``, rejected ones left
        out, at most 200 (a hook reading across registers: a person's 脱密期 before their resignation)."""
        rdef = REGISTRY[register]
        tbl = table(rdef)
        where = [tbl.c[name] == value for name, value in equals.items()]
        rows = self.session.execute(select(tbl).where(*where, tbl.c.superseded_by_id.is_(None),
                                                      tbl.c.state != L.REJECTED).order_by(tbl.c.id).limit(200)).all()
        return tuple(entry_of(rdef, row) for row in rows)

    def open_repairs(self, asset_nos: Iterable[str]) -> frozenset[str]:
        """Which of ``asset_nos`` have a repair form still open (submitted, no 修复时间): the ledger shows them
        维修中 (seed 003 X6#22 [EQ-c]); one indexed read per page."""
        wanted = sorted({str(a) for a in asset_nos if a})
        if not wanted:
            return frozenset()
        tbl = table(REGISTRY["equipment_repair"])
        return frozenset(self.session.execute(select(tbl.c.asset_no).where(
            tbl.c.asset_no.in_(wanted), tbl.c.finished_at.is_(None), tbl.c.superseded_by_id.is_(None),
            tbl.c.state.not_in((L.DRAFT, L.REJECTED))).distinct()).scalars())


def context(session: Session, conf: Mapping[str, object], now: dt.datetime) -> Ctx:
    return Ctx(now=now, settings=conf, lookups=_Lookups(session))


def names(session: Session, ids: Iterable[object]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def add_step(session: Session, rdef: RegisterDef, entry_id: int, step: L.Step, actor: Actor, at: dt.datetime) -> int:
    """Append the next step; of two writers taking the same ``seq`` one wins, the other gets a Conflict."""
    last = session.execute(select(func.max(RegisterStep.seq)).where(
        RegisterStep.reg == rdef.key, RegisterStep.entry_id == entry_id)).scalar()
    seq = (last or 0) + 1
    try:
        session.execute(insert(RegisterStep).values(
            reg=rdef.key, entry_id=entry_id, seq=seq, action=step.action, step_index=step.step_index,
            title=step.title[:40], actor_id=actor.id, actor_name=(actor.name or actor.username)[:50], at=at,
            note=step.note[:500]))
    except IntegrityError as exc:
        raise Conflict("registers.step_taken") from exc
    return seq


def stream_of(rdef: RegisterDef, values: Mapping[str, object]) -> str:
    """The numbering stream of a new entry: the value of the register's ``stream_field`` (a duty log numbered per
    post, seed 004 D2), else the register's one stream ""."""
    if rdef.stream_field is None:
        return ""
    value = values.get(rdef.stream_field)
    return "" if value is None else str(value)[:40]


def next_number(session: Session, rdef: RegisterDef, stream: str = "") -> int:
    """The next number of the stream, moved in the caller's transaction: a rollback gives the number back,
    so numbers have no gaps (SQLite's write lock and PostgreSQL's row lock on the counter serialise writers)."""
    counter = RegisterCounter.__table__
    bump = (update(counter).where(counter.c.register == rdef.key, counter.c.stream == stream)
            .values(last=counter.c.last + 1).returning(counter.c.last))
    number = session.execute(bump).scalar()
    if number is not None:
        return number
    try:
        with session.begin_nested():
            session.execute(insert(counter).values(register=rdef.key, stream=stream, last=1))
        return 1
    except IntegrityError:
        return session.execute(bump).scalar()


def due_at(rdef: RegisterDef, entry: Entry, new: L.Life, conf: Mapping[str, object], ctx: Ctx,
           step_reached_at: dt.datetime | None) -> dt.datetime | None:
    """The entry's next deadline: its hooks' dues and a waiting approval step (``registers.step_hours``)."""
    times = [d.due_at for d in hooks(rdef).dues(entry, ctx)]
    step_due = L.step_due(new, step_reached_at, int(conf.get("registers.step_hours") or 24))
    if step_due is not None:
        times.append(step_due)
    return min(times) if times else None


def lock_deadline(rdef: RegisterDef, conf: Mapping[str, object], now: dt.datetime) -> dt.datetime | None:
    """For ``at_workday_end``: the end of the office day the entry is made on (the next one after hours)."""
    if rdef.lock != "at_workday_end":
        return None
    tz = zone(conf)
    end_clock = conf["workday_end"]
    day = office.local_day(now, tz)
    end = office.local_to_utc(day, end_clock, tz)
    if end <= now:
        end = office.local_to_utc(day + dt.timedelta(days=1), end_clock, tz)
    return end
