"""showroom_customer (state, due_at): the inbox's customers provider reads owned customers near their due
through it, never the released ones (issue 15 I3 "never history")

On the showroom branch, where the table lives. Found by ``make bench`` (bench/inbox.py): with the due_at index
alone, SQLite walked every released customer (their due_at is the past lapse, and they pile up year after
year) before the owned ones near their due.

Revision ID: 0020
Revises: 0012
Create Date: 2026-12-07
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0020"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("showroom_customer", schema=None) as batch_op:
        batch_op.create_index("ix_showroom_customer_state_due", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("showroom_customer", schema=None) as batch_op:
        batch_op.drop_index("ix_showroom_customer_state_due")
