"""registers cadence: the phone bill's month is indexed (its next bill is due a month after the latest, found
by one indexed read; issue 14 recurring dues)

Revision ID: 0052
Revises: 0051
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0052'
down_revision: Union[str, None] = '0051'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('reg_phone_bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reg_phone_bill_month'), ['month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reg_phone_bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reg_phone_bill_month'))
