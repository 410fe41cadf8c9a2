"""Registers an admin makes without code (issue 14): define one, change it (a new version), list them.

A save checks the whole definition at once (``lib/domain/registers/custom.check_spec``) and says what to fix;
it writes a new ``register_definition_version`` row (never changed afterwards) and moves the definition's
current version, so entries keep the version they were made with and a removed field stays on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db.engine import session_scope
from db.models_registers import RegisterDefinition, RegisterDefinitionVersion
from lib.domain.errors import Conflict, DomainError, FieldError, ValidationFailed
from lib.domain.registers import REGISTRY
from lib.domain.registers import custom as C
from lib.i18n import LANGS, translate
from lib.services import settings as settings_service
from lib.services.base import ADMINS, Actor, acting, audit, require, utcnow


@dataclass(frozen=True)
class Definition:
    """One admin-made register at its current version."""

    id: int
    key: str
    name: str
    version: int
    fields: tuple[dict, ...]
    retired: tuple[dict, ...]
    chain: tuple[str, ...]
    lock: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Version:
    version: int
    name: str
    spec: dict
    created_by_id: int
    created_at: dt.datetime


def _definition(head, spec: Mapping) -> Definition:
    return Definition(id=head.id, key=C.key_of(head.id), name=head.name, version=head.version,
                      fields=tuple(spec.get("fields", [])), retired=tuple(spec.get("retired", [])),
                      chain=tuple(spec.get("chain", [])), lock=str(spec.get("lock", "on_submit")),
                      updated_at=head.updated_at)


def list_definitions(engine: Engine) -> list[Definition]:
    """Every admin-made register, by name (the 自定义登记 tab and the admin page)."""
    head = RegisterDefinition.__table__
    versions = RegisterDefinitionVersion.__table__
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(head, versions.c.spec).join(versions, (versions.c.definition_id == head.c.id) & (
            versions.c.version == head.c.version)).order_by(head.c.name)).all()
    return [_definition(r, r.spec) for r in rows]


def history(engine: Engine, *, definition_id: int) -> list[Version]:
    """Every version of a definition, oldest first."""
    versions = RegisterDefinitionVersion.__table__
    with session_scope(engine, write=False) as session:
        rows = session.execute(select(versions).where(versions.c.definition_id == definition_id)
                               .order_by(versions.c.version)).all()
    return [Version(r.version, r.name, r.spec, r.created_by_id, r.created_at) for r in rows]


def _code_titles() -> set[str]:
    return {translate(d.title_key, lang) for d in REGISTRY.values() for lang in LANGS}


@acting
def save_definition(engine: Engine, *, actor: Actor, name: str, fields: Iterable[Mapping[str, object]],
                    chain: Iterable[str] = (), lock: str = "on_submit", definition_id: int | None = None,
                    expected_version: int | None = None, now: dt.datetime | None = None) -> int:
    """A new admin-made register (``definition_id`` None) or a new version of one; returns its id.

    Every problem is reported at once (name unique, at least one field, safe field keys, choices for a choice
    field, chain titles from ``org.titles``); ``expected_version`` is the version the admin edited (someone
    else's save in between is a Conflict, not an overwrite)."""
    require(actor, ADMINS)
    now = now or utcnow()
    rows = C.normalise_fields(fields)
    titles = [C._clean(t) for t in chain if C._clean(t)]
    clean_name = C._clean(name)
    head = RegisterDefinition.__table__
    versions = RegisterDefinitionVersion.__table__
    with session_scope(engine) as session:
        known = settings_service.current_values(session, [C.TITLES_SETTING])[C.TITLES_SETTING] or []
        previous = None
        current = None
        if definition_id is not None:
            current = session.execute(select(head).where(head.c.id == definition_id)).first()
            if current is None:
                raise DomainError("registers.unknown_register")
            if expected_version is not None and current.version != expected_version:
                raise Conflict("regdef.changed_meanwhile")
            previous = session.execute(select(versions.c.spec).where(
                versions.c.definition_id == definition_id, versions.c.version == current.version)).scalar()
        others = session.execute(select(head.c.name).where(head.c.id != (definition_id or -1))).scalars().all()
        errors = C.check_spec(clean_name, rows, titles, lock, known_titles=known,
                              taken_names=[*others, *_code_titles()], earlier=C.earlier_types(previous))
        if errors:
            raise ValidationFailed(errors)
        spec = {"name": clean_name, "fields": rows, "retired": C.retired_after(previous, rows), "chain": titles,
                "lock": lock}
        if previous is not None and {k: previous.get(k) for k in spec} == spec:
            raise DomainError("registers.nothing_changed")
        try:
            with session.begin_nested():
                if current is None:
                    definition_id = session.execute(head.insert().values(
                        name=clean_name, version=1, created_by_id=actor.id, created_at=now, updated_at=now)
                    ).inserted_primary_key[0]
                    version = 1
                else:
                    version = current.version + 1
                    moved = session.execute(update(head).where(head.c.id == definition_id,
                                                               head.c.version == current.version)
                                            .values(name=clean_name, version=version, updated_at=now))
                    if moved.rowcount != 1:
                        raise Conflict("regdef.changed_meanwhile")
                session.execute(versions.insert().values(definition_id=definition_id, version=version,
                                                         name=clean_name, spec=spec, created_by_id=actor.id,
                                                         created_at=now))
        except IntegrityError as exc:
            if "name" in str(exc.orig).lower() or "register_definition.name" in str(exc):
                raise ValidationFailed([FieldError("regdef.name", "regdef.name_taken", {"name": clean_name})]) \
                    from exc
            raise Conflict("regdef.changed_meanwhile") from exc
        audit(session, actor=actor, entity="register_definition", entity_id=definition_id,
              action="create" if current is None else "update",
              before=previous, after={**spec, "version": version}, at=now)
    return definition_id
