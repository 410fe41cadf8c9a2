"""notify: outbox, deliveries, the sweeper's lease, preferences, SLA breach history (issue 15)

Revision ID: 0040
Revises: 0002
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import datetime as dt

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0040"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = ("notify",)
depends_on: Union[str, Sequence[str], None] = ("0004",)  # sla_breach points at ticket


def _s(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _s(40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("due_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("event", _s(20), nullable=False),
        sa.Column("text", _s(1000), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "record_id", "due_at", "recipient_id", name="uq_notify_outbox_key"),
    )
    op.create_index("ix_notify_outbox_created", "notify_outbox", ["created_at"])
    op.create_table(
        "notify_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", _s(20), nullable=False),
        sa.Column("target", _s(200), nullable=False),
        sa.Column("state", _s(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", db.types.UTCDateTime(), nullable=True),
        sa.Column("claimed_by", _s(80), nullable=False),
        sa.Column("last_error", _s(500), nullable=False),
        sa.Column("sent_at", db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["notify_outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id", "channel", name="uq_notify_delivery_channel"),
    )
    op.create_index("ix_notify_delivery_due", "notify_delivery", ["state", "next_attempt_at"])
    lease = op.create_table(
        "notify_lease",
        sa.Column("name", _s(40), nullable=False),
        sa.Column("holder", _s(80), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "notify_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", _s(10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("target", _s(40), nullable=False),
        sa.Column("email", _s(120), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "ref_id", name="uq_notify_preference"),
    )
    op.create_table(
        "sla_breach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("due_kind", _s(30), nullable=False),
        sa.Column("due_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "due_kind", "due_at", name="uq_sla_breach"),
    )
    op.create_index("ix_sla_breach_recorded", "sla_breach", ["recorded_at"])
    op.bulk_insert(lease, [{"name": "sweeper", "holder": "", "expires_at": dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)}])


def downgrade() -> None:
    op.drop_table("sla_breach")
    op.drop_table("notify_preference")
    op.drop_table("notify_lease")
    op.drop_table("notify_delivery")
    op.drop_table("notify_outbox")
