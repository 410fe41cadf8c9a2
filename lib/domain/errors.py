"""Errors raised by domain rules.

Every error carries a catalog key (``lib/locales/*/*.json``) and its parameters, so
the page shows it in the user's language with ``t(err.key, **err.params)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """A rule refused the request; ``key`` names the catalog message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class NotAllowed(DomainError):
    """The user's role or title does not allow this action."""


class Conflict(DomainError):
    """Somebody else changed the same thing first; re-read and try again."""


class Locked(DomainError):
    """The record belongs to a signed (locked) period."""


@dataclass(frozen=True)
class FieldError:
    """One field's problem: the field name, the catalog key and its parameters."""

    field: str
    key: str
    params: dict = field(default_factory=dict)


class ValidationFailed(DomainError):
    """One or more fields are wrong; ``errors`` lists each so the form can say what to fix."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("error.validation", count=len(errors))
        self.errors = list(errors)

    def keys(self) -> dict[str, str]:
        return {e.field: e.key for e in self.errors}
