"""Register definitions as typed data: fields, who may create and read, the approval chain, the lock rule
(SPEC M5; REGISTERS.md §2.1). One ``RegisterDef`` drives the table, the form, the list, the steps and exports.

Catalog keys follow the definition: the label of a field is ``field.reg.<register>.<field>`` (so a
``FieldError`` names it), a register's title ``registers.title.<register>``, a choice's label
``registers.choice.<register>.<field>.<slug>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from lib.domain.errors import FieldError
from lib.domain.phones import normalise_phone
from lib.domain.text import clean, check

if TYPE_CHECKING:  # pragma: no cover
    from lib.domain.registers.hooks import RegisterHooks

FIELD_TYPES = ("text", "long_text", "int", "money", "date", "datetime", "time", "choice", "person", "phone", "bool")
LOCK_RULES = ("on_submit", "on_final_approval", "at_workday_end", "never")
READ_SCOPES = ("own", "department", "all")
TEXT_DEFAULT = {"text": 100, "long_text": 1000, "phone": 30, "choice": 40}
MONEY_MAX = Decimal("1000000")
INT_MAX = 1_000_000
# Column names every register table has (lib/services/registers); a field may not take one of them.
COMMON_COLUMNS = ("id", "no", "stream", "state", "version", "supersedes_id", "superseded_by_id", "created_by_id",
                  "department_id", "created_at", "submitted_at", "decided_at", "locked_at", "chain", "step_no",
                  "step_title", "step_department_id", "reason", "idem_key", "due_at", "updated_at")


@dataclass(frozen=True)
class FieldDef:
    """One column of a register, in the seed's own order, with the seed quote it comes from."""

    key: str
    type: str
    required: bool = False
    unique: bool = False
    default: object = None
    help: bool = False  # a help text exists at ``registers.help.<register>.<field>``
    max_len: int | None = None
    choices: tuple[str, ...] = ()
    quote: str = ""
    derived: bool = False  # filled by the register's ``derive`` hook, never typed
    indexed: bool = False
    minimum: int | None = None
    maximum: int | None = None
    label: str = ""  # an admin-made register's own label (plain text, not a catalog key)
    codes: str = ""  # a text field that may hold another module's codes: their labels are ``<codes>.<value>``
    shown_choices: tuple[str, ...] = ()  # choices only the ``shown`` hook gives at read time, never stored

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.key}: unknown type {self.type!r}")
        if self.key in COMMON_COLUMNS or not self.key.isidentifier() or not self.key.islower():
            raise ValueError(f"field {self.key!r}: not a usable column name")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.key}: a choice needs choices")
        if not set(self.shown_choices) <= set(self.choices):
            raise ValueError(f"field {self.key}: shown choices must be among its choices")

    @property
    def length(self) -> int | None:
        """The column length of a text-like field (the widget's ``max_chars`` and the service's check)."""
        return self.max_len or TEXT_DEFAULT.get(self.type)


CADENCE_UNITS = ("minutes", "days", "months")


@dataclass(frozen=True)
class Cadence:
    """A register due again ``every`` units after its latest entry (machine-room inspection monthly, seed 000 D10;
    equipment stocktake half-yearly, seed 003 X6#23; the phone bill monthly by the 5th, seed 002 #1).

    ``setting`` (an int setting) overrides ``every``. ``field`` is the column the latest entry is found by (one
    indexed read; default the register's date field, else its creation time). With ``day_setting`` (months) the
    entry names a period it is kept for in arrears: the next one is due by the end of that day of the month
    after the next period. ``title`` is who it is for (the inbox's title)."""

    unit: str = "days"
    every: int = 1
    setting: str | None = None
    field: str | None = None
    day_setting: str | None = None
    title: str = ""

    def __post_init__(self) -> None:
        if self.unit not in CADENCE_UNITS or self.every < 1:
            raise ValueError(f"cadence: unknown unit {self.unit!r} or period {self.every}")
        if self.day_setting is not None and self.unit != "months":
            raise ValueError("cadence: a day of the month needs a monthly cadence")


