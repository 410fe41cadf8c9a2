"""kpi: discipline cases, a 劝退/开除 flag on a ledger entry waiting for a decision (issue 10 T24)

Revision ID: 0013
Revises: 0006
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import db.types
import sqlmodel

revision: str = '0013'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kpi_discipline_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('opened_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['kpi_ledger_entry.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id', name='uq_kpi_discipline_case_entry')
    )
    with op.batch_alter_table('kpi_discipline_case', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_discipline_case_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_discipline_case', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_discipline_case_status')
    op.drop_table('kpi_discipline_case')
