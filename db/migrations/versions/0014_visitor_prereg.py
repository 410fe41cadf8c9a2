"""visitors: pre-registrations with a short code, kiosk links, kiosk sign-ins waiting for the desk (T21)

Revision ID: 0014
Revises: 0007
Create Date: 2026-11-30
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import db.types
import sqlmodel

revision: str = "0014"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("visitor_prereg",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column("headcount", sa.Integer(), nullable=False),
    sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column("phone_norm", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column("expected_day", sa.Date(), nullable=False),
    sa.Column("expected_time", sa.Time(), nullable=True),
    sa.Column("host_id", sa.Integer(), nullable=False),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
    sa.Column("cancelled_at", db.types.UTCDateTime(), nullable=True),
    sa.Column("visitor_entry_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], ),
    sa.ForeignKeyConstraint(["host_id"], ["app_user.id"], ),
    sa.ForeignKeyConstraint(["visitor_entry_id"], ["visitor_entry.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("code")
    )
    with op.batch_alter_table("visitor_prereg", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitor_prereg_expected_day"), ["expected_day"], unique=False)

    op.create_table("visitor_kiosk",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
    sa.Column("revoked_at", db.types.UTCDateTime(), nullable=True),
    sa.Column("revoked_by_id", sa.Integer(), nullable=True),
    sa.Column("revoke_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], ),
    sa.ForeignKeyConstraint(["revoked_by_id"], ["app_user.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("token_hash")
    )

    op.create_table("visitor_sign_in",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kiosk_id", sa.Integer(), nullable=False),
    sa.Column("prereg_id", sa.Integer(), nullable=True),
    sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column("headcount", sa.Integer(), nullable=False),
    sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column("host_text", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
    sa.Column("decided_at", db.types.UTCDateTime(), nullable=True),
    sa.Column("decided_by_id", sa.Integer(), nullable=True),
    sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column("visitor_entry_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"], ),
    sa.ForeignKeyConstraint(["kiosk_id"], ["visitor_kiosk.id"], ),
    sa.ForeignKeyConstraint(["prereg_id"], ["visitor_prereg.id"], ),
    sa.ForeignKeyConstraint(["visitor_entry_id"], ["visitor_entry.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("visitor_sign_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitor_sign_in_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_visitor_sign_in_decided_at"), ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitor_sign_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_sign_in_decided_at"))
        batch_op.drop_index(batch_op.f("ix_visitor_sign_in_created_at"))
    op.drop_table("visitor_sign_in")
    op.drop_table("visitor_kiosk")
    with op.batch_alter_table("visitor_prereg", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_prereg_expected_day"))
    op.drop_table("visitor_prereg")
