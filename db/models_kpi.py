"""KPI tables (SPEC M4): monthly sales, demotion decisions, published quarters, the ledger,
warnings, the violation catalogue and the wall's display links.

Append-only where the SPEC asks for it, enforced by the database (migration 0006):
a published quarter and its results never change, and a ledger entry's facts and
money never change either: only its status moves (proposed → confirmed →
collected | waived), and a correction is a new reversing entry. One winner without
locks: ledger entries are numbered per person (UNIQUE ``(person_id, seq)``), warning
events per person and track, a quarter is published once (UNIQUE ``(year,
quarter)``), a demotion is decided once (UNIQUE ``(consultant_id, trigger_month)``)
and an entry is reversed once (UNIQUE ``reverses_id``).
Only platform tables are referenced by foreign keys (``app_user``, ``org_unit``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

__all__ = [
    "MonthlySales", "DemotionDecision", "QuarterPublication", "QuarterResult", "CatalogueVersion",
    "LedgerEntryRecord", "WarningEventRecord", "DisciplineCase", "DisplayLink",
]


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default=list) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _money(nullable: bool = False) -> Any:
    return Field(default=Decimal(0), sa_column=Column(Numeric(12, 2), nullable=nullable))


class MonthlySales(SQLModel, table=True):
    """Units a consultant sold in a month (SPEC 4.1 ``MonthlySales``; seed 000 D1); ``month`` is its 1st."""

    __tablename__ = "kpi_monthly_sales"
    __table_args__ = (UniqueConstraint("month", "consultant_id", name="uq_kpi_monthly_sales_month"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    month: dt.date
    consultant_id: int = Field(foreign_key="app_user.id")
    units: int
    source: str = Field(default="manual", max_length=10)
    entered_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    entered_at: Optional[dt.datetime] = _utc()


class DemotionDecision(SQLModel, table=True):
    """The manager confirms or waives a demotion the ranking triggered (SPEC 4.1 ``Demotion``; S47)."""

    __tablename__ = "kpi_demotion_decision"
    __table_args__ = (UniqueConstraint("consultant_id", "trigger_month", name="uq_kpi_demotion_decision"),
                      Index("ix_kpi_demotion_decision_span", "start_day", "end_day"))

    id: Optional[int] = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="app_user.id")
    trigger_month: dt.date
    start_day: dt.date
    end_day: dt.date
    rule: str = Field(max_length=20)
    last_months: list = _json()
    decision: str = Field(max_length=10)
    reason: str = Field(max_length=500)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    decided_at: Optional[dt.datetime] = _utc()


class QuarterPublication(SQLModel, table=True):
    """A published quarterly ranking: frozen for good, with the weights and tiers it used (S48)."""

    __tablename__ = "kpi_quarter_publication"
    __table_args__ = (UniqueConstraint("year", "quarter", name="uq_kpi_quarter_publication"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    year: int
    quarter: int
    payout_month: dt.date
    weights: dict = _json(dict)
    tiers: list = _json()
    published_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    published_at: Optional[dt.datetime] = _utc()


class QuarterResult(SQLModel, table=True):
    """One person's line of a published quarter (seed 003 M#13); the name is kept as published."""

    __tablename__ = "kpi_quarter_result"
    __table_args__ = (UniqueConstraint("publication_id", "person_id", name="uq_kpi_quarter_result"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="kpi_quarter_publication.id")
    person_id: int = Field(foreign_key="app_user.id")
    person_name: str = Field(max_length=50)
    components: dict = _json(dict)
    score: float
    rank: int
    bonus: Decimal = _money()


class CatalogueVersion(SQLModel, table=True):
    """One version of a violation catalogue line (SPEC 4.4 table as data); the newest version is in force."""

    __tablename__ = "kpi_catalogue_version"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_kpi_catalogue_version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=10)
    version: int
    label: str = Field(default="", max_length=200)
    rule: dict = _json(dict)
    disabled_departments: list = _json()
    changed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    changed_at: Optional[dt.datetime] = _utc()
    reason: str = Field(default="", max_length=500)


