"""user_session: logins kept on the server, so a session can be ended (R2)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0017"
down_revision: Union[str, None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("user_session",
    sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", db.types.UTCDateTime(), nullable=False),
    sa.Column("ended_at", db.types.UTCDateTime(), nullable=True),
    sa.Column("ended_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
