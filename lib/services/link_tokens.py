"""Links that open one page without a login: the wall's display links and the entrance kiosk's links.

Both are a random token an admin creates and hands to a device once; only its SHA-256 is stored,
every run looks it up by that hash (one unique-index lookup), and an admin can revoke it, after which
the device's next run says so (SPEC 4.7; T10, T21b). One implementation serves both tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from lib.domain.errors import DomainError, FieldError, ValidationFailed
from lib.domain.text import optional_text, required_text
from lib.services.base import ADMINS, Actor, acting, audit, require, update_once, utcnow

TOKEN_BYTES = 32
MAX_TOKEN_LEN = 200
LABEL_MAX = 100
REASON_MAX = 500


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def find(engine: Engine, model, token: object):
    """The row of ``model`` a token names (valid or revoked), or None for anything that is not a token."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LEN:
        return None
    with session_scope(engine, write=False) as session:
        return session.exec(select(model).where(model.token_hash == token_hash(token))).first()


def checked_label(field: str, label: str) -> str:
    """The device's name, required; raises ValidationFailed naming ``field``."""
    errors: list[FieldError] = []
    label = required_text(field, label, LABEL_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    return label


@acting
def revoke(engine: Engine, *, actor: Actor, model, row_id: int, reason: str, entity: str, reason_field: str,
           not_found_key: str, already_key: str, now: dt.datetime | None = None) -> None:
    """Revoke one link, once (a second revoke is told it already was), audited with its reason."""
    require(actor, ADMINS)
    now = now or utcnow()
    errors: list[FieldError] = []
    reason = optional_text(reason_field, reason, REASON_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    with session_scope(engine) as session:
        if session.get(model, row_id) is None:
            raise DomainError(not_found_key)
        update_once(session, model, row_id, model.revoked_at,
                    {"revoked_at": now, "revoked_by_id": actor.id, "revoke_reason": reason}, already_key)
        audit(session, actor=actor, entity=entity, entity_id=row_id, action="revoke",
              before={"revoked_at": None}, after={"revoked_at": now.isoformat()}, reason=reason, at=now)
