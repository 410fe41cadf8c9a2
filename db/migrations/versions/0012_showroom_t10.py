"""showroom_day_sheet: the reason a day was signed and locked early (issue 10 T3)

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = "0012"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("showroom_day_sheet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_close_reason", sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("showroom_day_sheet", schema=None) as batch_op:
        batch_op.drop_column("early_close_reason")