@dataclass(frozen=True)
class RegisterDef:
    """A register: SPEC M5 / REGISTERS.md §2.1 (fields, access, chain, lock, dues, numbering)."""

    key: str
    family: str
    source: str  # seed reference, e.g. "seed 000 D14 [IN-e]"
    fields: tuple[FieldDef, ...]
    create_roles: tuple[str, ...] = ("admin", "supervisor", "staff")
    create_titles: tuple[str, ...] = ()  # empty: anyone with a create role
    read_scope: str = "all"  # who sees entries besides their keeper: own / department / all
    read_titles: tuple[str, ...] = ()  # titles that see every entry whatever the scope
    chain_setting: str | None = None  # setting (titles) holding the approval chain, copied at submit
    return_setting: str | None = None  # setting (bool): the chain ends back at its first title
    lock: str = "on_submit"
    editable_after_lock: tuple[str, ...] = ()  # set once after lock (e.g. 归还时间)
    date_field: str | None = None  # the field lists filter by (else the entry's creation time)
    title_field: str | None = None  # the field an entry is named by in lists and steps
    numbered: bool = True  # gap-free per stream (the counter row moves in the submit transaction)
    stream_field: str | None = None  # the field whose value names the entry's stream (numbered per post); None: ""
    self_approval: bool = False
    hooks: "RegisterHooks | None" = None
    every: Cadence | None = None  # due again a period after the latest entry (lib/services/registers open_dues)
    late_titles: tuple[str, ...] = ()  # titles that may also fill ``editable_after_lock`` fields (印章管理员)
    # When set, only these titles and admins open the register at all (list, export, create); anyone else reads an
    # entry only while a step of its chain is theirs (涉密 registers kept by the 保密员, seed 001 D3).
    open_titles: tuple[str, ...] = ()
    audit_reads: bool = False  # every read of one entry writes an audit row (a 涉密人员's record, seed 001 D1)
    # A person field whose department the entry belongs to (its department-scoped steps and department read scope);
    # None: the creator's. The 保密员 registers a 涉密人员, whose own 部门负责人 signs first (seed 001 D1 第五条).
    department_field: str | None = None
    # A person field naming whom the entry is about (the graded 涉密人员, the person a rest-room change or a lounge
    # fine concerns, the requester of a request): that person never signs or refuses a step of it, whatever title
    # they hold; the next holder of the title does (issue 16 K20). None: only the keeper's own entry is barred.
    subject_field: str | None = None
    # An admin-made register (lib/domain/registers/custom.py): its own title, chain and definition row; its
    # labels are plain text rather than catalog keys, and its entries live in ``reg_custom_entry``.
    title: str = ""
    chain_titles: tuple[str, ...] = ()
    custom_id: int | None = None
    custom_version: int | None = None

    def __post_init__(self) -> None:
        if self.lock not in LOCK_RULES:
            raise ValueError(f"register {self.key}: unknown lock rule {self.lock!r}")
        if self.read_scope not in READ_SCOPES:
            raise ValueError(f"register {self.key}: unknown read scope {self.read_scope!r}")
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError(f"register {self.key}: a field is declared twice")
        cadence_field = self.every.field if self.every is not None else None
        for name in (*self.editable_after_lock, self.date_field, self.title_field, cadence_field, self.stream_field,
                     self.department_field, self.subject_field):
            if name is not None and name not in keys:
                raise ValueError(f"register {self.key}: unknown field {name!r}")
        if self.department_field is not None and self.field(self.department_field).type != "person":
            raise ValueError(f"register {self.key}: the department field must name a person")
        if self.subject_field is not None and self.field(self.subject_field).type != "person":
            raise ValueError(f"register {self.key}: the subject field must name a person")

    @property
    def table(self) -> str:
        return "reg_custom_entry" if self.custom_id is not None else f"reg_{self.key}"

    @property
    def custom(self) -> bool:
        return self.custom_id is not None

    @property
    def has_chain(self) -> bool:
        return self.chain_setting is not None or bool(self.chain_titles)

    def field(self, key: str) -> FieldDef:
        for item in self.fields:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def typed_fields(self) -> tuple[FieldDef, ...]:
        """The fields a person types (derived ones are filled by hooks)."""
        return tuple(f for f in self.fields if not f.derived)

    def label_key(self, field_key: str) -> str:
        return f"field.{self.error_field(field_key)}"

    def error_field(self, field_key: str) -> str:
        """The ``FieldError.field`` of a field: ``reg.<register>.<field>`` (its label is ``field.`` + that)."""
        return f"reg.{self.key}.{field_key}"

    @property
    def title_key(self) -> str:
        return f"registers.title.{self.key}"


def register_title(register: RegisterDef, translate) -> str:
    """The register's title: its own for an admin-made one, else the catalog's (``translate`` is ``t``)."""
    return register.title if register.custom else translate(register.title_key)


def field_label(register: RegisterDef, definition: FieldDef, translate) -> str:
    return definition.label if register.custom else translate(register.label_key(definition.key))


def code_label(definition: FieldDef, value: str, translate) -> str:
    """A text field's value as shown: a known code of ``definition.codes`` by its label (the handover writes the
    shift ``night``, a list shows 夜班), anything typed as it is."""
    if not definition.codes:
        return value
    key = f"{definition.codes}.{value}"
    shown = translate(key)
    return value if shown == key else shown


def choice_label(register: RegisterDef, definition: FieldDef, value: str, translate) -> str:
    """An admin-made choice is its own label; a code register's is ``registers.choice.<reg>.<field>.<slug>``."""
    return value if register.custom else translate(f"registers.choice.{register.key}.{definition.key}.{value}")


