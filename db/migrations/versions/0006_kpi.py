"""kpi: monthly sales, demotion decisions, published quarters, ledger, warnings, catalogue, display links

Published quarters and ledger facts are append-only in the database itself: triggers
refuse UPDATE and DELETE of a published quarter, DELETE of a ledger entry and UPDATE
of a ledger entry's facts and money (its status columns may move).

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-22
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import db.types
import sqlmodel

revision: str = '0006'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = ('kpi',)
depends_on: Union[str, Sequence[str], None] = None

FROZEN_TABLES = ("kpi_quarter_publication", "kpi_quarter_result")
LEDGER_FACTS = ("person_id", "seq", "team_id", "department_id", "code", "occurred_on", "occurrence_no",
                "team_points", "fine", "compensation", "payer", "action", "reverses_id", "facts", "proposed_by_id",
                "proposed_at")


def upgrade() -> None:
    op.create_table('kpi_catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('disabled_departments', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', 'version', name='uq_kpi_catalogue_version')
    )

    op.create_table('kpi_demotion_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('trigger_month', sa.Date(), nullable=False),
    sa.Column('start_day', sa.Date(), nullable=False),
    sa.Column('end_day', sa.Date(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('last_months', sa.JSON(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultant_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('consultant_id', 'trigger_month', name='uq_kpi_demotion_decision')
    )
    with op.batch_alter_table('kpi_demotion_decision', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_demotion_decision_span', ['start_day', 'end_day'], unique=False)

    op.create_table('kpi_display_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('privacy', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )

    op.create_table('kpi_ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurrence_no', sa.Integer(), nullable=False),
    sa.Column('team_points', sa.Integer(), nullable=False),
    sa.Column('fine', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('compensation', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payer', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('collected_by_id', sa.Integer(), nullable=True),
    sa.Column('collected_at', db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['collected_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['kpi_ledger_entry.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'seq', name='uq_kpi_ledger_entry_person_seq'),
    sa.UniqueConstraint('reverses_id', name='uq_kpi_ledger_entry_reverses')
    )
    with op.batch_alter_table('kpi_ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_ledger_entry_day', ['occurred_on'], unique=False)
        batch_op.create_index('ix_kpi_ledger_entry_person_code', ['person_id', 'code'], unique=False)
        batch_op.create_index('ix_kpi_ledger_entry_status', ['status'], unique=False)
        batch_op.create_index('ix_kpi_ledger_entry_team_day', ['team_id', 'occurred_on'], unique=False)

    op.create_table('kpi_monthly_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultant_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['entered_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'consultant_id', name='uq_kpi_monthly_sales_month')
    )

    op.create_table('kpi_quarter_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('payout_month', sa.Date(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'quarter', name='uq_kpi_quarter_publication')
    )

    op.create_table('kpi_warning_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('track', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'track', 'seq', name='uq_kpi_warning_event_seq')
    )
    with op.batch_alter_table('kpi_warning_event', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_warning_event_at', ['at'], unique=False)

    op.create_table('kpi_quarter_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('bonus', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['publication_id'], ['kpi_quarter_publication.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('publication_id', 'person_id', name='uq_kpi_quarter_result')
    )
    _create_triggers()


def _create_triggers() -> None:
    facts = ", ".join(LEDGER_FACTS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION kpi_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END;
            $$ LANGUAGE plpgsql
        """)
        for table in FROZEN_TABLES:
            op.execute(f"""CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table}
                           FOR EACH ROW EXECUTE FUNCTION kpi_refuse_change()""")
        op.execute("""CREATE TRIGGER kpi_ledger_entry_no_delete BEFORE DELETE ON kpi_ledger_entry
                      FOR EACH ROW EXECUTE FUNCTION kpi_refuse_change()""")
        op.execute(f"""CREATE TRIGGER kpi_ledger_entry_facts BEFORE UPDATE OF {facts} ON kpi_ledger_entry
                       FOR EACH ROW EXECUTE FUNCTION kpi_refuse_change()""")
        return
    for table in FROZEN_TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")
    op.execute("""CREATE TRIGGER kpi_ledger_entry_no_delete BEFORE DELETE ON kpi_ledger_entry
                  BEGIN SELECT RAISE(ABORT, 'kpi_ledger_entry is append-only'); END""")
    op.execute(f"""CREATE TRIGGER kpi_ledger_entry_facts BEFORE UPDATE OF {facts} ON kpi_ledger_entry
                   BEGIN SELECT RAISE(ABORT, 'kpi_ledger_entry is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FROZEN_TABLES:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        op.execute("DROP TRIGGER kpi_ledger_entry_no_delete ON kpi_ledger_entry")
        op.execute("DROP TRIGGER kpi_ledger_entry_facts ON kpi_ledger_entry")
        op.execute("DROP FUNCTION kpi_refuse_change()")
    else:
        for table in FROZEN_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
        op.execute("DROP TRIGGER kpi_ledger_entry_no_delete")
        op.execute("DROP TRIGGER kpi_ledger_entry_facts")
    with op.batch_alter_table('kpi_warning_event', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_warning_event_at')
    op.drop_table('kpi_warning_event')
    op.drop_table('kpi_quarter_result')
    op.drop_table('kpi_quarter_publication')
    op.drop_table('kpi_monthly_sales')
    with op.batch_alter_table('kpi_ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_ledger_entry_team_day')
        batch_op.drop_index('ix_kpi_ledger_entry_status')
        batch_op.drop_index('ix_kpi_ledger_entry_person_code')
        batch_op.drop_index('ix_kpi_ledger_entry_day')
    op.drop_table('kpi_ledger_entry')
    op.drop_table('kpi_display_link')
    with op.batch_alter_table('kpi_demotion_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_demotion_decision_span')
    op.drop_table('kpi_demotion_decision')
    op.drop_table('kpi_catalogue_version')
