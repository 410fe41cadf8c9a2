"""Rule parameters: definitions from every domain module, values versioned in ``setting_value``."""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import logging
import pkgutil
from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import lib.domain
from db.engine import session_scope
from db.models import SettingValue
from lib import cache
from lib.cache import read_versions
from lib.domain import settings as sdef
from lib.domain.errors import DomainError
from lib.domain.office import zone
from lib.services.base import ADMINS, Actor, acting, audit, require, utcnow

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def definitions() -> dict[str, sdef.SettingDef]:
    """Every ``SETTINGS`` list declared in ``lib/domain`` and its sub-packages, by key (a key declared twice
    is an error)."""
    found: dict[str, sdef.SettingDef] = {}
    for module_info in pkgutil.walk_packages(lib.domain.__path__, prefix="lib.domain."):
        module = importlib.import_module(module_info.name)
        for definition in getattr(module, "SETTINGS", []):
            if definition.key in found:
                raise ValueError(f"setting {definition.key} declared twice")
            found[definition.key] = definition
    return dict(sorted(found.items()))


def current_values(session: Session, keys: list[str] | None = None) -> dict[str, object]:
    """The value in force for each key (global scope): newest version, else the default.

    A stored value its schema refuses (saved before the schema, or written around the service) is logged
    and the default is used, so no page breaks on it (issue 12 R8). The stored rows are decoded once per
    change, on any app server (issue 13 L2): this transaction reads the ``settings`` counter, and the rows
    kept in this process answer while it has not moved."""
    version = read_versions(session).get("settings")
    history = cache.cached(session.get_bind().engine, "settings", version, lambda: _history(session))
    return _in_force(history, keys, utcnow())


def values(engine: Engine, keys: list[str] | None = None) -> dict[str, object]:
    """:func:`current_values` for a page or a check outside a transaction: the counter this script run
    already read, so a run asks the database about settings at most once (issue 13 L2)."""
    version = cache.versions(engine).get("settings")

    def load() -> dict[str, tuple[tuple[dt.datetime, object], ...]]:
        with session_scope(engine, write=False) as session:
            return _history(session)

    return _in_force(cache.cached(engine, "settings", version, load), keys, utcnow())


def _history(session: Session) -> dict[str, tuple[tuple[dt.datetime, object], ...]]:
    """Every stored global value of every known key, decoded, oldest first: (effective from, value)."""
    defs = definitions()
    rows = session.exec(
        select(SettingValue.key, SettingValue.effective_from, SettingValue.value)
        .where(SettingValue.key.in_(list(defs)), SettingValue.scope == "global")
        .order_by(SettingValue.key, SettingValue.effective_from, SettingValue.id)
    ).all()
    found: dict[str, list[tuple[dt.datetime, object]]] = {}
    for key, since, text in rows:
        found.setdefault(key, []).append((since, _stored(defs[key], text)))
    return {key: tuple(versions) for key, versions in found.items()}


def _in_force(history: dict[str, tuple[tuple[dt.datetime, object], ...]], keys: list[str] | None,
              now: dt.datetime) -> dict[str, object]:
    defs = definitions()
    result = {}
    for key in keys or list(defs):
        value = defs[key].default
        for since, stored in history.get(key, ()):
            if since > now:
                break
            value = stored
        result[key] = copy.deepcopy(value) if isinstance(value, (list, dict)) else value
    return result


def _stored(definition: sdef.SettingDef, text: str) -> object:
    try:
        return sdef.check_value(definition, sdef.decode(definition, text))
    except (DomainError, ValueError, TypeError, RecursionError) as exc:
        log.warning("setting %s: stored value refused by its schema (%s); the default is used",
                    definition.key, getattr(exc, "key", type(exc).__name__))
        return definition.default


def get(session: Session, key: str) -> object:
    return current_values(session, [key])[key]


def office_zone(session: Session):
    return zone(str(get(session, "office.timezone")))


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: object
    default: object
    kind: str
    unit: str
    scope: str
    source: str
    changed: bool
    minimum: float | None = None
    maximum: float | None = None


