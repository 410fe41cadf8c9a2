"""visitor_entry: the check-in form's idempotency key, unique, so a retried save is not a second visit (R12)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: Union[str, None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("visitor_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idem_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_visitor_entry_idem_key", ["idem_key"])


def downgrade() -> None:
    with op.batch_alter_table("visitor_entry", schema=None) as batch_op:
        batch_op.drop_constraint("uq_visitor_entry_idem_key", type_="unique")
        batch_op.drop_column("idem_key")