@dataclass(frozen=True)
class ChainStep:
    """One approval step copied onto an entry at submit: the title that acts, and whether the actor must be
    of the entry's department (a 部门主管 reviews their own department's requests, seed 000 D14)."""

    title: str
    department: bool = False
    returning: bool = False  # the chain's "back to" step (results returned to the first title)

    def as_json(self) -> dict:
        return {"title": self.title, "department": self.department, "returning": self.returning}

    @classmethod
    def from_json(cls, data: dict) -> "ChainStep":
        return cls(title=str(data["title"]), department=bool(data.get("department")),
                   returning=bool(data.get("returning")))


def build_chain(titles: list[str] | tuple[str, ...], *, return_to_first: bool,
                department_titles: list[str] | tuple[str, ...]) -> tuple[ChainStep, ...]:
    """The chain from its settings: titles in order, department-scoped where the title is one a department
    holds, and a last step back to the first title when the register says so (申请查询信息表, seed 000 D14)."""
    steps = [ChainStep(t, department=t in department_titles) for t in titles]
    if return_to_first and steps:
        steps.append(ChainStep(steps[0].title, department=steps[0].department, returning=True))
    return tuple(steps)


def coerce(register: RegisterDef, definition: FieldDef, raw: object, errors: list[FieldError]) -> object:
    """A typed value for ``definition`` from what a form or caller gave, or None; problems appended to ``errors``.

    Widgets already give dates, times and numbers; text is cleaned and checked like every field (issue 12 R4).
    A datetime must carry its zone (the page combines the office-local date and time)."""
    name = register.error_field(definition.key)
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if empty:
        if definition.required and not definition.derived and definition.type != "bool":
            errors.append(FieldError(name, "field.required"))
        return False if definition.type == "bool" else None
    kind = definition.type
    try:
        if kind in ("text", "long_text"):
            value = clean(raw)
            check(name, value, definition.length, errors, multiline=kind == "long_text")
            return value
        if kind == "phone":
            value = clean(raw)
            canonical = normalise_phone(value)
            if canonical is None:
                errors.append(FieldError(name, "registers.bad_phone"))
            return canonical or value[: definition.length]
        if kind == "choice":
            value = str(raw)
            if value not in definition.choices:
                errors.append(FieldError(name, "registers.bad_choice"))
            return value
        if kind == "bool":
            return bool(raw)
        if kind in ("int", "person"):
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError(raw)
            value = int(raw)
            low = definition.minimum if definition.minimum is not None else (1 if kind == "person" else -INT_MAX)
            high = definition.maximum if definition.maximum is not None else INT_MAX if kind == "int" else 2**31 - 1
            if not low <= value <= high:
                errors.append(FieldError(name, "registers.out_of_range", {"low": low, "high": high}))
            return value
        if kind == "money":
            amount = Decimal(str(raw)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if not amount.is_finite() or abs(amount) > MONEY_MAX:
                errors.append(FieldError(name, "registers.out_of_range", {"low": -MONEY_MAX, "high": MONEY_MAX}))
            return amount
        if kind == "date":
            if isinstance(raw, dt.datetime):
                raise ValueError(raw)
            value = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
            if not dt.date(2000, 1, 1) <= value <= dt.date(2099, 12, 31):
                errors.append(FieldError(name, "registers.bad_date"))
            return value
        if kind == "datetime":
            value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
            if value.tzinfo is None or value.utcoffset() is None:
                errors.append(FieldError(name, "registers.needs_zone"))
                return None
            if not 2000 <= value.year <= 2099:
                errors.append(FieldError(name, "registers.bad_date"))
            return value.astimezone(dt.timezone.utc)
        if kind == "time":
            value = raw if isinstance(raw, dt.time) else dt.time.fromisoformat(str(raw))
            return value.replace(tzinfo=None, microsecond=0)
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        errors.append(FieldError(name, "registers.bad_value"))
        return None
    raise ValueError(kind)  # pragma: no cover - FIELD_TYPES is closed


@dataclass(frozen=True)
class Access:
    """Who may create in and read a register (plain data from the acting user)."""

    user_id: int | None
    role: str
    titles: tuple[str, ...] = ()
    department_id: int | None = None
    titles_set: frozenset = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles_set", frozenset(self.titles))


def may_open(register: RegisterDef, who: Access) -> bool:
    """Whether ``who`` may open the register at all: anyone, unless it names ``open_titles`` (then those and admins)."""
    return not register.open_titles or who.role == "admin" or bool(who.titles_set & set(register.open_titles))


def may_create(register: RegisterDef, who: Access) -> bool:
    """Create roles, then titles when the register names some (admins always)."""
    if who.role == "admin":
        return True
    if not may_open(register, who):
        return False
    if who.role not in register.create_roles:
        return False
    return not register.create_titles or bool(who.titles_set & set(register.create_titles))


def reads_all(register: RegisterDef, who: Access) -> bool:
    """Whether ``who`` sees every entry (admins, a register read by all, or a title it names)."""
    return who.role == "admin" or register.read_scope == "all" or bool(who.titles_set & set(register.read_titles))
