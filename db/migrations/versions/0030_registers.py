"""registers (SPEC M5, issue 14): the engine's append-only step table and gap-free counters, and one table
per information register of seed 000 D14 plus customer-archive access (seed 001 D17); entries are never
deleted and steps never changed, by database triggers

Revision ID: 0030
Revises: 0002
Create Date: 2026-12-06 23:55:04.799388
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import db.types
import sqlmodel

from db.register_ddl import append_only, drop_append_only, drop_never_deleted, never_deleted

REGISTER_TABLES = ("reg_general_query", "reg_info_request", "reg_info_transfer", "reg_info_receipt",
                   "reg_general_loan", "reg_special_loan", "reg_archive_access")

revision: str = '0030'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = ('registers',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('register_counter',
    sa.Column('register', sa.String(length=40), nullable=False),
    sa.Column('stream', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('register', 'stream')
    )
    op.create_table('reg_archive_access',
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
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('customer', sa.String(length=100), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('requested_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('signed_by', sa.String(length=50), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_archive_access_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_archive_access_department'),
    sa.ForeignKeyConstraint(['requester_id'], ['app_user.id'], name='fk_reg_archive_access_requester_id'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_archive_access.id'], name='fk_reg_archive_access_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_archive_access.id'], name='fk_reg_archive_access_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_archive_access_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_archive_access_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_archive_access_supersedes')
    )
    with op.batch_alter_table('reg_archive_access', schema=None) as batch_op:
        batch_op.create_index('ix_reg_archive_access_date_id', ['requested_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_archive_access_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_archive_access_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_archive_access_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_archive_access_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_reg_archive_access_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_archive_access_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_general_loan',
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
    sa.Column('borrower_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.String(length=200), nullable=True),
    sa.Column('borrowed_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('returned_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['borrower_id'], ['app_user.id'], name='fk_reg_general_loan_borrower_id'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_general_loan_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_general_loan_department'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_general_loan.id'], name='fk_reg_general_loan_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_general_loan.id'], name='fk_reg_general_loan_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_general_loan_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_general_loan_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_general_loan_supersedes')
    )
    with op.batch_alter_table('reg_general_loan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reg_general_loan_borrower_id'), ['borrower_id'], unique=False)
        batch_op.create_index('ix_reg_general_loan_date_id', ['borrowed_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_general_loan_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_general_loan_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_general_loan_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_general_loan_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_general_loan_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_general_query',
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
    sa.Column('asked_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('enquirer', sa.String(length=50), nullable=True),
    sa.Column('content', sa.String(length=500), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('result', sa.String(length=200), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_general_query_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_general_query_department'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_general_query.id'], name='fk_reg_general_query_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_general_query.id'], name='fk_reg_general_query_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_general_query_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_general_query_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_general_query_supersedes')
    )
    with op.batch_alter_table('reg_general_query', schema=None) as batch_op:
        batch_op.create_index('ix_reg_general_query_date_id', ['asked_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_general_query_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_general_query_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_general_query_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_general_query_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_general_query_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_info_receipt',
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
    sa.Column('giver_id', sa.Integer(), nullable=True),
    sa.Column('received_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('content', sa.String(length=500), nullable=True),
    sa.Column('requirement', sa.String(length=200), nullable=True),
    sa.Column('result', sa.String(length=200), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_info_receipt_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_info_receipt_department'),
    sa.ForeignKeyConstraint(['giver_id'], ['app_user.id'], name='fk_reg_info_receipt_giver_id'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_info_receipt.id'], name='fk_reg_info_receipt_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_info_receipt.id'], name='fk_reg_info_receipt_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_info_receipt_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_info_receipt_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_info_receipt_supersedes')
    )
    with op.batch_alter_table('reg_info_receipt', schema=None) as batch_op:
        batch_op.create_index('ix_reg_info_receipt_date_id', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_info_receipt_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_receipt_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_receipt_giver_id'), ['giver_id'], unique=False)
        batch_op.create_index('ix_reg_info_receipt_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_info_receipt_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_info_receipt_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_info_request',
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
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('content', sa.String(length=500), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('urgency', sa.String(length=40), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.Column('reviewer', sa.String(length=50), nullable=True),
    sa.Column('approver', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['app_user.id'], name='fk_reg_info_request_applicant_id'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_info_request_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_info_request_department'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_info_request.id'], name='fk_reg_info_request_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_info_request.id'], name='fk_reg_info_request_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_info_request_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_info_request_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_info_request_supersedes')
    )
    with op.batch_alter_table('reg_info_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reg_info_request_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_reg_info_request_date_id', ['applied_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_info_request_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_request_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_info_request_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_info_request_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_info_request_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_info_transfer',
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
    sa.Column('giver_id', sa.Integer(), nullable=True),
    sa.Column('receiver_id', sa.Integer(), nullable=True),
    sa.Column('transferred_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('content', sa.String(length=500), nullable=True),
    sa.Column('scope', sa.String(length=200), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_info_transfer_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_info_transfer_department'),
    sa.ForeignKeyConstraint(['giver_id'], ['app_user.id'], name='fk_reg_info_transfer_giver_id'),
    sa.ForeignKeyConstraint(['receiver_id'], ['app_user.id'], name='fk_reg_info_transfer_receiver_id'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_info_transfer.id'], name='fk_reg_info_transfer_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_info_transfer.id'], name='fk_reg_info_transfer_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_info_transfer_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_info_transfer_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_info_transfer_supersedes')
    )
    with op.batch_alter_table('reg_info_transfer', schema=None) as batch_op:
        batch_op.create_index('ix_reg_info_transfer_date_id', ['transferred_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_info_transfer_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_transfer_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_transfer_giver_id'), ['giver_id'], unique=False)
        batch_op.create_index('ix_reg_info_transfer_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_info_transfer_receiver_id'), ['receiver_id'], unique=False)
        batch_op.create_index('ix_reg_info_transfer_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_info_transfer_step_title', ['step_title', 'state'], unique=False)

    op.create_table('reg_special_loan',
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
    sa.Column('borrower_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.String(length=200), nullable=True),
    sa.Column('borrowed_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('returned_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('reviewer', sa.String(length=50), nullable=True),
    sa.Column('remarks', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['borrower_id'], ['app_user.id'], name='fk_reg_special_loan_borrower_id'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name='fk_reg_special_loan_created_by'),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name='fk_reg_special_loan_department'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['reg_special_loan.id'], name='fk_reg_special_loan_superseded_by'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reg_special_loan.id'], name='fk_reg_special_loan_supersedes'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key', name='uq_reg_special_loan_idem_key'),
    sa.UniqueConstraint('stream', 'no', name='uq_reg_special_loan_no'),
    sa.UniqueConstraint('supersedes_id', name='uq_reg_special_loan_supersedes')
    )
    with op.batch_alter_table('reg_special_loan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reg_special_loan_borrower_id'), ['borrower_id'], unique=False)
        batch_op.create_index('ix_reg_special_loan_date_id', ['borrowed_at', 'id'], unique=False)
        batch_op.create_index('ix_reg_special_loan_dept_created', ['department_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reg_special_loan_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_reg_special_loan_keeper_created', ['created_by_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_special_loan_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reg_special_loan_step_title', ['step_title', 'state'], unique=False)

    op.create_table('register_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register', sa.String(length=40), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('at', db.types.UTCDateTime(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('register', 'entry_id', 'seq', name='uq_register_step_seq')
    )
    with op.batch_alter_table('register_step', schema=None) as batch_op:
        batch_op.create_index('ix_register_step_actor_at', ['actor_id', 'at'], unique=False)

    append_only("register_step")
    for table in REGISTER_TABLES:
        never_deleted(table)


def downgrade() -> None:
    drop_append_only("register_step")
    for table in REGISTER_TABLES:
        drop_never_deleted(table)
    with op.batch_alter_table('register_step', schema=None) as batch_op:
        batch_op.drop_index('ix_register_step_actor_at')

    op.drop_table('register_step')
    with op.batch_alter_table('reg_special_loan', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_special_loan_step_title')
        batch_op.drop_index('ix_reg_special_loan_state_created')
        batch_op.drop_index('ix_reg_special_loan_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_special_loan_due_at'))
        batch_op.drop_index('ix_reg_special_loan_dept_created')
        batch_op.drop_index('ix_reg_special_loan_date_id')
        batch_op.drop_index(batch_op.f('ix_reg_special_loan_borrower_id'))

    op.drop_table('reg_special_loan')
    with op.batch_alter_table('reg_info_transfer', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_info_transfer_step_title')
        batch_op.drop_index('ix_reg_info_transfer_state_created')
        batch_op.drop_index(batch_op.f('ix_reg_info_transfer_receiver_id'))
        batch_op.drop_index('ix_reg_info_transfer_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_info_transfer_giver_id'))
        batch_op.drop_index(batch_op.f('ix_reg_info_transfer_due_at'))
        batch_op.drop_index('ix_reg_info_transfer_dept_created')
        batch_op.drop_index('ix_reg_info_transfer_date_id')

    op.drop_table('reg_info_transfer')
    with op.batch_alter_table('reg_info_request', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_info_request_step_title')
        batch_op.drop_index('ix_reg_info_request_state_created')
        batch_op.drop_index('ix_reg_info_request_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_info_request_due_at'))
        batch_op.drop_index('ix_reg_info_request_dept_created')
        batch_op.drop_index('ix_reg_info_request_date_id')
        batch_op.drop_index(batch_op.f('ix_reg_info_request_applicant_id'))

    op.drop_table('reg_info_request')
    with op.batch_alter_table('reg_info_receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_info_receipt_step_title')
        batch_op.drop_index('ix_reg_info_receipt_state_created')
        batch_op.drop_index('ix_reg_info_receipt_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_info_receipt_giver_id'))
        batch_op.drop_index(batch_op.f('ix_reg_info_receipt_due_at'))
        batch_op.drop_index('ix_reg_info_receipt_dept_created')
        batch_op.drop_index('ix_reg_info_receipt_date_id')

    op.drop_table('reg_info_receipt')
    with op.batch_alter_table('reg_general_query', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_general_query_step_title')
        batch_op.drop_index('ix_reg_general_query_state_created')
        batch_op.drop_index('ix_reg_general_query_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_general_query_due_at'))
        batch_op.drop_index('ix_reg_general_query_dept_created')
        batch_op.drop_index('ix_reg_general_query_date_id')

    op.drop_table('reg_general_query')
    with op.batch_alter_table('reg_general_loan', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_general_loan_step_title')
        batch_op.drop_index('ix_reg_general_loan_state_created')
        batch_op.drop_index('ix_reg_general_loan_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_general_loan_due_at'))
        batch_op.drop_index('ix_reg_general_loan_dept_created')
        batch_op.drop_index('ix_reg_general_loan_date_id')
        batch_op.drop_index(batch_op.f('ix_reg_general_loan_borrower_id'))

    op.drop_table('reg_general_loan')
    with op.batch_alter_table('reg_archive_access', schema=None) as batch_op:
        batch_op.drop_index('ix_reg_archive_access_step_title')
        batch_op.drop_index('ix_reg_archive_access_state_created')
        batch_op.drop_index(batch_op.f('ix_reg_archive_access_requester_id'))
        batch_op.drop_index('ix_reg_archive_access_keeper_created')
        batch_op.drop_index(batch_op.f('ix_reg_archive_access_due_at'))
        batch_op.drop_index('ix_reg_archive_access_dept_created')
        batch_op.drop_index('ix_reg_archive_access_date_id')

    op.drop_table('reg_archive_access')
    op.drop_table('register_counter')
