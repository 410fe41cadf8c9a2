"""ticket: warranty and quality fault may be unanswered (T19); owner title wide enough for a list of titles (T13)

Complaints never asked about warranty or quality fault, so their stored "yes" becomes "not answered".

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.alter_column("in_warranty", existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column("quality_fault", existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column("owner_title", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=True)
    op.execute("UPDATE ticket SET in_warranty = NULL, quality_fault = NULL WHERE flow = 'complaint'")


def downgrade() -> None:
    op.execute("UPDATE ticket SET in_warranty = TRUE WHERE in_warranty IS NULL")
    op.execute("UPDATE ticket SET quality_fault = TRUE WHERE quality_fault IS NULL")
    op.execute("UPDATE ticket SET owner_title = SUBSTR(owner_title, 1, 40) WHERE LENGTH(owner_title) > 40")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.alter_column("owner_title", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=40), existing_nullable=True)
        batch_op.alter_column("in_warranty", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("quality_fault", existing_type=sa.Boolean(), nullable=False)
