"""registers: several charges per monthly phone bill (issue 16 P8; seed 002 #1 「信息费、168、QQ等充值…按所在团队
均摊处理」): one row per finding (a person, or a team when nobody can be traced; amount; cause), proposed in the
ledger when 行政管理中心 signs the month's reconciliation; entries are never deleted (trigger). Off 0050 (phones).

Revision ID: 0056
Revises: 0050
Create Date: 2027-01-10 00:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import db.types

from db.register_ddl import drop_never_deleted, never_deleted

revision: str = '0056'
down_revision: Union[str, None] = '0050'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('reg_phone_bill_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('no', sa.Integer(), nullable=True),
    sa.Column('stream', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('locked_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('due_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('chain', sa.JSON(), nullable=False),
    sa.Column('step_no', sa.Integer(), nullable=False),
    sa.Column('step_title', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('idem_key', sa.String(length=64), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=50), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('cause', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_phone_bill_charge_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_phone_bill_charge_department'),
    sa.ForeignKeyConstraint(['person_id'], ['app_user.id'], name='fk_reg_phone_bill_charge_person_id'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_phone_bill_charge.id'],
                            name='fk_reg_phone_bill_charge_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_phone_bill_charge.id'],
                            name='fk_reg_phone_bill_charge_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_phone_bill_charge_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_phone_bill_charge_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_phone_bill_charge_supersedes')
    )
    with op.batch_alter_table('reg_phone_bill_charge', schema=None) as batch_op:
        batch_op.create_index('ix_reg_phone_bill_charge_date_id', ['month', 'id'], unique=False)
        batch_op.create_index('ix_reg_phone_bill_charge_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_phone_bill_charge_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_phone_bill_charge_keeper_created', ['created_by_id', 'created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reg_phone_bill_charge_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_reg_phone_bill_charge_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_phone_bill_charge_step_title', ['step_title', 'state'], unique=False)
    never_deleted('reg_phone_bill_charge')


def downgrade() -> None:
    drop_never_deleted('reg_phone_bill_charge')
    with op.batch_alter_table('reg_phone_bill_charge', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_phone_bill_charge_step_title')
        batch_op.drop_index('ix_reg_phone_bill_charge_state_created')
        batch_op.drop_index(batch_op.f('ix_reg_phone_bill_charge_person_id'))
        batch_op.drop_index('ix_reg_phone_bill_charge_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_phone_bill_charge_due_at'))
        batch_op.drop_index('ix_reg_phone_bill_charge_dept_created')
        batch_op.drop_index('ix_reg_phone_bill_charge_date_id')
    op.drop_table('reg_phone_bill_charge')