class LedgerEntryRecord(SQLModel, table=True):
    """One line of the points-and-fines ledger (SPEC 4.4 ``LedgerEntry``); its money never changes."""

    __tablename__ = "kpi_ledger_entry"
    __table_args__ = (
        UniqueConstraint("person_id", "seq", name="uq_kpi_ledger_entry_person_seq"),
        UniqueConstraint("reverses_id", name="uq_kpi_ledger_entry_reverses"),
        Index("ix_kpi_ledger_entry_day", "occurred_on"),
        Index("ix_kpi_ledger_entry_person_code", "person_id", "code"),
        Index("ix_kpi_ledger_entry_team_day", "team_id", "occurred_on"),
        Index("ix_kpi_ledger_entry_status", "status"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="app_user.id")
    seq: int
    team_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")
    department_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")
    code: str = Field(max_length=10)
    occurred_on: dt.date
    occurrence_no: int
    team_points: int = 0
    fine: Decimal = _money()
    compensation: Decimal = _money()
    payer: str = Field(default="person", max_length=12)
    action: Optional[str] = Field(default=None, max_length=30)
    status: str = Field(default="proposed", max_length=12)
    reverses_id: Optional[int] = Field(default=None, foreign_key="kpi_ledger_entry.id")
    facts: dict = _json(dict)
    note: str = Field(default="", max_length=500)
    proposed_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    proposed_at: Optional[dt.datetime] = _utc()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    decided_at: Optional[dt.datetime] = _utc(nullable=True)
    decision_reason: str = Field(default="", max_length=500)
    collected_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    collected_at: Optional[dt.datetime] = _utc(nullable=True)


class WarningEventRecord(SQLModel, table=True):
    """One step of a person's warnings case (SPEC 4.5; seed 004 D3), append-only; ``stage`` is after the step."""

    __tablename__ = "kpi_warning_event"
    __table_args__ = (UniqueConstraint("person_id", "track", "seq", name="uq_kpi_warning_event_seq"),
                      Index("ix_kpi_warning_event_at", "at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="app_user.id")
    track: str = Field(max_length=10)
    seq: int
    event: str = Field(max_length=20)
    stage: str = Field(max_length=30)
    note: str = Field(default="", max_length=500)
    by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    at: Optional[dt.datetime] = _utc()


class DisciplineCase(SQLModel, table=True):
    """A ledger entry flagging 劝退/开除/视为自动离职 waits here for a decision (T24; seed 004 D14).

    Opened in the transaction that writes the entry; one case per entry (UNIQUE ``entry_id``). The
    decision moves ``status`` from ``pending`` once, by a conditional UPDATE (one winner).
    """

    __tablename__ = "kpi_discipline_case"
    __table_args__ = (UniqueConstraint("entry_id", name="uq_kpi_discipline_case_entry"),
                      Index("ix_kpi_discipline_case_status", "status"))

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="kpi_ledger_entry.id")
    person_id: int = Field(foreign_key="app_user.id")
    code: str = Field(max_length=10)
    action: str = Field(max_length=30)
    status: str = Field(default="pending", max_length=12)
    opened_at: Optional[dt.datetime] = _utc()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    decided_at: Optional[dt.datetime] = _utc(nullable=True)
    decision_reason: str = Field(default="", max_length=500)


class DisplayLink(SQLModel, table=True):
    """A wall-display link: only the SHA-256 of its random token is stored; revocable (SPEC 4.7)."""

    __tablename__ = "kpi_display_link"

    id: Optional[int] = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    privacy: bool = True
    created_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: Optional[dt.datetime] = _utc()
    revoked_at: Optional[dt.datetime] = _utc(nullable=True)
    revoked_by_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    revoke_reason: str = Field(default="", max_length=500)
    # What this TV shows (T12): lib.domain.display.Layout, a comma list of panels ("" = the default set).
    layout: str = Field(default="split", max_length=20)
    panels: str = Field(default="", max_length=200)
    show_fund: bool = False