def list_settings(engine: Engine) -> list[SettingRow]:
    """All settings with their value in force, default, unit, scope and seed source."""
    defs = definitions()
    with session_scope(engine, write=False) as session:
        values = current_values(session)
    return [SettingRow(key=k, value=values[k], default=d.default, kind=d.kind, unit=d.unit, scope=d.scope,
                       source=d.source, changed=values[k] != d.default, minimum=d.minimum, maximum=d.maximum)
            for k, d in defs.items()]


_UNSET = object()
MANAGED_TITLES = "org.titles"


@acting
def change_setting(engine: Engine, *, actor: Actor, key: str, text: str | None = None, value: object = _UNSET,
                   reason: str = "") -> object:
    """An admin sets a new value (typed from a widget, or as text); it takes effect now and is audited
    (SPEC M0 Settings). A list of titles may only name titles from ``org.titles`` (T13)."""
    require(actor, ADMINS)
    defs = definitions()
    if not isinstance(key, str) or key not in defs:
        raise DomainError("settings.unknown_key", setting=str(key)[:80])
    value = sdef.parse_value(defs[key], text or "") if value is _UNSET else sdef.check_value(defs[key], value)
    if key == "office.timezone":
        zone(str(value))
    now = utcnow()
    with session_scope(engine) as session:
        if defs[key].kind == "titles":
            _check_titles(session, defs, key, value)
        _check_cross(session, key, value)
        before = current_values(session, [key])[key]
        session.add(SettingValue(key=key, value=sdef.encode(value), effective_from=now,
                                 changed_by_id=actor.id, changed_at=now))
        audit(session, actor=actor, entity="setting", entity_id=key, action="change",
              before={"value": sdef.encode(before)}, after={"value": sdef.encode(value)}, reason=reason)
    return value


def _check_titles(session: Session, defs: dict[str, sdef.SettingDef], key: str, value: list[str]) -> None:
    """Cross-field rule (T13): a rule names only managed titles; the managed list keeps every title in use."""
    others = [k for k, d in defs.items() if d.kind == "titles" and k != MANAGED_TITLES]
    if key != MANAGED_TITLES:
        unknown = sdef.unknown_titles(value, list(get(session, MANAGED_TITLES)))
        if unknown:
            raise DomainError("settings.unknown_titles", titles="、".join(unknown))
        return
    in_use = current_values(session, others)
    users = {k: sdef.unknown_titles(v, value) for k, v in in_use.items()}
    users = {k: v for k, v in users.items() if v}
    if users:
        removed = sorted({title for missing in users.values() for title in missing})
        raise DomainError("settings.titles_in_use", titles="、".join(removed), settings="、".join(users))


@lru_cache(maxsize=1)
def cross_rules() -> tuple[sdef.CrossRule, ...]:
    """Every ``CROSS_RULES`` list declared in ``lib/domain`` and its sub-packages (issue 12 R8)."""
    definitions()  # imports every domain module
    found: list[sdef.CrossRule] = []
    for module_info in pkgutil.walk_packages(lib.domain.__path__, prefix="lib.domain."):
        found.extend(getattr(importlib.import_module(module_info.name), "CROSS_RULES", []))
    return tuple(found)


def _check_cross(session: Session, key: str, value: object) -> None:
    """Cross-setting rules (R8): the new value with the others in force must keep every rule naming ``key``."""
    rules = [rule for rule in cross_rules() if key in rule.keys]
    if not rules:
        return
    values = current_values(session, sorted({k for rule in rules for k in rule.keys} - {key}))
    values[key] = value
    broken = sdef.broken_rule(rules, values)
    if broken is not None:
        raise DomainError(broken.message)


def managed_titles(engine: Engine) -> list[str]:
    """The managed list of job titles admins pick from (setting ``org.titles``, T13)."""
    with session_scope(engine, write=False) as session:
        return list(get(session, MANAGED_TITLES) or [])


def today(session: Session, now: dt.datetime | None = None) -> dt.date:
    """The office calendar day now."""
    return (now or utcnow()).astimezone(office_zone(session)).date()


def office_zone_now(engine) -> tuple:
    """The office time zone and today's office date (for pages that show and default dates)."""
    tz = zone(str(values(engine, ["office.timezone"])["office.timezone"]))
    return tz, utcnow().astimezone(tz).date()
