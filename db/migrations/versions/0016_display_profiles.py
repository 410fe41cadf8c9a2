"""kpi: a display link carries its TV's profile: layout, rotating panels, fines fund shown or not (issue 10 T12)

Existing links keep what they showed minus the fund: split layout, the default panels
(an empty list), fund off.

Revision ID: 0016
Revises: 0006
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = '0016'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_display_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='split'))
        batch_op.add_column(sa.Column('panels', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('show_fund', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('kpi_display_link', schema=None) as batch_op:
        batch_op.drop_column('show_fund')
        batch_op.drop_column('panels')
        batch_op.drop_column('layout')
